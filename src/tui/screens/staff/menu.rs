//! 係員メニュー: assisted registration, reissue, unlock, mail delivery, the audit log, log out, and the
//! language of the screens (and of an assisted registration's terms and welcome mail).

use ratatui::text::{Line, Span};

use super::{StaffAction, StaffPage, message_row, safe};
use crate::domain::{Lang, Msg};
use crate::key;
use crate::tui::i18n::tr;
use crate::tui::screens::{Action, Cx, Screen};
use crate::tui::theme;
use crate::tui::widgets::form::{Control, Form, FormEvent};
use crate::tui::widgets::page::Row;

#[derive(Debug, Clone)]
pub struct StaffMenuScreen {
    pub form: Form,
    pub staff_id: String,
    pub client_addr: Option<String>,
    pub message: Option<(Msg, bool)>,
}

const ITEMS: [(&str, &str, StaffPage); 5] = [
    ("assist", key!("staff_menu.assist_note"), StaffPage::Start),
    (
        "reissue",
        key!("staff_menu.reissue_note"),
        StaffPage::Reissue,
    ),
    ("unlock", key!("staff_menu.unlock_note"), StaffPage::Unlock),
    ("mail", key!("staff_menu.mail_note"), StaffPage::Mail),
    ("audit", key!("staff_menu.audit_note"), StaffPage::Audit),
];

impl StaffMenuScreen {
    pub fn new(staff_id: &str, client_addr: Option<String>, lang: Lang) -> Self {
        StaffMenuScreen {
            form: Form::new(vec![
                Control::button("assist", key!("staff_menu.assist")),
                Control::button("reissue", key!("staff_menu.reissue")),
                Control::button("unlock", key!("staff_menu.unlock")),
                Control::button("mail", key!("staff_menu.mail")),
                Control::button("audit", key!("staff_menu.audit")),
                Control::button("logout", key!("staff_menu.logout")),
                Control::radio(
                    "lang",
                    key!("staff_menu.language"),
                    vec![key!("login.lang_ja"), key!("login.lang_en")],
                    usize::from(lang == Lang::En),
                ),
            ]),
            staff_id: staff_id.to_string(),
            client_addr,
            message: None,
        }
    }
}

impl Screen for StaffMenuScreen {
    fn form(&self) -> &Form {
        &self.form
    }

    fn form_mut(&mut self) -> &mut Form {
        &mut self.form
    }

    fn title_key(&self) -> &'static str {
        "staff_menu.title"
    }

    fn hints_key(&self) -> &'static str {
        "staff.hints"
    }

    fn rows(&self, cx: &Cx<'_>) -> Vec<Row> {
        let lang = cx.lang;
        let f = &self.form;
        let mut who = vec![
            Span::styled(tr(lang, "staff_menu.logged_in_as"), theme::label()),
            Span::raw(" "),
            Span::styled(safe(&self.staff_id, 32), theme::step_current()),
        ];
        if let Some(addr) = &self.client_addr {
            who.push(Span::raw("   "));
            who.push(Span::styled(tr(lang, "staff_menu.from"), theme::label()));
            who.push(Span::raw(" "));
            who.push(Span::styled(safe(addr, 40), theme::dim()));
        }
        // The message (e.g. a registration just completed) sits under who is logged in.
        let mut rows = vec![Row::Line(Line::from(who)), message_row(lang, &self.message)];
        for (id, note, _) in ITEMS {
            rows.push(Row::Buttons(vec![f.index(id)]));
            rows.push(Row::Text(format!("    {}", tr(lang, note)), theme::info()));
        }
        rows.push(Row::Buttons(vec![f.index("logout")]));
        rows.push(Row::Blank);
        rows.push(Row::Control(f.index("lang")));
        rows
    }

    fn on_event(&mut self, event: FormEvent, _cx: &Cx<'_>) -> Action {
        match event {
            FormEvent::Selected(i) if self.form.controls[i].id == "lang" => {
                Action::SetLang(if self.form.selected("lang") == 1 {
                    Lang::En
                } else {
                    Lang::Ja
                })
            }
            FormEvent::Pressed(i) => {
                let id = self.form.controls[i].id;
                if id == "logout" {
                    return Action::Staff(StaffAction::Logout);
                }
                match ITEMS.iter().find(|(item, _, _)| *item == id) {
                    Some((_, _, page)) => {
                        self.message = None;
                        Action::Staff(StaffAction::Open(*page))
                    }
                    None => Action::None,
                }
            }
            _ => Action::None,
        }
    }
}
