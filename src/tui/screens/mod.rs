//! The screens. Each file is one screen: its state (a typed [`Fields`](crate::tui::widgets::fields)
//! form and a little more), its update (a form event or a task's result in, an [`Action`] out) and
//! its view (the [`Row`]s that the shared page layout draws). None does I/O.
//!
//! [`Screen`] lists them: the value of the screen in view is one of its variants. A variant's first
//! field is the screen itself; further fields are what it keeps for later (STEP3 keeps STEP4 as the
//! member left it). [`Page`] names each variant.

pub mod account;
pub mod account_done;
mod action;
pub mod benefits;
pub mod confirm;
pub mod details;
pub mod done;
pub mod expense_month;
pub mod expense_years;
pub mod expenses;
pub mod forgot;
pub mod forgot_code;
pub mod identity;
pub mod login;
pub mod menu;
pub mod password_change;
pub mod profile;
pub mod profile_confirm;
pub mod staff;

use std::any::Any;
use std::time::Instant;

use time::Date;

use crate::config::Config;
use crate::domain::Lang;
use crate::tui::widgets::form::{Form, FormEvent};
use crate::tui::widgets::notice::Notice;
use crate::tui::widgets::page::Row;
pub use action::{Action, Delivery, Task, TaskCx};

/// What a screen may read while it updates or draws.
#[derive(Debug, Clone, Copy)]
pub struct Cx<'a> {
    pub lang: Lang,
    pub config: &'a Config,
    pub today: Date,
    /// The terminal's width, for text that is wrapped before layout (the terms panel).
    pub width: u16,
}

/// The common face of every screen: what the app and the page layout need.
pub trait Component: Any {
    /// The untyped form (screens keep a typed `Fields<Ctl>` and hand out the form inside).
    fn form(&self) -> &Form;
    fn form_mut(&mut self) -> &mut Form;
    /// Message key of the title shown in the header.
    fn title_key(&self) -> &'static str;
    /// Message key of the key hints in the footer.
    fn hints_key(&self) -> &'static str {
        "common.hints"
    }
    fn rows(&self, cx: &Cx<'_>) -> Vec<Row>;
    fn on_event(&mut self, event: FormEvent, cx: &Cx<'_>) -> Action;
    /// Scroll the screen's panel by `lines` (PgUp/PgDn, the wheel, a drag), to at most `max` (the
    /// app computes it from the layout). PgUp/PgDn are turned into a page of lines by the app.
    fn scroll(&mut self, _lines: i32, _max: usize) {}
    /// PgUp/PgDn and the wheel on a screen whose list turns pages of controls rather than
    /// scrolling a panel (`forward`: PgDn, the wheel down). True when the screen turned a page.
    fn turn_page(&mut self, _forward: bool) -> bool {
        false
    }
    /// A tap on the `row`-th visible line of the screen's panel (0 = the first line under its
    /// border): screens whose panel lists things to choose (locks, mail) pick one.
    fn tap_panel(&mut self, _row: usize, _cx: &Cx<'_>) -> Action {
        Action::None
    }
    /// True when nothing has been entered (the idle timer need not run on a start screen).
    fn pristine(&self) -> bool {
        false
    }
    /// A message for the person at this screen (a system error, the end of a flow).
    fn notice(&mut self, _notice: Notice) {}
    /// When the screen wants to look at something again without input.
    fn wake_at(&self) -> Option<Instant> {
        None
    }
    /// Time to look again (see [`Component::wake_at`]).
    fn on_wake(&mut self, _now: Instant) -> Action {
        Action::None
    }
    /// The background mail worker changed the outbox.
    fn on_mail_progress(&mut self) -> Action {
        Action::None
    }
}

/// Declares [`Screen`] and [`Page`] from one list of variants.
macro_rules! screens {
    ($($(#[$meta:meta])* $variant:ident($shown:ty $(, $kept:ty)*)),+ $(,)?) => {
        /// The screen in view (and, in the app's stack, those under it).
        pub enum Screen {
            $($(#[$meta])* $variant($shown $(, $kept)*)),+
        }

        /// The name of a [`Screen`] variant: what navigation and tests talk about.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Page {
            $($(#[$meta])* $variant),+
        }

        impl Page {
            /// Every page, in the order of the list.
            pub const ALL: &'static [Page] = &[$(Page::$variant),+];
        }

        impl Screen {
            pub fn page(&self) -> Page {
                match self {
                    $(Screen::$variant(..) => Page::$variant),+
                }
            }

            /// The screen itself.
            pub fn view(&self) -> &dyn Component {
                match self {
                    $(Screen::$variant(s, ..) => s),+
                }
            }

            pub fn view_mut(&mut self) -> &mut dyn Component {
                match self {
                    $(Screen::$variant(s, ..) => s),+
                }
            }

            /// The screen as its own type, when it is one.
            pub fn get<C: Any>(&self) -> Option<&C> {
                match self {
                    $(Screen::$variant(s, ..) => (s as &dyn Any).downcast_ref()),+
                }
            }

            pub fn get_mut<C: Any>(&mut self) -> Option<&mut C> {
                match self {
                    $(Screen::$variant(s, ..) => (s as &mut dyn Any).downcast_mut()),+
                }
            }
        }
    };
}

screens! {
    // The member's wizard (SPEC §1).
    /// STEP1/STEP2: the start screen.
    Login(login::LoginScreen),
    /// STEP3 本人確認; keeps STEP4 as the member left it with [戻る].
    Identity(identity::IdentityScreen, Option<Box<details::DetailsScreen>>),
    /// STEP4 個人情報入力.
    Details(details::DetailsScreen),
    /// STEP4 入力確認.
    Confirm(confirm::ConfirmScreen),
    /// STEP5 登録完了.
    Done(done::DoneScreen),
    // The member's account area.
    /// メインメニュー.
    Menu(menu::MenuScreen),
    Profile(profile::ProfileScreen),
    ProfileConfirm(profile_confirm::ProfileConfirmScreen),
    ProfileDone(account_done::AccountDoneScreen),
    /// 医療費照会: the months; a month's rows; the year view for 確定申告.
    Expenses(expenses::ExpensesScreen),
    ExpenseMonth(expense_month::ExpenseMonthScreen),
    ExpenseYears(expense_years::ExpenseYearsScreen),
    /// 支給決定通知.
    Benefits(benefits::BenefitsScreen),
    Password(password_change::PasswordScreen),
    /// パスワード変更 required at login: left only by changing it, logging out or the idle timeout.
    ForcedPassword(password_change::PasswordScreen),
    PasswordDone(account_done::AccountDoneScreen),
    Forgot(forgot::ForgotScreen),
    ResetCode(forgot_code::ResetScreen),
    ResetDone(account_done::AccountDoneScreen),
    // The staff console.
    StaffLogin(staff::login::StaffLoginScreen),
    StaffMenu(staff::menu::StaffMenuScreen),
    StaffStart(staff::start::StaffStartScreen),
    StaffReissue(staff::reissue::ReissueScreen),
    StaffUnlock(staff::unlock::UnlockScreen),
    StaffMail(staff::mail::MailScreen),
    StaffAudit(staff::audit::AuditScreen),
    StaffMember(staff::member::MemberScreen),
}

impl std::fmt::Debug for Screen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Screen::{:?}", self.page())
    }
}

/// A screen's unit tests: what it may read.
#[cfg(test)]
pub fn test_cx(config: &Config) -> Cx<'_> {
    Cx {
        lang: Lang::Ja,
        config,
        today: time::macros::date!(2026 - 02 - 01),
        width: 80,
    }
}
