//! A screen's body as a list of rows. [`layout`] is a pure function of the rows, the form and the area;
//! drawing ([`render`]) and tapping ([`hit`]) both use it, so what is drawn is exactly what is tapped.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;

use super::form::{Form, Kind};
use super::wrap::wrap;
use crate::domain::text::display_width;
use crate::domain::{Lang, Msg};
use crate::tui::i18n::{msg, tr};
use crate::tui::symbols::shown;
use crate::tui::theme;

mod render;

pub use render::render;

/// Columns left of every row: the focus marker `>` sits in them.
pub const MARGIN: u16 = 2;

#[derive(Debug, Clone)]
pub enum Row {
    Blank,
    /// Wrapped text in one style.
    Text(String, Style),
    /// Wrapped instructions that give way (are not drawn) when the screen is too full for
    /// everything else, e.g. when several long error messages show at once on a small terminal.
    Intro(String, Style),
    /// One line, not wrapped.
    Line(Line<'static>),
    /// A control on its own row: text field, checkbox or radio group.
    Control(usize),
    /// The error or info line of a control: one row (kept even when empty, so the screen does not
    /// jump), or more when a long message has to wrap.
    Note(usize),
    /// Buttons side by side.
    Buttons(Vec<usize>),
    /// A message for the whole form (wrapped; at least one row).
    Message(Option<(String, Style)>),
    /// The scrolling panel: takes the height left over.
    Panel {
        title: String,
        lines: Vec<String>,
        scroll: usize,
    },
}

/// Where one control (or one of its radio options) was placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub rect: Rect,
    pub control: usize,
    pub option: Option<usize>,
    /// For a text field: the input box, for placing the cursor on a tap.
    pub field_box: Option<Rect>,
}

#[derive(Debug, Clone, Default)]
pub struct Placement {
    pub rows: Vec<Rect>,
    pub hits: Vec<Hit>,
    pub panel: Option<Rect>,
    /// Where the terminal cursor goes (the focused text field's caret).
    pub cursor: Option<(u16, u16)>,
}

/// Everything the layout needs besides the rows.
pub struct Spec<'a> {
    pub rows: &'a [Row],
    pub form: &'a Form,
    pub lang: Lang,
    /// Width of the label column of text fields and radio groups (display columns).
    pub label_width: u16,
}

fn text_width(area: Rect) -> usize {
    area.width.saturating_sub(MARGIN * 2).max(10) as usize
}

fn row_height(spec: &Spec<'_>, row: &Row, area: Rect) -> u16 {
    match row {
        Row::Text(t, _) | Row::Intro(t, _) => wrap(&shown(t), text_width(area)).len() as u16,
        Row::Message(Some((t, _))) => wrap(&shown(t), text_width(area)).len().max(1) as u16,
        Row::Note(i) => note_lines(spec, *i, area.width.saturating_sub(MARGIN * 2))
            .1
            .len()
            .max(1) as u16,
        Row::Panel { .. } => 0,
        Row::Control(i) => {
            1 + extra_note_lines(spec, *i, area.width.saturating_sub(MARGIN * 2))
                .1
                .len() as u16
        }
        _ => 1,
    }
}

/// A control's note as drawn in a row `width` columns wide: its indent and its lines. An error
/// starts at the left edge of the row with `! `, wrapped, its continuation lines indented past the
/// `! `; a hint or good news sits under the input box when it fits there on one line, else at the
/// left edge, wrapped. No lines when there is nothing to say.
pub fn note_lines(spec: &Spec<'_>, i: usize, width: u16) -> (u16, Vec<(String, Style)>) {
    let c = &spec.form.controls[i];
    let limit = limit_note(spec, i);
    let (prefix, text, style) = match (&c.error, &c.info) {
        (Some(e), _) => ("! ", shown(&msg(spec.lang, e)).into_owned(), theme::error()),
        (None, _) if limit.is_some() => {
            let (m, refused) = limit.expect("checked");
            let text = shown(&msg(spec.lang, &m)).into_owned();
            if refused {
                ("! ", text, theme::error())
            } else {
                ("", text, theme::info())
            }
        }
        (None, Some(info)) => (
            "",
            shown(&msg(spec.lang, info)).into_owned(),
            if c.info_ok {
                theme::ok()
            } else {
                theme::info()
            },
        ),
        (None, None) => return (0, Vec::new()),
    };
    let beside = if matches!(c.kind, Kind::Checkbox(_)) || !prefix.is_empty() {
        0
    } else {
        spec.label_width + 2
    };
    let text_w = (display_width(prefix) + display_width(&text)) as u16;
    if beside + text_w <= width {
        return (beside, vec![(format!("{prefix}{text}"), style)]);
    }
    let hang = " ".repeat(display_width(prefix));
    let lines = wrap(&text, (width as usize).saturating_sub(hang.len()))
        .into_iter()
        .enumerate()
        .map(|(n, l)| {
            let lead = if n == 0 { prefix } else { hang.as_str() };
            (format!("{lead}{l}"), style)
        })
        .collect();
    (0, lines)
}

/// What a focused text field at its maximum length says under it, and whether it just refused
/// something typed or pasted (then it is said as an error): "at most N characters".
pub fn limit_note(spec: &Spec<'_>, i: usize) -> Option<(Msg, bool)> {
    let c = &spec.form.controls[i];
    match &c.kind {
        Kind::Text(f) if spec.form.focus == i && f.limit_reached() => Some((
            Msg::new("common.limit").arg("max", f.max_chars),
            f.len() < f.max_chars || f.refused(),
        )),
        _ => None,
    }
}

/// The lines under a text field that has no note row of its own on its screen (the limit note
/// still shows there, pushing what is below down by as much).
pub(super) fn extra_note_lines(
    spec: &Spec<'_>,
    i: usize,
    width: u16,
) -> (u16, Vec<(String, Style)>) {
    if spec
        .rows
        .iter()
        .any(|r| matches!(r, Row::Note(n) if *n == i))
        || limit_note(spec, i).is_none()
    {
        return (0, Vec::new());
    }
    note_lines(spec, i, width)
}

/// Row heights for `area`. When everything does not fit (several long messages on a small
/// terminal), rows give way in this order until it does: blank rows and empty notes and messages
/// (from the bottom), hints under fields, then intro text; last, long notes are cut to one line.
/// The controls, their errors and the buttons are always placed.
fn fit_heights(spec: &Spec<'_>, area: Rect) -> Vec<u16> {
    let rows = spec.rows;
    let mut h: Vec<u16> = rows.iter().map(|r| row_height(spec, r, area)).collect();
    let panel_min = if rows.iter().any(|r| matches!(r, Row::Panel { .. })) {
        3
    } else {
        0
    };
    let total = |h: &[u16]| h.iter().sum::<u16>() + panel_min;
    let note_kind = |i: usize| {
        let c = &spec.form.controls[i];
        match (&c.error, &c.info) {
            (Some(_), _) => 2,                 // an error
            (None, Some(_)) if c.info_ok => 2, // good news ("available") stays too
            (None, Some(_)) => 1,              // a hint
            (None, None) => 0,
        }
    };
    let passes: [&dyn Fn(&Row) -> bool; 3] = [
        &|r| match r {
            Row::Blank | Row::Message(None) => true,
            Row::Note(i) => note_kind(*i) == 0,
            _ => false,
        },
        &|r| matches!(r, Row::Note(i) if note_kind(*i) == 1),
        &|r| matches!(r, Row::Intro(..)),
    ];
    for give_way in passes {
        for k in (0..rows.len()).rev() {
            if total(&h) <= area.height {
                return h;
            }
            if give_way(&rows[k]) {
                h[k] = 0;
            }
        }
    }
    for k in (0..rows.len()).rev() {
        if total(&h) <= area.height {
            break;
        }
        if matches!(rows[k], Row::Note(_) | Row::Message(Some(_))) && h[k] > 1 {
            h[k] = 1;
        }
    }
    h
}

/// The input box of a text field, brackets included: room for the maximum length and the caret, at
/// least 10 and at most 32 columns, never more than what is left of the row.
fn box_width(max_chars: usize, avail: u16) -> u16 {
    let want = (max_chars as u16).saturating_add(3).clamp(10, 32);
    want.min(avail.max(3))
}

/// A panel's scroll offset moved by `lines` (negative: up), kept within `0..=max` (what every screen
/// with a [`Row::Panel`] does with the wheel and PgUp/PgDn).
pub fn scrolled(at: usize, lines: i32, max: usize) -> usize {
    (at as i64 + lines as i64).clamp(0, max as i64) as usize
}

/// Cells inside a box of `w` columns (the brackets off): the text and, after it, the caret's cell.
pub fn inner_width(w: u16) -> usize {
    w.saturating_sub(2).max(1) as usize
}

/// Button captions are drawn as ` [ caption ] `; returns each button's width.
fn button_width(lang: Lang, c: &super::form::Control) -> u16 {
    display_width(&shown(c.caption(lang))) as u16 + 6
}

fn radio_option_text(lang: Lang, key: &str, selected: bool) -> String {
    format!(
        "({}) {}",
        if selected { "*" } else { " " },
        shown(tr(lang, key))
    )
}

pub fn layout(spec: &Spec<'_>, area: Rect) -> Placement {
    let mut heights = fit_heights(spec, area);
    // Room to spare (a terminal larger than 80×24): taller buttons, space between controls.
    let growth = super::room::grow(spec.rows, &heights, area);
    for (k, row) in spec.rows.iter().enumerate() {
        if matches!(row, Row::Buttons(_)) && heights[k] > 0 {
            heights[k] = growth.button_rows;
        }
    }
    let fixed: u16 = heights.iter().sum::<u16>() + growth.above.iter().sum::<u16>();
    let has_panel = spec.rows.iter().any(|r| matches!(r, Row::Panel { .. }));
    let panel_height = if has_panel {
        area.height.saturating_sub(fixed).max(3)
    } else {
        0
    };
    let mut p = Placement::default();
    let mut y = area.y;
    let bottom = area.y + area.height;
    let x0 = area.x + MARGIN;
    let inner_w = area.width.saturating_sub(MARGIN * 2);
    for ((row, &height), &above) in spec.rows.iter().zip(&heights).zip(&growth.above) {
        let above = above.min(bottom.saturating_sub(y));
        y += above;
        let first_hit = p.hits.len();
        let h = match row {
            Row::Panel { .. } => panel_height,
            _ => height,
        };
        let h = h.min(bottom.saturating_sub(y));
        let rect = Rect::new(x0, y, inner_w, h);
        p.rows.push(rect);
        if h > 0 {
            match row {
                Row::Control(i) => place_control(spec, *i, rect, &mut p),
                Row::Buttons(ids) => {
                    let mut x = x0;
                    for &i in ids {
                        let w = button_width(spec.lang, &spec.form.controls[i]);
                        let w = w.min((x0 + inner_w).saturating_sub(x));
                        p.hits.push(Hit {
                            rect: Rect::new(x, y, w, h),
                            control: i,
                            option: None,
                            field_box: None,
                        });
                        x += w + 2;
                    }
                }
                Row::Panel { .. } => p.panel = Some(rect),
                _ => {}
            }
            // The blank row above a control is part of its tap target.
            for hit in &mut p.hits[first_hit..] {
                hit.rect.y -= above;
                hit.rect.height += above;
            }
        }
        y += h;
    }
    p
}

fn place_control(spec: &Spec<'_>, i: usize, rect: Rect, p: &mut Placement) {
    let c = &spec.form.controls[i];
    let label_w = spec.label_width;
    match &c.kind {
        Kind::Text(field) => {
            let bx = rect.x + label_w + 2;
            let avail = (rect.x + rect.width).saturating_sub(bx);
            let w = box_width(field.max_chars, avail);
            let field_box = Rect::new(bx, rect.y, w, 1);
            // The label and the box are one target.
            p.hits.push(Hit {
                rect: Rect::new(rect.x, rect.y, label_w + 2 + w, 1),
                control: i,
                option: None,
                field_box: Some(field_box),
            });
            if spec.form.focus == i {
                let (_, cursor) = field.visible(inner_width(w));
                p.cursor = Some((bx + 1 + cursor as u16, rect.y));
            }
        }
        Kind::Checkbox(_) => {
            let w = 4 + display_width(&shown(tr(spec.lang, c.label))) as u16;
            p.hits.push(Hit {
                rect: Rect::new(rect.x, rect.y, w.min(rect.width), 1),
                control: i,
                option: None,
                field_box: None,
            });
        }
        Kind::Radio { options, selected } => {
            // The label focuses the group; each option picks itself.
            p.hits.push(Hit {
                rect: Rect::new(rect.x, rect.y, label_w, 1),
                control: i,
                option: None,
                field_box: None,
            });
            let mut x = rect.x + label_w + 2;
            for (o, key) in options.iter().enumerate() {
                let w = display_width(&radio_option_text(spec.lang, key, *selected == o)) as u16;
                p.hits.push(Hit {
                    rect: Rect::new(x, rect.y, w, 1),
                    control: i,
                    option: Some(o),
                    field_box: None,
                });
                x += w + 3;
            }
        }
        Kind::Button => {}
    }
}

/// The target under a tap at (`col`, `row`), if any.
pub fn hit(p: &Placement, col: u16, row: u16) -> Option<Hit> {
    // Options are more specific than their group's label, so search them first.
    let inside = |h: &&Hit| {
        col >= h.rect.x
            && col < h.rect.x + h.rect.width
            && row >= h.rect.y
            && row < h.rect.y + h.rect.height
    };
    p.hits
        .iter()
        .filter(inside)
        .max_by_key(|h| h.option.is_some())
        .copied()
}

/// The widest label among the given controls, for aligning a column of fields.
pub fn label_width(form: &Form, lang: Lang) -> u16 {
    form.controls
        .iter()
        .filter(|c| matches!(c.kind, Kind::Text(_) | Kind::Radio { .. }))
        .map(|c| display_width(&shown(tr(lang, c.label))) as u16)
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Msg;
    use crate::tui::widgets::form::{Control, TextField};

    fn form() -> Form {
        let error = Some(Msg::new("identity.locked")); // long: wraps at 40 columns
        let field = Control::text("a", "login.user_id", TextField::new(10));
        Form::new(vec![
            Control { error, ..field },
            Control::button("ok", "login.submit"),
        ])
    }

    #[test]
    fn long_errors_wrap_and_are_never_cut() {
        let f = form();
        let rows = vec![Row::Control(0), Row::Note(0), Row::Buttons(vec![1])];
        let spec = Spec {
            rows: &rows,
            form: &f,
            lang: Lang::Ja,
            label_width: label_width(&f, Lang::Ja),
        };
        let (indent, lines) = note_lines(&spec, 0, 40);
        assert_eq!(indent, 0);
        assert!(lines.len() >= 3, "{lines:?}");
        assert!(lines[0].0.starts_with("! "));
        assert!(lines[1..].iter().all(|(l, _)| l.starts_with("  ")));
        for (l, _) in &lines {
            assert!(display_width(l) <= 40, "{l}");
        }
        let joined: String = lines
            .iter()
            .map(|(l, _)| l.trim_start_matches(['!', ' ']))
            .collect();
        assert_eq!(joined, tr(Lang::Ja, "identity.locked"));
        let p = layout(&spec, Rect::new(0, 0, 44, 20));
        assert_eq!(p.rows[1].height as usize, lines.len());
    }

    #[test]
    fn intro_gives_way_before_controls_and_buttons() {
        let f = form();
        let intro = "はじめに。".repeat(30);
        let rows = vec![
            Row::Intro(intro, Style::new()),
            Row::Blank,
            Row::Control(0),
            Row::Note(0),
            Row::Buttons(vec![1]),
        ];
        let spec = Spec {
            rows: &rows,
            form: &f,
            lang: Lang::Ja,
            label_width: label_width(&f, Lang::Ja),
        };
        let roomy = layout(&spec, Rect::new(0, 0, 44, 40));
        assert!(roomy.rows[0].height > 1 && roomy.rows[1].height == 1);
        let tight = layout(&spec, Rect::new(0, 0, 44, 8));
        assert_eq!(tight.rows[0].height, 0, "the intro gave way");
        assert_eq!(tight.rows[1].height, 0, "the blank row went first");
        assert_eq!(tight.rows[2].height, 1);
        assert!(tight.rows[3].height >= 3, "the error is whole");
        let buttons = tight.rows[4];
        assert_eq!(buttons.height, 1);
        assert!(buttons.y + buttons.height <= 8);
        assert!(
            tight
                .hits
                .iter()
                .any(|h| h.control == 1 && h.rect.y == buttons.y)
        );
    }
}
