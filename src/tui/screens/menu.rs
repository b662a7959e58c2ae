//! メインメニュー: who is logged in, 個人情報管理, パスワード変更, ログアウト.

use ratatui::text::{Line, Span};

use super::account::AccountAction;
use super::{Action, Cx, Screen};
use crate::domain::Msg;
use crate::domain::text::neutralize;
use crate::key;
use crate::tui::i18n::{msg, tr, trf};
use crate::tui::theme;
use crate::tui::widgets::form::{Control, Form, FormEvent};
use crate::tui::widgets::page::Row;

#[derive(Debug, Clone)]
pub struct MenuScreen {
    pub form: Form,
    pub user_id: String,
    pub message: Option<(Msg, bool)>,
}

impl MenuScreen {
    pub fn new(user_id: &str) -> Self {
        MenuScreen {
            form: Form::new(vec![
                Control::button("profile", key!("menu.profile")),
                Control::button("password", key!("menu.password")),
                Control::button("logout", key!("menu.logout")),
            ]),
            user_id: user_id.to_string(),
            message: None,
        }
    }
}

impl Screen for MenuScreen {
    fn form(&self) -> &Form {
        &self.form
    }

    fn form_mut(&mut self) -> &mut Form {
        &mut self.form
    }

    fn hints_key(&self) -> &'static str {
        "menu.hints"
    }

    fn title_key(&self) -> &'static str {
        "menu.title"
    }

    fn rows(&self, cx: &Cx<'_>) -> Vec<Row> {
        let lang = cx.lang;
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
            Row::Buttons(vec![0]),
            Row::Text(tr(lang, "menu.profile_note").to_string(), theme::info()),
            Row::Blank,
            Row::Buttons(vec![1]),
            Row::Text(tr(lang, "menu.password_note").to_string(), theme::info()),
            Row::Blank,
            Row::Buttons(vec![2]),
            Row::Blank,
            Row::Message(self.message.as_ref().map(|(m, err)| {
                (
                    msg(lang, m),
                    if *err { theme::error() } else { theme::ok() },
                )
            })),
        ]
    }

    fn on_event(&mut self, event: FormEvent, _cx: &Cx<'_>) -> Action {
        match event {
            FormEvent::Pressed(i) => match self.form.controls[i].id {
                "profile" => Action::Account(AccountAction::OpenProfile),
                "password" => Action::Account(AccountAction::OpenPassword),
                "logout" => Action::Logout,
                _ => Action::None,
            },
            _ => Action::None,
        }
    }
}
