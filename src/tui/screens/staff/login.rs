//! 係員ログイン: the staff console's start screen. The SSH account alone is not trusted: every staff member
//! logs in with a staff ID and password; refusals get one generic message and count toward a lock.

use zeroize::Zeroizing;

use super::{StaffAction, message_row};
use crate::domain::{Lang, Msg};
use crate::key;
use crate::tui::i18n::tr;
use crate::tui::screens::login::{ID_MAX_CHARS, PASSWORD_MAX_CHARS};
use crate::tui::screens::{Action, Cx, Screen};
use crate::tui::theme;
use crate::tui::widgets::form::{Control, Form, FormEvent, Kind, TextField};
use crate::tui::widgets::page::Row;

#[derive(Debug, Clone)]
pub struct StaffLoginScreen {
    pub form: Form,
    pub message: Option<(Msg, bool)>,
}

impl StaffLoginScreen {
    pub fn new(lang: Lang) -> Self {
        StaffLoginScreen {
            form: Form::new(vec![
                Control::radio(
                    "lang",
                    key!("staff_login.language"),
                    vec![key!("login.lang_ja"), key!("login.lang_en")],
                    usize::from(lang == Lang::En),
                ),
                Control::text(
                    "staff_id",
                    key!("staff_login.staff_id"),
                    TextField::new(ID_MAX_CHARS),
                ),
                Control::text(
                    "password",
                    key!("staff_login.password"),
                    TextField::new(PASSWORD_MAX_CHARS).masked(),
                ),
                Control::button("login", key!("staff_login.submit")),
                Control::button("quit", key!("staff_login.quit")),
            ]),
            message: None,
        }
    }

    /// The one generic refusal: the ID stays, the password is emptied.
    pub fn refused(&mut self) {
        self.message = Some((Msg::new("staff_login.failed"), true));
        self.form.field_mut("password").clear();
        self.form.focus_id("password");
    }

    pub fn pristine(&self) -> bool {
        self.message.is_none()
            && self
                .form
                .controls
                .iter()
                .all(|c| !matches!(&c.kind, Kind::Text(t) if !t.is_empty()))
    }
}

impl Screen for StaffLoginScreen {
    fn form(&self) -> &Form {
        &self.form
    }

    fn form_mut(&mut self) -> &mut Form {
        &mut self.form
    }

    fn title_key(&self) -> &'static str {
        "staff_login.title"
    }

    fn hints_key(&self) -> &'static str {
        "staff.hints"
    }

    fn rows(&self, cx: &Cx<'_>) -> Vec<Row> {
        let lang = cx.lang;
        let f = &self.form;
        vec![
            Row::Control(f.index("lang")),
            Row::Blank,
            Row::Text(tr(lang, "staff_login.intro").to_string(), theme::text()),
            Row::Blank,
            Row::Control(f.index("staff_id")),
            Row::Control(f.index("password")),
            message_row(lang, &self.message),
            Row::Buttons(vec![f.index("login"), f.index("quit")]),
        ]
    }

    fn on_event(&mut self, event: FormEvent, _cx: &Cx<'_>) -> Action {
        match event {
            FormEvent::Selected(i) if self.form.controls[i].id == "lang" => {
                Action::SetLang(if self.form.selected("lang") == 1 {
                    Lang::En
                } else {
                    Lang::Ja
                })
            }
            FormEvent::Edited(_) => {
                self.message = None;
                Action::None
            }
            FormEvent::Pressed(i) => match self.form.controls[i].id {
                "login" => {
                    let staff_id = self.form.value("staff_id").trim().to_string();
                    let password = Zeroizing::new(self.form.value("password").to_string());
                    if staff_id.is_empty() || password.is_empty() {
                        self.message = Some((Msg::new("staff_login.missing"), true));
                        self.form.focus_id(if staff_id.is_empty() {
                            "staff_id"
                        } else {
                            "password"
                        });
                        return Action::None;
                    }
                    self.message = None;
                    Action::Staff(StaffAction::Login { staff_id, password })
                }
                "quit" => Action::Staff(StaffAction::Quit),
                _ => Action::None,
            },
            _ => Action::None,
        }
    }

    fn pristine(&self) -> bool {
        StaffLoginScreen::pristine(self)
    }
}
