//! 医療費照会（明細）: one month's rows (受診者, 医療機関・薬局, 区分, 日数, 医療費総額, 自己負担額) and
//! their sum, in a panel that PgUp/PgDn, the wheel and a drag scroll. Long names are cut by display
//! width with `…`; the provider column takes what the others leave. Reached from 医療費照会; [戻る]
//! returns to it as it was.

use super::expenses::{cell, panel_width, widest};
use super::{Action, Component, Cx, Screen, Task};
use crate::domain::Lang;
use crate::domain::expenses::{YearMonth, yen};
use crate::key;
use crate::services::ServiceError;
use crate::store::expenses::ExpenseRow;
use crate::tui::i18n::{tr, trf};
use crate::tui::theme;
use crate::tui::widgets::form::{Form, FormEvent};
use crate::tui::widgets::notice::Notice;
use crate::tui::widgets::page::Row;
use crate::tui::widgets::paged_list::PagedList;

/// The widest a patient's name is shown before it is cut.
const NAME_MAX: usize = 16;

#[derive(Debug, Clone)]
pub struct ExpenseMonthScreen {
    pub month: YearMonth,
    pub list: PagedList<ExpenseRow>,
}

/// 日数 as the table shows it: `2日` / `2`.
pub fn days(d: i64, lang: Lang) -> String {
    match lang {
        Lang::Ja => format!("{d}日"),
        Lang::En => d.to_string(),
    }
}

/// The table's lines at `width` columns: the header, a line per row, a blank line and the sum.
pub fn table(rows: &[ExpenseRow], lang: Lang, width: usize) -> Vec<String> {
    let h = |k: &str| tr(lang, k);
    let days = |d: i64| days(d, lang);
    let total: i64 = rows.iter().map(|r| r.total).sum();
    let paid: i64 = rows.iter().map(|r| r.paid).sum();
    let texts: Vec<[String; 5]> = rows
        .iter()
        .map(|r| {
            [
                r.patient.clone(),
                tr(lang, r.category.label_key()).to_string(),
                days(r.days),
                yen(r.total, lang),
                yen(r.paid, lang),
            ]
        })
        .collect();
    let col = |i: usize, header: &str, extra: &str| {
        widest(
            texts
                .iter()
                .map(|t| t[i].as_str())
                .chain([h(header), extra]),
        )
    };
    let sum_total = yen(total, lang);
    let sum_paid = yen(paid, lang);
    let w_name = col(0, "expense_month.col_patient", h("expense_month.sum")).min(NAME_MAX);
    let w_cat = col(1, "expense_month.col_category", "");
    let w_days = col(2, "expense_month.col_days", "");
    let w_total = col(3, "expense_month.col_total", &sum_total);
    let w_paid = col(4, "expense_month.col_paid", &sum_paid);
    // The provider takes what is left, at least 6 columns (a narrow panel cuts the name first).
    let others = w_cat + w_days + w_total + w_paid + 5;
    let w_name = w_name.min(width.saturating_sub(others + 6)).max(4);
    let w_provider = width.saturating_sub(others + w_name).max(6);
    let line = |c: [&str; 6]| {
        format!(
            "{} {} {} {} {} {}",
            cell(c[0], w_name, false),
            cell(c[1], w_provider, false),
            cell(c[2], w_cat, false),
            cell(c[3], w_days, true),
            cell(c[4], w_total, true),
            cell(c[5], w_paid, true),
        )
        .trim_end()
        .to_string()
    };
    let mut out = vec![line([
        h("expense_month.col_patient"),
        h("expense_month.col_provider"),
        h("expense_month.col_category"),
        h("expense_month.col_days"),
        h("expense_month.col_total"),
        h("expense_month.col_paid"),
    ])];
    for (r, t) in rows.iter().zip(&texts) {
        out.push(line([&t[0], &r.provider, &t[1], &t[2], &t[3], &t[4]]));
    }
    out.push(String::new());
    out.push(line([
        h("expense_month.sum"),
        "",
        "",
        "",
        &sum_total,
        &sum_paid,
    ]));
    out
}

impl ExpenseMonthScreen {
    /// The screen, with the month's rows loading.
    pub fn open(month: YearMonth) -> Action {
        let screen = ExpenseMonthScreen {
            month,
            list: PagedList::new(),
        };
        Action::All(vec![
            Action::Open(Screen::ExpenseMonth(screen)),
            Action::Task(Task::new(
                move |t| t.svc.expense_month(t.session()?, month),
                ExpenseMonthScreen::on_loaded,
            )),
        ])
    }

    fn on_loaded(&mut self, r: Result<Vec<ExpenseRow>, ServiceError>, _cx: &Cx<'_>) -> Action {
        self.list.loaded(r, "a month of medical expenses");
        Action::None
    }
}

impl Component for ExpenseMonthScreen {
    fn form(&self) -> &Form {
        self.list.form()
    }

    fn form_mut(&mut self) -> &mut Form {
        self.list.form_mut()
    }

    fn title_key(&self) -> &'static str {
        "expense_month.title"
    }

    fn hints_key(&self) -> &'static str {
        "expense_month.hints"
    }

    fn rows(&self, cx: &Cx<'_>) -> Vec<Row> {
        let lang = cx.lang;
        let month = self.month.label(lang);
        let count = self.list.count().to_string();
        self.list.rows(
            lang,
            vec![
                Row::Text(
                    trf(lang, "expense_month.month", &[("month", &month)]),
                    theme::label(),
                ),
                Row::Intro(tr(lang, "expenses.lag_note").to_string(), theme::info()),
            ],
            trf(lang, "expense_month.list_title", &[("count", &count)]),
            key!("expense_month.empty"),
            |r| table(r, lang, panel_width(cx.width)),
        )
    }

    fn on_event(&mut self, event: FormEvent, _cx: &Cx<'_>) -> Action {
        if self.list.back(event) {
            Action::Back
        } else {
            Action::None
        }
    }

    fn scroll(&mut self, lines: i32, max: usize) {
        self.list.scroll(lines, max);
    }

    fn notice(&mut self, notice: Notice) {
        self.list.message = Some(notice);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::expenses::Category;
    use crate::domain::text::display_width;

    fn row(patient: &str, provider: &str, total: i64, paid: i64) -> ExpenseRow {
        ExpenseRow {
            member_id: 1,
            patient: patient.into(),
            provider: provider.into(),
            category: Category::Visiting,
            days: 31,
            total,
            paid,
        }
    }

    #[test]
    fn long_names_are_cut_by_width_and_nothing_passes_the_panel() {
        let rows = vec![
            row(
                "山田 太郎",
                "医療法人社団 とても長い名前の総合病院 附属 東京第一クリニック 内科・外科",
                12_345_678,
                3_703_703,
            ),
            row("Alexandria Wolfeschlegelsteinhausen", "薬局", 100, 30),
        ];
        for lang in Lang::ALL {
            for width in [74, 120] {
                let lines = table(&rows, lang, width);
                for l in &lines {
                    assert!(display_width(l) <= width, "{width}: {l:?}");
                }
                assert!(lines[1].contains('…'), "{lines:?}");
                assert!(lines[2].contains('…'), "{lines:?}");
                let sum = lines.last().unwrap();
                assert!(sum.contains(&yen(12_345_778, lang)), "{sum}");
                assert!(sum.contains(&yen(3_703_733, lang)), "{sum}");
            }
        }
        let ja = table(&rows, Lang::Ja, 74);
        assert!(
            ja[1].contains("訪問看護") && ja[1].contains("31日"),
            "{}",
            ja[1]
        );
    }
}
