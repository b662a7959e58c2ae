//! パスワード変更: current password, new, confirm – the registration policy plus "not the same as the
//! current one". From the menu it has [戻る]; forced at login (age, expired by an administrator, a
//! staff-set password) it says why, has [ログアウト] instead, and Esc goes nowhere.

use zeroize::Zeroizing;

use super::account::{field_note, fields_to_check};
use super::account_done::AccountDoneScreen;
use super::login::PASSWORD_MAX_CHARS;
use super::{Action, Component, Cx, Page, Screen, Task};
use crate::dates::jst_long_date;
use crate::domain::Msg;
use crate::domain::password::{PasswordContext, check_confirm};
use crate::domain::text::neutralize;
use crate::key;
use crate::services::RuleViolation;
use crate::services::account::{PasswordChangeError, PasswordChangeInput, PasswordChanged};
use crate::services::auth::ChangeReason;
use crate::tui::i18n::msg;
use crate::tui::theme;
use crate::tui::widgets::fields::{ControlId, Event, Fields};
use crate::tui::widgets::form::{Control, Form, FormEvent, TextField};
use crate::tui::widgets::notice::{self, Notice};
use crate::tui::widgets::page::Row;

crate::controls! {
    pub enum Ctl {
        Current = "current",
        New = "new",
        Confirm = "confirm",
        Submit = "submit",
        /// [戻る] of a change from the menu.
        Back = "back",
        /// [ログアウト] of a forced change (there is no way back).
        Logout = "logout",
    }
}

#[derive(Debug, Clone)]
pub struct PasswordScreen {
    pub form: Fields<Ctl>,
    pub user_id: String,
    /// Why the change is required, when it is.
    pub forced: Option<ChangeReason>,
    /// The message over the buttons.
    pub message: Option<Notice>,
}

const FIELDS: [Ctl; 3] = [Ctl::Current, Ctl::New, Ctl::Confirm];

impl PasswordScreen {
    pub fn new(cx: &Cx<'_>, user_id: &str, forced: Option<ChangeReason>) -> Self {
        let pw_max = cx.config.password.max_len.max(1);
        let mut form = Fields::new(vec![
            Control::text(
                Ctl::Current,
                key!("pwchange.current"),
                TextField::new(PASSWORD_MAX_CHARS).masked(),
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
            Control::button(Ctl::Submit, key!("pwchange.submit")),
            if forced.is_some() {
                Control::button(Ctl::Logout, key!("menu.logout"))
            } else {
                Control::button(Ctl::Back, key!("common.back"))
            },
        ]);
        form.set_info(Ctl::New, Some(cx.config.password.rule_hint()), false);
        if forced == Some(ChangeReason::Initial) {
            // The login seconds ago proved the staff-issued initial password: not asked again
            // (issue 10 item 8; the service checks the session proved the one still on file).
            form.retain(|id| id != Ctl::Current);
        }
        PasswordScreen {
            form,
            user_id: user_id.to_string(),
            forced,
            message: None,
        }
    }

    /// The screen as its page: the forced change or the one from the menu.
    pub fn into_screen(self) -> Screen {
        if self.forced.is_some() {
            Screen::ForcedPassword(self)
        } else {
            Screen::Password(self)
        }
    }

    /// The current password as typed; empty when it is not asked (after an initial password).
    fn current(&self) -> &str {
        if self.form.has(Ctl::Current) {
            self.form.value(Ctl::Current)
        } else {
            ""
        }
    }

    /// The reason text of a forced change.
    pub fn reason(&self, cx: &Cx<'_>) -> Option<Msg> {
        self.forced.map(|r| match r {
            ChangeReason::Age => {
                Msg::new("pwchange.reason_age").arg("days", cx.config.password.max_age_days)
            }
            ChangeReason::Expired => Msg::new("pwchange.reason_expired"),
            ChangeReason::Initial => Msg::new("pwchange.reason_initial"),
        })
    }

    /// Checks one field; returns whether it is valid.
    pub fn validate(&mut self, id: Ctl, cx: &Cx<'_>) -> bool {
        let result: Result<(), Msg> = match id {
            Ctl::Current if self.form.has(Ctl::Current) && self.current().is_empty() => {
                Err(Msg::new("password.empty"))
            }
            Ctl::New => {
                let current = self.current();
                let ctx = PasswordContext {
                    user_id: Some(&self.user_id),
                    temporary: None,
                    current: (!current.is_empty()).then_some(current),
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

    fn validate_all(&mut self, cx: &Cx<'_>) -> bool {
        let mut first_bad = None;
        let asked: Vec<Ctl> = FIELDS.into_iter().filter(|id| self.form.has(*id)).collect();
        for id in asked {
            if !self.validate(id, cx) && first_bad.is_none() {
                first_bad = Some(id);
            }
        }
        match first_bad {
            Some(id) => {
                self.form.focus(id);
                self.message = Some(Notice::error("details.fix_errors"));
                false
            }
            None => true,
        }
    }

    /// The service said the current password is wrong: it is emptied, everything else stays.
    pub fn wrong_current(&mut self, remaining: u32) {
        if !self.form.has(Ctl::Current) {
            self.message = Some(Notice::error("pwchange.replaced"));
            return;
        }
        self.form.field_mut(Ctl::Current).clear();
        self.form
            .set_error(Ctl::Current, Some(Msg::new("pwchange.wrong_current")));
        self.form.focus(Ctl::Current);
        self.message = Some(Notice::error(
            Msg::new("pwchange.remaining").arg("remaining", remaining),
        ));
    }

    /// Rules the service found broken.
    pub fn violations(&mut self, violations: &[RuleViolation]) {
        let named: Vec<(Ctl, &RuleViolation)> = violations
            .iter()
            .filter_map(|v| Ctl::from_name(v.field).map(|id| (id, v)))
            .filter(|(id, _)| FIELDS.contains(id) && self.form.has(*id))
            .collect();
        for (id, v) in &named {
            self.form.set_error(*id, Some(v.msg.clone()));
        }
        if let Some((id, _)) = named.first() {
            self.form.focus(*id);
        }
        self.message = Some(Notice::error("details.fix_errors"));
    }

    /// [変更する].
    fn submit(&mut self, cx: &Cx<'_>) -> Action {
        if !self.validate_all(cx) {
            return Action::None;
        }
        self.message = None;
        let input = PasswordChangeInput {
            current: Zeroizing::new(self.current().to_string()),
            new: Zeroizing::new(self.form.value(Ctl::New).to_string()),
            confirm: Zeroizing::new(self.form.value(Ctl::Confirm).to_string()),
            lang: cx.lang,
        };
        Action::Task(Task::new(
            move |t| t.svc.change_password(&t.actor, t.session()?, &input),
            PasswordScreen::on_changed,
        ))
    }

    fn on_changed(
        &mut self,
        r: Result<PasswordChanged, PasswordChangeError>,
        cx: &Cx<'_>,
    ) -> Action {
        match r {
            Ok(r) => {
                let mut lines = vec![Notice::ok("pwchange_done.complete")];
                lines.push(match &r.mail_to {
                    Some(to) => {
                        Notice::text(Msg::new("pwchange_done.mail").arg("to", neutralize(to)))
                    }
                    None => Notice::info("pwchange_done.no_mail"),
                });
                if let Some(next) = r.expires_at {
                    lines.push(Notice::info(
                        Msg::new("pwchange_done.next").arg("date", jst_long_date(next, cx.lang)),
                    ));
                }
                let done = AccountDoneScreen::password(&self.user_id, lines);
                let page = if self.forced.is_some() {
                    Page::ForcedPassword
                } else {
                    Page::Password
                };
                Action::All(vec![
                    Action::PasswordUpdated,
                    Action::Replace(page, Screen::PasswordDone(done)),
                ])
            }
            Err(PasswordChangeError::Invalid(v)) => {
                self.violations(&v);
                Action::None
            }
            Err(PasswordChangeError::WrongCurrent { remaining }) => {
                self.wrong_current(remaining);
                Action::None
            }
            Err(PasswordChangeError::Locked) => {
                Action::StartOver(Some(Notice::error("pwchange.locked")))
            }
            Err(PasswordChangeError::Replaced) => {
                Action::StartOver(Some(Notice::error("pwchange.replaced")))
            }
            Err(PasswordChangeError::Service(e)) => {
                tracing::error!(error = %e, "password change failed with an error");
                self.message = Some(Notice::error("common.system_error"));
                Action::None
            }
        }
    }
}

impl Component for PasswordScreen {
    fn form(&self) -> &Form {
        self.form.form()
    }

    fn form_mut(&mut self) -> &mut Form {
        self.form.form_mut()
    }

    fn title_key(&self) -> &'static str {
        if self.forced.is_some() {
            key!("pwchange.forced_title")
        } else {
            key!("pwchange.title")
        }
    }

    fn hints_key(&self) -> &'static str {
        if self.forced.is_some() {
            key!("pwchange.forced_hints")
        } else {
            key!("common.hints")
        }
    }

    fn rows(&self, cx: &Cx<'_>) -> Vec<Row> {
        let lang = cx.lang;
        let f = &self.form;
        let mut rows = Vec::new();
        if let Some(reason) = self.reason(cx) {
            rows.push(Row::Text(msg(lang, &reason), theme::label_focused()));
            rows.push(Row::Text(
                msg(lang, &Msg::new("pwchange.forced_note")),
                theme::info(),
            ));
            rows.push(Row::Blank);
        }
        let leave = if self.forced.is_some() {
            Ctl::Logout
        } else {
            Ctl::Back
        };
        let asks_current = f.has(Ctl::Current);
        rows.push(Row::Text(
            msg(
                lang,
                &Msg::new(if asks_current {
                    "pwchange.intro"
                } else {
                    "counter_pwchange.intro_initial"
                }),
            ),
            theme::text(),
        ));
        rows.push(Row::Blank);
        if asks_current {
            rows.push(f.row(Ctl::Current));
            rows.push(field_note(f, Ctl::Current, lang, cx.width));
        }
        rows.extend([
            f.row(Ctl::New),
            field_note(f, Ctl::New, lang, cx.width),
            f.row(Ctl::Confirm),
            field_note(f, Ctl::Confirm, lang, cx.width),
            notice::row(lang, &self.message),
            f.buttons(&[Ctl::Submit, leave]),
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
            Event::Back if self.forced.is_some() => {
                self.message = Some(Notice::info("pwchange.forced_back"));
                Action::None
            }
            Event::Back | Event::Pressed(Ctl::Back) => Action::BackToMenu,
            Event::Pressed(Ctl::Logout) => Action::Logout,
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
    use crate::tui::screens::test_cx as cx;

    fn fill(s: &mut PasswordScreen, current: &str, new: &str, confirm: &str) {
        s.form.field_mut(Ctl::Current).set_value(current);
        s.form.field_mut(Ctl::New).set_value(new);
        s.form.field_mut(Ctl::Confirm).set_value(confirm);
    }

    fn submit(s: &mut PasswordScreen, cx: &Cx<'_>) -> Action {
        let i = s.form.index(Ctl::Submit);
        s.on_event(FormEvent::Pressed(i), cx)
    }

    #[test]
    fn same_as_current_and_the_policy_are_checked_before_asking_the_store() {
        let config = Config::default();
        let cx = cx(&config);
        let mut s = PasswordScreen::new(&cx, "tanaka2026", None);
        assert_eq!(s.form.focused(), Ctl::Current);
        fill(&mut s, "OldPass123", "OldPass123", "OldPass123");
        assert!(submit(&mut s, &cx).is_none());
        assert_eq!(
            s.form.get(Ctl::New).error,
            Some(Msg::new("password.same_as_current"))
        );
        fill(&mut s, "OldPass123", "xTanaka2026x9", "xTanaka2026x9");
        assert!(submit(&mut s, &cx).is_none());
        assert_eq!(
            s.form.get(Ctl::New).error,
            Some(Msg::new("password.contains_user_id"))
        );
        fill(&mut s, "OldPass123", "NewPass456", "NewPass457");
        assert!(submit(&mut s, &cx).is_none());
        assert_eq!(
            s.form.get(Ctl::Confirm).error,
            Some(Msg::new("password.mismatch"))
        );
        fill(&mut s, "", "NewPass456", "NewPass456");
        assert!(submit(&mut s, &cx).is_none());
        assert_eq!(s.form.focused(), Ctl::Current);
        fill(&mut s, "OldPass123", "NewPass456", "NewPass456");
        assert!(matches!(submit(&mut s, &cx), Action::Task(t) if !t.quiet));
    }

    #[test]
    fn forced_change_cannot_be_escaped_but_can_log_out() {
        let config = Config::default();
        let cx = cx(&config);
        let mut s = PasswordScreen::new(&cx, "tanaka2026", Some(ChangeReason::Age));
        assert!(s.on_event(FormEvent::Back, &cx).is_none());
        assert_eq!(s.message, Some(Notice::info("pwchange.forced_back")));
        let i = s.form.index(Ctl::Logout);
        assert!(matches!(
            s.on_event(FormEvent::Pressed(i), &cx),
            Action::Logout
        ));
        assert!(!s.form.has(Ctl::Back));
        assert_eq!(
            s.reason(&cx),
            Some(Msg::new("pwchange.reason_age").arg("days", 1095))
        );
    }

    #[test]
    fn a_wrong_current_password_is_emptied_and_named() {
        let config = Config::default();
        let cx = cx(&config);
        let mut s = PasswordScreen::new(&cx, "tanaka2026", None);
        fill(&mut s, "Wrong1234", "NewPass456", "NewPass456");
        s.wrong_current(3);
        assert_eq!(s.form.value(Ctl::Current), "");
        assert_eq!(s.form.value(Ctl::New), "NewPass456", "the rest is kept");
        assert_eq!(s.form.focused(), Ctl::Current);
        assert_eq!(
            s.form.get(Ctl::Current).error,
            Some(Msg::new("pwchange.wrong_current"))
        );
        assert_eq!(
            s.message,
            Some(Notice::error(
                Msg::new("pwchange.remaining").arg("remaining", 3)
            ))
        );
    }
}
