//! A screen's form with its controls named by the screen's own enum (declared with [`controls!`]),
//! so that a misspelt control is a compile error and a menu item is a name, not a position.
//!
//! [`Fields`] wraps the untyped [`Form`] (which the app and the page layout use) and turns its
//! events into [`Event`]s that carry the control's id:
//!
//! ```ignore
//! controls! { pub enum Ctl { UserId = "user_id", Login = "login" } }
//! let form = Fields::new(vec![
//!     Control::text(Ctl::UserId, key!("login.user_id"), TextField::new(32)),
//!     Control::button(Ctl::Login, key!("login.submit")),
//! ]);
//! match form.event(ev) { Event::Pressed(Ctl::Login) => …, _ => … }
//! ```

use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

pub use super::form::ControlId;
use super::form::{Control, Form, FormEvent, Kind, TextField};
use super::page::Row;
use crate::domain::Msg;

/// Declares a screen's control ids: `controls! { pub enum Ctl { UserId = "user_id", … } }`.
#[macro_export]
macro_rules! controls {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $crate::tui::widgets::form::ControlId for $name {
            fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

/// What a key, paste or tap did, named by the control's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event<I> {
    None,
    /// The value of a text field changed.
    Edited(I),
    /// Focus left this control (a text field left is checked by the screen).
    Left(I),
    Toggled(I),
    Selected(I),
    Pressed(I),
    /// Esc.
    Back,
    PageUp,
    PageDown,
}

/// A form whose controls are named by `I`.
#[derive(Debug, Clone)]
pub struct Fields<I> {
    form: Form,
    ids: PhantomData<I>,
}

impl<I> Deref for Fields<I> {
    type Target = Form;
    fn deref(&self) -> &Form {
        &self.form
    }
}

impl<I> DerefMut for Fields<I> {
    fn deref_mut(&mut self) -> &mut Form {
        &mut self.form
    }
}

impl<I: ControlId> Fields<I> {
    /// The controls in focus order; the form opens on its first text field.
    pub fn new(controls: Vec<Control>) -> Self {
        debug_assert!(
            controls.iter().all(|c| I::from_name(c.name).is_some()),
            "every control is named by the screen's id"
        );
        Fields {
            form: Form::new(controls),
            ids: PhantomData,
        }
    }

    /// The untyped form (the app, the page layout).
    pub fn form(&self) -> &Form {
        &self.form
    }

    pub fn form_mut(&mut self) -> &mut Form {
        &mut self.form
    }

    /// Whether the form holds this control now (forms may change with a choice or a phase).
    pub fn has(&self, id: I) -> bool {
        self.form.position(id.name()).is_some()
    }

    /// The control's position. Panics when the form does not hold it (a screen's bug).
    pub fn index(&self, id: I) -> usize {
        self.form
            .position(id.name())
            .unwrap_or_else(|| panic!("the form holds no {id:?}"))
    }

    /// The id of the control at `i`.
    pub fn id(&self, i: usize) -> I {
        I::from_name(self.form.controls[i].name).expect("a control named by the screen's id")
    }

    pub fn get(&self, id: I) -> &Control {
        &self.form.controls[self.index(id)]
    }

    pub fn get_mut(&mut self, id: I) -> &mut Control {
        let i = self.index(id);
        &mut self.form.controls[i]
    }

    pub fn field(&self, id: I) -> &TextField {
        match &self.get(id).kind {
            Kind::Text(f) => f,
            _ => panic!("{id:?} is not a text field"),
        }
    }

    pub fn field_mut(&mut self, id: I) -> &mut TextField {
        match &mut self.get_mut(id).kind {
            Kind::Text(f) => f,
            _ => panic!("{id:?} is not a text field"),
        }
    }

    pub fn value(&self, id: I) -> &str {
        self.field(id).value()
    }

    pub fn checked(&self, id: I) -> bool {
        matches!(self.get(id).kind, Kind::Checkbox(true))
    }

    pub fn selected(&self, id: I) -> usize {
        match self.get(id).kind {
            Kind::Radio { selected, .. } => selected,
            _ => 0,
        }
    }

    pub fn set_selected(&mut self, id: I, index: usize) {
        if let Kind::Radio { options, selected } = &mut self.get_mut(id).kind {
            *selected = index.min(options.len().saturating_sub(1));
        }
    }

    pub fn set_error(&mut self, id: I, error: Option<Msg>) {
        self.get_mut(id).error = error;
    }

    pub fn set_info(&mut self, id: I, info: Option<Msg>, ok: bool) {
        let c = self.get_mut(id);
        c.info = info;
        c.info_ok = ok;
    }

    pub fn set_dimmed(&mut self, id: I, dimmed: bool) {
        self.get_mut(id).dimmed = dimmed;
    }

    pub fn focused(&self) -> I {
        self.id(self.form.focus)
    }

    pub fn is_focused(&self, id: I) -> bool {
        self.focused() == id
    }

    /// Moves focus to `id` (leaving a text field re-normalises it).
    pub fn focus(&mut self, id: I) {
        let i = self.index(id);
        self.form.focus_to(i);
    }

    /// Inserts a control at `at`, keeping focus on the control it was on.
    pub fn insert(&mut self, at: usize, control: Control) {
        self.form.controls.insert(at, control);
        if self.form.focus >= at {
            self.form.focus += 1;
        }
    }

    /// Keeps only the controls `keep` says yes to.
    pub fn retain(&mut self, mut keep: impl FnMut(I) -> bool) {
        self.form
            .controls
            .retain(|c| I::from_name(c.name).is_some_and(&mut keep));
        self.form.focus = self
            .form
            .focus
            .min(self.form.controls.len().saturating_sub(1));
    }

    /// The typed form of an event of the untyped form.
    pub fn event(&self, ev: FormEvent) -> Event<I> {
        match ev {
            FormEvent::None => Event::None,
            FormEvent::Edited(i) => Event::Edited(self.id(i)),
            FormEvent::Moved { from } => Event::Left(self.id(from)),
            FormEvent::Toggled(i) => Event::Toggled(self.id(i)),
            FormEvent::Selected(i) => Event::Selected(self.id(i)),
            FormEvent::Pressed(i) => Event::Pressed(self.id(i)),
            FormEvent::Back => Event::Back,
            FormEvent::PageUp => Event::PageUp,
            FormEvent::PageDown => Event::PageDown,
        }
    }

    /// A row with this control on it.
    pub fn row(&self, id: I) -> Row {
        Row::Control(self.index(id))
    }

    /// The row under this control: its error, or its hint.
    pub fn note(&self, id: I) -> Row {
        Row::Note(self.index(id))
    }

    /// These buttons side by side.
    pub fn buttons(&self, ids: &[I]) -> Row {
        Row::Buttons(ids.iter().map(|id| self.index(*id)).collect())
    }

    /// Every button of the form side by side, in focus order.
    pub fn all_buttons(&self) -> Row {
        Row::Buttons(
            self.form
                .controls
                .iter()
                .enumerate()
                .filter(|(_, c)| matches!(c.kind, Kind::Button))
                .map(|(i, _)| i)
                .collect(),
        )
    }
}
