//! The one screen-to-text: a screen as text is one line per row, a wide character once, trailing
//! blanks cut, rows joined with `\n` (from a ratatui buffer: [`text`]; from a terminal emulator:
//! [`vt_text`]). And finding things in it the way a person does: columns are display columns (a
//! wide character takes two).
#![allow(dead_code)]

use ratatui::buffer::Buffer;
use unicode_width::UnicodeWidthStr;

fn width(s: &str) -> u16 {
    UnicodeWidthStr::width(s) as u16
}

/// A drawn buffer as text (the cells hidden under a wide character skipped).
pub fn text(buf: &Buffer) -> String {
    let w = buf.area.width as usize;
    let mut out = Vec::new();
    for cells in buf.content.chunks(w.max(1)) {
        let mut line = String::new();
        let mut skip = 0usize;
        for c in cells {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = c.symbol();
            line.push_str(sym);
            skip = UnicodeWidthStr::width(sym).saturating_sub(1);
        }
        out.push(line.trim_end().to_string());
    }
    out.join("\n")
}

/// What a terminal emulator shows, as text.
pub fn vt_text(screen: &vt100::Screen) -> String {
    vt_rows(screen).join("\n")
}

/// What a terminal emulator shows, row by row (trailing blanks cut).
pub fn vt_rows(screen: &vt100::Screen) -> Vec<String> {
    let (_, cols) = screen.size();
    screen
        .rows(0, cols.get())
        .map(|r| r.trim_end().to_string())
        .collect()
}

/// (column, row) of a terminal emulator's cursor, or None when it is hidden.
pub fn vt_cursor(screen: &vt100::Screen) -> Option<(u16, u16)> {
    let (row, col) = screen.cursor_position();
    (!screen.hide_cursor()).then_some((col, row))
}

/// The 0-based (column, row) of the `nth` (1-based) occurrence of `text`.
pub fn find(screen: &str, text: &str, nth: usize) -> Option<(u16, u16)> {
    let mut seen = 0;
    for (row, line) in screen.lines().enumerate() {
        let mut start = 0;
        while let Some(i) = line[start..].find(text) {
            let at = start + i;
            seen += 1;
            if seen == nth {
                return Some((width(&line[..at]), row as u16));
            }
            start = at + text.chars().next().map_or(1, char::len_utf8);
        }
    }
    None
}

/// Where a control's label `text` starts a row (column 2, after the focus marker's margin) and is
/// followed by a blank, not where the same words appear inside a sentence.
pub fn find_label(screen: &str, text: &str) -> Option<(u16, u16)> {
    screen.lines().enumerate().find_map(|(row, line)| {
        let rest = line.get(2..)?.strip_prefix(text)?;
        (rest.is_empty() || rest.starts_with(' ')).then_some((2, row as u16))
    })
}

/// The input box on the row of the label `text`: the columns of its `[` and `]`, and the row.
pub fn field_box(screen: &str, label: &str) -> Option<(u16, u16, u16)> {
    let (_, row) = find_label(screen, label)?;
    let line = screen.lines().nth(row as usize)?;
    let open = line.find('[')?;
    let close = line.rfind(']')?;
    Some((width(&line[..open]), width(&line[..close]), row))
}

/// The focused text field: the row marked `>` and the columns of its `[` and `]`.
pub fn focused_box(screen: &str) -> Option<(u16, u16, u16)> {
    for (row, line) in screen.lines().enumerate() {
        if !line.starts_with('>') {
            continue;
        }
        let open = line.find('[')?;
        let close = line.rfind(']')?;
        return Some((width(&line[..open]), width(&line[..close]), row as u16));
    }
    None
}
