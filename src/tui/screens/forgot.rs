//! パスワードを忘れた方: the user ID and the registered email address. [確認コードを送る] mails a one-time
//! code when they match – the next screen says the same whether or not they did, and always adds that a
//! member without a registered address asks the staff. [確認コードをお持ちの方] goes straight to the
//! code entry (the code came earlier, e.g. before an idle reset).

use super::account::{AccountAction, field_note};
use super::login::ID_MAX_CHARS;
use super::{Action, Cx, Screen};
use crate::domain::Msg;
use crate::domain::email::{self, EmailError, validate_email};
use crate::domain::text::normalize;
use crate::key;
use crate::tui::i18n::{msg, tr};
use crate::tui::theme;
use crate::tui::widgets::form::{Control, Form, FormEvent, TextField};
use crate::tui::widgets::page::Row;

#[derive(Debug, Clone)]
pub struct ForgotScreen {
    pub form: Form,
    pub message: Option<Msg>,
}

impl Default for ForgotScreen {
    fn default() -> Self {
        Self::new()
    }
}

impl ForgotScreen {
    pub fn new() -> Self {
        ForgotScreen {
            form: Form::new(vec![
                Control::text(
                    "user_id",
                    key!("forgot.user_id"),
                    TextField::new(ID_MAX_CHARS),
                ),
                Control::text(
                    "email",
                    key!("forgot.email"),
                    TextField::new(email::MAX_LEN),
                ),
                Control::button("send", key!("forgot.send")),
                Control::button("have_code", key!("forgot.have_code")),
                Control::button("back", key!("common.back")),
            ]),
            message: None,
        }
    }

    fn user_id(&self) -> String {
        normalize(self.form.value("user_id")).trim().to_string()
    }

    /// Checks one field; returns whether it is valid. Only the form of the input is checked here: nothing
    /// about whether the ID exists.
    fn validate(&mut self, id: &str) -> bool {
        let result: Result<(), Msg> = match id {
            "user_id" if self.user_id().is_empty() => Err(Msg::new("forgot.user_id_empty")),
            "email" => match validate_email(self.form.value("email"), true) {
                Ok(_) => Ok(()),
                Err(EmailError::Required) => Err(Msg::new("forgot.email_empty")),
                Err(e) => Err(e.msg()),
            },
            _ => Ok(()),
        };
        let ok = result.is_ok();
        self.form.set_error(id, result.err());
        ok
    }
}

impl Screen for ForgotScreen {
    fn form(&self) -> &Form {
        &self.form
    }

    fn form_mut(&mut self) -> &mut Form {
        &mut self.form
    }

    fn title_key(&self) -> &'static str {
        key!("forgot.title")
    }

    fn rows(&self, cx: &Cx<'_>) -> Vec<Row> {
        let lang = cx.lang;
        let f = &self.form;
        vec![
            Row::Text(tr(lang, "forgot.intro").to_string(), theme::text()),
            Row::Blank,
            Row::Control(f.index("user_id")),
            field_note(f, "user_id", lang, cx.width),
            Row::Control(f.index("email")),
            field_note(f, "email", lang, cx.width),
            Row::Text(
                tr(lang, "forgot.ask_staff").to_string(),
                theme::label_focused(),
            ),
            Row::Message(
                self.message
                    .as_ref()
                    .map(|m| (msg(lang, m), theme::error())),
            ),
            Row::Buttons(vec![f.index("send"), f.index("have_code"), f.index("back")]),
        ]
    }

    fn on_event(&mut self, event: FormEvent, _cx: &Cx<'_>) -> Action {
        match event {
            FormEvent::Moved { from } => {
                let id = self.form.controls[from].id;
                if matches!(id, "user_id" | "email") && !self.form.value(id).is_empty() {
                    self.validate(id);
                }
                Action::None
            }
            FormEvent::Edited(_) => {
                self.message = None;
                Action::None
            }
            FormEvent::Back => Action::Account(AccountAction::ToLogin),
            FormEvent::Pressed(i) => match self.form.controls[i].id {
                "back" => Action::Account(AccountAction::ToLogin),
                "have_code" => Action::Account(AccountAction::HaveCode {
                    user_id: self.user_id(),
                }),
                "send" => {
                    let id_ok = self.validate("user_id");
                    let email_ok = self.validate("email");
                    if !id_ok || !email_ok {
                        self.form.focus_id(if id_ok { "email" } else { "user_id" });
                        self.message = Some(Msg::new("details.fix_errors"));
                        return Action::None;
                    }
                    self.message = None;
                    Action::Account(AccountAction::RequestCode {
                        user_id: self.user_id(),
                        email: normalize(self.form.value("email")).trim().to_string(),
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
    fn both_fields_are_needed_and_only_their_form_is_checked() {
        let config = Config::default();
        let cx = Cx {
            lang: Lang::Ja,
            config: &config,
            today: time::macros::date!(2026 - 02 - 01),
            width: 80,
        };
        let mut s = ForgotScreen::new();
        assert_eq!(s.form.focused_id(), "user_id");
        let send = s.form.index("send");
        assert_eq!(s.on_event(FormEvent::Pressed(send), &cx), Action::None);
        assert_eq!(
            s.form.get("user_id").error,
            Some(Msg::new("forgot.user_id_empty"))
        );
        assert_eq!(
            s.form.get("email").error,
            Some(Msg::new("forgot.email_empty"))
        );
        s.form
            .field_mut("user_id")
            .set_value("ｔａｎａｋａ２０２６");
        s.form.field_mut("email").set_value("tanaka@@example");
        assert_eq!(s.on_event(FormEvent::Pressed(send), &cx), Action::None);
        assert_eq!(s.form.focused_id(), "email");
        s.form.field_mut("email").set_value(" tanaka@example.jp ");
        assert_eq!(
            s.on_event(FormEvent::Pressed(send), &cx),
            Action::Account(AccountAction::RequestCode {
                user_id: "tanaka2026".into(),
                email: "tanaka@example.jp".into()
            })
        );
        let have = s.form.index("have_code");
        assert_eq!(
            s.on_event(FormEvent::Pressed(have), &cx),
            Action::Account(AccountAction::HaveCode {
                user_id: "tanaka2026".into()
            })
        );
        assert_eq!(
            s.on_event(FormEvent::Back, &cx),
            Action::Account(AccountAction::ToLogin)
        );
    }
}
