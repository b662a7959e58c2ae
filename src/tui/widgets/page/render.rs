//! Drawing a page from its placement (see [`super::layout`]): text rows, controls, buttons and the
//! terms panel, every text made safe for the terminal ([`shown`]) in the theme's styles.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::{
    MARGIN, Placement, Row, Spec, extra_note_lines, inner_width, note_lines, radio_option_text,
};
use crate::domain::Lang;
use crate::domain::text::display_width;
use crate::tui::i18n::tr;
use crate::tui::symbols::{border_set, shown};
use crate::tui::theme;
use crate::tui::widgets::form::Kind;
use crate::tui::widgets::wrap::wrap;

fn focus_marker(frame: &mut Frame<'_>, rect: Rect) {
    if rect.x >= MARGIN {
        frame.render_widget(
            Paragraph::new(Span::styled(">", theme::label_focused())),
            Rect::new(rect.x - MARGIN, rect.y, 1, 1),
        );
    }
}

fn padded_label(lang: Lang, key: &str, width: u16) -> String {
    let text = shown(tr(lang, key));
    let pad = (width as usize).saturating_sub(display_width(&text));
    format!("{text}{}", " ".repeat(pad))
}

pub fn render(frame: &mut Frame<'_>, spec: &Spec<'_>, p: &Placement) {
    let lang = spec.lang;
    let form = spec.form;
    for (row, rect) in spec.rows.iter().zip(&p.rows) {
        let rect = *rect;
        if rect.height == 0 {
            continue;
        }
        match row {
            Row::Blank => {}
            Row::Text(t, style) | Row::Intro(t, style) => {
                let lines: Vec<Line<'_>> = wrap(&shown(t), rect.width as usize)
                    .into_iter()
                    .map(|l| Line::styled(l, *style))
                    .collect();
                frame.render_widget(Paragraph::new(lines), rect);
            }
            Row::Line(line) => frame.render_widget(Paragraph::new(shown_line(line)), rect),
            Row::Message(None) => {}
            Row::Message(Some((t, style))) => {
                let lines: Vec<Line<'_>> = wrap(&shown(t), rect.width as usize)
                    .into_iter()
                    .map(|l| Line::styled(l, *style))
                    .collect();
                frame.render_widget(Paragraph::new(lines), rect);
            }
            Row::Control(i) => {
                render_control(frame, spec, *i, rect, p);
                if rect.height > 1 {
                    let (indent, lines) = extra_note_lines(spec, *i, rect.width);
                    let lines: Vec<Line<'_>> = lines
                        .into_iter()
                        .map(|(text, style)| Line::styled(text, style))
                        .collect();
                    let indent = indent.min(rect.width);
                    let below = Rect::new(
                        rect.x + indent,
                        rect.y + 1,
                        rect.width - indent,
                        rect.height - 1,
                    );
                    frame.render_widget(Paragraph::new(lines), below);
                }
            }
            Row::Note(i) => {
                let (indent, lines) = note_lines(spec, *i, rect.width);
                let lines: Vec<Line<'_>> = lines
                    .into_iter()
                    .map(|(text, style)| Line::styled(text, style))
                    .collect();
                let r = Rect::new(
                    rect.x + indent.min(rect.width),
                    rect.y,
                    rect.width.saturating_sub(indent),
                    rect.height,
                );
                frame.render_widget(Paragraph::new(lines), r);
            }
            Row::Buttons(_) => {
                for h in p.hits.iter().filter(|h| h.rect.y == rect.y) {
                    let c = &form.controls[h.control];
                    if !matches!(c.kind, Kind::Button) {
                        continue;
                    }
                    let focused = form.focus == h.control;
                    let caption = shown(c.caption(lang));
                    let (text, style) = if focused {
                        (format!(">[ {caption} ]<"), theme::button_focused())
                    } else if c.dimmed {
                        (format!(" [ {caption} ] "), theme::button_disabled())
                    } else {
                        (format!(" [ {caption} ] "), theme::button())
                    };
                    // A tall button is a filled block with its caption in the middle row.
                    let mut lines =
                        vec![Line::raw(""); (h.rect.height.saturating_sub(1) / 2) as usize];
                    lines.push(Line::raw(text));
                    frame.render_widget(Paragraph::new(lines).style(style), h.rect);
                }
            }
            Row::Panel {
                title,
                lines,
                scroll,
            } => {
                let inner_h = rect.height.saturating_sub(2) as usize;
                let total = lines.len();
                let first = (*scroll).min(total.saturating_sub(inner_h));
                let visible: Vec<Line<'_>> = lines
                    .iter()
                    .skip(first)
                    .take(inner_h)
                    .map(|l| Line::raw(shown(l)))
                    .collect();
                let position = if total > inner_h {
                    format!(" {}-{}/{} ", first + 1, (first + inner_h).min(total), total)
                } else {
                    String::new()
                };
                let block = Block::default()
                    .borders(Borders::ALL)
                    .border_set(border_set())
                    .border_style(theme::panel_border())
                    .title(Line::styled(format!(" {} ", shown(title)), theme::title()))
                    .title_bottom(Line::styled(position, theme::dim()).right_aligned());
                frame.render_widget(Paragraph::new(visible).block(block), rect);
            }
        }
    }
    if let Some((x, y)) = p.cursor {
        frame.set_cursor_position((x, y));
    }
}

/// A prepared line with every span made safe for the terminal (see [`shown`]).
fn shown_line(line: &Line<'static>) -> Line<'static> {
    let mut out = line.clone();
    for span in &mut out.spans {
        if let std::borrow::Cow::Owned(s) = shown(&span.content) {
            span.content = s.into();
        }
    }
    out
}

fn render_control(frame: &mut Frame<'_>, spec: &Spec<'_>, i: usize, rect: Rect, p: &Placement) {
    let lang = spec.lang;
    let c = &spec.form.controls[i];
    let focused = spec.form.focus == i;
    let label_style = if focused {
        theme::label_focused()
    } else {
        theme::label()
    };
    if focused {
        focus_marker(frame, rect);
    }
    match &c.kind {
        Kind::Text(field) => {
            let Some(h) = p.hits.iter().find(|h| h.control == i) else {
                return;
            };
            let bx = h.field_box.unwrap_or(rect);
            let (visible, _) = field.view(inner_width(bx.width), focused);
            let visible = shown(&visible);
            let pad = (bx.width as usize).saturating_sub(display_width(&visible) + 2);
            let style = if focused {
                theme::input_focused()
            } else {
                theme::input()
            };
            let line = Line::from(vec![
                Span::styled(padded_label(lang, c.label, spec.label_width), label_style),
                Span::raw("  "),
                Span::styled("[", label_style),
                Span::styled(format!("{visible}{}", " ".repeat(pad)), style),
                Span::styled("]", label_style),
            ]);
            frame.render_widget(Paragraph::new(line), rect);
        }
        Kind::Checkbox(on) => {
            let line = Line::from(vec![
                Span::styled(if *on { "[x] " } else { "[ ] " }, label_style),
                Span::styled(shown(tr(lang, c.label)), label_style),
            ]);
            frame.render_widget(Paragraph::new(line), rect);
        }
        Kind::Radio { options, selected } => {
            let mut spans = vec![
                Span::styled(padded_label(lang, c.label, spec.label_width), label_style),
                Span::raw("  "),
            ];
            for (o, key) in options.iter().enumerate() {
                let style = if *selected == o && focused {
                    theme::input_focused()
                } else if *selected == o {
                    theme::label_focused()
                } else {
                    theme::text()
                };
                spans.push(Span::styled(
                    radio_option_text(lang, key, *selected == o),
                    style,
                ));
                spans.push(Span::raw("   "));
            }
            frame.render_widget(Paragraph::new(Line::from(spans)), rect);
        }
        Kind::Button => {}
    }
}
