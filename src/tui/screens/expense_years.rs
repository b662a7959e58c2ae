//! 年間の医療費（確定申告 医療費控除）: per calendar year in the window, newest first, the sums per
//! person (療養を受けた者) and for the household, with what the society's 医療費通知 holds (the
//! insurer's name from `[expenses] insurer_name`). A year the window covers only in part says so.
//! Reached from 医療費照会; [戻る] returns to it as it was.

use super::expenses::{cell, panel_width, widest};
use super::{Action, Component, Cx, Screen, Task};
use crate::domain::Lang;
use crate::domain::expenses::{YearTotals, yen};
use crate::key;
use crate::services::ServiceError;
use crate::tui::i18n::{tr, trf};
use crate::tui::theme;
use crate::tui::widgets::form::{Form, FormEvent};
use crate::tui::widgets::notice::Notice;
use crate::tui::widgets::page::Row;
use crate::tui::widgets::paged_list::PagedList;

#[derive(Debug, Clone)]
pub struct ExpenseYearsScreen {
    pub list: PagedList<YearTotals>,
}

/// The panel's lines at `width` columns: for each year its heading, the column names, a line per
/// person and the household's sum, then a blank line.
pub fn lines(years: &[YearTotals], lang: Lang, width: usize) -> Vec<String> {
    let h = |k: &str| tr(lang, k);
    let amounts: Vec<String> = years
        .iter()
        .flat_map(|y| {
            y.persons
                .iter()
                .flat_map(|p| [yen(p.total, lang), yen(p.paid, lang)])
                .chain([yen(y.total, lang), yen(y.paid, lang)])
        })
        .collect();
    let w_amount = widest(
        amounts
            .iter()
            .map(String::as_str)
            .chain([h("expense_years.col_total"), h("expense_years.col_paid")]),
    );
    let w_name = width.saturating_sub(2 + 2 * (w_amount + 2)).max(6);
    let line = |name: &str, total: &str, paid: &str| {
        format!(
            "  {}  {}  {}",
            cell(name, w_name, false),
            cell(total, w_amount, true),
            cell(paid, w_amount, true)
        )
        .trim_end()
        .to_string()
    };
    let mut out = Vec::new();
    for y in years {
        out.push(trf(
            lang,
            "expense_years.year",
            &[
                ("year", &y.year.to_string()),
                ("from", &y.from.label(lang)),
                ("to", &y.to.label(lang)),
            ],
        ));
        out.push(line(
            h("expense_years.col_person"),
            h("expense_years.col_total"),
            h("expense_years.col_paid"),
        ));
        for p in &y.persons {
            out.push(line(&p.name, &yen(p.total, lang), &yen(p.paid, lang)));
        }
        out.push(line(
            h("expense_years.household"),
            &yen(y.total, lang),
            &yen(y.paid, lang),
        ));
        if !y.whole_year() {
            out.push(format!("  {}", h("expense_years.partial")));
        }
        out.push(String::new());
    }
    out.pop();
    out
}

impl ExpenseYearsScreen {
    /// The screen, with the sums loading.
    pub fn open() -> Action {
        let screen = ExpenseYearsScreen {
            list: PagedList::new(),
        };
        Action::All(vec![
            Action::Open(Screen::ExpenseYears(screen)),
            Action::Task(Task::new(
                |t| t.svc.expense_years(t.session()?),
                ExpenseYearsScreen::on_loaded,
            )),
        ])
    }

    fn on_loaded(&mut self, r: Result<Vec<YearTotals>, ServiceError>, _cx: &Cx<'_>) -> Action {
        self.list.loaded(r, "the yearly medical expenses");
        Action::None
    }
}

impl Component for ExpenseYearsScreen {
    fn form(&self) -> &Form {
        self.list.form()
    }

    fn form_mut(&mut self) -> &mut Form {
        self.list.form_mut()
    }

    fn title_key(&self) -> &'static str {
        "expense_years.title"
    }

    fn hints_key(&self) -> &'static str {
        "expense_years.hints"
    }

    fn rows(&self, cx: &Cx<'_>) -> Vec<Row> {
        let lang = cx.lang;
        self.list.rows(
            lang,
            vec![
                Row::Intro(tr(lang, "expense_years.intro").to_string(), theme::text()),
                Row::Text(
                    trf(
                        lang,
                        "expense_years.holds",
                        &[("insurer", &cx.config.expenses.insurer_name)],
                    ),
                    theme::info(),
                ),
            ],
            tr(lang, "expense_years.list_title").to_string(),
            key!("expense_years.empty"),
            |y| lines(y, lang, panel_width(cx.width)),
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
    use crate::domain::expenses::{PersonTotal, YearMonth};
    use crate::domain::text::display_width;

    #[test]
    fn each_year_lists_its_persons_and_the_household_and_says_when_it_is_partial() {
        let person = |id, name: &str, total, paid| PersonTotal {
            member_id: id,
            name: name.into(),
            rows: 1,
            total,
            paid,
        };
        let years = vec![YearTotals {
            year: 2026,
            from: YearMonth::new(2026, 1).unwrap(),
            to: YearMonth::new(2026, 10).unwrap(),
            persons: vec![
                person(1, "山田 太郎", 12_345_678, 3_703_703),
                person(2, "山田 花子", 10_000, 3_000),
            ],
            total: 12_355_678,
            paid: 3_706_703,
        }];
        let l = lines(&years, Lang::Ja, 74);
        assert_eq!(l[0], "2026年（2026年1月〜2026年10月）");
        assert!(
            l[2].contains("山田 太郎") && l[2].ends_with("3,703,703円"),
            "{}",
            l[2]
        );
        assert!(
            l[4].contains("世帯の合計") && l[4].ends_with("3,706,703円"),
            "{}",
            l[4]
        );
        assert!(l[5].contains("表示できる期間"), "{l:?}");
        assert!(l.iter().all(|s| display_width(s) <= 74), "{l:?}");
    }
}
