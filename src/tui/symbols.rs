//! The app's own marks, arrows and borders, and text made safe for a terminal that draws East Asian
//! Ambiguous characters (UAX #11: box drawing, arrows, `■`, `※`, `○`, `×`, `…`, Greek, Cyrillic,
//! many accented Latin letters) two cells wide.
//!
//! ratatui measures such a character as one cell. On a "wide" terminal that lie breaks the row: a
//! `─` rule wraps onto the next line, `↓` overwrites the character after it. So in wide mode:
//!
//! * the app's own borders and marks switch to ASCII or non-ambiguous ones ([`border_set`],
//!   [`ellipsis`]);
//! * every text drawn passes through [`shown`]: a mark or symbol becomes a safe equivalent
//!   (`×`→`x`, `…`→`...`, `Ⅱ`→`II`, `○`→`〇`), and a letter that has none (`α`, `é`, `Ж`) is
//!   *measured*: [`FILLER`] after it reserves its second cell, and [`reserve_wide`] turns the pair
//!   into one cell that the terminal is told is two wide, so the row stays as long as the layout
//!   counted.
//!
//! In narrow mode (the default) nothing changes.

use std::borrow::Cow;

use ratatui::buffer::{Buffer, CellDiffOption};
use ratatui::symbols::border;
use unicode_normalization::UnicodeNormalization;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::tui::look;

/// Put after a measured letter to reserve its second cell: one cell wide and not ambiguous in
/// every width table, never typed (a Unicode noncharacter, which input normalisation drops), and a
/// grapheme of its own.
pub const FILLER: char = '\u{FDD0}';

/// True when `c` takes a different number of cells on a wide terminal than on a narrow one: East
/// Asian Width `A` in the Unicode data (ICU's table), as `xterm -cjk_width` and Japanese terminals
/// use it. `unicode-width`'s `width_cjk` alone is not enough: it counts Greek, Cyrillic and
/// accented Latin letters (`α`, `Ж`, `é`) as one cell, which such terminals draw in two.
/// Zero-width characters (combining marks) stay zero wide everywhere.
pub fn is_ambiguous(c: char) -> bool {
    use icu_properties::CodePointMapData;
    use icu_properties::props::EastAsianWidth;
    UnicodeWidthChar::width(c) == Some(1)
        && (UnicodeWidthChar::width_cjk(c) == Some(2)
            || CodePointMapData::<EastAsianWidth>::new().get(c) == EastAsianWidth::Ambiguous)
}

/// True when any character of `s` is East Asian Ambiguous.
pub fn has_ambiguous(s: &str) -> bool {
    UnicodeWidthStr::width(s) != UnicodeWidthStr::width_cjk(s) || s.chars().any(is_ambiguous)
}

/// The borders of panels and boxes.
pub fn border_set() -> border::Set<'static> {
    if look::current().wide {
        border::Set {
            top_left: "+",
            top_right: "+",
            bottom_left: "+",
            bottom_right: "+",
            vertical_left: "|",
            vertical_right: "|",
            horizontal_top: "-",
            horizontal_bottom: "-",
        }
    } else {
        border::PLAIN
    }
}

/// The mark at the end of a text that was shortened.
pub fn ellipsis() -> &'static str {
    if look::current().wide { "..." } else { "…" }
}

/// A safe equivalent of an ambiguous mark or symbol, when there is a good one.
fn substitute(c: char) -> Option<&'static str> {
    Some(match c {
        // Box drawing and block elements.
        '─' | '━' | '┄' | '┅' | '┈' | '┉' | '═' => "-",
        '│' | '┃' | '┆' | '┇' | '┊' | '┋' | '║' => "|",
        '\u{2500}'..='\u{257F}' => "+",
        '\u{2580}'..='\u{259F}' => "#",
        // Arrows: the half-width forms (one cell everywhere, in every Japanese font).
        '←' | '⇐' => "\u{FFE9}",
        '↑' | '⇑' => "\u{FFEA}",
        '→' | '⇒' => "\u{FFEB}",
        '↓' | '⇓' => "\u{FFEC}",
        '↔' | '⇔' => "<->",
        '↕' => "^v",
        // Punctuation.
        '‐' | '–' | '—' | '―' => "-",
        '‘' | '’' | '′' => "'",
        '“' | '”' | '″' => "\"",
        '…' => "...",
        '‥' => "..",
        '•' | '·' | '∙' => "・",
        '※' => "＊",
        // Marks and geometric shapes.
        '○' | '◯' | '◎' => "〇",
        '●' | '◆' | '◇' | '★' | '☆' | '■' | '▪' => "*",
        '□' => "[ ]",
        '△' | '▲' => "^",
        '▽' | '▼' => "v",
        '▷' | '▶' => ">",
        '◁' | '◀' => "<",
        '×' => "x",
        '÷' => "/",
        '±' => "+-",
        '≦' | '≤' => "<=",
        '≧' | '≥' => ">=",
        '≠' => "!=",
        '≒' | '≈' => "~",
        '∞' => "inf",
        '√' => "sqrt",
        _ => return None,
    })
}

/// Circled numbers ①–⑳ as `(1)`…`(20)`.
fn circled(c: char) -> Option<String> {
    let n = u32::from(c);
    (0x2460..=0x2473)
        .contains(&n)
        .then(|| format!("({})", n - 0x2460 + 1))
}

/// `s` as it may be sent to the terminal in the current look: unchanged on a narrow terminal; on a
/// wide one every ambiguous character substituted or measured (see the module notes).
pub fn shown(s: &str) -> Cow<'_, str> {
    if !look::current().wide || !s.chars().any(|c| c == FILLER || is_ambiguous(c)) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(widen(s))
}

/// The wide-terminal form of `s` (whatever the look).
pub fn widen(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == FILLER {
            // A filler not right after a measured letter came with the text: it reserves nothing.
            out.push('\u{FFFD}');
        } else if !is_ambiguous(c) {
            out.push(c);
        } else if let Some(sub) = substitute(c) {
            out.push_str(sub);
        } else if let Some(sub) = circled(c) {
            out.push_str(&sub);
        } else {
            // Compatibility forms first (Ⅱ → II, ㈱ → (株)), when they are safe themselves.
            let compat: String = std::iter::once(c).nfkc().collect();
            if compat != c.to_string() && !compat.chars().any(is_ambiguous) {
                out.push_str(&compat);
            } else {
                out.push(c);
                out.push(FILLER);
                // Already measured (text widened twice): keep one filler.
                if chars.peek() == Some(&FILLER) {
                    chars.next();
                }
            }
        }
    }
    out
}

/// `s` made safe for the terminal ([`shown`]) and cut to `cols` display columns, with
/// [`ellipsis`] when something was cut; a measured letter is never cut from its second cell.
pub fn shown_cut(s: &str, cols: usize) -> String {
    let s = shown(s);
    if UnicodeWidthStr::width(s.as_ref()) <= cols {
        return s.into_owned();
    }
    let mark = ellipsis();
    let room = cols.saturating_sub(UnicodeWidthStr::width(mark));
    let mut out = String::new();
    let mut used = 0;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let mut unit = c.to_string();
        if chars.peek() == Some(&FILLER) {
            unit.push(FILLER);
            chars.next();
        }
        let w = UnicodeWidthStr::width(unit.as_str());
        if used + w > room {
            break;
        }
        out.push_str(&unit);
        used += w;
    }
    out.push_str(mark);
    out
}

/// After a frame is drawn (wide mode): each measured letter followed by its [`FILLER`] becomes one
/// cell that the terminal is told takes two (`CellDiffOption::ForcedWidth`), and the filler's cell
/// goes blank and is skipped. A filler whose letter was cut off becomes a blank.
pub fn reserve_wide(buf: &mut Buffer) {
    let width = buf.area.width as usize;
    if width == 0 {
        return;
    }
    let mut filler = [0u8; 4];
    let filler: &str = FILLER.encode_utf8(&mut filler);
    for row in buf.content.chunks_mut(width) {
        for x in 0..row.len() {
            if row[x].symbol() != filler {
                continue;
            }
            row[x].set_symbol(" ");
            if x > 0 && has_ambiguous(row[x - 1].symbol()) {
                row[x - 1].set_diff_option(CellDiffOption::ForcedWidth(
                    std::num::NonZeroU16::new(2).expect("two"),
                ));
                row[x].set_diff_option(CellDiffOption::Skip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Theme;
    use crate::tui::look::{Look, with};

    const WIDE: Look = Look::new(Theme::Auto, true);

    #[test]
    fn the_filler_is_one_cell_everywhere_and_its_own_grapheme() {
        assert_eq!(UnicodeWidthChar::width(FILLER), Some(1));
        assert!(!is_ambiguous(FILLER));
        assert_eq!(UnicodeWidthStr::width("α\u{FDD0}"), 2);
        with(WIDE, || assert_eq!(shown("a\u{FDD0}b"), "a\u{FFFD}b"));
    }

    #[test]
    fn ambiguous_as_xterm_cjk_width_counts_it() {
        for c in ['α', 'Ж', 'é', 'Ⅱ', '─', '↑', '×', '…', '■', '※', '○', '①'] {
            assert!(is_ambiguous(c), "{c:?}");
        }
        for c in [
            'a', '佐', 'ア', '・', '〇', '＊', '\u{FFEA}', '\u{301}', '-', '\u{FDD0}',
        ] {
            assert!(!is_ambiguous(c), "{c:?}");
        }
    }

    #[test]
    fn narrow_mode_changes_nothing() {
        assert!(matches!(shown("↑↓ ─ α"), Cow::Borrowed(_)));
        assert_eq!(border_set(), border::PLAIN);
    }

    #[test]
    fn wide_mode_substitutes_marks_and_measures_letters() {
        with(WIDE, || {
            assert_eq!(shown("80×24"), "80x24");
            assert_eq!(shown("Tab/↓ ※注意…"), "Tab/\u{FFEC} ＊注意...");
            assert_eq!(shown("山田 Ⅱ ①"), "山田 II (1)");
            assert_eq!(shown("αβ"), "α\u{FDD0}β\u{FDD0}");
            assert_eq!(shown(&shown("x αβ ─")), shown("x αβ ─"), "idempotent");
            assert_eq!(shown("José"), "José\u{FDD0}");
            assert!(matches!(shown("佐藤 一郎 ABC"), Cow::Borrowed(_)));
            assert_eq!(ellipsis(), "...");
            assert!(!has_ambiguous(border_set().top_left));
        });
    }

    #[test]
    fn cutting_keeps_a_measured_letter_whole() {
        assert_eq!(shown_cut("abcdef", 4), "abc…");
        assert_eq!(shown_cut("abc", 4), "abc");
        with(WIDE, || {
            assert_eq!(shown_cut("abcdefgh", 6), "abc...");
            // `α` takes two cells: after `ab` only `...` fits beside it, so it goes whole.
            assert_eq!(shown_cut("abαdefgh", 6), "ab...");
            assert_eq!(shown_cut("aαdefgh", 6), "aα\u{FDD0}...");
        });
    }

    #[test]
    fn every_substitute_is_safe() {
        for n in 0x80..0x3000u32 {
            let Some(c) = char::from_u32(n) else { continue };
            if is_ambiguous(c) {
                let w = widen(&c.to_string());
                let safe: String = w.chars().filter(|&x| x != FILLER).collect();
                assert!(
                    !safe.chars().any(is_ambiguous) || w.ends_with(FILLER),
                    "{c:?} became {w:?}"
                );
            }
        }
    }

    #[test]
    fn reserved_letters_take_two_cells_on_the_terminal() {
        use ratatui::layout::Rect;
        let mut buf = Buffer::empty(Rect::new(0, 0, 6, 1));
        with(WIDE, || {
            buf.set_string(0, 0, shown("aαb"), ratatui::style::Style::new());
        });
        reserve_wide(&mut buf);
        let symbols: Vec<&str> = buf.content.iter().map(|c| c.symbol()).collect();
        assert_eq!(symbols, ["a", "α", " ", "b", " ", " "]);
        assert_eq!(
            buf.content[1].diff_option,
            CellDiffOption::ForcedWidth(std::num::NonZeroU16::new(2).unwrap())
        );
        assert_eq!(buf.content[2].diff_option, CellDiffOption::Skip);
        // What a terminal receives: `b` is placed by position, after the two cells of `α`.
        let empty = Buffer::empty(buf.area);
        let updates: Vec<(u16, &str)> = empty
            .diff(&buf)
            .into_iter()
            .map(|(x, _, c)| (x, c.symbol()))
            .collect();
        assert_eq!(updates, [(0, "a"), (1, "α"), (3, "b")]);
    }
}
