//! Issue 12: `--plain`, the line-by-line front end for screen readers, driven like `expect`: wait
//! for a question, answer it, and check what came back; then the store. The real binary in a
//! pseudo-terminal with the terminal's ordinary line editing and echo.

use std::time::{Duration, Instant};

use crate::support::SATO;
use crate::support::contains_bytes as contains;
use crate::support::pty::{Store, Term};

/// Waits until the program asks `prompt` anew (the screen ends with it, and it came after the
/// previous answer), then types `answer` and Enter. Returns what the program wrote since the
/// previous answer, up to and with the question.
pub(crate) fn answer(k: &mut Term, prompt: &str, answer: &str) -> String {
    let mark = MARK.with(|m| m.get());
    let want = prompt.trim_end();
    let end = Instant::now() + Duration::from_secs(30);
    let said = loop {
        let screen = k.screen();
        // The question may wrap: the screen's rows joined, as one text.
        let flat: String = screen.lines().map(str::trim_end).collect();
        let said = String::from_utf8_lossy(&k.bytes_since(mark)).into_owned();
        if flat.ends_with(want) && said.contains(want) {
            break said;
        }
        assert!(
            Instant::now() < end,
            "never asked {want:?}; the screen:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    // The mark is taken before the answer goes out: a program that answers at once (the password
    // question follows the ID without any work) may have written its next question before this
    // thread looks again, and that question must come after the mark.
    MARK.with(|m| m.set(k.bytes_len()));
    k.type_text(answer);
    k.send(b"\r");
    said
}

/// Starts [`answer`]'s reading anew, for a second program in the same test.
pub(crate) fn next_program() {
    MARK.with(|m| m.set(0));
}

thread_local! {
    /// Where the output stood when the last answer was sent.
    static MARK: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[test]
fn a_household_registers_in_plain_lines_and_the_store_has_it() {
    let store = Store::prepare("");
    let card = store.card(SATO);
    let mut k = store.kiosk_in(&["--plain"], 80, 24, false);
    let first = answer(&mut k, "ユーザID:", &card.temp_id);
    assert!(
        first.contains("STEP2 仮ID入力（全5ステップの2番目）"),
        "{first}"
    );
    // Nothing of the full screen: no alternate screen, no cursor addressing, no colour.
    let bytes = k.bytes_since(0);
    for seq in [
        &b"\x1b[?1049h"[..],
        b"\x1b[1;1H",
        b"\x1b[38;",
        b"\x1b[?1000h",
    ] {
        assert!(
            !contains(&bytes, seq),
            "{:?} was sent",
            String::from_utf8_lossy(seq)
        );
    }
    answer(&mut k, "（入力した文字は表示されません）:", &card.password);
    // STEP3: a typo in the insurer number is caught before it counts, then the right numbers.
    let s = answer(&mut k, "保険者番号（8桁）:", "06139498");
    assert!(s.contains("STEP3 本人確認（全5ステップの3番目）"), "{s}");
    let s = answer(&mut k, "保険者番号（8桁）:", "06139497");
    assert!(
        s.contains("エラー："),
        "the error, then the question again\n{s}"
    );
    answer(&mut k, "生年月日:", "S55.1.1");
    let s = answer(&mut k, "（Enter のみで 2）:", "1");
    assert!(s.contains("1980年1月1日"), "the date as understood\n{s}");
    assert!(s.contains("利用規約は以上です。"), "{s}");
    // STEP4, each field checked when answered.
    answer(&mut k, "ユーザーID（必須）:", "sato");
    let s = answer(&mut k, "ユーザーID（必須）:", "sato1980");
    assert!(s.contains("エラー：ユーザーIDが短すぎます"), "{s}");
    let s = answer(&mut k, "入力した文字は表示されません）:", "Kenpo2026x");
    assert!(s.contains("このユーザーIDは使えます"), "{s}");
    answer(&mut k, "もう一度入力してください）:", "Kenpo2026y");
    let s = answer(&mut k, "もう一度入力してください）:", "Kenpo2026x");
    assert!(
        s.contains("エラー：パスワードとパスワード確認用が一致しません"),
        "{s}"
    );
    answer(&mut k, "なければ Enter のみ）:", "sato@example.com");
    answer(&mut k, "（Enter のみで 1）:", ""); // 被保険者, as the birth date said
    answer(&mut k, "（Enter のみで 1）:", ""); // 医療費通知のメール 必要
    // 入力確認: read back, the password as stars, never in clear.
    let s = answer(&mut k, "（Enter のみで 1）:", "1");
    assert!(s.contains("ユーザーID（必須）：sato1980"), "{s}");
    assert!(s.contains("パスワード（必須）：**********"), "{s}");
    assert!(
        s.contains("メールアドレス（任意）：sato@example.com"),
        "{s}"
    );
    assert!(
        !s.contains("Kenpo2026x"),
        "the password is never shown\n{s}"
    );
    let s = answer(&mut k, "Enter を押すとメインメニューに進みます:", "");
    assert!(s.contains("ご登録が完了しました。"), "{s}");
    assert!(s.contains("あなたのユーザーID：sato1980"), "{s}");
    assert!(!String::from_utf8_lossy(&k.bytes_since(0)).contains("Kenpo2026x"));
    // The main menu, logged in; ログアウト returns to the start for the next person.
    let s = answer(&mut k, "（Enter のみで 4）:", "4");
    assert!(s.contains("ログイン中のユーザーID：sato1980"), "{s}");
    k.wait_until("the start again", Duration::from_secs(10), |s| {
        s.contains("STEP1 アクセス") && s.trim_end().ends_with("ユーザID:")
    });
    super::kiosk::assert_registered(&store, SATO, "sato1980", Some("sato@example.com"));
    // The postcard is spent: the same login is refused with the one generic message.
    answer(&mut k, "ユーザID:", &card.temp_id);
    let s = answer(&mut k, "（入力した文字は表示されません）:", &card.password);
    let s = k.wait_until("the refusal", Duration::from_secs(10), |now| {
        now.contains("エラー：ユーザIDまたはパスワードが正しくありません") && now != s
    });
    assert!(s.trim_end().ends_with("ユーザID:"), "{s}");
    k.stop();
}

#[test]
fn plain_kiosk_keeps_every_key_and_wipes_after_the_idle_timeout() {
    let store = Store::prepare("[kiosk]\nidle_timeout_secs = 6\ncountdown_secs = 3\n");
    let card = store.card(SATO);
    let mut k = store.kiosk_in(&["--plain"], 80, 24, false);
    answer(&mut k, "ユーザID:", &card.temp_id);
    // Ctrl-C, Ctrl-Z, Ctrl-\ and Ctrl-D do nothing to a kiosk. No waiting window: a terminal
    // raises a signal for such a key before it passes on anything typed after it, so the question
    // that follows the password proves the kiosk lived through them.
    k.send(b"\x03\x1a\x1c\x04");
    // The password question turns the echo off; what is typed from then on is not shown.
    k.wait_echo_off();
    k.send(b"\x15"); // Ctrl-U: the line is erased
    answer(&mut k, "（入力した文字は表示されません）:", &card.password);
    answer(&mut k, "保険者番号（8桁）:", "06139497");
    assert!(k.alive(), "the kiosk is still there");
    // Nobody answers: the countdown line, then the wipe, then the start with a cleared screen.
    let s = k.wait_until("the countdown", Duration::from_secs(15), |s| {
        s.contains("あと 3 秒で入力内容を消去して最初に戻ります")
    });
    assert!(s.contains("Enter を押してください"), "{s}");
    k.wait_until("the start again", Duration::from_secs(15), |s| {
        s.trim_end().ends_with("ユーザID:") && !s.contains("保険者番号（8桁）")
    });
    assert!(
        contains(&k.bytes_since(0), b"\x1b[3J"),
        "the scrollback is cleared"
    );
    k.stop();
}

#[test]
fn staff_register_a_member_in_plain_lines() {
    use crate::support::{Fixture, STAFF_PASSWORD, SUZUKI};
    let fx = Fixture::counter(&["alice"]);
    let card = fx.card(SUZUKI).clone();
    let db = fx.db.display().to_string();
    let cmd = crate::support::pty::command(fx.dir.path(), &["--db", &db, "staff", "--plain"]);
    let mut k = Term::spawn_with("staff-plain", cmd, 80, 24, false);
    answer(&mut k, "係員ID:", "alice");
    answer(&mut k, "（入力した文字は表示されません）:", STAFF_PASSWORD);
    let s = answer(&mut k, "（Enter のみで 1）:", "1"); // 代理登録
    assert!(s.contains("ログイン中の係員：alice"), "{s}");
    answer(&mut k, "仮ユーザID:", &card.temp_id);
    answer(&mut k, "仮パスワード:", &card.password);
    answer(&mut k, "保険者番号（8桁）:", "01130012");
    answer(&mut k, "生年月日:", "1990/7/15");
    answer(&mut k, "（Enter のみで 2）:", "1");
    answer(&mut k, "ユーザーID（必須）:", "suzuki1990");
    answer(&mut k, "入力した文字は表示されません）:", "Misaki2026x");
    answer(&mut k, "もう一度入力してください）:", "Misaki2026x");
    answer(&mut k, "なければ Enter のみ）:", "");
    answer(&mut k, "（Enter のみで 1）:", ""); // 被保険者
    answer(&mut k, "（Enter のみで 1）:", "2"); // 不要: no address
    let s = answer(&mut k, "（Enter のみで 1）:", "1"); // 実行
    assert!(s.contains("メールアドレス（任意）：（登録しない）"), "{s}");
    let s = answer(&mut k, "Enter を押すと係員メニューに戻ります:", "");
    assert!(s.contains("あなたのユーザーID：suzuki1990"), "{s}");
    let s = answer(&mut k, "（Enter のみで 1）:", "5"); // ログアウト
    assert!(
        s.contains("係員メニュー"),
        "back in the staff menu, not the member's\n{s}"
    );
    k.wait_until("the staff login again", Duration::from_secs(10), |s| {
        s.trim_end().ends_with("係員ID:")
    });
    let db = rusqlite::Connection::open(&fx.db).expect("store");
    let (channel, staff): (String, Option<String>) = db
        .query_row(
            "SELECT channel, staff_id FROM accounts WHERE user_id = 'suzuki1990'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("the account");
    assert_eq!(
        (channel.as_str(), staff.as_deref()),
        ("staff", Some("alice"))
    );
    let logouts: i64 = db
        .query_row(
            "SELECT count(*) FROM audit WHERE event = 'staff_logout' AND staff_id = 'alice'",
            [],
            |r| r.get(0),
        )
        .expect("audit");
    assert_eq!(logouts, 1);
    k.stop();
}
