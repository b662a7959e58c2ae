//! The full-screen terminal interface: screens, widgets, theme, messages, and the runtime that owns the
//! terminal (raw mode, alternate screen, mouse) and always gives it back.

pub mod app;
pub mod i18n;
pub mod look;
pub mod probe;
pub mod screens;
pub mod symbols;
pub mod terminal;
pub mod theme;
pub mod widgets;

pub use app::{App, AppEvent, AppOptions};
pub use terminal::run;
