//! The screens. Each keeps its state (a [`Form`] and a little more), updates it on a form event, and
//! describes its body as [`Row`]s that the shared page layout draws; none does I/O. What needs the store
//! comes back to the app as an [`Action`].

pub mod account;
pub mod account_done;
pub mod confirm;
pub mod details;
pub mod done;
pub mod forgot;
pub mod forgot_code;
pub mod identity;
pub mod login;
pub mod menu;
pub mod password_change;
pub mod profile;
pub mod profile_confirm;
pub mod staff;

use time::Date;
use zeroize::Zeroizing;

use crate::config::Config;
use crate::domain::insurer::InsurerNumber;
use crate::domain::wizard::Step;
use crate::domain::{Lang, Msg};
use crate::tui::widgets::form::{Form, FormEvent};
use crate::tui::widgets::page::Row;

/// What a screen may read while it updates or draws.
#[derive(Debug, Clone, Copy)]
pub struct Cx<'a> {
    pub lang: Lang,
    pub config: &'a Config,
    pub today: Date,
    /// The terminal's width, for text that is wrapped before layout (the terms panel).
    pub width: u16,
}

/// What a screen asks the app to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    None,
    SetLang(Lang),
    Login {
        id: String,
        password: Zeroizing<String>,
    },
    ForgotPassword,
    CheckIdentity {
        insurer: InsurerNumber,
        birth_date: Date,
    },
    /// Leave the registration (STEP3 [戻る]).
    CancelRegistration,
    /// Is this user ID still free? (STEP4, when the field is left)
    CheckUserId(String),
    /// STEP4 is valid: show the confirm screen.
    ToConfirm,
    BackToIdentity,
    /// [実行]
    Execute,
    BackToDetails,
    ToMenu,
    Logout,
    /// Something in the member's account area (profile, password change, forgotten password).
    Account(account::AccountAction),
    /// A message for the member, shown by the app (used by screens of later features).
    Notice(Msg),
    /// Something only the staff console does.
    Staff(staff::StaffAction),
}

/// The common face of every screen.
pub trait Screen {
    fn form(&self) -> &Form;
    fn form_mut(&mut self) -> &mut Form;
    /// Message key of the title shown in the header.
    fn title_key(&self) -> &'static str;
    /// The wizard step shown in the progress header, if the screen is one.
    fn step(&self) -> Option<Step> {
        None
    }
    /// Message key of the key hints in the footer.
    fn hints_key(&self) -> &'static str {
        "common.hints"
    }
    fn rows(&self, cx: &Cx<'_>) -> Vec<Row>;
    fn on_event(&mut self, event: FormEvent, cx: &Cx<'_>) -> Action;
    /// Scroll the screen's panel by `lines` (PgUp/PgDn, the wheel, a drag), to at most `max` (the
    /// app computes it from the layout). PgUp/PgDn are turned into a page of lines by the app.
    fn scroll(&mut self, _lines: i32, _max: usize) {}
    /// True when nothing has been entered (the idle timer need not run).
    fn pristine(&self) -> bool {
        false
    }
}
