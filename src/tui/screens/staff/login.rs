//! 係員ログイン: the staff console's start screen. The SSH account alone is not trusted: every staff member
//! logs in with a staff ID and password; refusals get one generic message and count toward a lock.

use zeroize::Zeroizing;

use super::system_error;
use crate::domain::Lang;
use crate::key;
use crate::services::ServiceError;
use crate::services::staff::StaffLoginOutcome;
use crate::tui::i18n::tr;
use crate::tui::screens::login::{ID_MAX_CHARS, PASSWORD_MAX_CHARS};
use crate::tui::screens::{Action, Component, Cx, Task};
use crate::tui::theme;
use crate::tui::widgets::fields::{Event, Fields};
use crate::tui::widgets::form::{Control, Form, FormEvent, TextField};
use crate::tui::widgets::notice::{self, Notice};
use crate::tui::widgets::page::Row;

crate::controls! {
    pub enum Ctl {
        Lang = "lang",
        StaffId = "staff_id",
        Password = "password",
        Login = "login",
        Quit = "quit",
    }
}

#[derive(Debug, Clone)]
pub struct StaffLoginScreen {
    pub form: Fields<Ctl>,
    pub message: Option<Notice>,
}

impl StaffLoginScreen {
    pub fn new(lang: Lang) -> Self {
        StaffLoginScreen {
            form: Fields::new(vec![
                Control::radio(
                    Ctl::Lang,
                    key!("staff_login.language"),
                    vec![key!("login.lang_ja"), key!("login.lang_en")],
                    usize::from(lang == Lang::En),
                ),
                Control::text(
                    Ctl::StaffId,
                    key!("staff_login.staff_id"),
                    TextField::new(ID_MAX_CHARS),
                ),
                Control::text(
                    Ctl::Password,
                    key!("staff_login.password"),
                    TextField::new(PASSWORD_MAX_CHARS).masked(),
                ),
                Control::button(Ctl::Login, key!("staff_login.submit")),
                Control::button(Ctl::Quit, key!("staff_login.quit")),
            ]),
            message: None,
        }
    }

    /// The one generic refusal: the ID stays, the password is emptied.
    pub fn refused(&mut self) {
        self.message = Some(Notice::error("staff_login.failed"));
        self.form.field_mut(Ctl::Password).clear();
        self.form.focus(Ctl::Password);
    }

    fn on_login(&mut self, r: Result<StaffLoginOutcome, ServiceError>, _cx: &Cx<'_>) -> Action {
        match r {
            Ok(StaffLoginOutcome::Ok(session)) => Action::StaffLoggedIn(session),
            Ok(StaffLoginOutcome::Failed) => {
                self.refused();
                Action::None
            }
            Err(e) => system_error("staff login", e),
        }
    }
}

impl Component for StaffLoginScreen {
    fn form(&self) -> &Form {
        self.form.form()
    }

    fn form_mut(&mut self) -> &mut Form {
        self.form.form_mut()
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
            f.row(Ctl::Lang),
            Row::Blank,
            Row::Text(tr(lang, "staff_login.intro").to_string(), theme::text()),
            Row::Blank,
            f.row(Ctl::StaffId),
            f.row(Ctl::Password),
            notice::row(lang, &self.message),
            f.buttons(&[Ctl::Login, Ctl::Quit]),
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
                let staff_id = self.form.value(Ctl::StaffId).trim().to_string();
                let password = Zeroizing::new(self.form.value(Ctl::Password).to_string());
                if staff_id.is_empty() || password.is_empty() {
                    self.message = Some(Notice::error("staff_login.missing"));
                    self.form.focus(if staff_id.is_empty() {
                        Ctl::StaffId
                    } else {
                        Ctl::Password
                    });
                    return Action::None;
                }
                self.message = None;
                Action::Task(Task::new(
                    move |t| t.svc.staff_login(&t.actor, &staff_id, &password),
                    StaffLoginScreen::on_login,
                ))
            }
            Event::Pressed(Ctl::Quit) => Action::Quit,
            _ => Action::None,
        }
    }

    fn pristine(&self) -> bool {
        self.message.is_none() && self.form.all_empty()
    }

    fn notice(&mut self, notice: Notice) {
        self.message = Some(notice);
    }
}
