//! A single-line text field: typing, editing keys, the maximum length, masking, horizontal scrolling,
//! and a buffer that is wiped.

use std::cell::Cell;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use zeroize::{Zeroize, Zeroizing};

use super::keypad::Keypad;
use crate::domain::text::normalize;

/// A single-line text field with a maximum length enforced while typing.
///
/// The text lives in one buffer allocated at its full size up front (4 bytes per allowed character) and
/// edited in place, so it is never reallocated: no copy of what was typed is left behind in freed
/// memory, and clearing the field or dropping it (the screen going away) overwrites the whole buffer.
/// That matters for passwords: a core file or a swapped-out page must not find one. (tui-input, which
/// this field used before, grows its `String` by reallocation and keeps deleted text in a yank buffer,
/// neither of which can be wiped from outside.)
pub struct TextField {
    text: Zeroizing<String>,
    /// The cursor, in characters from the start.
    cursor: usize,
    pub max_chars: usize,
    pub masked: bool,
    /// The on-screen keyboard (or picker) that suits the field.
    pub keypad: Keypad,
    /// The first display column shown when the value is wider than its box, as last drawn. It
    /// moves only when the cursor would leave the box, so the text stays still under a tap or
    /// while the cursor moves inside the visible part.
    scroll: Cell<usize>,
}

impl std::fmt::Debug for TextField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("TextField");
        if self.masked {
            d.field("text", &self.display_text());
        } else {
            d.field("text", &self.text.as_str());
        }
        d.field("cursor", &self.cursor)
            .field("max_chars", &self.max_chars)
            .field("masked", &self.masked)
            .finish()
    }
}

impl Clone for TextField {
    fn clone(&self) -> Self {
        let mut copy = TextField::new(self.max_chars);
        copy.text.push_str(&self.text);
        copy.cursor = self.cursor;
        copy.masked = self.masked;
        copy.keypad = self.keypad;
        copy.scroll = self.scroll.clone();
        copy
    }
}

/// The byte offset of the `chars`-th character of `s` (its length when past the end).
fn byte_at(s: &str, chars: usize) -> usize {
    s.char_indices().nth(chars).map_or(s.len(), |(i, _)| i)
}

impl TextField {
    pub fn new(max_chars: usize) -> Self {
        TextField {
            text: Zeroizing::new(String::with_capacity(max_chars.saturating_mul(4))),
            cursor: 0,
            max_chars,
            masked: false,
            keypad: Keypad::default(),
            scroll: Cell::new(0),
        }
    }

    pub fn masked(mut self) -> Self {
        self.masked = true;
        self
    }

    /// The on-screen keyboard (or the date picker) for this field.
    pub fn keypad(mut self, keypad: Keypad) -> Self {
        self.keypad = keypad;
        self
    }

    pub fn value(&self) -> &str {
        &self.text
    }

    pub fn len(&self) -> usize {
        self.text.chars().count()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Replaces the value (normalised, cut to the maximum) and puts the cursor at its end.
    pub fn set_value(&mut self, value: &str) {
        self.clear();
        self.insert_str(value);
    }

    /// Empties the field, overwriting every byte of its buffer (the buffer itself is kept).
    pub fn clear(&mut self) {
        // SAFETY: only zero bytes are written, and the length is set to 0 afterwards; the String stays
        // valid UTF-8. (`String::zeroize` would also free the buffer, which the field keeps.)
        unsafe {
            let bytes = self.text.as_mut_vec();
            bytes.set_len(bytes.capacity());
            bytes.as_mut_slice().zeroize();
            bytes.set_len(0);
        }
        self.cursor = 0;
    }

    /// Inserts one character at the cursor, in place (the buffer has room for the maximum length).
    fn insert_char(&mut self, ch: char) {
        let at = byte_at(&self.text, self.cursor);
        self.text.insert(at, ch);
        self.cursor += 1;
    }

    /// Removes the characters `from..to` (in characters), in place.
    fn delete_chars(&mut self, from: usize, to: usize) -> bool {
        if from >= to {
            return false;
        }
        let (a, b) = (byte_at(&self.text, from), byte_at(&self.text, to));
        if a >= b {
            return false;
        }
        self.text.replace_range(a..b, "");
        if self.cursor > from {
            self.cursor = from.max(self.cursor.saturating_sub(to - from));
        }
        true
    }

    /// The start (in characters) of the word before the cursor, as Ctrl-W deletes it: the spaces
    /// before the cursor, then the word.
    fn prev_word_start(&self) -> usize {
        let chars: Vec<char> = self.text.chars().take(self.cursor).collect();
        let mut i = chars.len();
        while i > 0 && chars[i - 1].is_whitespace() {
            i -= 1;
        }
        while i > 0 && !chars[i - 1].is_whitespace() {
            i -= 1;
        }
        i
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
            self.insert_char(ch);
            changed = true;
        }
        changed
    }

    /// Re-normalises the whole value (a combining mark typed after its base character composes here).
    pub fn normalize_value(&mut self) {
        let whole = Zeroizing::new(normalize(self.value()));
        if *whole != self.value() {
            self.set_value(&whole);
        }
    }

    /// Editing keys. Returns true when the value changed.
    pub fn handle_key(&mut self, key: &KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let len = self.len();
        let at = self.cursor.min(len);
        match key.code {
            KeyCode::Char(c) if !ctrl => {
                let mut buf = [0u8; 4];
                self.insert_str(c.encode_utf8(&mut buf))
            }
            KeyCode::Char('u') if ctrl => self.delete_chars(0, at),
            KeyCode::Char('k') if ctrl => self.delete_chars(at, len),
            KeyCode::Char('w') if ctrl => self.delete_chars(self.prev_word_start(), at),
            KeyCode::Backspace => at > 0 && self.delete_chars(at - 1, at),
            KeyCode::Delete => self.delete_chars(at, (at + 1).min(len)),
            KeyCode::Char('a') if ctrl => {
                self.cursor = 0;
                false
            }
            KeyCode::Home => {
                self.cursor = 0;
                false
            }
            KeyCode::Char('e') if ctrl => {
                self.cursor = len;
                false
            }
            KeyCode::End => {
                self.cursor = len;
                false
            }
            KeyCode::Left => {
                self.cursor = at.saturating_sub(1);
                false
            }
            KeyCode::Right => {
                self.cursor = (at + 1).min(len);
                false
            }
            _ => false,
        }
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
        self.cursor = pos.min(self.len());
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
        let before = self.text.chars().take(self.cursor);
        if self.masked {
            before.count()
        } else {
            before
                .map(|c| unicode_width::UnicodeWidthChar::width(c).unwrap_or(0))
                .sum()
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

    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    /// The whole buffer of a field, spare capacity included. Only after `clear`, which has written
    /// every byte of it.
    fn whole_buffer_after_clear(f: &mut TextField) -> Vec<u8> {
        f.clear();
        let cap = f.text.capacity();
        // SAFETY: `clear` initialised every byte of the capacity (to zero).
        unsafe { std::slice::from_raw_parts(f.text.as_ptr(), cap) }.to_vec()
    }

    #[test]
    fn a_password_field_never_moves_its_buffer_and_clearing_wipes_all_of_it() {
        let mut f = TextField::new(20).masked();
        let buffer = f.text.as_ptr();
        let cap = f.text.capacity();
        assert!(cap >= 80);
        // The longest text of the widest characters: no reallocation (which would leave a copy).
        for _ in 0..25 {
            f.handle_key(&key(KeyCode::Char('𠀋')));
        }
        assert_eq!(f.len(), 20);
        assert_eq!((f.text.as_ptr(), f.text.capacity()), (buffer, cap));
        // Edits in the middle, deletions of every kind, then clear: every byte is zero.
        f.clear();
        for c in "Sekret2026 pass word".chars() {
            f.handle_key(&key(KeyCode::Char(c)));
        }
        f.handle_key(&key(KeyCode::Left));
        f.handle_key(&key(KeyCode::Backspace));
        f.handle_key(&ctrl('w'));
        f.handle_key(&key(KeyCode::Home));
        f.handle_key(&key(KeyCode::Delete));
        f.handle_key(&ctrl('k'));
        assert_eq!((f.text.as_ptr(), f.text.capacity()), (buffer, cap));
        for c in "Sekret2026".chars() {
            f.handle_key(&key(KeyCode::Char(c)));
        }
        let bytes = whole_buffer_after_clear(&mut f);
        assert!(bytes.iter().all(|&b| b == 0), "{bytes:?}");
        assert!(f.is_empty());
        assert_eq!(
            f.text.as_ptr(),
            buffer,
            "the buffer is kept for the next member"
        );
    }

    #[test]
    fn editing_keys_work_on_characters_not_bytes() {
        let mut f = TextField::new(10);
        f.insert_str("山田 tarou");
        assert_eq!(f.value(), "山田 tarou");
        f.handle_key(&ctrl('w'));
        assert_eq!(f.value(), "山田 ");
        f.handle_key(&key(KeyCode::Left));
        f.handle_key(&key(KeyCode::Backspace));
        assert_eq!(f.value(), "山 ");
        f.handle_key(&key(KeyCode::Char('本')));
        assert_eq!(f.value(), "山本 ");
        assert_eq!(
            f.cursor_column(),
            4,
            "two wide characters before the cursor"
        );
        f.handle_key(&ctrl('a'));
        f.handle_key(&key(KeyCode::Delete));
        assert_eq!(f.value(), "本 ");
        f.handle_key(&ctrl('e'));
        f.insert_str("abc");
        f.handle_key(&ctrl('u'));
        assert!(f.is_empty());
        f.insert_str("abcdef");
        f.handle_key(&key(KeyCode::Home));
        f.handle_key(&key(KeyCode::Right));
        f.handle_key(&ctrl('k'));
        assert_eq!(f.value(), "a");
        // Past the maximum nothing is inserted.
        f.insert_str("0123456789xyz");
        assert_eq!(f.value(), "a012345678");
        // A copy is a field of its own, with a buffer of full size.
        let copy = f.clone();
        assert_eq!(copy.value(), f.value());
        assert!(copy.text.capacity() >= 40);
        assert!(!format!("{:?}", f.clone().masked()).contains("a0123"));
    }
}
