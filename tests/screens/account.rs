//! Every screen of the member's account area at 80×24, in Japanese and English, reached through the app
//! with keys as a member would (TestBackend + insta), on a real store and a fixed clock. Also: the
//! forgotten-password answer is the same screen whether or not the ID and address matched.

use std::ops::{Deref, DerefMut};
use std::time::Duration;

use crate::support::rig::{self, Rig};
use crate::support::*;
use kosmo_kiosk::domain::Lang;
use kosmo_kiosk::store::Actor;
use kosmo_kiosk::tui::Page;
use ratatui::crossterm::event::KeyCode;

const PW: &str = "Kosmo2026ab";

/// The kiosk on the test's store; every key waits for the work it started.
struct Ui {
    rig: Rig,
}

impl Deref for Ui {
    type Target = Rig;

    fn deref(&self) -> &Rig {
        &self.rig
    }
}

impl DerefMut for Ui {
    fn deref_mut(&mut self) -> &mut Rig {
        &mut self.rig
    }
}

impl Ui {
    fn new(f: &Fixture, lang: Lang) -> Ui {
        Ui {
            rig: Rig::on(&f.svc, rig::options(lang), 80, 24).settling(),
        }
    }

    /// Empties a text field (End, then Ctrl-U).
    fn clear(&mut self, id: &str) {
        self.focus(id);
        self.rig.clear_field();
        assert_eq!(self.app.screen().form().value_named(id), Some(""));
    }

    fn text(&mut self, s: &str) {
        self.rig.type_text(s);
    }

    /// Tabs to the control `id` (as a member would), at most once round the form.
    fn focus(&mut self, id: &str) {
        for _ in 0..20 {
            if self.app.screen().form().focused_name() == id {
                return;
            }
            self.key(KeyCode::Tab);
        }
        panic!("no control {id} on {:?}", self.app.page());
    }

    fn press(&mut self, id: &str) {
        self.focus(id);
        self.key(KeyCode::Enter);
    }

    fn fill(&mut self, id: &str, value: &str) {
        self.focus(id);
        self.text(value);
    }

    fn login(&mut self, id: &str, password: &str) {
        self.fill("user_id", id);
        self.fill("password", password);
        self.press("login");
    }

    /// The screen, then where the cursor is.
    fn screen(&mut self) -> String {
        let screen = self.rig.draw();
        let cursor = match self.rig.cursor() {
            Some((x, y)) => format!("cursor: column {x}, row {y}"),
            None => "cursor: hidden".to_string(),
        };
        format!("{screen}\n{cursor}\n")
    }

    fn snap(&mut self, name: &str, lang: Lang) {
        let text = self.screen();
        crate::support::looks::check(&self.app, 80, 24);
        insta::assert_snapshot!(format!("{name}_{lang}"), text);
    }
}

fn registered() -> Fixture {
    let f = Fixture::demo();
    f.register_account(YAMADA, "yamada2026", PW, Some("taro@example.jp"));
    f
}

#[test]
fn menu() {
    for lang in Lang::ALL {
        let f = registered();
        let mut ui = Ui::new(&f, lang);
        ui.login("yamada2026", PW);
        assert_eq!(ui.app.page(), Page::Menu);
        ui.snap("menu", lang);
    }
}

#[test]
fn profile_flow() {
    for lang in Lang::ALL {
        let f = registered();
        let mut ui = Ui::new(&f, lang);
        ui.login("yamada2026", PW);
        ui.press("profile");
        assert_eq!(ui.app.page(), Page::Profile);
        ui.snap("profile", lang);
        // Nothing changed: said so, no confirm.
        ui.press("submit");
        assert_eq!(ui.app.page(), Page::Profile);
        ui.snap("profile_unchanged", lang);
        // A bad address: named at the field, input kept.
        ui.focus("email");
        ui.key(KeyCode::End);
        ui.text("@@");
        ui.key(KeyCode::Tab);
        ui.snap("profile_bad_email", lang);
        assert_eq!(
            ui.app.screen().form().value_named("email"),
            Some("taro@example.jp@@")
        );
        ui.clear("email");
        ui.text("hanako@example.jp");
        ui.focus("notify");
        ui.key(KeyCode::Right);
        ui.press("submit");
        assert_eq!(ui.app.page(), Page::ProfileConfirm);
        ui.snap("profile_confirm", lang);
        // Back keeps the input.
        ui.press("back");
        assert_eq!(ui.app.page(), Page::Profile);
        assert_eq!(
            ui.app.screen().form().value_named("email"),
            Some("hanako@example.jp")
        );
        ui.press("submit");
        ui.press("execute");
        assert_eq!(ui.app.page(), Page::ProfileDone);
        ui.snap("profile_done", lang);
        ui.press("menu");
        assert_eq!(ui.app.page(), Page::Menu);
        let a = f.account("yamada2026");
        assert_eq!(a.email.as_deref(), Some("hanako@example.jp"));
        assert!(!a.notify_mail);
    }
}

#[test]
fn password_flow() {
    for lang in Lang::ALL {
        let f = registered();
        let mut ui = Ui::new(&f, lang);
        ui.login("yamada2026", PW);
        ui.press("password");
        assert_eq!(ui.app.page(), Page::Password);
        ui.snap("password", lang);
        // A broken rule is named in full, wrapped when it is long; the same-as-current rule is checked here.
        ui.fill("current", PW);
        ui.fill("new", "pass word1");
        ui.fill("confirm", "pass word1");
        ui.snap("password_rule", lang);
        ui.clear("new");
        ui.text(PW);
        ui.key(KeyCode::Tab);
        assert!(
            ui.screen().contains(if lang == Lang::Ja {
                "現在のパスワードと同じです"
            } else {
                "This is your current password"
            }),
            "{}",
            ui.screen()
        );
        ui.clear("current");
        ui.clear("new");
        ui.clear("confirm");
        ui.fill("current", "Wrong2026ab");
        ui.fill("new", "Fresh2027cd");
        ui.fill("confirm", "Fresh2027cd");
        ui.press("submit");
        ui.snap("password_wrong_current", lang);
        ui.fill("current", PW);
        ui.press("submit");
        assert_eq!(ui.app.page(), Page::PasswordDone);
        ui.snap("password_done", lang);
        ui.press("menu");
        assert_eq!(ui.app.page(), Page::Menu);
        assert!(f.logs_in("yamada2026", "Fresh2027cd"));
    }
}

#[test]
fn forced_change_by_age_and_by_an_administrator() {
    for lang in Lang::ALL {
        let f = registered();
        f.advance(time::Duration::days(1095));
        let mut ui = Ui::new(&f, lang);
        ui.login("yamada2026", PW);
        assert_eq!(ui.app.page(), Page::ForcedPassword);
        ui.snap("forced_age", lang);
        // Esc leads nowhere; the note says why.
        ui.key(KeyCode::Esc);
        assert_eq!(ui.app.page(), Page::ForcedPassword);
        ui.snap("forced_esc", lang);
        ui.press("logout");
        assert_eq!(ui.app.page(), Page::Login);

        f.svc
            .expire_password(&Actor::admin(), "yamada2026")
            .unwrap();
        ui.login("yamada2026", PW);
        assert_eq!(ui.app.page(), Page::ForcedPassword);
        ui.snap("forced_expired", lang);
        ui.fill("current", PW);
        ui.fill("new", "Fresh2027cd");
        ui.fill("confirm", "Fresh2027cd");
        ui.press("submit");
        assert_eq!(ui.app.page(), Page::PasswordDone);
        ui.press("menu");
        assert_eq!(ui.app.page(), Page::Menu);
    }
}

/// Issue 10 item 8 / issue 11 item 1: after a reset at the counter the member logs in with the
/// initial password and is asked only for a new one (twice): the login just proved the current one.
#[test]
fn forced_change_after_a_reset_at_the_counter_does_not_ask_again() {
    use kosmo_kiosk::services::staff_reset::IdentityChecklist;
    use kosmo_kiosk::store::Channel;
    for lang in Lang::ALL {
        let f = registered();
        let staff = Actor {
            channel: Channel::Staff,
            staff_id: Some("alice".into()),
            client_addr: Some("192.0.2.10".into()),
        };
        let checked = IdentityChecklist {
            card_seen: true,
            birth_date_asked: true,
        };
        let reset = f
            .svc
            .staff_reset(&staff, f.household_id(YAMADA), checked)
            .unwrap();
        let mut ui = Ui::new(&f, lang);
        ui.login("yamada2026", &reset.initial_password);
        assert_eq!(ui.app.page(), Page::ForcedPassword);
        ui.snap("forced_initial", lang);
        // The new password may not be the initial one: the service checks it against the hash.
        ui.fill("new", &reset.initial_password);
        ui.fill("confirm", &reset.initial_password);
        ui.press("submit");
        assert_eq!(ui.app.page(), Page::ForcedPassword);
        for id in ["new", "confirm"] {
            ui.focus(id);
            ui.clear_field();
            ui.text("Fresh2027cd");
        }
        ui.press("submit");
        assert_eq!(ui.app.page(), Page::PasswordDone);
        assert!(f.logs_in("yamada2026", "Fresh2027cd"));
        assert!(!f.logs_in("yamada2026", &reset.initial_password));
    }
}

#[test]
fn forgotten_password_flow() {
    for lang in Lang::ALL {
        let f = registered();
        let mut ui = Ui::new(&f, lang);
        ui.press("forgot");
        assert_eq!(ui.app.page(), Page::Forgot);
        ui.snap("forgot", lang);
        ui.press("send");
        ui.snap("forgot_empty", lang);
        ui.fill("user_id", "yamada2026");
        ui.fill("email", "taro@example.jp");
        ui.press("send");
        assert_eq!(ui.app.page(), Page::ResetCode);
        ui.snap("forgot_code", lang);
        let code = code_in(&f.mails("reset_code")[0].body);
        let wrong = if code == "12345678" {
            "87654321"
        } else {
            "12345678"
        };
        ui.fill("code", wrong);
        ui.fill("new", "Fresh2027cd");
        ui.fill("confirm", "Fresh2027cd");
        ui.press("submit");
        assert_eq!(ui.app.page(), Page::ResetCode);
        ui.snap("forgot_code_refused", lang);
        ui.clear("code");
        ui.text(&code);
        ui.press("submit");
        assert_eq!(ui.app.page(), Page::ResetDone);
        ui.snap("forgot_done", lang);
        ui.press("login");
        assert_eq!(ui.app.page(), Page::Login);
        assert_eq!(ui.app.lang, lang, "the member's language stays");
        ui.login("yamada2026", "Fresh2027cd");
        assert_eq!(ui.app.page(), Page::Menu);
    }
}

/// The code screen after a request, with the typed ID blanked out.
fn answer_to_request(f: &Fixture, id: &str, email: &str) -> String {
    let mut ui = Ui::new(f, Lang::Ja);
    ui.press("forgot");
    ui.fill("user_id", id);
    ui.fill("email", email);
    ui.press("send");
    assert_eq!(ui.app.page(), Page::ResetCode);
    ui.screen().replace(id, "<ID>")
}

#[test]
fn the_answer_to_a_request_never_tells_whether_the_id_exists() {
    let f = registered();
    // IDs of the same length, so that the screens can be compared whole.
    f.register_account(SATO, "satoichiro", PW, None);
    let matched = answer_to_request(&f, "yamada2026", "taro@example.jp");
    assert_eq!(f.mails("reset_code").len(), 1);
    for (id, email) in [
        ("yamada2026", "someone@example.jp"),
        ("nobody2026", "taro@example.jp"),
        ("satoichiro", "sato@example.jp"),
    ] {
        assert_eq!(
            answer_to_request(&f, id, email),
            matched,
            "{id} / {email} must look exactly like a match"
        );
    }
    assert_eq!(f.mails("reset_code").len(), 1, "mail only for the match");
}

#[test]
fn a_refused_code_never_tells_whether_the_id_exists() {
    let f = registered();
    let mut answers = Vec::new();
    for id in ["yamada2026", "nobody2026"] {
        let mut ui = Ui::new(&f, Lang::Ja);
        ui.press("forgot");
        ui.fill("user_id", id);
        ui.press("have_code");
        assert_eq!(ui.app.page(), Page::ResetCode);
        ui.fill("code", "12345678");
        ui.fill("new", "Fresh2027cd");
        ui.fill("confirm", "Fresh2027cd");
        ui.press("submit");
        answers.push(ui.screen().replace(id, "<ID>"));
    }
    assert_eq!(answers[0], answers[1]);
    assert!(answers[0].contains("確認コードが正しくないか"));
}

#[test]
fn the_login_refusal_never_tells_whether_the_id_exists() {
    let f = registered();
    let mut answers = Vec::new();
    for id in ["yamada2026", "nobody2026"] {
        let mut ui = Ui::new(&f, Lang::Ja);
        ui.login(id, "Wrong2026ab");
        assert_eq!(ui.app.page(), Page::Login);
        answers.push(ui.screen().replace(id, "<ID>"));
    }
    assert_eq!(answers[0], answers[1]);
}

#[test]
fn the_idle_timeout_wipes_the_account_area_even_the_forced_change() {
    let f = registered();
    let mut ui = Ui::new(&f, Lang::Ja);
    ui.login("yamada2026", PW);
    ui.press("profile");
    ui.clear("email");
    ui.text("typed@example.jp");
    let later = std::time::Instant::now() + Duration::from_secs(121);
    assert!(ui.app.on_tick(later));
    assert_eq!(ui.app.page(), Page::Login);
    assert!(!ui.app.pages().contains(&Page::Profile) && ui.app.session().is_none());
    assert!(!ui.screen().contains("typed@example.jp"));

    f.svc
        .expire_password(&Actor::admin(), "yamada2026")
        .unwrap();
    ui.login("yamada2026", PW);
    assert_eq!(ui.app.page(), Page::ForcedPassword);
    ui.fill("current", PW);
    let later = std::time::Instant::now() + Duration::from_secs(121);
    assert!(ui.app.on_tick(later));
    assert_eq!(ui.app.page(), Page::Login);
    assert!(!ui.app.pages().contains(&Page::ForcedPassword) && ui.app.session().is_none());
}
