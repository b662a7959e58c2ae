//! The frame around every screen: the title and progress header, the key-hint footer, the idle
//! countdown banner and the busy (処理中) overlay.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::domain::Lang;
use crate::domain::text::display_width;
use crate::tui::i18n::{tr, trf};
use crate::tui::nav::Step;
use crate::tui::symbols::{border_set, shown};
use crate::tui::theme;

/// Rows taken by the header.
pub const HEADER_ROWS: u16 = 3;
/// Rows taken by the footer.
pub const FOOTER_ROWS: u16 = 1;

/// The progress line: `STEP1 アクセス > STEP2 仮ID入力 > …`, the current step highlighted. Narrow
/// terminals get the compact separator; very narrow ones only the current step.
pub fn progress_line(lang: Lang, current: Step, width: u16) -> Line<'static> {
    let items: Vec<String> = Step::ALL
        .iter()
        .map(|s| format!("STEP{} {}", s.number(), shown(tr(lang, s.label_key()))))
        .collect();
    let total =
        |sep: &str| items.iter().map(|i| display_width(i)).sum::<usize>() + display_width(sep) * 4;
    let sep = if total(" > ") <= width as usize {
        " > "
    } else if total(">") <= width as usize {
        ">"
    } else {
        let i = Step::ALL.iter().position(|s| *s == current).unwrap_or(0);
        return Line::from(Span::styled(
            format!("{} ({}/5)", items[i], i + 1),
            theme::step_current(),
        ));
    };
    let mut spans = Vec::new();
    for (i, (step, text)) in Step::ALL.iter().zip(items).enumerate() {
        if i > 0 {
            spans.push(Span::styled(sep, theme::dim()));
        }
        let style = if *step == current {
            theme::step_current()
        } else if step.number() < current.number() {
            theme::step_done()
        } else {
            theme::step_future()
        };
        spans.push(Span::styled(text, style));
    }
    Line::from(spans)
}

/// Title row (service name and screen title), progress row (when the screen is a wizard step) and a
/// rule.
pub fn header(
    frame: &mut Frame<'_>,
    area: Rect,
    lang: Lang,
    title: &str,
    step: Option<Step>,
    right: Option<String>,
) {
    let mut spans = vec![
        Span::styled(" KOSMO Communication Web ", theme::brand()),
        Span::styled("| ", theme::dim()),
        Span::styled(shown(title).into_owned(), theme::title()),
    ];
    let used: usize = spans.iter().map(|s| display_width(&s.content)).sum();
    if let Some(r) = right {
        let r = shown(&r).into_owned();
        let pad = (area.width as usize).saturating_sub(used + display_width(&r) + 1);
        spans.push(Span::raw(" ".repeat(pad)));
        spans.push(Span::styled(r, theme::dim()));
    }
    frame.render_widget(
        Paragraph::new(Line::from(spans)),
        Rect::new(area.x, area.y, area.width, 1),
    );
    if let Some(step) = step {
        let line = progress_line(lang, step, area.width.saturating_sub(2));
        frame.render_widget(
            Paragraph::new(line),
            Rect::new(area.x + 1, area.y + 1, area.width.saturating_sub(1), 1),
        );
    }
    frame.render_widget(
        Block::default()
            .borders(Borders::TOP)
            .border_set(border_set())
            .border_style(theme::panel_border()),
        Rect::new(area.x, area.y + 2, area.width, 1),
    );
}

/// The key hints at the bottom.
pub fn footer(frame: &mut Frame<'_>, area: Rect, lang: Lang, hints_key: &str) {
    let row = Rect::new(
        area.x,
        area.y + area.height.saturating_sub(1),
        area.width,
        1,
    );
    frame.render_widget(
        Paragraph::new(Line::styled(
            format!(" {}", shown(tr(lang, hints_key))),
            theme::key_hint(),
        )),
        row,
    );
}

/// The idle countdown, over the header at the top: it covers no control, so a tap meant to keep
/// the session never lands on a button hidden under the banner.
pub fn countdown(frame: &mut Frame<'_>, area: Rect, lang: Lang, key: &str, secs: u64) {
    let text = trf(lang, key, &[("secs", &secs.to_string())]);
    let text = shown(&text);
    let lines = super::wrap::wrap(&text, area.width.saturating_sub(2) as usize);
    let h = (lines.len() as u16).min(area.height);
    let rect = Rect::new(area.x, area.y, area.width, h);
    frame.render_widget(Clear, rect);
    let lines: Vec<Line<'_>> = lines
        .into_iter()
        .map(|l| Line::raw(format!(" {l}")))
        .collect();
    frame.render_widget(Paragraph::new(lines).style(theme::warning_banner()), rect);
}

/// A message over the footer and the row above it (a system error no screen expected).
pub fn flash(frame: &mut Frame<'_>, area: Rect, text: &str) {
    let text = shown(text);
    let text = text.as_ref();
    let lines = super::wrap::wrap(text, area.width.saturating_sub(2) as usize);
    let h = (lines.len() as u16).min(2).min(area.height);
    let rect = Rect::new(area.x, area.y + area.height - h, area.width, h);
    frame.render_widget(Clear, rect);
    let lines: Vec<Line<'_>> = lines
        .into_iter()
        .take(h as usize)
        .map(|l| Line::raw(format!(" {l}")))
        .collect();
    frame.render_widget(Paragraph::new(lines).style(theme::warning_banner()), rect);
}

/// A centred box saying the kiosk is working.
pub fn busy(frame: &mut Frame<'_>, area: Rect, lang: Lang, dots: usize) {
    let busy = shown(tr(lang, "common.busy"));
    let text = format!("{busy}{}", ".".repeat(dots % 4));
    let w = (display_width(&busy) as u16 + 10).min(area.width);
    let rect = Rect::new(
        area.x + (area.width.saturating_sub(w)) / 2,
        area.y + area.height / 2 - 1,
        w,
        3,
    );
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(Line::raw(text))
            .alignment(Alignment::Center)
            .style(theme::busy())
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_set(border_set())
                    .border_style(theme::busy()),
            ),
        rect,
    );
}

/// Shown instead of a screen when the terminal is smaller than 80×24.
pub fn too_small(frame: &mut Frame<'_>, area: Rect, lang: Lang) {
    let text = trf(
        lang,
        "common.too_small",
        &[
            ("cols", &area.width.to_string()),
            ("rows", &area.height.to_string()),
        ],
    );
    let lines: Vec<Line<'_>> = super::wrap::wrap(&shown(&text), area.width.max(10) as usize)
        .into_iter()
        .map(Line::raw)
        .collect();
    frame.render_widget(Paragraph::new(lines).style(theme::error()), area);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(line: &Line<'_>) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn progress_fits_80_columns_in_both_languages() {
        for lang in Lang::ALL {
            for step in Step::ALL {
                let line = progress_line(lang, step, 78);
                let text = plain(&line);
                assert!(display_width(&text) <= 78, "{lang}: {text}");
                assert!(text.contains("STEP1") && text.contains("STEP5"), "{text}");
            }
        }
        assert_eq!(
            plain(&progress_line(Lang::Ja, Step::Identity, 200)),
            "STEP1 アクセス > STEP2 仮ID入力 > STEP3 本人確認 > STEP4 登録情報入力 > STEP5 登録完了"
        );
    }

    #[test]
    fn key_hints_fit_the_footer_at_80_columns() {
        let cat = crate::tui::i18n::Catalogue::get();
        for lang in Lang::ALL {
            for key in cat.keys(lang) {
                if key.ends_with(".hints") {
                    let text = format!(" {}", tr(lang, key));
                    assert!(display_width(&text) <= 80, "{lang} {key} is cut: {text}");
                }
            }
        }
    }

    #[test]
    fn countdown_fits_the_header_at_80_columns() {
        for lang in Lang::ALL {
            let text = trf(lang, "common.countdown", &[("secs", "15")]);
            let lines = crate::tui::widgets::wrap::wrap(&text, 78);
            assert!(lines.len() as u16 <= HEADER_ROWS, "{lang}: {lines:?}");
        }
    }

    #[test]
    fn very_narrow_shows_current_step_only() {
        let text = plain(&progress_line(Lang::Ja, Step::Details, 30));
        assert_eq!(text, "STEP4 登録情報入力 (4/5)");
    }
}
