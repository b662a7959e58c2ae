//! STEP4 個人情報入力画面: user ID, password twice, email, registrant and the 医療費通知 mail setting.
//! Each field is checked when it is left and all of them again at [入力内容確認]; the user ID's
//! availability is asked of the store (through the app) when its field is left.

use zeroize::Zeroizing;

use super::{Action, Cx, Screen};
use crate::domain::Msg;
use crate::domain::email::{self, validate_email};
use crate::domain::household::Relationship;
use crate::domain::password::{PasswordContext, check_confirm};
use crate::domain::user_id::{self, UserIdError, validate_user_id};
use crate::domain::wizard::Step;
use crate::key;
use crate::services::registration::RegistrationInput;
use crate::tui::i18n::{msg, tr};
use crate::tui::theme;
use crate::tui::widgets::form::{Control, Form, FormEvent, TextField};
use crate::tui::widgets::page::Row;

#[derive(Debug, Clone)]
pub struct DetailsScreen {
    pub form: Form,
    /// The temporary password, which the new one must not equal.
    temp_password: Zeroizing<String>,
    /// The member whose birth date matched.
    pub member_id: Option<i64>,
    /// The last availability answer: (user ID, free).
    pub availability: Option<(String, bool)>,
    pub message: Option<Msg>,
    /// An assisted registration (staff console): the password is typed by the member or generated.
    pub assisted: bool,
}

const FIELDS: [&str; 4] = ["user_id", "password", "password_confirm", "email"];

impl DetailsScreen {
    pub fn new(
        cx: &Cx<'_>,
        registrant: Relationship,
        member_id: Option<i64>,
        temp_password: Zeroizing<String>,
    ) -> Self {
        let pw_max = cx.config.password.max_len.max(1);
        let form = Form::new(vec![
            Control::text(
                "user_id",
                key!("details.user_id"),
                TextField::new(user_id::MAX_LEN),
            ),
            Control::text(
                "password",
                key!("details.password"),
                TextField::new(pw_max).masked(),
            ),
            Control::text(
                "password_confirm",
                key!("details.password_confirm"),
                TextField::new(pw_max).masked(),
            ),
            Control::text(
                "email",
                key!("details.email"),
                TextField::new(email::MAX_LEN),
            ),
            Control::radio(
                "registrant",
                key!("details.registrant"),
                vec![key!("rel.insured"), key!("rel.dependent")],
                if registrant == Relationship::Dependent {
                    1
                } else {
                    0
                },
            ),
            Control::radio(
                "notify",
                key!("details.notify"),
                vec![key!("details.notify_yes"), key!("details.notify_no")],
                0,
            ),
            Control::button("submit", key!("details.submit")),
            Control::button("back", key!("common.back")),
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
        let at = self.form.index("password");
        self.form.controls.insert(
            at,
            Control::radio(
                "pw_mode",
                key!("staff_assist.pw_mode"),
                vec![
                    key!("staff_assist.pw_mode_member"),
                    key!("staff_assist.pw_mode_generate"),
                ],
                0,
            ),
        );
        if self.form.focus >= at {
            self.form.focus += 1;
        }
        self.assisted = true;
        self
    }

    /// True when the console generates an initial password (the password fields are gone).
    pub fn generates_password(&self) -> bool {
        self.assisted && self.form.selected("pw_mode") == 1
    }

    fn has(&self, id: &str) -> bool {
        self.form.controls.iter().any(|c| c.id == id)
    }

    /// Switches between typed and generated passwords: the password fields leave the form (their
    /// contents wiped) or come back empty.
    fn set_password_mode(&mut self, cx: &Cx<'_>) {
        let generate = self.form.selected("pw_mode") == 1;
        if generate && self.has("password") {
            self.form
                .controls
                .retain(|c| c.id != "password" && c.id != "password_confirm");
        } else if !generate && !self.has("password") {
            let pw_max = cx.config.password.max_len.max(1);
            let at = self.form.index("pw_mode") + 1;
            self.form.controls.insert(
                at,
                Control::text(
                    "password_confirm",
                    key!("details.password_confirm"),
                    TextField::new(pw_max).masked(),
                ),
            );
            self.form.controls.insert(
                at,
                Control::text(
                    "password",
                    key!("details.password"),
                    TextField::new(pw_max).masked(),
                ),
            );
            self.reset_hints(cx);
        }
        let focus = self.form.index("pw_mode");
        self.form.focus = focus;
    }

    fn reset_hints(&mut self, cx: &Cx<'_>) {
        self.form
            .set_info("user_id", Some(user_id::rule_hint()), false);
        if self.has("password") {
            self.form
                .set_info("password", Some(cx.config.password.rule_hint()), false);
        }
        self.form
            .set_info("email", Some(Msg::new("details.email_hint")), false);
    }

    pub fn notify_mail(&self) -> bool {
        self.form.selected("notify") == 0
    }

    pub fn registrant(&self) -> Relationship {
        if self.form.selected("registrant") == 1 {
            Relationship::Dependent
        } else {
            Relationship::Insured
        }
    }

    /// Checks one field; returns whether it is valid.
    pub fn validate(&mut self, id: &str, cx: &Cx<'_>) -> bool {
        if !self.has(id) {
            return true;
        }
        let result: Result<(), Msg> = match id {
            "user_id" => validate_user_id(self.form.value("user_id"))
                .map(|_| ())
                .map_err(|e| e.msg()),
            "password" => {
                let uid = validate_user_id(self.form.value("user_id")).ok();
                let ctx = PasswordContext {
                    user_id: uid.as_deref(),
                    temporary: Some(self.temp_password.as_str()),
                    current: None,
                };
                cx.config
                    .password
                    .check(self.form.value("password"), &ctx)
                    .map_err(|e| e.msg())
            }
            "password_confirm" => check_confirm(
                self.form.value("password"),
                self.form.value("password_confirm"),
            )
            .map_err(|e| e.msg()),
            "email" => validate_email(self.form.value("email"), self.notify_mail())
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
        if self.form.value("user_id") != user_id {
            return;
        }
        if free {
            self.form.set_error("user_id", None);
            self.form
                .set_info("user_id", Some(Msg::new("details.user_id_free")), true);
        } else {
            self.form
                .set_error("user_id", Some(UserIdError::Taken.msg()));
        }
    }

    /// Whether the current user ID was found free by the last check.
    pub fn known_free(&self) -> Option<bool> {
        let current = validate_user_id(self.form.value("user_id")).ok()?;
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
                .set_error("user_id", Some(UserIdError::Taken.msg()));
            first_bad = first_bad.or(Some("user_id"));
        }
        match first_bad {
            Some(id) => {
                self.form.focus_id(id);
                self.message = Some(Msg::new("details.fix_errors"));
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
            Zeroizing::new(if self.has(id) {
                self.form.value(id).to_string()
            } else {
                String::new()
            })
        };
        RegistrationInput {
            user_id: validate_user_id(self.form.value("user_id")).unwrap_or_default(),
            password: typed("password"),
            password_confirm: typed("password_confirm"),
            email: self.form.value("email").trim().to_string(),
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
        let uid = self.form.value("user_id").to_string();
        self.set_availability(&uid, false);
        self.form.focus_id("user_id");
        self.message = Some(Msg::new("details.fix_errors"));
    }
}

impl Screen for DetailsScreen {
    fn form(&self) -> &Form {
        &self.form
    }

    fn form_mut(&mut self) -> &mut Form {
        &mut self.form
    }

    fn title_key(&self) -> &'static str {
        "details.title"
    }

    fn step(&self) -> Option<Step> {
        Some(Step::Details)
    }

    fn rows(&self, cx: &Cx<'_>) -> Vec<Row> {
        let lang = cx.lang;
        let f = &self.form;
        let i = |id| f.index(id);
        let mut rows = vec![
            Row::Intro(tr(lang, "details.intro").to_string(), theme::text()),
            Row::Text(
                tr(lang, "details.user_id_fixed").to_string(),
                theme::label_focused(),
            ),
            Row::Control(i("user_id")),
            Row::Note(i("user_id")),
        ];
        if self.assisted {
            rows.push(Row::Control(i("pw_mode")));
            let note = if self.generates_password() {
                tr(lang, "staff_assist.generate_note")
            } else {
                tr(lang, "staff_assist.member_note")
            };
            rows.push(Row::Text(note.to_string(), theme::info()));
        }
        if self.has("password") {
            rows.extend([
                Row::Control(i("password")),
                Row::Note(i("password")),
                Row::Control(i("password_confirm")),
                Row::Note(i("password_confirm")),
            ]);
        }
        rows.extend([
            Row::Control(i("email")),
            Row::Note(i("email")),
            Row::Control(i("registrant")),
            Row::Text(
                tr(lang, "details.notify_heading").to_string(),
                theme::label(),
            ),
            Row::Control(i("notify")),
            Row::Note(i("notify")),
            Row::Message(
                self.message
                    .as_ref()
                    .map(|m| (msg(lang, m), theme::error())),
            ),
            Row::Buttons(vec![i("submit"), i("back")]),
        ]);
        rows
    }

    fn on_event(&mut self, event: FormEvent, cx: &Cx<'_>) -> Action {
        let action = self.update(event, cx);
        // "Some entries need correcting" goes once nothing needs correcting any more.
        if self
            .message
            .as_ref()
            .is_some_and(|m| m.key == "details.fix_errors")
            && self.form.controls.iter().all(|c| c.error.is_none())
        {
            self.message = None;
        }
        action
    }
}

impl DetailsScreen {
    fn update(&mut self, event: FormEvent, cx: &Cx<'_>) -> Action {
        match event {
            FormEvent::Moved { from } => {
                let id = self.form.controls[from].id;
                if FIELDS.contains(&id) && !self.form.value(id).is_empty() {
                    let ok = self.validate(id, cx);
                    if id == "password" && !self.form.value("password_confirm").is_empty() {
                        self.validate("password_confirm", cx);
                    }
                    if id == "user_id" && ok {
                        if let Ok(uid) = validate_user_id(self.form.value("user_id")) {
                            if self.known_free().is_none() {
                                return Action::CheckUserId(uid);
                            }
                            let free = self.known_free().unwrap_or(true);
                            self.set_availability(&uid, free);
                        }
                    }
                }
                Action::None
            }
            FormEvent::Edited(i) => {
                if self.form.controls[i].id == "user_id" {
                    self.reset_hints(cx);
                }
                Action::None
            }
            FormEvent::Selected(i) if self.form.controls[i].id == "pw_mode" => {
                self.set_password_mode(cx);
                Action::None
            }
            FormEvent::Selected(i) if self.form.controls[i].id == "notify" => {
                let note = if self.notify_mail() {
                    Msg::new("details.notify_yes_note")
                } else {
                    Msg::new("details.notify_no_note")
                };
                self.form.set_info("notify", Some(note), false);
                if self.form.get("email").error.is_some()
                    || !self.form.value("email").is_empty()
                    || self.notify_mail() && self.message.is_some()
                {
                    self.validate("email", cx);
                }
                Action::None
            }
            FormEvent::Back => Action::BackToIdentity,
            FormEvent::Pressed(i) => match self.form.controls[i].id {
                "back" => Action::BackToIdentity,
                "submit" => {
                    if self.validate_all(cx) {
                        Action::ToConfirm
                    } else {
                        Action::None
                    }
                }
                _ => Action::None,
            },
            _ => Action::None,
        }
    }
}
