//! パスワード変更: current password, new, confirm – the registration policy plus "not the same as the
//! current one". From the menu it has [戻る]; forced at login (age, expired by an administrator, a
//! staff-set password) it says why, has [ログアウト] instead, and Esc goes nowhere.

use zeroize::Zeroizing;

use super::account::{AccountAction, field_note, fields_to_check};
use super::login::PASSWORD_MAX_CHARS;
use super::{Action, Cx, Screen};
use crate::domain::Msg;
use crate::domain::password::{PasswordContext, check_confirm};
use crate::key;
use crate::services::RuleViolation;
use crate::services::auth::ChangeReason;
use crate::tui::i18n::msg;
use crate::tui::theme;
use crate::tui::widgets::form::{Control, Form, FormEvent, TextField};
use crate::tui::widgets::page::Row;

#[derive(Debug, Clone)]
pub struct PasswordScreen {
    pub form: Form,
    pub user_id: String,
    /// Why the change is required, when it is.
    pub forced: Option<ChangeReason>,
    /// The message over the buttons, and whether it is an error.
    pub message: Option<(Msg, bool)>,
}

const FIELDS: [&str; 3] = ["current", "new", "confirm"];

impl PasswordScreen {
    pub fn new(cx: &Cx<'_>, user_id: &str, forced: Option<ChangeReason>) -> Self {
        let pw_max = cx.config.password.max_len.max(1);
        let mut form = Form::new(vec![
            Control::text(
                "current",
                key!("pwchange.current"),
                TextField::new(PASSWORD_MAX_CHARS).masked(),
            ),
            Control::text("new", key!("pwchange.new"), TextField::new(pw_max).masked()),
            Control::text(
                "confirm",
                key!("pwchange.confirm"),
                TextField::new(pw_max).masked(),
            ),
            Control::button("submit", key!("pwchange.submit")),
            if forced.is_some() {
                Control::button("logout", key!("menu.logout"))
            } else {
                Control::button("back", key!("common.back"))
            },
        ]);
        form.set_info("new", Some(cx.config.password.rule_hint()), false);
        PasswordScreen {
            form,
            user_id: user_id.to_string(),
            forced,
            message: None,
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
    pub fn validate(&mut self, id: &str, cx: &Cx<'_>) -> bool {
        let result: Result<(), Msg> = match id {
            "current" if self.form.value("current").is_empty() => Err(Msg::new("password.empty")),
            "new" => {
                let current = self.form.value("current");
                let ctx = PasswordContext {
                    user_id: Some(&self.user_id),
                    temporary: None,
                    current: (!current.is_empty()).then_some(current),
                };
                cx.config
                    .password
                    .check(self.form.value("new"), &ctx)
                    .map_err(|e| e.msg())
            }
            "confirm" => check_confirm(self.form.value("new"), self.form.value("confirm"))
                .map_err(|e| e.msg()),
            _ => Ok(()),
        };
        let ok = result.is_ok();
        self.form.set_error(id, result.err());
        ok
    }

    fn validate_all(&mut self, cx: &Cx<'_>) -> bool {
        let mut first_bad = None;
        for id in FIELDS {
            if !self.validate(id, cx) && first_bad.is_none() {
                first_bad = Some(id);
            }
        }
        match first_bad {
            Some(id) => {
                self.form.focus_id(id);
                self.message = Some((Msg::new("details.fix_errors"), true));
                false
            }
            None => true,
        }
    }

    /// The service said the current password is wrong: it is emptied, everything else stays.
    pub fn wrong_current(&mut self, remaining: u32) {
        self.form.field_mut("current").clear();
        self.form
            .set_error("current", Some(Msg::new("pwchange.wrong_current")));
        self.form.focus_id("current");
        self.message = Some((
            Msg::new("pwchange.remaining").arg("remaining", remaining),
            true,
        ));
    }

    /// Rules the service found broken.
    pub fn violations(&mut self, violations: &[RuleViolation]) {
        for v in violations {
            if FIELDS.contains(&v.field) {
                self.form.set_error(v.field, Some(v.msg.clone()));
            }
        }
        if let Some(v) = violations.iter().find(|v| FIELDS.contains(&v.field)) {
            self.form.focus_id(v.field);
        }
        self.message = Some((Msg::new("details.fix_errors"), true));
    }
}

impl Screen for PasswordScreen {
    fn form(&self) -> &Form {
        &self.form
    }

    fn form_mut(&mut self) -> &mut Form {
        &mut self.form
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
        let i = |id| f.index(id);
        let mut rows = Vec::new();
        if let Some(reason) = self.reason(cx) {
            rows.push(Row::Text(msg(lang, &reason), theme::label_focused()));
            rows.push(Row::Text(
                msg(lang, &Msg::new("pwchange.forced_note")),
                theme::info(),
            ));
            rows.push(Row::Blank);
        }
        rows.extend([
            Row::Text(msg(lang, &Msg::new("pwchange.intro")), theme::text()),
            Row::Blank,
            Row::Control(i("current")),
            field_note(f, "current", lang, cx.width),
            Row::Control(i("new")),
            field_note(f, "new", lang, cx.width),
            Row::Control(i("confirm")),
            field_note(f, "confirm", lang, cx.width),
            Row::Message(self.message.as_ref().map(|(m, err)| {
                (
                    msg(lang, m),
                    if *err { theme::error() } else { theme::info() },
                )
            })),
            Row::Buttons(vec![f.index("submit"), f.controls.len() - 1]),
        ]);
        rows
    }

    fn on_event(&mut self, event: FormEvent, cx: &Cx<'_>) -> Action {
        match event {
            FormEvent::Moved { from } => {
                for id in fields_to_check(&self.form, &FIELDS, from) {
                    self.validate(id, cx);
                }
                Action::None
            }
            FormEvent::Edited(_) => {
                self.message = None;
                Action::None
            }
            FormEvent::Back if self.forced.is_some() => {
                self.message = Some((Msg::new("pwchange.forced_back"), false));
                Action::None
            }
            FormEvent::Back => Action::Account(AccountAction::BackToMenu),
            FormEvent::Pressed(i) => match self.form.controls[i].id {
                "back" => Action::Account(AccountAction::BackToMenu),
                "logout" => Action::Logout,
                "submit" => {
                    if !self.validate_all(cx) {
                        return Action::None;
                    }
                    self.message = None;
                    Action::Account(AccountAction::ChangePassword {
                        current: Zeroizing::new(self.form.value("current").to_string()),
                        new: Zeroizing::new(self.form.value("new").to_string()),
                        confirm: Zeroizing::new(self.form.value("confirm").to_string()),
                    })
                }
                _ => Action::None,
            },
            _ => Action::None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::domain::Lang;

    fn cx(config: &Config) -> Cx<'_> {
        Cx {
            lang: Lang::Ja,
            config,
            today: time::macros::date!(2026 - 02 - 01),
            width: 80,
        }
    }

    fn fill(s: &mut PasswordScreen, current: &str, new: &str, confirm: &str) {
        s.form.field_mut("current").set_value(current);
        s.form.field_mut("new").set_value(new);
        s.form.field_mut("confirm").set_value(confirm);
    }

    fn submit(s: &mut PasswordScreen, cx: &Cx<'_>) -> Action {
        let i = s.form.index("submit");
        s.on_event(FormEvent::Pressed(i), cx)
    }

    #[test]
    fn same_as_current_and_the_policy_are_checked_before_asking_the_store() {
        let config = Config::default();
        let cx = cx(&config);
        let mut s = PasswordScreen::new(&cx, "tanaka2026", None);
        assert_eq!(s.form.focused_id(), "current");
        fill(&mut s, "OldPass123", "OldPass123", "OldPass123");
        assert_eq!(submit(&mut s, &cx), Action::None);
        assert_eq!(
            s.form.get("new").error,
            Some(Msg::new("password.same_as_current"))
        );
        fill(&mut s, "OldPass123", "xTanaka2026x9", "xTanaka2026x9");
        assert_eq!(submit(&mut s, &cx), Action::None);
        assert_eq!(
            s.form.get("new").error,
            Some(Msg::new("password.contains_user_id"))
        );
        fill(&mut s, "OldPass123", "NewPass456", "NewPass457");
        assert_eq!(submit(&mut s, &cx), Action::None);
        assert_eq!(
            s.form.get("confirm").error,
            Some(Msg::new("password.mismatch"))
        );
        fill(&mut s, "", "NewPass456", "NewPass456");
        assert_eq!(submit(&mut s, &cx), Action::None);
        assert_eq!(s.form.focused_id(), "current");
        fill(&mut s, "OldPass123", "NewPass456", "NewPass456");
        assert!(matches!(
            submit(&mut s, &cx),
            Action::Account(AccountAction::ChangePassword { .. })
        ));
    }

    #[test]
    fn forced_change_cannot_be_escaped_but_can_log_out() {
        let config = Config::default();
        let cx = cx(&config);
        let mut s = PasswordScreen::new(&cx, "tanaka2026", Some(ChangeReason::Age));
        assert_eq!(s.on_event(FormEvent::Back, &cx), Action::None);
        assert_eq!(s.message, Some((Msg::new("pwchange.forced_back"), false)));
        let i = s.form.index("logout");
        assert_eq!(s.on_event(FormEvent::Pressed(i), &cx), Action::Logout);
        assert!(s.form.controls.iter().all(|c| c.id != "back"));
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
        assert_eq!(s.form.value("current"), "");
        assert_eq!(s.form.value("new"), "NewPass456", "the rest is kept");
        assert_eq!(s.form.focused_id(), "current");
        assert_eq!(
            s.form.get("current").error,
            Some(Msg::new("pwchange.wrong_current"))
        );
        assert_eq!(
            s.message,
            Some((Msg::new("pwchange.remaining").arg("remaining", 3), true))
        );
    }
}
