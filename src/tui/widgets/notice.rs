//! The one shape of a message on a screen: a [`Msg`] and its tone. A screen keeps its message as
//! `Option<Notice>` (drawn with [`row`]) and a done screen its lines as `Vec<Notice>` (each drawn
//! with [`Notice::text_row`]).

use ratatui::style::Style;

use super::page::Row;
use crate::domain::{Lang, Msg};
use crate::tui::i18n::msg;
use crate::tui::theme;

/// How a message is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Something to correct, or a refusal (red).
    Error,
    /// Good news (green).
    Ok,
    /// A hint or an aside.
    Info,
    /// Plain text.
    Text,
}

impl Tone {
    pub fn style(self) -> Style {
        match self {
            Tone::Error => theme::error(),
            Tone::Ok => theme::ok(),
            Tone::Info => theme::info(),
            Tone::Text => theme::text(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub msg: Msg,
    pub tone: Tone,
}

impl Notice {
    pub fn new(msg: impl Into<Msg>, tone: Tone) -> Self {
        Notice {
            msg: msg.into(),
            tone,
        }
    }

    pub fn error(msg: impl Into<Msg>) -> Self {
        Notice::new(msg, Tone::Error)
    }

    pub fn ok(msg: impl Into<Msg>) -> Self {
        Notice::new(msg, Tone::Ok)
    }

    pub fn info(msg: impl Into<Msg>) -> Self {
        Notice::new(msg, Tone::Info)
    }

    pub fn text(msg: impl Into<Msg>) -> Self {
        Notice::new(msg, Tone::Text)
    }

    pub fn is_error(&self) -> bool {
        self.tone == Tone::Error
    }

    /// The message as a wrapped line of text in its tone (a done screen's lines).
    pub fn text_row(&self, lang: Lang) -> Row {
        Row::Text(msg(lang, &self.msg), self.tone.style())
    }
}

/// A screen's message row: one row (kept when empty, so the screen does not jump), or more when a
/// long message wraps.
pub fn row(lang: Lang, notice: &Option<Notice>) -> Row {
    Row::Message(notice.as_ref().map(|n| (msg(lang, &n.msg), n.tone.style())))
}
