//! 代理登録 (assisted registration), STEP2 for staff: the member's postcard credential. It goes through
//! the same login service as the kiosk (the same lock counter and audit), with the staff actor.

use zeroize::Zeroizing;

use super::{StaffAction, message_row};
use crate::domain::Msg;
use crate::domain::wizard::Step;
use crate::key;
use crate::tui::i18n::tr;
use crate::tui::screens::login::{ID_MAX_CHARS, PASSWORD_MAX_CHARS};
use crate::tui::screens::{Action, Cx, Screen};
use crate::tui::theme;
use crate::tui::widgets::form::{Control, Form, FormEvent, TextField};
use crate::tui::widgets::page::Row;

#[derive(Debug, Clone)]
pub struct StaffStartScreen {
    pub form: Form,
    pub message: Option<(Msg, bool)>,
}

impl Default for StaffStartScreen {
    fn default() -> Self {
        Self::new()
    }
}

impl StaffStartScreen {
    pub fn new() -> Self {
        StaffStartScreen {
            form: Form::new(vec![
                Control::text(
                    "temp_id",
                    key!("staff_start.temp_id"),
                    TextField::new(ID_MAX_CHARS),
                ),
                Control::text(
                    "temp_password",
                    key!("staff_start.temp_password"),
                    TextField::new(PASSWORD_MAX_CHARS).masked(),
                ),
                Control::button("start", key!("staff_start.submit")),
                Control::button("back", key!("common.back")),
            ]),
            message: None,
        }
    }

    /// The login service refused the credential: the ID stays, the password is emptied.
    pub fn refused(&mut self, m: Msg) {
        self.message = Some((m, true));
        self.form.field_mut("temp_password").clear();
        self.form.focus_id("temp_password");
    }
}

impl Screen for StaffStartScreen {
    fn form(&self) -> &Form {
        &self.form
    }

    fn form_mut(&mut self) -> &mut Form {
        &mut self.form
    }

    fn title_key(&self) -> &'static str {
        "staff_start.title"
    }

    fn step(&self) -> Option<Step> {
        Some(Step::TempId)
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
            Row::Control(f.index("temp_id")),
            Row::Control(f.index("temp_password")),
            message_row(lang, &self.message),
            Row::Buttons(vec![f.index("start"), f.index("back")]),
            Row::Blank,
            Row::Text(tr(lang, "staff_start.lost").to_string(), theme::info()),
        ]
    }

    fn on_event(&mut self, event: FormEvent, _cx: &Cx<'_>) -> Action {
        match event {
            FormEvent::Edited(_) => {
                self.message = None;
                Action::None
            }
            FormEvent::Back => Action::Staff(StaffAction::BackToMenu),
            FormEvent::Pressed(i) => match self.form.controls[i].id {
                "start" => {
                    let temp_id = self.form.value("temp_id").trim().to_string();
                    let temp_password =
                        Zeroizing::new(self.form.value("temp_password").to_string());
                    if temp_id.is_empty() || temp_password.is_empty() {
                        self.message = Some((Msg::new("staff_start.missing"), true));
                        self.form.focus_id(if temp_id.is_empty() {
                            "temp_id"
                        } else {
                            "temp_password"
                        });
                        return Action::None;
                    }
                    self.message = None;
                    Action::Staff(StaffAction::StartRegistration {
                        temp_id,
                        temp_password,
                    })
                }
                "back" => Action::Staff(StaffAction::BackToMenu),
                _ => Action::None,
            },
            _ => Action::None,
        }
    }
}
