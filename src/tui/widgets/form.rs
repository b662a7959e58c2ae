//! A form: the controls of a screen in focus order, and the one keyboard grammar of every screen.
//!
//! Tab/↓ next control, Shift-Tab/↑ previous; Enter in a text field or on a checkbox/radio moves to the
//! next control, on a button presses it; Space toggles a checkbox or picks the focused radio option;
//! ←/→ move within a radio group (the selection follows, as in a browser) and move the cursor in a text
//! field; Esc goes back; PgUp/PgDn scroll the screen's panel.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use crate::domain::Msg;

pub use super::text_field::TextField;

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
    use ratatui::crossterm::event::{KeyEventKind, KeyModifiers};

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
}
