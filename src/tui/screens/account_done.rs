//! The done screens of the account area: 個人情報管理 changed, password changed, password reset. What
//! happened, where the mail goes, and one button ([メニューへ] or [ログイン画面へ]).

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::account::AccountAction;
use super::{Action, Cx, Screen};
use crate::domain::Msg;
use crate::domain::text::neutralize;
use crate::key;
use crate::tui::i18n::{msg, tr};
use crate::tui::theme;
use crate::tui::widgets::form::{Control, Form, FormEvent};
use crate::tui::widgets::page::Row;

/// How a line of the done screen looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// The result, in green.
    Done,
    Text,
    /// A hint, in grey.
    Note,
}

impl Tone {
    fn style(self) -> Style {
        match self {
            Tone::Done => theme::ok(),
            Tone::Text => theme::text(),
            Tone::Note => theme::info(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct AccountDoneScreen {
    pub form: Form,
    title_key: &'static str,
    hints_key: &'static str,
    /// The user ID, shown highlighted under the first line.
    pub user_id: Option<String>,
    pub lines: Vec<(Msg, Tone)>,
    on_press: AccountAction,
}

impl AccountDoneScreen {
    fn new(
        title_key: &'static str,
        button: (&'static str, &'static str),
        hints_key: &'static str,
        on_press: AccountAction,
    ) -> Self {
        AccountDoneScreen {
            form: Form::new(vec![Control::button(button.0, button.1)]),
            title_key,
            hints_key,
            user_id: None,
            lines: Vec::new(),
            on_press,
        }
    }

    /// 個人情報管理 changed: back to the menu.
    pub fn profile(lines: Vec<(Msg, Tone)>) -> Self {
        let mut s = Self::new(
            key!("profile_done.title"),
            ("menu", key!("done.to_menu")),
            key!("done.hints"),
            AccountAction::BackToMenu,
        );
        s.lines = lines;
        s
    }

    /// Password changed (from the menu or forced): on to the menu.
    pub fn password(user_id: &str, lines: Vec<(Msg, Tone)>) -> Self {
        let mut s = Self::new(
            key!("pwchange_done.title"),
            ("menu", key!("done.to_menu")),
            key!("done.hints"),
            AccountAction::BackToMenu,
        );
        s.user_id = Some(user_id.to_string());
        s.lines = lines;
        s
    }

    /// Password reset with a code: back to the login screen (the member logs in with the new password).
    pub fn reset(lines: Vec<(Msg, Tone)>) -> Self {
        let mut s = Self::new(
            key!("forgot_done.title"),
            ("login", key!("forgot_done.to_login")),
            key!("forgot_done.hints"),
            AccountAction::ToLogin,
        );
        s.lines = lines;
        s
    }
}

impl Screen for AccountDoneScreen {
    fn form(&self) -> &Form {
        &self.form
    }

    fn form_mut(&mut self) -> &mut Form {
        &mut self.form
    }

    fn title_key(&self) -> &'static str {
        self.title_key
    }

    fn hints_key(&self) -> &'static str {
        self.hints_key
    }

    fn rows(&self, cx: &Cx<'_>) -> Vec<Row> {
        let lang = cx.lang;
        let mut rows = Vec::new();
        for (i, (m, tone)) in self.lines.iter().enumerate() {
            rows.push(Row::Text(msg(lang, m), tone.style()));
            if i == 0 {
                if let Some(uid) = &self.user_id {
                    rows.push(Row::Line(Line::from(vec![
                        Span::styled(tr(lang, "profile.user_id"), theme::label()),
                        Span::raw("  "),
                        Span::styled(neutralize(uid).into_owned(), theme::step_current()),
                    ])));
                }
                rows.push(Row::Blank);
            }
        }
        rows.push(Row::Blank);
        rows.push(Row::Buttons(vec![0]));
        rows
    }

    fn on_event(&mut self, event: FormEvent, _cx: &Cx<'_>) -> Action {
        match event {
            FormEvent::Pressed(_) => Action::Account(self.on_press.clone()),
            _ => Action::None,
        }
    }
}
