//! 個人情報管理: the registered data (household numbers masked), and the email address and the 医療費通知
//! mail setting to change – checked as at registration. [入力内容確認] opens the confirm screen only
//! when something changed.

use super::account::{field_note, label_column, value_row};
use super::account_done::AccountDoneScreen;
use super::profile_confirm::ProfileConfirmScreen;
use super::{Action, Component, Cx, Page, Screen};
use crate::dates::jst_long_date as format_date;
use crate::domain::Msg;
use crate::domain::email::{self, validate_email};
use crate::domain::text::neutralize;
use crate::key;
use crate::services::account::{AccountProfile, ContactChange, ContactError};
use crate::tui::i18n::{tr, trf};
use crate::tui::theme;
use crate::tui::widgets::fields::{ControlId, Event, Fields};
use crate::tui::widgets::form::{Control, Form, FormEvent, TextField};
use crate::tui::widgets::keypad::Keypad;
use crate::tui::widgets::notice::{self, Notice};
use crate::tui::widgets::page::Row;

crate::controls! {
    pub enum Ctl {
        Email = "email",
        Notify = "notify",
        Submit = "submit",
        Back = "back",
    }
}

#[derive(Debug, Clone)]
pub struct ProfileScreen {
    pub form: Fields<Ctl>,
    /// What is stored, as loaded when the screen opened.
    pub profile: AccountProfile,
    pub message: Option<Notice>,
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
        let mut form = Fields::new(vec![
            Control::text(
                Ctl::Email,
                key!("profile.email"),
                TextField::new(email::MAX_LEN).keypad(Keypad::Email),
            ),
            Control::radio(
                Ctl::Notify,
                key!("profile.notify"),
                vec![key!("details.notify_yes"), key!("details.notify_no")],
                if profile.notify_mail { 0 } else { 1 },
            ),
            Control::button(Ctl::Submit, key!("details.submit")),
            Control::button(Ctl::Back, key!("common.back")),
        ]);
        form.field_mut(Ctl::Email)
            .set_value(profile.email.as_deref().unwrap_or_default());
        form.set_info(Ctl::Email, Some(Msg::new("profile.email_hint")), false);
        let mut s = ProfileScreen {
            form,
            profile,
            message: None,
        };
        s.notify_note();
        s
    }

    pub fn notify_mail(&self) -> bool {
        self.form.selected(Ctl::Notify) == 0
    }

    /// The address as it will be stored (normalised), when valid.
    pub fn email(&self) -> Result<Option<String>, Msg> {
        validate_email(self.form.value(Ctl::Email), self.notify_mail()).map_err(|e| e.msg())
    }

    fn notify_note(&mut self) {
        let note = if self.notify_mail() {
            Msg::new("details.notify_yes_note")
        } else {
            Msg::new("details.notify_no_note")
        };
        self.form.set_info(Ctl::Notify, Some(note), false);
    }

    fn validate_email(&mut self) -> bool {
        match self.email() {
            Ok(_) => {
                self.form.set_error(Ctl::Email, None);
                true
            }
            Err(m) => {
                self.form.set_error(Ctl::Email, Some(m));
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

    /// [実行]'s answer (the confirm screen over this one asked; the input is this screen's).
    pub fn on_saved(&mut self, r: Result<ContactChange, ContactError>, _cx: &Cx<'_>) -> Action {
        match r {
            Ok(c) => {
                let mut lines = vec![Notice::ok("profile_done.complete")];
                let email_changed = c.old_email != c.new_email;
                if let Some(to) = &c.new_email {
                    lines.push(Notice::text(
                        Msg::new("profile_done.mail_new").arg("to", neutralize(to)),
                    ));
                }
                if let (Some(old), true) = (&c.old_email, email_changed) {
                    lines.push(Notice::text(
                        Msg::new("profile_done.mail_old").arg("to", neutralize(old)),
                    ));
                }
                lines.push(match c.new_email {
                    Some(_) => Notice::info("profile_done.not_arrived"),
                    None => Notice::info("profile_done.no_mail"),
                });
                let done = AccountDoneScreen::profile(lines);
                Action::Replace(Page::Profile, Screen::ProfileDone(done))
            }
            Err(ContactError::Invalid(violations)) => {
                for v in &violations {
                    if let Some(id) = Ctl::from_name(v.field) {
                        self.form.set_error(id, Some(v.msg.clone()));
                    }
                }
                self.form.focus(Ctl::Email);
                self.message = Some(Notice::error("details.fix_errors"));
                Action::Back
            }
            Err(ContactError::Unchanged) => {
                self.message = Some(Notice::error("profile.unchanged"));
                Action::Back
            }
            Err(ContactError::MustChangePassword) => {
                Action::Notice(Notice::error("profile_confirm.must_change"))
            }
            Err(ContactError::Service(e)) => {
                tracing::error!(error = %e, "contact change failed with an error");
                Action::Notice(Notice::error("common.system_error"))
            }
        }
    }
}
impl Component for ProfileScreen {
    fn form(&self) -> &Form {
        self.form.form()
    }

    fn form_mut(&mut self) -> &mut Form {
        self.form.form_mut()
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
            f.row(Ctl::Email),
            field_note(f, Ctl::Email, lang, cx.width),
            Row::Text(
                tr(lang, "profile.notify_heading").to_string(),
                theme::label(),
            ),
            f.row(Ctl::Notify),
            f.note(Ctl::Notify),
            notice::row(lang, &self.message),
            f.buttons(&[Ctl::Submit, Ctl::Back]),
        ]);
        rows
    }

    fn on_event(&mut self, event: FormEvent, _cx: &Cx<'_>) -> Action {
        match self.form.event(event) {
            Event::Left(Ctl::Email) => {
                if !self.form.value(Ctl::Email).is_empty() {
                    self.validate_email();
                }
                Action::None
            }
            Event::Edited(_) => {
                self.message = None;
                Action::None
            }
            Event::Selected(Ctl::Notify) => {
                self.message = None;
                self.notify_note();
                if self.form.get(Ctl::Email).error.is_some()
                    || !self.form.value(Ctl::Email).is_empty()
                {
                    self.validate_email();
                }
                Action::None
            }
            Event::Back | Event::Pressed(Ctl::Back) => Action::BackToMenu,
            Event::Pressed(Ctl::Submit) => {
                if !self.validate_email() {
                    self.form.focus(Ctl::Email);
                    self.message = Some(Notice::error("details.fix_errors"));
                    Action::None
                } else if !self.changed() {
                    self.message = Some(Notice::error("profile.unchanged"));
                    Action::None
                } else {
                    self.message = None;
                    Action::Open(Screen::ProfileConfirm(ProfileConfirmScreen::from_profile(
                        self,
                    )))
                }
            }
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

    use crate::tui::screens::test_cx as cx;

    fn press(s: &mut ProfileScreen, id: Ctl, cx: &Cx<'_>) -> Action {
        let i = s.form.index(id);
        s.on_event(FormEvent::Pressed(i), cx)
    }

    #[test]
    fn opens_on_the_email_with_the_stored_values() {
        let s = ProfileScreen::new(profile(Some("a@example.jp"), false));
        assert_eq!(s.form.focused(), Ctl::Email);
        assert_eq!(s.form.value(Ctl::Email), "a@example.jp");
        assert!(!s.notify_mail());
        assert!(!s.changed());
    }

    #[test]
    fn nothing_changed_is_said_and_does_not_confirm() {
        let config = Config::default();
        let cx = cx(&config);
        let mut s = ProfileScreen::new(profile(Some("a@example.jp"), true));
        assert!(press(&mut s, Ctl::Submit, &cx).is_none());
        assert_eq!(s.message, Some(Notice::error("profile.unchanged")));
        s.form.field_mut(Ctl::Email).set_value("b@example.jp");
        assert!(matches!(
            press(&mut s, Ctl::Submit, &cx),
            Action::Open(Screen::ProfileConfirm(_))
        ));
    }

    #[test]
    fn mail_wanted_needs_an_address_and_a_bad_address_is_named() {
        let config = Config::default();
        let cx = cx(&config);
        let mut s = ProfileScreen::new(profile(None, false));
        s.form.set_selected(Ctl::Notify, 0);
        assert!(press(&mut s, Ctl::Submit, &cx).is_none());
        assert_eq!(
            s.form.get(Ctl::Email).error,
            Some(Msg::new("email.required"))
        );
        s.form.field_mut(Ctl::Email).set_value("not an address");
        assert!(press(&mut s, Ctl::Submit, &cx).is_none());
        assert_eq!(
            s.form.get(Ctl::Email).error,
            Some(Msg::new("email.invalid"))
        );
        assert_eq!(s.form.value(Ctl::Email), "not an address", "input kept");
        s.form
            .field_mut(Ctl::Email)
            .set_value("ｎｅｗ＠ｅｘａｍｐｌｅ．ｊｐ");
        assert_eq!(s.email(), Ok(Some("new@example.jp".into())));
        assert!(matches!(
            press(&mut s, Ctl::Submit, &cx),
            Action::Open(Screen::ProfileConfirm(_))
        ));
    }

    #[test]
    fn esc_and_back_return_to_the_menu() {
        let config = Config::default();
        let cx = cx(&config);
        let mut s = ProfileScreen::new(profile(None, false));
        assert!(matches!(
            s.on_event(FormEvent::Back, &cx),
            Action::BackToMenu
        ));
        assert!(matches!(press(&mut s, Ctl::Back, &cx), Action::BackToMenu));
    }
}
