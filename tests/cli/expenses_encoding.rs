//! `admin import-expenses` and `admin import-benefits` read what Excel saves in a Japanese office:
//! "CSV" is CP932 (Shift_JIS), "CSV UTF-8" is UTF-8. The encoding is detected or named with
//! `--encoding`, through the same code as `admin import-members` (services/encoding.rs); a CP932 file
//! imports exactly as its UTF-8 twin; a wrong encoding named is refused with its line quoted, and
//! nothing is imported.

use kosmo_kiosk::domain::expenses::YearMonth;
use kosmo_kiosk::store::Store;

use crate::support::bin::Ops;

/// 髙 and 﨑 exist only in Microsoft's CP932 (its IBM extensions), not in JIS X 0208 Shift_JIS.
const MEMBERS: &str = "insurer_number,symbol,number,name,birth_date,relationship\n\
                       06139497,12,4417203,髙﨑 花子,1970-05-05,insured\n\
                       06139497,12,4417203,髙﨑 一郎,1968-03-03,dependent\n";
const HOUSEHOLD: &str = "06139497-12-4417203";

fn cp932(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(text);
    assert!(!unmappable, "{text}");
    bytes.into_owned()
}

fn month(back: u32) -> YearMonth {
    YearMonth::of(
        time::OffsetDateTime::now_utc()
            .to_offset(kosmo_kiosk::clock::JST)
            .date(),
    )
    .minus(back)
}

fn expenses() -> String {
    let (a, b) = (month(3), month(4));
    format!(
        "household,month,patient,provider,category,days,total,paid\r\n\
         {HOUSEHOLD},{a},髙﨑 花子,髙島屋クリニック,outpatient,2,18230,5469\r\n\
         {HOUSEHOLD},{a},髙﨑 一郎,﨑山調剤薬局,pharmacy,1,4870,1461\r\n\
         {HOUSEHOLD},{b},髙﨑 花子,髙島屋クリニック,inpatient,12,12345678,370368\r\n"
    )
}

fn benefits() -> String {
    format!(
        "household,decided_on,kind,amount,paid_on\n{HOUSEHOLD},{},高額療養費,282330,\n",
        month(2).first_day()
    )
}

fn store_with_members() -> Ops {
    let ops = Ops::new();
    let members = ops.write("members.csv", MEMBERS);
    ops.ok(&["admin", "import-members", members.to_str().unwrap()]);
    ops
}

/// What the store holds of the imports, as members read it.
fn stored(ops: &Ops) -> Vec<String> {
    let s = Store::open(&ops.db).unwrap();
    s.read(|c| {
        let mut rows = Vec::new();
        for sql in [
            "SELECT e.month || '|' || m.name || '|' || e.provider || '|' || e.category || '|' || \
             e.days || '|' || e.total || '|' || e.paid
             FROM expenses e JOIN members m ON m.id = e.member_id ORDER BY e.month, m.name",
            "SELECT decided_on || '|' || kind || '|' || amount FROM benefits ORDER BY decided_on",
        ] {
            let mut stmt = c.prepare(sql)?;
            for r in stmt.query_map([], |r| r.get::<_, String>(0))? {
                rows.push(r?);
            }
        }
        Ok(rows)
    })
    .unwrap()
}

fn imported_rows(ops: &Ops) -> i64 {
    let s = Store::open(&ops.db).unwrap();
    s.read(|c| {
        Ok(c.query_row(
            "SELECT (SELECT count(*) FROM expenses) + (SELECT count(*) FROM benefits)",
            [],
            |r| r.get(0),
        )?)
    })
    .unwrap()
}

/// The import's report without its first line (`read FILE as …`), which it returns.
fn split_read_line(out: &str) -> (&str, &str) {
    out.split_once('\n').expect("two lines")
}

#[test]
fn a_cp932_file_imports_the_same_as_its_utf8_twin() {
    let utf8 = store_with_members();
    let sjis = store_with_members();
    let mut reports = Vec::new();
    for (ops, encode) in [
        (
            &utf8,
            (|s: &str| s.as_bytes().to_vec()) as fn(&str) -> Vec<u8>,
        ),
        (&sjis, cp932 as fn(&str) -> Vec<u8>),
    ] {
        let e = ops.write("expenses.csv", encode(&expenses()));
        let b = ops.write("benefits.csv", encode(&benefits()));
        let out_e = ops.ok(&["admin", "import-expenses", e.to_str().unwrap()]);
        let out_b = ops.ok(&["admin", "import-benefits", b.to_str().unwrap()]);
        reports.push((e, b, out_e, out_b));
    }
    let (e, b, out_e, out_b) = &reports[0];
    assert_eq!(
        split_read_line(out_e).0,
        format!("read {} as UTF-8", e.display())
    );
    assert_eq!(
        split_read_line(out_b).0,
        format!("read {} as UTF-8", b.display())
    );
    let (e2, b2, out_e2, out_b2) = &reports[1];
    assert_eq!(
        split_read_line(out_e2).0,
        format!("read {} as CP932 (Shift_JIS)", e2.display())
    );
    assert_eq!(
        split_read_line(out_b2).0,
        format!("read {} as CP932 (Shift_JIS)", b2.display())
    );
    assert_eq!(split_read_line(out_e).1, split_read_line(out_e2).1);
    assert_eq!(split_read_line(out_b).1, split_read_line(out_b2).1);
    assert!(
        split_read_line(out_e2)
            .1
            .starts_with("imported 3 rows for 1 household (batch 1): household-months 2 new"),
        "{out_e2}"
    );

    let rows = stored(&sjis);
    assert_eq!(rows, stored(&utf8));
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert!(
        rows.iter()
            .any(|r| r.ends_with("|髙﨑 花子|髙島屋クリニック|inpatient|12|12345678|370368")),
        "{rows:?}"
    );
    assert!(
        rows.iter().any(|r| r.contains("|﨑山調剤薬局|")),
        "{rows:?}"
    );
    assert!(
        rows.iter().any(|r| r.ends_with("|high_cost|282330")),
        "{rows:?}"
    );

    // Named, the same file imports the same (a re-import: nothing changed).
    let out = sjis.ok(&[
        "admin",
        "import-expenses",
        "--encoding",
        "cp932",
        e2.to_str().unwrap(),
    ]);
    assert!(
        out.contains("household-months 0 new, 0 changed, 2 unchanged"),
        "{out}"
    );
    let out = sjis.ok(&[
        "admin",
        "import-benefits",
        "--encoding=Shift_JIS",
        b2.to_str().unwrap(),
    ]);
    assert!(
        out.starts_with(&format!("read {} as CP932 (Shift_JIS)\n", b2.display())),
        "{out}"
    );
    assert_eq!(stored(&sjis), rows);
}

#[test]
fn a_wrong_encoding_named_is_refused_with_its_line_and_nothing_is_imported() {
    let ops = store_with_members();
    let sjis = ops.write("sjis.csv", cp932(&expenses()));
    let err = ops.fails(&[
        "admin",
        "import-expenses",
        "--encoding",
        "utf-8",
        sjis.to_str().unwrap(),
    ]);
    assert!(
        err.starts_with(&format!(
            "kosmo-kiosk: line 2: {} is not valid UTF-8 (\"{HOUSEHOLD},{},髙﨑 花子,髙島屋クリニック,outpatient,2,18230,5469\"); \
             a CSV saved by Excel in Japanese is usually CP932 (give --encoding cp932",
            sjis.display(),
            month(3)
        )) && err.trim_end().ends_with("nothing was imported"),
        "{err}"
    );

    let utf8 = ops.write("utf8.csv", expenses());
    let err = ops.fails(&[
        "admin",
        "import-expenses",
        "--encoding",
        "cp932",
        utf8.to_str().unwrap(),
    ]);
    assert!(
        err.starts_with(&format!(
            "kosmo-kiosk: line 2: {} is UTF-8 (\"{HOUSEHOLD},",
            utf8.display()
        )) && err.contains("髙﨑 花子")
            && err.contains("not CP932 (Shift_JIS); give --encoding utf-8"),
        "{err}"
    );

    // The benefits import refuses the same way; a long line is quoted cut at 80 characters.
    let long = format!(
        "household,decided_on,kind,amount,paid_on\n{HOUSEHOLD},{},高額療養費,282330,,{}\n",
        month(2).first_day(),
        "備考".repeat(100)
    );
    let b = ops.write("benefits.csv", cp932(&long));
    let err = ops.fails(&[
        "admin",
        "import-benefits",
        "--encoding",
        "utf8",
        b.to_str().unwrap(),
    ]);
    let quoted = err
        .split_once(" (\"")
        .and_then(|(_, rest)| rest.split_once("\")"))
        .map(|(q, _)| q)
        .unwrap_or_else(|| panic!("a quoted line in {err}"));
    assert!(quoted.starts_with(HOUSEHOLD), "{err}");
    assert!(quoted.contains("高額療養費,282330,,備考備考"), "{err}");
    assert!(quoted.ends_with('…'), "{err}");
    assert_eq!(quoted.chars().count(), 81, "{err}");
    assert!(err.trim_end().ends_with("nothing was imported"), "{err}");

    // An encoding this program does not know is a usage mistake.
    let o = ops.run(&[
        "admin",
        "import-benefits",
        "--encoding",
        "latin1",
        b.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("\"latin1\" is not utf-8 or cp932"));
    assert!(
        ops.ok(&["admin", "import-expenses", "--help"])
            .contains("--encoding")
    );
    assert_eq!(imported_rows(&ops), 0);
}

#[test]
fn a_bad_row_of_a_cp932_file_is_quoted_as_the_office_wrote_it() {
    let ops = store_with_members();
    let text = expenses().replace("inpatient", "手術");
    let sjis = ops.write("sjis.csv", cp932(&text));
    let err = ops.fails(&["admin", "import-expenses", sjis.to_str().unwrap()]);
    assert!(
        err.starts_with("kosmo-kiosk: line 4: category \"手術\" must be one of")
            && err.trim_end().ends_with("nothing was imported"),
        "{err}"
    );
    // A file that is neither names both lines and quotes the bad one.
    let mut bytes = cp932(&expenses());
    bytes.extend_from_slice(b"x,\x82\xff\n");
    let bad = ops.write("bad.csv", bytes);
    let err = ops.fails(&["admin", "import-benefits", bad.to_str().unwrap()]);
    assert!(
        err.contains("is neither UTF-8 (line 2) nor CP932 (Shift_JIS, line 5): \"x,"),
        "{err}"
    );
    assert_eq!(imported_rows(&ops), 0);
}
