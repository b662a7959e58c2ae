//! Whole ways through the screens with keys, on a program in a pseudo-terminal ([`Term`]): a staff
//! member logging in and registering on a member's behalf, and a member registering at the kiosk.
//! Each step waits for the screen it leads to; a step that starts background work (hashing, the
//! store) is followed by a wait, never by a pause.
#![allow(dead_code)]

use super::fixture::STAFF_PASSWORD;
use super::households::Postcard;
use super::pty::{Term, key};

/// Logs a staff member in on the staff console's login screen and waits for the menu.
pub fn staff_login(p: &mut Term, staff_id: &str) {
    p.wait_for(&["係員ID"]);
    p.keys(&[staff_id, key::TAB, STAFF_PASSWORD, key::ENTER, key::ENTER]);
    p.wait_for(&["係員メニュー"]);
}

/// From the staff menu (focus on 代理登録) through STEP2 and STEP3 to STEP4.
pub fn staff_to_step4(p: &mut Term, card: &Postcard, insurer: &str, birth: &str) {
    p.keys(&[key::ENTER]);
    p.wait_for(&["仮パスワード"]);
    postcard_to_step4(p, card, insurer, birth);
}

/// STEP4 of an assisted registration with a password the member types, then confirm and execute.
pub fn staff_finish(p: &mut Term, user_id: &str, password: &str) {
    // After the user ID, the assisted form asks who sets the password: the member (the preset).
    step4_to_done(p, user_id, &[key::TAB], password);
}

/// The member kiosk: the postcard, STEP3, STEP4, confirm, execute.
pub fn kiosk_register(
    p: &mut Term,
    card: &Postcard,
    insurer: &str,
    birth: &str,
    user_id: &str,
    password: &str,
) {
    p.wait_for(&["パスワードを忘れた方"]);
    postcard_to_step4(p, card, insurer, birth);
    step4_to_done(p, user_id, &[], password);
}

/// STEP2 with the postcard, STEP3 with the insurer number, a birth date and the terms agreed.
fn postcard_to_step4(p: &mut Term, card: &Postcard, insurer: &str, birth: &str) {
    p.keys(&[
        &card.temp_id,
        key::TAB,
        &card.password,
        key::ENTER,
        key::ENTER,
    ]);
    p.wait_for(&["保険者番号（8桁）"]);
    p.keys(&[
        insurer,
        key::TAB,
        birth,
        key::TAB,
        key::SPACE,
        key::TAB,
        key::ENTER,
    ]);
    p.wait_for(&["個人情報入力画面"]);
}

/// STEP4: the user ID (checked when it is left), `between` (keys for the controls after it), the
/// password twice, no email, the registrant as preset, 医療費通知 → 不要, [入力内容確認]; then the
/// confirm screen and [実行].
fn step4_to_done(p: &mut Term, user_id: &str, between: &[&str], password: &str) {
    p.keys(&[user_id, key::TAB]);
    p.wait_for(&["このユーザーIDは使えます"]);
    p.keys(between);
    p.keys(&[
        password,
        key::TAB,
        password,
        key::TAB,
        key::TAB,
        key::TAB,
        key::RIGHT,
        key::TAB,
        key::ENTER,
    ]);
    p.wait_for(&["入力確認画面"]);
    p.keys(&[key::ENTER]);
    p.wait_for(&["ご登録が完了しました"]);
}
