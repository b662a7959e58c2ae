//! A form: the controls of a screen in focus order, and the one keyboard grammar of every screen.
//!
//! Tab/↓ next control, Shift-Tab/↑ previous; Enter in a text field moves to the next control, and
//! when that is the form's main button (its first button) presses it at once, as a web form submits
//! on Enter; Enter on an unticked checkbox ticks it and moves on (on a ticked one, or a radio group,
//! it moves on); Enter on a button presses it; Space toggles a checkbox or picks the focused radio option;
//! ←/→ move within a radio group (the selection follows, as in a browser) and move the cursor in a text
//! field; Esc goes back; PgUp/PgDn scroll the screen's panel.
//!
//! This is the untyped core the app and the page layout work with (controls by position). Screens
//! name their controls with an enum and use the typed view over it, [`super::fields::Fields`].

use ratatui::crossterm::event::{KeyCode, KeyEvent};

pub use super::text_field::TextField;
use crate::domain::Msg;

/// The id of a control: an enum per screen (see the `controls!` macro).
pub trait ControlId: Copy + Eq + std::fmt::Debug + 'static {
    /// The control's name: unique in its form; what tests and logs use, and what a service names
    /// in a `RuleViolation::field`.
    fn name(self) -> &'static str;
    /// The id of that name, if this enum has one.
    fn from_name(name: &str) -> Option<Self>;
}

/// Plain names, for forms that are not a screen's (the widgets' own tests).
impl ControlId for &'static str {
    fn name(self) -> &'static str {
        self
    }
    fn from_name(_: &str) -> Option<Self> {
        None
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
    /// The name of the screen's id for this control (`ControlId::name`): for tests and logs.
    pub name: &'static str,
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
    /// A button's own caption instead of its label's message: an entry of a list made of data
    /// (a month of 医療費照会 with its amounts), already in the member's language.
    pub caption: Option<String>,
}

impl Control {
    fn new(id: impl ControlId, label: &'static str, kind: Kind) -> Self {
        Control {
            name: id.name(),
            label,
            kind,
            error: None,
            info: None,
            info_ok: false,
            dimmed: false,
            caption: None,
        }
    }

    pub fn text(id: impl ControlId, label: &'static str, field: TextField) -> Self {
        Control::new(id, label, Kind::Text(field))
    }

    pub fn checkbox(id: impl ControlId, label: &'static str) -> Self {
        Control::new(id, label, Kind::Checkbox(false))
    }

    pub fn radio(
        id: impl ControlId,
        label: &'static str,
        options: Vec<&'static str>,
        selected: usize,
    ) -> Self {
        Control::new(id, label, Kind::Radio { options, selected })
    }

    pub fn button(id: impl ControlId, label: &'static str) -> Self {
        Control::new(id, label, Kind::Button)
    }

    /// A button that shows `caption` (text made from data, in the member's language); `label` is
    /// the message key that names it for logs and the screen reader's prompts.
    pub fn button_caption(id: impl ControlId, label: &'static str, caption: String) -> Self {
        Control {
            caption: Some(caption),
            ..Control::new(id, label, Kind::Button)
        }
    }

    /// What a button shows: its own caption, else its label's message.
    pub fn caption(&self, lang: crate::domain::Lang) -> &str {
        match &self.caption {
            Some(c) => c,
            None => crate::i18n::tr(lang, self.label),
        }
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

    /// The position of the control named `name`, if there is one.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.controls.iter().position(|c| c.name == name)
    }

    /// The name of the focused control (tests and logs; screens use `Fields::focused`).
    pub fn focused_name(&self) -> &'static str {
        self.controls[self.focus].name
    }

    /// The value of the text field named `name` (tests; screens use `Fields::value`).
    pub fn value_named(&self, name: &str) -> Option<&str> {
        match &self.controls[self.position(name)?].kind {
            Kind::Text(f) => Some(f.value()),
            _ => None,
        }
    }

    /// The text field at position `i`, if it is one.
    pub fn text_at(&self, i: usize) -> Option<&TextField> {
        match &self.controls.get(i)?.kind {
            Kind::Text(f) => Some(f),
            _ => None,
        }
    }

    /// True when no text field holds anything (the start screens' "nothing entered").
    pub fn all_empty(&self) -> bool {
        self.controls
            .iter()
            .all(|c| !matches!(&c.kind, Kind::Text(t) if !t.is_empty()))
    }

    /// The form's main button: its first button ([ログイン], [確認], [入力内容確認], …), which Enter
    /// in the text field just before it presses.
    pub fn main_button(&self) -> Option<usize> {
        self.controls
            .iter()
            .position(|c| matches!(c.kind, Kind::Button))
    }

    /// Moves focus to control `to`. Leaving a text field re-normalises its value (and forgets a
    /// refusal for its length: the note under it goes back to its hint).
    pub fn focus_to(&mut self, to: usize) -> FormEvent {
        let to = to.min(self.controls.len().saturating_sub(1));
        if to == self.focus {
            return FormEvent::None;
        }
        let from = self.focus;
        if let Kind::Text(f) = &mut self.controls[from].kind {
            f.normalize_value();
            f.forget_refusal();
        }
        self.focus = to;
        FormEvent::Moved { from }
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
                KeyCode::Enter => {
                    let next = (i + 1) % self.controls.len();
                    let moved = self.focus_next();
                    if self.main_button() == Some(next) && next != i {
                        FormEvent::Pressed(next)
                    } else {
                        moved
                    }
                }
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
                // Enter ticks an unticked box and moves on: a member who only knows Enter
                // agrees and goes on to the button, never round in a loop.
                KeyCode::Enter if !*on => {
                    *on = true;
                    self.controls[i].error = None;
                    self.focus_next();
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

    /// Pasted text goes into the focused text field: whole, or — too long for it — not at all (the
    /// field then says its maximum).
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

    /// Replaces the value of the text field at `i` (the birth-date picker writes its date).
    pub fn set_text(&mut self, i: usize, value: &str) -> FormEvent {
        match self.controls.get_mut(i) {
            Some(c) => match &mut c.kind {
                Kind::Text(field) if field.value() != value => {
                    field.set_value(value);
                    c.error = None;
                    FormEvent::Edited(i)
                }
                _ => FormEvent::None,
            },
            None => FormEvent::None,
        }
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
    use crate::tui::widgets::fields::Fields;
    use ratatui::crossterm::event::{KeyEventKind, KeyModifiers};

    crate::controls! {
        enum T { Lang = "lang", A = "a", C = "c", Ok = "ok", Back = "back" }
    }

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn form() -> Fields<T> {
        Fields::new(vec![
            Control::radio(T::Lang, "x", vec!["a", "b"], 0),
            Control::text(T::A, "x", TextField::new(5)),
            Control::checkbox(T::C, "x"),
            Control::button(T::Ok, "x"),
            Control::button(T::Back, "x"),
        ])
    }

    #[test]
    fn opens_on_first_text_field_and_cycles() {
        let mut f = form();
        assert_eq!(f.focused(), T::A);
        assert_eq!(
            f.handle_key(&key(KeyCode::Tab)),
            FormEvent::Moved { from: 1 }
        );
        assert_eq!(f.focused(), T::C);
        f.handle_key(&key(KeyCode::Down));
        assert_eq!(f.focused(), T::Ok);
        f.handle_key(&key(KeyCode::Right));
        assert_eq!(f.focused(), T::Back);
        f.handle_key(&key(KeyCode::Tab));
        assert_eq!(f.focused(), T::Lang, "wraps around");
        f.handle_key(&key(KeyCode::BackTab));
        assert_eq!(f.focused(), T::Back);
        f.handle_key(&key(KeyCode::Up));
        assert_eq!(f.focused(), T::Ok);
    }

    #[test]
    fn enter_moves_on_in_fields_and_presses_buttons() {
        let mut f = form();
        f.handle_key(&key(KeyCode::Enter));
        assert_eq!(f.focused(), T::C);
        // Enter on the unticked box ticks it and moves on.
        assert_eq!(f.handle_key(&key(KeyCode::Enter)), FormEvent::Toggled(2));
        assert!(f.checked(T::C));
        assert_eq!(f.focused(), T::Ok);
        // On a ticked box it only moves on (it never unticks).
        f.focus(T::C);
        assert_eq!(
            f.handle_key(&key(KeyCode::Enter)),
            FormEvent::Moved { from: 2 }
        );
        assert!(f.checked(T::C));
        assert_eq!(f.focused(), T::Ok);
        assert_eq!(f.handle_key(&key(KeyCode::Enter)), FormEvent::Pressed(3));
        assert_eq!(
            f.handle_key(&key(KeyCode::Char(' '))),
            FormEvent::Pressed(3)
        );
        assert_eq!(f.handle_key(&key(KeyCode::Esc)), FormEvent::Back);
    }

    #[test]
    fn enter_in_the_field_before_the_main_button_presses_it() {
        let mut f: Fields<T> = Fields::new(vec![
            Control::text(T::A, "x", TextField::new(5)),
            Control::text(T::C, "x", TextField::new(5)),
            Control::button(T::Ok, "x"),
            Control::button(T::Back, "x"),
        ]);
        // The first field's next control is a field: Enter moves on.
        assert_eq!(
            f.handle_key(&key(KeyCode::Enter)),
            FormEvent::Moved { from: 0 }
        );
        // The last field's next control is the main button: one Enter presses it.
        assert_eq!(f.handle_key(&key(KeyCode::Enter)), FormEvent::Pressed(2));
        assert_eq!(f.focused(), T::Ok);
        // A field before a button that is not the main one only moves on.
        let mut g: Fields<T> = Fields::new(vec![
            Control::button(T::Ok, "x"),
            Control::text(T::A, "x", TextField::new(5)),
            Control::button(T::Back, "x"),
        ]);
        assert_eq!(
            g.handle_key(&key(KeyCode::Enter)),
            FormEvent::Moved { from: 1 }
        );
        assert_eq!(g.focused(), T::Back);
    }

    #[test]
    fn a_field_refuses_what_does_not_fit_and_says_so_until_left() {
        let mut f = form();
        f.paste("abc");
        // A paste that would go past the maximum goes in not at all (never cut).
        assert_eq!(f.paste("defg"), FormEvent::None);
        assert_eq!(f.value(T::A), "abc");
        assert!(f.field(T::A).limit_reached() && f.field(T::A).refused());
        // What fits goes in; the field is then full and still says so.
        assert_eq!(f.paste("de"), FormEvent::Edited(1));
        assert!(f.field(T::A).limit_reached() && !f.field(T::A).refused());
        assert_eq!(f.handle_key(&key(KeyCode::Char('x'))), FormEvent::None);
        assert_eq!(f.value(T::A), "abcde");
        assert!(f.field(T::A).refused());
        // Deleting makes room: no more refusal.
        f.handle_key(&key(KeyCode::Backspace));
        assert!(!f.field(T::A).limit_reached());
        f.paste("zzzz");
        assert!(f.field(T::A).refused());
        f.handle_key(&key(KeyCode::Tab));
        assert!(!f.field(T::A).refused(), "forgotten once the field is left");
    }

    #[test]
    fn space_toggles_checkbox_and_arrows_move_radio() {
        let mut f = form();
        f.focus(T::C);
        f.handle_key(&key(KeyCode::Char(' ')));
        assert!(f.checked(T::C));
        f.handle_key(&key(KeyCode::Char(' ')));
        assert!(!f.checked(T::C));
        f.focus(T::Lang);
        assert_eq!(f.handle_key(&key(KeyCode::Right)), FormEvent::Selected(0));
        assert_eq!(f.selected(T::Lang), 1);
        assert_eq!(
            f.handle_key(&key(KeyCode::Right)),
            FormEvent::None,
            "stays at the end"
        );
        f.handle_key(&key(KeyCode::Left));
        assert_eq!(f.selected(T::Lang), 0);
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
        assert_eq!(f.value(T::A), "AB123", "NFKC and the 5-character maximum");
        f.paste("\u{1b}[31mzz");
        assert_eq!(f.value(T::A), "AB123");
        f.handle_key(&key(KeyCode::Backspace));
        f.paste("\u{1b}x");
        assert_eq!(f.value(T::A), "AB12x", "escape dropped");
        f.handle_key(&key(KeyCode::Backspace));
        f.paste("\u{1b}[31mzz");
        assert_eq!(
            f.value(T::A),
            "AB12",
            "refused whole: 5 characters would not fit"
        );
    }

    #[test]
    fn taps_focus_toggle_select_and_press() {
        let mut f = form();
        assert_eq!(
            f.tap(2, None, None),
            vec![FormEvent::Moved { from: 1 }, FormEvent::Toggled(2)]
        );
        assert!(f.checked(T::C));
        assert_eq!(
            f.tap(0, Some(1), None),
            vec![FormEvent::Moved { from: 2 }, FormEvent::Selected(0)]
        );
        assert_eq!(f.selected(T::Lang), 1);
        assert_eq!(
            f.tap(4, None, None),
            vec![FormEvent::Moved { from: 0 }, FormEvent::Pressed(4)]
        );
    }
}
