//! STEP4b 入力確認画面: every value read back (the password as stars), [実行] [戻る].

use ratatui::text::{Line, Span};

use super::details::{Ctl as Field, DetailsScreen};
use super::{Action, Component, Cx};
use crate::domain::text::{display_width, neutralize};
use crate::key;
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

#[derive(Debug, Clone)]
pub struct ConfirmScreen {
    pub form: Fields<Ctl>,
    pub user_id: String,
    pub password_len: usize,
    /// The console generates an initial password at [実行] (assisted registration).
    pub generated: bool,
    pub email: String,
    pub registrant_key: &'static str,
    pub notify_key: &'static str,
    pub message: Option<Notice>,
}

impl ConfirmScreen {
    pub fn from_details(d: &DetailsScreen) -> Self {
        let f = &d.form;
        ConfirmScreen {
            form: Fields::new(vec![
                Control::button(Ctl::Execute, key!("confirm.execute")),
                Control::button(Ctl::Back, key!("common.back")),
            ]),
            user_id: f.value(Field::UserId).trim().to_string(),
            password_len: if d.generates_password() {
                0
            } else {
                f.field(Field::Password).len()
            },
            generated: d.generates_password(),
            email: f.value(Field::Email).trim().to_string(),
            registrant_key: d.registrant().label_key(),
            notify_key: if d.notify_mail() {
                "details.notify_yes"
            } else {
                "details.notify_no"
            },
            message: None,
        }
    }

    fn row(lang: crate::domain::Lang, label: &str, value: String, width: usize) -> Row {
        let label = tr(lang, label);
        let pad = width.saturating_sub(display_width(label));
        Row::Line(Line::from(vec![
            Span::styled(format!("{label}{}", " ".repeat(pad)), theme::label()),
            Span::raw("  "),
            Span::styled(value, theme::title()),
        ]))
    }
}

impl Component for ConfirmScreen {
    fn form(&self) -> &Form {
        self.form.form()
    }

    fn form_mut(&mut self) -> &mut Form {
        self.form.form_mut()
    }

    fn title_key(&self) -> &'static str {
        "confirm.title"
    }

    fn rows(&self, cx: &Cx<'_>) -> Vec<Row> {
        let lang = cx.lang;
        let labels = [
            "details.user_id",
            "details.password",
            "details.email",
            "details.registrant",
            "confirm.notify",
        ];
        let w = labels
            .iter()
            .map(|k| display_width(tr(lang, k)))
            .max()
            .unwrap_or(0);
        let email = if self.email.is_empty() {
            tr(lang, "confirm.no_email").to_string()
        } else {
            neutralize(&self.email).into_owned()
        };
        vec![
            Row::Text(tr(lang, "confirm.intro").to_string(), theme::text()),
            Row::Blank,
            Self::row(lang, labels[0], neutralize(&self.user_id).into_owned(), w),
            Self::row(
                lang,
                labels[1],
                if self.generated {
                    tr(lang, "staff_assist.generated").to_string()
                } else {
                    "*".repeat(self.password_len)
                },
                w,
            ),
            Self::row(lang, labels[2], email, w),
            Self::row(
                lang,
                labels[3],
                tr(lang, self.registrant_key).to_string(),
                w,
            ),
            Self::row(lang, labels[4], tr(lang, self.notify_key).to_string(), w),
            Row::Blank,
            Row::Text(
                tr(lang, "details.user_id_fixed").to_string(),
                theme::label_focused(),
            ),
            notice::row(lang, &self.message),
            self.form.buttons(&[Ctl::Execute, Ctl::Back]),
        ]
    }

    fn on_event(&mut self, event: FormEvent, _cx: &Cx<'_>) -> Action {
        match self.form.event(event) {
            Event::Back | Event::Pressed(Ctl::Back) => Action::Back,
            Event::Pressed(Ctl::Execute) => Action::Execute,
            _ => Action::None,
        }
    }

    fn notice(&mut self, notice: Notice) {
        self.message = Some(notice);
    }
}
