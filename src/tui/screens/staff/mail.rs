//! メール送信状況: the outbox, filtered (undeliverable, waiting, all), each message with its household
//! (masked), name and user ID, its kind and the reason in words (the server's own reply second,
//! neutralised); sending a message now (undeliverable, or waiting for its next retry), and correcting
//! the member's address from an undeliverable message (the mail goes to the new address, the old one
//! gets nothing). A message is chosen by typing its number or by tapping it in the list.

use super::{back_to_menu, jst, panel_width, safe, system_error};
use crate::domain::email::mask_email;
use crate::domain::mail_words::kind_msg;
use crate::domain::{Lang, Msg};
use crate::i18n::msg;
use crate::key;
use crate::services::ServiceError;
use crate::services::email_correction::{CorrectionError, CorrectionStart, EmailCorrected};
use crate::services::outbox::{MailFilter, MailView, RequeueOutcome};
use crate::store::outbox::MailState;
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
        Email = "email",
        Requeue = "requeue",
        Correct = "correct",
        Refresh = "refresh",
        Back = "back",
    }
}

/// Rows shown at most (newest first).
pub const LIST_LIMIT: usize = 200;
/// Longest typed address (the kiosk's own field).
pub const EMAIL_MAX_CHARS: usize = 254;

#[derive(Debug, Clone)]
pub struct MailScreen {
    pub form: Fields<Ctl>,
    pub rows: Vec<MailView>,
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

/// The lines of one message: number, state, kind, tries; whose; where to; why (wrapped).
pub fn mail_lines(lang: Lang, r: &MailView, width: usize) -> Vec<String> {
    let dash = || "-".to_string();
    let mut out = vec![safe(
        &trf(
            lang,
            "counter_mail.row",
            &[
                ("id", &r.id.to_string()),
                ("state", tr(lang, state_key(r.state))),
                ("kind", &msg(lang, &kind_msg(&r.kind))),
                ("attempts", &r.attempts.to_string()),
            ],
        ),
        width,
    )];
    let mut rest = vec![trf(
        lang,
        "counter_mail.whose",
        &[
            (
                "household",
                &r.household.as_deref().map_or_else(dash, |s| safe(s, 24)),
            ),
            (
                "name",
                &r.name.as_deref().map_or_else(dash, |s| safe(s, 30)),
            ),
            (
                "user_id",
                &r.user_id.as_deref().map_or_else(dash, |s| safe(s, 32)),
            ),
        ],
    )];
    rest.push(trf(lang, "counter_mail.to", &[("to", &safe(&r.to, 80))]));
    match r.state {
        MailState::Sent => rest.push(trf(
            lang,
            "staff_mail.sent_at",
            &[("at", &r.sent_at.map(jst).unwrap_or_default())],
        )),
        MailState::Queued => {
            if let Some(at) = r.next_attempt_at {
                rest.push(trf(lang, "staff_mail.next", &[("at", &jst(at))]));
            }
        }
        MailState::Dead | MailState::Sending => {}
    }
    if let Some(reason) = &r.reason {
        let mut words = msg(lang, &reason.msg());
        if let Some(g) = reason.gave_up_msg() {
            words.push_str(tr(lang, "counter_mail.sep"));
            words.push_str(&msg(lang, &g));
        }
        rest.push(trf(lang, "staff_mail.reason", &[("reason", &words)]));
        if let Some(raw) = &r.last_error {
            rest.push(trf(
                lang,
                "counter_mail.reply",
                &[("reply", &safe(raw, 200))],
            ));
        }
        if let Some(advice) = reason.advice().filter(|_| r.state == MailState::Dead) {
            rest.push(trf(
                lang,
                "counter_mail.advice",
                &[("advice", &msg(lang, &advice))],
            ));
        }
    }
    for line in rest {
        for l in wrap(&line, width.saturating_sub(4)).into_iter().take(3) {
            out.push(format!("    {l}"));
        }
    }
    out
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
                Control::text(Ctl::Id, key!("counter_mail.id"), TextField::new(10)),
                Control::text(
                    Ctl::Email,
                    key!("counter_mail.email"),
                    TextField::new(EMAIL_MAX_CHARS),
                ),
                Control::button(Ctl::Requeue, key!("counter_mail.requeue")),
                Control::button(Ctl::Correct, key!("counter_mail.correct")),
                Control::button(Ctl::Refresh, key!("staff_mail.refresh")),
                Control::button(Ctl::Back, key!("common.back")),
            ]),
            rows: Vec::new(),
            scroll: 0,
            message: None,
        }
    }

    /// What the list shows.
    pub fn filter(&self) -> MailFilter {
        match self.form.selected(Ctl::Filter) {
            0 => MailFilter::Undeliverable,
            1 => MailFilter::Waiting,
            _ => MailFilter::All,
        }
    }

    /// The page, with the undeliverable mail loading.
    pub fn open() -> Action {
        let screen = MailScreen::new();
        let list = screen.list();
        Action::All(vec![Action::Open(Screen::StaffMail(screen)), list])
    }

    /// The list of the filter chosen, read again.
    fn list(&self) -> Action {
        let filter = self.filter();
        Action::Task(Task::new(
            move |t| t.svc.mail_overview(filter, LIST_LIMIT),
            MailScreen::on_rows,
        ))
    }

    fn on_rows(&mut self, r: Result<Vec<MailView>, ServiceError>, _cx: &Cx<'_>) -> Action {
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
        r: Result<(i64, RequeueOutcome, Vec<MailView>), ServiceError>,
        cx: &Cx<'_>,
    ) -> Action {
        let (id, outcome, rows) = match r {
            Ok(r) => r,
            Err(e) => return system_error("requeue", e),
        };
        self.message = Some(match outcome {
            RequeueOutcome::Requeued => {
                self.form.field_mut(Ctl::Id).clear();
                Notice::ok(Msg::new("counter_mail.requeued").arg("id", id))
            }
            RequeueOutcome::NotFound => {
                Notice::error(Msg::new("staff_mail.not_found").arg("id", id))
            }
            RequeueOutcome::NotRequeueable(state) => Notice::error(
                Msg::new("counter_mail.not_requeueable")
                    .arg("id", id)
                    .arg("state", tr(cx.lang, state_key(state))),
            ),
        });
        self.set_rows(rows);
        Action::None
    }

    #[allow(clippy::type_complexity)]
    fn on_corrected(
        &mut self,
        r: Result<(i64, Result<EmailCorrected, CorrectionError>, Vec<MailView>), ServiceError>,
        _cx: &Cx<'_>,
    ) -> Action {
        let (id, outcome, rows) = match r {
            Ok(r) => r,
            Err(e) => return system_error("email correction", e),
        };
        self.set_rows(rows);
        self.message = Some(match outcome {
            Ok(done) => {
                self.form.field_mut(Ctl::Id).clear();
                self.form.field_mut(Ctl::Email).clear();
                Notice::ok(
                    Msg::new("counter_mail.corrected")
                        .arg("id", id)
                        .arg("user_id", safe(&done.user_id, 32))
                        .arg("to", safe(&mask_email(&done.new_email), 60))
                        .arg("count", done.resent.len()),
                )
            }
            Err(e) => correction_error(e),
        });
        Action::None
    }

    pub fn set_rows(&mut self, rows: Vec<MailView>) {
        self.rows = rows;
        self.scroll = 0;
    }

    /// The message number typed (or chosen), or says what to type.
    fn typed_id(&mut self) -> Option<i64> {
        let typed = self.form.value(Ctl::Id).trim().trim_start_matches('#');
        match typed.parse::<i64>() {
            Ok(id) if id > 0 => Some(id),
            _ => {
                self.message = Some(Notice::error("staff_mail.bad_id"));
                self.form.focus(Ctl::Id);
                None
            }
        }
    }

    /// Each list line with the message it belongs to.
    fn lines(&self, lang: Lang, width: usize) -> Vec<(String, Option<i64>)> {
        if self.rows.is_empty() {
            return vec![(tr(lang, "staff_mail.empty").to_string(), None)];
        }
        self.rows
            .iter()
            .flat_map(|r| {
                mail_lines(lang, r, width)
                    .into_iter()
                    .map(move |l| (l, Some(r.id)))
            })
            .collect()
    }
}

/// A refused correction, in words.
pub fn correction_error(e: CorrectionError) -> Notice {
    match e {
        CorrectionError::Invalid(v) => Notice::error(v.msg),
        CorrectionError::Unchanged => Notice::error("counter_mail.unchanged"),
        CorrectionError::NotFound => Notice::error("counter_mail.correct_not_found"),
        CorrectionError::NoAccount => Notice::error("counter_mail.no_account"),
        CorrectionError::AlreadySent => Notice::error("counter_mail.already_sent"),
        CorrectionError::Service(e) => {
            tracing::error!(error = %e, "staff console: email correction failed");
            Notice::error("staff.system_error")
        }
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
                lines: self
                    .lines(lang, panel_width(cx.width))
                    .into_iter()
                    .map(|(l, _)| l)
                    .collect(),
                scroll: self.scroll,
            },
            f.row(Ctl::Id),
            f.row(Ctl::Email),
            notice::row(lang, &self.message),
            f.buttons(&[Ctl::Requeue, Ctl::Correct, Ctl::Refresh, Ctl::Back]),
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
            Event::Pressed(Ctl::Requeue) => match self.typed_id() {
                Some(id) => {
                    let filter = self.filter();
                    Action::Task(Task::new(
                        move |t| {
                            let outcome = t.svc.requeue_mail(&t.actor, id)?;
                            Ok((id, outcome, t.svc.mail_overview(filter, LIST_LIMIT)?))
                        },
                        MailScreen::on_requeued,
                    ))
                }
                None => Action::None,
            },
            Event::Pressed(Ctl::Correct) => {
                let Some(id) = self.typed_id() else {
                    return Action::None;
                };
                let email = self.form.value(Ctl::Email).trim().to_string();
                if email.is_empty() {
                    self.message = Some(Notice::error("counter_mail.email_missing"));
                    self.form.focus(Ctl::Email);
                    return Action::None;
                }
                let filter = self.filter();
                Action::Task(Task::new(
                    move |t| {
                        let outcome =
                            t.svc
                                .correct_email(&t.actor, CorrectionStart::Mail(id), &email);
                        if let Err(CorrectionError::Service(e)) = outcome {
                            return Err(e);
                        }
                        Ok((id, outcome, t.svc.mail_overview(filter, LIST_LIMIT)?))
                    },
                    MailScreen::on_corrected,
                ))
            }
            Event::Pressed(Ctl::Refresh) => self.list(),
            _ => Action::None,
        }
    }

    fn notice(&mut self, notice: Notice) {
        self.message = Some(notice);
    }

    fn scroll(&mut self, lines: i32, max: usize) {
        self.scroll = crate::tui::widgets::page::scrolled(self.scroll, lines, max);
    }

    /// A tap on a message in the list puts its number in the field.
    fn tap_panel(&mut self, row: usize, cx: &Cx<'_>) -> Action {
        let lines = self.lines(cx.lang, panel_width(cx.width));
        if let Some((_, Some(id))) = lines.get(self.scroll + row) {
            self.form.field_mut(Ctl::Id).set_value(&id.to_string());
            self.message = Some(Notice::info(Msg::new("counter_mail.chosen").arg("id", *id)));
        }
        Action::None
    }
}
