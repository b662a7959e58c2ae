//! Every wizard screen, drawn by the real `App` to a `TestBackend` at 80×24 in Japanese and English,
//! reached by real flows (keys and taps through `App::handle`) on a real SQLite store; snapshots with
//! insta. Each snapshot ends with where the terminal cursor is, and the tests check that it sits in
//! the focused field, after what was typed, measured in display columns.

use std::time::Duration;

use crate::support::rig::{self, Rig, SATO, SUZUKI, TAKAHASHI, TAKEN_ID, find, focused_box};
use insta::assert_snapshot;
use kosmo_kiosk::domain::Lang;
use kosmo_kiosk::domain::text::display_width;
use kosmo_kiosk::domain::wizard::Page;
use ratatui::crossterm::event::KeyCode;

const ENTER: KeyCode = KeyCode::Enter;
const TAB: KeyCode = KeyCode::Tab;

fn name(scenario: &str, lang: Lang) -> String {
    format!("{scenario}_{}", lang.code())
}

/// The cursor is shown, in the focused field's box, right after `before` (what precedes it in the
/// field), counted in display columns.
#[track_caller]
fn assert_cursor_after(rig: &mut Rig, before: &str) {
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
fn assert_cursor_hidden(rig: &mut Rig) {
    let screen = rig.draw();
    assert_eq!(rig.cursor(), None, "cursor should be hidden:\n{screen}");
}

/// STEP2: a postcard login, up to the identity screen.
fn login(rig: &mut Rig, household: &str) {
    let (id, pw) = {
        let c = rig.card(household);
        (c.temp_id.clone(), c.password.clone())
    };
    rig.type_text(&id);
    rig.key(TAB);
    rig.type_text(&pw);
    rig.keys(&[ENTER, ENTER]);
    rig.settle();
    rig.expect_page(Page::Identity);
}

/// STEP3 filled in and confirmed, up to the details screen.
fn identity(rig: &mut Rig, insurer: &str, birth: &str) {
    rig.type_text(insurer);
    rig.key(TAB);
    rig.type_text(birth);
    rig.key(TAB);
    rig.key(KeyCode::Char(' '));
    rig.keys(&[ENTER, ENTER]);
    rig.settle();
    rig.expect_page(Page::Details);
}

fn to_details(lang: Lang) -> Rig {
    let mut rig = Rig::new(lang);
    login(&mut rig, SATO);
    identity(&mut rig, "06139497", "19800101");
    rig
}

/// STEP4 filled in with valid values (`email` may be empty when `mail` is false).
fn details(rig: &mut Rig, user_id: &str, email: &str, mail: bool) {
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
        rig.keys(&[ENTER, ENTER, ENTER]);
        assert_snapshot!(name("login_missing", lang), rig.frame());
        assert_cursor_after(&mut rig, "");

        // Wrong credentials: the busy overlay while argon2id runs, then the one generic refusal; the
        // ID stays, the password is emptied and focused.
        rig.type_text("NOSUCHID99");
        rig.key(TAB);
        rig.type_text("wrongpass1");
        rig.keys(&[ENTER, ENTER]);
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
            if rig.app.page != Page::Identity {
                break;
            }
            let screen = rig.draw();
            remaining.push(screen);
            if remaining.len() == 1 {
                assert_snapshot!(name("identity_mismatch", lang), rig.frame());
            }
        }
        assert_eq!(remaining.len(), 4, "four mismatches shown, the fifth locks");
        assert_eq!(rig.app.page, Page::Login);
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
        assert_eq!(rig.app.page, Page::Identity);
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
        assert_eq!(rig.app.page, Page::Details);
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
    assert!(
        rig.draw().contains("入力内容に誤りがあります"),
        "the email is still missing"
    );
    rig.type_text("sato@example.com");
    rig.key(TAB);
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
    assert_eq!(rig.app.page, Page::Details);
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
        assert_eq!(rig.app.page, Page::Done);
        assert_snapshot!(name("done_mail_queued", lang), rig.frame());

        rig.key(ENTER);
        assert_eq!(rig.app.page, Page::Menu);
        assert_snapshot!(name("menu", lang), rig.frame());

        // ログアウト: the start screen, nothing kept.
        rig.tap(match lang {
            Lang::Ja => "[ ログアウト ]",
            Lang::En => "[ Log out ]",
        });
        assert_eq!(rig.app.page, Page::Login);
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
        assert_eq!(rig.app.page, Page::Details);
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
    let end = std::time::Instant::now() + Duration::from_secs(5);
    while rig.app.countdown_secs(std::time::Instant::now()).is_none() {
        assert!(std::time::Instant::now() < end, "no countdown");
        std::thread::sleep(Duration::from_millis(20));
    }
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
    let email = "taro.yamada.kenpo.1980@mail.example.co.jp"; // 41 characters, the box shows 29
    rig.type_text(email);
    assert_cursor_after(&mut rig, &email[41 - 28..]);
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
        .details
        .as_ref()
        .unwrap()
        .form
        .value("email")
        .to_string();
    let at = 41 - 28 + 5;
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
