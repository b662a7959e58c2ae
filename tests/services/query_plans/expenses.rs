//! The query-plan scenarios of issue 16: `admin import-expenses` and `admin import-benefits` (the
//! command line on the small store, the service on the large one, so that `ANALYZE` sees a society's
//! worth of rows), and the member's 医療費照会 (months, a month's detail, the year view) and
//! 支給決定通知.

use kosmo_kiosk::domain::expenses::YearMonth;
use kosmo_kiosk::services::auth::AccountSession;

use super::scenarios::cli;
use super::*;

const EXPENSES_HEADER: &str = "household,month,patient,provider,category,days,total,paid\n";
const BENEFITS_HEADER: &str = "household,decided_on,kind,amount,paid_on\n";
const CATEGORIES: [&str; 5] = ["inpatient", "outpatient", "pharmacy", "dental", "visiting"];

/// Household `i`'s expense rows for `months` months back from `newest` (two providers a month), with
/// `extra` added to what was paid (another value: the month changed).
fn expense_rows(text: &mut String, i: usize, newest: YearMonth, months: u32, extra: i64) {
    for back in 0..months {
        let month = newest.minus(back);
        for p in 0..2 {
            let total = 1_000 + (i as i64 * 37 + back as i64 * 11 + p) % 90_000;
            let paid = total * 3 / 10 + extra;
            text.push_str(&format!(
                "{},{month},{},病院 {},{},{},{total},{paid}\n",
                society::key(i),
                society::insured_name(i),
                (i + p as usize) % 50,
                CATEGORIES[(i + back as usize + p as usize) % CATEGORIES.len()],
                1 + (i + back as usize) % 5,
            ));
        }
    }
}

/// Household `i`'s decisions: one a month for `months` months before `newest`, paid or not yet.
fn benefit_rows(text: &mut String, i: usize, newest: YearMonth, months: u32) {
    for back in 1..=months {
        let decided = newest.minus(back).first_day();
        let paid_on = if back == 1 {
            String::new()
        } else {
            (decided + time::Duration::days(20)).to_string()
        };
        text.push_str(&format!(
            "{},{decided},high_cost,{},{paid_on}\n",
            society::key(i),
            10_000 + i * 13 % 50_000,
        ));
    }
}

/// `admin import-expenses` and `admin import-benefits` through the real command line on the small
/// store: a first import, the same file again (unchanged), a changed one.
pub(super) fn cli_imports(dir: &Path, svc: &Services, cli_db: &Path, config: &Path) {
    let newest = svc.expense_window().current;
    let (mut first, mut changed) = (String::from(EXPENSES_HEADER), String::from(EXPENSES_HEADER));
    let mut decisions = String::from(BENEFITS_HEADER);
    for i in 1..=CLI_HOUSEHOLDS {
        expense_rows(&mut first, i, newest, 4, 0);
        expense_rows(&mut changed, i, newest.minus(2), 2, 1);
        benefit_rows(&mut decisions, i, newest, 3);
    }
    for (name, text) in [("expenses-1.csv", &first), ("expenses-2.csv", &changed)] {
        let file = dir.join(name);
        std::fs::write(&file, text).unwrap();
        let path = file.to_str().unwrap();
        cli(cli_db, config, &["admin", "import-expenses", path]);
        cli(cli_db, config, &["admin", "import-expenses", path]);
    }
    let file = dir.join("benefits.csv");
    std::fs::write(&file, &decisions).unwrap();
    let path = file.to_str().unwrap();
    cli(cli_db, config, &["admin", "import-benefits", path]);
    cli(cli_db, config, &["admin", "import-benefits", path]);
}

/// Households of the large store that get expenses: every registered one would queue a notice mail
/// that the delivery scenario would then send, so the data go mostly to households without an
/// account, plus `with_account` (the member whose screens are read).
fn with_data(with_account: usize) -> impl Iterator<Item = usize> {
    (1..=HOUSEHOLDS)
        .filter(move |&i| !society::is_registered(i) || i == with_account)
        .take(1_200)
}

/// The large store gets a society's worth of expenses and decisions through the service (as the
/// command does, streamed), then re-imports part of it changed; then the member of household
/// `household` reads 医療費照会 (months, each month's detail, the year view) and 支給決定通知.
pub(super) fn member_screens(svc: &Services, session: &AccountSession, household: usize) {
    let admin = Actor::admin();
    let newest = svc.expense_window().current;
    let mut expenses = String::from(EXPENSES_HEADER);
    let mut decisions = String::from(BENEFITS_HEADER);
    for i in with_data(household) {
        expense_rows(&mut expenses, i, newest, 12, 0);
        benefit_rows(&mut decisions, i, newest, 2);
    }
    let r = svc
        .import_expenses_from(&admin, "expenses.csv", expenses.as_bytes())
        .unwrap();
    assert!(r.rows >= 20_000, "{r:?}");
    svc.import_benefits_from(&admin, "benefits.csv", decisions.as_bytes())
        .unwrap();
    let mut changed = String::from(EXPENSES_HEADER);
    for i in with_data(household).step_by(10) {
        expense_rows(&mut changed, i, newest, 2, 1);
    }
    let r = svc
        .import_expenses_from(&admin, "expenses-fix.csv", changed.as_bytes())
        .unwrap();
    assert!(r.groups_changed > 0, "{r:?}");

    let months = svc.expense_months(session).unwrap();
    assert_eq!(months.len(), 12, "household {household}'s months");
    for m in &months {
        assert!(!svc.expense_month(session, m.month).unwrap().is_empty());
    }
    assert!(!svc.expense_years(session).unwrap().is_empty());
    assert_eq!(svc.benefit_decisions(session).unwrap().len(), 2);
}
