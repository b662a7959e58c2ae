//! STEP5 登録完了: the new user ID, where the welcome mail went, the notices, [メニューへ].

use std::time::{Duration, Instant};

use ratatui::text::{Line, Span};

use super::{Action, Component, Cx, Task};
use crate::domain::email::sender_address;
use crate::domain::text::neutralize;
use crate::key;
use crate::services::ServiceError;
use crate::store::outbox::MailState;
use crate::tui::i18n::{tr, trf};
use crate::tui::theme;
use crate::tui::widgets::fields::{Event, Fields};
use crate::tui::widgets::form::{Control, Form, FormEvent};
use crate::tui::widgets::page::Row;

/// How often the done screen looks at its welcome mail again while it is still on its way (another
/// process, e.g. `outbox sync` from cron, may be the one delivering it).
pub const MAIL_REFRESH: Duration = Duration::from_secs(2);

crate::controls! {
    pub enum Ctl {
        Menu = "menu",
    }
}

#[derive(Debug, Clone)]
pub struct DoneScreen {
    pub form: Fields<Ctl>,
    pub user_id: String,
    pub email: Option<String>,
    /// The welcome mail's state when last looked at (queued or sent), when one was queued.
    pub mail_state: Option<MailState>,
    /// An initial password generated at an assisted registration: shown here once.
    pub initial_password: Option<zeroize::Zeroizing<String>>,
    /// The welcome mail's outbox row, and when its state was last read.
    pub mail_id: Option<i64>,
    pub mail_checked: Instant,
}

impl DoneScreen {
    pub fn new(user_id: &str, email: Option<String>, mail_state: Option<MailState>) -> Self {
        DoneScreen {
            form: Fields::new(vec![Control::button(Ctl::Menu, key!("done.to_menu"))]),
            user_id: user_id.to_string(),
            email,
            mail_state,
            initial_password: None,
            mail_id: None,
            mail_checked: Instant::now(),
        }
    }

    /// Whether the welcome mail is still on its way (so the screen looks at it again).
    fn mail_pending(&self) -> bool {
        self.mail_id.is_some()
            && matches!(
                self.mail_state,
                Some(MailState::Queued | MailState::Sending)
            )
    }

    /// Reads the welcome mail's state again (on a task thread, quietly).
    fn look_at_mail(&mut self) -> Action {
        let Some(id) = self.mail_id else {
            return Action::None;
        };
        self.mail_checked = Instant::now();
        Action::Task(Task::new(move |t| t.svc.mail_state(id), DoneScreen::on_mail_state).quiet())
    }

    fn on_mail_state(
        &mut self,
        state: Result<Option<MailState>, ServiceError>,
        _cx: &Cx<'_>,
    ) -> Action {
        match state {
            Ok(Some(state)) => self.mail_state = Some(state),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "cannot read the welcome mail's state"),
        }
        Action::None
    }
}

fn fill(lang: crate::domain::Lang, key: &str, args: &[(&str, String); 2]) -> String {
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    trf(lang, key, &args)
}

impl Component for DoneScreen {
    fn form(&self) -> &Form {
        self.form.form()
    }

    fn form_mut(&mut self) -> &mut Form {
        self.form.form_mut()
    }

    fn title_key(&self) -> &'static str {
        "done.title"
    }

    fn hints_key(&self) -> &'static str {
        "done.hints"
    }

    fn rows(&self, cx: &Cx<'_>) -> Vec<Row> {
        let lang = cx.lang;
        let from = sender_address(&cx.config.mail.from);
        let args = |to: &str| [("to", neutralize(to).into_owned()), ("from", from.clone())];
        let mail = match (&self.email, self.mail_state) {
            (None, _) => tr(lang, "done.no_mail").to_string(),
            (Some(to), Some(MailState::Sent)) => fill(lang, "done.mail_sent", &args(to)),
            (Some(to), Some(MailState::Dead)) => fill(lang, "done.mail_failed", &args(to)),
            (Some(to), _) => fill(lang, "done.mail_queued", &args(to)),
        };
        // Without an address there is no welcome mail: no notices about it, and a forgotten
        // password needs the counter.
        let notices = if self.email.is_some() {
            "done.notices"
        } else {
            "done.notices_no_mail"
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
            Row::Text(tr(lang, notices).to_string(), theme::text()),
            Row::Blank,
            self.form.buttons(&[Ctl::Menu]),
        ]);
        rows
    }

    fn on_event(&mut self, event: FormEvent, _cx: &Cx<'_>) -> Action {
        match self.form.event(event) {
            Event::Pressed(Ctl::Menu) => Action::ToMenu,
            _ => Action::None,
        }
    }

    fn wake_at(&self) -> Option<Instant> {
        self.mail_pending()
            .then_some(self.mail_checked + MAIL_REFRESH)
    }

    fn on_wake(&mut self, now: Instant) -> Action {
        match self.wake_at() {
            Some(at) if now >= at => self.look_at_mail(),
            _ => Action::None,
        }
    }

    fn on_mail_progress(&mut self) -> Action {
        self.look_at_mail()
    }
}
