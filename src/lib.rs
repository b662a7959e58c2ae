//! kosmo-kiosk: members of a health insurance society register for the member web service in a
//! five-step terminal wizard.
//!
//! Layers, each using only those above it in this list:
//! - [`domain`]: pure rules (validation, policies, the wizard's state machine); no I/O.
//! - [`store`]: SQLite, migrations, transactions.
//! - [`services`]: registration, login and lockout, credentials, import, mail.
//! - [`tui`] (screens, widgets, theme, messages), [`plain`] (line-by-line prompts for screen
//!   readers) and [`cli`] on top.

pub mod cli;
pub mod clock;
pub mod config;
pub mod dates;
pub mod domain;
pub mod files;
pub mod i18n;
pub mod logging;
pub mod plain;
pub mod process;
pub mod services;
pub mod store;
pub mod tui;
