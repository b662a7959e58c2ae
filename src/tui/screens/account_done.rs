//! The done screens of the account area: 個人情報管理 changed, password changed, password reset. What
//! happened, where the mail goes, and one button ([メニューへ] or [ログイン画面へ]).

use ratatui::text::{Line, Span};

use super::{Action, Component, Cx};
use crate::domain::text::neutralize;
use crate::key;
use crate::tui::i18n::tr;
use crate::tui::theme;
use crate::tui::widgets::fields::{Event, Fields};
use crate::tui::widgets::form::{Control, Form, FormEvent};
use crate::tui::widgets::notice::Notice;
use crate::tui::widgets::page::Row;

crate::controls! {
    pub enum Ctl {
        Menu = "menu",
        Login = "login",
    }
}

/// Which flow finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finished {
    Profile,
    Password,
    Reset,
}

#[derive(Debug, Clone)]
pub struct AccountDoneScreen {
    pub form: Fields<Ctl>,
    pub finished: Finished,
    pub user_id: Option<String>,
    /// What happened, line by line (the first one says it is done).
    pub lines: Vec<Notice>,
}

impl AccountDoneScreen {
    fn new(finished: Finished, lines: Vec<Notice>) -> Self {
        let button = match finished {
            Finished::Profile | Finished::Password => {
                Control::button(Ctl::Menu, key!("done.to_menu"))
            }
            Finished::Reset => Control::button(Ctl::Login, key!("forgot_done.to_login")),
        };
        AccountDoneScreen {
            form: Fields::new(vec![button]),
            finished,
            user_id: None,
            lines,
        }
    }

    pub fn profile(lines: Vec<Notice>) -> Self {
        Self::new(Finished::Profile, lines)
    }

    pub fn password(user_id: &str, lines: Vec<Notice>) -> Self {
        let mut s = Self::new(Finished::Password, lines);
        s.user_id = Some(user_id.to_string());
        s
    }

    pub fn reset(lines: Vec<Notice>) -> Self {
        Self::new(Finished::Reset, lines)
    }
}

impl Component for AccountDoneScreen {
    fn form(&self) -> &Form {
        self.form.form()
    }

    fn form_mut(&mut self) -> &mut Form {
        self.form.form_mut()
    }

    fn title_key(&self) -> &'static str {
        match self.finished {
            Finished::Profile => key!("profile_done.title"),
            Finished::Password => key!("pwchange_done.title"),
            Finished::Reset => key!("forgot_done.title"),
        }
    }

    fn hints_key(&self) -> &'static str {
        match self.finished {
            Finished::Profile | Finished::Password => key!("done.hints"),
            Finished::Reset => key!("forgot_done.hints"),
        }
    }

    fn rows(&self, cx: &Cx<'_>) -> Vec<Row> {
        let lang = cx.lang;
        let mut rows = Vec::new();
        for (i, line) in self.lines.iter().enumerate() {
            rows.push(line.text_row(lang));
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
        rows.push(self.form.all_buttons());
        rows
    }

    fn on_event(&mut self, event: FormEvent, cx: &Cx<'_>) -> Action {
        match self.form.event(event) {
            Event::Pressed(Ctl::Menu) => Action::BackToMenu,
            // After a reset: a fresh start screen, in the member's language.
            Event::Pressed(Ctl::Login) => Action::LoginIn(cx.lang),
            _ => Action::None,
        }
    }
}
