//! 代理登録 (assisted registration), STEP2 for staff: the member's postcard credential. It goes through
//! the same login service as the kiosk (the same lock counter and audit), with the staff actor.

use zeroize::Zeroizing;

use super::{back_to_menu, system_error};
use crate::domain::Msg;
use crate::key;
use crate::services::ServiceError;
use crate::services::auth::LoginOutcome;
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
        TempId = "temp_id",
        TempPassword = "temp_password",
        Start = "start",
        Back = "back",
    }
}

#[derive(Debug, Clone)]
pub struct StaffStartScreen {
    pub form: Fields<Ctl>,
    pub message: Option<Notice>,
}

impl Default for StaffStartScreen {
    fn default() -> Self {
        Self::new()
    }
}

impl StaffStartScreen {
    pub fn new() -> Self {
        StaffStartScreen {
            form: Fields::new(vec![
                Control::text(
                    Ctl::TempId,
                    key!("staff_start.temp_id"),
                    TextField::new(ID_MAX_CHARS),
                ),
                Control::text(
                    Ctl::TempPassword,
                    key!("staff_start.temp_password"),
                    TextField::new(PASSWORD_MAX_CHARS).masked(),
                ),
                Control::button(Ctl::Start, key!("staff_start.submit")),
                Control::button(Ctl::Back, key!("common.back")),
            ]),
            message: None,
        }
    }

    /// The login service refused the credential: the ID stays, the password is emptied.
    pub fn refused(&mut self, m: Msg) {
        self.message = Some(Notice::error(m));
        self.form.field_mut(Ctl::TempPassword).clear();
        self.form.focus(Ctl::TempPassword);
    }

    /// The member's postcard through the same login service as the kiosk's (temporary IDs only).
    pub fn temp_login<C: std::any::Any>(
        temp_id: String,
        temp_password: Zeroizing<String>,
        deliver: fn(&mut C, Result<LoginOutcome, ServiceError>, &Cx<'_>) -> Action,
    ) -> Action {
        Action::Task(Task::new(
            move |t| t.svc.staff_temp_login(&t.actor, &temp_id, &temp_password),
            deliver,
        ))
    }

    fn on_temp_login(&mut self, r: Result<LoginOutcome, ServiceError>, _cx: &Cx<'_>) -> Action {
        match r {
            Ok(LoginOutcome::Temporary(ticket)) => Action::StartRegistration(ticket),
            Ok(LoginOutcome::Permanent(_)) => {
                self.refused(Msg::new("staff_start.registered"));
                Action::None
            }
            Ok(LoginOutcome::Failed) => {
                self.refused(Msg::new("staff_start.failed"));
                Action::None
            }
            Err(e) => system_error("temporary login", e),
        }
    }
}

impl Component for StaffStartScreen {
    fn form(&self) -> &Form {
        self.form.form()
    }

    fn form_mut(&mut self) -> &mut Form {
        self.form.form_mut()
    }

    fn title_key(&self) -> &'static str {
        "staff_start.title"
    }

    fn hints_key(&self) -> &'static str {
        "staff.hints"
    }

    fn rows(&self, cx: &Cx<'_>) -> Vec<Row> {
        let lang = cx.lang;
        let f = &self.form;
        vec![
            Row::Text(tr(lang, "staff_start.intro").to_string(), theme::text()),
            Row::Blank,
            f.row(Ctl::TempId),
            f.row(Ctl::TempPassword),
            notice::row(lang, &self.message),
            f.buttons(&[Ctl::Start, Ctl::Back]),
            Row::Blank,
            Row::Text(tr(lang, "staff_start.lost").to_string(), theme::info()),
        ]
    }

    fn on_event(&mut self, event: FormEvent, _cx: &Cx<'_>) -> Action {
        match self.form.event(event) {
            Event::Edited(_) => {
                self.message = None;
                Action::None
            }
            Event::Back | Event::Pressed(Ctl::Back) => back_to_menu(),
            Event::Pressed(Ctl::Start) => {
                let temp_id = self.form.value(Ctl::TempId).trim().to_string();
                let temp_password = Zeroizing::new(self.form.value(Ctl::TempPassword).to_string());
                if temp_id.is_empty() || temp_password.is_empty() {
                    self.message = Some(Notice::error("staff_start.missing"));
                    self.form.focus(if temp_id.is_empty() {
                        Ctl::TempId
                    } else {
                        Ctl::TempPassword
                    });
                    return Action::None;
                }
                self.message = None;
                StaffStartScreen::temp_login(
                    temp_id,
                    temp_password,
                    StaffStartScreen::on_temp_login,
                )
            }
            _ => Action::None,
        }
    }

    fn notice(&mut self, notice: Notice) {
        self.message = Some(notice);
    }
}
