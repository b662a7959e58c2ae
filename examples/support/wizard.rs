//! The five steps through keys alone, as the measuring examples drive the release binary in a
//! pseudo-terminal (`measure`, `sessions`, `scale`): the one place that knows which keys reach which
//! screen. Shared with `#[path]`, beside the test support's pty driver (`mod pty` at the crate root).

#![allow(dead_code)]

use crate::pty::{Postcard, Term};

/// Every registration's password.
pub const PASSWORD: &str = "Kosmo2026pw";

/// From the start screen to the confirm screen of `card`'s household, focus on [実行]: STEP2 the
/// postcard's login (the ID field emptied first), STEP3 `insurer` and `birth` as typed and the
/// terms agreed, STEP4 `user_id`, [`PASSWORD`] twice and `user_id@example.com`.
pub fn to_confirm(k: &mut Term, card: &Postcard, insurer: &str, birth: &str, user_id: &str) {
    k.wait_for(&["[ ログイン ]"]);
    k.send(b"\x15"); // Ctrl-U: empty the ID field
    k.type_text(&card.temp_id);
    k.tab();
    k.type_text(&card.password);
    k.enter();
    k.enter();
    k.wait_for(&["保険者番号（8桁）"]);
    k.type_text(insurer);
    k.tab();
    k.type_text(birth);
    k.tab();
    k.space();
    k.enter();
    k.enter();
    k.wait_for(&["個人情報入力画面", "ユーザーID（必須）"]);
    k.type_text(user_id);
    k.tab();
    k.type_text(PASSWORD);
    k.tab();
    k.type_text(PASSWORD);
    k.tab();
    k.type_text(&format!("{user_id}@example.com"));
    k.tab();
    k.tab();
    k.tab();
    k.enter();
    k.wait_for(&["入力確認画面", ">[ 実行 ]<"]);
}

/// From the done screen back to the start screen: the main menu, then ログアウト, its fifth button
/// (after 医療費照会, 支給決定通知, 個人情報管理 and パスワード変更).
pub fn log_out_after_done(k: &mut Term) {
    k.enter();
    k.wait_for(&["メインメニュー"]);
    for _ in 0..4 {
        k.tab();
    }
    k.enter();
}
