//! A touchscreen and nothing else: the real binary registers a household, and the member logs in
//! again, with **no key sent at all**, only taps (SGR mouse presses and releases) on the fields,
//! the on-screen keyboard, the birth-date picker and the buttons. Then the store is checked.

use std::time::{Duration, Instant};

use crate::kiosk::assert_registered;
use crate::support::SUZUKI;
use crate::support::pty::{Store, Term};
use crate::support::screen as screen_text;

/// A finger: taps on what shows, and waits out the touch bounce before tapping the same key again.
struct Finger<'a> {
    k: &'a mut Term,
    last: Option<(String, Instant)>,
}

impl Finger<'_> {
    /// Taps the `nth` place where `text` shows.
    #[track_caller]
    fn tap_nth(&mut self, text: &str, nth: usize) {
        if let Some((last, at)) = &self.last {
            let wait =
                (kosmo_kiosk::tui::BOUNCE + Duration::from_millis(40)).saturating_sub(at.elapsed());
            if last == text {
                std::thread::sleep(wait);
            }
        }
        let screen = self
            .k
            .wait_until(&format!("{text:?} #{nth}"), Duration::from_secs(30), |s| {
                screen_text::find(s, text, nth).is_some()
            });
        let (col, row) = screen_text::find(&screen, text, nth).expect("shown");
        self.k.tap_at(col, row);
        self.last = Some((text.to_owned(), Instant::now()));
    }

    #[track_caller]
    fn tap(&mut self, text: &str) {
        self.tap_nth(text, 1);
    }

    /// Types `text` on the on-screen keyboard: a capital is the shift key, then the letter.
    #[track_caller]
    fn type_keys(&mut self, text: &str) {
        for c in text.chars() {
            if c.is_ascii_uppercase() {
                self.tap("[ ABC ]");
                self.k.wait_for(&["> abc <"]);
            }
            self.tap(&format!("[ {c} ]"));
            if c.is_ascii_uppercase() {
                self.k.wait_for(&["[ ABC ]"]); // the shift was for one letter
            }
        }
    }

    /// The picker's stepper `caption` on its `row` (1 year, 2 month, 3 day), `times` times.
    #[track_caller]
    fn step(&mut self, caption: &str, row: usize, times: usize) {
        for _ in 0..times {
            self.tap_nth(caption, row);
        }
    }
}

#[test]
fn registration_and_login_with_no_key_at_all() {
    let store = Store::prepare("");
    let card = store.card(SUZUKI);
    let mut k = store.kiosk(&[]);
    k.wait_for(&["[ ログイン ]"]);
    let mut f = Finger {
        k: &mut k,
        last: None,
    };

    // STEP2: a tap on the field brings the keyboard; 次へ goes on to the password.
    f.k.tap_label("ユーザID");
    f.k.wait_for(&["[ 閉じる ]", "[ q ]", "[ ABC ]"]);
    f.type_keys(&card.temp_id);
    f.k.wait_for(&[&format!("[{}", card.temp_id)]);
    f.tap("[ 次へ ]");
    f.k.wait_focus("パスワード");
    f.type_keys(&card.password);
    f.tap("[ 次へ ]");
    f.k.wait_gone("[ 閉じる ]"); // the focus is on the button: the keyboard goes
    f.tap("[ ログイン ]");

    // STEP3: the digits keyboard for the insurer number, then the picker for the birth date.
    f.k.wait_for(&["本人確認", "保険者番号（8桁）"]);
    f.k.tap_label("保険者番号（8桁）");
    let digits = f.k.wait_for(&["[ 0 ]", "[ 次へ ]"]);
    assert!(!digits.contains("[ q ]"), "digits only:\n{digits}");
    f.type_keys("01130012");
    f.k.wait_for(&["[01130012"]);
    f.tap("[ 次へ ]");
    f.k.wait_for(&["> 昭和 <", "[ 平成 ]", "1960年1月1日（昭和35年）"]);
    // 鈴木 美咲: 1990-07-15 (平成2年).
    f.tap("[ 平成 ]");
    f.k.wait_for(&["> 平成 <", "1989年1月8日（平成元年）"]);
    f.step("[ +1 ]", 1, 1);
    f.step("[ +1 ]", 2, 6);
    f.step("[ +1 ]", 3, 7);
    f.k.wait_for(&["1990年7月15日（平成2年）", "[1990/07/15"]);
    f.tap("[ 決定 ]");
    f.k.wait_gone("[ 決定 ]");
    f.tap("[ ] 利用規約に同意する");
    f.k.wait_for(&["[x] 利用規約に同意する"]);
    f.tap("[ 確認 ]");

    // STEP4: letters for the user ID and the password (a capital by the shift key), the email
    // keyboard for the address.
    f.k.wait_for(&["個人情報入力画面", "(*) 被保険者"]);
    f.k.tap_label("ユーザーID（必須）");
    f.type_keys("suzuki1990");
    f.k.wait_for(&["[suzuki1990"]);
    f.tap("[ 次へ ]");
    f.k.wait_focus("パスワード（必須）");
    f.type_keys("Kosmo2026pw");
    f.tap("[ 次へ ]");
    f.k.wait_focus("パスワード確認用（必須）");
    f.type_keys("Kosmo2026pw");
    f.tap("[ 次へ ]");
    f.k.wait_focus("メールアドレス（任意）");
    f.k.wait_for(&["[ @ ]", "[ . ]"]);
    f.type_keys("misaki@example.com");
    f.k.wait_for(&["[misaki@example.com"]);
    f.tap("[ 次へ ]");
    f.k.wait_gone("[ 閉じる ]");
    f.tap("[ 入力内容確認 ]");
    f.k.wait_for(&["入力確認画面", "suzuki1990", "misaki@example.com"]);
    f.tap("[ 実行 ]");
    f.k.wait_for(&["登録完了", "suzuki1990"]);
    f.tap("[ メニューへ ]");
    f.k.wait_for(&["メインメニュー"]);
    f.tap("[ ログアウト ]");

    // The new password, upper-case letter and all, works: logged in by taps again.
    f.k.wait_for(&["[ ログイン ]"]);
    f.k.tap_label("ユーザID");
    f.type_keys("suzuki1990");
    f.tap("[ 次へ ]");
    f.k.wait_focus("パスワード");
    f.type_keys("Kosmo2026pw");
    f.tap("[ 次へ ]");
    f.k.wait_gone("[ 閉じる ]");
    f.tap("[ ログイン ]");
    f.k.wait_for(&["メインメニュー", "suzuki1990"]);
    k.stop();
    assert_registered(&store, SUZUKI, "suzuki1990", Some("misaki@example.com"));
}
