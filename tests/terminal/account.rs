//! The real binary in a pseudo-terminal (portable-pty + vt100), 80×24, on a fresh store in a temp dir:
//! change the email address, change the password, the forced change after `admin expire-password`, and
//! the forgotten password with the code read from the queued mail. Each flow checks the store afterwards.

use crate::support::pty::{self, Term, key};
use crate::support::*;
use kosmo_kiosk::store::{outbox::MailState, reset_codes};

const PW: &str = "Kosmo2026ab";
const TAB: &str = key::TAB;
const ENTER: &str = key::ENTER;
const RIGHT: &str = key::RIGHT;
const CTRL_U: &str = key::CTRL_U;

/// The kiosk in an 80×24 pseudo-terminal on the fixture's store, with an explicit config file in its
/// temp dir (so nothing of the machine's own configuration is read).
fn start(f: &Fixture) -> Term {
    let mut cmd = pty::command(f.dir.path(), &[]);
    cmd.env("KOSMO_KIOSK_DB", &f.db);
    Term::spawn("kiosk", cmd, 80, 24)
}

fn login(k: &mut Term, id: &str, password: &str) {
    k.wait_for(&["ユーザID", "パスワード"]);
    // The start screen opens on the user ID; then the password, then the login button.
    k.keys(&[id, TAB, password, TAB, ENTER]);
}

/// Ctrl-C (allowed by this test's configuration) and wait for the process to end.
fn quit(mut k: Term) {
    k.keys(&[key::CTRL_C]);
    let (_, ok) = k
        .wait_exit(pty::WAIT)
        .unwrap_or_else(|| panic!("the kiosk did not exit; the screen:\n{}", k.screen()));
    assert!(ok, "the kiosk's exit status");
}

/// Ctrl-C leaves, so that each test can end its kiosk the way the demo does.
fn registered() -> Fixture {
    let f = Fixture::build()
        .households(&DEMO)
        .config_file("[kiosk]\nallow_exit = true\n")
        .open();
    f.register_account(YAMADA, "yamada2026", PW, Some("taro@example.jp"));
    f
}

#[test]
fn change_the_email_address() {
    let f = registered();
    let mut k = start(&f);
    login(&mut k, "yamada2026", PW);
    k.wait_for(&[
        "メインメニュー",
        "yamada2026",
        "個人情報管理",
        "パスワード変更",
        "ログアウト",
    ]);
    k.keys(&[TAB, TAB]); // 医療費照会 has the focus, then 支給決定通知
    k.keys(&[ENTER]); // 個人情報管理
    k.wait_for(&["通知情報", "******97-12-**01", "taro@example.jp"]);
    k.keys(&[CTRL_U]);
    k.keys(&["ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐ"]);
    k.keys(&[TAB]);
    k.keys(&[RIGHT]); // 不要
    k.keys(&[TAB]);
    k.keys(&[ENTER]);
    k.wait_for(&["入力確認画面", "hanako@example.jp", "変更前のアドレスにも"]);
    k.keys(&[ENTER]); // 実行 has the focus
    k.wait_for(&["ご登録の内容を変更しました", "hanako@example.jp あてに"]);
    quit(k);

    let a = f.account("yamada2026");
    assert_eq!(a.email.as_deref(), Some("hanako@example.jp"));
    assert!(!a.notify_mail);
    let new = f.mails("contact_changed");
    let old = f.mails("email_changed_old");
    assert_eq!((new.len(), old.len()), (1, 1));
    assert_eq!(new[0].to, "hanako@example.jp");
    assert_eq!(old[0].to, "taro@example.jp");
    assert!(new.iter().chain(&old).all(|m| m.state == MailState::Queued));
    assert_eq!(f.audits("contact_change", Some("ok")), 1);
}

#[test]
fn change_the_password() {
    let f = registered();
    let mut k = start(&f);
    login(&mut k, "yamada2026", PW);
    k.wait_for(&["メインメニュー"]);
    k.keys(&[TAB, TAB, TAB]); // past 医療費照会, 支給決定通知 and 個人情報管理
    k.keys(&[ENTER]); // パスワード変更
    k.wait_for(&["現在のパスワード", "新しいパスワード（確認用）"]);
    k.keys(&[PW]);
    k.keys(&[TAB]);
    k.keys(&["Fresh2027cd"]);
    k.keys(&[TAB]);
    k.keys(&["Fresh2027cd"]);
    k.keys(&[TAB]);
    k.keys(&[ENTER]);
    k.wait_for(&["パスワードを変更しました", "taro@example.jp あてに"]);
    assert!(!k.screen().contains("Fresh2027cd"), "never shown");
    k.keys(&[ENTER]);
    k.wait_for(&["メインメニュー"]);
    quit(k);

    assert!(f.logs_in("yamada2026", "Fresh2027cd"));
    assert!(!f.logs_in("yamada2026", PW), "the old password is refused");
    assert_eq!(f.mails("password_changed").len(), 1);
    assert_eq!(f.audits("password_change", Some("ok")), 1);
}

#[test]
fn forced_change_after_admin_expire_password() {
    let f = registered();
    let out = bin::command(f.dir.path())
        .env("KOSMO_KIOSK_DB", &f.db)
        .args(["admin", "expire-password", "yamada2026"])
        .output()
        .expect("run admin expire-password");
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("must change the password"));

    let mut k = start(&f);
    login(&mut k, "yamada2026", PW);
    k.wait_for(&["パスワード変更のお願い", "管理者の操作により", "ログアウト"]);
    k.keys(&[key::ESC]); // Esc: nowhere to go
    k.wait_for(&["メニューには進めません"]);
    assert!(!k.screen().contains("メインメニュー"));
    k.keys(&[PW]);
    k.keys(&[TAB]);
    k.keys(&["Fresh2027cd"]);
    k.keys(&[TAB]);
    k.keys(&["Fresh2027cd"]);
    k.keys(&[TAB]);
    k.keys(&[ENTER]);
    k.wait_for(&["パスワードを変更しました"]);
    k.keys(&[ENTER]);
    k.wait_for(&["メインメニュー", "yamada2026"]);
    quit(k);

    assert_eq!(f.account("yamada2026").must_change, None);
    assert_eq!(f.session("yamada2026", "Fresh2027cd").must_change, None);
    assert!(!f.logs_in("yamada2026", PW));
    assert_eq!(f.audits("expire_password", Some("ok")), 1);
}

#[test]
fn forgotten_password_with_the_code_from_the_queued_mail() {
    let f = registered();
    let mut k = start(&f);
    k.wait_for(&["パスワードを忘れた方"]);
    // From the user ID field: password, login button, then パスワードを忘れた方.
    k.keys(&[TAB]);
    k.keys(&[TAB]);
    k.keys(&[TAB]);
    k.keys(&[ENTER]);
    k.wait_for(&["登録したメールアドレス", "確認コードを送る"]);
    k.keys(&["yamada2026"]);
    k.keys(&[TAB]);
    k.keys(&["taro@example.jp"]);
    k.keys(&[TAB]);
    k.keys(&[ENTER]);
    k.wait_for(&["確認コード（8桁）", "一致した場合は"]);
    let mail = &f.mails("reset_code")[0];
    assert_eq!(mail.to, "taro@example.jp");
    assert_eq!(mail.state, MailState::Queued);
    let code = code_in(&mail.body);
    k.keys(&[TAB]); // the user ID is filled in already
    k.keys(&[&code]);
    k.keys(&[TAB]);
    k.keys(&["Fresh2027cd"]);
    k.keys(&[TAB]);
    k.keys(&["Fresh2027cd"]);
    k.keys(&[TAB]);
    k.keys(&[ENTER]);
    k.wait_for(&["パスワードを再設定しました"]);
    k.keys(&[ENTER]);
    k.wait_for(&["ユーザID"]);
    login(&mut k, "yamada2026", "Fresh2027cd");
    k.wait_for(&["メインメニュー"]);
    quit(k);

    let account = f.account("yamada2026");
    let codes = f
        .svc
        .store
        .read(|c| reset_codes::for_account(c, account.id))
        .unwrap();
    assert_eq!(codes.len(), 1);
    assert!(codes[0].used_at.is_some(), "the code is used up");
    assert!(!f.logs_in("yamada2026", PW), "the old password is refused");
    assert_eq!(f.mails("password_changed").len(), 1);
    assert_eq!(f.audits("password_reset", Some("ok")), 1);
}
