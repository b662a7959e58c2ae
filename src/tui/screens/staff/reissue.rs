//! 仮ID・パスワード再発行: find a household (by its key, or by a member's name and birth date), see its
//! members, registration and postcard state, and reissue: the live credential is revoked and a new one is
//! shown once here (and appended to the notices file). From there the staff member can go straight on to
//! an assisted registration.

use ratatui::text::{Line, Span};

use super::household::{
    SearchControls, household_rows, label_line, search_form, search_form_again, search_query,
    search_rows, several_rows, typed,
};
use super::member::MemberScreen;
use super::start::StaffStartScreen;
use super::{back_to_menu, safe, system_error};
use crate::domain::Msg;
use crate::domain::credential::grouped;
use crate::domain::text::display_width;
use crate::key;
use crate::services::ServiceError;
use crate::services::auth::LoginOutcome;
use crate::services::credentials::{ReissueError, Reissued};
use crate::services::households::HouseholdView;
use crate::store::credentials::CredentialState;
use crate::tui::i18n::{tr, trf};
use crate::tui::screens::{Action, Component, Cx, Screen, Task};
use crate::tui::theme;
use crate::tui::widgets::fields::{Event, Fields};
use crate::tui::widgets::form::{Control, Form, FormEvent};
use crate::tui::widgets::notice::{self, Notice};
use crate::tui::widgets::page::Row;

crate::controls! {
    pub enum Ctl {
        Key = "key",
        Name = "name",
        BirthDate = "birth_date",
        Search = "search",
        Reissue = "reissue",
        NewSearch = "new_search",
        RegisterNow = "register_now",
        Menu = "menu",
        Back = "back",
        Cancel = "cancel",
        ToMember = "to_member",
        ConfirmReissue = "confirm_reissue",
    }
}

#[derive(Debug, Clone)]
pub enum Phase {
    Search,
    Found(Vec<HouseholdView>),
    /// [再発行] on a household whose postcard still works: asked first (focus on キャンセル).
    Confirm(HouseholdView),
    Issued(Reissued),
}

#[derive(Debug, Clone)]
pub struct ReissueScreen {
    pub form: Fields<Ctl>,
    pub phase: Phase,
    pub message: Option<Notice>,
    /// What was typed into the search form, restored by [別の世帯を探す].
    saved: [String; 3],
}

impl SearchControls for Ctl {
    const SEARCH_FORM: [Ctl; 5] = [Ctl::Key, Ctl::Name, Ctl::BirthDate, Ctl::Search, Ctl::Back];
}

impl Default for ReissueScreen {
    fn default() -> Self {
        Self::new()
    }
}

impl ReissueScreen {
    pub fn new() -> Self {
        ReissueScreen {
            form: search_form(),
            phase: Phase::Search,
            message: None,
            saved: Default::default(),
        }
    }

    /// Back to the search form, with what was typed before.
    pub fn new_search(&mut self) {
        self.form = search_form_again(&self.saved);
        self.phase = Phase::Search;
        self.message = None;
    }

    /// The search's answer.
    pub fn found(&mut self, list: Vec<HouseholdView>) {
        if list.is_empty() {
            self.message = Some(Notice::error("staff_reissue.not_found"));
            return;
        }
        self.saved = typed(&self.form);
        let registered = list.len() == 1 && list[0].account.is_some();
        let mut controls = Vec::new();
        if registered {
            controls.push(Control::button(
                Ctl::ToMember,
                key!("counter_reissue.to_member"),
            ));
        } else if list.len() == 1 {
            controls.push(Control::button(Ctl::Reissue, key!("staff_reissue.reissue")));
        }
        controls.push(Control::button(
            Ctl::NewSearch,
            key!("staff_reissue.new_search"),
        ));
        controls.push(Control::button(Ctl::Back, key!("common.back")));
        self.form = Fields::new(controls);
        self.message = (list.len() > 1)
            .then(|| Notice::error(Msg::new("staff_reissue.many").arg("count", list.len())));
        self.phase = Phase::Found(list);
    }

    /// The new credential, shown once.
    pub fn issued(&mut self, r: Reissued) {
        self.form = Fields::new(vec![
            Control::button(Ctl::RegisterNow, key!("staff_reissue.register_now")),
            Control::button(Ctl::Menu, key!("staff.to_menu")),
        ]);
        self.message = None;
        self.phase = Phase::Issued(r);
    }

    /// The question before a live postcard is revoked; focus starts on [キャンセル].
    pub fn confirm(&mut self, h: HouseholdView) {
        self.form = Fields::new(vec![
            Control::button(Ctl::Cancel, key!("counter_reissue.cancel")),
            Control::button(Ctl::ConfirmReissue, key!("counter_reissue.confirm")),
        ]);
        self.message = None;
        self.phase = Phase::Confirm(h);
    }

    /// Back from the question to the household as found.
    fn cancel_confirm(&mut self) {
        if let Phase::Confirm(h) = std::mem::replace(&mut self.phase, Phase::Search) {
            self.found(vec![h]);
        }
    }

    fn reissue(household_id: i64) -> Action {
        Action::Task(Task::new(
            move |t| {
                let notices = t.svc.config.staff.notices_path(t.svc.store.path());
                t.svc.reissue_credential(&t.actor, household_id, &notices)
            },
            ReissueScreen::on_reissued,
        ))
    }

    /// The credential just issued, for [続けて代理登録].
    pub fn issued_credential(&self) -> Option<&Reissued> {
        match &self.phase {
            Phase::Issued(r) => Some(r),
            _ => None,
        }
    }

    fn search(&mut self, cx: &Cx<'_>) -> Action {
        match search_query(&mut self.form, cx.today, cx.lang) {
            Ok(query) => {
                self.message = None;
                Action::Task(Task::new(
                    move |t| t.svc.find_households(&t.actor, &query),
                    ReissueScreen::on_found,
                ))
            }
            Err(m) => {
                self.message = Some(Notice::error(m));
                Action::None
            }
        }
    }

    fn on_found(&mut self, r: Result<Vec<HouseholdView>, ServiceError>, _cx: &Cx<'_>) -> Action {
        match r {
            Ok(list) => {
                self.found(list);
                Action::None
            }
            Err(e) => system_error("household lookup", e),
        }
    }

    fn on_reissued(&mut self, r: Result<Reissued, ReissueError>, _cx: &Cx<'_>) -> Action {
        match r {
            Ok(done) => {
                self.issued(done);
                Action::None
            }
            Err(ReissueError::Registered) => {
                Action::Notice(Notice::error("staff_reissue.registered_note"))
            }
            Err(ReissueError::NotFound) => Action::Notice(Notice::error("staff_reissue.not_found")),
            Err(ReissueError::Service(e)) => system_error("reissue", e),
        }
    }

    /// [続けて代理登録]: the credential just issued starts the wizard.
    fn on_temp_login(&mut self, r: Result<LoginOutcome, ServiceError>, _cx: &Cx<'_>) -> Action {
        match r {
            Ok(LoginOutcome::Temporary(ticket)) => Action::StartRegistration(ticket),
            Ok(LoginOutcome::Permanent(_)) => Action::None,
            Ok(LoginOutcome::Failed) => Action::Notice(Notice::error("staff_start.failed")),
            Err(e) => system_error("temporary login", e),
        }
    }
}

impl Component for ReissueScreen {
    fn form(&self) -> &Form {
        self.form.form()
    }

    fn form_mut(&mut self) -> &mut Form {
        self.form.form_mut()
    }

    fn title_key(&self) -> &'static str {
        "staff_reissue.title"
    }

    fn hints_key(&self) -> &'static str {
        "staff.hints"
    }

    fn rows(&self, cx: &Cx<'_>) -> Vec<Row> {
        let lang = cx.lang;
        let f = &self.form;
        let width = cx.width.saturating_sub(30).max(20) as usize;
        match &self.phase {
            Phase::Search => search_rows(lang, f, key!("staff_reissue.intro"), &self.message),
            Phase::Found(list) => {
                let mut rows = Vec::new();
                if let [h] = list.as_slice() {
                    household_rows(lang, h, width, &mut rows);
                    rows.push(Row::Blank);
                    rows.push(if h.account.is_none() {
                        Row::Text(
                            tr(lang, "staff_reissue.confirm_note").to_string(),
                            theme::label_focused(),
                        )
                    } else {
                        Row::Text(
                            tr(lang, "staff_reissue.registered_note").to_string(),
                            theme::error(),
                        )
                    });
                } else {
                    several_rows(list, &mut rows);
                }
                rows.push(notice::row(lang, &self.message));
                rows.push(f.all_buttons());
                rows
            }
            Phase::Confirm(h) => {
                let mut rows = Vec::new();
                household_rows(lang, h, width, &mut rows);
                rows.push(Row::Blank);
                let id = h
                    .credential
                    .as_ref()
                    .map_or_else(String::new, |c| safe(&c.temp_id, 20));
                rows.push(Row::Text(
                    trf(lang, "counter_reissue.question", &[("id", &id)]),
                    theme::error(),
                ));
                rows.push(notice::row(lang, &self.message));
                rows.push(f.all_buttons());
                rows
            }
            Phase::Issued(r) => {
                let labels = [
                    "staff_reissue.household",
                    "staff_reissue.temp_id",
                    "staff_reissue.temp_password",
                    "staff_reissue.expires",
                ];
                let w = labels
                    .iter()
                    .map(|k| display_width(tr(lang, k)))
                    .max()
                    .unwrap_or(0);
                let big = |label: &str, value: String| {
                    let text = tr(lang, label);
                    let pad = w.saturating_sub(display_width(text));
                    Row::Line(Line::from(vec![
                        Span::styled(format!("{text}{}", " ".repeat(pad)), theme::label()),
                        Span::raw("  "),
                        Span::styled(value, theme::step_current()),
                    ]))
                };
                let mut rows = vec![
                    Row::Text(tr(lang, "staff_reissue.issued").to_string(), theme::ok()),
                    Row::Blank,
                    label_line(
                        lang,
                        labels[0],
                        format!(
                            "{}  {}",
                            safe(&r.household.to_string(), 30),
                            safe(&r.name, 30)
                        ),
                        w,
                    ),
                    big(labels[1], format!(" {} ", grouped(&r.temp_id, 5))),
                    big(labels[2], format!(" {} ", grouped(&r.temp_password, 5))),
                    label_line(lang, labels[3], r.expires_on.clone(), w),
                    Row::Blank,
                ];
                if r.revoked {
                    rows.push(Row::Text(
                        tr(lang, "staff_reissue.revoked").to_string(),
                        theme::text(),
                    ));
                }
                rows.push(Row::Text(
                    trf(
                        lang,
                        "staff_reissue.appended",
                        &[("path", &safe(&r.notices.display().to_string(), 200))],
                    ),
                    theme::info(),
                ));
                rows.push(notice::row(lang, &self.message));
                rows.push(f.buttons(&[Ctl::RegisterNow, Ctl::Menu]));
                rows
            }
        }
    }

    fn on_event(&mut self, event: FormEvent, cx: &Cx<'_>) -> Action {
        match (&self.phase, self.form.event(event)) {
            (Phase::Search, Event::Edited(_)) => {
                self.message = None;
                Action::None
            }
            (Phase::Search | Phase::Issued(_), Event::Back) => back_to_menu(),
            (Phase::Found(_), Event::Back) => {
                self.new_search();
                Action::None
            }
            (Phase::Confirm(_), Event::Back | Event::Pressed(Ctl::Cancel)) => {
                self.cancel_confirm();
                Action::None
            }
            (Phase::Found(list), Event::Pressed(Ctl::ToMember)) => match list.as_slice() {
                [h] => Action::Open(Screen::StaffMember(MemberScreen::with_household(h.clone()))),
                _ => Action::None,
            },
            (Phase::Confirm(h), Event::Pressed(Ctl::ConfirmReissue)) => {
                ReissueScreen::reissue(h.id)
            }
            (_, Event::Pressed(Ctl::Search)) => self.search(cx),
            (_, Event::Pressed(Ctl::NewSearch)) => {
                self.new_search();
                Action::None
            }
            (Phase::Found(list), Event::Pressed(Ctl::Reissue)) => match list.as_slice() {
                [h] if h.account.is_none() => {
                    let live = h
                        .credential
                        .as_ref()
                        .is_some_and(|c| c.state == CredentialState::Live && !c.expired_now);
                    if live {
                        let h = h.clone();
                        self.confirm(h);
                        Action::None
                    } else {
                        ReissueScreen::reissue(h.id)
                    }
                }
                // A registered household: the red note under it says why nothing happens.
                _ => Action::None,
            },
            (Phase::Issued(r), Event::Pressed(Ctl::RegisterNow)) => StaffStartScreen::temp_login(
                r.temp_id.clone(),
                r.temp_password.clone(),
                ReissueScreen::on_temp_login,
            ),
            (_, Event::Pressed(Ctl::Back | Ctl::Menu)) => back_to_menu(),
            _ => Action::None,
        }
    }

    fn notice(&mut self, notice: Notice) {
        self.message = Some(notice);
    }
}
