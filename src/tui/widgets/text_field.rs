//! A single-line text field: NFKC on the way in, a maximum length enforced while typing, masked
//! display, and a view that scrolls only as far as the cursor needs (measured by display width).

use std::cell::Cell;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_input::{Input, InputRequest};
use zeroize::Zeroize;

use crate::domain::text::normalize;

/// A single-line text field with a maximum length enforced while typing.
#[derive(Debug, Clone)]
pub struct TextField {
    input: Input,
    pub max_chars: usize,
    pub masked: bool,
    /// The first display column shown when the value is wider than its box, as last drawn. It
    /// moves only when the cursor would leave the box, so the text stays still under a tap or
    /// while the cursor moves inside the visible part.
    scroll: Cell<usize>,
}

impl TextField {
    pub fn new(max_chars: usize) -> Self {
        TextField {
            input: Input::default(),
            max_chars,
            masked: false,
            scroll: Cell::new(0),
        }
    }

    pub fn masked(mut self) -> Self {
        self.masked = true;
        self
    }

    pub fn value(&self) -> &str {
        self.input.value()
    }

    pub fn len(&self) -> usize {
        self.input.value().chars().count()
    }

    pub fn is_empty(&self) -> bool {
        self.input.value().is_empty()
    }

    /// Replaces the value (normalised, cut to the maximum) and puts the cursor at its end.
    pub fn set_value(&mut self, value: &str) {
        self.clear();
        self.insert_str(value);
    }

    /// Empties the field, overwriting the old characters where the buffer allows.
    pub fn clear(&mut self) {
        let mut old = std::mem::take(&mut self.input).value_and_reset();
        old.zeroize();
    }

    /// Inserts typed or pasted text at the cursor: NFKC-normalised, control characters dropped, and
    /// nothing beyond the maximum length.
    pub fn insert_str(&mut self, text: &str) -> bool {
        let mut changed = false;
        for ch in normalize(text).chars() {
            if self.len() >= self.max_chars {
                break;
            }
            if ch == '\n' || ch == '\r' {
                continue;
            }
            self.input.handle(InputRequest::InsertChar(ch));
            changed = true;
        }
        changed
    }

    /// Re-normalises the whole value (a combining mark typed after its base character composes here).
    pub fn normalize_value(&mut self) {
        let whole = normalize(self.value());
        if whole != self.value() {
            self.set_value(&whole);
        }
    }

    /// Editing keys. Returns true when the value changed.
    pub fn handle_key(&mut self, key: &KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let req = match key.code {
            KeyCode::Char(c) if !ctrl => {
                let mut buf = [0u8; 4];
                return self.insert_str(c.encode_utf8(&mut buf));
            }
            KeyCode::Char('u') if ctrl => InputRequest::DeleteFromStart,
            KeyCode::Char('k') if ctrl => InputRequest::DeleteTillEnd,
            KeyCode::Char('a') if ctrl => InputRequest::GoToStart,
            KeyCode::Char('e') if ctrl => InputRequest::GoToEnd,
            KeyCode::Char('w') if ctrl => InputRequest::DeletePrevWord,
            KeyCode::Backspace => InputRequest::DeletePrevChar,
            KeyCode::Delete => InputRequest::DeleteNextChar,
            KeyCode::Left => InputRequest::GoToPrevChar,
            KeyCode::Right => InputRequest::GoToNextChar,
            KeyCode::Home => InputRequest::GoToStart,
            KeyCode::End => InputRequest::GoToEnd,
            _ => return false,
        };
        self.input.handle(req).is_some_and(|changed| changed.value)
    }

    /// Moves the cursor to a display column of the visible text (a tap inside the field): before
    /// the character drawn in that column (a tap on either half of a wide character lands before
    /// it), or at the end when the tap is past the text.
    pub fn set_cursor_at_column(&mut self, col: usize, width: usize) {
        let scroll = self.scroll_for(width);
        let target = scroll + col;
        let mut acc = 0;
        let mut pos = 0;
        for ch in self.display_text().chars() {
            let w = unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0);
            if acc + w > target {
                break;
            }
            acc += w;
            pos += 1;
        }
        self.input.handle(InputRequest::SetCursor(pos));
    }

    /// What the field shows (stars for a masked field).
    pub fn display_text(&self) -> String {
        if self.masked {
            "*".repeat(self.len())
        } else {
            self.value().to_string()
        }
    }

    /// The cursor's display column in the whole (shown) value.
    fn cursor_column(&self) -> usize {
        if self.masked {
            self.input.cursor()
        } else {
            self.input.visual_cursor()
        }
    }

    /// The first column to show in a box `width` columns wide: the last one drawn, moved only as
    /// far as needed to keep the cursor's cell inside the box, never leaving blank room on the
    /// right while text is hidden on the left, and never inside a wide character.
    fn scroll_for(&self, width: usize) -> usize {
        let width = width.max(1);
        let shown = self.display_text();
        let total: usize = unicode_width::UnicodeWidthStr::width(shown.as_str());
        let cursor = self.cursor_column();
        let mut scroll = self.scroll.get();
        if cursor < scroll {
            scroll = cursor;
        }
        if cursor >= scroll + width {
            scroll = cursor + 1 - width;
        }
        // The text and the caret's cell fit from `scroll`: show as much as possible.
        scroll = scroll.min((total + 1).saturating_sub(width));
        // Start on a character boundary.
        let mut col = 0;
        for ch in shown.chars() {
            let w = unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0);
            if col >= scroll {
                break;
            }
            if col + w > scroll {
                scroll = col + w;
                break;
            }
            col += w;
        }
        scroll
    }

    /// The visible part for a box `width` columns wide and the cursor's column inside it. Keeps
    /// the scroll position for the next frame and tap.
    pub fn visible(&self, width: usize) -> (String, usize) {
        let width = width.max(1);
        let scroll = self.scroll_for(width);
        self.scroll.set(scroll);
        let cursor = self.cursor_column();
        let mut out = String::new();
        let mut col = 0;
        for ch in self.display_text().chars() {
            let w = unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0);
            if col < scroll {
                col += w;
                continue;
            }
            if col + w > scroll + width {
                break;
            }
            out.push(ch);
            col += w;
        }
        (out, cursor.saturating_sub(scroll))
    }
}

impl Drop for TextField {
    fn drop(&mut self) {
        self.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn masked_field_shows_stars_and_scrolls() {
        let mut t = TextField::new(30).masked();
        t.set_value("secret12345");
        assert_eq!(t.display_text(), "***********");
        let (vis, cur) = t.visible(5);
        assert_eq!(vis, "****");
        assert_eq!(cur, 4);
    }

    #[test]
    fn scroll_moves_only_to_keep_the_cursor_in_the_box() {
        let mut t = TextField::new(40);
        t.set_value("abcdefghijklmnopqrst"); // 20 columns, a box of 8 (7 + the caret's cell)
        assert_eq!(t.visible(8), ("nopqrst".to_string(), 7));
        // Left inside the view: the text stays, the cursor moves.
        for _ in 0..5 {
            t.handle_key(&key(KeyCode::Left));
        }
        assert_eq!(t.visible(8), ("nopqrst".to_string(), 2));
        // Past the left edge: the view follows by as little as needed.
        for _ in 0..4 {
            t.handle_key(&key(KeyCode::Left));
        }
        assert_eq!(t.visible(8), ("lmnopqrs".to_string(), 0));
        // A tap on the 4th visible column puts the cursor before that character.
        t.set_cursor_at_column(3, 8);
        assert_eq!(t.visible(8), ("lmnopqrs".to_string(), 3));
        t.handle_key(&key(KeyCode::Char('X')));
        assert_eq!(t.value(), "abcdefghijklmnXopqrst");
        // Deleting from the end never leaves blank room while text is hidden on the left.
        t.handle_key(&key(KeyCode::End));
        t.visible(8);
        for _ in 0..12 {
            t.handle_key(&key(KeyCode::Backspace));
        }
        assert_eq!(t.visible(8), ("cdefghi".to_string(), 7));
        t.handle_key(&key(KeyCode::Home));
        assert_eq!(t.visible(8), ("abcdefgh".to_string(), 0));
    }

    #[test]
    fn scrolled_wide_characters_are_never_cut_in_half() {
        let mut t = TextField::new(20);
        t.set_value("あいうえおか"); // 12 columns, a box of 7
        assert_eq!(t.visible(7), ("えおか".to_string(), 6));
        // 13 columns: the view would start on the second half of え, so it starts after it.
        t.handle_key(&key(KeyCode::Char('a')));
        assert_eq!(t.visible(7), ("おかa".to_string(), 5));
        // A tap on the second half of か lands before か.
        t.set_cursor_at_column(3, 7);
        assert_eq!(t.visible(7), ("おかa".to_string(), 2));
    }

    #[test]
    fn wide_characters_are_measured_by_width() {
        let mut t = TextField::new(20);
        t.set_value("昭和55年");
        let (vis, cur) = t.visible(20);
        assert_eq!(vis, "昭和55年");
        assert_eq!(cur, 8, "2+2+1+1+2 columns");
    }
}
