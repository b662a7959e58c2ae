//! The import rules on a real store: each rule with its line, all or nothing, replace-on-reimport,
//! the window purge, the notice mails and their dedupe, the year view against the months.

use proptest::prelude::*;

use crate::domain::Lang;
use crate::domain::expenses::YearMonth;
use crate::domain::household::Relationship;
use crate::services::auth::AccountSession;
use crate::services::testing::{Fx, T0, fixture, household_id};
use crate::store::accounts::{self, NewAccount};
use crate::store::{Actor, Channel};

const YAMADA: &str = "06139497-12-3401";
const SUZUKI: &str = "01130012-7-88";
const HEAD: &str = "household,month,patient,provider,category,days,total,paid\n";

fn import(fx: &Fx, body: &str) -> Result<super::ImportReport, String> {
    let text = format!("{HEAD}{body}");
    fx.svc
        .import_expenses_from(&Actor::admin(), "test.csv", text.as_bytes())
        .map_err(|e| e.to_string())
}

fn benefits(fx: &Fx, body: &str) -> Result<super::ImportReport, String> {
    let text = format!("household,decided_on,kind,amount,paid_on\n{body}");
    fx.svc
        .import_benefits_from(&Actor::admin(), "b.csv", text.as_bytes())
        .map_err(|e| e.to_string())
}

fn count(fx: &Fx, sql: &str) -> i64 {
    fx.svc
        .store
        .read(|c| Ok(c.query_row(sql, [], |r| r.get(0))?))
        .unwrap()
}

/// Registers `key` directly in the store (no hashing: these tests are about the import).
fn account(fx: &Fx, key: &str, user: &str, email: Option<&str>, notify: bool) -> AccountSession {
    let hid = household_id(fx, key);
    let id = fx
        .svc
        .store
        .write(|tx| {
            accounts::insert(
                tx,
                &NewAccount {
                    household_id: hid,
                    user_id: user,
                    password_hash: "x",
                    must_change: None,
                    email,
                    notify_mail: notify,
                    registrant: Relationship::Insured,
                    member_id: None,
                    lang: Lang::Ja,
                    channel: Channel::Kiosk,
                    staff_id: None,
                },
                T0,
            )
        })
        .unwrap();
    AccountSession {
        account_id: id,
        household_id: hid,
        user_id: user.into(),
        must_change: None,
        login_password_set_at: None,
    }
}

fn mails(fx: &Fx, kind: &str) -> Vec<(String, String)> {
    fx.svc
        .store
        .read(|c| {
            let mut s =
                c.prepare("SELECT recipient, dedupe_key FROM outbox WHERE kind = ?1 ORDER BY id")?;
            let rows = s.query_map([kind], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .unwrap()
}

fn nothing_imported(fx: &Fx) {
    for t in [
        "expenses",
        "benefits",
        "import_groups",
        "import_batches",
        "outbox",
    ] {
        assert_eq!(count(fx, &format!("SELECT count(*) FROM {t}")), 0, "{t}");
    }
    assert_eq!(
        count(
            fx,
            "SELECT count(*) FROM audit WHERE event LIKE 'import_%' AND event <> 'import_members'"
        ),
        0
    );
}

const GOOD: &str = "06139497-12-3401,2026-01,山田 太郎,中央病院,outpatient,2,10000,3000\n";

#[test]
fn every_rule_names_its_line_and_nothing_is_imported() {
    let cases: &[(&str, &str)] = &[
        (
            "0613949-12-3401,2026-01,山田 太郎,病院,outpatient,1,100,30",
            "is not a household key",
        ),
        (
            "06139497-12-9999,2026-01,山田 太郎,病院,outpatient,1,100,30",
            "is not in the member list",
        ),
        (
            "06139497-12-3401,2026/01,山田 太郎,病院,outpatient,1,100,30",
            "not a month as YYYY-MM",
        ),
        (
            "06139497-12-3401,2026-05,山田 太郎,病院,outpatient,1,100,30",
            "2026-05 is in the future",
        ),
        (
            "06139497-12-3401,2026-01,山田 次郎,病院,outpatient,1,100,30",
            "is not a member of household",
        ),
        (
            "06139497-12-3401,2026-01,鈴木 美咲,病院,outpatient,1,100,30",
            "is not a member of household",
        ),
        (
            "06139497-12-3401,2026-01,,病院,outpatient,1,100,30",
            "the patient is empty",
        ),
        (
            "06139497-12-3401,2026-01,山田 太郎,,outpatient,1,100,30",
            "the provider is empty",
        ),
        (
            "06139497-12-3401,2026-01,山田 太郎,病院,surgery,1,100,30",
            "category \"surgery\" must be one of",
        ),
        (
            "06139497-12-3401,2026-01,山田 太郎,病院,outpatient,32,100,30",
            "days \"32\" must be",
        ),
        (
            "06139497-12-3401,2026-01,山田 太郎,病院,outpatient,-1,100,30",
            "days \"-1\" must be",
        ),
        (
            "06139497-12-3401,2026-01,山田 太郎,病院,outpatient,1,1.5,0",
            "total \"1.5\" must be a whole number",
        ),
        (
            "06139497-12-3401,2026-01,山田 太郎,病院,outpatient,1,10000000000,0",
            "total \"10000000000\"",
        ),
        (
            "06139497-12-3401,2026-01,山田 太郎,病院,outpatient,1,100,",
            "paid \"\" must be",
        ),
        (
            "06139497-12-3401,2026-01,山田 太郎,病院,outpatient,1,100,101",
            "paid 101 is more than total 100",
        ),
        (
            "06139497-12-3401,2026-01,山田 太郎,\"病院,outpatient,1,100,30",
            "is a quote \" left open?",
        ),
    ];
    for (row, expect) in cases {
        let fx = fixture();
        // The bad row is the third line, after the header and a good row; a good row follows.
        let err = import(&fx, &format!("{GOOD}{row}\n{GOOD}")).unwrap_err();
        assert!(err.starts_with("line 3: "), "{row}: {err}");
        assert!(err.contains(expect), "{row}: {err}");
        assert!(err.ends_with("nothing was imported"), "{err}");
        nothing_imported(&fx);
    }
    let fx = fixture();
    let err = fx
        .svc
        .import_expenses_from(&Actor::admin(), "x", "household,month,patient\n".as_bytes())
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("line 1: the header has no column \"provider\""),
        "{err}"
    );
    let bytes = [
        HEAD.as_bytes(),
        GOOD.as_bytes(),
        b"06139497-12-3401,2026-01,\x8e\x52,x,outpatient,1,1,1\n",
    ]
    .concat();
    let err = fx
        .svc
        .import_expenses_from(&Actor::admin(), "x", &bytes[..])
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("line 3: the file is not UTF-8"), "{err}");
    let err = fx
        .svc
        .import_expenses_from(&Actor::admin(), "x", &b""[..])
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("line 1: the file is empty"), "{err}");
    nothing_imported(&fx);
}

#[test]
fn bom_crlf_extra_columns_full_width_and_japanese_words_are_read() {
    let fx = fixture();
    let text = "\u{feff}paid,total,Days,category,provider,patient,month,household,note\r\n\
                ３０００,10000,2,外来,ＡＢＣクリニック,山田 太郎,2026-01,06139497-12-3401,x\r\n\
                \r\n\
                500,1000,1,PHARMACY,薬局,山田 花子,2026-01,06139497-12-3401,\r\n";
    let r = fx
        .svc
        .import_expenses_from(&Actor::admin(), "w.csv", text.as_bytes())
        .unwrap();
    assert_eq!((r.rows, r.households, r.groups_new), (2, 1, 1));
    let s = account(&fx, YAMADA, "yamada2026", None, false);
    let rows = fx
        .svc
        .expense_month(&s, YearMonth::parse("2026-01").unwrap())
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].provider, "ABCクリニック");
    assert_eq!(
        (rows[0].patient.as_str(), rows[0].paid),
        ("山田 太郎", 3000)
    );
    assert_eq!(rows[1].category.as_str(), "pharmacy");
}

#[test]
fn a_reimport_replaces_the_months_it_holds_and_keeps_the_others() {
    let fx = fixture();
    let s = account(&fx, YAMADA, "yamada2026", Some("t@example.jp"), true);
    let first = "06139497-12-3401,2026-01,山田 太郎,中央病院,outpatient,2,10000,3000\n\
                 06139497-12-3401,2026-02,山田 太郎,中央病院,outpatient,1,5000,1500\n\
                 06139497-12-3401,2026-02,山田 花子,駅前薬局,pharmacy,1,2000,600\n";
    let r = import(&fx, first).unwrap();
    assert_eq!(
        (r.rows, r.groups_new, r.groups_changed, r.mails),
        (3, 2, 0, 1)
    );
    // 2026-02 corrected (one row gone, one amount changed), 2026-03 new; 2026-01 not in the file.
    let second = "06139497-12-3401,2026-02,山田 太郎,中央病院,outpatient,1,5000,1000\n\
                  06139497-12-3401,2026-03,山田 花子,駅前薬局,pharmacy,1,2000,600\n";
    let r = import(&fx, second).unwrap();
    assert_eq!(
        (r.groups_new, r.groups_changed, r.groups_unchanged),
        (1, 1, 0)
    );
    let months = fx.svc.expense_months(&s).unwrap();
    let seen: Vec<(String, u32, i64)> = months
        .iter()
        .map(|m| (m.month.to_string(), m.rows, m.paid))
        .collect();
    assert_eq!(
        seen,
        [
            ("2026-03".into(), 1, 600),
            ("2026-02".into(), 1, 1000),
            ("2026-01".into(), 1, 3000)
        ]
    );
    assert_eq!(count(&fx, "SELECT count(*) FROM expenses"), 3);
    // The same file again, rows in another order: nothing changes, no mail.
    let again = "06139497-12-3401,2026-03,山田 花子,駅前薬局,pharmacy,1,2000,600\n\
                 06139497-12-3401,2026-02,山田 太郎,中央病院,outpatient,1,5000,1000\n";
    let r = import(&fx, again).unwrap();
    assert_eq!(
        (r.groups_new, r.groups_changed, r.groups_unchanged, r.mails),
        (0, 0, 2, 0)
    );
    assert_eq!(count(&fx, "SELECT count(*) FROM expenses"), 3);
    assert_eq!(
        mails(&fx, "expenses_updated").len(),
        2,
        "one per import that changed data"
    );
    assert_eq!(count(&fx, "SELECT count(*) FROM import_batches"), 3);
    let audit = count(
        &fx,
        "SELECT count(*) FROM audit WHERE event = 'import_expenses' AND detail LIKE 'batch % file test.csv rows %'",
    );
    assert_eq!(audit, 3, "every batch is audited");
}

#[test]
fn rows_of_one_month_may_be_spread_over_the_file() {
    let fx = fixture();
    let s = account(&fx, YAMADA, "yamada2026", Some("t@example.jp"), true);
    account(&fx, SUZUKI, "suzuki2026", Some("s@example.jp"), true);
    let spread = "06139497-12-3401,2026-01,山田 太郎,A,outpatient,1,100,30\n\
                  01130012-7-88,2026-01,鈴木 美咲,B,dental,1,100,30\n\
                  06139497-12-3401,2026-02,山田 太郎,C,outpatient,1,100,30\n\
                  06139497-12-3401,2026-01,山田 花子,D,outpatient,1,100,30\n";
    let r = import(&fx, spread).unwrap();
    assert_eq!((r.rows, r.households, r.groups_new, r.mails), (4, 2, 3, 2));
    assert_eq!(
        fx.svc
            .expense_month(&s, YearMonth::parse("2026-01").unwrap())
            .unwrap()
            .len(),
        2
    );
    let keys: Vec<String> = mails(&fx, "expenses_updated")
        .into_iter()
        .map(|m| m.1)
        .collect();
    assert_eq!(keys.len(), 2, "one per household: {keys:?}");
    assert!(keys.iter().all(|k| k.starts_with("expenses_updated:") && k.ends_with(&format!(":{}", r.batch_id))));
}

#[test]
fn only_households_that_want_mail_and_have_an_address_get_one() {
    let fx = fixture();
    account(&fx, YAMADA, "yamada2026", Some("t@example.jp"), false);
    account(&fx, SUZUKI, "suzuki2026", None, false);
    let r = import(&fx, "06139497-12-3401,2026-01,山田 太郎,A,outpatient,1,100,30\n01130012-7-88,2026-01,鈴木 美咲,B,dental,1,100,30\n").unwrap();
    assert_eq!((r.groups_new, r.mails), (2, 0));
    assert!(mails(&fx, "expenses_updated").is_empty());
}

#[test]
fn the_window_skips_old_rows_and_purges_the_store() {
    let fx = fixture();
    let s = account(&fx, YAMADA, "yamada2026", None, false);
    // At T0 (April 2026) the window is May 2024 to April 2026.
    let r = import(
        &fx,
        "06139497-12-3401,2024-04,山田 太郎,A,outpatient,1,100,30\n\
         06139497-12-3401,2024-05,山田 太郎,A,outpatient,1,100,30\n\
         06139497-12-3401,2024-06,山田 太郎,A,outpatient,1,100,30\n\
         06139497-12-3401,2026-04,山田 太郎,A,outpatient,1,100,30\n",
    )
    .unwrap();
    assert_eq!((r.rows, r.skipped_old, r.purged_rows), (3, 1, 0));
    benefits(
        &fx,
        "06139497-12-3401,2024-05-20,高額療養費,12000,2024-07-01\n",
    )
    .unwrap();
    assert_eq!(fx.svc.expense_months(&s).unwrap().len(), 3);
    // Two months later the window starts in July 2024: the next import deletes May and June.
    fx.clock.advance(time::Duration::days(61));
    assert_eq!(
        fx.svc.expense_months(&s).unwrap().len(),
        1,
        "members never see past the window"
    );
    let r = import(&fx, "01130012-7-88,2026-05,鈴木 美咲,B,dental,1,100,30\n").unwrap();
    assert_eq!(r.purged_rows, 3, "two expense rows and one decision");
    assert_eq!(
        count(&fx, "SELECT count(*) FROM expenses WHERE month < '2024-07'"),
        0
    );
    assert_eq!(count(&fx, "SELECT count(*) FROM benefits"), 0);
    assert_eq!(
        count(
            &fx,
            "SELECT count(*) FROM import_groups WHERE period < '2024-07'"
        ),
        0
    );
    let audit = count(
        &fx,
        "SELECT count(*) FROM audit WHERE event = 'purge_expenses' AND detail LIKE '%before 2024-07: expenses 2 rows in 2 household-months, decisions 1 rows%'",
    );
    assert_eq!(audit, 1);
}

#[test]
fn decisions_use_the_configured_kinds_and_replace_by_date() {
    let fx = fixture();
    let s = account(&fx, YAMADA, "yamada2026", Some("t@example.jp"), true);
    let r = benefits(
        &fx,
        "06139497-12-3401,2026-02-10,high_cost,45000,2026-03-15\n\
         06139497-12-3401,2026-02-10,付加金,5000,\n\
         06139497-12-3401,2026-03-01,出産育児一時金,500000,2026-03-20\n",
    )
    .unwrap();
    assert_eq!((r.rows, r.groups_new, r.mails), (3, 2, 1));
    let d = fx.svc.benefit_decisions(&s).unwrap();
    assert_eq!(d.len(), 3);
    assert_eq!(
        (d[0].kind(Lang::Ja), d[0].amount),
        ("出産育児一時金", 500_000)
    );
    assert_eq!(d[1].kind(Lang::En), "High-cost medical care benefit");
    assert_eq!(d[2].paid_on, None);
    assert_eq!(mails(&fx, "benefits_decided").len(), 1);
    // The same decisions again: no mail. The 2026-02-10 decisions corrected: one mail.
    let r = benefits(
        &fx,
        "06139497-12-3401,2026-03-01,childbirth,500000,2026-03-20\n",
    )
    .unwrap();
    assert_eq!((r.groups_unchanged, r.mails), (1, 0));
    let r = benefits(
        &fx,
        "06139497-12-3401,2026-02-10,high_cost,45000,2026-03-15\n",
    )
    .unwrap();
    assert_eq!((r.groups_changed, r.mails), (1, 1));
    assert_eq!(
        fx.svc.benefit_decisions(&s).unwrap().len(),
        2,
        "付加金 of that day went with the file"
    );
    for (row, expect) in [
        (
            "06139497-12-3401,2026-02-10,見舞金,100,",
            "kind \"見舞金\" is not one of the configured kinds: high_cost (高額療養費)",
        ),
        (
            "06139497-12-3401,2026-02-10,high_cost,0,",
            "amount must be more than 0",
        ),
        (
            "06139497-12-3401,2026-02-10,high_cost,100,2026-02-09",
            "paid_on 2026-02-09 is before decided_on 2026-02-10",
        ),
        (
            "06139497-12-3401,2026-04-02,high_cost,100,",
            "decided_on 2026-04-02 is in the future",
        ),
        (
            "06139497-12-3401,2026/02/10,high_cost,100,",
            "decided_on \"2026/02/10\" is not a date",
        ),
    ] {
        let err =
            benefits(&fx, &format!("{SUZUKI},2026-01-05,sickness,1000,\n{row}\n")).unwrap_err();
        assert!(
            err.starts_with("line 3: ") && err.contains(expect),
            "{row}: {err}"
        );
    }
    assert_eq!(
        count(&fx, "SELECT count(*) FROM import_batches"),
        3,
        "the failed imports left nothing"
    );
}

#[test]
fn a_failing_import_queues_no_mail() {
    let fx = fixture();
    account(&fx, YAMADA, "yamada2026", Some("t@example.jp"), true);
    let err = import(
        &fx,
        &format!("{GOOD}06139497-12-3401,2026-02,誰か,A,outpatient,1,100,30\n"),
    )
    .unwrap_err();
    assert!(err.starts_with("line 3:"), "{err}");
    nothing_imported(&fx);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]

    /// On the store: per year, the year view's household sums equal the sums of the month list's
    /// months of that year, and the persons' sums add up to the household's.
    #[test]
    fn the_year_view_is_the_sum_of_the_month_list(
        rows in proptest::collection::vec((0u32..30, any::<bool>(), 0i64..2_000_000, 0i64..=100), 1..40)
    ) {
        let fx = fixture();
        let s = account(&fx, YAMADA, "yamada2026", None, false);
        let current = YearMonth::parse("2026-04").unwrap();
        let mut body = String::new();
        for (back, insured, total, pct) in &rows {
            let who = if *insured { "山田 太郎" } else { "山田 花子" };
            let paid = total * pct / 100;
            body.push_str(&format!("{YAMADA},{},{who},病院,outpatient,1,{total},{paid}\n", current.minus(*back)));
        }
        import(&fx, &body).unwrap();
        let months = fx.svc.expense_months(&s).unwrap();
        let years = fx.svc.expense_years(&s).unwrap();
        let mut seen = 0;
        for y in &years {
            let of_year = months.iter().filter(|m| m.month.year == y.year);
            let (t, p) = of_year.fold((0, 0), |(t, p), m| (t + m.total, p + m.paid));
            prop_assert_eq!((y.total, y.paid), (t, p));
            prop_assert_eq!(y.persons.iter().map(|p| p.paid).sum::<i64>(), y.paid);
            seen += y.persons.iter().map(|p| p.rows).sum::<u32>();
        }
        prop_assert_eq!(seen, months.iter().map(|m| m.rows).sum::<u32>());
        prop_assert_eq!(seen as usize, rows.iter().filter(|r| r.0 < 24).count());
    }
}
