//! STEP4 個人情報入力画面: user ID, password twice, email, registrant and the 医療費通知 mail setting.
//! Each field is checked when it is left and all of them again at [入力内容確認]; the user ID's
//! availability is asked of the store (through the app) when its field is left.

use zeroize::Zeroizing;

use super::confirm::ConfirmScreen;
use super::done::DoneScreen;
use super::{Action, Component, Cx, Page, Screen, Task};
use crate::domain::Msg;
use crate::domain::email::{self, validate_email};
use crate::domain::household::Relationship;
use crate::domain::password::{PasswordContext, check_confirm};
use crate::domain::user_id::{self, UserIdError, validate_user_id};
use crate::key;
use crate::services::ServiceError;
use crate::services::registration::{RegisterError, Registered, RegistrationInput};
use crate::store::outbox::MailState;
use crate::tui::i18n::tr;
use crate::tui::theme;
use crate::tui::widgets::fields::{ControlId, Event, Fields};
use crate::tui::widgets::form::{Control, Form, FormEvent, TextField};
use crate::tui::widgets::keypad::Keypad;
use crate::tui::widgets::notice::{self, Notice};
use crate::tui::widgets::page::Row;

crate::controls! {
    pub enum Ctl {
        UserId = "user_id",
        /// The staff console's choice: the member types the password, or one is generated.
        PwMode = "pw_mode",
        Password = "password",
        PasswordConfirm = "password_confirm",
        Email = "email",
        Registrant = "registrant",
        Notify = "notify",
        Submit = "submit",
        Back = "back",
    }
}

#[derive(Debug, Clone)]
pub struct DetailsScreen {
    pub form: Fields<Ctl>,
    /// The temporary password, which the new one must not equal.
    temp_password: Zeroizing<String>,
    /// The member whose birth date matched.
    pub member_id: Option<i64>,
    /// The last availability answer: (user ID, free).
    pub availability: Option<(String, bool)>,
    pub message: Option<Notice>,
    /// An assisted registration (staff console): the password is typed by the member or generated.
    pub assisted: bool,
}

/// The fields checked when they are left and at [入力内容確認].
const FIELDS: [Ctl; 4] = [Ctl::UserId, Ctl::Password, Ctl::PasswordConfirm, Ctl::Email];

/// What [実行] came to, with what the done screen shows besides.
#[derive(Debug)]
pub struct Registration {
    pub result: Result<Registered, RegisterError>,
    /// The welcome mail's state right after the transaction.
    pub mail_state: Option<MailState>,
    /// The initial password generated for an assisted registration, shown once.
    pub initial_password: Option<Zeroizing<String>>,
}

impl DetailsScreen {
    pub fn new(
        cx: &Cx<'_>,
        registrant: Relationship,
        member_id: Option<i64>,
        temp_password: Zeroizing<String>,
    ) -> Self {
        let pw_max = cx.config.password.max_len.max(1);
        let form = Fields::new(vec![
            Control::text(
                Ctl::UserId,
                key!("details.user_id"),
                TextField::new(user_id::MAX_LEN),
            ),
            Control::text(
                Ctl::Password,
                key!("details.password"),
                TextField::new(pw_max).masked(),
            ),
            Control::text(
                Ctl::PasswordConfirm,
                key!("details.password_confirm"),
                TextField::new(pw_max).masked(),
            ),
            Control::text(
                Ctl::Email,
                key!("details.email"),
                TextField::new(email::MAX_LEN).keypad(Keypad::Email),
            ),
            Control::radio(
                Ctl::Registrant,
                key!("details.registrant"),
                vec![key!("rel.insured"), key!("rel.dependent")],
                if registrant == Relationship::Dependent {
                    1
                } else {
                    0
                },
            ),
            Control::radio(
                Ctl::Notify,
                key!("details.notify"),
                vec![key!("details.notify_yes"), key!("details.notify_no")],
                0,
            ),
            Control::button(Ctl::Submit, key!("details.submit")),
            Control::button(Ctl::Back, key!("common.back")),
        ]);
        let mut s = DetailsScreen {
            form,
            temp_password,
            member_id,
            availability: None,
            message: None,
            assisted: false,
        };
        s.reset_hints(cx);
        s
    }

    /// The staff console's variant: a choice before the password fields between the member typing the
    /// password and an initial password generated at [実行] (staff never choose a member's password).
    pub fn assisted(mut self) -> Self {
        let at = self.form.index(Ctl::Password);
        self.form.insert(
            at,
            Control::radio(
                Ctl::PwMode,
                key!("staff_assist.pw_mode"),
                vec![
                    key!("staff_assist.pw_mode_member"),
                    key!("staff_assist.pw_mode_generate"),
                ],
                0,
            ),
        );
        self.assisted = true;
        self
    }

    /// True when the console generates an initial password (the password fields are gone).
    pub fn generates_password(&self) -> bool {
        self.assisted && self.form.selected(Ctl::PwMode) == 1
    }

    /// Switches between typed and generated passwords: the password fields leave the form (their
    /// contents wiped) or come back empty.
    fn set_password_mode(&mut self, cx: &Cx<'_>) {
        let generate = self.form.selected(Ctl::PwMode) == 1;
        if generate && self.form.has(Ctl::Password) {
            self.form
                .retain(|id| id != Ctl::Password && id != Ctl::PasswordConfirm);
        } else if !generate && !self.form.has(Ctl::Password) {
            let pw_max = cx.config.password.max_len.max(1);
            let at = self.form.index(Ctl::PwMode) + 1;
            self.form.insert(
                at,
                Control::text(
                    Ctl::PasswordConfirm,
                    key!("details.password_confirm"),
                    TextField::new(pw_max).masked(),
                ),
            );
            self.form.insert(
                at,
                Control::text(
                    Ctl::Password,
                    key!("details.password"),
                    TextField::new(pw_max).masked(),
                ),
            );
            self.reset_hints(cx);
        }
        let focus = self.form.index(Ctl::PwMode);
        self.form.focus = focus;
    }

    fn reset_hints(&mut self, cx: &Cx<'_>) {
        self.form
            .set_info(Ctl::UserId, Some(user_id::rule_hint()), false);
        if self.form.has(Ctl::Password) {
            self.form
                .set_info(Ctl::Password, Some(cx.config.password.rule_hint()), false);
        }
        self.form
            .set_info(Ctl::Email, Some(Msg::new("details.email_hint")), false);
    }

    pub fn notify_mail(&self) -> bool {
        self.form.selected(Ctl::Notify) == 0
    }

    pub fn registrant(&self) -> Relationship {
        if self.form.selected(Ctl::Registrant) == 1 {
            Relationship::Dependent
        } else {
            Relationship::Insured
        }
    }

    /// Checks one field; returns whether it is valid.
    pub fn validate(&mut self, id: Ctl, cx: &Cx<'_>) -> bool {
        if !self.form.has(id) {
            return true;
        }
        let value = |id| self.form.value(id);
        let result: Result<(), Msg> = match id {
            Ctl::UserId => validate_user_id(value(Ctl::UserId))
                .map(|_| ())
                .map_err(|e| e.msg()),
            Ctl::Password => {
                let uid = validate_user_id(value(Ctl::UserId)).ok();
                let ctx = PasswordContext {
                    user_id: uid.as_deref(),
                    temporary: Some(self.temp_password.as_str()),
                    current: None,
                };
                cx.config
                    .password
                    .check(value(Ctl::Password), &ctx)
                    .map_err(|e| e.msg())
            }
            Ctl::PasswordConfirm => {
                check_confirm(value(Ctl::Password), value(Ctl::PasswordConfirm))
                    .map_err(|e| e.msg())
            }
            Ctl::Email => validate_email(value(Ctl::Email), self.notify_mail())
                .map(|_| ())
                .map_err(|e| e.msg()),
            _ => Ok(()),
        };
        let ok = result.is_ok();
        self.form.set_error(id, result.err());
        ok
    }

    /// The store's answer for the user ID: shown under the field.
    pub fn set_availability(&mut self, user_id: &str, free: bool) {
        self.availability = Some((user_id.to_string(), free));
        if self.form.value(Ctl::UserId) != user_id {
            return;
        }
        if free {
            self.form.set_error(Ctl::UserId, None);
            self.form
                .set_info(Ctl::UserId, Some(Msg::new("details.user_id_free")), true);
        } else {
            self.form
                .set_error(Ctl::UserId, Some(UserIdError::Taken.msg()));
        }
    }

    /// Whether the current user ID was found free by the last check.
    pub fn known_free(&self) -> Option<bool> {
        let current = validate_user_id(self.form.value(Ctl::UserId)).ok()?;
        self.availability
            .as_ref()
            .filter(|(u, _)| u.eq_ignore_ascii_case(&current))
            .map(|(_, free)| *free)
    }

    /// Everything checked at [入力内容確認]. Focuses the first field with an error.
    pub fn validate_all(&mut self, cx: &Cx<'_>) -> bool {
        let mut first_bad = None;
        for id in FIELDS {
            if !self.validate(id, cx) && first_bad.is_none() {
                first_bad = Some(id);
            }
        }
        if self.known_free() == Some(false) {
            self.form
                .set_error(Ctl::UserId, Some(UserIdError::Taken.msg()));
            first_bad = first_bad.or(Some(Ctl::UserId));
        }
        match first_bad {
            Some(id) => {
                self.form.focus(id);
                self.message = Some(Notice::error("details.fix_errors"));
                false
            }
            None => {
                self.message = None;
                true
            }
        }
    }

    /// The registration input for the services layer.
    /// With a generated password the password fields are empty and `initial_password` is set: the app
    /// fills in the generated password.
    pub fn input(&self, cx: &Cx<'_>, terms_version: &str) -> RegistrationInput {
        let typed = |id| {
            Zeroizing::new(if self.form.has(id) {
                self.form.value(id).to_string()
            } else {
                String::new()
            })
        };
        RegistrationInput {
            user_id: validate_user_id(self.form.value(Ctl::UserId)).unwrap_or_default(),
            password: typed(Ctl::Password),
            password_confirm: typed(Ctl::PasswordConfirm),
            email: self.form.value(Ctl::Email).trim().to_string(),
            notify_mail: self.notify_mail(),
            registrant: self.registrant(),
            member_id: self.member_id,
            terms_version: terms_version.to_string(),
            lang: cx.lang,
            initial_password: self.generates_password(),
        }
    }

    /// After the store said the ID was taken at [実行]: the field says so, everything else stays.
    pub fn user_id_taken(&mut self) {
        let uid = self.form.value(Ctl::UserId).to_string();
        self.set_availability(&uid, false);
        self.form.focus(Ctl::UserId);
        self.message = Some(Notice::error("details.fix_errors"));
    }

    /// Asks the store whether `uid` is free: quietly when the field is left, then on to the confirm
    /// screen when [入力内容確認] asked.
    fn check_availability(uid: String, then_confirm: bool) -> Action {
        let work = move |t: &crate::tui::screens::TaskCx| {
            let free = t.svc.user_id_available(&uid);
            (uid, free)
        };
        if then_confirm {
            Action::Task(Task::new(work, DetailsScreen::on_checked_for_confirm))
        } else {
            Action::Task(Task::new(work, DetailsScreen::on_availability).quiet())
        }
    }

    fn on_availability(
        &mut self,
        (uid, free): (String, Result<bool, ServiceError>),
        _cx: &Cx<'_>,
    ) -> Action {
        // An error is logged and does not stop the member: [実行] checks again, atomically.
        let free = free.unwrap_or_else(|e| {
            tracing::error!(error = %e, "user ID availability check failed");
            true
        });
        self.set_availability(&uid, free);
        Action::None
    }

    fn on_checked_for_confirm(
        &mut self,
        (uid, free): (String, Result<bool, ServiceError>),
        _cx: &Cx<'_>,
    ) -> Action {
        self.set_availability(&uid, free.unwrap_or(true));
        self.open_confirm()
    }

    /// The confirm screen, unless the user ID is known to be taken.
    fn open_confirm(&mut self) -> Action {
        if self.known_free() == Some(false) {
            self.user_id_taken();
            return Action::None;
        }
        Action::Open(Screen::Confirm(ConfirmScreen::from_details(self)))
    }

    /// [実行]'s answer (the confirm screen over this one asked; the input is this screen's).
    pub fn on_registered(&mut self, r: Registration, _cx: &Cx<'_>) -> Action {
        match r.result {
            Ok(reg) => {
                let mut done = DoneScreen::new(&reg.user_id, reg.email.clone(), r.mail_state);
                done.mail_id = reg.mail_id;
                done.initial_password = r.initial_password;
                Action::All(vec![
                    Action::Registered(reg),
                    // The registration is over: nothing of it stays in memory.
                    Action::Replace(Page::Identity, Screen::Done(done)),
                ])
            }
            Err(RegisterError::UserIdTaken) => {
                self.user_id_taken();
                Action::Back
            }
            Err(RegisterError::Invalid(violations)) => {
                // A field may be absent (an assisted registration's generated password).
                let present: Vec<_> = violations
                    .iter()
                    .filter_map(|v| Ctl::from_name(v.field).map(|id| (id, v)))
                    .filter(|(id, _)| self.form.has(*id))
                    .collect();
                for (id, v) in &present {
                    self.form.set_error(*id, Some(v.msg.clone()));
                }
                if let Some((id, _)) = present.first() {
                    self.form.focus(*id);
                }
                self.message = Some(Notice::error("details.fix_errors"));
                Action::Back
            }
            Err(RegisterError::CredentialInvalid | RegisterError::IdentityNotConfirmed) => {
                Action::StartOver(Some(Notice::error("identity.credential_invalid")))
            }
            Err(RegisterError::Service(e)) => {
                tracing::error!(error = %e, "registration failed with an error");
                Action::Notice(Notice::error("common.system_error"))
            }
        }
    }
}

impl Component for DetailsScreen {
    fn form(&self) -> &Form {
        self.form.form()
    }

    fn form_mut(&mut self) -> &mut Form {
        self.form.form_mut()
    }

    fn title_key(&self) -> &'static str {
        "details.title"
    }

    fn rows(&self, cx: &Cx<'_>) -> Vec<Row> {
        let lang = cx.lang;
        let f = &self.form;
        let mut rows = vec![
            Row::Intro(tr(lang, "details.intro").to_string(), theme::text()),
            Row::Text(
                tr(lang, "details.user_id_fixed").to_string(),
                theme::label_focused(),
            ),
            f.row(Ctl::UserId),
            f.note(Ctl::UserId),
        ];
        if self.assisted {
            rows.push(f.row(Ctl::PwMode));
            let note = if self.generates_password() {
                tr(lang, "staff_assist.generate_note")
            } else {
                tr(lang, "staff_assist.member_note")
            };
            rows.push(Row::Text(note.to_string(), theme::info()));
        }
        if f.has(Ctl::Password) {
            rows.extend([
                f.row(Ctl::Password),
                f.note(Ctl::Password),
                f.row(Ctl::PasswordConfirm),
                f.note(Ctl::PasswordConfirm),
            ]);
        }
        rows.extend([
            f.row(Ctl::Email),
            f.note(Ctl::Email),
            f.row(Ctl::Registrant),
            Row::Text(
                tr(lang, "details.notify_heading").to_string(),
                theme::label(),
            ),
            f.row(Ctl::Notify),
            f.note(Ctl::Notify),
            notice::row(lang, &self.message),
            f.buttons(&[Ctl::Submit, Ctl::Back]),
        ]);
        rows
    }

    fn on_event(&mut self, event: FormEvent, cx: &Cx<'_>) -> Action {
        let action = self.update(event, cx);
        // "Some entries need correcting" goes once nothing needs correcting any more.
        if self
            .message
            .as_ref()
            .is_some_and(|m| m.msg.key == "details.fix_errors")
            && self.form.controls.iter().all(|c| c.error.is_none())
        {
            self.message = None;
        }
        action
    }

    fn notice(&mut self, notice: Notice) {
        self.message = Some(notice);
    }
}

impl DetailsScreen {
    fn update(&mut self, event: FormEvent, cx: &Cx<'_>) -> Action {
        match self.form.event(event) {
            Event::Left(id) if FIELDS.contains(&id) && !self.form.value(id).is_empty() => {
                let ok = self.validate(id, cx);
                if id == Ctl::Password && !self.form.value(Ctl::PasswordConfirm).is_empty() {
                    self.validate(Ctl::PasswordConfirm, cx);
                }
                if id == Ctl::UserId && ok {
                    if let Ok(uid) = validate_user_id(self.form.value(Ctl::UserId)) {
                        match self.known_free() {
                            None => return DetailsScreen::check_availability(uid, false),
                            Some(free) => self.set_availability(&uid, free),
                        }
                    }
                }
                Action::None
            }
            Event::Edited(Ctl::UserId) => {
                self.reset_hints(cx);
                Action::None
            }
            Event::Selected(Ctl::PwMode) => {
                self.set_password_mode(cx);
                Action::None
            }
            Event::Selected(Ctl::Notify) => {
                let note = if self.notify_mail() {
                    Msg::new("details.notify_yes_note")
                } else {
                    Msg::new("details.notify_no_note")
                };
                self.form.set_info(Ctl::Notify, Some(note), false);
                if self.form.get(Ctl::Email).error.is_some()
                    || !self.form.value(Ctl::Email).is_empty()
                    || self.notify_mail() && self.message.is_some()
                {
                    self.validate(Ctl::Email, cx);
                }
                Action::None
            }
            Event::Back | Event::Pressed(Ctl::Back) => Action::BackToIdentity,
            Event::Pressed(Ctl::Submit) => {
                if !self.validate_all(cx) {
                    return Action::None;
                }
                match self.known_free() {
                    Some(_) => self.open_confirm(),
                    None => {
                        let uid =
                            validate_user_id(self.form.value(Ctl::UserId)).unwrap_or_default();
                        DetailsScreen::check_availability(uid, true)
                    }
                }
            }
            _ => Action::None,
        }
    }
}
