//! 個人情報管理 – 入力確認: the change read back (before and after), which mails will go where, [実行] [戻る].

use super::account::{label_column, value_row};
use super::profile::ProfileScreen;
use super::{Action, Component, Cx, Task};
use crate::domain::Lang;
use crate::domain::text::neutralize;
use crate::key;
use crate::services::account::ContactInput;
use crate::tui::i18n::tr;
use crate::tui::theme;
use crate::tui::widgets::fields::{Event, Fields};
use crate::tui::widgets::form::{Control, Form, FormEvent};
use crate::tui::widgets::notice::{self, Notice};
use crate::tui::widgets::page::Row;

crate::controls! {
    pub enum Ctl {
        Execute = "execute",
        Back = "back",
    }
}

fn buttons() -> Fields<Ctl> {
    Fields::new(vec![
        Control::button(Ctl::Execute, key!("profile_confirm.execute")),
        Control::button(Ctl::Back, key!("common.back")),
    ])
}

#[derive(Debug, Clone)]
pub struct ProfileConfirmScreen {
    pub form: Fields<Ctl>,
    pub old_email: Option<String>,
    pub new_email: Option<String>,
    pub old_notify: bool,
    pub new_notify: bool,
    pub message: Option<Notice>,
}
const LABELS: [&str; 4] = [
    key!("profile_confirm.email_before"),
    key!("profile_confirm.email_after"),
    key!("profile_confirm.notify_before"),
    key!("profile_confirm.notify_after"),
];

impl ProfileConfirmScreen {
    /// From a valid, changed profile input.
    pub fn from_profile(p: &ProfileScreen) -> Self {
        ProfileConfirmScreen {
            form: buttons(),
            old_email: p.profile.email.clone(),
            new_email: p.email().ok().flatten(),
            old_notify: p.profile.notify_mail,
            new_notify: p.notify_mail(),
            message: None,
        }
    }

    fn email_text(lang: Lang, e: &Option<String>) -> String {
        match e {
            Some(e) => neutralize(e).into_owned(),
            None => tr(lang, "profile_confirm.none").to_string(),
        }
    }

    fn notify_text(lang: Lang, on: bool) -> String {
        tr(
            lang,
            if on {
                key!("details.notify_yes")
            } else {
                key!("details.notify_no")
            },
        )
        .to_string()
    }

    /// The notes on the mails this change sends, as message keys.
    pub fn mail_notes(&self) -> Vec<&'static str> {
        let email_changed = self.old_email != self.new_email;
        let mut notes = Vec::new();
        match (&self.new_email, email_changed) {
            (Some(_), true) => notes.push(key!("profile_confirm.mail_new")),
            (Some(_), false) => notes.push(key!("profile_confirm.mail_same")),
            (None, _) => notes.push(key!("profile_confirm.no_mail")),
        }
        if email_changed && self.old_email.is_some() {
            notes.push(key!("profile_confirm.mail_old"));
        }
        notes
    }
}

impl Component for ProfileConfirmScreen {
    fn form(&self) -> &Form {
        self.form.form()
    }

    fn form_mut(&mut self) -> &mut Form {
        self.form.form_mut()
    }

    fn title_key(&self) -> &'static str {
        "profile_confirm.title"
    }

    fn rows(&self, cx: &Cx<'_>) -> Vec<Row> {
        let lang = cx.lang;
        let w = label_column(lang, &LABELS);
        let mut rows = vec![
            Row::Text(tr(lang, "profile_confirm.intro").to_string(), theme::text()),
            Row::Blank,
            value_row(lang, LABELS[0], Self::email_text(lang, &self.old_email), w),
            value_row(lang, LABELS[1], Self::email_text(lang, &self.new_email), w),
            value_row(lang, LABELS[2], Self::notify_text(lang, self.old_notify), w),
            value_row(lang, LABELS[3], Self::notify_text(lang, self.new_notify), w),
            Row::Blank,
        ];
        for key in self.mail_notes() {
            rows.push(Row::Text(tr(lang, key).to_string(), theme::info()));
        }
        rows.push(notice::row(lang, &self.message));
        rows.push(self.form.buttons(&[Ctl::Execute, Ctl::Back]));
        rows
    }

    fn on_event(&mut self, event: FormEvent, cx: &Cx<'_>) -> Action {
        match self.form.event(event) {
            Event::Back | Event::Pressed(Ctl::Back) => Action::Back,
            Event::Pressed(Ctl::Execute) => {
                let input = ContactInput {
                    email: self.new_email.clone().unwrap_or_default(),
                    notify_mail: self.new_notify,
                    lang: cx.lang,
                };
                Action::Task(Task::new(
                    move |t| t.svc.update_contact(&t.actor, t.session()?, &input),
                    ProfileScreen::on_saved,
                ))
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

    fn screen(old: Option<&str>, new: Option<&str>) -> ProfileConfirmScreen {
        ProfileConfirmScreen {
            form: buttons(),
            old_email: old.map(str::to_string),
            new_email: new.map(str::to_string),
            old_notify: false,
            new_notify: false,
            message: None,
        }
    }

    #[test]
    fn the_notes_name_every_mail_that_goes_out() {
        assert_eq!(
            screen(Some("a@x.jp"), Some("b@x.jp")).mail_notes(),
            ["profile_confirm.mail_new", "profile_confirm.mail_old"]
        );
        assert_eq!(
            screen(None, Some("b@x.jp")).mail_notes(),
            ["profile_confirm.mail_new"]
        );
        assert_eq!(
            screen(Some("a@x.jp"), Some("a@x.jp")).mail_notes(),
            ["profile_confirm.mail_same"]
        );
        assert_eq!(
            screen(Some("a@x.jp"), None).mail_notes(),
            ["profile_confirm.no_mail", "profile_confirm.mail_old"]
        );
    }
}
