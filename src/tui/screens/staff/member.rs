//! 登録済み会員の相談: a registered member at the counter. Find the household (by its key, or by a
//! member's name and birth date, as 再発行 does), then either
//! - パスワード再設定: staff tick the identity checklist (insurance card seen, birth date asked) and the
//!   service draws an initial password, shown once here; the old password stops working at once, the
//!   member must change it at the next login, and a notice mail goes out when an address is on file; or
//! - メールアドレス訂正: the member's address corrected (the kiosk's rule) and the mail not yet delivered
//!   sent to the new address; the old address gets nothing.

use ratatui::text::{Line, Span};

use super::household::{
    SearchControls, household_rows, label_line, search_form, search_form_again, search_query,
    search_rows, several_rows, typed,
};
use super::mail::{EMAIL_MAX_CHARS, correction_error};
use super::{back_to_menu, safe, system_error};
use crate::domain::Msg;
use crate::domain::email::mask_email;
use crate::domain::text::display_width;
use crate::key;
use crate::services::ServiceError;
use crate::services::email_correction::{CorrectionError, CorrectionStart, EmailCorrected};
use crate::services::households::HouseholdView;
use crate::services::staff_reset::{IdentityChecklist, StaffReset, StaffResetError};
use crate::tui::i18n::{tr, trf};
use crate::tui::screens::{Action, Component, Cx, Screen, Task};
use crate::tui::theme;
use crate::tui::widgets::fields::{Event, Fields};
use crate::tui::widgets::form::{Control, Form, FormEvent, TextField};
use crate::tui::widgets::notice::{self, Notice};
use crate::tui::widgets::page::Row;

crate::controls! {
    pub enum Ctl {
        Key = "key",
        Name = "name",
        BirthDate = "birth_date",
        Search = "search",
        CardSeen = "card_seen",
        BirthAsked = "birth_asked",
        Reset = "reset",
        Email = "email",
        Correct = "correct",
        NewSearch = "new_search",
        Menu = "menu",
        Back = "back",
    }
}

#[derive(Debug, Clone)]
pub enum Phase {
    Search,
    /// One registered household (or several, or one not registered: the message says what to do).
    Found(Vec<HouseholdView>),
    /// The initial password, shown once.
    Reset(StaffReset),
    Corrected(EmailCorrected),
}

#[derive(Debug, Clone)]
pub struct MemberScreen {
    pub form: Fields<Ctl>,
    pub phase: Phase,
    pub message: Option<Notice>,
    /// What was typed into the search form, restored by [別の世帯を探す].
    saved: [String; 3],
}

impl SearchControls for Ctl {
    const SEARCH_FORM: [Ctl; 5] = [Ctl::Key, Ctl::Name, Ctl::BirthDate, Ctl::Search, Ctl::Back];
}

impl Default for MemberScreen {
    fn default() -> Self {
        Self::new()
    }
}

impl MemberScreen {
    pub fn new() -> Self {
        MemberScreen {
            form: search_form(),
            phase: Phase::Search,
            message: None,
            saved: Default::default(),
        }
    }

    /// Opened on a household already found (from 再発行).
    pub fn with_household(h: HouseholdView) -> Self {
        let mut s = MemberScreen::new();
        s.saved[0] = h.key.to_string();
        s.found(vec![h]);
        s
    }

    /// Back to the search form, with what was typed before.
    pub fn new_search(&mut self) {
        self.form = search_form_again(&self.saved);
        self.phase = Phase::Search;
        self.message = None;
    }

    /// The search's answer: the tools for one registered household.
    pub fn found(&mut self, list: Vec<HouseholdView>) {
        if list.is_empty() {
            self.message = Some(Notice::error("staff_reissue.not_found"));
            return;
        }
        if matches!(self.phase, Phase::Search) {
            self.saved = typed(&self.form);
        }
        let one_registered = list.len() == 1 && list[0].account.is_some();
        let mut controls = Vec::new();
        if one_registered {
            controls.extend([
                Control::checkbox(Ctl::CardSeen, key!("staff_member.card_seen")),
                Control::checkbox(Ctl::BirthAsked, key!("staff_member.birth_asked")),
                Control::button(Ctl::Reset, key!("staff_member.reset")),
                Control::text(
                    Ctl::Email,
                    key!("staff_member.email"),
                    TextField::new(EMAIL_MAX_CHARS),
                ),
                Control::button(Ctl::Correct, key!("staff_member.correct")),
            ]);
        }
        controls.push(Control::button(
            Ctl::NewSearch,
            key!("staff_reissue.new_search"),
        ));
        controls.push(Control::button(Ctl::Back, key!("common.back")));
        self.form = Fields::new(controls);
        self.message = if list.len() > 1 {
            Some(Notice::error(
                Msg::new("staff_reissue.many").arg("count", list.len()),
            ))
        } else if !one_registered {
            Some(Notice::error("staff_member.not_registered"))
        } else {
            None
        };
        if one_registered {
            self.form.set_dimmed(Ctl::Reset, true);
            self.form.focus(Ctl::CardSeen);
        } else {
            self.form.focus(Ctl::NewSearch);
        }
        self.phase = Phase::Found(list);
    }

    fn checklist(&self) -> IdentityChecklist {
        IdentityChecklist {
            card_seen: self.form.checked(Ctl::CardSeen),
            birth_date_asked: self.form.checked(Ctl::BirthAsked),
        }
    }

    fn done(&mut self, phase: Phase) {
        self.form = Fields::new(vec![Control::button(Ctl::Menu, key!("staff.to_menu"))]);
        self.message = None;
        self.phase = phase;
    }

    fn search(&mut self, cx: &Cx<'_>) -> Action {
        match search_query(&mut self.form, cx.today, cx.lang) {
            Ok(query) => {
                self.message = None;
                Action::Task(Task::new(
                    move |t| t.svc.find_households(&t.actor, &query),
                    MemberScreen::on_found,
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

    fn on_reset(&mut self, r: Result<StaffReset, StaffResetError>, _cx: &Cx<'_>) -> Action {
        match r {
            Ok(done) => {
                self.done(Phase::Reset(done));
                Action::None
            }
            Err(StaffResetError::Unconfirmed) => {
                Action::Notice(Notice::error("staff_member.check_first"))
            }
            Err(StaffResetError::NotRegistered) => {
                Action::Notice(Notice::error("staff_member.not_registered"))
            }
            Err(StaffResetError::NotFound) => {
                Action::Notice(Notice::error("staff_reissue.not_found"))
            }
            Err(StaffResetError::Service(e)) => system_error("staff reset", e),
        }
    }

    fn on_corrected(&mut self, r: Result<EmailCorrected, CorrectionError>, _cx: &Cx<'_>) -> Action {
        match r {
            Ok(done) => {
                self.done(Phase::Corrected(done));
                Action::None
            }
            Err(CorrectionError::Invalid(v)) => {
                self.form.set_error(Ctl::Email, Some(v.msg));
                self.form.focus(Ctl::Email);
                Action::None
            }
            Err(e) => Action::Notice(correction_error(e)),
        }
    }

    /// The one household shown, when it is registered.
    fn household(&self) -> Option<&HouseholdView> {
        match &self.phase {
            Phase::Found(list) => match list.as_slice() {
                [h] if h.account.is_some() => Some(h),
                _ => None,
            },
            _ => None,
        }
    }

    fn found_rows(&self, cx: &Cx<'_>, list: &[HouseholdView]) -> Vec<Row> {
        let lang = cx.lang;
        let f = &self.form;
        let width = cx.width.saturating_sub(30).max(20) as usize;
        let mut rows = Vec::new();
        match list {
            [h] => {
                household_rows(lang, h, width, &mut rows);
                if let Some(a) = &h.account {
                    let email = a.email.as_deref().map_or_else(
                        || tr(lang, "staff_member.no_email").to_string(),
                        |e| safe(&mask_email(e), 60),
                    );
                    rows.push(Row::Text(
                        trf(lang, "staff_member.email_on_file", &[("email", &email)]),
                        theme::text(),
                    ));
                }
            }
            _ => several_rows(list, &mut rows),
        }
        if self.household().is_some() {
            rows.push(Row::Blank);
            rows.push(Row::Text(
                tr(lang, "staff_member.reset_title").to_string(),
                theme::label_focused(),
            ));
            rows.push(f.row(Ctl::CardSeen));
            rows.push(f.row(Ctl::BirthAsked));
            rows.push(f.buttons(&[Ctl::Reset]));
            rows.push(f.row(Ctl::Email));
            rows.push(f.note(Ctl::Email));
            rows.push(f.buttons(&[Ctl::Correct]));
        }
        rows.push(notice::row(lang, &self.message));
        rows.push(f.buttons(&[Ctl::NewSearch, Ctl::Back]));
        rows
    }
}

impl Component for MemberScreen {
    fn form(&self) -> &Form {
        self.form.form()
    }

    fn form_mut(&mut self) -> &mut Form {
        self.form.form_mut()
    }

    fn title_key(&self) -> &'static str {
        "staff_member.title"
    }

    fn hints_key(&self) -> &'static str {
        "staff.hints"
    }

    fn rows(&self, cx: &Cx<'_>) -> Vec<Row> {
        let lang = cx.lang;
        let f = &self.form;
        match &self.phase {
            Phase::Search => search_rows(lang, f, key!("staff_member.intro"), &self.message),
            Phase::Found(list) => self.found_rows(cx, list),
            Phase::Reset(r) => {
                let labels = ["staff_member.user_id", "staff_member.initial_password"];
                let w = labels
                    .iter()
                    .map(|k| display_width(tr(lang, k)))
                    .max()
                    .unwrap_or(0);
                let mail = match &r.mail_to {
                    Some(to) => trf(
                        lang,
                        "staff_member.reset_mail",
                        &[("to", &safe(&mask_email(to), 60))],
                    ),
                    None => tr(lang, "staff_member.reset_no_mail").to_string(),
                };
                let pw_label = tr(lang, labels[1]);
                vec![
                    Row::Text(tr(lang, "staff_member.reset_done").to_string(), theme::ok()),
                    Row::Blank,
                    label_line(
                        lang,
                        "staff_reissue.household",
                        format!(
                            "{}  {}",
                            safe(&r.household.to_string(), 30),
                            safe(&r.name, 30)
                        ),
                        w,
                    ),
                    label_line(lang, labels[0], safe(&r.user_id, 32), w),
                    Row::Line(Line::from(vec![
                        Span::styled(
                            format!(
                                "{pw_label}{}",
                                " ".repeat(w.saturating_sub(display_width(pw_label)))
                            ),
                            theme::label(),
                        ),
                        Span::raw("  "),
                        Span::styled(
                            format!(" {} ", r.initial_password.as_str()),
                            theme::step_current(),
                        ),
                    ])),
                    Row::Blank,
                    Row::Text(
                        tr(lang, "staff_member.reset_next").to_string(),
                        theme::text(),
                    ),
                    Row::Text(mail, theme::info()),
                    notice::row(lang, &self.message),
                    f.all_buttons(),
                ]
            }
            Phase::Corrected(c) => vec![
                Row::Text(
                    trf(
                        lang,
                        "staff_member.corrected",
                        &[
                            ("user_id", &safe(&c.user_id, 32)),
                            ("to", &safe(&c.new_email, 80)),
                        ],
                    ),
                    theme::ok(),
                ),
                Row::Text(
                    trf(
                        lang,
                        "staff_member.corrected_mail",
                        &[("count", &c.resent.len().to_string())],
                    ),
                    theme::text(),
                ),
                notice::row(lang, &self.message),
                f.all_buttons(),
            ],
        }
    }

    fn on_event(&mut self, event: FormEvent, cx: &Cx<'_>) -> Action {
        match (&self.phase, self.form.event(event)) {
            (Phase::Search, Event::Edited(_)) => {
                self.message = None;
                Action::None
            }
            (Phase::Found(_), Event::Edited(_)) => {
                self.form.set_error(Ctl::Email, None);
                self.message = None;
                Action::None
            }
            (Phase::Found(_), Event::Toggled(_)) => {
                let ready = self.checklist().complete();
                self.form.set_dimmed(Ctl::Reset, !ready);
                self.message = None;
                Action::None
            }
            (Phase::Found(_), Event::Back) => {
                self.new_search();
                Action::None
            }
            (Phase::Search, Event::Back) => back_to_menu(),
            (_, Event::Pressed(Ctl::Search)) => self.search(cx),
            (_, Event::Pressed(Ctl::NewSearch)) => {
                self.new_search();
                Action::None
            }
            (Phase::Found(_), Event::Pressed(Ctl::Reset)) => {
                let Some(h) = self.household() else {
                    return Action::None;
                };
                let checklist = self.checklist();
                if !checklist.complete() {
                    self.message = Some(Notice::error("staff_member.check_first"));
                    return Action::None;
                }
                let household_id = h.id;
                Action::Task(Task::new(
                    move |t| t.svc.staff_reset(&t.actor, household_id, checklist),
                    MemberScreen::on_reset,
                ))
            }
            (Phase::Found(_), Event::Pressed(Ctl::Correct)) => {
                let Some(h) = self.household() else {
                    return Action::None;
                };
                let email = self.form.value(Ctl::Email).trim().to_string();
                if email.is_empty() {
                    self.form
                        .set_error(Ctl::Email, Some(Msg::new("counter_mail.email_missing")));
                    self.form.focus(Ctl::Email);
                    return Action::None;
                }
                let household_id = h.id;
                Action::Task(Task::new(
                    move |t| {
                        t.svc.correct_email(
                            &t.actor,
                            CorrectionStart::Household(household_id),
                            &email,
                        )
                    },
                    MemberScreen::on_corrected,
                ))
            }
            (Phase::Reset(_) | Phase::Corrected(_), Event::Back)
            | (_, Event::Pressed(Ctl::Back | Ctl::Menu)) => back_to_menu(),
            _ => Action::None,
        }
    }

    fn notice(&mut self, notice: Notice) {
        self.message = Some(notice);
    }
}

/// The menu's entry: the search form.
pub fn open() -> Action {
    Action::Open(Screen::StaffMember(MemberScreen::new()))
}
