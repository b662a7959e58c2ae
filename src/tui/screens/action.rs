//! What a screen asks of the app ([`Action`]), and background work ([`Task`]) whose result comes
//! back, typed, to the screen that asked for it.
//!
//! A screen never does I/O: to load, check or save it returns `Action::Task(Task::new(work,
//! deliver))`. `work` runs on a task thread with the services ([`TaskCx`]); `deliver` is the
//! screen's own method, called with the result on the UI thread while the screen is in the stack
//! (the topmost screen of that type), and returns the next action.

use std::any::Any;

use super::{Cx, Page, Screen};
use crate::domain::Lang;
use crate::services::auth::{AccountSession, RegistrationTicket};
use crate::services::registration::{IdentityMatch, Registered};
use crate::services::staff::StaffSession;
use crate::services::{ServiceError, Services};
use crate::store::Actor;
use crate::tui::widgets::notice::Notice;

/// What a screen asks the app to do after a key, a tap or a task's result.
pub enum Action {
    None,
    /// Several, in order.
    All(Vec<Action>),
    SetLang(Lang),
    /// Work off the UI thread.
    Task(Task),
    /// Shows a screen over this one; [戻る] ([`Action::Back`]) comes back here as it was.
    Open(Screen),
    /// Back to the screen under this one.
    Back,
    /// Back to the topmost screen of this page (the screens above it are dropped).
    BackTo(Page),
    /// Drops the screens from the topmost one of this page up, and shows this screen in their place
    /// (a flow that is over: its done screen over what it started from).
    Replace(Page, Screen),
    /// The start screen (the kiosk's login, or the staff menu), with a notice on it.
    StartOver(Option<Notice>),
    /// A fresh login screen in this language (after a password reset).
    LoginIn(Lang),
    /// A message on the screen in view.
    Notice(Notice),
    /// The runtime clears the terminal and its scrollback before the next frame.
    Clear,
    /// The member's postcard login was accepted: STEP3 starts.
    StartRegistration(RegistrationTicket),
    /// 保険者番号 and 生年月日 matched: STEP4.
    IdentityConfirmed(IdentityMatch),
    /// [戻る] on STEP4: back to STEP3, which keeps STEP4 as it was for when the member comes forward.
    BackToIdentity,
    /// [実行] on the confirm screen.
    Execute,
    /// The registration committed (the member's session starts; the done screen comes with it).
    Registered(Registered),
    /// [メニューへ] on the done screen.
    ToMenu,
    /// The member's permanent login was accepted (the menu, or a forced password change first).
    LoggedIn(AccountSession),
    /// The member's password changed (a forced change is over).
    PasswordUpdated,
    /// Back to the member's menu ([戻る] in the account area, [メニューへ] on its done screens).
    BackToMenu,
    /// ログアウト.
    Logout,
    /// A staff member logged in to the console.
    StaffLoggedIn(StaffSession),
    /// ログアウト in the staff console.
    StaffLogout,
    /// Leave the program (the staff console's [終了]; the SSH session ends).
    Quit,
}

impl std::fmt::Debug for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Action::None => f.write_str("None"),
            Action::All(v) => f.debug_tuple("All").field(v).finish(),
            Action::SetLang(l) => f.debug_tuple("SetLang").field(l).finish(),
            Action::Task(t) => f.debug_tuple("Task").field(&t.quiet).finish(),
            Action::Open(s) => f.debug_tuple("Open").field(&s.page()).finish(),
            Action::Back => f.write_str("Back"),
            Action::BackTo(p) => f.debug_tuple("BackTo").field(p).finish(),
            Action::Replace(p, s) => f.debug_tuple("Replace").field(p).field(&s.page()).finish(),
            Action::StartOver(n) => f.debug_tuple("StartOver").field(n).finish(),
            Action::LoginIn(l) => f.debug_tuple("LoginIn").field(l).finish(),
            Action::Notice(n) => f.debug_tuple("Notice").field(n).finish(),
            Action::Clear => f.write_str("Clear"),
            Action::StartRegistration(_) => f.write_str("StartRegistration"),
            Action::IdentityConfirmed(m) => f.debug_tuple("IdentityConfirmed").field(m).finish(),
            Action::BackToIdentity => f.write_str("BackToIdentity"),
            Action::Execute => f.write_str("Execute"),
            Action::Registered(r) => f.debug_tuple("Registered").field(&r.user_id).finish(),
            Action::ToMenu => f.write_str("ToMenu"),
            Action::LoggedIn(s) => f.debug_tuple("LoggedIn").field(&s.user_id).finish(),
            Action::PasswordUpdated => f.write_str("PasswordUpdated"),
            Action::BackToMenu => f.write_str("BackToMenu"),
            Action::Logout => f.write_str("Logout"),
            Action::StaffLoggedIn(s) => f.debug_tuple("StaffLoggedIn").field(s).finish(),
            Action::StaffLogout => f.write_str("StaffLogout"),
            Action::Quit => f.write_str("Quit"),
        }
    }
}

impl Action {
    pub fn is_none(&self) -> bool {
        matches!(self, Action::None)
    }
}

/// What background work may use: the services, who is acting, and the member's session or
/// registration in progress.
#[derive(Debug, Clone)]
pub struct TaskCx {
    pub svc: Services,
    pub actor: Actor,
    pub session: Option<AccountSession>,
    pub ticket: Option<RegistrationTicket>,
}

impl TaskCx {
    /// The logged-in member; an error when there is none (the screen says so as a system error).
    pub fn session(&self) -> Result<&AccountSession, ServiceError> {
        self.session
            .as_ref()
            .ok_or_else(|| ServiceError::user("no member is logged in"))
    }

    /// The registration in progress; an error when there is none.
    pub fn ticket(&self) -> Result<&RegistrationTicket, ServiceError> {
        self.ticket
            .as_ref()
            .ok_or_else(|| ServiceError::user("no registration is in progress"))
    }
}

/// A result on its way back to the UI thread: given the screens (and what screens may read), it
/// finds the screen that asked and returns what that screen asks next.
pub type Delivery = Box<dyn FnOnce(&mut [Screen], &Cx<'_>) -> Action + Send>;

/// Work for a task thread, and where its result goes.
pub struct Task {
    /// Quiet work (a lookup while the member types on) does not show 処理中 or hold input back.
    pub quiet: bool,
    work: Box<dyn FnOnce(&TaskCx) -> Delivery + Send>,
}

impl Task {
    /// `work` runs on a task thread; its result goes to `deliver` on the topmost screen of type `C`.
    /// Input waits meanwhile (処理中).
    pub fn new<C, T>(
        work: impl FnOnce(&TaskCx) -> T + Send + 'static,
        deliver: fn(&mut C, T, &Cx<'_>) -> Action,
    ) -> Task
    where
        C: Any,
        T: Send + 'static,
    {
        Task {
            quiet: false,
            work: Box::new(move |t: &TaskCx| {
                let out = work(t);
                Box::new(move |screens: &mut [Screen], cx: &Cx<'_>| {
                    match screens.iter_mut().rev().find_map(|s| s.get_mut::<C>()) {
                        Some(screen) => deliver(screen, out, cx),
                        // The screen is gone (a quiet lookup after the member moved on).
                        None => Action::None,
                    }
                }) as Delivery
            }),
        }
    }

    /// Work whose result nobody waits for (an audit row as a session ends). Quiet.
    pub fn detached(work: impl FnOnce(&TaskCx) + Send + 'static) -> Task {
        Task {
            quiet: true,
            work: Box::new(move |t: &TaskCx| {
                work(t);
                Box::new(|_: &mut [Screen], _: &Cx<'_>| Action::None) as Delivery
            }),
        }
    }

    /// The same, without 処理中: the member types on while it runs.
    pub fn quiet(mut self) -> Task {
        self.quiet = true;
        self
    }

    /// Runs the work (on a task thread).
    pub fn run(self, cx: &TaskCx) -> Delivery {
        (self.work)(cx)
    }
}
