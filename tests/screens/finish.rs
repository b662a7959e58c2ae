//! The end of the wizard (confirm, done, the menu, an ID taken at [実行]) and the frame around every
//! screen (the idle countdown, a terminal too small or larger than 80×24), drawn by the real `App`
//! to a `TestBackend` in Japanese and English; snapshots with insta. The flows come from `wizard.rs`.

use std::time::Duration;

use super::wizard::{
    ENTER, assert_cursor_after, assert_cursor_hidden, details, login, name, to_details,
};
use crate::support::rig::{self, Rig, SATO, SUZUKI, TAKAHASHI, focused_box};
use crate::support::wait;
use insta::assert_snapshot;
use kosmo_kiosk::domain::Lang;
use kosmo_kiosk::tui::Page;
use ratatui::crossterm::event::KeyCode;

// ----- confirm, done, menu -------------------------------------------------------------------------

#[test]
fn confirm_done_menu_with_mail() {
    for lang in Lang::ALL {
        let mut rig = to_details(lang);
        details(&mut rig, "sato1980", "sato@example.com", true);
        assert_snapshot!(name("confirm", lang), rig.frame());
        assert_cursor_hidden(&mut rig);

        rig.key(ENTER); // [実行]
        assert!(rig.app.is_busy());
        rig.settle();
        assert_eq!(rig.app.page(), Page::Done);
        assert_snapshot!(name("done_mail_queued", lang), rig.frame());

        rig.key(ENTER);
        assert_eq!(rig.app.page(), Page::Menu);
        assert_snapshot!(name("menu", lang), rig.frame());

        // ログアウト: the start screen, nothing kept.
        rig.tap(match lang {
            Lang::Ja => "[ ログアウト ]",
            Lang::En => "[ Log out ]",
        });
        assert_eq!(rig.app.page(), Page::Login);
        assert!(rig.app.session().is_none());
        assert!(rig.app.clear_screen, "the scrollback is purged on return");
    }
}

#[test]
fn done_without_email() {
    for lang in Lang::ALL {
        let mut rig = to_details(lang);
        details(&mut rig, "sato1980", "", false);
        let screen = rig.draw();
        assert!(
            screen.contains(match lang {
                Lang::Ja => "（登録しない）",
                Lang::En => "(none)",
            }),
            "{screen}"
        );
        rig.key(ENTER);
        rig.settle();
        assert_snapshot!(name("done_no_email", lang), rig.frame());
    }
}

#[test]
fn user_id_taken_at_execute_keeps_everything_else() {
    for lang in Lang::ALL {
        let mut rig = to_details(lang);
        details(&mut rig, "race2026", "sato@example.com", true);
        // Another kiosk registers the same ID while this member reads the confirm screen.
        let other = rig.card(SUZUKI);
        let other = rig::Postcard {
            household: other.household.clone(),
            temp_id: other.temp_id.clone(),
            password: other.password.clone(),
        };
        rig::register_directly(
            &rig.svc,
            &other,
            "01130012",
            time::macros::date!(2015 - 03 - 03),
            "race2026",
        )
        .expect("the other kiosk wins");
        rig.key(ENTER);
        rig.settle();
        assert_eq!(rig.app.page(), Page::Details);
        assert_snapshot!(name("details_taken_at_execute", lang), rig.frame());
        assert_cursor_after(&mut rig, "race2026");
        let screen = rig.draw();
        assert!(screen.contains("[sato@example.com"), "{screen}");
    }
}

// ----- chrome --------------------------------------------------------------------------------------

#[test]
fn idle_countdown_banner() {
    for lang in Lang::ALL {
        let mut opts = rig::options(lang);
        // The countdown shows for the whole (long) timeout, so the drawn number is stable.
        opts.idle_timeout = Duration::from_secs(100);
        opts.countdown = Duration::from_secs(200);
        let mut rig = Rig::with_options(opts, 80, 24);
        login(&mut rig, TAKAHASHI);
        rig.type_text("33120015");
        assert_snapshot!(name("countdown", lang), rig.frame());
        assert_cursor_after(&mut rig, "33120015");
    }
}

/// Any input ends the countdown, and the banner goes at once, even for input that changes nothing
/// else on the screen (a mouse moving over it).
#[test]
fn input_during_the_countdown_removes_the_banner() {
    let mut opts = rig::options(Lang::Ja);
    opts.idle_timeout = Duration::from_millis(1200);
    opts.countdown = Duration::from_secs(1);
    let mut rig = Rig::with_options(opts, 80, 24);
    rig.type_text("abc");
    wait::until("the countdown", Duration::from_secs(5), || {
        rig.app.countdown_secs(std::time::Instant::now()).is_some()
    });
    assert!(rig.draw().contains("秒で入力内容を消去"));
    let redraw = rig.app.handle(kosmo_kiosk::tui::AppEvent::Term(
        ratatui::crossterm::event::Event::Mouse(ratatui::crossterm::event::MouseEvent {
            kind: ratatui::crossterm::event::MouseEventKind::Moved,
            column: 10,
            row: 10,
            modifiers: ratatui::crossterm::event::KeyModifiers::NONE,
        }),
    ));
    assert!(redraw, "the banner must be taken down");
    let screen = rig.draw();
    assert!(!screen.contains("秒で入力内容を消去"), "{screen}");
    assert!(screen.contains("[abc"), "{screen}");
}

#[test]
fn no_countdown_on_an_untouched_start_screen() {
    let mut opts = rig::options(Lang::Ja);
    opts.idle_timeout = Duration::from_secs(100);
    opts.countdown = Duration::from_secs(200);
    let mut rig = Rig::with_options(opts, 80, 24);
    let screen = rig.draw();
    assert!(!screen.contains("秒で"), "{screen}");
    assert_eq!(rig.app.next_wakeup(std::time::Instant::now()), None);
}

#[test]
fn too_small_terminal() {
    for lang in Lang::ALL {
        let mut rig = Rig::with_options(rig::options(lang), 60, 20);
        assert_snapshot!(name("too_small", lang), rig.frame());
        // Keys do nothing meanwhile; grown back, the screen is as it was.
        rig.type_text("abc");
        rig.resize(80, 24);
        let screen = rig.draw();
        assert!(!screen.contains("abc"), "{screen}");
        assert_cursor_after(&mut rig, "");
    }
}

#[test]
fn larger_terminal_keeps_fields_tappable() {
    let mut rig = Rig::with_options(rig::options(Lang::Ja), 120, 40);
    login(&mut rig, SATO);
    rig.tap_label("生年月日");
    rig.type_text("S55.1.1");
    assert_cursor_after(&mut rig, "S55.1.1");
    rig.tap_label("保険者番号（8桁）");
    rig.type_text("06139497");
    assert_cursor_after(&mut rig, "06139497");
    rig.tap("[ ] ");
    rig.tap("[ 確認 ]");
    assert!(rig.app.is_busy(), "{}", rig.draw());
    rig.settle();
    rig.expect_page(Page::Details);
    assert_cursor_after(&mut rig, "");
}

/// A value longer than its box scrolls; a tap inside the box puts the cursor at the tapped cell
/// and the text stays where it is under the finger; moving left inside the view does not jump.
#[test]
fn long_value_in_a_box_keeps_still_under_taps_and_arrows() {
    let mut rig = to_details(Lang::Ja);
    rig.tap_label("メールアドレス（任意）");
    let email = "taro.yamada.kenpo.1980@mail.example.co.jp"; // 41 characters, the box 29 and the caret
    rig.type_text(email);
    assert_cursor_after(&mut rig, &email[41 - 29..]);
    let before = rig.draw();
    let row = before
        .lines()
        .position(|l| l.starts_with("> メールアドレス"))
        .unwrap();
    let shown = before.lines().nth(row).unwrap().to_string();
    let (open, _, _) = focused_box(&before).unwrap();
    // Tap on the 6th visible character.
    rig.tap_at(open + 1 + 5, row as u16);
    let after = rig.draw();
    assert_eq!(
        after.lines().nth(row).unwrap(),
        shown,
        "the text moved under the tap"
    );
    assert_eq!(rig.cursor(), Some((open + 1 + 5, row as u16)), "{after}");
    // Typing goes in at the tapped place.
    rig.type_text("Z");
    let value = rig
        .app
        .screen()
        .form()
        .value_named("email")
        .unwrap()
        .to_string();
    let at = 41 - 29 + 5;
    assert_eq!(value, format!("{}Z{}", &email[..at], &email[at..]));
    // Left arrows within the view move the cursor, not the text.
    let shown = rig.draw().lines().nth(row).unwrap().to_string();
    rig.key(KeyCode::Left);
    rig.key(KeyCode::Left);
    assert_eq!(rig.draw().lines().nth(row).unwrap(), shown);
    // Home shows the start.
    rig.key(KeyCode::Home);
    let home = rig.draw();
    assert!(home.contains("[taro.yamada"), "{home}");
    assert_cursor_after(&mut rig, "");
}
