//! パスワードの再設定: the one-time code from the mail and the new password (twice). After a request it
//! opens with the one answer that does not say whether the ID and address matched.

use zeroize::Zeroizing;

use super::account::{AccountAction, field_note, fields_to_check};
use super::login::ID_MAX_CHARS;
use super::{Action, Cx, Screen};
use crate::domain::Msg;
use crate::domain::credential::normalize_one_time_code;
use crate::domain::password::{PasswordContext, check_confirm};
use crate::domain::text::normalize;
use crate::key;
use crate::services::RuleViolation;
use crate::tui::i18n::{msg, tr};
use crate::tui::theme;
use crate::tui::widgets::form::{Control, Form, FormEvent, TextField};
use crate::tui::widgets::page::Row;

/// Room for the 8 digits typed in groups (`1234 5678`, `1234-5678`).
pub const CODE_MAX_CHARS: usize = 12;

#[derive(Debug, Clone)]
pub struct ResetScreen {
    pub form: Form,
    /// After a request: the code's lifetime in minutes, for the generic answer.
    pub sent_minutes: Option<u32>,
    pub message: Option<Msg>,
}

const FIELDS: [&str; 4] = ["user_id", "code", "new", "confirm"];

impl ResetScreen {
    pub fn new(cx: &Cx<'_>, user_id: &str, sent_minutes: Option<u32>) -> Self {
        let pw_max = cx.config.password.max_len.max(1);
        let mut form = Form::new(vec![
            Control::text(
                "user_id",
                key!("forgot_code.user_id"),
                TextField::new(ID_MAX_CHARS),
            ),
            Control::text(
                "code",
                key!("forgot_code.code"),
                TextField::new(CODE_MAX_CHARS),
            ),
            Control::text("new", key!("pwchange.new"), TextField::new(pw_max).masked()),
            Control::text(
                "confirm",
                key!("pwchange.confirm"),
                TextField::new(pw_max).masked(),
            ),
            Control::button("submit", key!("forgot_code.submit")),
            Control::button("back", key!("common.back")),
        ]);
        form.field_mut("user_id").set_value(user_id);
        form.set_info("new", Some(cx.config.password.rule_hint()), false);
        ResetScreen {
            form,
            sent_minutes,
            message: None,
        }
    }

    fn user_id(&self) -> String {
        normalize(self.form.value("user_id")).trim().to_string()
    }

    fn validate(&mut self, id: &str, cx: &Cx<'_>) -> bool {
        let result: Result<(), Msg> = match id {
            "user_id" if self.user_id().is_empty() => Err(Msg::new("forgot.user_id_empty")),
            "code" => normalize_one_time_code(self.form.value("code"))
                .map(|_| ())
                .ok_or_else(|| Msg::new("forgot_code.code_format")),
            "new" => {
                let uid = self.user_id();
                let ctx = PasswordContext {
                    user_id: (!uid.is_empty()).then_some(uid.as_str()),
                    temporary: None,
                    current: None,
                };
                cx.config
                    .password
                    .check(self.form.value("new"), &ctx)
                    .map_err(|e| e.msg())
            }
            "confirm" => check_confirm(self.form.value("new"), self.form.value("confirm"))
                .map_err(|e| e.msg()),
            _ => Ok(()),
        };
        let ok = result.is_ok();
        self.form.set_error(id, result.err());
        ok
    }

    /// The one answer for every refused code. Everything typed stays.
    pub fn refused(&mut self) {
        self.message = Some(Msg::new("forgot_code.refused"));
        self.form.focus_id("code");
    }

    /// Rules the service found broken (the password policy, "not the current password").
    pub fn violations(&mut self, violations: &[RuleViolation]) {
        for v in violations {
            if FIELDS.contains(&v.field) {
                self.form.set_error(v.field, Some(v.msg.clone()));
            }
        }
        if let Some(v) = violations.iter().find(|v| FIELDS.contains(&v.field)) {
            self.form.focus_id(v.field);
        }
        self.message = Some(Msg::new("details.fix_errors"));
    }
}

impl Screen for ResetScreen {
    fn form(&self) -> &Form {
        &self.form
    }

    fn form_mut(&mut self) -> &mut Form {
        &mut self.form
    }

    fn title_key(&self) -> &'static str {
        key!("forgot_code.title")
    }

    fn rows(&self, cx: &Cx<'_>) -> Vec<Row> {
        let lang = cx.lang;
        let f = &self.form;
        let i = |id| f.index(id);
        let mut rows = Vec::new();
        if let Some(minutes) = self.sent_minutes {
            rows.push(Row::Text(
                msg(lang, &Msg::new("forgot_code.sent").arg("minutes", minutes)),
                theme::ok(),
            ));
        }
        rows.extend([
            Row::Text(tr(lang, "forgot_code.intro").to_string(), theme::text()),
            Row::Blank,
            Row::Control(i("user_id")),
            field_note(f, "user_id", lang, cx.width),
            Row::Control(i("code")),
            field_note(f, "code", lang, cx.width),
            Row::Control(i("new")),
            field_note(f, "new", lang, cx.width),
            Row::Control(i("confirm")),
            field_note(f, "confirm", lang, cx.width),
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
        match event {
            FormEvent::Moved { from } => {
                for id in fields_to_check(&self.form, &FIELDS, from) {
                    self.validate(id, cx);
                }
                Action::None
            }
            FormEvent::Edited(_) => {
                self.message = None;
                Action::None
            }
            FormEvent::Back => Action::Account(AccountAction::BackToForgot),
            FormEvent::Pressed(i) => match self.form.controls[i].id {
                "back" => Action::Account(AccountAction::BackToForgot),
                "submit" => {
                    let mut first_bad = None;
                    for id in FIELDS {
                        if !self.validate(id, cx) && first_bad.is_none() {
                            first_bad = Some(id);
                        }
                    }
                    if let Some(id) = first_bad {
                        self.form.focus_id(id);
                        self.message = Some(Msg::new("details.fix_errors"));
                        return Action::None;
                    }
                    self.message = None;
                    Action::Account(AccountAction::ResetPassword {
                        user_id: self.user_id(),
                        code: self.form.value("code").to_string(),
                        new: Zeroizing::new(self.form.value("new").to_string()),
                        confirm: Zeroizing::new(self.form.value("confirm").to_string()),
                    })
                }
                _ => Action::None,
            },
            _ => Action::None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::domain::Lang;

    #[test]
    fn the_code_is_checked_for_form_before_it_counts() {
        let config = Config::default();
        let cx = Cx {
            lang: Lang::Ja,
            config: &config,
            today: time::macros::date!(2026 - 02 - 01),
            width: 80,
        };
        let mut s = ResetScreen::new(&cx, "tanaka2026", Some(15));
        assert_eq!(s.form.focused_id(), "user_id");
        assert_eq!(s.form.value("user_id"), "tanaka2026");
        s.form.field_mut("code").set_value("1234567");
        s.form.field_mut("new").set_value("NewPass456");
        s.form.field_mut("confirm").set_value("NewPass456");
        let submit = s.form.index("submit");
        assert_eq!(s.on_event(FormEvent::Pressed(submit), &cx), Action::None);
        assert_eq!(
            s.form.get("code").error,
            Some(Msg::new("forgot_code.code_format"))
        );
        assert_eq!(s.form.focused_id(), "code");
        s.form.field_mut("code").set_value("１２３４ ５６７８");
        match s.on_event(FormEvent::Pressed(submit), &cx) {
            Action::Account(AccountAction::ResetPassword {
                user_id, code, new, ..
            }) => {
                assert_eq!(user_id, "tanaka2026");
                assert_eq!(normalize_one_time_code(&code).as_deref(), Some("12345678"));
                assert_eq!(new.as_str(), "NewPass456");
            }
            other => panic!("{other:?}"),
        }
        s.refused();
        assert_eq!(s.message, Some(Msg::new("forgot_code.refused")));
        assert_eq!(s.form.value("new"), "NewPass456", "nothing typed is lost");
        assert_eq!(
            s.on_event(FormEvent::Back, &cx),
            Action::Account(AccountAction::BackToForgot)
        );
    }
}
