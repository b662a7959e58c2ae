//! STEP3 本人確認: the insurer number, the birth date, the terms of use in a scrolling panel (not a focus
//! stop: PgUp/PgDn, the wheel and a drag scroll it from anywhere), 同意する, [確認] [戻る].

use super::{Action, Cx, Screen};
use crate::domain::Msg;
use crate::domain::birthdate::{self, parse_birth_date};
use crate::domain::insurer;
use crate::domain::wizard::Step;
use crate::key;
use crate::services::registration::terms;
use crate::tui::i18n::{msg, tr};
use crate::tui::theme;
use crate::tui::widgets::form::{Control, Form, FormEvent, TextField};
use crate::tui::widgets::page::Row;
use crate::tui::widgets::wrap::wrap;

#[derive(Debug, Clone)]
pub struct IdentityScreen {
    pub form: Form,
    /// First visible line of the terms panel.
    pub scroll: usize,
    /// The result of the last check (mismatch, remaining attempts) or a hint to agree first.
    pub message: Option<Msg>,
}

impl IdentityScreen {
    pub fn new() -> Self {
        let form = Form::new(vec![
            Control::text(
                "insurer",
                key!("identity.insurer"),
                TextField::new(insurer::INPUT_MAX_CHARS),
            ),
            Control::text(
                "birth_date",
                key!("identity.birth_date"),
                TextField::new(birthdate::INPUT_MAX_CHARS),
            ),
            Control::checkbox("agree", key!("identity.agree")),
            Control::button("confirm", key!("identity.confirm")),
            Control::button("back", key!("common.back")),
        ]);
        let mut s = IdentityScreen {
            form,
            scroll: 0,
            message: None,
        };
        s.form.get_mut("confirm").dimmed = true;
        s
    }

    fn check_insurer(&mut self) -> Option<insurer::InsurerNumber> {
        let value = self.form.value("insurer").to_string();
        match insurer::parse(&value) {
            Ok(n) => {
                self.form.set_error("insurer", None);
                Some(n)
            }
            Err(e) => {
                self.form.set_error("insurer", Some(e.msg()));
                None
            }
        }
    }

    fn check_birth(&mut self, cx: &Cx<'_>) -> Option<time::Date> {
        let value = self.form.value("birth_date").to_string();
        match parse_birth_date(&value, cx.today) {
            Ok(d) => {
                self.form.set_error("birth_date", None);
                self.form
                    .set_info("birth_date", Some(birthdate::understood(d, cx.lang)), true);
                Some(d)
            }
            Err(e) => {
                self.form.set_error("birth_date", Some(e.msg()));
                self.form.set_info("birth_date", None, false);
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
        self.message = Some(Msg::new("identity.mismatch").arg("remaining", remaining));
    }
}

impl Default for IdentityScreen {
    fn default() -> Self {
        Self::new()
    }
}

impl Screen for IdentityScreen {
    fn form(&self) -> &Form {
        &self.form
    }

    fn form_mut(&mut self) -> &mut Form {
        &mut self.form
    }

    fn title_key(&self) -> &'static str {
        "identity.title"
    }

    fn step(&self) -> Option<Step> {
        Some(Step::Identity)
    }

    fn hints_key(&self) -> &'static str {
        "identity.hints"
    }

    fn rows(&self, cx: &Cx<'_>) -> Vec<Row> {
        let lang = cx.lang;
        let f = &self.form;
        vec![
            Row::Intro(tr(lang, "identity.intro").to_string(), theme::text()),
            Row::Control(f.index("insurer")),
            Row::Note(f.index("insurer")),
            Row::Control(f.index("birth_date")),
            Row::Note(f.index("birth_date")),
            Row::Panel {
                title: tr(lang, "identity.terms_title").to_string(),
                lines: self.terms_lines(cx),
                scroll: self.scroll,
            },
            Row::Control(f.index("agree")),
            Row::Message(
                self.message
                    .as_ref()
                    .map(|m| (msg(lang, m), theme::error())),
            ),
            Row::Buttons(vec![f.index("confirm"), f.index("back")]),
        ]
    }

    fn on_event(&mut self, event: FormEvent, cx: &Cx<'_>) -> Action {
        match event {
            FormEvent::Moved { from } => {
                match self.form.controls[from].id {
                    "insurer" if !self.form.value("insurer").is_empty() => {
                        self.check_insurer();
                    }
                    "birth_date" if !self.form.value("birth_date").is_empty() => {
                        self.check_birth(cx);
                    }
                    _ => {}
                }
                Action::None
            }
            FormEvent::Edited(i) => {
                if self.form.controls[i].id == "birth_date" {
                    self.form.set_info("birth_date", None, false);
                }
                Action::None
            }
            FormEvent::Toggled(_) => {
                let agreed = self.form.checked("agree");
                self.form.get_mut("confirm").dimmed = !agreed;
                if agreed {
                    self.message = None;
                }
                Action::None
            }
            FormEvent::Back => Action::CancelRegistration,
            FormEvent::Pressed(i) => match self.form.controls[i].id {
                "back" => Action::CancelRegistration,
                "confirm" => {
                    let insurer = self.check_insurer();
                    let birth = self.check_birth(cx);
                    if !self.form.checked("agree") {
                        self.message = Some(Msg::new("identity.agree_first"));
                        self.form.focus_id("agree");
                        return Action::None;
                    }
                    match (insurer, birth) {
                        (Some(insurer), Some(birth_date)) => {
                            self.message = None;
                            Action::CheckIdentity {
                                insurer,
                                birth_date,
                            }
                        }
                        (None, _) => {
                            self.form.focus_id("insurer");
                            Action::None
                        }
                        (_, None) => {
                            self.form.focus_id("birth_date");
                            Action::None
                        }
                    }
                }
                _ => Action::None,
            },
            _ => Action::None,
        }
    }

    fn scroll(&mut self, lines: i32, max: usize) {
        self.scroll = (self.scroll as i64 + lines as i64).clamp(0, max as i64) as usize;
    }
}
