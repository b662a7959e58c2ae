//! Walk-up polish (issue 10), tried as the members who broke it: an elderly member who only knows
//! Enter, a member whose IME types full-width dashes and era dates, a member who pastes too much.

use crate::support::rig::{Rig, SATO, options};
use crate::wizard::{ENTER, TAB, assert_cursor_after, login, name, to_details};
use insta::assert_snapshot;
use kosmo_kiosk::domain::Lang;
use kosmo_kiosk::tui::Page;
use ratatui::crossterm::event::KeyCode;

fn value(rig: &Rig, control: &str) -> String {
    rig.app
        .screen()
        .form()
        .value_named(control)
        .unwrap_or_else(|| panic!("no text field {control}"))
        .to_string()
}

fn limit_text(lang: Lang, max: usize) -> String {
    match lang {
        Lang::Ja => format!("{max}文字までです。これ以上は入力できません"),
        Lang::En => format!("At most {max} characters: no more can be entered here"),
    }
}

/// The row of the screen that starts with `label` (after the focus marker's margin).
fn row_of(screen: &str, label: &str) -> String {
    screen
        .lines()
        .find(|l| l.get(2..).is_some_and(|r| r.starts_with(label)))
        .unwrap_or_else(|| panic!("no row {label}:\n{screen}"))
        .to_string()
}

// ----- item 1: nothing is cut off silently ---------------------------------------------------------

/// A user ID typed past its 13 characters: the field says so, in red, under it, the moment a
/// character is refused; a paste longer than the field goes in not at all, with the same message.
#[test]
fn a_field_says_its_limit_and_refuses_a_long_paste_whole() {
    for lang in Lang::ALL {
        let mut rig = to_details(lang);
        rig.type_text("nakamura1950");
        assert!(!rig.draw().contains(&limit_text(lang, 13)));
        // The 13th character fills the field: said at once (as a hint).
        rig.type_text("1");
        assert!(rig.draw().contains(&limit_text(lang, 13)), "{}", rig.draw());
        // More is refused, and said as an error.
        rig.type_text("010");
        assert_eq!(value(&rig, "user_id"), "nakamura19501");
        assert_snapshot!(name("walkup_user_id_limit", lang), rig.frame());
        // A paste that does not fit is refused whole: nothing of it is cut in.
        rig.clear_field();
        rig.paste("nakamura19501010");
        assert_eq!(value(&rig, "user_id"), "");
        let screen = rig.draw();
        assert!(screen.contains(&limit_text(lang, 13)), "{screen}");
        // One that fits goes in whole, and the note goes once the field is left.
        rig.paste("nakamura1950");
        assert_eq!(value(&rig, "user_id"), "nakamura1950");
        assert!(!rig.draw().contains(&limit_text(lang, 13)));
        rig.paste("_long_tail");
        rig.key(TAB);
        assert!(!rig.draw().contains(&limit_text(lang, 13)));
    }
}

/// The login screen has no note rows: the limit is still said under the field.
#[test]
fn the_login_fields_say_their_limit_too() {
    for lang in Lang::ALL {
        let mut rig = Rig::new(lang);
        rig.type_text("ABCDE - FGHJK - 99");
        assert_eq!(value(&rig, "user_id"), "ABCDE - FGHJK");
        assert_snapshot!(name("walkup_login_limit", lang), rig.frame());
        assert_cursor_after(&mut rig, "ABCDE - FGHJK");
    }
}

/// A 21-character password typed at STEP4 and at login: both take the same 20 and say so, so the
/// member's own password works (main: STEP4 kept 20, login took 21 and refused it).
#[test]
fn login_takes_exactly_what_registration_takes() {
    let typed = "Kosmo2026abcdefghijkX"; // 21 characters, the policy's maximum is 20
    let mut rig = to_details(Lang::Ja);
    rig.type_text("sato1980kosmo");
    rig.key(TAB);
    rig.type_text(typed);
    assert_eq!(value(&rig, "password"), &typed[..20]);
    assert!(rig.draw().contains(&limit_text(Lang::Ja, 20)));
    rig.key(TAB);
    rig.type_text(typed);
    rig.key(TAB);
    rig.key(TAB); // email: none
    rig.key(TAB); // registrant
    rig.key(KeyCode::Right); // notify: 不要
    rig.key(TAB);
    rig.key(ENTER);
    rig.settle();
    rig.expect_page(Page::Confirm);
    rig.key(ENTER);
    rig.settle();
    rig.expect_page(Page::Done);

    // Another kiosk on the same store: the member types the same 21 characters at login.
    let mut kiosk = Rig::on(&rig.svc, options(Lang::Ja), 80, 24);
    kiosk.type_text("sato1980kosmo");
    kiosk.key(TAB);
    kiosk.type_text(typed);
    assert_eq!(value(&kiosk, "password"), &typed[..20]);
    assert!(kiosk.draw().contains(&limit_text(Lang::Ja, 20)));
    kiosk.key(ENTER);
    kiosk.settle();
    kiosk.expect_page(Page::Menu);
}

// ----- item 2: fields scroll only when the text does not fit -----------------------------------------

/// A 13-character user ID, a 20-character password and 大正15年12月24日 show whole; a long value
/// shows from its start once the field is left.
#[test]
fn values_that_fit_show_whole_and_a_field_left_shows_its_start() {
    for lang in Lang::ALL {
        let mut rig = Rig::new(lang);
        login(&mut rig, SATO);
        rig.key(TAB);
        rig.type_text("大正15年12月24日");
        assert!(
            row_of(
                &rig.draw(),
                if lang == Lang::Ja {
                    "生年月日"
                } else {
                    "Date of birth"
                }
            )
            .contains("[大正15年12月24日 ]"),
            "{}",
            rig.draw()
        );
        assert_cursor_after(&mut rig, "大正15年12月24日");
        rig.key(KeyCode::BackTab);
        rig.type_text("06139497");
        rig.key(TAB);
        rig.clear_field();
        rig.type_text("19800101");
        identity_rest(&mut rig);

        rig.type_text("kobayashi1955");
        let screen = rig.draw();
        assert!(screen.contains("[kobayashi1955 ]"), "{screen}");
        assert_cursor_after(&mut rig, "kobayashi1955");
        rig.key(TAB);
        rig.type_text("Kosmo2026abcdefghijk");
        assert!(rig.draw().contains(&format!("[{} ]", "*".repeat(20))));
        rig.key(TAB);
        rig.type_text("Kosmo2026abcdefghijk");
        rig.key(TAB);
        let email = "taro.yamada.kenpo.1980@mail.example.co.jp";
        rig.type_text(email);
        rig.key(TAB);
        let screen = rig.draw();
        assert!(
            screen.contains(&format!("[{}]", &email[..30])),
            "the address from its start once left:\n{screen}"
        );
        assert_snapshot!(name("walkup_fields_fit", lang), rig.frame());
    }
}

/// The rest of STEP3 from the birth date: tick the terms, confirm.
fn identity_rest(rig: &mut Rig) {
    rig.key(TAB);
    rig.key(KeyCode::Char(' '));
    rig.key(TAB);
    rig.key(ENTER);
    rig.settle();
    rig.expect_page(Page::Details);
}

// ----- item 3: Enter never loops ----------------------------------------------------------------------

/// STEP3 with Enter alone: Enter on the unticked 「利用規約に同意する」 ticks it and moves on to
/// [確認]; Enter there goes on to STEP4 (main: it moved on unticked and [確認] sent focus back).
#[test]
fn enter_alone_ticks_the_agreement_and_goes_on() {
    for lang in Lang::ALL {
        let mut rig = Rig::new(lang);
        login(&mut rig, SATO);
        rig.type_text("06139497");
        rig.key(ENTER);
        rig.type_text("19800101");
        rig.key(ENTER);
        assert_eq!(rig.app.screen().form().focused_name(), "agree");
        rig.key(ENTER);
        let screen = rig.draw();
        assert!(screen.contains("[x]"), "{screen}");
        assert_eq!(rig.app.screen().form().focused_name(), "confirm");
        // Enter on a ticked box never unticks it.
        rig.key(KeyCode::BackTab);
        rig.key(ENTER);
        assert!(rig.draw().contains("[x]"));
        rig.key(ENTER);
        rig.settle();
        rig.expect_page(Page::Details);
    }
}

/// The password field's Enter presses [ログイン] at once (the next control is the main button);
/// the ID field's Enter only moves on.
#[test]
fn enter_in_the_password_field_logs_in() {
    let mut rig = Rig::new(Lang::Ja);
    let (id, pw) = {
        let c = rig.card(SATO);
        (c.temp_id.clone(), c.password.clone())
    };
    rig.type_text(&id);
    rig.key(ENTER);
    assert_eq!(rig.app.screen().form().focused_name(), "password");
    assert!(!rig.app.is_busy());
    rig.type_text(&pw);
    rig.key(ENTER);
    assert!(rig.app.is_busy(), "one Enter logs in");
    rig.settle();
    rig.expect_page(Page::Identity);
}
