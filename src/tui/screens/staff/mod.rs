//! The staff console's screens (`kosmo-kiosk staff`, run by SSH): login, the menu, the start of an assisted
//! registration, reissue, unlock, mail delivery and the audit log. Like every screen they do no I/O: what
//! needs the store is a [`Task`](crate::tui::screens::Task) whose result comes back to the screen.
//!
//! Everything shown here that came from the store (names, IDs, addresses, SMTP replies, audit details) goes
//! through [`neutralize`] before it reaches the staff terminal.

pub mod audit;
pub mod household;
pub mod login;
pub mod mail;
pub mod member;
pub mod menu;
pub mod reissue;
pub mod start;
pub mod unlock;

use crate::domain::text::neutralize;
use crate::tui::screens::Action;
use crate::tui::screens::Page;
use crate::tui::widgets::notice::Notice;

pub use crate::dates::jst_minute as jst;

/// Text from the store, made safe for the staff terminal and cut to `cols` display columns.
pub fn safe(s: &str, cols: usize) -> String {
    crate::tui::symbols::shown_cut(&neutralize(s), cols)
}

/// The inner width of a panel on a screen `width` columns wide (margins and borders off).
pub fn panel_width(width: u16) -> usize {
    width.saturating_sub(6).max(20) as usize
}

/// [戻る] on a staff page: the staff menu as it was, on a cleared terminal.
pub fn back_to_menu() -> Action {
    Action::All(vec![Action::BackTo(Page::StaffMenu), Action::Clear])
}

/// A task of the console failed: logged, and one sentence on the page in view.
pub fn system_error(what: &str, e: impl std::fmt::Display) -> Action {
    tracing::error!(error = %e, "staff console: {what} failed");
    Action::Notice(Notice::error("staff.system_error"))
}
