//! `admin import-expenses` and `admin import-benefits` (SPEC §6, issue 16) on the real binary: one
//! line on success, one plain sentence naming the line on failure (nothing imported), files with a
//! byte order mark and CRLF, a harmless re-import, the batch in the audit.

use kosmo_kiosk::domain::expenses::YearMonth;
use kosmo_kiosk::store::Store;

use crate::support::bin::Ops;
use crate::support::{SUZUKI, YAMADA, csv};

fn current() -> YearMonth {
    YearMonth::of(
        time::OffsetDateTime::now_utc()
            .to_offset(kosmo_kiosk::clock::JST)
            .date(),
    )
}

fn store_count(ops: &Ops, sql: &str) -> i64 {
    let s = Store::open(&ops.db).unwrap();
    s.read(|c| Ok(c.query_row(sql, [], |r| r.get(0))?)).unwrap()
}

#[test]
fn imports_name_what_they_did_and_a_bad_row_by_its_line() {
    let ops = Ops::new();
    let members = ops.write("members.csv", csv(&[YAMADA, SUZUKI]));
    ops.ok(&["admin", "import-members", members.to_str().unwrap()]);
    let m = current().minus(3);
    let old = current().minus(24);
    let text = format!(
        "\u{feff}household,month,patient,provider,category,days,total,paid\r\n\
         {YAMADA},{m},山田 太郎,中央総合病院,inpatient,12,12345678,370368\r\n\
         {YAMADA},{m},山田 花子,駅前薬局,pharmacy,1,4870,1461\r\n\
         {SUZUKI},{},鈴木 美咲,みどり歯科,dental,2,18230,5469\r\n\
         {SUZUKI},{old},鈴木 美咲,みどり歯科,dental,2,18230,5469\r\n",
        m.minus(1)
    );
    let file = ops.write("expenses.csv", &text);
    let path = file.to_str().unwrap();
    let out = ops.ok(&["admin", "import-expenses", path]);
    assert_eq!(
        out,
        format!(
            "read {path} as UTF-8\n\
             imported 3 rows for 2 households (batch 1): household-months 2 new, 0 changed, 0 unchanged; \
             1 row before the window skipped; 0 notice mails queued\n"
        )
    );
    let out = ops.ok(&["admin", "import-expenses", path]);
    assert!(
        out.contains("(batch 2): household-months 0 new, 0 changed, 2 unchanged;"),
        "{out}"
    );
    assert_eq!(store_count(&ops, "SELECT count(*) FROM expenses"), 3);
    let audited = store_count(
        &ops,
        &format!(
            "SELECT count(*) FROM audit WHERE event = 'import_expenses' AND channel = 'admin' \
             AND detail LIKE 'batch 2 file {path} rows 3 %'"
        ),
    );
    assert_eq!(audited, 1);

    let bad = ops.write(
        "bad.csv",
        format!(
            "household,month,patient,provider,category,days,total,paid\n\
             {YAMADA},{m},山田 太郎,中央総合病院,inpatient,12,100,10\n\n\
             {YAMADA},{m},山田 太郎,中央総合病院,surgery,12,100,10\n"
        ),
    );
    let err = ops.fails(&["admin", "import-expenses", bad.to_str().unwrap()]);
    assert!(
        err.starts_with("kosmo-kiosk: line 4: category \"surgery\" must be one of")
            && err.trim_end().ends_with("nothing was imported"),
        "{err}"
    );
    let err = ops.fails(&["admin", "import-expenses", "/nonexistent/x.csv"]);
    assert!(err.contains("cannot read /nonexistent/x.csv"), "{err}");
    assert_eq!(store_count(&ops, "SELECT count(*) FROM import_batches"), 2);

    let decisions = ops.write(
        "decisions.csv",
        format!(
            "household,decided_on,kind,amount,paid_on\n{YAMADA},{},高額療養費,282330,\n",
            m.first_day()
        ),
    );
    let out = ops.ok(&["admin", "import-benefits", decisions.to_str().unwrap()]);
    assert_eq!(
        out,
        format!(
            "read {} as UTF-8\n\
             imported 1 row for 1 household (batch 3): household-dates 1 new, 0 changed, 0 unchanged; \
             0 notice mails queued\n",
            decisions.display()
        )
    );
    let kinds = ops.write(
        "kinds.csv",
        format!(
            "household,decided_on,kind,amount,paid_on\n{YAMADA},{},見舞金,1000,\n",
            m.first_day()
        ),
    );
    let err = ops.fails(&["admin", "import-benefits", kinds.to_str().unwrap()]);
    assert!(
        err.contains("line 2: kind \"見舞金\" is not one of the configured kinds"),
        "{err}"
    );
    // The kinds are configuration.
    ops.config(
        "[[benefits.kinds]]\ncode = \"sympathy\"\nja = \"見舞金\"\nen = \"Sympathy payment\"\n",
    );
    let out = ops.ok(&["admin", "import-benefits", kinds.to_str().unwrap()]);
    assert!(out.contains("\nimported 1 row for 1 household"), "{out}");
}

#[test]
fn help_names_both_imports_and_their_columns() {
    let ops = Ops::new();
    let out = ops.ok(&["admin", "--help"]);
    assert!(out.contains("import-expenses"), "{out}");
    assert!(out.contains("import-benefits"), "{out}");
    let out = ops.ok(&["admin", "import-expenses", "--help"]);
    assert!(
        out.contains("household,month,patient,provider,category,days,total,paid"),
        "{out}"
    );
}
