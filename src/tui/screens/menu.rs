//! メインメニュー: who is logged in, 医療費照会, 支給決定通知, 個人情報管理, パスワード変更, ログアウト.

use ratatui::text::{Line, Span};

use super::benefits::BenefitsScreen;
use super::expenses::ExpensesScreen;
use super::password_change::PasswordScreen;
use super::profile::ProfileScreen;
use super::{Action, Component, Cx, Screen, Task};
use crate::domain::text::neutralize;
use crate::key;
use crate::services::ServiceError;
use crate::services::account::AccountProfile;
use crate::tui::i18n::{tr, trf};
use crate::tui::theme;
use crate::tui::widgets::fields::{Event, Fields};
use crate::tui::widgets::form::{Control, Form, FormEvent};
use crate::tui::widgets::notice::{self, Notice};
use crate::tui::widgets::page::Row;

crate::controls! {
    pub enum Ctl {
        Expenses = "expenses",
        Benefits = "benefits",
        Profile = "profile",
        Password = "password",
        Logout = "logout",
    }
}

#[derive(Debug, Clone)]
pub struct MenuScreen {
    pub form: Fields<Ctl>,
    pub user_id: String,
    pub message: Option<Notice>,
}

impl MenuScreen {
    pub fn new(user_id: &str) -> Self {
        MenuScreen {
            form: Fields::new(vec![
                Control::button(Ctl::Expenses, key!("menu.expenses")),
                Control::button(Ctl::Benefits, key!("menu.benefits")),
                Control::button(Ctl::Profile, key!("menu.profile")),
                Control::button(Ctl::Password, key!("menu.password")),
                Control::button(Ctl::Logout, key!("menu.logout")),
            ]),
            user_id: user_id.to_string(),
            message: None,
        }
    }

    /// 個人情報管理: what is stored, read on a task thread.
    fn on_profile(&mut self, p: Result<AccountProfile, ServiceError>, _cx: &Cx<'_>) -> Action {
        match p {
            Ok(p) => Action::Open(Screen::Profile(ProfileScreen::new(p))),
            Err(e) => {
                tracing::error!(error = %e, "cannot load the profile");
                self.message = Some(Notice::error("common.system_error"));
                Action::None
            }
        }
    }
}

impl Component for MenuScreen {
    fn form(&self) -> &Form {
        self.form.form()
    }

    fn form_mut(&mut self) -> &mut Form {
        self.form.form_mut()
    }

    fn hints_key(&self) -> &'static str {
        "menu.hints"
    }

    fn title_key(&self) -> &'static str {
        "menu.title"
    }

    fn rows(&self, cx: &Cx<'_>) -> Vec<Row> {
        let lang = cx.lang;
        let f = &self.form;
        vec![
            Row::Line(Line::from(vec![
                Span::styled(tr(lang, "menu.logged_in_as"), theme::label()),
                Span::raw("  "),
                Span::styled(
                    neutralize(&self.user_id).into_owned(),
                    theme::step_current(),
                ),
            ])),
            Row::Text(
                trf(
                    lang,
                    "menu.idle_note",
                    &[("secs", &cx.config.kiosk.idle_timeout_secs.to_string())],
                ),
                theme::info(),
            ),
            Row::Blank,
            f.buttons(&[Ctl::Expenses]),
            Row::Text(tr(lang, "menu.expenses_note").to_string(), theme::info()),
            Row::Blank,
            f.buttons(&[Ctl::Benefits]),
            Row::Text(tr(lang, "menu.benefits_note").to_string(), theme::info()),
            Row::Blank,
            f.buttons(&[Ctl::Profile]),
            Row::Text(tr(lang, "menu.profile_note").to_string(), theme::info()),
            Row::Blank,
            f.buttons(&[Ctl::Password]),
            Row::Text(tr(lang, "menu.password_note").to_string(), theme::info()),
            Row::Blank,
            f.buttons(&[Ctl::Logout]),
            Row::Blank,
            notice::row(lang, &self.message),
        ]
    }

    fn on_event(&mut self, event: FormEvent, cx: &Cx<'_>) -> Action {
        match self.form.event(event) {
            Event::Pressed(Ctl::Expenses) => ExpensesScreen::open(cx.lang),
            Event::Pressed(Ctl::Benefits) => BenefitsScreen::open(),
            Event::Pressed(Ctl::Profile) => Action::Task(Task::new(
                |t| t.svc.account_profile(t.session()?),
                MenuScreen::on_profile,
            )),
            Event::Pressed(Ctl::Password) => Action::Open(Screen::Password(PasswordScreen::new(
                cx,
                &self.user_id,
                None,
            ))),
            Event::Pressed(Ctl::Logout) => Action::Logout,
            _ => Action::None,
        }
    }

    fn notice(&mut self, notice: Notice) {
        self.message = Some(notice);
    }
}
