//! STEP1/STEP2: the kiosk's start screen. The first-time guide, the language switch and one form that
//! takes both temporary (postcard) and permanent credentials.

use zeroize::Zeroizing;

use super::forgot::ForgotScreen;
use super::{Action, Component, Cx, Screen, Task};
use crate::domain::credential::{TEMP_ID_LEN, TEMP_PASSWORD_LEN};
use crate::domain::password::PasswordPolicy;
use crate::domain::user_id;
use crate::domain::{Lang, Msg};
use crate::key;
use crate::services::ServiceError;
use crate::services::auth::LoginOutcome;
use crate::tui::i18n::tr;
use crate::tui::theme;
use crate::tui::widgets::fields::{Event, Fields};
use crate::tui::widgets::form::{Control, Form, FormEvent, TextField};
use crate::tui::widgets::notice::{self, Notice};
use crate::tui::widgets::page::Row;

/// Long enough for any user, temporary or staff ID (the staff console's fields).
pub const ID_MAX_CHARS: usize = 32;
pub const PASSWORD_MAX_CHARS: usize = 128;

/// The member's ID field takes what registration accepts: a user ID of at most 13 characters, or
/// the postcard's 10-character temporary ID typed in groups (`ABCDE - FGHJK`).
pub const MEMBER_ID_MAX_CHARS: usize = if user_id::MAX_LEN > TEMP_ID_LEN + 3 {
    user_id::MAX_LEN
} else {
    TEMP_ID_LEN + 3
};

/// The member's password fields take what registration accepts: the policy's maximum (so a
/// password can never be longer at login than it could be when it was chosen), or the postcard's
/// temporary password typed in groups.
pub fn member_password_max(policy: &PasswordPolicy) -> usize {
    policy.max_len.max(TEMP_PASSWORD_LEN + 3)
}

crate::controls! {
    pub enum Ctl {
        Lang = "lang",
        UserId = "user_id",
        Password = "password",
        Login = "login",
        Forgot = "forgot",
    }
}

#[derive(Debug, Clone)]
pub struct LoginScreen {
    pub form: Fields<Ctl>,
    /// The generic refusal, or a notice carried over (e.g. after a lock or a timeout).
    pub message: Option<Notice>,
    /// Refusals on this screen since it was last opened fresh: a repeated refusal reads as new
    /// (its count), and after [`COUNTER_HINT_AFTER`] it adds a neutral hint to ask at the
    /// counter. It counts this screen's attempts, whatever the ID: it says nothing of any ID.
    pub refusals: u32,
}

/// Refusals on one screen after which the message suggests the counter.
pub const COUNTER_HINT_AFTER: u32 = 3;

impl LoginScreen {
    pub fn new(lang: Lang, policy: &PasswordPolicy) -> Self {
        let form = Fields::new(vec![
            Control::radio(
                Ctl::Lang,
                key!("login.language"),
                vec![key!("login.lang_ja"), key!("login.lang_en")],
                if lang == Lang::En { 1 } else { 0 },
            ),
            Control::text(
                Ctl::UserId,
                key!("login.user_id"),
                TextField::new(MEMBER_ID_MAX_CHARS),
            ),
            Control::text(
                Ctl::Password,
                key!("login.password"),
                TextField::new(member_password_max(policy)).masked(),
            ),
            Control::button(Ctl::Login, key!("login.submit")),
            Control::button(Ctl::Forgot, key!("login.forgot")),
        ]);
        LoginScreen {
            form,
            message: None,
            refusals: 0,
        }
    }

    /// After a refusal: the one generic message; the ID stays, the password is emptied.
    pub fn refused(&mut self) {
        self.refusals += 1;
        self.message = Some(Notice::error(match self.refusals {
            1 => Msg::new("login.failed"),
            n if n < COUNTER_HINT_AFTER => Msg::new("login.failed_again").arg("n", n),
            n => Msg::new("login.failed_counter").arg("n", n),
        }));
        self.form.field_mut(Ctl::Password).clear();
        self.form.focus(Ctl::Password);
    }

    /// The login service's answer.
    fn on_login(&mut self, r: Result<LoginOutcome, ServiceError>, _cx: &Cx<'_>) -> Action {
        match r {
            Ok(LoginOutcome::Temporary(ticket)) => {
                self.form.wipe();
                Action::StartRegistration(ticket)
            }
            Ok(LoginOutcome::Permanent(session)) => {
                self.form.wipe();
                Action::LoggedIn(session)
            }
            Ok(LoginOutcome::Failed) => {
                self.refused();
                Action::None
            }
            Err(e) => {
                tracing::error!(error = %e, "login failed with an error");
                self.message = Some(Notice::error("common.system_error"));
                Action::None
            }
        }
    }
}

impl Component for LoginScreen {
    fn form(&self) -> &Form {
        self.form.form()
    }

    fn form_mut(&mut self) -> &mut Form {
        self.form.form_mut()
    }

    fn title_key(&self) -> &'static str {
        "login.title"
    }

    fn rows(&self, cx: &Cx<'_>) -> Vec<Row> {
        let lang = cx.lang;
        let f = &self.form;
        vec![
            f.row(Ctl::Lang),
            Row::Blank,
            Row::Text(tr(lang, "login.guide_intro").to_string(), theme::text()),
            Row::Text(tr(lang, "login.guide_steps").to_string(), theme::info()),
            Row::Text(
                tr(lang, "login.guide_registered").to_string(),
                theme::text(),
            ),
            Row::Blank,
            f.row(Ctl::UserId),
            f.row(Ctl::Password),
            notice::row(lang, &self.message),
            f.buttons(&[Ctl::Login, Ctl::Forgot]),
        ]
    }

    fn on_event(&mut self, event: FormEvent, _cx: &Cx<'_>) -> Action {
        match self.form.event(event) {
            Event::Selected(Ctl::Lang) => Action::SetLang(if self.form.selected(Ctl::Lang) == 1 {
                Lang::En
            } else {
                Lang::Ja
            }),
            Event::Edited(_) => {
                self.message = None;
                Action::None
            }
            Event::Pressed(Ctl::Login) => {
                let id = self.form.value(Ctl::UserId).trim().to_string();
                let password = Zeroizing::new(self.form.value(Ctl::Password).to_string());
                if id.is_empty() || password.is_empty() {
                    self.message = Some(Notice::error("login.missing"));
                    self.form.focus(if id.is_empty() {
                        Ctl::UserId
                    } else {
                        Ctl::Password
                    });
                    return Action::None;
                }
                self.message = None;
                Action::Task(Task::new(
                    move |t| t.svc.login(&t.actor, &id, &password),
                    LoginScreen::on_login,
                ))
            }
            Event::Pressed(Ctl::Forgot) => {
                self.message = None;
                Action::Open(Screen::Forgot(ForgotScreen::new()))
            }
            _ => Action::None,
        }
    }

    fn pristine(&self) -> bool {
        self.message.is_none() && self.refusals == 0 && self.form.all_empty()
    }

    fn notice(&mut self, notice: Notice) {
        self.message = Some(notice);
    }
}
