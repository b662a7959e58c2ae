//! Pure domain rules: validation, policies, text and words. No navigation: the member's pages and
//! their moves are the TUI's (`tui::nav`).
//!
//! Nothing in this module performs I/O or reads the clock; callers pass `today`/`now` in. Every rule
//! reports failures as a [`Msg`]: a message-catalogue key plus named arguments, which the TUI renders in
//! the member's language (see `assets/i18n/*/rules.toml`).

pub mod audit_words;
pub mod backoff;
pub mod birthdate;
pub mod credential;
pub mod email;
pub mod expenses;
pub mod household;
pub mod insurer;
pub mod lockout;
pub mod mail_words;
pub mod password;
pub mod staff;
pub mod text;
pub mod user_id;

pub use crate::i18n::{Lang, Msg};
