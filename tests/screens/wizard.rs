//! Every wizard screen, drawn by the real `App` to a `TestBackend` at 80×24 in Japanese and English,
//! reached by real flows (keys and taps through `App::handle`) on a real SQLite store; snapshots with
//! insta. Each snapshot ends with where the terminal cursor is, and the tests check that it sits in
//! the focused field, after what was typed, measured in display columns.

use crate::support::rig::{Rig, SATO, TAKEN_ID, find, focused_box};
use insta::assert_snapshot;
use kosmo_kiosk::domain::Lang;
use kosmo_kiosk::domain::text::display_width;
use kosmo_kiosk::tui::Page;
use ratatui::crossterm::event::KeyCode;

pub(crate) const ENTER: KeyCode = KeyCode::Enter;
pub(crate) const TAB: KeyCode = KeyCode::Tab;

pub(crate) fn name(scenario: &str, lang: Lang) -> String {
    format!("{scenario}_{}", lang.code())
}

/// The cursor is shown, in the focused field's box, right after `before` (what precedes it in the
/// field), counted in display columns.
#[track_caller]
pub(crate) fn assert_cursor_after(rig: &mut Rig, before: &str) {
    let screen = rig.draw();
    let (open, close, row) =
        focused_box(&screen).unwrap_or_else(|| panic!("no focused text field:\n{screen}"));
    let cursor = rig
        .cursor()
        .unwrap_or_else(|| panic!("the cursor is hidden:\n{screen}"));
    let want = (open + 1 + display_width(before) as u16, row);
    assert_eq!(cursor, want, "cursor after {before:?}:\n{screen}");
    assert!(
        cursor.0 > open && cursor.0 < close,
        "cursor outside the box:\n{screen}"
    );
}

#[track_caller]
pub(crate) fn assert_cursor_hidden(rig: &mut Rig) {
    let screen = rig.draw();
    assert_eq!(rig.cursor(), None, "cursor should be hidden:\n{screen}");
}

/// STEP2: a postcard login, up to the identity screen.
pub(crate) fn login(rig: &mut Rig, household: &str) {
    let (id, pw) = {
        let c = rig.card(household);
        (c.temp_id.clone(), c.password.clone())
    };
    rig.type_text(&id);
    rig.key(TAB);
    rig.type_text(&pw);
    // Enter in the password field presses [ログイン] at once.
    rig.key(ENTER);
    rig.settle();
    rig.expect_page(Page::Identity);
}

/// STEP3 filled in and confirmed, up to the details screen.
pub(crate) fn identity(rig: &mut Rig, insurer: &str, birth: &str) {
    rig.type_text(insurer);
    rig.key(TAB);
    rig.type_text(birth);
    rig.key(TAB);
    rig.key(KeyCode::Char(' '));
    rig.keys(&[ENTER, ENTER]);
    rig.settle();
    rig.expect_page(Page::Details);
}

pub(crate) fn to_details(lang: Lang) -> Rig {
    let mut rig = Rig::new(lang);
    login(&mut rig, SATO);
    identity(&mut rig, "06139497", "19800101");
    rig
}

/// STEP4 filled in with valid values (`email` may be empty when `mail` is false).
pub(crate) fn details(rig: &mut Rig, user_id: &str, email: &str, mail: bool) {
    rig.type_text(user_id);
    rig.key(TAB);
    rig.type_text("Kosmo2026pw");
    rig.key(TAB);
    rig.type_text("Kosmo2026pw");
    rig.key(TAB);
    rig.type_text(email);
    rig.key(TAB); // registrant
    rig.key(TAB); // notify
    if !mail {
        rig.key(KeyCode::Right);
    }
    rig.key(TAB); // [入力内容確認]
    rig.key(ENTER);
    rig.expect_page(Page::Confirm);
}

// ----- login ---------------------------------------------------------------------------------------

#[test]
fn login_screens() {
    for lang in Lang::ALL {
        let mut rig = Rig::new(lang);
        assert_snapshot!(name("login_empty", lang), rig.frame());
        assert_cursor_after(&mut rig, "");

        // Nothing entered: say what to do, focus the empty field.
        // (Enter in the ID field moves on; in the password field it presses [ログイン].)
        rig.keys(&[ENTER, ENTER]);
        assert_snapshot!(name("login_missing", lang), rig.frame());
        assert_cursor_after(&mut rig, "");

        // Wrong credentials: the busy overlay while argon2id runs, then the one generic refusal; the
        // ID stays, the password is emptied and focused.
        rig.type_text("NOSUCHID99");
        rig.key(TAB);
        rig.type_text("wrongpass1");
        rig.key(ENTER);
        assert!(rig.app.is_busy());
        assert_snapshot!(name("login_busy", lang), rig.frame());
        rig.settle();
        assert_snapshot!(name("login_refused", lang), rig.frame());
        assert_cursor_after(&mut rig, "");
        let screen = rig.draw();
        assert!(screen.contains("NOSUCHID99"), "{screen}");
    }
}

#[test]
fn login_cursor_follows_typing_and_taps() {
    let mut rig = Rig::new(Lang::Ja);
    rig.type_text("ABC12");
    assert_cursor_after(&mut rig, "ABC12");
    // Full-width input is normalised while typing, so the cursor is after 3 narrow columns.
    rig.type_text("ｘｙｚ");
    assert_cursor_after(&mut rig, "ABC12xyz");
    rig.key(KeyCode::Left);
    rig.key(KeyCode::Left);
    assert_cursor_after(&mut rig, "ABC12x");
    // A tap on the password label focuses the password field; the cursor goes there.
    rig.tap_label("パスワード");
    rig.type_text("secret");
    assert_cursor_after(&mut rig, "******");
    // A tap inside the user ID box puts the cursor at the tapped column.
    let screen = rig.draw();
    let (col, row) = find(&screen, "ABC12xyz", 1).expect("user ID shown");
    rig.tap_at(col + 3, row);
    assert_cursor_after(&mut rig, "ABC");
    // Focus on a button: no cursor.
    rig.keys(&[TAB, TAB]);
    assert_cursor_hidden(&mut rig);
    // A tap on パスワードを忘れた方 opens that screen, its cursor in its first field.
    rig.tap("パスワードを忘れた方");
    let screen = rig.draw();
    assert!(screen.contains("確認コードを送る"), "{screen}");
    assert_cursor_after(&mut rig, "");
}

#[test]
fn login_language_switch_by_key_and_tap() {
    let mut rig = Rig::new(Lang::Ja);
    rig.back_tab(); // the language radio
    rig.key(KeyCode::Right);
    let screen = rig.draw();
    assert!(
        screen.contains("User ID") && screen.contains("Log in"),
        "{screen}"
    );
    rig.tap("日本語");
    let screen = rig.draw();
    assert!(
        screen.contains("ユーザID") && screen.contains("ログイン"),
        "{screen}"
    );
}

#[test]
fn login_notice_after_identity_lock() {
    for lang in Lang::ALL {
        let mut rig = Rig::new(lang);
        login(&mut rig, SATO);
        rig.type_text("06139497");
        rig.key(TAB);
        rig.type_text("19800102"); // a real date, but nobody's in this household
        rig.key(TAB);
        rig.key(KeyCode::Char(' '));
        rig.key(ENTER); // to [確認]
        let mut remaining = Vec::new();
        for _ in 0..10 {
            rig.key(ENTER);
            rig.settle();
            if rig.app.page() != Page::Identity {
                break;
            }
            let screen = rig.draw();
            remaining.push(screen);
            if remaining.len() == 1 {
                assert_snapshot!(name("identity_mismatch", lang), rig.frame());
            }
        }
        assert_eq!(remaining.len(), 4, "four mismatches shown, the fifth locks");
        assert_eq!(rig.app.page(), Page::Login);
        assert_snapshot!(name("login_after_lock", lang), rig.frame());
        assert_cursor_after(&mut rig, "");
    }
}

// ----- identity ------------------------------------------------------------------------------------

#[test]
fn identity_screens() {
    for lang in Lang::ALL {
        let mut rig = Rig::new(lang);
        login(&mut rig, SATO);
        assert_snapshot!(name("identity_empty", lang), rig.frame());
        assert_cursor_after(&mut rig, "");

        // A typo in the insurer number is caught by its check digit when the field is left.
        rig.type_text("06139498");
        rig.key(TAB);
        // A date that cannot be read.
        rig.type_text("1980/13/45");
        rig.key(TAB);
        assert_snapshot!(name("identity_bad_input", lang), rig.frame());

        // A date that cannot be read at all: the message shows the forms that are understood.
        rig.back_tab();
        rig.clear_field();
        rig.type_text("1980年ごろ");
        rig.key(TAB);
        let screen = rig.draw();
        assert!(screen.contains("S55.1.1"), "the forms are named:\n{screen}");
        assert_snapshot!(name("identity_unreadable_date", lang), rig.frame());

        // Fixed: the understood date is said back.
        rig.back_tab();
        rig.clear_field();
        rig.type_text("S55.1.1");
        rig.back_tab();
        rig.clear_field();
        rig.type_text("06139497");
        rig.key(TAB);
        assert_cursor_after(&mut rig, "S55.1.1");
        rig.key(TAB);
        assert_snapshot!(name("identity_understood", lang), rig.frame());
        let screen = rig.draw();
        let understood = match lang {
            Lang::Ja => "1980年1月1日（昭和55年）",
            Lang::En => "1 January 1980",
        };
        assert!(screen.contains(understood), "{screen}");

        // [確認] before 同意する: say so and focus the checkbox.
        rig.tap(match lang {
            Lang::Ja => "[ 確認 ]",
            Lang::En => "[ Confirm ]",
        });
        assert_eq!(rig.app.page(), Page::Identity);
        assert_snapshot!(name("identity_agree_first", lang), rig.frame());
        assert_cursor_hidden(&mut rig);

        // The terms scroll with PgDn from anywhere; the checkbox and the buttons stay put.
        rig.key(KeyCode::PageDown);
        rig.key(KeyCode::PageDown);
        assert_snapshot!(name("identity_terms_scrolled", lang), rig.frame());
    }
}

#[test]
fn identity_cursor_after_wide_characters() {
    let mut rig = Rig::new(Lang::Ja);
    login(&mut rig, SATO);
    rig.key(TAB);
    rig.type_text("昭和55年");
    assert_cursor_after(&mut rig, "昭和55年");
    rig.type_text("1月1日");
    assert_cursor_after(&mut rig, "昭和55年1月1日");
    rig.key(KeyCode::Home);
    rig.key(KeyCode::Right);
    assert_cursor_after(&mut rig, "昭");
    // A tap in the box, on the second half of 和, puts the cursor before 和 (never inside it).
    let screen = rig.draw();
    let (col, row) = find(&screen, "昭和55年", 1).expect("shown");
    rig.tap_at(col + 3, row);
    assert_cursor_after(&mut rig, "昭");
    rig.tap_at(col + 6, row);
    assert_cursor_after(&mut rig, "昭和55");
    rig.key(TAB);
    let screen = rig.draw();
    assert!(
        screen.contains("1980年1月1日（昭和55年）"),
        "era date understood:\n{screen}"
    );
}

#[test]
fn identity_wheel_and_drag_scroll_the_terms() {
    let mut rig = Rig::new(Lang::Ja);
    login(&mut rig, SATO);
    let before = rig.draw();
    assert!(before.contains(" 1-"), "{before}");
    rig.mouse(
        ratatui::crossterm::event::MouseEventKind::ScrollDown,
        40,
        12,
    );
    let after = rig.draw();
    assert!(after.contains(" 4-"), "the wheel scrolls 3 lines:\n{after}");
    // A drag upwards (touch) anywhere scrolls further; the field stays focused.
    rig.mouse(
        ratatui::crossterm::event::MouseEventKind::Down(
            ratatui::crossterm::event::MouseButton::Left,
        ),
        40,
        15,
    );
    rig.mouse(
        ratatui::crossterm::event::MouseEventKind::Drag(
            ratatui::crossterm::event::MouseButton::Left,
        ),
        40,
        10,
    );
    rig.mouse(
        ratatui::crossterm::event::MouseEventKind::Up(ratatui::crossterm::event::MouseButton::Left),
        40,
        10,
    );
    let dragged = rig.draw();
    assert!(dragged.contains(" 9-"), "dragged 5 lines:\n{dragged}");
    assert_cursor_after(&mut rig, "");
}

// ----- details -------------------------------------------------------------------------------------

#[test]
fn details_screens() {
    for lang in Lang::ALL {
        let mut rig = to_details(lang);
        assert_snapshot!(name("details_empty", lang), rig.frame());
        assert_cursor_after(&mut rig, "");

        // [入力内容確認] with nothing entered: every required field says so; focus on the first.
        rig.tap(match lang {
            Lang::Ja => "[ 入力内容確認 ]",
            Lang::En => "[ Review ]",
        });
        assert_eq!(rig.app.page(), Page::Details);
        assert_snapshot!(name("details_submit_empty", lang), rig.frame());
        assert_cursor_after(&mut rig, "");

        // Each field wrong, each checked as it is left.
        rig.type_text("ab-1");
        rig.key(TAB);
        rig.type_text("short1");
        rig.key(TAB);
        rig.type_text("short2");
        rig.key(TAB);
        rig.type_text("taro@");
        rig.key(TAB);
        assert_snapshot!(name("details_field_errors", lang), rig.frame());

        // The user ID taken by another household (checked when the field is left).
        rig.tap_label(match lang {
            Lang::Ja => "ユーザーID（必須）",
            Lang::En => "User ID (required)",
        });
        rig.clear_field();
        rig.type_text(TAKEN_ID);
        assert_cursor_after(&mut rig, TAKEN_ID);
        rig.key(TAB);
        assert_snapshot!(name("details_user_id_taken", lang), rig.frame());

        // A free one, and a password that contains it.
        rig.back_tab();
        rig.clear_field();
        rig.type_text("sato1980");
        rig.key(TAB);
        rig.clear_field();
        rig.type_text("xsato1980x");
        rig.key(TAB);
        assert_snapshot!(name("details_available_password_rule", lang), rig.frame());
    }
}

/// Four long errors at once on 80×24: everything still fits (the intro gives way), nothing is cut,
/// and the buttons stay on screen.
#[test]
fn details_crowded_with_errors_fits() {
    for lang in Lang::ALL {
        let mut rig = to_details(lang);
        rig.type_text("ab-1");
        rig.key(TAB);
        rig.type_text("pass word1");
        rig.key(TAB);
        rig.type_text("x");
        rig.key(TAB);
        rig.type_text("taro@@example");
        rig.key(TAB);
        let (submit, back) = match lang {
            Lang::Ja => ("[ 入力内容確認 ]", "[ 戻る ]"),
            Lang::En => ("[ Review ]", "[ Back ]"),
        };
        // [入力内容確認] adds the form's message: one row too many, so the intro gives way.
        rig.tap(submit);
        rig.expect_page(Page::Details);
        assert_snapshot!(name("details_crowded", lang), rig.frame());
        let screen = rig.draw();
        assert!(screen.contains(submit) && screen.contains(back), "{screen}");
        assert_eq!(screen.matches("! ").count(), 4, "{screen}");
        // Each error ends with a full stop: none is cut.
        for line in screen.lines() {
            assert!(display_width(line) <= 80, "{line}");
        }
        let ends = screen
            .lines()
            .filter(|l| l.ends_with('。') || l.ends_with(").") || l.ends_with('.'))
            .count();
        assert!(ends >= 5, "every message is whole:\n{screen}");
        // The tappable targets still match what is drawn.
        rig.tap_label(match lang {
            Lang::Ja => "メールアドレス（任意）",
            Lang::En => "Email (optional)",
        });
        rig.clear_field();
        rig.type_text("taro@example.jp");
        assert_cursor_after(&mut rig, "taro@example.jp");
    }
}

/// "Some entries need correcting" goes away once every entry is corrected (not only at the next
/// press of [入力内容確認]).
#[test]
fn details_form_message_goes_when_everything_is_fixed() {
    let mut rig = to_details(Lang::Ja);
    rig.tap("[ 入力内容確認 ]");
    assert!(rig.draw().contains("入力内容に誤りがあります"));
    rig.type_text("sato1980");
    rig.key(TAB);
    rig.type_text("Kosmo2026pw");
    rig.key(TAB);
    rig.type_text("Kosmo2026pw");
    rig.key(TAB);
    // The address is optional (the mail setting is 不要 without one): nothing is left to fix.
    let screen = rig.draw();
    assert!(!screen.contains("入力内容に誤りがあります"), "{screen}");
    assert!(!screen.contains("! "), "{screen}");
}

#[test]
fn details_password_rules_name_the_rule() {
    let mut rig = to_details(Lang::Ja);
    let temp_password = rig.card(SATO).password.clone();
    let cases: [(&str, &str); 5] = [
        ("Kq7vzt2m", ""),                         // fine: no error line
        ("abcdefgh", "数字"),                     // no digit
        ("12345678", "英字"),                     // no letter
        ("password1", "よく使われて"),            // a common password
        (temp_password.as_str(), "仮パスワード"), // the postcard's password
    ];
    rig.type_text("sato1980");
    rig.key(TAB);
    for (pw, says) in cases {
        rig.clear_field();
        rig.type_text(pw);
        rig.key(TAB);
        let screen = rig.draw();
        let note = screen.lines().nth(9).unwrap_or_default().to_string();
        if says.is_empty() {
            assert!(!note.contains('!'), "{pw}: {screen}");
        } else {
            assert!(
                note.contains('!') && note.contains(says),
                "{pw} should say {says}:\n{screen}"
            );
        }
        rig.back_tab();
    }
}

#[test]
fn details_back_and_forth_keeps_every_value() {
    let mut rig = to_details(Lang::Ja);
    details(&mut rig, "sato1980", "sato@example.com", true);
    rig.tap("[ 戻る ]");
    assert_eq!(rig.app.page(), Page::Details);
    let screen = rig.draw();
    assert!(
        screen.contains("[sato1980") && screen.contains("[sato@example.com"),
        "{screen}"
    );
    assert!(screen.contains("[*********** "), "password kept:\n{screen}");
    // Back to identity and forward again: STEP4 is still filled in.
    rig.key(KeyCode::Esc);
    rig.expect_page(Page::Identity);
    let screen = rig.draw();
    assert!(screen.contains("[x]"), "agreement kept:\n{screen}");
    assert!(
        screen.contains("[06139497"),
        "insurer number kept:\n{screen}"
    );
    rig.tap("[ 確認 ]");
    rig.settle();
    rig.expect_page(Page::Details);
    let screen = rig.draw();
    assert!(screen.contains("[sato1980"), "{screen}");
}
