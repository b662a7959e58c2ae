//! A form: the controls of a screen in focus order, and the one keyboard grammar of every screen.
//!
//! Tab/↓ next control, Shift-Tab/↑ previous; Enter in a text field or on a checkbox/radio moves to the
//! next control, on a button presses it; Space toggles a checkbox or picks the focused radio option;
//! ←/→ move within a radio group (the selection follows, as in a browser) and move the cursor in a text
//! field; Esc goes back; PgUp/PgDn scroll the screen's panel.

use std::cell::Cell;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use zeroize::{Zeroize, Zeroizing};

use crate::domain::Msg;
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
            scroll: Cell::new(0),
        }
    }

    pub fn masked(mut self) -> Self {
        self.masked = true;
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

impl Drop for TextField {
    fn drop(&mut self) {
        self.clear();
    }
}

#[derive(Debug, Clone)]
pub enum Kind {
    Text(TextField),
    Checkbox(bool),
    /// Option label keys and the selected index.
    Radio {
        options: Vec<&'static str>,
        selected: usize,
    },
    Button,
}

#[derive(Debug, Clone)]
pub struct Control {
    pub id: &'static str,
    /// Message key of the label (for a button: its caption).
    pub label: &'static str,
    pub kind: Kind,
    /// Shown under the control in red.
    pub error: Option<Msg>,
    /// Shown under the control when there is no error (a hint, or "available").
    pub info: Option<Msg>,
    /// Marks the info line as good news (green).
    pub info_ok: bool,
    /// A disabled button is drawn dimmed; pressing it still reports, so the screen can say why.
    pub dimmed: bool,
}

impl Control {
    fn new(id: &'static str, label: &'static str, kind: Kind) -> Self {
        Control {
            id,
            label,
            kind,
            error: None,
            info: None,
            info_ok: false,
            dimmed: false,
        }
    }

    pub fn text(id: &'static str, label: &'static str, field: TextField) -> Self {
        Control::new(id, label, Kind::Text(field))
    }

    pub fn checkbox(id: &'static str, label: &'static str) -> Self {
        Control::new(id, label, Kind::Checkbox(false))
    }

    pub fn radio(
        id: &'static str,
        label: &'static str,
        options: Vec<&'static str>,
        selected: usize,
    ) -> Self {
        Control::new(id, label, Kind::Radio { options, selected })
    }

    pub fn button(id: &'static str, label: &'static str) -> Self {
        Control::new(id, label, Kind::Button)
    }

    pub fn is_text(&self) -> bool {
        matches!(self.kind, Kind::Text(_))
    }
}

/// What a key or tap did to the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormEvent {
    None,
    /// The value of a text field changed.
    Edited(usize),
    /// Focus moved away from `from` (a text field left is validated by the screen).
    Moved {
        from: usize,
    },
    Toggled(usize),
    Selected(usize),
    Pressed(usize),
    Back,
    PageUp,
    PageDown,
}

#[derive(Debug, Clone)]
pub struct Form {
    pub controls: Vec<Control>,
    pub focus: usize,
}

impl Form {
    /// A form focused on its first text field (or its first control when it has none).
    pub fn new(controls: Vec<Control>) -> Self {
        let focus = controls.iter().position(Control::is_text).unwrap_or(0);
        Form { controls, focus }
    }

    pub fn index(&self, id: &str) -> usize {
        self.controls
            .iter()
            .position(|c| c.id == id)
            .unwrap_or_else(|| panic!("no control {id}"))
    }

    pub fn get(&self, id: &str) -> &Control {
        &self.controls[self.index(id)]
    }

    pub fn get_mut(&mut self, id: &str) -> &mut Control {
        let i = self.index(id);
        &mut self.controls[i]
    }

    pub fn field(&self, id: &str) -> &TextField {
        match &self.get(id).kind {
            Kind::Text(f) => f,
            _ => panic!("{id} is not a text field"),
        }
    }

    pub fn field_mut(&mut self, id: &str) -> &mut TextField {
        match &mut self.get_mut(id).kind {
            Kind::Text(f) => f,
            _ => panic!("{id} is not a text field"),
        }
    }

    pub fn value(&self, id: &str) -> &str {
        self.field(id).value()
    }

    pub fn checked(&self, id: &str) -> bool {
        matches!(self.get(id).kind, Kind::Checkbox(true))
    }

    pub fn set_checked(&mut self, id: &str, on: bool) {
        if let Kind::Checkbox(v) = &mut self.get_mut(id).kind {
            *v = on;
        }
    }

    pub fn selected(&self, id: &str) -> usize {
        match self.get(id).kind {
            Kind::Radio { selected, .. } => selected,
            _ => 0,
        }
    }

    pub fn set_selected(&mut self, id: &str, index: usize) {
        if let Kind::Radio { options, selected } = &mut self.get_mut(id).kind {
            *selected = index.min(options.len().saturating_sub(1));
        }
    }

    pub fn set_error(&mut self, id: &str, error: Option<Msg>) {
        self.get_mut(id).error = error;
    }

    pub fn set_info(&mut self, id: &str, info: Option<Msg>, ok: bool) {
        let c = self.get_mut(id);
        c.info = info;
        c.info_ok = ok;
    }

    pub fn focused_id(&self) -> &'static str {
        self.controls[self.focus].id
    }

    pub fn is_focused(&self, id: &str) -> bool {
        self.focused_id() == id
    }

    /// Moves focus to control `to`. Leaving a text field re-normalises its value.
    pub fn focus_to(&mut self, to: usize) -> FormEvent {
        let to = to.min(self.controls.len().saturating_sub(1));
        if to == self.focus {
            return FormEvent::None;
        }
        let from = self.focus;
        if let Kind::Text(f) = &mut self.controls[from].kind {
            f.normalize_value();
        }
        self.focus = to;
        FormEvent::Moved { from }
    }

    pub fn focus_id(&mut self, id: &str) -> FormEvent {
        let i = self.index(id);
        self.focus_to(i)
    }

    pub fn focus_next(&mut self) -> FormEvent {
        let n = self.controls.len();
        self.focus_to((self.focus + 1) % n)
    }

    pub fn focus_prev(&mut self) -> FormEvent {
        let n = self.controls.len();
        self.focus_to((self.focus + n - 1) % n)
    }

    /// The keyboard grammar.
    pub fn handle_key(&mut self, key: &KeyEvent) -> FormEvent {
        let i = self.focus;
        match key.code {
            KeyCode::Tab => return self.focus_next(),
            KeyCode::BackTab => return self.focus_prev(),
            KeyCode::Down => return self.focus_next(),
            KeyCode::Up => return self.focus_prev(),
            KeyCode::Esc => return FormEvent::Back,
            KeyCode::PageUp => return FormEvent::PageUp,
            KeyCode::PageDown => return FormEvent::PageDown,
            _ => {}
        }
        match &mut self.controls[i].kind {
            Kind::Text(field) => match key.code {
                KeyCode::Enter => self.focus_next(),
                _ => {
                    if field.handle_key(key) {
                        self.controls[i].error = None;
                        FormEvent::Edited(i)
                    } else {
                        FormEvent::None
                    }
                }
            },
            Kind::Checkbox(on) => match key.code {
                KeyCode::Char(' ') => {
                    *on = !*on;
                    self.controls[i].error = None;
                    FormEvent::Toggled(i)
                }
                KeyCode::Enter => self.focus_next(),
                _ => FormEvent::None,
            },
            Kind::Radio { options, selected } => match key.code {
                KeyCode::Left if *selected > 0 => {
                    *selected -= 1;
                    FormEvent::Selected(i)
                }
                KeyCode::Right if *selected + 1 < options.len() => {
                    *selected += 1;
                    FormEvent::Selected(i)
                }
                KeyCode::Char(' ') => FormEvent::Selected(i),
                KeyCode::Enter => self.focus_next(),
                _ => FormEvent::None,
            },
            Kind::Button => match key.code {
                KeyCode::Enter | KeyCode::Char(' ') => FormEvent::Pressed(i),
                KeyCode::Left => self.focus_prev(),
                KeyCode::Right => self.focus_next(),
                _ => FormEvent::None,
            },
        }
    }

    /// Pasted text goes into the focused text field.
    pub fn paste(&mut self, text: &str) -> FormEvent {
        let i = self.focus;
        if let Kind::Text(field) = &mut self.controls[i].kind {
            if field.insert_str(text) {
                self.controls[i].error = None;
                return FormEvent::Edited(i);
            }
        }
        FormEvent::None
    }

    /// A tap: focuses the control, toggles a checkbox, picks a radio option, presses a button.
    /// `option` is the radio option tapped, `column` the column inside a text field's box.
    pub fn tap(
        &mut self,
        i: usize,
        option: Option<usize>,
        column: Option<(usize, usize)>,
    ) -> Vec<FormEvent> {
        let mut events = Vec::new();
        let moved = self.focus_to(i);
        if moved != FormEvent::None {
            events.push(moved);
        }
        match &mut self.controls[i].kind {
            Kind::Text(field) => {
                if let Some((col, width)) = column {
                    field.set_cursor_at_column(col, width);
                }
            }
            Kind::Checkbox(on) => {
                *on = !*on;
                self.controls[i].error = None;
                events.push(FormEvent::Toggled(i));
            }
            Kind::Radio { options, selected } => {
                if let Some(o) = option.filter(|o| *o < options.len()) {
                    *selected = o;
                    events.push(FormEvent::Selected(i));
                }
            }
            Kind::Button => events.push(FormEvent::Pressed(i)),
        }
        events
    }

    /// Empties every text field and error (the idle wipe).
    pub fn wipe(&mut self) {
        for c in &mut self.controls {
            if let Kind::Text(f) = &mut c.kind {
                f.clear();
            }
            c.error = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEventKind;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn form() -> Form {
        Form::new(vec![
            Control::radio("lang", "x", vec!["a", "b"], 0),
            Control::text("a", "x", TextField::new(5)),
            Control::checkbox("c", "x"),
            Control::button("ok", "x"),
            Control::button("back", "x"),
        ])
    }

    #[test]
    fn opens_on_first_text_field_and_cycles() {
        let mut f = form();
        assert_eq!(f.focused_id(), "a");
        assert_eq!(
            f.handle_key(&key(KeyCode::Tab)),
            FormEvent::Moved { from: 1 }
        );
        assert_eq!(f.focused_id(), "c");
        f.handle_key(&key(KeyCode::Down));
        assert_eq!(f.focused_id(), "ok");
        f.handle_key(&key(KeyCode::Right));
        assert_eq!(f.focused_id(), "back");
        f.handle_key(&key(KeyCode::Tab));
        assert_eq!(f.focused_id(), "lang", "wraps around");
        f.handle_key(&key(KeyCode::BackTab));
        assert_eq!(f.focused_id(), "back");
        f.handle_key(&key(KeyCode::Up));
        assert_eq!(f.focused_id(), "ok");
    }

    #[test]
    fn enter_moves_on_in_fields_and_presses_buttons() {
        let mut f = form();
        f.handle_key(&key(KeyCode::Enter));
        assert_eq!(f.focused_id(), "c");
        f.handle_key(&key(KeyCode::Enter));
        assert_eq!(f.focused_id(), "ok");
        assert_eq!(f.handle_key(&key(KeyCode::Enter)), FormEvent::Pressed(3));
        assert_eq!(
            f.handle_key(&key(KeyCode::Char(' '))),
            FormEvent::Pressed(3)
        );
        assert_eq!(f.handle_key(&key(KeyCode::Esc)), FormEvent::Back);
    }

    #[test]
    fn space_toggles_checkbox_and_arrows_move_radio() {
        let mut f = form();
        f.focus_id("c");
        f.handle_key(&key(KeyCode::Char(' ')));
        assert!(f.checked("c"));
        f.handle_key(&key(KeyCode::Char(' ')));
        assert!(!f.checked("c"));
        f.focus_id("lang");
        assert_eq!(f.handle_key(&key(KeyCode::Right)), FormEvent::Selected(0));
        assert_eq!(f.selected("lang"), 1);
        assert_eq!(
            f.handle_key(&key(KeyCode::Right)),
            FormEvent::None,
            "stays at the end"
        );
        f.handle_key(&key(KeyCode::Left));
        assert_eq!(f.selected("lang"), 0);
    }

    #[test]
    fn typing_is_normalised_and_capped() {
        let mut f = form();
        for c in "ＡＢ１２３４５".chars() {
            f.handle_key(&KeyEvent {
                code: KeyCode::Char(c),
                modifiers: KeyModifiers::NONE,
                kind: KeyEventKind::Press,
                state: ratatui::crossterm::event::KeyEventState::NONE,
            });
        }
        assert_eq!(f.value("a"), "AB123", "NFKC and the 5-character maximum");
        f.paste("\u{1b}[31mzz");
        assert_eq!(f.value("a"), "AB123");
        f.handle_key(&key(KeyCode::Backspace));
        f.paste("\u{1b}x");
        assert_eq!(f.value("a"), "AB12x", "escape dropped");
    }

    #[test]
    fn taps_focus_toggle_select_and_press() {
        let mut f = form();
        assert_eq!(
            f.tap(2, None, None),
            vec![FormEvent::Moved { from: 1 }, FormEvent::Toggled(2)]
        );
        assert!(f.checked("c"));
        assert_eq!(
            f.tap(0, Some(1), None),
            vec![FormEvent::Moved { from: 2 }, FormEvent::Selected(0)]
        );
        assert_eq!(f.selected("lang"), 1);
        assert_eq!(
            f.tap(4, None, None),
            vec![FormEvent::Moved { from: 0 }, FormEvent::Pressed(4)]
        );
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
