//! STEP3 本人確認: the insurer number, the birth date, the terms of use in a scrolling panel (not a focus
//! stop: PgUp/PgDn, the wheel and a drag scroll it from anywhere), 同意する, [確認] [戻る].

use time::Date;

use super::{Action, Component, Cx, Task};
use crate::domain::Msg;
use crate::domain::birthdate::{self, parse_birth_date};
use crate::domain::insurer::{self, InsurerNumber};
use crate::key;
use crate::services::ServiceError;
use crate::services::registration::{IdentityOutcome, terms};
use crate::tui::i18n::tr;
use crate::tui::theme;
use crate::tui::widgets::fields::{Event, Fields};
use crate::tui::widgets::form::{Control, Form, FormEvent, TextField};
use crate::tui::widgets::keypad::Keypad;
use crate::tui::widgets::notice::{self, Notice};
use crate::tui::widgets::page::Row;
use crate::tui::widgets::wrap::wrap;

crate::controls! {
    pub enum Ctl {
        Insurer = "insurer",
        BirthDate = "birth_date",
        Agree = "agree",
        Confirm = "confirm",
        Back = "back",
    }
}

#[derive(Debug, Clone)]
pub struct IdentityScreen {
    pub form: Fields<Ctl>,
    /// First visible line of the terms panel.
    pub scroll: usize,
    /// The result of the last check (mismatch, remaining attempts) or a hint to agree first.
    pub message: Option<Notice>,
    /// Esc or [戻る] was pressed once: leaving erases the postcard login, so the screen asked;
    /// pressing it again leaves, anything else keeps the member here.
    pub leaving: bool,
    /// At the staff console ([`IdentityScreen::assisted`]): the checkbox is the staff member's, so the
    /// intro and the hint to tick it name that one.
    pub assisted: bool,
}

impl IdentityScreen {
    pub fn new() -> Self {
        let form = Fields::new(vec![
            Control::text(
                Ctl::Insurer,
                key!("identity.insurer"),
                TextField::new(insurer::INPUT_MAX_CHARS).keypad(Keypad::Digits),
            ),
            Control::text(
                Ctl::BirthDate,
                key!("identity.birth_date"),
                TextField::new(birthdate::INPUT_MAX_CHARS).keypad(Keypad::Date),
            ),
            Control::checkbox(Ctl::Agree, key!("identity.agree")),
            Control::button(Ctl::Confirm, key!("identity.confirm")),
            Control::button(Ctl::Back, key!("common.back")),
        ]);
        let mut s = IdentityScreen {
            form,
            scroll: 0,
            message: None,
            leaving: false,
            assisted: false,
        };
        s.form.set_dimmed(Ctl::Confirm, true);
        s
    }

    /// The staff console's STEP3: the staff member ticks that the member agreed to the terms at the
    /// counter (the terms row and the audit row then say channel `staff`).
    pub fn assisted(mut self) -> Self {
        self.form.get_mut(Ctl::Agree).label = key!("counter_identity.agree");
        self.assisted = true;
        self
    }

    fn check_insurer(&mut self) -> Option<InsurerNumber> {
        let value = self.form.value(Ctl::Insurer).to_string();
        match insurer::parse(&value) {
            Ok(n) => {
                self.form.set_error(Ctl::Insurer, None);
                Some(n)
            }
            Err(e) => {
                self.form.set_error(Ctl::Insurer, Some(e.msg()));
                None
            }
        }
    }

    fn check_birth(&mut self, cx: &Cx<'_>) -> Option<Date> {
        let value = self.form.value(Ctl::BirthDate).to_string();
        match parse_birth_date(&value, cx.today) {
            Ok(d) => {
                self.form.set_error(Ctl::BirthDate, None);
                self.form.set_info(
                    Ctl::BirthDate,
                    Some(birthdate::understood_input(&value, d, cx.lang)),
                    true,
                );
                Some(d)
            }
            Err(e) => {
                self.form.set_error(Ctl::BirthDate, Some(e.msg()));
                self.form.set_info(Ctl::BirthDate, None, false);
                None
            }
        }
    }

    /// The terms wrapped to the panel's inside (the body's margins and the panel's borders off).
    pub fn terms_lines(&self, cx: &Cx<'_>) -> Vec<String> {
        wrap(
            terms(cx.lang).reflowed(cx.lang).trim_end(),
            cx.width.saturating_sub(6).max(20) as usize,
        )
    }

    /// The wrong-numbers message, with the attempts left.
    pub fn mismatch(&mut self, remaining: u32) {
        self.message = Some(Notice::error(
            Msg::new("identity.mismatch").arg("remaining", remaining),
        ));
    }

    /// [確認]: the numbers are checked here first (a typo never counts as a failed attempt), then
    /// against the household.
    fn confirm(&mut self, cx: &Cx<'_>) -> Action {
        let insurer = self.check_insurer();
        let birth = self.check_birth(cx);
        if !self.form.checked(Ctl::Agree) {
            self.message = Some(Notice::error(if self.assisted {
                "counter_identity.agree_first"
            } else {
                "identity.agree_first"
            }));
            self.form.focus(Ctl::Agree);
            return Action::None;
        }
        match (insurer, birth) {
            (Some(insurer), Some(birth_date)) => {
                self.message = None;
                Action::Task(Task::new(
                    move |t| {
                        t.svc
                            .check_identity(&t.actor, t.ticket()?, &insurer, birth_date)
                    },
                    IdentityScreen::on_checked,
                ))
            }
            (None, _) => {
                self.form.focus(Ctl::Insurer);
                Action::None
            }
            (_, None) => {
                self.form.focus(Ctl::BirthDate);
                Action::None
            }
        }
    }

    /// The identity check's answer.
    fn on_checked(&mut self, r: Result<IdentityOutcome, ServiceError>, _cx: &Cx<'_>) -> Action {
        match r {
            Ok(IdentityOutcome::Confirmed(m)) => Action::IdentityConfirmed(m),
            Ok(IdentityOutcome::Mismatch { remaining }) => {
                self.mismatch(remaining);
                Action::None
            }
            Ok(IdentityOutcome::Locked) => {
                Action::StartOver(Some(Notice::error("identity.locked")))
            }
            Ok(IdentityOutcome::CredentialInvalid) => {
                Action::StartOver(Some(Notice::error("identity.credential_invalid")))
            }
            Err(e) => {
                tracing::error!(error = %e, "identity check failed with an error");
                self.message = Some(Notice::error("common.system_error"));
                Action::None
            }
        }
    }
}

impl Default for IdentityScreen {
    fn default() -> Self {
        Self::new()
    }
}

impl Component for IdentityScreen {
    fn form(&self) -> &Form {
        self.form.form()
    }

    fn form_mut(&mut self) -> &mut Form {
        self.form.form_mut()
    }

    fn title_key(&self) -> &'static str {
        "identity.title"
    }

    fn hints_key(&self) -> &'static str {
        "identity.hints"
    }

    fn rows(&self, cx: &Cx<'_>) -> Vec<Row> {
        let lang = cx.lang;
        let f = &self.form;
        vec![
            Row::Intro(
                tr(
                    lang,
                    if self.assisted {
                        "counter_identity.intro"
                    } else {
                        "identity.intro"
                    },
                )
                .to_string(),
                theme::text(),
            ),
            f.row(Ctl::Insurer),
            f.note(Ctl::Insurer),
            f.row(Ctl::BirthDate),
            f.note(Ctl::BirthDate),
            Row::Panel {
                title: tr(lang, "identity.terms_title").to_string(),
                lines: self.terms_lines(cx),
                scroll: self.scroll,
            },
            f.row(Ctl::Agree),
            notice::row(lang, &self.message),
            f.buttons(&[Ctl::Confirm, Ctl::Back]),
        ]
    }

    fn on_event(&mut self, event: FormEvent, cx: &Cx<'_>) -> Action {
        let event = self.form.event(event);
        if self.leaving && !matches!(event, Event::Back | Event::Pressed(Ctl::Back) | Event::None) {
            // Anything else: the member stays, and the question goes.
            self.leaving = false;
            self.message = None;
        }
        match event {
            Event::Left(Ctl::Insurer) if !self.form.value(Ctl::Insurer).is_empty() => {
                self.check_insurer();
                Action::None
            }
            Event::Left(Ctl::BirthDate) if !self.form.value(Ctl::BirthDate).is_empty() => {
                self.check_birth(cx);
                Action::None
            }
            Event::Edited(Ctl::BirthDate) => {
                self.form.set_info(Ctl::BirthDate, None, false);
                Action::None
            }
            Event::Toggled(_) => {
                let agreed = self.form.checked(Ctl::Agree);
                self.form.set_dimmed(Ctl::Confirm, !agreed);
                if agreed {
                    self.message = None;
                }
                Action::None
            }
            // Leaving the registration erases the postcard login: asked first, then the start
            // screen.
            Event::Back | Event::Pressed(Ctl::Back) if self.leaving => Action::StartOver(None),
            Event::Back | Event::Pressed(Ctl::Back) => {
                self.leaving = true;
                self.message = Some(Notice::error("identity.leave_confirm"));
                self.form.focus(Ctl::Back);
                Action::None
            }
            Event::Pressed(Ctl::Confirm) => self.confirm(cx),
            _ => Action::None,
        }
    }

    fn scroll(&mut self, lines: i32, max: usize) {
        self.scroll = crate::tui::widgets::page::scrolled(self.scroll, lines, max);
    }

    fn notice(&mut self, notice: Notice) {
        self.message = Some(notice);
    }
}
