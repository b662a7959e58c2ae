//! The app's part of the member's account area: which account screens exist, the actions they ask for
//! and the results of their background work. Routing comes from `domain::account_flow`.

use super::{App, TaskResult};
use crate::dates::jst_long_date;
use crate::domain::Msg;
use crate::domain::account_flow::{AccountEvent, AccountPage};
use crate::domain::text::neutralize;
use crate::domain::wizard::{Event as WizardEvent, Page};
use crate::services::account::{
    ContactChange, ContactError, ContactInput, PasswordChangeError, PasswordChangeInput,
    PasswordChanged,
};
use crate::services::auth::AccountSession;
use crate::services::reset::{ResetDone, ResetError, ResetInput};
use crate::tui::screens::Screen;
use crate::tui::screens::account::AccountAction;
use crate::tui::screens::account_done::{AccountDoneScreen, Tone};
use crate::tui::screens::forgot::ForgotScreen;
use crate::tui::screens::forgot_code::ResetScreen;
use crate::tui::screens::login::LoginScreen;
use crate::tui::screens::menu::MenuScreen;
use crate::tui::screens::password_change::PasswordScreen;
use crate::tui::screens::profile::ProfileScreen;
use crate::tui::screens::profile_confirm::ProfileConfirmScreen;

/// The account area's screens; each exists while its page can be shown.
#[derive(Debug, Default)]
pub struct AccountScreens {
    pub profile: Option<ProfileScreen>,
    pub profile_confirm: Option<ProfileConfirmScreen>,
    /// The voluntary or the forced password change.
    pub password: Option<PasswordScreen>,
    /// The done screen of whichever flow finished.
    pub done: Option<AccountDoneScreen>,
    pub forgot: Option<ForgotScreen>,
    pub reset: Option<ResetScreen>,
}

impl AccountScreens {
    pub fn screen(&self, p: AccountPage) -> Option<&dyn Screen> {
        use AccountPage as P;
        match p {
            P::Profile => self.profile.as_ref().map(|s| s as &dyn Screen),
            P::ProfileConfirm => self.profile_confirm.as_ref().map(|s| s as &dyn Screen),
            P::Password | P::ForcedPassword => self.password.as_ref().map(|s| s as &dyn Screen),
            P::ProfileDone | P::PasswordDone | P::ResetDone => {
                self.done.as_ref().map(|s| s as &dyn Screen)
            }
            P::Forgot => self.forgot.as_ref().map(|s| s as &dyn Screen),
            P::ResetCode => self.reset.as_ref().map(|s| s as &dyn Screen),
        }
    }

    pub fn screen_mut(&mut self, p: AccountPage) -> Option<&mut dyn Screen> {
        use AccountPage as P;
        match p {
            P::Profile => self.profile.as_mut().map(|s| s as &mut dyn Screen),
            P::ProfileConfirm => self.profile_confirm.as_mut().map(|s| s as &mut dyn Screen),
            P::Password | P::ForcedPassword => self.password.as_mut().map(|s| s as &mut dyn Screen),
            P::ProfileDone | P::PasswordDone | P::ResetDone => {
                self.done.as_mut().map(|s| s as &mut dyn Screen)
            }
            P::Forgot => self.forgot.as_mut().map(|s| s as &mut dyn Screen),
            P::ResetCode => self.reset.as_mut().map(|s| s as &mut dyn Screen),
        }
    }
}

/// Results of the account area's work off the UI thread.
#[derive(Debug)]
pub enum AccountTask {
    ContactSaved(Result<ContactChange, ContactError>),
    PasswordChanged(Result<PasswordChanged, PasswordChangeError>),
    CodeRequested {
        user_id: String,
        result: Result<(), String>,
    },
    Reset(Result<ResetDone, ResetError>),
}

impl App {
    fn go_account(&mut self, e: AccountEvent) {
        self.go(WizardEvent::Account(e));
    }

    /// パスワードを忘れた方 on the login screen.
    pub(super) fn open_forgot(&mut self) {
        if self.page != Page::Login {
            return;
        }
        self.login.message = None;
        self.account.forgot = Some(ForgotScreen::new());
        self.go_account(AccountEvent::Forgot);
    }

    /// A permanent login whose password must be changed: the forced change screen, nothing else.
    pub(super) fn open_forced_password(&mut self, session: AccountSession) {
        let config = self.config();
        let cx = self.cx(&config);
        self.account.password = Some(PasswordScreen::new(
            &cx,
            &session.user_id,
            session.must_change,
        ));
        self.menu = None;
        self.session = Some(session);
        self.go_account(AccountEvent::MustChangePassword);
    }

    fn back_to_menu(&mut self) {
        let Some(s) = &self.session else {
            self.reset_to_start();
            return;
        };
        if s.must_change.is_some() {
            return;
        }
        if self.menu.is_none() {
            self.menu = Some(MenuScreen::new(&s.user_id));
        }
        let event = match self.page {
            Page::Account(AccountPage::ProfileDone | AccountPage::PasswordDone) => {
                WizardEvent::ToMenu
            }
            _ => WizardEvent::Back,
        };
        self.go(event);
        if self.page == Page::Menu {
            // Nothing typed in the account area stays in memory.
            self.account = AccountScreens::default();
        }
    }

    pub(super) fn perform_account(&mut self, action: AccountAction) {
        let config = self.config();
        let lang = self.lang;
        match action {
            AccountAction::OpenProfile => {
                let Some(session) = self.session.clone().filter(|s| s.must_change.is_none()) else {
                    return;
                };
                match self.services.account_profile(&session) {
                    Ok(p) => {
                        self.account.profile = Some(ProfileScreen::new(p));
                        self.account.profile_confirm = None;
                        self.go_account(AccountEvent::OpenProfile);
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "cannot load the profile");
                        if let Some(m) = self.menu.as_mut() {
                            m.message = Some((Msg::new("common.system_error"), true));
                        }
                    }
                }
            }
            AccountAction::OpenPassword => {
                let Some(session) = self.session.clone().filter(|s| s.must_change.is_none()) else {
                    return;
                };
                let cx = self.cx(&config);
                self.account.password = Some(PasswordScreen::new(&cx, &session.user_id, None));
                self.go_account(AccountEvent::OpenPassword);
            }
            AccountAction::ProfileToConfirm => {
                if let Some(p) = &self.account.profile {
                    self.account.profile_confirm = Some(ProfileConfirmScreen::from_profile(p));
                    self.go_account(AccountEvent::ProfileValid);
                }
            }
            AccountAction::ProfileBack => {
                self.account.profile_confirm = None;
                self.go(WizardEvent::Back);
            }
            AccountAction::SaveProfile => {
                let (Some(session), Some(c)) =
                    (self.session.clone(), self.account.profile_confirm.as_ref())
                else {
                    return;
                };
                let input = ContactInput {
                    email: c.new_email.clone().unwrap_or_default(),
                    notify_mail: c.new_notify,
                    lang,
                };
                self.spawn(move |svc, actor| {
                    TaskResult::Account(AccountTask::ContactSaved(
                        svc.update_contact(&actor, &session, &input),
                    ))
                });
            }
            AccountAction::BackToMenu => self.back_to_menu(),
            AccountAction::ChangePassword {
                current,
                new,
                confirm,
            } => {
                let Some(session) = self.session.clone() else {
                    self.reset_to_start();
                    return;
                };
                let input = PasswordChangeInput {
                    current,
                    new,
                    confirm,
                    lang,
                };
                self.spawn(move |svc, actor| {
                    TaskResult::Account(AccountTask::PasswordChanged(
                        svc.change_password(&actor, &session, &input),
                    ))
                });
            }
            AccountAction::RequestCode { user_id, email } => {
                self.spawn(move |svc, actor| {
                    let result = svc
                        .request_reset(&actor, &user_id, &email, lang)
                        .map_err(|e| e.to_string());
                    TaskResult::Account(AccountTask::CodeRequested { user_id, result })
                });
            }
            AccountAction::HaveCode { user_id } => {
                let cx = self.cx(&config);
                self.account.reset = Some(ResetScreen::new(&cx, &user_id, None));
                self.go_account(AccountEvent::EnterCode);
            }
            AccountAction::BackToForgot => {
                self.account.reset = None;
                self.go(WizardEvent::Back);
            }
            AccountAction::ResetPassword {
                user_id,
                code,
                new,
                confirm,
            } => {
                let input = ResetInput {
                    user_id,
                    code,
                    new,
                    confirm,
                    lang,
                };
                self.spawn(move |svc, actor| {
                    TaskResult::Account(AccountTask::Reset(svc.reset_password(&actor, &input)))
                });
            }
            AccountAction::ToLogin => match self.page {
                Page::Account(AccountPage::Forgot) => {
                    self.account = AccountScreens::default();
                    self.go(WizardEvent::Back);
                }
                _ => {
                    // After a reset: a fresh start screen, in the member's language.
                    self.reset_to_start();
                    self.lang = lang;
                    self.login = LoginScreen::new(lang);
                }
            },
        }
    }

    pub(super) fn on_account_task(&mut self, task: AccountTask) {
        let config = self.config();
        match task {
            AccountTask::ContactSaved(Ok(c)) => {
                let mut lines = vec![(Msg::new("profile_done.complete"), Tone::Done)];
                let email_changed = c.old_email != c.new_email;
                if let Some(to) = &c.new_email {
                    lines.push((
                        Msg::new("profile_done.mail_new").arg("to", neutralize(to)),
                        Tone::Text,
                    ));
                }
                if let (Some(old), true) = (&c.old_email, email_changed) {
                    lines.push((
                        Msg::new("profile_done.mail_old").arg("to", neutralize(old)),
                        Tone::Text,
                    ));
                }
                lines.push(match c.new_email {
                    Some(_) => (Msg::new("profile_done.not_arrived"), Tone::Note),
                    None => (Msg::new("profile_done.no_mail"), Tone::Note),
                });
                self.account.done = Some(AccountDoneScreen::profile(lines));
                self.account.profile = None;
                self.account.profile_confirm = None;
                self.go_account(AccountEvent::ProfileSaved);
            }
            AccountTask::ContactSaved(Err(ContactError::Invalid(violations))) => {
                self.account.profile_confirm = None;
                if let Some(p) = self.account.profile.as_mut() {
                    for v in &violations {
                        p.form.set_error(v.field, Some(v.msg.clone()));
                    }
                    p.form.focus_id("email");
                    p.message = Some(Msg::new("details.fix_errors"));
                }
                self.go(WizardEvent::Back);
            }
            AccountTask::ContactSaved(Err(ContactError::Unchanged)) => {
                self.account.profile_confirm = None;
                if let Some(p) = self.account.profile.as_mut() {
                    p.message = Some(Msg::new("profile.unchanged"));
                }
                self.go(WizardEvent::Back);
            }
            AccountTask::ContactSaved(Err(ContactError::MustChangePassword)) => {
                if let Some(c) = self.account.profile_confirm.as_mut() {
                    c.message = Some(Msg::new("profile_confirm.must_change"));
                }
            }
            AccountTask::ContactSaved(Err(ContactError::Service(e))) => {
                tracing::error!(error = %e, "contact change failed with an error");
                if let Some(c) = self.account.profile_confirm.as_mut() {
                    c.message = Some(Msg::new("common.system_error"));
                }
            }
            AccountTask::PasswordChanged(Ok(r)) => {
                let Some(session) = self.session.as_mut() else {
                    self.reset_to_start();
                    return;
                };
                session.must_change = None;
                let user_id = session.user_id.clone();
                let mut lines = vec![(Msg::new("pwchange_done.complete"), Tone::Done)];
                lines.push(match &r.mail_to {
                    Some(to) => (
                        Msg::new("pwchange_done.mail").arg("to", neutralize(to)),
                        Tone::Text,
                    ),
                    None => (Msg::new("pwchange_done.no_mail"), Tone::Note),
                });
                if let Some(next) = r.expires_at {
                    lines.push((
                        Msg::new("pwchange_done.next").arg("date", jst_long_date(next, self.lang)),
                        Tone::Note,
                    ));
                }
                self.account.done = Some(AccountDoneScreen::password(&user_id, lines));
                self.account.password = None;
                self.go_account(AccountEvent::PasswordChanged);
            }
            AccountTask::PasswordChanged(Err(PasswordChangeError::Invalid(v))) => {
                if let Some(p) = self.account.password.as_mut() {
                    p.violations(&v);
                }
            }
            AccountTask::PasswordChanged(Err(PasswordChangeError::WrongCurrent { remaining })) => {
                if let Some(p) = self.account.password.as_mut() {
                    p.wrong_current(remaining);
                }
            }
            AccountTask::PasswordChanged(Err(PasswordChangeError::Locked)) => {
                self.reset_to_start();
                self.login.notice(Msg::new("pwchange.locked"), true);
            }
            AccountTask::PasswordChanged(Err(PasswordChangeError::Replaced)) => {
                self.reset_to_start();
                self.login.notice(Msg::new("pwchange.replaced"), true);
            }
            AccountTask::PasswordChanged(Err(PasswordChangeError::Service(e))) => {
                tracing::error!(error = %e, "password change failed with an error");
                if let Some(p) = self.account.password.as_mut() {
                    p.message = Some((Msg::new("common.system_error"), true));
                }
            }
            AccountTask::CodeRequested {
                user_id,
                result: Ok(()),
            } => {
                let cx = self.cx(&config);
                let minutes = config.reset.code_valid_minutes.max(1);
                self.account.reset = Some(ResetScreen::new(&cx, &user_id, Some(minutes)));
                self.go_account(AccountEvent::EnterCode);
            }
            AccountTask::CodeRequested { result: Err(e), .. } => {
                tracing::error!(error = %e, "reset request failed with an error");
                if let Some(f) = self.account.forgot.as_mut() {
                    f.message = Some(Msg::new("common.system_error"));
                }
            }
            AccountTask::Reset(Ok(done)) => {
                let mut lines = vec![(Msg::new("forgot_done.complete"), Tone::Done)];
                if done.mail_id.is_some() {
                    lines.push((Msg::new("forgot_done.mail"), Tone::Text));
                }
                self.account.done = Some(AccountDoneScreen::reset(lines));
                self.account.reset = None;
                self.account.forgot = None;
                self.go_account(AccountEvent::PasswordReset);
            }
            AccountTask::Reset(Err(ResetError::Refused)) => {
                if let Some(r) = self.account.reset.as_mut() {
                    r.refused();
                }
            }
            AccountTask::Reset(Err(ResetError::Invalid(v))) => {
                if let Some(r) = self.account.reset.as_mut() {
                    r.violations(&v);
                }
            }
            AccountTask::Reset(Err(ResetError::Service(e))) => {
                tracing::error!(error = %e, "password reset failed with an error");
                if let Some(r) = self.account.reset.as_mut() {
                    r.message = Some(Msg::new("common.system_error"));
                }
            }
        }
    }
}
