//! ロック解除: the real lock state of an ID (visible to staff only: the kiosk never says whether an ID
//! exists or is locked), the list of IDs locked or with failures, and unlocking.

use super::{back_to_menu, panel_width, safe, system_error};
use crate::domain::text::neutralize;
use crate::domain::{Lang, Msg};
use crate::key;
use crate::services::ServiceError;
use crate::services::staff::{IdKind, LockView};
use crate::tui::i18n::{tr, trf};
use crate::tui::screens::login::ID_MAX_CHARS;
use crate::tui::screens::{Action, Component, Cx, Screen, Task};
use crate::tui::theme;
use crate::tui::widgets::fields::{Event, Fields};
use crate::tui::widgets::form::{Control, Form, FormEvent, TextField};
use crate::tui::widgets::notice::{self, Notice};
use crate::tui::widgets::page::Row;

crate::controls! {
    pub enum Ctl {
        Id = "id",
        Lookup = "lookup",
        Unlock = "unlock",
        Pick = "pick",
        Back = "back",
    }
}

#[derive(Debug, Clone)]
pub struct UnlockScreen {
    pub form: Fields<Ctl>,
    /// The state of the ID last looked up (one view per kind of ID it names).
    pub lookup: Option<Vec<LockView>>,
    pub list: Vec<LockView>,
    pub scroll: usize,
    pub message: Option<Notice>,
    /// The row of the list chosen (by [一覧から選ぶ] or a tap).
    pub picked: Option<usize>,
}

impl Default for UnlockScreen {
    fn default() -> Self {
        Self::new()
    }
}

/// A lookup's answer: the typed ID's views (when one was typed) and the list of locks.
type Locks = Result<(Option<Vec<LockView>>, Vec<LockView>), ServiceError>;

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
            form: Fields::new(vec![
                Control::text(
                    Ctl::Id,
                    key!("staff_unlock.id"),
                    TextField::new(ID_MAX_CHARS),
                ),
                Control::button(Ctl::Lookup, key!("staff_unlock.lookup")),
                Control::button(Ctl::Unlock, key!("staff_unlock.unlock")),
                Control::button(Ctl::Pick, key!("counter_unlock.pick")),
                Control::button(Ctl::Back, key!("common.back")),
            ]),
            lookup: None,
            list: Vec::new(),
            scroll: 0,
            message: None,
            picked: None,
        }
    }

    /// The page, with the list of locks loading.
    pub fn open() -> Action {
        Action::All(vec![
            Action::Open(Screen::StaffUnlock(UnlockScreen::new())),
            Action::Task(Task::new(
                |t| t.svc.lock_list().map(|l| (None, l)),
                UnlockScreen::on_locks,
            )),
        ])
    }

    fn on_locks(&mut self, r: Locks, _cx: &Cx<'_>) -> Action {
        match r {
            Ok((lookup, list)) => {
                if lookup.is_some() {
                    self.lookup = lookup;
                }
                self.set_list(list);
                Action::None
            }
            Err(e) => system_error("lock lookup", e),
        }
    }

    #[allow(clippy::type_complexity)]
    fn on_unlocked(
        &mut self,
        r: Result<(String, bool, Vec<LockView>, Vec<LockView>), ServiceError>,
        _cx: &Cx<'_>,
    ) -> Action {
        match r {
            Ok((id, any, one, list)) => {
                let shown = neutralize(&id).into_owned();
                self.message = Some(Notice::ok(if any {
                    Msg::new("staff_unlock.unlocked").arg("id", shown)
                } else {
                    Msg::new("staff_unlock.not_locked").arg("id", shown)
                }));
                self.lookup = Some(one);
                self.set_list(list);
                Action::None
            }
            Err(e) => system_error("unlock", e),
        }
    }

    pub fn set_list(&mut self, list: Vec<LockView>) {
        self.list = list;
        self.scroll = self.scroll.min(self.list.len());
        self.picked = None;
    }

    /// Chooses row `i` of the list: its ID goes into the field (an unknown ID, kept only hashed,
    /// cannot be chosen: it has to be typed).
    fn pick(&mut self, i: usize) {
        let Some(v) = self.list.get(i) else {
            return;
        };
        if v.kind == IdKind::Unknown {
            self.message = Some(Notice::error("counter_unlock.unknown_pick"));
            return;
        }
        let id = v.subject.clone();
        self.form.field_mut(Ctl::Id).set_value(&id);
        self.lookup = Some(vec![v.clone()]);
        self.picked = Some(i);
        self.message = Some(Notice::info(
            Msg::new("counter_unlock.picked").arg("id", neutralize(&id).into_owned()),
        ));
        self.form.focus(Ctl::Unlock);
    }

    /// [一覧から選ぶ]: the next row that can be chosen, round the list.
    fn pick_next(&mut self) {
        let n = self.list.len();
        let start = self.picked.map_or(0, |p| p + 1);
        let next = (0..n)
            .map(|k| (start + k) % n)
            .find(|&i| self.list[i].kind != IdKind::Unknown);
        match next {
            Some(i) => {
                self.pick(i);
                // Keep the chosen row in view (each row is one line).
                if i < self.scroll {
                    self.scroll = i;
                } else if i >= self.scroll + 6 {
                    self.scroll = i + 1 - 6;
                }
            }
            None => self.message = Some(Notice::error("staff_unlock.list_empty")),
        }
    }

    fn typed(&mut self) -> Option<String> {
        let id = self.form.value(Ctl::Id).trim().to_string();
        if id.is_empty() {
            self.message = Some(Notice::error("staff_unlock.missing"));
            self.form.focus(Ctl::Id);
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
            .enumerate()
            .map(|(i, v)| {
                let id = if v.kind == IdKind::Unknown {
                    tr(lang, "staff_unlock.unknown_id").to_string()
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
                let whose = match (&v.household, &v.name) {
                    (Some(h), n) => format!(
                        "{} {}",
                        safe(h, 24),
                        n.as_deref().map_or_else(String::new, |n| safe(n, 20))
                    ),
                    (None, _) => String::new(),
                };
                let mark = if self.picked == Some(i) { "▶" } else { " " };
                safe(
                    &trf(
                        lang,
                        "counter_unlock.row",
                        &[
                            ("mark", mark),
                            ("id", &id),
                            ("kind", tr(lang, kind_key(v.kind))),
                            ("state", &state),
                            ("failures", &v.state.failures.to_string()),
                            ("whose", &whose),
                        ],
                    ),
                    width,
                )
            })
            .collect()
    }
}

impl Component for UnlockScreen {
    fn form(&self) -> &Form {
        self.form.form()
    }

    fn form_mut(&mut self) -> &mut Form {
        self.form.form_mut()
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
            f.row(Ctl::Id),
        ];
        if let Some(views) = &self.lookup {
            for v in views {
                let (text, style) = describe(lang, v, &safe(&v.subject, 32));
                rows.push(Row::Text(text, style));
            }
        }
        rows.push(notice::row(lang, &self.message));
        rows.push(f.buttons(&[Ctl::Lookup, Ctl::Unlock, Ctl::Pick, Ctl::Back]));
        rows.push(Row::Panel {
            title: tr(lang, "staff_unlock.list_title").to_string(),
            lines: self.list_lines(lang, panel_width(cx.width)),
            scroll: self.scroll,
        });
        rows
    }

    fn on_event(&mut self, event: FormEvent, _cx: &Cx<'_>) -> Action {
        match self.form.event(event) {
            Event::Edited(_) => {
                self.message = None;
                self.lookup = None;
                self.picked = None;
                Action::None
            }
            Event::Pressed(Ctl::Pick) => {
                self.pick_next();
                Action::None
            }
            Event::Back | Event::Pressed(Ctl::Back) => back_to_menu(),
            Event::Pressed(Ctl::Lookup) => match self.typed() {
                Some(id) => Action::Task(Task::new(
                    move |t| {
                        let one = t.svc.lock_overview(&id)?;
                        Ok((Some(one), t.svc.lock_list()?))
                    },
                    UnlockScreen::on_locks,
                )),
                None => Action::None,
            },
            Event::Pressed(Ctl::Unlock) => match self.typed() {
                Some(id) => Action::Task(Task::new(
                    move |t| {
                        let any = t.svc.unlock(&t.actor, &id)?.cleared();
                        let one = t.svc.lock_overview(&id)?;
                        Ok((id, any, one, t.svc.lock_list()?))
                    },
                    UnlockScreen::on_unlocked,
                )),
                None => Action::None,
            },
            _ => Action::None,
        }
    }

    fn notice(&mut self, notice: Notice) {
        self.message = Some(notice);
    }

    fn scroll(&mut self, lines: i32, max: usize) {
        self.scroll = crate::tui::widgets::page::scrolled(self.scroll, lines, max);
    }

    /// A tap on a row of the list chooses its ID.
    fn tap_panel(&mut self, row: usize, _cx: &Cx<'_>) -> Action {
        self.pick(self.scroll + row);
        Action::None
    }
}
