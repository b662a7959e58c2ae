//! Finding things on a screen given as text (one line per row, wide characters once), the way a
//! person finds them: columns are display columns (a wide character takes two).
#![allow(dead_code)]

use unicode_width::UnicodeWidthStr;

fn width(s: &str) -> u16 {
    UnicodeWidthStr::width(s) as u16
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
