//! 医療費照会: the household's months in the window, newest first, each a button with its 医療費総額
//! and 自己負担額 that opens the month's rows; [年間の合計（確定申告）] opens the year view. The months
//! come in pages of [`PAGE`] turned by [新しい月]/[古い月], PgUp/PgDn and the wheel (a page of buttons
//! stays a column of large tap targets on a touchscreen). Reached from the menu; [戻る] returns to it.

use ratatui::text::{Line, Span};

use super::expense_month::ExpenseMonthScreen;
use super::expense_years::ExpenseYearsScreen;
use super::{Action, Component, Cx, Screen, Task};
use crate::domain::Lang;
use crate::domain::expenses::yen;
use crate::domain::text::{display_width, neutralize};
use crate::key;
use crate::services::ServiceError;
use crate::store::expenses::MonthSum;
use crate::tui::i18n::{tr, trf};
use crate::tui::symbols::shown_cut;
use crate::tui::theme;
use crate::tui::widgets::fields::{Event, Fields};
use crate::tui::widgets::form::{Control, Form, FormEvent};
use crate::tui::widgets::notice::{self, Notice};
use crate::tui::widgets::page::Row;

/// Months on one page (a column of buttons that fits 80×24 with the notes and the buttons).
pub const PAGE: usize = 8;

crate::controls! {
    pub enum Ctl {
        M0 = "month_0",
        M1 = "month_1",
        M2 = "month_2",
        M3 = "month_3",
        M4 = "month_4",
        M5 = "month_5",
        M6 = "month_6",
        M7 = "month_7",
        Newer = "newer",
        Older = "older",
        Years = "years",
        Back = "back",
    }
}

/// The month buttons of a page, in order.
const SLOTS: [Ctl; PAGE] = [
    Ctl::M0,
    Ctl::M1,
    Ctl::M2,
    Ctl::M3,
    Ctl::M4,
    Ctl::M5,
    Ctl::M6,
    Ctl::M7,
];

/// `s` made safe, cut to `w` display columns (with `…`) and padded to exactly `w` (`right`: aligned
/// to the right, for amounts).
pub fn cell(s: &str, w: usize, right: bool) -> String {
    let s = shown_cut(&neutralize(s), w);
    let pad = " ".repeat(w.saturating_sub(display_width(&s)));
    if right { pad + &s } else { s + &pad }
}

/// The width of the widest of `texts` (display columns).
pub fn widest<'a>(texts: impl IntoIterator<Item = &'a str>) -> usize {
    texts.into_iter().map(display_width).max().unwrap_or(0)
}

/// The inner width of a panel on a screen `width` columns wide (margins and borders off).
pub fn panel_width(width: u16) -> usize {
    width.saturating_sub(6).max(20) as usize
}

#[derive(Debug, Clone)]
pub struct ExpensesScreen {
    pub form: Fields<Ctl>,
    /// None until the store answered.
    pub months: Option<Vec<MonthSum>>,
    /// The index of the first month on the page in view.
    pub first: usize,
    pub lang: Lang,
    pub message: Option<Notice>,
}

/// The columns of the list: month, 医療費総額, 自己負担額 (display widths).
fn columns(months: &[MonthSum], lang: Lang) -> [usize; 3] {
    let month = widest(
        months
            .iter()
            .map(|m| m.month.label(lang))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str)
            .chain([tr(lang, "expenses.col_month")]),
    );
    let amount = |f: fn(&MonthSum) -> i64, key: &str| {
        let texts: Vec<String> = months.iter().map(|m| yen(f(m), lang)).collect();
        widest(texts.iter().map(String::as_str).chain([tr(lang, key)]))
    };
    [
        month,
        amount(|m| m.total, "expenses.col_total"),
        amount(|m| m.paid, "expenses.col_paid"),
    ]
}

impl ExpensesScreen {
    /// The screen, with the months loading.
    pub fn open(lang: Lang) -> Action {
        let screen = ExpensesScreen {
            form: Fields::new(vec![Control::button(Ctl::Back, key!("common.back"))]),
            months: None,
            first: 0,
            lang,
            message: None,
        };
        Action::All(vec![
            Action::Open(Screen::Expenses(screen)),
            Action::Task(Task::new(
                |t| t.svc.expense_months(t.session()?),
                ExpensesScreen::on_loaded,
            )),
        ])
    }

    fn on_loaded(&mut self, r: Result<Vec<MonthSum>, ServiceError>, _cx: &Cx<'_>) -> Action {
        match r {
            Ok(months) => {
                self.months = Some(months);
                self.first = 0;
                self.rebuild(None);
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot read the medical expenses");
                self.message = Some(Notice::error("common.system_error"));
            }
        }
        Action::None
    }

    fn months(&self) -> &[MonthSum] {
        self.months.as_deref().unwrap_or_default()
    }

    /// The controls of the page in view; focus on `focus` when it is there, else the first month.
    fn rebuild(&mut self, focus: Option<Ctl>) {
        let lang = self.lang;
        let months = self.months();
        let cols = columns(months, lang);
        let mut controls: Vec<Control> = months
            .iter()
            .skip(self.first)
            .take(PAGE)
            .zip(SLOTS)
            .map(|(m, slot)| {
                let caption = format!(
                    "{}  {}  {}",
                    cell(&m.month.label(lang), cols[0], false),
                    cell(&yen(m.total, lang), cols[1], true),
                    cell(&yen(m.paid, lang), cols[2], true),
                );
                Control::button_caption(slot, key!("expenses.col_month"), caption)
            })
            .collect();
        let paged = months.len() > PAGE;
        if paged {
            let mut newer = Control::button(Ctl::Newer, key!("expenses.newer"));
            newer.dimmed = self.first == 0;
            let mut older = Control::button(Ctl::Older, key!("expenses.older"));
            older.dimmed = self.first + PAGE >= months.len();
            controls.extend([newer, older]);
        }
        if !months.is_empty() {
            controls.push(Control::button(Ctl::Years, key!("expenses.years")));
        }
        controls.push(Control::button(Ctl::Back, key!("common.back")));
        self.form = Fields::new(controls);
        if let Some(f) = focus.filter(|f| self.form.has(*f)) {
            self.form.focus(f);
        }
    }

    /// Turns to the next (`forward`: older) or previous page; false when there is none.
    fn turn(&mut self, forward: bool, focus: Option<Ctl>) -> bool {
        let len = self.months().len();
        let first = if forward {
            self.first + PAGE
        } else {
            self.first.saturating_sub(PAGE)
        };
        if (forward && first >= len) || (!forward && self.first == 0) {
            self.message = Some(Notice::info(if forward {
                key!("expenses.no_more_older")
            } else {
                key!("expenses.no_more_newer")
            }));
            return false;
        }
        self.first = first;
        self.message = None;
        self.rebuild(focus);
        true
    }

    fn list_rows(&self, cx: &Cx<'_>) -> Vec<Row> {
        let lang = cx.lang;
        let months = self.months();
        let mut rows = Vec::new();
        if months.is_empty() {
            if self.months.is_some() {
                rows.push(Row::Text(
                    tr(lang, "expenses.empty").to_string(),
                    theme::text(),
                ));
            }
            return rows;
        }
        let cols = columns(months, lang);
        // The header lines up with the captions: a button is drawn as ` [ caption ] `.
        let mut header = format!(
            "   {}  {}  {}",
            cell(tr(lang, "expenses.col_month"), cols[0], false),
            cell(tr(lang, "expenses.col_total"), cols[1], true),
            cell(tr(lang, "expenses.col_paid"), cols[2], true),
        );
        if months.len() > PAGE {
            let last = (self.first + PAGE).min(months.len());
            header.push_str("    ");
            header.push_str(&trf(
                lang,
                "expenses.page",
                &[
                    ("first", &(self.first + 1).to_string()),
                    ("last", &last.to_string()),
                    ("count", &months.len().to_string()),
                ],
            ));
        }
        rows.push(Row::Line(Line::from(Span::styled(header, theme::label()))));
        for slot in SLOTS.iter().filter(|s| self.form.has(**s)) {
            rows.push(self.form.buttons(&[*slot]));
        }
        rows.push(Row::Blank);
        if months.len() > PAGE {
            rows.push(self.form.buttons(&[Ctl::Newer, Ctl::Older]));
        }
        rows.push(self.form.buttons(&[Ctl::Years, Ctl::Back]));
        rows
    }
}

impl Component for ExpensesScreen {
    fn form(&self) -> &Form {
        self.form.form()
    }

    fn form_mut(&mut self) -> &mut Form {
        self.form.form_mut()
    }

    fn title_key(&self) -> &'static str {
        "expenses.title"
    }

    fn hints_key(&self) -> &'static str {
        "expenses.hints"
    }

    fn rows(&self, cx: &Cx<'_>) -> Vec<Row> {
        let lang = cx.lang;
        let months = cx.config.expenses.window_months.to_string();
        let mut rows = vec![
            Row::Intro(
                trf(lang, "expenses.intro", &[("months", &months)]),
                theme::text(),
            ),
            Row::Intro(tr(lang, "expenses.lag_note").to_string(), theme::info()),
            Row::Blank,
        ];
        rows.extend(self.list_rows(cx));
        if self.months().is_empty() {
            rows.push(Row::Blank);
            rows.push(self.form.buttons(&[Ctl::Back]));
        }
        rows.push(notice::row(lang, &self.message));
        rows
    }

    fn on_event(&mut self, event: FormEvent, _cx: &Cx<'_>) -> Action {
        match self.form.event(event) {
            Event::Back | Event::Pressed(Ctl::Back) => Action::Back,
            Event::Pressed(Ctl::Years) => ExpenseYearsScreen::open(),
            Event::Pressed(Ctl::Newer) => {
                self.turn(false, Some(Ctl::Newer));
                Action::None
            }
            Event::Pressed(Ctl::Older) => {
                self.turn(true, Some(Ctl::Older));
                Action::None
            }
            Event::Pressed(slot) => match SLOTS.iter().position(|s| *s == slot) {
                Some(i) => match self.months().get(self.first + i) {
                    Some(m) => ExpenseMonthScreen::open(m.month),
                    None => Action::None,
                },
                None => Action::None,
            },
            _ => Action::None,
        }
    }

    fn turn_page(&mut self, forward: bool) -> bool {
        if self.months().len() <= PAGE {
            return false;
        }
        // Focus stays where it was: on a month, the first month of the new page.
        let focus = self.form.focused();
        let keep = (!SLOTS.contains(&focus)).then_some(focus);
        self.turn(forward, keep);
        true
    }

    fn notice(&mut self, notice: Notice) {
        self.message = Some(notice);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::domain::expenses::YearMonth;
    use crate::tui::screens::test_cx;

    fn months(n: usize) -> Vec<MonthSum> {
        let newest = YearMonth::new(2026, 10).unwrap();
        (0..n)
            .map(|i| MonthSum {
                month: newest.minus(i as u32),
                rows: 1,
                total: 10_000 * (i as i64 + 1),
                paid: 3_000 * (i as i64 + 1),
            })
            .collect()
    }

    fn loaded(n: usize) -> ExpensesScreen {
        let config = Config::default();
        let cx = test_cx(&config);
        let Action::All(mut actions) = ExpensesScreen::open(Lang::Ja) else {
            panic!("open")
        };
        let Action::Open(Screen::Expenses(mut s)) = actions.remove(0) else {
            panic!("screen")
        };
        s.on_loaded(Ok(months(n)), &cx);
        s
    }

    #[test]
    fn pages_hold_eight_months_and_turn_both_ways_with_focus_on_the_first_month() {
        let mut s = loaded(20);
        assert_eq!(s.form.focused(), Ctl::M0);
        assert!(s.form.get(Ctl::Newer).dimmed && !s.form.get(Ctl::Older).dimmed);
        assert!(s.turn_page(true));
        assert_eq!((s.first, s.form.focused()), (8, Ctl::M0));
        assert!(s.turn_page(true));
        assert_eq!(s.first, 16);
        assert!(
            s.form.has(Ctl::M3) && !s.form.has(Ctl::M4),
            "20 months: 4 on page 3"
        );
        assert!(s.form.get(Ctl::Older).dimmed);
        s.turn_page(true);
        assert_eq!(s.first, 16, "no page after the last");
        assert!(s.message.is_some());
        assert!(s.turn_page(false));
        assert_eq!(s.first, 8);
        assert!(s.message.is_none());
    }

    #[test]
    fn a_short_list_has_no_pages_and_the_wheel_is_the_apps() {
        let mut s = loaded(5);
        assert!(!s.form.has(Ctl::Newer) && !s.form.has(Ctl::Older));
        assert!(
            !s.turn_page(true),
            "nothing to turn: the app scrolls as usual"
        );
        let empty = loaded(0);
        assert!(!empty.form.has(Ctl::Years));
        assert_eq!(empty.form.focused(), Ctl::Back);
    }

    #[test]
    fn captions_align_the_amounts_of_every_month() {
        let s = loaded(12);
        let captions: Vec<&str> = SLOTS
            .iter()
            .map(|c| s.form.get(*c).caption.as_deref().unwrap())
            .collect();
        let w = display_width(captions[0]);
        assert!(
            captions.iter().all(|c| display_width(c) == w),
            "{captions:?}"
        );
        assert!(captions[0].starts_with("2026年10月"), "{}", captions[0]);
        assert!(captions[0].ends_with("3,000円"), "{}", captions[0]);
        assert_eq!(cell("山田太郎山田太郎", 9, false), "山田太郎…");
        assert_eq!(cell("12円", 6, true), "  12円");
    }
}
