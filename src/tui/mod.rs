//! The full-screen terminal interface: screens, widgets, theme, messages, and the runtime that owns the
//! terminal (raw mode, alternate screen, mouse) and always gives it back.
//!
//! `screens/` (one file per screen, listed in the `Screen` enum; `screens/action.rs`: what a screen
//! asks of the app, and background tasks), `app/` (the stack of screens, input, tasks, the session),
//! `nav.rs` (the member's navigation table, checked by the app), `widgets/` (forms, layout, chrome).

pub mod app;
pub mod look;
pub mod nav;
pub mod probe;
pub mod redraw;
pub mod screens;
pub mod symbols;
pub mod tasks;
pub mod terminal;
pub mod theme;
pub mod widgets;

/// The message catalogue, under the name the screens have always used (`crate::tui::i18n::tr`).
pub use crate::i18n;
pub use app::{App, AppEvent, AppOptions, BOUNCE, Target};
pub use screens::{Page, Screen};
pub use terminal::run;
