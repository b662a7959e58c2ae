//! 支給決定通知: the household's benefit decisions in the window, newest first: 決定日, the kind (named
//! by `[benefits] kinds` in the member's language), 支給額 and 支払日 (or that it is not set yet), in a
//! panel that PgUp/PgDn, the wheel and a drag scroll. Reached from the menu; [戻る] returns to it.

use super::expenses::{cell, panel_width, widest};
use super::{Action, Component, Cx, Screen, Task};
use crate::dates::long_date;
use crate::domain::Lang;
use crate::domain::expenses::yen;
use crate::key;
use crate::services::ServiceError;
use crate::services::expenses::Decision;
use crate::tui::i18n::{tr, trf};
use crate::tui::theme;
use crate::tui::widgets::form::{Form, FormEvent};
use crate::tui::widgets::notice::Notice;
use crate::tui::widgets::page::Row;
use crate::tui::widgets::paged_list::PagedList;

#[derive(Debug, Clone)]
pub struct BenefitsScreen {
    pub list: PagedList<Decision>,
}

/// The table's lines at `width` columns: the column names, then a line per decision.
pub fn table(decisions: &[Decision], lang: Lang, width: usize) -> Vec<String> {
    let h = |k: &str| tr(lang, k);
    let texts: Vec<[String; 3]> = decisions
        .iter()
        .map(|d| {
            [
                long_date(d.decided_on, lang),
                yen(d.amount, lang),
                d.paid_on
                    .map_or_else(|| h("benefits.not_yet").to_string(), |p| long_date(p, lang)),
            ]
        })
        .collect();
    let col =
        |i: usize, header: &str| widest(texts.iter().map(|t| t[i].as_str()).chain([h(header)]));
    let w_decided = col(0, "benefits.col_decided");
    let w_amount = col(1, "benefits.col_amount");
    let w_paid = col(2, "benefits.col_paid_on");
    let w_kind = width
        .saturating_sub(w_decided + w_amount + w_paid + 6)
        .max(6);
    let line = |c: [&str; 4]| {
        format!(
            "{}  {}  {} {}",
            cell(c[0], w_decided, false),
            cell(c[1], w_kind, false),
            cell(c[2], w_amount, true),
            cell(c[3], w_paid + 1, true),
        )
        .trim_end()
        .to_string()
    };
    let mut out = vec![line([
        h("benefits.col_decided"),
        h("benefits.col_kind"),
        h("benefits.col_amount"),
        h("benefits.col_paid_on"),
    ])];
    for (d, t) in decisions.iter().zip(&texts) {
        out.push(line([&t[0], d.kind(lang), &t[1], &t[2]]));
    }
    out
}

impl BenefitsScreen {
    /// The screen, with the decisions loading.
    pub fn open() -> Action {
        let screen = BenefitsScreen {
            list: PagedList::new(),
        };
        Action::All(vec![
            Action::Open(Screen::Benefits(screen)),
            Action::Task(Task::new(
                |t| t.svc.benefit_decisions(t.session()?),
                BenefitsScreen::on_loaded,
            )),
        ])
    }

    fn on_loaded(&mut self, r: Result<Vec<Decision>, ServiceError>, _cx: &Cx<'_>) -> Action {
        self.list.loaded(r, "the benefit decisions");
        Action::None
    }
}

impl Component for BenefitsScreen {
    fn form(&self) -> &Form {
        self.list.form()
    }

    fn form_mut(&mut self) -> &mut Form {
        self.list.form_mut()
    }

    fn title_key(&self) -> &'static str {
        "benefits.title"
    }

    fn hints_key(&self) -> &'static str {
        "benefits.hints"
    }

    fn rows(&self, cx: &Cx<'_>) -> Vec<Row> {
        let lang = cx.lang;
        let months = cx.config.expenses.window_months.to_string();
        let count = self.list.count().to_string();
        self.list.rows(
            lang,
            vec![Row::Intro(
                trf(lang, "benefits.intro", &[("months", &months)]),
                theme::text(),
            )],
            trf(lang, "benefits.list_title", &[("count", &count)]),
            key!("benefits.empty"),
            |d| table(d, lang, panel_width(cx.width)),
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
    use crate::domain::text::display_width;
    use time::macros::date;

    #[test]
    fn decisions_show_kind_amount_and_payment_or_that_it_is_not_set() {
        let d = |paid_on| Decision {
            decided_on: date!(2026 - 09 - 15),
            kind_ja: "高額療養費".into(),
            kind_en: "High-cost medical care benefit".into(),
            amount: 12_345_678,
            paid_on,
        };
        let rows = [d(Some(date!(2026 - 10 - 20))), d(None)];
        for lang in Lang::ALL {
            let l = table(&rows, lang, 74);
            assert!(l.iter().all(|s| display_width(s) <= 74), "{l:?}");
            assert!(l[1].contains(&yen(12_345_678, lang)), "{}", l[1]);
            assert!(l[2].ends_with(tr(lang, "benefits.not_yet")), "{}", l[2]);
        }
        let ja = table(&rows, Lang::Ja, 74);
        assert!(ja[1].starts_with("2026年9月15日") && ja[1].contains("高額療養費"));
        assert!(ja[1].ends_with("2026年10月20日"), "{}", ja[1]);
    }
}
