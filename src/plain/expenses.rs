//! The member's 医療費照会 and 支給決定通知 in plain lines, on the services the full screen uses
//! (`expense_months`, `expense_month`, `expense_years`, `benefit_decisions`) and with its words.
//! Each list is said the same way: its title, what it is and how many, then one numbered line per
//! item (every value with its column's name, so nothing depends on lining up columns), then the
//! choices. No pages: a screen reader reads line by line, and the window holds 24 months.

use super::wizard::system_error;
use super::{Answer, Console, Flow, chosen, fields};
use crate::domain::expenses::{YearTotals, yen};
use crate::i18n::{tr, trf};
use crate::services::Services;
use crate::services::auth::AccountSession;
use crate::services::expenses::Decision;
use crate::store::expenses::{ExpenseRow, MonthSum};
use crate::tui::screens::expense_month::days;

/// The heading of a page: a blank line, then its title.
fn title(c: &mut Console, key: &str) {
    c.gap();
    c.say_key(key);
}

/// 医療費照会: the months, newest first; a month opens its rows, and 年間の合計 the year view.
/// `None` when the member goes back to the menu.
pub(super) fn expenses(c: &mut Console, svc: &Services, s: &AccountSession) -> Option<Flow> {
    let months = match svc.expense_months(s) {
        Ok(m) => m,
        Err(e) => {
            system_error(c, &e);
            return None;
        }
    };
    loop {
        let lang = c.lang;
        title(c, "expenses.title");
        let window = svc.config.expenses.window_months.to_string();
        let intro = trf(lang, "expenses.intro", &[("months", &window)]);
        c.say(&intro);
        c.say_key("expenses.lag_note");
        if months.is_empty() {
            c.say_key("expenses.empty");
            return c.enter_to_return("menu.title");
        }
        let heading = trf(
            lang,
            "plain.expenses_list",
            &[("count", &months.len().to_string())],
        );
        c.say(&heading);
        for (i, m) in months.iter().enumerate() {
            c.say(&month_line(c, i, m));
        }
        let a = c.choose_in_list(
            tr(lang, "plain.menu_question"),
            months.len(),
            tr(lang, "plain.open_month"),
            &["expenses.years", "common.back"],
            months.len() + 1,
        );
        let flow = match chosen(&a) {
            Some(i) if i < months.len() => month(c, svc, s, &months[i]),
            Some(i) if i == months.len() => years(c, svc, s),
            Some(_) => return None,
            None if a == Answer::Back => return None,
            None => return a.flow(),
        };
        if flow.is_some() {
            return flow;
        }
    }
}

fn month_line(c: &Console, i: usize, m: &MonthSum) -> String {
    let lang = c.lang;
    let values = fields(
        lang,
        &[
            ("expenses.col_total", &yen(m.total, lang)),
            ("expenses.col_paid", &yen(m.paid, lang)),
        ],
    );
    format!(
        "{} {}{}{values}",
        i + 1,
        m.month.label(lang),
        tr(lang, "plain.sep")
    )
}

/// 医療費照会（明細）: one month's rows and their sum.
fn month(c: &mut Console, svc: &Services, s: &AccountSession, m: &MonthSum) -> Option<Flow> {
    let lang = c.lang;
    title(c, "expense_month.title");
    let rows = match svc.expense_month(s, m.month) {
        Ok(r) => r,
        Err(e) => {
            system_error(c, &e);
            return None;
        }
    };
    let label = m.month.label(lang);
    c.say(&trf(lang, "expense_month.month", &[("month", &label)]));
    c.say_key("expenses.lag_note");
    let count = rows.len().to_string();
    c.say(&trf(lang, "expense_month.list_title", &[("count", &count)]));
    if rows.is_empty() {
        c.say_key("expense_month.empty");
    }
    for (i, r) in rows.iter().enumerate() {
        c.say(&format!("{} {}", i + 1, row_line(c, r)));
    }
    if !rows.is_empty() {
        let total: i64 = rows.iter().map(|r| r.total).sum();
        let paid: i64 = rows.iter().map(|r| r.paid).sum();
        let sum = sum_line(
            c,
            "expense_month.sum",
            ("expense_month.col_total", total),
            ("expense_month.col_paid", paid),
        );
        c.say(&sum);
    }
    c.enter_to_return("expenses.title")
}

fn row_line(c: &Console, r: &ExpenseRow) -> String {
    let lang = c.lang;
    fields(
        lang,
        &[
            ("expense_month.col_patient", &r.patient),
            ("expense_month.col_provider", &r.provider),
            (
                "expense_month.col_category",
                tr(lang, r.category.label_key()),
            ),
            ("expense_month.col_days", &days(r.days, lang)),
            ("expense_month.col_total", &yen(r.total, lang)),
            ("expense_month.col_paid", &yen(r.paid, lang)),
        ],
    )
}

/// `合計、医療費総額：16,900円、自己負担額：5,072円`.
fn sum_line(c: &Console, what: &str, total: (&str, i64), paid: (&str, i64)) -> String {
    let lang = c.lang;
    let values = fields(
        lang,
        &[(total.0, &yen(total.1, lang)), (paid.0, &yen(paid.1, lang))],
    );
    format!("{}{}{values}", tr(lang, what), tr(lang, "plain.sep"))
}

/// 年間の医療費（確定申告 医療費控除）: per calendar year, the sums per person and for the household.
fn years(c: &mut Console, svc: &Services, s: &AccountSession) -> Option<Flow> {
    let lang = c.lang;
    title(c, "expense_years.title");
    let years = match svc.expense_years(s) {
        Ok(y) => y,
        Err(e) => {
            system_error(c, &e);
            return None;
        }
    };
    c.say_key("expense_years.intro");
    let insurer = svc.config.expenses.insurer_name.clone();
    c.say(&trf(lang, "expense_years.holds", &[("insurer", &insurer)]));
    let heading = trf(
        lang,
        "plain.years_list",
        &[
            ("title", tr(lang, "expense_years.list_title")),
            ("count", &years.len().to_string()),
        ],
    );
    c.say(&heading);
    if years.is_empty() {
        c.say_key("expense_years.empty");
    }
    for (i, y) in years.iter().enumerate() {
        say_year(c, i, y);
    }
    c.enter_to_return("expenses.title")
}

fn say_year(c: &mut Console, i: usize, y: &YearTotals) {
    let lang = c.lang;
    let heading = trf(
        lang,
        "expense_years.year",
        &[
            ("year", &y.year.to_string()),
            ("from", &y.from.label(lang)),
            ("to", &y.to.label(lang)),
        ],
    );
    c.say(&format!("{} {heading}", i + 1));
    for p in &y.persons {
        let line = fields(
            lang,
            &[
                ("expense_years.col_person", &p.name),
                ("expense_years.col_total", &yen(p.total, lang)),
                ("expense_years.col_paid", &yen(p.paid, lang)),
            ],
        );
        c.say(&line);
    }
    let sum = sum_line(
        c,
        "expense_years.household",
        ("expense_years.col_total", y.total),
        ("expense_years.col_paid", y.paid),
    );
    c.say(&sum);
    if !y.whole_year() {
        c.say_key("expense_years.partial");
    }
}

/// 支給決定通知: the household's decisions, newest first.
pub(super) fn benefits(c: &mut Console, svc: &Services, s: &AccountSession) -> Option<Flow> {
    let lang = c.lang;
    title(c, "benefits.title");
    let decisions = match svc.benefit_decisions(s) {
        Ok(d) => d,
        Err(e) => {
            system_error(c, &e);
            return None;
        }
    };
    let window = svc.config.expenses.window_months.to_string();
    c.say(&trf(lang, "benefits.intro", &[("months", &window)]));
    let count = decisions.len().to_string();
    c.say(&trf(lang, "benefits.list_title", &[("count", &count)]));
    if decisions.is_empty() {
        c.say_key("benefits.empty");
    }
    for (i, d) in decisions.iter().enumerate() {
        c.say(&format!("{} {}", i + 1, decision_line(c, d)));
    }
    c.enter_to_return("menu.title")
}

fn decision_line(c: &Console, d: &Decision) -> String {
    let lang = c.lang;
    let paid_on = d.paid_on.map_or_else(
        || tr(lang, "benefits.not_yet").to_string(),
        |p| crate::dates::long_date(p, lang),
    );
    fields(
        lang,
        &[
            (
                "benefits.col_decided",
                &crate::dates::long_date(d.decided_on, lang),
            ),
            ("benefits.col_kind", d.kind(lang)),
            ("benefits.col_amount", &yen(d.amount, lang)),
            ("benefits.col_paid_on", &paid_on),
        ],
    )
}
