//! The full-screen terminal interface: screens, widgets, theme, messages, and the runtime that owns the
//! terminal (raw mode, alternate screen, mouse) and always gives it back.

pub mod app;
pub mod look;
pub mod probe;
pub mod screens;
pub mod symbols;
pub mod terminal;
pub mod theme;
pub mod widgets;

/// The message catalogue, under the name the screens have always used (`crate::tui::i18n::tr`).
pub use crate::i18n;
pub use app::{App, AppEvent, AppOptions};
pub use terminal::run;
