//! パスワードの再設定: the one-time code from the mail and the new password (twice). After a request it
//! opens with the one answer that does not say whether the ID and address matched.

use zeroize::Zeroizing;

use super::account::{field_note, fields_to_check};
use super::account_done::AccountDoneScreen;
use super::login::ID_MAX_CHARS;
use super::{Action, Component, Cx, Page, Screen, Task};
use crate::domain::Msg;
use crate::domain::credential::normalize_one_time_code;
use crate::domain::password::{PasswordContext, check_confirm};
use crate::domain::text::normalize;
use crate::key;
use crate::services::RuleViolation;
use crate::services::reset::{ResetDone, ResetError, ResetInput};
use crate::tui::i18n::{msg, tr};
use crate::tui::theme;
use crate::tui::widgets::fields::{ControlId, Event, Fields};
use crate::tui::widgets::form::{Control, Form, FormEvent, TextField};
use crate::tui::widgets::keypad::Keypad;
use crate::tui::widgets::notice::{self, Notice};
use crate::tui::widgets::page::Row;

/// Room for the 8 digits typed in groups (`1234 5678`, `1234-5678`).
pub const CODE_MAX_CHARS: usize = 12;

crate::controls! {
    pub enum Ctl {
        UserId = "user_id",
        Code = "code",
        New = "new",
        Confirm = "confirm",
        Submit = "submit",
        Back = "back",
    }
}

#[derive(Debug, Clone)]
pub struct ResetScreen {
    pub form: Fields<Ctl>,
    /// After a request: the code's lifetime in minutes, for the generic answer.
    pub sent_minutes: Option<u32>,
    pub message: Option<Notice>,
}

const FIELDS: [Ctl; 4] = [Ctl::UserId, Ctl::Code, Ctl::New, Ctl::Confirm];

impl ResetScreen {
    pub fn new(cx: &Cx<'_>, user_id: &str, sent_minutes: Option<u32>) -> Self {
        let pw_max = cx.config.password.max_len.max(1);
        let mut form = Fields::new(vec![
            Control::text(
                Ctl::UserId,
                key!("forgot_code.user_id"),
                TextField::new(ID_MAX_CHARS),
            ),
            Control::text(
                Ctl::Code,
                key!("forgot_code.code"),
                TextField::new(CODE_MAX_CHARS).keypad(Keypad::Digits),
            ),
            Control::text(
                Ctl::New,
                key!("pwchange.new"),
                TextField::new(pw_max).masked(),
            ),
            Control::text(
                Ctl::Confirm,
                key!("pwchange.confirm"),
                TextField::new(pw_max).masked(),
            ),
            Control::button(Ctl::Submit, key!("forgot_code.submit")),
            Control::button(Ctl::Back, key!("common.back")),
        ]);
        form.field_mut(Ctl::UserId).set_value(user_id);
        form.set_info(Ctl::New, Some(cx.config.password.rule_hint()), false);
        ResetScreen {
            form,
            sent_minutes,
            message: None,
        }
    }

    fn user_id(&self) -> String {
        normalize(self.form.value(Ctl::UserId)).trim().to_string()
    }

    fn validate(&mut self, id: Ctl, cx: &Cx<'_>) -> bool {
        let result: Result<(), Msg> = match id {
            Ctl::UserId if self.user_id().is_empty() => Err(Msg::new("forgot.user_id_empty")),
            Ctl::Code => normalize_one_time_code(self.form.value(Ctl::Code))
                .map(|_| ())
                .ok_or_else(|| Msg::new("forgot_code.code_format")),
            Ctl::New => {
                let uid = self.user_id();
                let ctx = PasswordContext {
                    user_id: (!uid.is_empty()).then_some(uid.as_str()),
                    temporary: None,
                    current: None,
                };
                cx.config
                    .password
                    .check(self.form.value(Ctl::New), &ctx)
                    .map_err(|e| e.msg())
            }
            Ctl::Confirm => check_confirm(self.form.value(Ctl::New), self.form.value(Ctl::Confirm))
                .map_err(|e| e.msg()),
            _ => Ok(()),
        };
        let ok = result.is_ok();
        self.form.set_error(id, result.err());
        ok
    }

    /// The one answer for every refused code. Everything typed stays.
    pub fn refused(&mut self) {
        self.message = Some(Notice::error("forgot_code.refused"));
        self.form.focus(Ctl::Code);
    }

    /// Rules the service found broken (the password policy, "not the current password").
    pub fn violations(&mut self, violations: &[RuleViolation]) {
        let named: Vec<(Ctl, &RuleViolation)> = violations
            .iter()
            .filter_map(|v| Ctl::from_name(v.field).map(|id| (id, v)))
            .filter(|(id, _)| FIELDS.contains(id))
            .collect();
        for (id, v) in &named {
            self.form.set_error(*id, Some(v.msg.clone()));
        }
        if let Some((id, _)) = named.first() {
            self.form.focus(*id);
        }
        self.message = Some(Notice::error("details.fix_errors"));
    }

    /// [パスワードを再設定].
    fn submit(&mut self, cx: &Cx<'_>) -> Action {
        let mut first_bad = None;
        for id in FIELDS {
            if !self.validate(id, cx) && first_bad.is_none() {
                first_bad = Some(id);
            }
        }
        if let Some(id) = first_bad {
            self.form.focus(id);
            self.message = Some(Notice::error("details.fix_errors"));
            return Action::None;
        }
        self.message = None;
        let input = ResetInput {
            user_id: self.user_id(),
            code: self.form.value(Ctl::Code).to_string(),
            new: Zeroizing::new(self.form.value(Ctl::New).to_string()),
            confirm: Zeroizing::new(self.form.value(Ctl::Confirm).to_string()),
            lang: cx.lang,
        };
        Action::Task(Task::new(
            move |t| t.svc.reset_password(&t.actor, &input),
            ResetScreen::on_reset,
        ))
    }

    fn on_reset(&mut self, r: Result<ResetDone, ResetError>, _cx: &Cx<'_>) -> Action {
        match r {
            Ok(done) => {
                let mut lines = vec![Notice::ok("forgot_done.complete")];
                if done.mail_id.is_some() {
                    lines.push(Notice::text("forgot_done.mail"));
                }
                let done = AccountDoneScreen::reset(lines);
                Action::Replace(Page::Forgot, Screen::ResetDone(done))
            }
            Err(ResetError::Refused) => {
                self.refused();
                Action::None
            }
            Err(ResetError::Invalid(v)) => {
                self.violations(&v);
                Action::None
            }
            Err(ResetError::Service(e)) => {
                tracing::error!(error = %e, "password reset failed with an error");
                self.message = Some(Notice::error("common.system_error"));
                Action::None
            }
        }
    }
}

impl Component for ResetScreen {
    fn form(&self) -> &Form {
        self.form.form()
    }

    fn form_mut(&mut self) -> &mut Form {
        self.form.form_mut()
    }

    fn title_key(&self) -> &'static str {
        key!("forgot_code.title")
    }

    fn rows(&self, cx: &Cx<'_>) -> Vec<Row> {
        let lang = cx.lang;
        let f = &self.form;
        let mut rows = Vec::new();
        if let Some(minutes) = self.sent_minutes {
            rows.push(Row::Text(
                msg(lang, &Msg::new("forgot_code.sent").arg("minutes", minutes)),
                theme::ok(),
            ));
        }
        rows.extend([
            Row::Text(tr(lang, "forgot_code.intro").to_string(), theme::text()),
            Row::Blank,
            f.row(Ctl::UserId),
            field_note(f, Ctl::UserId, lang, cx.width),
            f.row(Ctl::Code),
            field_note(f, Ctl::Code, lang, cx.width),
            f.row(Ctl::New),
            field_note(f, Ctl::New, lang, cx.width),
            f.row(Ctl::Confirm),
            field_note(f, Ctl::Confirm, lang, cx.width),
            notice::row(lang, &self.message),
            f.buttons(&[Ctl::Submit, Ctl::Back]),
        ]);
        rows
    }

    fn on_event(&mut self, event: FormEvent, cx: &Cx<'_>) -> Action {
        match self.form.event(event) {
            Event::Left(left) => {
                for id in fields_to_check(&self.form, &FIELDS, left, (Ctl::New, Ctl::Confirm)) {
                    self.validate(id, cx);
                }
                Action::None
            }
            Event::Edited(_) => {
                self.message = None;
                Action::None
            }
            Event::Back | Event::Pressed(Ctl::Back) => Action::Back,
            Event::Pressed(Ctl::Submit) => self.submit(cx),
            _ => Action::None,
        }
    }

    fn notice(&mut self, notice: Notice) {
        self.message = Some(notice);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::tui::screens::test_cx;

    #[test]
    fn the_code_is_checked_for_form_before_it_counts() {
        let config = Config::default();
        let cx = test_cx(&config);
        let mut s = ResetScreen::new(&cx, "tanaka2026", Some(15));
        assert_eq!(s.form.focused(), Ctl::UserId);
        assert_eq!(s.form.value(Ctl::UserId), "tanaka2026");
        s.form.field_mut(Ctl::Code).set_value("1234567");
        s.form.field_mut(Ctl::New).set_value("NewPass456");
        s.form.field_mut(Ctl::Confirm).set_value("NewPass456");
        let submit = s.form.index(Ctl::Submit);
        assert!(s.on_event(FormEvent::Pressed(submit), &cx).is_none());
        assert_eq!(
            s.form.get(Ctl::Code).error,
            Some(Msg::new("forgot_code.code_format"))
        );
        assert_eq!(s.form.focused(), Ctl::Code);
        s.form.field_mut(Ctl::Code).set_value("１２３４ ５６７８");
        assert!(matches!(
            s.on_event(FormEvent::Pressed(submit), &cx),
            Action::Task(t) if !t.quiet
        ));
        assert_eq!(
            normalize_one_time_code(s.form.value(Ctl::Code)).as_deref(),
            Some("12345678")
        );
        s.refused();
        assert_eq!(s.message, Some(Notice::error("forgot_code.refused")));
        assert_eq!(
            s.form.value(Ctl::New),
            "NewPass456",
            "nothing typed is lost"
        );
        assert!(matches!(s.on_event(FormEvent::Back, &cx), Action::Back));
    }
}
