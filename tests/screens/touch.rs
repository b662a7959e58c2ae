//! Issue 13: the on-screen keyboard over each kind of field and the birth-date picker, drawn by the
//! real `App` at 80×24 and 120×40 in Japanese and English (`touch_keyboard = "always"`, so the flows
//! reach the screens with keys and the keyboard shows as a tap on the field brings it). The snapshot
//! hook checks every frame on a light and a dark terminal, narrow and wide.

use insta::assert_snapshot;
use kosmo_kiosk::config::TouchKeyboard;
use kosmo_kiosk::domain::Lang;
use kosmo_kiosk::tui::Page;
use ratatui::crossterm::event::KeyCode;

use crate::support::rig::{Rig, SATO, options};
use crate::wizard::{identity, login};

fn rig(lang: Lang, width: u16, height: u16) -> Rig {
    let mut opts = options(lang);
    opts.touch_keyboard = TouchKeyboard::Always;
    Rig::with_options(opts, width, height)
}

fn name(what: &str, lang: Lang, width: u16) -> String {
    format!("touch_{what}_{}_{width}", lang.code())
}

/// The focused field's row (marked `>`) shows above the keyboard's first key row.
#[track_caller]
fn field_above_keys(screen: &str, label: &str, first_key: &str) {
    let lines: Vec<&str> = screen.lines().collect();
    let field = lines
        .iter()
        .position(|l| l.starts_with(&format!("> {label}")));
    let keys = lines.iter().position(|l| l.contains(first_key));
    assert!(
        matches!((field, keys), (Some(f), Some(k)) if f < k),
        "{label} above {first_key}:\n{screen}"
    );
}

#[test]
fn the_keyboard_over_each_kind_of_field() {
    for lang in [Lang::Ja, Lang::En] {
        for (w, h) in [(80, 24), (120, 40)] {
            let mut rig = rig(lang, w, h);
            // Letters and digits, the temporary ID.
            let s = rig.frame();
            assert!(s.contains("[ q ]") && s.contains("[ ABC ]"), "{s}");
            assert_snapshot!(name("letters", lang, w), s);
            login(&mut rig, SATO);

            // Digits only: 保険者番号.
            let s = rig.frame();
            assert!(s.contains("[ 0 ]") && !s.contains("[ q ]"), "{s}");
            let label = if lang == Lang::Ja {
                "保険者番号"
            } else {
                "Insurer number"
            };
            field_above_keys(&s, label, "[ 1 ]");
            assert_snapshot!(name("digits", lang, w), s);

            // The birth-date picker, after a step or two.
            rig.type_text("06139497");
            rig.key(KeyCode::Tab);
            let showa = if lang == Lang::Ja {
                "> 昭和 <"
            } else {
                "> Showa <"
            };
            assert!(rig.draw().contains(showa), "昭和 first");
            rig.tap_nth("[ +10 ]", 1);
            rig.tap_nth("[ +10 ]", 1);
            let s = rig.frame();
            let read_back = if lang == Lang::Ja {
                "1980年1月1日（昭和55年）"
            } else {
                "1 January 1980"
            };
            assert!(s.contains(read_back), "{s}");
            assert!(s.contains("[1980/01/01"), "written into the field:\n{s}");
            assert_snapshot!(name("date", lang, w), s);

            // Letters with the shift on, over the masked password of STEP4.
            let mut rig = self::rig(lang, w, h);
            login(&mut rig, SATO);
            identity(&mut rig, "06139497", "19800101");
            rig.expect_page(Page::Details);
            rig.type_text("sato1980");
            rig.key(KeyCode::Tab);
            rig.tap("[ ABC ]");
            rig.tap("[ K ]");
            rig.tap("[ ABC ]");
            let s = rig.frame();
            assert!(s.contains("[ Q ]") && s.contains("> abc <"), "{s}");
            assert!(s.contains("[* ") && !s.contains("[K"), "masked:\n{s}");
            assert_snapshot!(name("password_shift", lang, w), s);

            // The email keyboard: letters, digits and @ . - _ +.
            rig.key(KeyCode::Tab);
            rig.key(KeyCode::Tab);
            let s = rig.frame();
            for mark in ["[ @ ]", "[ . ]", "[ - ]", "[ _ ]", "[ + ]"] {
                assert!(s.contains(mark), "{mark}:\n{s}");
            }
            let label = if lang == Lang::Ja {
                "メールアドレス"
            } else {
                "Email"
            };
            field_above_keys(&s, label, "[ 1 ]");
            assert_snapshot!(name("email", lang, w), s);
        }
    }
}
