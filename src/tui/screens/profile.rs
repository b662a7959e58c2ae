//! 個人情報管理: the registered data (household numbers masked), and the email address and the 医療費通知
//! mail setting to change – checked as at registration. [入力内容確認] opens the confirm screen only
//! when something changed.

use super::account::{AccountAction, field_note, label_column, value_row};
use super::{Action, Cx, Screen};
use crate::dates::jst_long_date as format_date;
use crate::domain::Msg;
use crate::domain::email::{self, validate_email};
use crate::domain::text::neutralize;
use crate::key;
use crate::services::account::AccountProfile;
use crate::tui::i18n::{msg, tr, trf};
use crate::tui::theme;
use crate::tui::widgets::form::{Control, Form, FormEvent, TextField};
use crate::tui::widgets::page::Row;

#[derive(Debug, Clone)]
pub struct ProfileScreen {
    pub form: Form,
    /// What is stored, as loaded when the screen opened.
    pub profile: AccountProfile,
    pub message: Option<Msg>,
}

const INFO_LABELS: [&str; 6] = [
    key!("profile.user_id"),
    key!("profile.household"),
    key!("profile.registrant"),
    key!("profile.registered_at"),
    key!("profile.password_set_at"),
    key!("profile.password_next"),
];

impl ProfileScreen {
    pub fn new(profile: AccountProfile) -> Self {
        let mut form = Form::new(vec![
            Control::text(
                "email",
                key!("profile.email"),
                TextField::new(email::MAX_LEN),
            ),
            Control::radio(
                "notify",
                key!("profile.notify"),
                vec![key!("details.notify_yes"), key!("details.notify_no")],
                if profile.notify_mail { 0 } else { 1 },
            ),
            Control::button("submit", key!("details.submit")),
            Control::button("back", key!("common.back")),
        ]);
        form.field_mut("email")
            .set_value(profile.email.as_deref().unwrap_or_default());
        form.set_info("email", Some(Msg::new("profile.email_hint")), false);
        let mut s = ProfileScreen {
            form,
            profile,
            message: None,
        };
        s.notify_note();
        s
    }

    pub fn notify_mail(&self) -> bool {
        self.form.selected("notify") == 0
    }

    /// The address as it will be stored (normalised), when valid.
    pub fn email(&self) -> Result<Option<String>, Msg> {
        validate_email(self.form.value("email"), self.notify_mail()).map_err(|e| e.msg())
    }

    fn notify_note(&mut self) {
        let note = if self.notify_mail() {
            Msg::new("details.notify_yes_note")
        } else {
            Msg::new("details.notify_no_note")
        };
        self.form.set_info("notify", Some(note), false);
    }

    fn validate_email(&mut self) -> bool {
        match self.email() {
            Ok(_) => {
                self.form.set_error("email", None);
                true
            }
            Err(m) => {
                self.form.set_error("email", Some(m));
                false
            }
        }
    }

    /// True when the input differs from what is stored.
    pub fn changed(&self) -> bool {
        match self.email() {
            Ok(e) => e != self.profile.email || self.notify_mail() != self.profile.notify_mail,
            Err(_) => true,
        }
    }
}

impl Screen for ProfileScreen {
    fn form(&self) -> &Form {
        &self.form
    }

    fn form_mut(&mut self) -> &mut Form {
        &mut self.form
    }

    fn title_key(&self) -> &'static str {
        "profile.title"
    }

    fn rows(&self, cx: &Cx<'_>) -> Vec<Row> {
        let lang = cx.lang;
        let f = &self.form;
        let w = label_column(lang, &INFO_LABELS);
        let p = &self.profile;
        let registrant = match &p.member_name {
            Some(name) => format!(
                "{}（{}）",
                tr(lang, p.registrant.label_key()),
                neutralize(name)
            ),
            None => tr(lang, p.registrant.label_key()).to_string(),
        };
        let mut rows = vec![
            Row::Text(tr(lang, "profile.intro").to_string(), theme::text()),
            Row::Blank,
            value_row(lang, INFO_LABELS[0], neutralize(&p.user_id).into_owned(), w),
            value_row(
                lang,
                INFO_LABELS[1],
                neutralize(&p.household_masked).into_owned(),
                w,
            ),
            value_row(lang, INFO_LABELS[2], registrant, w),
            value_row(lang, INFO_LABELS[3], format_date(p.registered_at, lang), w),
            value_row(
                lang,
                INFO_LABELS[4],
                format_date(p.password_set_at, lang),
                w,
            ),
        ];
        if let Some(next) = p.password_expires_at {
            let when = format_date(next, lang);
            rows.push(value_row(
                lang,
                INFO_LABELS[5],
                trf(lang, "profile.password_next_value", &[("date", &when)]),
                w,
            ));
        }
        rows.extend([
            Row::Blank,
            Row::Control(f.index("email")),
            field_note(f, "email", lang, cx.width),
            Row::Text(
                tr(lang, "profile.notify_heading").to_string(),
                theme::label(),
            ),
            Row::Control(f.index("notify")),
            Row::Note(f.index("notify")),
            Row::Message(
                self.message
                    .as_ref()
                    .map(|m| (msg(lang, m), theme::error())),
            ),
            Row::Buttons(vec![f.index("submit"), f.index("back")]),
        ]);
        rows
    }

    fn on_event(&mut self, event: FormEvent, _cx: &Cx<'_>) -> Action {
        match event {
            FormEvent::Moved { from } if self.form.controls[from].id == "email" => {
                if !self.form.value("email").is_empty() {
                    self.validate_email();
                }
                Action::None
            }
            FormEvent::Edited(_) => {
                self.message = None;
                Action::None
            }
            FormEvent::Selected(i) if self.form.controls[i].id == "notify" => {
                self.message = None;
                self.notify_note();
                if self.form.get("email").error.is_some() || !self.form.value("email").is_empty() {
                    self.validate_email();
                }
                Action::None
            }
            FormEvent::Back => Action::Account(AccountAction::BackToMenu),
            FormEvent::Pressed(i) => match self.form.controls[i].id {
                "back" => Action::Account(AccountAction::BackToMenu),
                "submit" => {
                    if !self.validate_email() {
                        self.form.focus_id("email");
                        self.message = Some(Msg::new("details.fix_errors"));
                        Action::None
                    } else if !self.changed() {
                        self.message = Some(Msg::new("profile.unchanged"));
                        Action::None
                    } else {
                        self.message = None;
                        Action::Account(AccountAction::ProfileToConfirm)
                    }
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
    use crate::domain::household::Relationship;

    fn profile(email: Option<&str>, notify: bool) -> AccountProfile {
        let t = time::macros::datetime!(2026-01-01 00:00 UTC);
        AccountProfile {
            user_id: "tanaka2026".into(),
            household_masked: "******97-12-**34".into(),
            registrant: Relationship::Insured,
            member_name: Some("田中 一郎".into()),
            registered_at: t,
            password_set_at: t,
            password_expires_at: None,
            email: email.map(str::to_string),
            notify_mail: notify,
        }
    }

    fn cx(config: &Config) -> Cx<'_> {
        Cx {
            lang: Lang::Ja,
            config,
            today: time::macros::date!(2026 - 02 - 01),
            width: 80,
        }
    }

    fn press(s: &mut ProfileScreen, id: &str, cx: &Cx<'_>) -> Action {
        let i = s.form.index(id);
        s.on_event(FormEvent::Pressed(i), cx)
    }

    #[test]
    fn opens_on_the_email_with_the_stored_values() {
        let s = ProfileScreen::new(profile(Some("a@example.jp"), false));
        assert_eq!(s.form.focused_id(), "email");
        assert_eq!(s.form.value("email"), "a@example.jp");
        assert!(!s.notify_mail());
        assert!(!s.changed());
    }

    #[test]
    fn nothing_changed_is_said_and_does_not_confirm() {
        let config = Config::default();
        let cx = cx(&config);
        let mut s = ProfileScreen::new(profile(Some("a@example.jp"), true));
        assert_eq!(press(&mut s, "submit", &cx), Action::None);
        assert_eq!(s.message, Some(Msg::new("profile.unchanged")));
        s.form.field_mut("email").set_value("b@example.jp");
        assert_eq!(
            press(&mut s, "submit", &cx),
            Action::Account(AccountAction::ProfileToConfirm)
        );
    }

    #[test]
    fn mail_wanted_needs_an_address_and_a_bad_address_is_named() {
        let config = Config::default();
        let cx = cx(&config);
        let mut s = ProfileScreen::new(profile(None, false));
        s.form.set_selected("notify", 0);
        assert_eq!(press(&mut s, "submit", &cx), Action::None);
        assert_eq!(s.form.get("email").error, Some(Msg::new("email.required")));
        s.form.field_mut("email").set_value("not an address");
        assert_eq!(press(&mut s, "submit", &cx), Action::None);
        assert_eq!(s.form.get("email").error, Some(Msg::new("email.invalid")));
        assert_eq!(s.form.value("email"), "not an address", "input kept");
        s.form
            .field_mut("email")
            .set_value("ｎｅｗ＠ｅｘａｍｐｌｅ．ｊｐ");
        assert_eq!(s.email(), Ok(Some("new@example.jp".into())));
        assert_eq!(
            press(&mut s, "submit", &cx),
            Action::Account(AccountAction::ProfileToConfirm)
        );
    }

    #[test]
    fn esc_and_back_return_to_the_menu() {
        let config = Config::default();
        let cx = cx(&config);
        let mut s = ProfileScreen::new(profile(None, false));
        assert_eq!(
            s.on_event(FormEvent::Back, &cx),
            Action::Account(AccountAction::BackToMenu)
        );
        assert_eq!(
            press(&mut s, "back", &cx),
            Action::Account(AccountAction::BackToMenu)
        );
    }
}
