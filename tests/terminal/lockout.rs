//! The identity-check lockout through the real binary in a pseudo-terminal (issue 8 item 2): wrong
//! birth dates at STEP3, Esc back to the start screen, the same postcard again, and the count
//! goes on where it was (a postcard login does not forgive the identity check's failures); the
//! fifth wrong date locks. The rule in the service: `tests/services/lockout.rs`.

use crate::support::SATO;
use crate::support::pty::{Postcard, Store, Term, key};

/// What the kiosk shows in one language, as the member reads it.
struct Words {
    args: &'static [&'static str],
    login: [&'static str; 3],
    identity: &'static str,
    insurer: &'static str,
    /// The mismatch message's "attempts left", `{n}` for the number.
    left: &'static str,
    /// The second Esc leaves; the first one asks.
    leave_question: &'static str,
    locked: &'static str,
    refused: &'static str,
}

const JA: Words = Words {
    args: &[],
    login: ["ログイン", "ユーザID", "パスワード"],
    identity: "保険者番号（8桁）",
    insurer: "保険者番号",
    left: "あと {n} 回まちがえると",
    leave_question: "もう一度「戻る」を押してください",
    locked: "この仮ユーザIDはしばらくご利用いただけません",
    refused: "ユーザIDまたはパスワードが正しくありません",
};

const EN: Words = Words {
    args: &["--lang", "en"],
    login: ["Log in", "User ID", "Password"],
    identity: "Insurer number (8 digits)",
    insurer: "Insurer number",
    left: "({n} more wrong tries",
    leave_question: "press Back again",
    locked: "this temporary user ID is locked for a while",
    refused: "The user ID or password is not correct",
};

/// 佐藤 一郎 was born on 1980-01-01; nobody of his household on the 2nd.
const WRONG_BIRTH: &str = "19800102";

/// The screen without any white space: a message wrapped over two rows reads as one.
fn compact(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Waits until `text` shows, wherever the message wraps it.
#[track_caller]
fn wait_text(k: &Term, text: &str) -> String {
    let want = compact(text);
    k.wait_until(&format!("{text:?}"), crate::support::pty::WAIT, |s| {
        compact(s).contains(&want)
    })
}

/// STEP2 with the postcard, up to the identity check.
fn postcard_login(k: &mut Term, w: &Words, card: &Postcard) {
    k.wait_for(&w.login);
    k.keys(&[&card.temp_id, key::TAB, &card.password, key::ENTER]);
    k.wait_for(&[w.identity]);
    k.wait_focus(w.insurer);
}

/// At STEP3: the insurer number, a wrong birth date, the terms agreed, [確認]; the focus stays on
/// [確認] after a mismatch, so the next wrong try is Enter again.
fn first_wrong_try(k: &mut Term) {
    k.keys(&[
        "06139497",
        key::TAB,
        WRONG_BIRTH,
        key::TAB,
        key::SPACE,
        key::TAB,
        key::ENTER,
    ]);
}

/// Wrong birth dates until `from`, `from - 1`, … `to` attempts are left, each read on the screen.
fn wrong_tries(k: &mut Term, w: &Words, from: u32, to: u32) {
    first_wrong_try(k);
    for n in (to..=from).rev() {
        if n != from {
            k.enter();
        }
        let screen = wait_text(k, &w.left.replace("{n}", &n.to_string()));
        assert!(!compact(&screen).contains(&compact(w.locked)), "{screen}");
    }
}

/// Esc twice: the question, then the start screen (the postcard login is gone).
fn esc_to_start(k: &mut Term, w: &Words) {
    k.keys(&[key::ESC]);
    wait_text(k, w.leave_question);
    k.keys(&[key::ESC]);
    k.wait_for(&w.login);
    k.wait_gone(w.identity);
}

/// Three wrong dates, Esc, the same postcard: the fourth says 「あと1回」, not 「あと4回」. Esc, the
/// postcard again (four failures, as in the issue): the fifth wrong date locks, and the postcard
/// is refused from then on.
fn lockout_survives_a_new_login(w: &Words) {
    let store = Store::prepare("");
    let card = store.card(SATO);
    let mut k = store.kiosk(w.args);

    postcard_login(&mut k, w, &card);
    wrong_tries(&mut k, w, 4, 2);
    esc_to_start(&mut k, w);

    postcard_login(&mut k, w, &card);
    wrong_tries(&mut k, w, 1, 1);
    esc_to_start(&mut k, w);

    postcard_login(&mut k, w, &card);
    first_wrong_try(&mut k);
    wait_text(&k, w.locked);
    k.wait_for(&w.login);

    // Locked: the right postcard no longer reaches the identity check.
    k.keys(&[&card.temp_id, key::TAB, &card.password, key::ENTER]);
    let screen = wait_text(&k, w.refused);
    assert!(!screen.contains(w.identity), "{screen}");
    k.stop();
}

#[test]
fn identity_failures_survive_esc_and_a_new_postcard_login() {
    lockout_survives_a_new_login(&JA);
}

#[test]
fn identity_failures_survive_a_new_login_in_english() {
    lockout_survives_a_new_login(&EN);
}
