//! STEP5 登録完了: the new user ID, where the welcome mail went, the notices, [メニューへ].

use ratatui::text::{Line, Span};

use super::{Action, Cx, Screen};
use crate::domain::text::neutralize;
use crate::domain::wizard::Step;
use crate::key;
use crate::store::outbox::MailState;
use crate::tui::i18n::{tr, trf};
use crate::tui::theme;
use crate::tui::widgets::form::{Control, Form, FormEvent};
use crate::tui::widgets::page::Row;

#[derive(Debug, Clone)]
pub struct DoneScreen {
    pub form: Form,
    pub user_id: String,
    pub email: Option<String>,
    /// The welcome mail's state when last looked at (queued or sent), when one was queued.
    pub mail_state: Option<MailState>,
    /// An initial password generated at an assisted registration: shown here once.
    pub initial_password: Option<zeroize::Zeroizing<String>>,
}

impl DoneScreen {
    pub fn new(user_id: &str, email: Option<String>, mail_state: Option<MailState>) -> Self {
        DoneScreen {
            form: Form::new(vec![Control::button("menu", key!("done.to_menu"))]),
            user_id: user_id.to_string(),
            email,
            mail_state,
            initial_password: None,
        }
    }
}

impl Screen for DoneScreen {
    fn form(&self) -> &Form {
        &self.form
    }

    fn form_mut(&mut self) -> &mut Form {
        &mut self.form
    }

    fn title_key(&self) -> &'static str {
        "done.title"
    }

    fn step(&self) -> Option<Step> {
        Some(Step::Done)
    }

    fn hints_key(&self) -> &'static str {
        "done.hints"
    }

    fn rows(&self, cx: &Cx<'_>) -> Vec<Row> {
        let lang = cx.lang;
        let mail = match (&self.email, self.mail_state) {
            (None, _) => tr(lang, "done.no_mail").to_string(),
            (Some(to), Some(MailState::Sent)) => {
                trf(lang, "done.mail_sent", &[("to", &neutralize(to))])
            }
            (Some(to), Some(MailState::Dead)) => {
                trf(lang, "done.mail_failed", &[("to", &neutralize(to))])
            }
            (Some(to), _) => trf(lang, "done.mail_queued", &[("to", &neutralize(to))]),
        };
        let mut rows = vec![
            Row::Text(tr(lang, "done.complete").to_string(), theme::ok()),
            Row::Line(Line::from(vec![
                Span::styled(tr(lang, "done.your_user_id"), theme::label()),
                Span::raw("  "),
                Span::styled(
                    neutralize(&self.user_id).into_owned(),
                    theme::step_current(),
                ),
            ])),
            Row::Text(mail, theme::text()),
        ];
        if let Some(pw) = &self.initial_password {
            rows.push(Row::Line(Line::from(vec![
                Span::styled(tr(lang, "staff_assist.initial_password"), theme::label()),
                Span::raw("  "),
                Span::styled(format!(" {} ", pw.as_str()), theme::step_current()),
            ])));
            rows.push(Row::Text(
                tr(lang, "staff_assist.initial_note").to_string(),
                theme::label_focused(),
            ));
        }
        rows.extend([
            Row::Blank,
            Row::Text(
                tr(lang, "done.notices_title").to_string(),
                theme::label_focused(),
            ),
            Row::Text(tr(lang, "done.notices").to_string(), theme::text()),
            Row::Blank,
            Row::Buttons(vec![0]),
        ]);
        rows
    }

    fn on_event(&mut self, event: FormEvent, _cx: &Cx<'_>) -> Action {
        match event {
            FormEvent::Pressed(_) => Action::ToMenu,
            _ => Action::None,
        }
    }
}
