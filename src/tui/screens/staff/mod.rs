//! The staff console's screens (`kosmo-kiosk staff`, run by SSH): login, the menu, the start of an assisted
//! registration, reissue, unlock, mail delivery and the audit log. Like every screen they do no I/O: they
//! return [`StaffAction`]s (inside [`super::Action::Staff`]) that the app performs on a task thread.
//!
//! Everything shown here that came from the store (names, IDs, addresses, SMTP replies, audit details) goes
//! through [`neutralize`] before it reaches the staff terminal.

pub mod audit;
pub mod login;
pub mod mail;
pub mod menu;
pub mod reissue;
pub mod start;
pub mod unlock;

use zeroize::Zeroizing;

use crate::domain::text::neutralize;
use crate::domain::{Lang, Msg};
use crate::services::audit::AuditQuery;
use crate::services::households::HouseholdQuery;
use crate::store::outbox::MailState;
use crate::tui::i18n::msg;
use crate::tui::theme;
use crate::tui::widgets::page::Row;

/// A staff console page (shown instead of the wizard's pages while set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StaffPage {
    Login,
    Menu,
    Start,
    Reissue,
    Unlock,
    Mail,
    Audit,
}

/// What a staff screen asks the app to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaffAction {
    Login {
        staff_id: String,
        password: Zeroizing<String>,
    },
    /// Leave the program (the SSH session ends).
    Quit,
    Logout,
    Open(StaffPage),
    BackToMenu,
    /// The member's postcard credential: starts the wizard at STEP3.
    StartRegistration {
        temp_id: String,
        temp_password: Zeroizing<String>,
    },
    Search(HouseholdQuery),
    Reissue(i64),
    /// Start an assisted registration with the credential just reissued.
    RegisterReissued,
    LockLookup(String),
    Unlock(String),
    MailList(Option<MailState>),
    Requeue {
        id: i64,
        filter: Option<MailState>,
    },
    Audit(AuditQuery),
}

pub use crate::dates::jst_minute as jst;

/// Text from the store, made safe for the staff terminal and cut to `cols` display columns.
pub fn safe(s: &str, cols: usize) -> String {
    crate::tui::symbols::shown_cut(&neutralize(s), cols)
}

/// The message row of a staff screen (an error in red, good news in green).
pub fn message_row(lang: Lang, m: &Option<(Msg, bool)>) -> Row {
    Row::Message(m.as_ref().map(|(m, err)| {
        (
            msg(lang, m),
            if *err { theme::error() } else { theme::ok() },
        )
    }))
}

/// The inner width of a panel on a screen `width` columns wide (margins and borders off).
pub fn panel_width(width: u16) -> usize {
    width.saturating_sub(6).max(20) as usize
}
