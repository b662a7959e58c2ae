//! 監査ログ: recent audit rows, newest first, as sentences in the staff member's language, filterable
//! by household, staff ID, a member's user ID (or temporary ID) and name. Households appear
//! only as masked keys; every stored text is neutralised before it reaches the staff terminal.

use super::{back_to_menu, jst, panel_width, safe, system_error};
use crate::domain::Lang;
use crate::domain::audit_words::actor_msg;
use crate::domain::household::HouseholdKey;
use crate::i18n::msg;
use crate::key;
use crate::services::ServiceError;
use crate::services::audit::{AuditPage, AuditQuery, AuditView};
use crate::tui::i18n::{tr, trf};
use crate::tui::screens::login::ID_MAX_CHARS;
use crate::tui::screens::staff::household::{KEY_MAX_CHARS, NAME_MAX_CHARS};
use crate::tui::screens::{Action, Component, Cx, Screen, Task};
use crate::tui::widgets::fields::{Event, Fields};
use crate::tui::widgets::form::{Control, Form, FormEvent, TextField};
use crate::tui::widgets::notice::{self, Notice};
use crate::tui::widgets::page::Row;
use crate::tui::widgets::wrap::wrap;

crate::controls! {
    pub enum Ctl {
        Household = "household",
        StaffId = "staff_id",
        UserId = "user_id",
        Name = "name",
        Filter = "filter",
        Back = "back",
    }
}

/// Rows shown at most.
pub const LIST_LIMIT: usize = 300;

#[derive(Debug, Clone)]
pub struct AuditScreen {
    pub form: Fields<Ctl>,
    pub rows: Vec<AuditView>,
    pub scroll: usize,
    pub message: Option<Notice>,
}

impl Default for AuditScreen {
    fn default() -> Self {
        Self::new()
    }
}

/// The lines of one audit row: when and who; what happened as a sentence, with the household
/// (masked, and its name, so households under one symbol are told apart); the details as labelled
/// fields, wrapped (at most three lines).
pub fn row_lines(lang: Lang, r: &AuditView, width: usize) -> Vec<String> {
    let words = r.words();
    let who = msg(
        lang,
        &actor_msg(&r.channel, r.staff_id.as_deref(), r.client_addr.as_deref()),
    );
    let mut out = vec![safe(&format!("{}  {who}", jst(r.at)), width)];
    let mut what = msg(lang, &words.sentence);
    if let Some(h) = &r.household {
        what.push_str("  ");
        what.push_str(&trf(
            lang,
            "counter_audit.household",
            &[("household", h), ("name", r.name.as_deref().unwrap_or(""))],
        ));
    }
    let fields: Vec<String> = words
        .fields
        .iter()
        .map(|(label, value)| {
            trf(
                lang,
                "counter_audit.field",
                &[("label", &msg(lang, label)), ("value", &msg(lang, value))],
            )
        })
        .collect();
    let fields = fields.join(tr(lang, "counter_audit.sep"));
    let indent = width.saturating_sub(4);
    for text in [what, fields] {
        if text.trim().is_empty() {
            continue;
        }
        let text = safe(text.trim_end(), 600);
        out.extend(
            wrap(&text, indent)
                .into_iter()
                .take(3)
                .map(|l| format!("    {l}")),
        );
    }
    out
}

impl AuditScreen {
    pub fn new() -> Self {
        AuditScreen {
            form: Fields::new(vec![
                Control::text(
                    Ctl::Household,
                    key!("staff_audit.household"),
                    TextField::new(KEY_MAX_CHARS),
                ),
                Control::text(
                    Ctl::StaffId,
                    key!("staff_audit.staff_id"),
                    TextField::new(ID_MAX_CHARS),
                ),
                Control::text(
                    Ctl::UserId,
                    key!("counter_audit.user_id"),
                    TextField::new(ID_MAX_CHARS),
                ),
                Control::text(
                    Ctl::Name,
                    key!("counter_audit.name"),
                    TextField::new(NAME_MAX_CHARS),
                ),
                Control::button(Ctl::Filter, key!("staff_audit.filter")),
                Control::button(Ctl::Back, key!("common.back")),
            ]),
            rows: Vec::new(),
            scroll: 0,
            message: None,
        }
    }

    /// The page, with the latest rows loading.
    pub fn open() -> Action {
        Action::All(vec![
            Action::Open(Screen::StaffAudit(AuditScreen::new())),
            AuditScreen::load(AuditQuery::default()),
        ])
    }

    fn load(query: AuditQuery) -> Action {
        Action::Task(Task::new(
            move |t| t.svc.audit_view(&query, LIST_LIMIT),
            AuditScreen::on_page,
        ))
    }

    fn on_page(&mut self, r: Result<AuditPage, ServiceError>, _cx: &Cx<'_>) -> Action {
        match r {
            Ok(page) => {
                self.set_page(page);
                Action::None
            }
            Err(e) => system_error("audit view", e),
        }
    }

    pub fn set_page(&mut self, page: AuditPage) {
        self.rows = page.rows;
        self.scroll = 0;
        self.message = if !page.household_found {
            Some(Notice::error("staff_audit.no_household"))
        } else if !page.name_found {
            Some(Notice::error("counter_audit.no_name"))
        } else {
            None
        };
    }

    /// The filters as typed; an invalid household key is marked on its field.
    pub fn query(&mut self) -> Option<AuditQuery> {
        let household = self.form.value(Ctl::Household).trim().to_string();
        let staff_id = self.form.value(Ctl::StaffId).trim().to_string();
        let user_id = self.form.value(Ctl::UserId).trim().to_string();
        let name = self.form.value(Ctl::Name).trim().to_string();
        let household = if household.is_empty() {
            None
        } else {
            match HouseholdKey::parse(&household) {
                Ok(k) => Some(k),
                Err(e) => {
                    self.message = Some(Notice::error(e.msg()));
                    self.form.focus(Ctl::Household);
                    return None;
                }
            }
        };
        Some(AuditQuery {
            household,
            staff_id: (!staff_id.is_empty()).then_some(staff_id),
            user_id: (!user_id.is_empty()).then_some(user_id),
            name: (!name.is_empty()).then_some(name),
        })
    }

    fn lines(&self, lang: Lang, width: usize) -> Vec<String> {
        if self.rows.is_empty() {
            return vec![tr(lang, "staff_audit.empty").to_string()];
        }
        self.rows
            .iter()
            .flat_map(|r| row_lines(lang, r, width))
            .collect()
    }
}

impl Component for AuditScreen {
    fn form(&self) -> &Form {
        self.form.form()
    }

    fn form_mut(&mut self) -> &mut Form {
        self.form.form_mut()
    }

    fn title_key(&self) -> &'static str {
        "staff_audit.title"
    }

    fn hints_key(&self) -> &'static str {
        "staff.list_hints"
    }

    fn rows(&self, cx: &Cx<'_>) -> Vec<Row> {
        let lang = cx.lang;
        let f = &self.form;
        vec![
            f.row(Ctl::Household),
            f.row(Ctl::StaffId),
            f.row(Ctl::UserId),
            f.row(Ctl::Name),
            notice::row(lang, &self.message),
            f.buttons(&[Ctl::Filter, Ctl::Back]),
            Row::Panel {
                title: trf(
                    lang,
                    "staff_audit.list_title",
                    &[("count", &self.rows.len().to_string())],
                ),
                lines: self.lines(lang, panel_width(cx.width)),
                scroll: self.scroll,
            },
        ]
    }

    fn on_event(&mut self, event: FormEvent, _cx: &Cx<'_>) -> Action {
        match self.form.event(event) {
            Event::Edited(_) => {
                self.message = None;
                Action::None
            }
            Event::Back | Event::Pressed(Ctl::Back) => back_to_menu(),
            Event::Pressed(Ctl::Filter) => match self.query() {
                Some(q) => AuditScreen::load(q),
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
}
