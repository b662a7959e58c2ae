//! `admin import-members` as an office uses it (issue 15 item 6): a CSV saved by Japanese Excel is
//! CP932 (Shift_JIS) and is read, saying so; a corrected list is applied with `--replace`, every
//! change said on its own line.

use crate::support::bin::Ops;

const HEADER: &str = "insurer_number,symbol,number,name,birth_date,relationship\n";
/// 髙 and 﨑 exist only in Microsoft's CP932 (its IBM extensions), not in JIS X 0208 Shift_JIS.
const TAKASAKI: &str = "06139497,12,4417203,髙﨑 花子,1970-05-05,insured\n";
const TANAKA: &str = "33120015,21,1006,田中 直子,1972-02-29,insured\n";

fn cp932(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(text);
    assert!(!unmappable, "{text}");
    bytes.into_owned()
}

fn names(ops: &Ops) -> Vec<String> {
    let json = ops.ok(&["admin", "members", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_cp932_file_from_excel_is_detected_read_and_said() {
    let ops = Ops::new();
    let sjis = ops.write("sjis.csv", cp932(&format!("{HEADER}{TAKASAKI}")));
    let out = ops.ok(&["admin", "import-members", sjis.to_str().unwrap()]);
    assert_eq!(
        out.trim(),
        format!(
            "read {} as CP932 (Shift_JIS)\nimported 1 row: 1 new household, 1 new member, 0 already present",
            sjis.display()
        )
    );
    assert_eq!(names(&ops), ["髙﨑 花子"]);

    // Named rather than detected: the same.
    let more = ops.write("more.csv", cp932(&format!("{HEADER}{TANAKA}")));
    let out = ops.ok(&[
        "admin",
        "import-members",
        "--encoding",
        "shift_jis",
        more.to_str().unwrap(),
    ]);
    assert!(
        out.starts_with(&format!("read {} as CP932", more.display())),
        "{out}"
    );
    assert_eq!(names(&ops).len(), 2);

    // Named wrongly: refused with the line, nothing imported.
    let third = ops.write(
        "third.csv",
        cp932(&format!(
            "{HEADER}01130012,AB,5530871,渡辺 次郎,1980-01-01,insured\n"
        )),
    );
    let err = ops.fails(&[
        "admin",
        "import-members",
        "--encoding",
        "utf-8",
        third.to_str().unwrap(),
    ]);
    assert!(err.contains("line 2: "), "{err}");
    assert!(err.contains("is not valid UTF-8"), "{err}");
    assert!(err.contains("--encoding cp932"), "{err}");
    assert_eq!(names(&ops).len(), 2, "nothing imported");

    // A file that is neither: refused, both lines named.
    let neither = ops.write(
        "neither.csv",
        [HEADER.as_bytes(), b"\xff\xfe\xfd\n"].concat(),
    );
    let err = ops.fails(&["admin", "import-members", neither.to_str().unwrap()]);
    assert!(
        err.contains("is neither UTF-8 (line 2) nor CP932 (Shift_JIS, line 2)"),
        "{err}"
    );

    // A UTF-8 file with Excel's byte order mark.
    let utf8 = ops.write("utf8.csv", format!("\u{feff}{HEADER}{TANAKA}"));
    let out = ops.ok(&["admin", "import-members", utf8.to_str().unwrap()]);
    assert!(
        out.starts_with(&format!("read {} as UTF-8\n", utf8.display())),
        "{out}"
    );
    assert!(out.contains("1 already present"), "{out}");

    // An encoding this program does not know is a usage mistake.
    let o = ops.run(&["admin", "import-members", "--encoding", "latin1", "x.csv"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is not utf-8 or cp932"));
}

#[test]
fn a_corrected_list_is_noted_without_replace_and_applied_with_it() {
    let ops = Ops::new();
    let first = ops.write(
        "first.csv",
        format!(
            "{HEADER}06139497,12,4417203,伊藤 太郎,1970-05-05,insured\n\
             06139497,12,4417203,伊藤 花子,1972-06-06,dependent\n\
             06139497,12,4417203,伊藤 一郎,2005-03-03,dependent\n{TANAKA}"
        ),
    );
    ops.ok(&["admin", "import-members", first.to_str().unwrap()]);
    // The office's corrected list (花子's birth date, 一郎 left the household) as Excel saves it.
    let corrected = ops.write(
        "corrected.csv",
        cp932(&format!(
            "{HEADER}06139497,12,4417203,伊藤 太郎,1970-05-05,insured\n\
             06139497,12,4417203,伊藤 花子,1972-06-16,dependent\n"
        )),
    );
    // A copy of the store to try it on first.
    let trial = ops.path("trial.db");
    ops.ok(&["admin", "backup", trial.to_str().unwrap()]);
    let mut cmd = ops.bare();
    let o = cmd
        .args(["--db", trial.to_str().unwrap()])
        .args(["admin", "import-members", corrected.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success());
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(
        out.contains(
            "note: 1 household has members this file does not list (06139497-12-4417203); nothing was removed or corrected. If the file corrects them, import it again with --replace"
        ),
        "{out}"
    );

    let out = ops.ok(&[
        "admin",
        "import-members",
        "--replace",
        corrected.to_str().unwrap(),
    ]);
    assert_eq!(
        out.trim().lines().skip(1).collect::<Vec<_>>(),
        [
            "imported 2 rows: 0 new households, 0 new members, 1 already present, 1 corrected, 1 removed",
            "  corrected 06139497-12-4417203 伊藤 花子: birth_date 1972-06-06 → 1972-06-16 (line 3)",
            "  removed 06139497-12-4417203 伊藤 一郎 (2005-03-03, dependent): not in the file",
        ]
    );
    // 田中's household, not in the file, is as it was; 伊藤's has two members.
    let json = ops.ok(&["admin", "members", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let members = |key: &str| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|h| h["household"] == key)
            .unwrap()["members"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(members("06139497-12-4417203"), 2);
    assert_eq!(members("33120015-21-1006"), 1);
}
