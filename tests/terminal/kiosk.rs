//! The real binary in a pseudo-terminal: the whole registration with keys only and with taps
//! only (then the store is checked), a postcard used twice, kiosk mode (no key leaves; SIGTERM and
//! SIGHUP restore the terminal), a dropped terminal, the idle reset, and the language switch.

use std::time::{Duration, Instant};

use crate::support::pty::{Postcard, Store, Term};
use crate::support::screen as screen_text;
use crate::support::{SATO, SUZUKI, contains_bytes, procs};
use rusqlite::Connection;

/// An empty configuration file (defaults), so that nothing of the machine's own config is read.
const DEFAULTS: &str = "";

fn login_keys(k: &mut Term, card: &Postcard) {
    k.wait_for(&["ログイン", "ユーザID", "パスワード"]);
    k.type_text(&card.temp_id);
    k.tab();
    k.type_text(&card.password);
    k.enter(); // [ログイン], the next control, is pressed at once
}

/// The start screen is drawn whole after it returns (the screen is cleared then, so every cell must
/// be drawn again: the header, its rule and the footer too, not only what changed).
#[track_caller]
fn assert_whole_start_screen(k: &Term) {
    let screen = k.wait_for(&["[ ログイン ]", "はじめてご利用の方は"]);
    let lines: Vec<&str> = screen.lines().collect();
    assert_eq!(lines.len(), 24, "{screen}");
    assert_eq!(lines[0], " KOSMO Communication Web | ログイン", "{screen}");
    assert!(lines[1].starts_with(" STEP1 アクセス"), "{screen}");
    assert_eq!(lines[2], "─".repeat(80), "{screen}");
    assert!(lines[23].starts_with(" Tab/↓:次へ"), "{screen}");
}

/// STEP1–5 and the menu with the keyboard alone. Returns the time from [実行] to the done screen.
fn walk_with_keys(k: &mut Term, card: &Postcard) -> Duration {
    login_keys(k, card);
    k.wait_for(&["本人確認", "保険者番号（8桁）"]);
    k.wait_focus("保険者番号");
    k.type_text("06139497");
    k.tab();
    k.type_text("S55.1.1");
    k.tab();
    k.wait_for(&["1980年1月1日（昭和55年）"]);
    k.space(); // 同意する
    k.wait_for(&["[x] 利用規約に同意する"]);
    k.enter(); // to [確認]
    k.enter(); // press it
    k.wait_for(&[
        "個人情報入力画面",
        "ユーザーIDは一度登録すると変更できません",
    ]);
    k.wait_focus("ユーザーID（必須）");
    k.type_text("sato1980");
    k.tab();
    k.wait_for(&["このユーザーIDは使えます"]);
    k.type_text("Kosmo2026pw");
    k.tab();
    k.type_text("Kosmo2026pw");
    k.tab();
    k.type_text("sato@example.com");
    k.tab(); // 登録者 (preset: 被保険者)
    k.tab(); // 医療費通知 (preset: 必要)
    k.tab(); // [入力内容確認]
    k.enter();
    // The whole frame, focus marker included (a frame is read while it is being written).
    k.wait_for(&[
        "入力確認画面",
        "sato1980",
        "***********",
        "sato@example.com",
        ">[ 実行 ]<",
    ]);
    let screen = k.screen();
    assert!(
        screen.contains(">[ 実行 ]<"),
        "[実行] is focused:\n{screen}"
    );
    k.enter(); // [実行]
    let pressed = Instant::now();
    k.wait_for(&["登録完了", "ご登録が完了しました", "sato1980"]);
    let took = pressed.elapsed();
    k.enter(); // [メニューへ]
    k.wait_for(&[
        "メインメニュー",
        "ログイン中のユーザーID",
        "sato1980",
        "ログアウト",
    ]);
    took
}

/// Everything [実行] must have written, read back from the store.
pub(crate) fn assert_registered(
    store: &Store,
    household: &str,
    user_id: &str,
    email: Option<&str>,
) {
    let members = store.json(&["admin", "members", "--json"]);
    let row = members
        .as_array()
        .expect("array")
        .iter()
        .find(|m| m["household"] == household)
        .expect("household listed");
    assert_eq!(row["status"], "registered", "{row}");
    assert_eq!(row["user_id"], user_id, "{row}");

    let db = Connection::open(store.db()).expect("open the store");
    let (hid, registrant, channel): (i64, String, String) = db
        .query_row(
            "SELECT household_id, registrant, channel FROM accounts WHERE user_id = ?1",
            [user_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("account");
    assert_eq!(channel, "kiosk");
    assert_eq!(registrant, "insured");
    let credential: String = db
        .query_row(
            "SELECT state FROM temp_credentials WHERE household_id = ?1",
            [hid],
            |r| r.get(0),
        )
        .expect("credential");
    assert_eq!(credential, "used", "the postcard is spent");
    let terms: i64 = db
        .query_row(
            "SELECT count(*) FROM terms_agreements WHERE household_id = ?1 AND channel = 'kiosk'",
            [hid],
            |r| r.get(0),
        )
        .expect("terms");
    assert_eq!(terms, 1, "the agreement to the terms is recorded");
    let audit: i64 = db
        .query_row(
            "SELECT count(*) FROM audit WHERE household_id = ?1 AND event = 'register' \
             AND outcome = 'ok' AND channel = 'kiosk'",
            [hid],
            |r| r.get(0),
        )
        .expect("audit");
    assert_eq!(audit, 1, "one audit row for the registration");

    let outbox = store.json(&["outbox", "list", "--json"]);
    let mails: Vec<_> = outbox
        .as_array()
        .expect("array")
        .iter()
        .filter(|m| m["kind"] == "welcome")
        .collect();
    match email {
        Some(to) => {
            assert_eq!(mails.len(), 1, "{outbox}");
            assert_eq!(mails[0]["to"], to);
            assert_eq!(mails[0]["state"], "queued");
            assert_eq!(mails[0]["subject"], "KOSMO Communication Web へようこそ");
        }
        None => assert!(mails.is_empty(), "{outbox}"),
    }
}

#[test]
fn registration_with_keys_only() {
    let store = Store::prepare(DEFAULTS);
    let card = store.card(SATO);
    let mut k = store.kiosk(&[]);
    let took = walk_with_keys(&mut k, &card);
    eprintln!("[実行] to the done screen: {took:?}");
    // ログアウト: Tab four times from the first menu item (医療費照会), then Enter.
    for _ in 0..4 {
        k.tab();
    }
    k.enter();
    assert_whole_start_screen(&k);
    k.stop();
    assert_registered(&store, SATO, "sato1980", Some("sato@example.com"));
}

#[test]
fn registration_with_taps_only() {
    let store = Store::prepare(DEFAULTS);
    let card = store.card(SUZUKI);
    let mut k = store.kiosk(&[]);
    // STEP2: the labels and boxes are tapped; text goes only into the field a tap focused.
    k.wait_for(&["[ ログイン ]"]);
    k.tap("English"); // the language switch works by touch...
    k.wait_for(&["User ID", "[ Log in ]"]);
    k.tap("日本語"); // ...both ways
    k.wait_for(&["ユーザID", "[ ログイン ]"]);
    k.tap_box("パスワード"); // the box itself
    k.wait_focus("パスワード");
    k.type_text(&card.password);
    // The tap brought the on-screen keyboard; the first key typed puts it away for good.
    k.wait_gone("[ 閉じる ]");
    k.tap_label("ユーザID"); // the label
    k.wait_focus("ユーザID");
    k.type_text(&card.temp_id);
    k.tap("[ ログイン ]");

    // STEP3: a dependent's birth date (the household's second member) in the 8-digit form.
    k.wait_for(&["本人確認", "保険者番号（8桁）"]);
    k.tap_box("生年月日");
    k.wait_focus("生年月日");
    k.type_text("20150303");
    k.tap_label("保険者番号（8桁）");
    k.wait_focus("保険者番号");
    k.type_text("01130012");
    k.tap("[ 確認 ]"); // before agreeing: told to agree first
    k.wait_for(&["「利用規約に同意する」にチェックを入れてから"]);
    k.tap("[ ] 利用規約に同意する");
    k.wait_for(&["[x] 利用規約に同意する"]);
    k.tap("[ 確認 ]");

    // STEP4: the registrant is preset from the member whose birth date matched (被扶養者).
    k.wait_for(&["個人情報入力画面", "(*) 被扶養者"]);
    k.tap_label("ユーザーID（必須）");
    k.wait_focus("ユーザーID（必須）");
    k.type_text("suzuki2015");
    k.tap_label("パスワード（必須）");
    k.wait_for(&["このユーザーIDは使えます"]);
    k.wait_focus("パスワード（必須）");
    k.type_text("Kosmo2026pw");
    k.tap_box("パスワード確認用（必須）");
    k.wait_focus("パスワード確認用（必須）");
    k.type_text("Kosmo2026pw");
    k.tap("被保険者"); // a radio option picks itself
    k.wait_for(&["(*) 被保険者"]);
    k.tap("不要"); // no mail...
    k.wait_for(&["(*) 不要"]);
    k.tap("[ 入力内容確認 ]");
    k.wait_for(&["入力確認画面", "（登録しない）", "不要"]);
    k.tap("[ 戻る ]"); // [戻る] keeps every value
    k.wait_for(&[
        "個人情報入力画面",
        "[suzuki2015",
        "(*) 被保険者",
        "(*) 不要",
    ]);
    k.tap("必要"); // ...changed my mind: mail wanted, so an address
    k.wait_for(&["(*) 必要"]);
    k.tap_label("メールアドレス（任意）");
    k.wait_focus("メールアドレス（任意）");
    k.type_text("misaki@example.com");
    k.tap("[ 入力内容確認 ]");
    k.wait_for(&["入力確認画面", "misaki@example.com", "被保険者"]);
    k.tap("[ 実行 ]");
    k.wait_for(&["登録完了", "suzuki2015", "misaki@example.com"]);
    k.tap("[ メニューへ ]");
    k.wait_for(&["メインメニュー", "suzuki2015"]);
    k.tap("[ ログアウト ]");
    k.wait_for(&["ユーザID", "[ ログイン ]"]);
    k.stop();
    assert_registered(&store, SUZUKI, "suzuki2015", Some("misaki@example.com"));
}

#[test]
fn a_postcard_cannot_be_used_twice() {
    let store = Store::prepare(DEFAULTS);
    let card = store.card(SATO);
    let mut k = store.kiosk(&[]);
    walk_with_keys(&mut k, &card);
    for _ in 0..4 {
        k.tab();
    }
    k.enter(); // ログアウト
    login_keys(&mut k, &card);
    let screen = k.wait_for(&["ユーザIDまたはパスワードが正しくありません"]);
    assert!(!screen.contains("保険者番号（8桁）"), "{screen}");
    // The new permanent credentials open the menu.
    k.type_text("Kosmo2026pw"); // focus is on the (emptied) password field
    k.back_tab();
    k.send(b"\x15"); // Ctrl-U empties the ID field
    k.type_text("sato1980");
    k.enter();
    k.enter();
    k.enter();
    k.wait_for(&["メインメニュー", "sato1980"]);
    k.stop();
    let db = Connection::open(store.db()).unwrap();
    let refused: i64 = db
        .query_row(
            "SELECT count(*) FROM audit WHERE event = 'login' AND outcome = 'failed' \
             AND detail LIKE 'temporary%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(refused, 1, "the second use of the postcard was refused");
}

/// The terminal is given back: alternate screen left, cursor shown, mouse reporting and bracketed
/// paste off, both in the bytes written at exit and in the emulator's state.
fn assert_restored(k: &Term, from: usize) {
    let tail = k.bytes_since(from);
    let text = String::from_utf8_lossy(&tail);
    for (seq, what) in [
        (&b"\x1b[?1049l"[..], "leave the alternate screen"),
        (b"\x1b[?25h", "show the cursor"),
        (b"\x1b[?1000l", "stop mouse reporting"),
        (b"\x1b[?1006l", "stop SGR mouse reporting"),
        (b"\x1b[?2004l", "stop bracketed paste"),
    ] {
        assert!(contains_bytes(&tail, seq), "{what}: not in {text:?}");
    }
    let o = k.out.lock().unwrap();
    let s = o.vt.screen();
    assert!(!s.alternate_screen(), "still on the alternate screen");
    assert!(!s.hide_cursor(), "the cursor is still hidden");
    assert_eq!(s.mouse_protocol_mode(), vt100::MouseProtocolMode::None);
    assert!(!s.bracketed_paste());
}

#[test]
fn kiosk_mode_keeps_every_key_and_sigterm_restores_the_terminal() {
    let store = Store::prepare(DEFAULTS);
    let mut k = store.kiosk(&[]);
    assert_whole_start_screen(&k);
    {
        let o = k.out.lock().unwrap();
        assert!(o.vt.screen().alternate_screen());
        assert_ne!(
            o.vt.screen().mouse_protocol_mode(),
            vt100::MouseProtocolMode::None
        );
    }
    k.type_text("abc");
    // Ctrl-C, Ctrl-Z, Ctrl-\ (and Ctrl-D, Ctrl-Q, Ctrl-S): nothing leaves, nothing is typed.
    for ctrl in [0x03u8, 0x1a, 0x1c, 0x04, 0x11, 0x13] {
        k.send(&[ctrl]);
    }
    k.type_text("d");
    k.wait_for(&["[abcd "]);
    assert!(k.alive(), "a control key ended the kiosk");

    let from = k.bytes_len();
    k.signal(libc::SIGTERM);
    let (took, ok) = k
        .wait_exit(Duration::from_secs(5))
        .expect("SIGTERM ends the kiosk within 5 s");
    assert!(ok, "clean exit status");
    eprintln!("SIGTERM to exit: {took:?}");
    assert_restored(&k, from);
}

#[test]
fn sighup_restores_the_terminal() {
    let store = Store::prepare(DEFAULTS);
    let mut k = store.kiosk(&[]);
    k.wait_for(&["[ ログイン ]"]);
    let from = k.bytes_len();
    k.signal(libc::SIGHUP);
    let (took, _) = k
        .wait_exit(Duration::from_secs(5))
        .expect("SIGHUP ends the kiosk within 5 s");
    eprintln!("SIGHUP to exit: {took:?}");
    assert_restored(&k, from);
}

#[test]
fn a_dropped_terminal_ends_the_kiosk_without_spinning() {
    let store = Store::prepare(DEFAULTS);
    let mut k = store.kiosk(&[]);
    k.wait_for(&["[ ログイン ]"]);
    k.type_text("half-typed");
    k.wait_for(&["[half-typed"]);
    let before = k.cpu_ticks().expect("cpu time");
    k.hang_up();
    // Watch the process (without reaping it) until it is gone or a zombie; its CPU time stays
    // readable as a zombie.
    let start = Instant::now();
    let mut after = before;
    while start.elapsed() < Duration::from_secs(5) {
        match k.proc_state() {
            Some('Z') | None => break,
            _ => {
                if let Some(t) = k.cpu_ticks() {
                    after = t;
                }
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    if let Some(t) = k.cpu_ticks() {
        after = t;
    }
    let ended = k.wait_exit(Duration::from_secs(1));
    let gone_after = start.elapsed();
    assert!(
        ended.is_some(),
        "the kiosk still runs {gone_after:?} after its terminal went away"
    );
    let used = (after - before) as f64 / procs::ticks_per_sec() as f64;
    eprintln!("dropped terminal: gone after {gone_after:?}, CPU meanwhile {used:.2} s");
    assert!(
        used < 0.5,
        "the kiosk used {used:.2} s of CPU after its terminal went away (spinning?)"
    );
}

#[test]
fn idle_timeout_wipes_and_returns_to_the_start_screen() {
    let store = Store::prepare("[kiosk]\nidle_timeout_secs = 5\ncountdown_secs = 3\n");
    let card = store.card(SATO);
    let mut k = store.kiosk(&[]);
    login_keys(&mut k, &card);
    k.wait_for(&["保険者番号（8桁）"]);
    k.type_text("06139497");
    k.tab();
    k.type_text("S55.1.1");
    k.wait_for(&["[S55.1.1"]);
    let typed = Instant::now();
    // The countdown shows in the last 3 seconds...
    let screen = k.wait_for(&["秒で入力内容を消去して最初の画面に戻ります"]);
    let shown_after = typed.elapsed();
    assert!(screen.contains("06139497"), "{screen}");
    let from = k.bytes_len();
    // ...then everything is wiped and the start screen returns, scrollback purged.
    let screen = k.wait_for(&["[ ログイン ]", "はじめてご利用の方は"]);
    let reset_after = typed.elapsed();
    assert_whole_start_screen(&k);
    assert!(
        !screen.contains("06139497") && !screen.contains("S55"),
        "{screen}"
    );
    assert!(!screen.contains("秒で"), "{screen}");
    let purge = k.bytes_since(from);
    assert!(
        contains_bytes(&purge, b"\x1b[3J"),
        "the scrollback is purged on the return to the start screen"
    );
    eprintln!("countdown after {shown_after:?}, reset after {reset_after:?}");
    assert!(
        shown_after >= Duration::from_millis(1500),
        "countdown too early: {shown_after:?}"
    );
    assert!(
        reset_after >= Duration::from_millis(4500),
        "reset too early: {reset_after:?}"
    );
    // The postcard was not spent: it starts a registration again.
    login_keys(&mut k, &card);
    k.wait_for(&["本人確認", "保険者番号（8桁）"]);
    k.stop();
}

#[test]
fn input_during_the_countdown_keeps_the_session() {
    let store = Store::prepare("[kiosk]\nidle_timeout_secs = 5\ncountdown_secs = 4\n");
    let card = store.card(SATO);
    let mut k = store.kiosk(&[]);
    login_keys(&mut k, &card);
    k.wait_for(&["保険者番号（8桁）"]);
    k.type_text("0613");
    k.wait_for(&["秒で入力内容を消去"]);
    k.type_text("9497");
    k.wait_gone("秒で入力内容を消去");
    let screen = k.wait_for(&["[06139497", "保険者番号（8桁）"]);
    assert!(!screen.contains("はじめてご利用の方は"), "{screen}");
    k.stop();
}

#[test]
fn english_by_flag_and_the_language_switch_by_key_and_tap() {
    let store = Store::prepare(DEFAULTS);
    let mut k = store.kiosk(&["--lang", "en"]);
    k.wait_for(&["Log in", "User ID", "Password", "(*) English"]);
    // By key: Shift-Tab from the user ID reaches the switch; ← picks 日本語.
    k.back_tab();
    k.wait_focus("Language");
    k.left();
    k.wait_for(&["ユーザID", "(*) 日本語", "ログイン"]);
    // By tap.
    k.tap("English");
    k.wait_for(&["User ID", "(*) English"]);
    // The flow continues in English.
    let card = store.card(SATO);
    k.tap_label("User ID");
    k.type_text(&card.temp_id);
    k.tap_label("Password");
    k.type_text(&card.password);
    k.tap("[ Log in ]");
    k.wait_for(&[
        "Identity check",
        "Insurer number (8 digits)",
        "Terms of use",
    ]);
    k.stop();
}

#[test]
fn the_cursor_sits_in_the_focused_field_on_a_real_terminal() {
    let store = Store::prepare(DEFAULTS);
    let card = store.card(SATO);
    let mut k = store.kiosk(&[]);
    login_keys(&mut k, &card);
    k.wait_for(&["保険者番号（8桁）"]);
    k.tab();
    k.type_text("昭和55年");
    let screen = k.wait_for(&["[昭和55年"]);
    let (open, _, row) = screen_text::field_box(&screen, "生年月日").expect("box");
    // 昭 和 年 are two columns each, 5 5 one each: 8 columns after the bracket.
    let want = (open + 1 + 8, row);
    k.wait_cursor(want);
    assert_eq!(k.cursor(), Some(want), "{}", k.screen());
    k.stop();
}

/// No busy polling: left alone (on the start screen, and mid-form with the idle timer armed), the
/// kiosk's threads stay asleep. A correctness check with generous bounds; the figures themselves
/// come from scripts/measure.sh.
#[test]
fn an_idle_kiosk_sleeps() {
    let store = Store::prepare(DEFAULTS);
    let mut k = store.kiosk(&[]);
    assert_whole_start_screen(&k);
    for phase in ["start screen", "mid-form"] {
        if phase == "mid-form" {
            k.type_text("x");
            k.wait_for(&["[x "]);
        }
        // Measuring windows, not waits: the frame after the key settles, then two idle seconds.
        std::thread::sleep(Duration::from_millis(200));
        let (ns0, sw0) = procs::thread_cpu_ns_and_switches(k.pid).expect("schedstat");
        std::thread::sleep(Duration::from_secs(2));
        let (ns1, sw1) = procs::thread_cpu_ns_and_switches(k.pid).expect("schedstat");
        let (cpu_ms, wakeups) = ((ns1 - ns0) as f64 / 1e6, sw1 - sw0);
        eprintln!("{phase}: {cpu_ms:.3} ms CPU, {wakeups} wake-ups in 2 s");
        assert!(
            wakeups <= 10 && cpu_ms < 50.0,
            "{phase}: the idle kiosk woke {wakeups} times and used {cpu_ms:.1} ms of CPU in 2 s"
        );
    }
    k.stop();
}
