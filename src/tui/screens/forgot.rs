//! パスワードを忘れた方: the user ID and the registered email address. [確認コードを送る] mails a one-time
//! code when they match – the next screen says the same whether or not they did, and always adds that a
//! member without a registered address asks the staff. [確認コードをお持ちの方] goes straight to the
//! code entry (the code came earlier, e.g. before an idle reset).

use super::account::field_note;
use super::forgot_code::ResetScreen;
use super::login::ID_MAX_CHARS;
use super::{Action, Component, Cx, Screen, Task};
use crate::domain::Msg;
use crate::domain::email::{self, EmailError, validate_email};
use crate::domain::text::normalize;
use crate::key;
use crate::services::ServiceError;
use crate::tui::i18n::tr;
use crate::tui::theme;
use crate::tui::widgets::fields::{Event, Fields};
use crate::tui::widgets::form::{Control, Form, FormEvent, TextField};
use crate::tui::widgets::keypad::Keypad;
use crate::tui::widgets::notice::{self, Notice};
use crate::tui::widgets::page::Row;

crate::controls! {
    pub enum Ctl {
        UserId = "user_id",
        Email = "email",
        Send = "send",
        HaveCode = "have_code",
        Back = "back",
    }
}

#[derive(Debug, Clone)]
pub struct ForgotScreen {
    pub form: Fields<Ctl>,
    pub message: Option<Notice>,
}

impl Default for ForgotScreen {
    fn default() -> Self {
        Self::new()
    }
}

impl ForgotScreen {
    pub fn new() -> Self {
        ForgotScreen {
            form: Fields::new(vec![
                Control::text(
                    Ctl::UserId,
                    key!("forgot.user_id"),
                    TextField::new(ID_MAX_CHARS),
                ),
                Control::text(
                    Ctl::Email,
                    key!("forgot.email"),
                    TextField::new(email::MAX_LEN).keypad(Keypad::Email),
                ),
                Control::button(Ctl::Send, key!("forgot.send")),
                Control::button(Ctl::HaveCode, key!("forgot.have_code")),
                Control::button(Ctl::Back, key!("common.back")),
            ]),
            message: None,
        }
    }

    fn user_id(&self) -> String {
        normalize(self.form.value(Ctl::UserId)).trim().to_string()
    }

    fn validate(&mut self, id: Ctl) -> bool {
        let result: Result<(), Msg> = match id {
            Ctl::UserId if self.user_id().is_empty() => Err(Msg::new("forgot.user_id_empty")),
            Ctl::Email => match validate_email(self.form.value(Ctl::Email), true) {
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

    /// [確認コードを送る]: the same answer whatever the store knows.
    fn send(&mut self, cx: &Cx<'_>) -> Action {
        let id_ok = self.validate(Ctl::UserId);
        let email_ok = self.validate(Ctl::Email);
        if !id_ok || !email_ok {
            self.form
                .focus(if id_ok { Ctl::Email } else { Ctl::UserId });
            self.message = Some(Notice::error("details.fix_errors"));
            return Action::None;
        }
        self.message = None;
        let user_id = self.user_id();
        let email = normalize(self.form.value(Ctl::Email)).trim().to_string();
        let lang = cx.lang;
        Action::Task(Task::new(
            move |t| {
                let r = t.svc.request_reset(&t.actor, &user_id, &email, lang);
                (user_id, r)
            },
            ForgotScreen::on_requested,
        ))
    }

    fn on_requested(
        &mut self,
        (user_id, r): (String, Result<(), ServiceError>),
        cx: &Cx<'_>,
    ) -> Action {
        match r {
            Ok(()) => {
                let minutes = cx.config.reset.code_valid_minutes.max(1);
                Action::Open(Screen::ResetCode(ResetScreen::new(
                    cx,
                    &user_id,
                    Some(minutes),
                )))
            }
            Err(e) => {
                tracing::error!(error = %e, "reset request failed with an error");
                self.message = Some(Notice::error("common.system_error"));
                Action::None
            }
        }
    }
}
impl Component for ForgotScreen {
    fn form(&self) -> &Form {
        self.form.form()
    }

    fn form_mut(&mut self) -> &mut Form {
        self.form.form_mut()
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
            f.row(Ctl::UserId),
            field_note(f, Ctl::UserId, lang, cx.width),
            f.row(Ctl::Email),
            field_note(f, Ctl::Email, lang, cx.width),
            Row::Text(
                tr(lang, "forgot.ask_staff").to_string(),
                theme::label_focused(),
            ),
            notice::row(lang, &self.message),
            f.buttons(&[Ctl::Send, Ctl::HaveCode, Ctl::Back]),
        ]
    }

    fn on_event(&mut self, event: FormEvent, cx: &Cx<'_>) -> Action {
        match self.form.event(event) {
            Event::Left(id @ (Ctl::UserId | Ctl::Email)) if !self.form.value(id).is_empty() => {
                self.validate(id);
                Action::None
            }
            Event::Edited(_) => {
                self.message = None;
                Action::None
            }
            // Back to the login screen as it was.
            Event::Back | Event::Pressed(Ctl::Back) => Action::Back,
            Event::Pressed(Ctl::HaveCode) => Action::Open(Screen::ResetCode(ResetScreen::new(
                cx,
                &self.user_id(),
                None,
            ))),
            Event::Pressed(Ctl::Send) => self.send(cx),
            _ => Action::None,
        }
    }

    fn notice(&mut self, notice: Notice) {
        self.message = Some(notice);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::tui::screens::{Page, test_cx};

    fn press(s: &mut ForgotScreen, id: Ctl, cx: &Cx<'_>) -> Action {
        let i = s.form.index(id);
        s.on_event(FormEvent::Pressed(i), cx)
    }

    #[test]
    fn both_fields_are_needed_and_only_their_form_is_checked() {
        let config = Config::default();
        let cx = test_cx(&config);
        let mut s = ForgotScreen::new();
        assert_eq!(s.form.focused(), Ctl::UserId);
        assert!(press(&mut s, Ctl::Send, &cx).is_none());
        assert_eq!(
            s.form.get(Ctl::UserId).error,
            Some(Msg::new("forgot.user_id_empty"))
        );
        assert_eq!(
            s.form.get(Ctl::Email).error,
            Some(Msg::new("forgot.email_empty"))
        );
        s.form
            .field_mut(Ctl::UserId)
            .set_value("ｔａｎａｋａ２０２６");
        s.form.field_mut(Ctl::Email).set_value("tanaka@@example");
        assert!(press(&mut s, Ctl::Send, &cx).is_none());
        assert_eq!(s.form.focused(), Ctl::Email);
        s.form
            .field_mut(Ctl::Email)
            .set_value(" tanaka@example.jp ");
        assert!(matches!(press(&mut s, Ctl::Send, &cx), Action::Task(t) if !t.quiet));
        assert_eq!(s.user_id(), "tanaka2026");
        match press(&mut s, Ctl::HaveCode, &cx) {
            Action::Open(screen) => {
                assert_eq!(screen.page(), Page::ResetCode);
                let r = screen.get::<ResetScreen>().unwrap();
                assert_eq!(
                    r.form.value(super::super::forgot_code::Ctl::UserId),
                    "tanaka2026"
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(s.on_event(FormEvent::Back, &cx), Action::Back));
    }
}
