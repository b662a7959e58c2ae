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

// ----- item 4: every dash and digit an IME produces ---------------------------------------------------

/// The postcard typed with the dashes a Japanese IME gives (ー between the groups of the ID, − in
/// the password), the birth date as 55ー1ー1 (no era: read as 昭和 and said so), 昭55.1.1 and an
/// unclear 800101 (said which forms work).
#[test]
fn ime_dashes_and_short_era_forms_are_read() {
    for lang in Lang::ALL {
        let mut rig = Rig::new(lang);
        let (id, pw) = {
            let c = rig.card(SATO);
            (c.temp_id.clone(), c.password.clone())
        };
        rig.type_text(&format!("{}ー{}", &id[..5], &id[5..]));
        rig.key(TAB);
        rig.type_text(&format!("{}−{}", &pw[..5], &pw[5..]));
        rig.key(ENTER);
        rig.settle();
        rig.expect_page(Page::Identity);

        rig.type_text("06139497");
        rig.key(TAB);
        rig.type_text("55ー1ー1");
        rig.key(TAB);
        let screen = rig.draw();
        assert!(
            screen.contains("19550101"),
            "the other reading is named:\n{screen}"
        );
        assert_snapshot!(name("walkup_era_assumed", lang), rig.frame());

        for (typed, ok) in [
            ("昭55.1.1", true),
            ("S55ｰ1ｰ1", true),
            ("1980–01–01", true),
            ("800101", false),
        ] {
            rig.key(KeyCode::BackTab);
            rig.clear_field();
            rig.type_text(typed);
            rig.key(TAB);
            let screen = rig.draw();
            let understood = match lang {
                Lang::Ja => "1980年1月1日（昭和55年） として受け付けました",
                Lang::En => "Read as 1 January 1980",
            };
            assert_eq!(screen.contains(understood), ok, "{typed}:\n{screen}");
        }
        assert_snapshot!(name("walkup_year_unclear", lang), rig.frame());
    }
}

// ----- item 5: the done screen tells the truth without an address ------------------------------------

#[test]
fn the_done_screen_speaks_of_mail_only_when_there_is_one() {
    for lang in Lang::ALL {
        // Without an address: no notices about a welcome mail, the counter for a lost password.
        let mut rig = to_details(lang);
        crate::wizard::details(&mut rig, "sato1980", "", false);
        rig.key(ENTER);
        rig.settle();
        rig.expect_page(Page::Done);
        let screen = rig.draw();
        let (welcome_notice, counter) = match lang {
            Lang::Ja => ("ようこそメールにログイン用", "窓口（係員）"),
            Lang::En => ("The welcome email shows", "ask at the counter"),
        };
        assert!(!screen.contains(welcome_notice), "{screen}");
        assert!(screen.contains(counter), "{screen}");

        // With one: the sender, and 送信待ち in words.
        let mut rig = to_details(lang);
        crate::wizard::details(&mut rig, "sato1980", "sato@example.com", true);
        rig.key(ENTER);
        rig.settle();
        let screen = rig.draw();
        assert!(screen.contains("webmaster@kosmoweb.jp"), "{screen}");
        assert!(
            !screen.contains("（送信待ち）") && !screen.contains("(queued)"),
            "{screen}"
        );
        assert!(screen.contains(welcome_notice), "{screen}");
        assert_snapshot!(name("walkup_done_with_mail", lang), rig.frame());
    }
}

// ----- item 6: optional means optional ------------------------------------------------------------------

/// No address, Enter through every control: the confirm screen, with the mail 不要 (main: the
/// preset 必要 demanded an address on the first [入力内容確認]). An address typed turns it to 必要
/// until the member picks one themselves.
#[test]
fn an_empty_address_never_needs_fixing() {
    for lang in Lang::ALL {
        let mut rig = to_details(lang);
        rig.type_text("sato1980");
        rig.key(ENTER);
        rig.type_text("Kosmo2026pw");
        rig.key(ENTER);
        rig.type_text("Kosmo2026pw");
        rig.key(ENTER);
        assert_eq!(rig.app.screen().form().focused_name(), "email");
        assert_snapshot!(name("walkup_details_no_address", lang), rig.frame());
        // The address typed and taken away again: the setting follows.
        rig.type_text("sato@example.com");
        assert!(rig.draw().contains("(*) ") && selected_notify(&rig) == 0);
        rig.clear_field();
        assert_eq!(selected_notify(&rig), 1);
        rig.keys(&[ENTER, ENTER, ENTER]); // registrant, notify, to [入力内容確認]
        rig.key(ENTER);
        rig.settle();
        rig.expect_page(Page::Confirm);

        // A choice the member made is kept, whatever the address does.
        rig.key(KeyCode::Esc);
        rig.expect_page(Page::Details);
        while rig.app.screen().form().focused_name() != "notify" {
            rig.key(TAB);
        }
        rig.key(KeyCode::Left); // 必要
        while rig.app.screen().form().focused_name() != "email" {
            rig.key(TAB);
        }
        rig.type_text("sato@example.com");
        rig.clear_field();
        assert_eq!(selected_notify(&rig), 0, "the member's own choice stays");
    }
}

fn selected_notify(rig: &Rig) -> usize {
    let form = rig.app.screen().form();
    let i = form.position("notify").expect("notify");
    match &form.controls[i].kind {
        kosmo_kiosk::tui::widgets::form::Kind::Radio { selected, .. } => *selected,
        _ => unreachable!(),
    }
}

// ----- item 7: login feedback -------------------------------------------------------------------------

/// Each refusal reads as new (its count on this screen); from the third, a neutral hint to ask at
/// the counter. Nothing says whether the ID exists: an unknown ID and a known one read the same.
#[test]
fn repeated_refusals_are_visibly_new_and_then_point_to_the_counter() {
    for lang in Lang::ALL {
        let mut by_id = Vec::new();
        for id in ["NOSUCHID99", "tanaka1972"] {
            let mut rig = Rig::new(lang);
            let mut seen: Vec<String> = Vec::new();
            rig.type_text(id);
            rig.key(ENTER);
            for _ in 0..3 {
                rig.type_text("wrongpass1");
                rig.key(ENTER);
                rig.settle();
                let screen = rig.draw();
                let at = screen
                    .find("ユーザIDまたはパスワード")
                    .or_else(|| screen.find("user ID or password"))
                    .unwrap_or_else(|| panic!("{screen}"));
                let message: String = screen[at..].lines().take(2).collect();
                assert!(
                    !seen.contains(&message),
                    "a repeated refusal looks new:\n{screen}"
                );
                seen.push(message);
            }
            let screen = rig.draw();
            assert!(
                screen.contains(match lang {
                    Lang::Ja => "窓口の係員",
                    Lang::En => "ask at the counter",
                }),
                "{screen}"
            );
            if id == "NOSUCHID99" {
                assert_snapshot!(name("walkup_login_third_refusal", lang), rig.frame());
            }
            by_id.push(seen);
        }
        assert_eq!(
            by_id[0], by_id[1],
            "an unknown and a known ID read the same"
        );
    }
}

// ----- item 9: losing work is asked first ---------------------------------------------------------------

/// Esc on STEP3 would erase the postcard login: the screen asks, focus on [戻る]; anything else
/// keeps the member here; Esc (or [戻る]) again goes to the start screen.
#[test]
fn leaving_step3_is_asked_first() {
    for lang in Lang::ALL {
        let mut rig = Rig::new(lang);
        login(&mut rig, SATO);
        rig.type_text("06139497");
        rig.key(KeyCode::Esc);
        rig.expect_page(Page::Identity);
        assert_eq!(rig.app.screen().form().focused_name(), "back");
        assert_snapshot!(name("walkup_identity_leave", lang), rig.frame());
        // Changing one's mind: the question goes, nothing is lost.
        rig.key(KeyCode::BackTab);
        rig.key(KeyCode::Esc);
        rig.expect_page(Page::Identity);
        assert_eq!(value(&rig, "insurer"), "06139497");
        // Asked, then confirmed: the start screen.
        rig.key(ENTER);
        rig.expect_page(Page::Login);
    }
}

/// 戻る in 個人情報管理 with an unsaved change asks first; without one it goes straight back.
#[test]
fn leaving_the_profile_with_unsaved_changes_is_asked_first() {
    for lang in Lang::ALL {
        let mut rig = Rig::new(lang);
        rig.type_text("tanaka1972");
        rig.key(ENTER);
        rig.type_text("Another9pass");
        rig.key(ENTER);
        rig.settle();
        rig.expect_page(Page::Menu);
        // 医療費照会, 支給決定通知, then 個人情報管理.
        rig.key(TAB);
        rig.key(TAB);
        rig.key(ENTER);
        rig.settle();
        rig.expect_page(Page::Profile);
        // Nothing changed: straight back.
        rig.key(KeyCode::Esc);
        rig.expect_page(Page::Menu);
        rig.key(ENTER);
        rig.settle();
        rig.expect_page(Page::Profile);
        rig.type_text("tanaka@example.jp");
        rig.key(KeyCode::Esc);
        rig.expect_page(Page::Profile);
        assert_snapshot!(name("walkup_profile_leave", lang), rig.frame());
        rig.key(ENTER); // [戻る] has the focus: asked and confirmed
        rig.expect_page(Page::Menu);
    }
}

/// The idle countdown in the account area says the member will be logged out.
#[test]
fn the_countdown_in_the_account_area_says_logout() {
    for lang in Lang::ALL {
        let mut opts = options(lang);
        opts.idle_timeout = std::time::Duration::from_secs(100);
        opts.countdown = std::time::Duration::from_secs(200);
        let mut rig = Rig::with_options(opts, 80, 24);
        rig.type_text("tanaka1972");
        rig.key(ENTER);
        rig.type_text("Another9pass");
        rig.key(ENTER);
        rig.settle();
        rig.expect_page(Page::Menu);
        let screen = rig.draw();
        assert!(
            screen.contains(match lang {
                Lang::Ja => "秒で自動的にログアウトして",
                Lang::En => "you will be logged out",
            }),
            "{screen}"
        );
        assert_snapshot!(name("walkup_countdown_logout", lang), rig.frame());
    }
}
