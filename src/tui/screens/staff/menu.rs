//! 係員メニュー: assisted registration, reissue, a registered member's password reset and address
//! correction, unlock, mail delivery, the audit log, log out, and the
//! language of the screens (and of an assisted registration's terms and welcome mail).

use ratatui::text::{Line, Span};

use super::audit::AuditScreen;
use super::mail::MailScreen;
use super::reissue::ReissueScreen;
use super::safe;
use super::start::StaffStartScreen;
use super::unlock::UnlockScreen;
use crate::domain::Lang;
use crate::key;
use crate::tui::i18n::tr;
use crate::tui::screens::{Action, Component, Cx, Screen};
use crate::tui::theme;
use crate::tui::widgets::fields::{Event, Fields};
use crate::tui::widgets::form::{Control, Form, FormEvent};
use crate::tui::widgets::notice::{self, Notice};
use crate::tui::widgets::page::Row;

crate::controls! {
    pub enum Ctl {
        Assist = "assist",
        Reissue = "reissue",
        Member = "member",
        Unlock = "unlock",
        Mail = "mail",
        Audit = "audit",
        Logout = "logout",
        Lang = "lang",
    }
}

#[derive(Debug, Clone)]
pub struct StaffMenuScreen {
    pub form: Fields<Ctl>,
    pub staff_id: String,
    pub client_addr: Option<String>,
    pub message: Option<Notice>,
}

/// The menu's items, each with the note under it.
const ITEMS: [(Ctl, &str); 6] = [
    (Ctl::Assist, key!("staff_menu.assist_note")),
    (Ctl::Reissue, key!("staff_menu.reissue_note")),
    (Ctl::Member, key!("staff_member.menu_note")),
    (Ctl::Unlock, key!("staff_menu.unlock_note")),
    (Ctl::Mail, key!("staff_menu.mail_note")),
    (Ctl::Audit, key!("staff_menu.audit_note")),
];

impl StaffMenuScreen {
    pub fn new(staff_id: &str, client_addr: Option<String>, lang: Lang) -> Self {
        StaffMenuScreen {
            form: Fields::new(vec![
                Control::button(Ctl::Assist, key!("staff_menu.assist")),
                Control::button(Ctl::Reissue, key!("staff_menu.reissue")),
                Control::button(Ctl::Member, key!("staff_member.menu")),
                Control::button(Ctl::Unlock, key!("staff_menu.unlock")),
                Control::button(Ctl::Mail, key!("staff_menu.mail")),
                Control::button(Ctl::Audit, key!("staff_menu.audit")),
                Control::button(Ctl::Logout, key!("staff_menu.logout")),
                Control::radio(
                    Ctl::Lang,
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

impl Component for StaffMenuScreen {
    fn form(&self) -> &Form {
        self.form.form()
    }

    fn form_mut(&mut self) -> &mut Form {
        self.form.form_mut()
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
        let mut rows = vec![Row::Line(Line::from(who)), notice::row(lang, &self.message)];
        for (id, note) in ITEMS {
            rows.push(f.buttons(&[id]));
            rows.push(Row::Text(format!("    {}", tr(lang, note)), theme::info()));
        }
        rows.push(f.buttons(&[Ctl::Logout]));
        rows.push(Row::Blank);
        rows.push(f.row(Ctl::Lang));
        rows
    }

    fn on_event(&mut self, event: FormEvent, _cx: &Cx<'_>) -> Action {
        let open = match self.form.event(event) {
            Event::Selected(Ctl::Lang) => {
                return Action::SetLang(if self.form.selected(Ctl::Lang) == 1 {
                    Lang::En
                } else {
                    Lang::Ja
                });
            }
            Event::Pressed(Ctl::Logout) => return Action::StaffLogout,
            Event::Pressed(Ctl::Assist) => {
                Action::Open(Screen::StaffStart(StaffStartScreen::new()))
            }
            Event::Pressed(Ctl::Reissue) => {
                Action::Open(Screen::StaffReissue(ReissueScreen::new()))
            }
            Event::Pressed(Ctl::Member) => super::member::open(),
            Event::Pressed(Ctl::Unlock) => UnlockScreen::open(),
            Event::Pressed(Ctl::Mail) => MailScreen::open(),
            Event::Pressed(Ctl::Audit) => AuditScreen::open(),
            _ => return Action::None,
        };
        self.message = None;
        open
    }

    fn notice(&mut self, notice: Notice) {
        self.message = Some(notice);
    }
}
