//! STEP1/STEP2: the kiosk's start screen. The first-time guide, the language switch and one form that
//! takes both temporary (postcard) and permanent credentials.

use zeroize::Zeroizing;

use super::{Action, Cx, Screen};
use crate::domain::wizard::Step;
use crate::domain::{Lang, Msg};
use crate::key;
use crate::tui::i18n::{msg, tr};
use crate::tui::theme;
use crate::tui::widgets::form::{Control, Form, FormEvent, Kind, TextField};
use crate::tui::widgets::page::Row;

/// Long enough for any user, temporary or staff ID.
pub const ID_MAX_CHARS: usize = 32;
pub const PASSWORD_MAX_CHARS: usize = 128;

#[derive(Debug, Clone)]
pub struct LoginScreen {
    pub form: Form,
    /// The generic refusal, or a notice carried over (e.g. after a lock or a timeout).
    pub message: Option<(Msg, bool)>,
}

impl LoginScreen {
    pub fn new(lang: Lang) -> Self {
        let form = Form::new(vec![
            Control::radio(
                "lang",
                key!("login.language"),
                vec![key!("login.lang_ja"), key!("login.lang_en")],
                if lang == Lang::En { 1 } else { 0 },
            ),
            Control::text(
                "user_id",
                key!("login.user_id"),
                TextField::new(ID_MAX_CHARS),
            ),
            Control::text(
                "password",
                key!("login.password"),
                TextField::new(PASSWORD_MAX_CHARS).masked(),
            ),
            Control::button("login", key!("login.submit")),
            Control::button("forgot", key!("login.forgot")),
        ]);
        LoginScreen {
            form,
            message: None,
        }
    }

    /// After a refusal: the one generic message; the ID stays, the password is emptied.
    pub fn refused(&mut self) {
        self.message = Some((Msg::new("login.failed"), true));
        self.form.field_mut("password").clear();
        self.form.focus_id("password");
    }

    pub fn notice(&mut self, m: Msg, is_error: bool) {
        self.message = Some((m, is_error));
    }
}

impl Screen for LoginScreen {
    fn form(&self) -> &Form {
        &self.form
    }

    fn form_mut(&mut self) -> &mut Form {
        &mut self.form
    }

    fn title_key(&self) -> &'static str {
        "login.title"
    }

    fn step(&self) -> Option<Step> {
        Some(Step::TempId)
    }

    fn rows(&self, cx: &Cx<'_>) -> Vec<Row> {
        let lang = cx.lang;
        let f = &self.form;
        vec![
            Row::Control(f.index("lang")),
            Row::Blank,
            Row::Text(tr(lang, "login.guide_intro").to_string(), theme::text()),
            Row::Text(tr(lang, "login.guide_steps").to_string(), theme::info()),
            Row::Text(
                tr(lang, "login.guide_registered").to_string(),
                theme::text(),
            ),
            Row::Blank,
            Row::Control(f.index("user_id")),
            Row::Control(f.index("password")),
            Row::Message(self.message.as_ref().map(|(m, err)| {
                (
                    msg(lang, m),
                    if *err { theme::error() } else { theme::ok() },
                )
            })),
            Row::Buttons(vec![f.index("login"), f.index("forgot")]),
        ]
    }

    fn on_event(&mut self, event: FormEvent, _cx: &Cx<'_>) -> Action {
        match event {
            FormEvent::Selected(i) if self.form.controls[i].id == "lang" => {
                let lang = if self.form.selected("lang") == 1 {
                    Lang::En
                } else {
                    Lang::Ja
                };
                Action::SetLang(lang)
            }
            FormEvent::Edited(_) => {
                self.message = None;
                Action::None
            }
            FormEvent::Pressed(i) => match self.form.controls[i].id {
                "login" => {
                    let id = self.form.value("user_id").trim().to_string();
                    let password = Zeroizing::new(self.form.value("password").to_string());
                    if id.is_empty() || password.is_empty() {
                        self.message = Some((Msg::new("login.missing"), true));
                        let empty = if id.is_empty() { "user_id" } else { "password" };
                        self.form.focus_id(empty);
                        return Action::None;
                    }
                    self.message = None;
                    Action::Login { id, password }
                }
                "forgot" => Action::ForgotPassword,
                _ => Action::None,
            },
            _ => Action::None,
        }
    }

    fn pristine(&self) -> bool {
        self.message.is_none()
            && self
                .form
                .controls
                .iter()
                .all(|c| !matches!(&c.kind, Kind::Text(t) if !t.is_empty()))
    }
}
