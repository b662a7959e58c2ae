//! メール送信状況: the outbox, filtered (undeliverable, queued, all), with the reason each undeliverable
//! message died, and requeueing by message number.

use super::{StaffAction, jst, message_row, panel_width, safe};
use crate::domain::{Lang, Msg};
use crate::key;
use crate::store::outbox::{MailState, OutboxRow};
use crate::tui::i18n::{tr, trf};
use crate::tui::screens::{Action, Cx, Screen};
use crate::tui::widgets::form::{Control, Form, FormEvent, TextField};
use crate::tui::widgets::page::Row;
use crate::tui::widgets::wrap::wrap;

/// Rows shown at most (newest first).
pub const LIST_LIMIT: usize = 200;

#[derive(Debug, Clone)]
pub struct MailScreen {
    pub form: Form,
    pub rows: Vec<OutboxRow>,
    pub scroll: usize,
    pub message: Option<(Msg, bool)>,
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
            form: Form::new(vec![
                Control::radio(
                    "filter",
                    key!("staff_mail.filter"),
                    vec![
                        key!("staff_mail.filter_dead"),
                        key!("staff_mail.filter_queued"),
                        key!("staff_mail.filter_all"),
                    ],
                    0,
                ),
                Control::text("id", key!("staff_mail.id"), TextField::new(10)),
                Control::button("requeue", key!("staff_mail.requeue")),
                Control::button("refresh", key!("staff_mail.refresh")),
                Control::button("back", key!("common.back")),
            ]),
            rows: Vec::new(),
            scroll: 0,
            message: None,
        }
    }

    /// The state the list shows (None: all).
    pub fn filter(&self) -> Option<MailState> {
        match self.form.selected("filter") {
            0 => Some(MailState::Dead),
            1 => Some(MailState::Queued),
            _ => None,
        }
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

impl Screen for MailScreen {
    fn form(&self) -> &Form {
        &self.form
    }

    fn form_mut(&mut self) -> &mut Form {
        &mut self.form
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
        let filter_key = match self.form.selected("filter") {
            0 => "staff_mail.filter_dead",
            1 => "staff_mail.filter_queued",
            _ => "staff_mail.filter_all",
        };
        vec![
            Row::Control(f.index("filter")),
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
            Row::Control(f.index("id")),
            Row::Blank,
            message_row(lang, &self.message),
            Row::Buttons(vec![
                f.index("requeue"),
                f.index("refresh"),
                f.index("back"),
            ]),
        ]
    }

    fn on_event(&mut self, event: FormEvent, _cx: &Cx<'_>) -> Action {
        match event {
            FormEvent::Selected(i) if self.form.controls[i].id == "filter" => {
                self.message = None;
                Action::Staff(StaffAction::MailList(self.filter()))
            }
            FormEvent::Edited(_) => {
                self.message = None;
                Action::None
            }
            FormEvent::Back => Action::Staff(StaffAction::BackToMenu),
            FormEvent::Pressed(i) => match self.form.controls[i].id {
                "requeue" => {
                    let typed = self.form.value("id").trim().trim_start_matches('#');
                    match typed.parse::<i64>() {
                        Ok(id) if id > 0 => Action::Staff(StaffAction::Requeue {
                            id,
                            filter: self.filter(),
                        }),
                        _ => {
                            self.message = Some((Msg::new("staff_mail.bad_id"), true));
                            self.form.focus_id("id");
                            Action::None
                        }
                    }
                }
                "refresh" => Action::Staff(StaffAction::MailList(self.filter())),
                "back" => Action::Staff(StaffAction::BackToMenu),
                _ => Action::None,
            },
            _ => Action::None,
        }
    }

    fn scroll(&mut self, lines: i32, max: usize) {
        self.scroll = (self.scroll as i64 + lines as i64).clamp(0, max as i64) as usize;
    }
}
