//! ロック解除: the real lock state of an ID (visible to staff only: the kiosk never says whether an ID
//! exists or is locked), the list of IDs locked or with failures, and unlocking.

use super::{StaffAction, message_row, panel_width, safe};
use crate::domain::{Lang, Msg};
use crate::key;
use crate::services::staff::{IdKind, LockView};
use crate::tui::i18n::{tr, trf};
use crate::tui::screens::login::ID_MAX_CHARS;
use crate::tui::screens::{Action, Cx, Screen};
use crate::tui::theme;
use crate::tui::widgets::form::{Control, Form, FormEvent, TextField};
use crate::tui::widgets::page::Row;

#[derive(Debug, Clone)]
pub struct UnlockScreen {
    pub form: Form,
    /// The state of the ID last looked up (one view per kind of ID it names).
    pub lookup: Option<Vec<LockView>>,
    pub list: Vec<LockView>,
    pub scroll: usize,
    pub message: Option<(Msg, bool)>,
}

impl Default for UnlockScreen {
    fn default() -> Self {
        Self::new()
    }
}

fn kind_key(kind: IdKind) -> &'static str {
    match kind {
        IdKind::Temporary => key!("staff_unlock.kind_temporary"),
        IdKind::Permanent => key!("staff_unlock.kind_permanent"),
        IdKind::Staff => key!("staff_unlock.kind_staff"),
        IdKind::Unknown => key!("staff_unlock.kind_unknown"),
    }
}

/// One line about one ID's lock state.
fn describe(lang: Lang, v: &LockView, id: &str) -> (String, ratatui::style::Style) {
    let kind = tr(lang, kind_key(v.kind));
    let failures = v.state.failures.to_string();
    if v.locked {
        (
            trf(
                lang,
                "staff_unlock.locked",
                &[
                    ("id", id),
                    ("kind", kind),
                    ("minutes", &v.minutes_left.unwrap_or(0).to_string()),
                    ("failures", &failures),
                    ("count", &v.state.lock_count.to_string()),
                ],
            ),
            theme::error(),
        )
    } else if v.state.failures > 0 {
        (
            trf(
                lang,
                "staff_unlock.failures",
                &[("id", id), ("kind", kind), ("failures", &failures)],
            ),
            theme::label_focused(),
        )
    } else {
        (
            trf(lang, "staff_unlock.clear", &[("id", id), ("kind", kind)]),
            theme::ok(),
        )
    }
}

impl UnlockScreen {
    pub fn new() -> Self {
        UnlockScreen {
            form: Form::new(vec![
                Control::text("id", key!("staff_unlock.id"), TextField::new(ID_MAX_CHARS)),
                Control::button("lookup", key!("staff_unlock.lookup")),
                Control::button("unlock", key!("staff_unlock.unlock")),
                Control::button("back", key!("common.back")),
            ]),
            lookup: None,
            list: Vec::new(),
            scroll: 0,
            message: None,
        }
    }

    pub fn set_list(&mut self, list: Vec<LockView>) {
        self.list = list;
        self.scroll = self.scroll.min(self.list.len());
    }

    fn typed(&mut self) -> Option<String> {
        let id = self.form.value("id").trim().to_string();
        if id.is_empty() {
            self.message = Some((Msg::new("staff_unlock.missing"), true));
            self.form.focus_id("id");
            return None;
        }
        self.message = None;
        Some(id)
    }

    fn list_lines(&self, lang: Lang, width: usize) -> Vec<String> {
        if self.list.is_empty() {
            return vec![tr(lang, "staff_unlock.list_empty").to_string()];
        }
        self.list
            .iter()
            .map(|v| {
                let id = if v.kind == IdKind::Unknown {
                    format!(
                        "{} {}",
                        tr(lang, "staff_unlock.unknown_id"),
                        safe(&v.subject, 12)
                    )
                } else {
                    safe(&v.subject, 32)
                };
                let state = if v.locked {
                    trf(
                        lang,
                        "staff_unlock.list_locked",
                        &[("minutes", &v.minutes_left.unwrap_or(0).to_string())],
                    )
                } else {
                    tr(lang, "staff_unlock.list_open").to_string()
                };
                safe(
                    &trf(
                        lang,
                        "staff_unlock.list_row",
                        &[
                            ("id", &id),
                            ("kind", tr(lang, kind_key(v.kind))),
                            ("state", &state),
                            ("failures", &v.state.failures.to_string()),
                        ],
                    ),
                    width,
                )
            })
            .collect()
    }
}

impl Screen for UnlockScreen {
    fn form(&self) -> &Form {
        &self.form
    }

    fn form_mut(&mut self) -> &mut Form {
        &mut self.form
    }

    fn title_key(&self) -> &'static str {
        "staff_unlock.title"
    }

    fn hints_key(&self) -> &'static str {
        "staff.list_hints"
    }

    fn rows(&self, cx: &Cx<'_>) -> Vec<Row> {
        let lang = cx.lang;
        let f = &self.form;
        let mut rows = vec![
            Row::Text(tr(lang, "staff_unlock.intro").to_string(), theme::text()),
            Row::Control(f.index("id")),
        ];
        if let Some(views) = &self.lookup {
            for v in views {
                let (text, style) = describe(lang, v, &safe(&v.subject, 32));
                rows.push(Row::Text(text, style));
            }
        }
        rows.push(message_row(lang, &self.message));
        rows.push(Row::Buttons(vec![
            f.index("lookup"),
            f.index("unlock"),
            f.index("back"),
        ]));
        rows.push(Row::Panel {
            title: tr(lang, "staff_unlock.list_title").to_string(),
            lines: self.list_lines(lang, panel_width(cx.width)),
            scroll: self.scroll,
        });
        rows
    }

    fn on_event(&mut self, event: FormEvent, _cx: &Cx<'_>) -> Action {
        match event {
            FormEvent::Edited(_) => {
                self.message = None;
                self.lookup = None;
                Action::None
            }
            FormEvent::Back => Action::Staff(StaffAction::BackToMenu),
            FormEvent::Pressed(i) => match self.form.controls[i].id {
                "lookup" => match self.typed() {
                    Some(id) => Action::Staff(StaffAction::LockLookup(id)),
                    None => Action::None,
                },
                "unlock" => match self.typed() {
                    Some(id) => Action::Staff(StaffAction::Unlock(id)),
                    None => Action::None,
                },
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
