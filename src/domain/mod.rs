//! Pure domain rules: validation, policies and the wizard's state machine.
//!
//! Nothing in this module performs I/O or reads the clock; callers pass `today`/`now` in. Every rule
//! reports failures as a [`Msg`]: a message-catalogue key plus named arguments, which the TUI renders in
//! the member's language (see `assets/i18n/*/rules.toml`).

pub mod account_flow;
pub mod backoff;
pub mod birthdate;
pub mod credential;
pub mod email;
pub mod household;
pub mod insurer;
pub mod lockout;
pub mod password;
pub mod staff;
pub mod text;
pub mod user_id;
pub mod wizard;

use std::fmt;

/// The two languages of the kiosk. Japanese is the default everywhere.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Ja,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Ja, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "ja" | "jp" | "japanese" | "日本語" => Some(Lang::Ja),
            "en" | "english" => Some(Lang::En),
            _ => None,
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A message to show a person: a catalogue key and its named arguments (`{name}` in the catalogue).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl Msg {
    pub fn new(key: &'static str) -> Self {
        Msg {
            key,
            args: Vec::new(),
        }
    }

    pub fn arg(mut self, name: &'static str, value: impl ToString) -> Self {
        self.args.push((name, value.to_string()));
        self
    }
}

impl From<&'static str> for Msg {
    fn from(key: &'static str) -> Self {
        Msg::new(key)
    }
}
