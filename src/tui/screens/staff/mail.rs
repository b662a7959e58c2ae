//! メール送信状況: the outbox, filtered (undeliverable, queued, all), with the reason each undeliverable
//! message died, and requeueing by message number.

use super::{back_to_menu, jst, panel_width, safe, system_error};
use crate::domain::{Lang, Msg};
use crate::key;
use crate::services::ServiceError;
use crate::services::outbox::RequeueOutcome;
use crate::store::outbox::{MailState, OutboxRow};
use crate::tui::i18n::{tr, trf};
use crate::tui::screens::{Action, Component, Cx, Screen, Task};
use crate::tui::widgets::fields::{Event, Fields};
use crate::tui::widgets::form::{Control, Form, FormEvent, TextField};
use crate::tui::widgets::notice::{self, Notice};
use crate::tui::widgets::page::Row;
use crate::tui::widgets::wrap::wrap;

crate::controls! {
    pub enum Ctl {
        Filter = "filter",
        Id = "id",
        Requeue = "requeue",
        Refresh = "refresh",
        Back = "back",
    }
}

/// Rows shown at most (newest first).
pub const LIST_LIMIT: usize = 200;

#[derive(Debug, Clone)]
pub struct MailScreen {
    pub form: Fields<Ctl>,
    pub rows: Vec<OutboxRow>,
    pub scroll: usize,
    pub message: Option<Notice>,
}

impl Default for MailScreen {
    fn default() -> Self {
        Self::new()
    }
}

pub fn state_key(s: MailState) -> &'static str {
    match s {
        MailState::Queued => key!("staff_mail.state_queued"),
        MailState::Sending => key!("staff_mail.state_sending"),
        MailState::Sent => key!("staff_mail.state_sent"),
        MailState::Dead => key!("staff_mail.state_dead"),
    }
}

impl MailScreen {
    pub fn new() -> Self {
        MailScreen {
            form: Fields::new(vec![
                Control::radio(
                    Ctl::Filter,
                    key!("staff_mail.filter"),
                    vec![
                        key!("staff_mail.filter_dead"),
                        key!("staff_mail.filter_queued"),
                        key!("staff_mail.filter_all"),
                    ],
                    0,
                ),
                Control::text(Ctl::Id, key!("staff_mail.id"), TextField::new(10)),
                Control::button(Ctl::Requeue, key!("staff_mail.requeue")),
                Control::button(Ctl::Refresh, key!("staff_mail.refresh")),
                Control::button(Ctl::Back, key!("common.back")),
            ]),
            rows: Vec::new(),
            scroll: 0,
            message: None,
        }
    }

    /// The state the list shows (None: all).
    pub fn filter(&self) -> Option<MailState> {
        match self.form.selected(Ctl::Filter) {
            0 => Some(MailState::Dead),
            1 => Some(MailState::Queued),
            _ => None,
        }
    }

    /// The page, with the dead mail loading.
    pub fn open() -> Action {
        let screen = MailScreen::new();
        let list = screen.list();
        Action::All(vec![Action::Open(Screen::StaffMail(screen)), list])
    }

    /// The list of the filter chosen, read again.
    fn list(&self) -> Action {
        let filter = self.filter();
        Action::Task(Task::new(
            move |t| t.svc.mail_list(filter, LIST_LIMIT),
            MailScreen::on_rows,
        ))
    }

    fn on_rows(&mut self, r: Result<Vec<OutboxRow>, ServiceError>, _cx: &Cx<'_>) -> Action {
        match r {
            Ok(rows) => {
                self.set_rows(rows);
                Action::None
            }
            Err(e) => system_error("mail list", e),
        }
    }

    #[allow(clippy::type_complexity)]
    fn on_requeued(
        &mut self,
        r: Result<(i64, RequeueOutcome, Vec<OutboxRow>), ServiceError>,
        cx: &Cx<'_>,
    ) -> Action {
        let (id, outcome, rows) = match r {
            Ok(r) => r,
            Err(e) => return system_error("requeue", e),
        };
        self.message = Some(match outcome {
            RequeueOutcome::Requeued => {
                self.form.field_mut(Ctl::Id).clear();
                Notice::ok(Msg::new("staff_mail.requeued").arg("id", id))
            }
            RequeueOutcome::NotFound => {
                Notice::error(Msg::new("staff_mail.not_found").arg("id", id))
            }
            RequeueOutcome::NotRequeueable(state) => Notice::error(
                Msg::new("staff_mail.not_dead")
                    .arg("id", id)
                    .arg("state", tr(cx.lang, state_key(state))),
            ),
        });
        self.set_rows(rows);
        Action::None
    }

    pub fn set_rows(&mut self, rows: Vec<OutboxRow>) {
        self.rows = rows;
        self.scroll = 0;
    }

    fn lines(&self, lang: Lang, width: usize) -> Vec<String> {
        if self.rows.is_empty() {
            return vec![tr(lang, "staff_mail.empty").to_string()];
        }
        let mut out = Vec::new();
        for r in &self.rows {
            out.push(safe(
                &trf(
                    lang,
                    "staff_mail.row",
                    &[
                        ("id", &r.id.to_string()),
                        ("state", tr(lang, state_key(r.state))),
                        ("kind", &safe(&r.kind, 16)),
                        ("attempts", &r.attempts.to_string()),
                        ("to", &safe(&r.to, 60)),
                    ],
                ),
                width,
            ));
            let second = match r.state {
                MailState::Dead => trf(
                    lang,
                    "staff_mail.reason",
                    &[("reason", &safe(r.last_error.as_deref().unwrap_or("-"), 400))],
                ),
                MailState::Sent => trf(
                    lang,
                    "staff_mail.sent_at",
                    &[("at", &r.sent_at.map(jst).unwrap_or_default())],
                ),
                MailState::Queued | MailState::Sending => {
                    let mut s = trf(lang, "staff_mail.next", &[("at", &jst(r.next_attempt_at))]);
                    if let Some(e) = &r.last_error {
                        s.push_str("  ");
                        s.push_str(&trf(
                            lang,
                            "staff_mail.reason",
                            &[("reason", &safe(e, 400))],
                        ));
                    }
                    s
                }
            };
            // The reason is the point of this screen: wrap it rather than cut it (at most 3 lines).
            for line in wrap(&second, width.saturating_sub(4)).into_iter().take(3) {
                out.push(format!("    {line}"));
            }
        }
        out
    }
}

impl Component for MailScreen {
    fn form(&self) -> &Form {
        self.form.form()
    }

    fn form_mut(&mut self) -> &mut Form {
        self.form.form_mut()
    }

    fn title_key(&self) -> &'static str {
        "staff_mail.title"
    }

    fn hints_key(&self) -> &'static str {
        "staff.list_hints"
    }

    fn rows(&self, cx: &Cx<'_>) -> Vec<Row> {
        let lang = cx.lang;
        let f = &self.form;
        let filter_key = match self.form.selected(Ctl::Filter) {
            0 => "staff_mail.filter_dead",
            1 => "staff_mail.filter_queued",
            _ => "staff_mail.filter_all",
        };
        vec![
            f.row(Ctl::Filter),
            Row::Panel {
                title: trf(
                    lang,
                    "staff_mail.list_title",
                    &[
                        ("filter", tr(lang, filter_key)),
                        ("count", &self.rows.len().to_string()),
                    ],
                ),
                lines: self.lines(lang, panel_width(cx.width)),
                scroll: self.scroll,
            },
            f.row(Ctl::Id),
            Row::Blank,
            notice::row(lang, &self.message),
            f.buttons(&[Ctl::Requeue, Ctl::Refresh, Ctl::Back]),
        ]
    }

    fn on_event(&mut self, event: FormEvent, _cx: &Cx<'_>) -> Action {
        match self.form.event(event) {
            Event::Selected(Ctl::Filter) => {
                self.message = None;
                self.list()
            }
            Event::Edited(_) => {
                self.message = None;
                Action::None
            }
            Event::Back | Event::Pressed(Ctl::Back) => back_to_menu(),
            Event::Pressed(Ctl::Requeue) => {
                let typed = self.form.value(Ctl::Id).trim().trim_start_matches('#');
                match typed.parse::<i64>() {
                    Ok(id) if id > 0 => {
                        let filter = self.filter();
                        Action::Task(Task::new(
                            move |t| {
                                let outcome = t.svc.requeue_mail(&t.actor, id)?;
                                Ok((id, outcome, t.svc.mail_list(filter, LIST_LIMIT)?))
                            },
                            MailScreen::on_requeued,
                        ))
                    }
                    _ => {
                        self.message = Some(Notice::error("staff_mail.bad_id"));
                        self.form.focus(Ctl::Id);
                        Action::None
                    }
                }
            }
            Event::Pressed(Ctl::Refresh) => self.list(),
            _ => Action::None,
        }
    }

    fn notice(&mut self, notice: Notice) {
        self.message = Some(notice);
    }

    fn scroll(&mut self, lines: i32, max: usize) {
        self.scroll = (self.scroll as i64 + lines as i64).clamp(0, max as i64) as usize;
    }
}
