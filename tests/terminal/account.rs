//! The real binary in a pseudo-terminal (portable-pty + vt100), 80×24, on a fresh store in a temp dir:
//! change the email address, change the password, the forced change after `admin expire-password`, and
//! the forgotten password with the code read from the queued mail. Each flow checks the store afterwards.

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::accounts::*;
use kosmo_kiosk::store::{outbox::MailState, reset_codes};
use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

const BIN: &str = env!("CARGO_BIN_EXE_kosmo-kiosk");
const PW: &str = "Kosmo2026ab";
const WAIT: Duration = Duration::from_secs(30);

const TAB: &str = "\t";
const ENTER: &str = "\r";
const RIGHT: &str = "\x1b[C";
const CTRL_U: &str = "\x15";

/// The environment every run of the binary gets: the store, the log folder and an explicit config file
/// in the fixture's temp dir (so nothing of the machine's own configuration is read).
fn env(f: &Fixture) -> Vec<(String, PathBuf)> {
    let config = f.dir.path().join("config.toml");
    if !config.exists() {
        // Ctrl-C leaves, so that each test can end its kiosk the way the demo does.
        std::fs::write(&config, "[kiosk]\nallow_exit = true\n").unwrap();
    }
    vec![
        ("KOSMO_KIOSK_DB".into(), f.db.clone()),
        ("KOSMO_KIOSK_LOG_DIR".into(), f.dir.path().join("logs")),
        ("KOSMO_KIOSK_CONFIG".into(), config),
    ]
}

struct Kiosk {
    child: Box<dyn Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    parser: Arc<Mutex<vt100::Parser>>,
    _master: Box<dyn MasterPty + Send>,
}

impl Kiosk {
    fn start(f: &Fixture) -> Kiosk {
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows: 24,
                cols: 80,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let mut cmd = CommandBuilder::new(BIN);
        for (k, v) in env(f) {
            cmd.env(k, v);
        }
        cmd.env_remove("KOSMO_KIOSK_SMTP_URL");
        cmd.env("TERM", "xterm-256color");
        cmd.cwd(f.dir.path());
        let child = pair.slave.spawn_command(cmd).expect("spawn the kiosk");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            NonZeroU16::new(24).unwrap(),
            NonZeroU16::new(80).unwrap(),
            0,
        )));
        let p = parser.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                p.lock().unwrap().process(&buf[..n]);
            }
        });
        Kiosk {
            child,
            writer,
            parser,
            _master: pair.master,
        }
    }

    fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Waits until every one of `texts` shows; panics with the screen after [`WAIT`].
    fn wait(&self, texts: &[&str]) {
        let end = Instant::now() + WAIT;
        loop {
            let screen = self.screen();
            if texts.iter().all(|t| screen.contains(t)) {
                return;
            }
            assert!(
                Instant::now() < end,
                "{texts:?} did not show within {WAIT:?}; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn send(&mut self, s: &str) {
        self.writer.write_all(s.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        // Let the kiosk take each burst in on its own (a lone ESC must not merge with what follows).
        std::thread::sleep(Duration::from_millis(60));
    }

    fn login(&mut self, id: &str, password: &str) {
        self.wait(&["ユーザID", "パスワード"]);
        // The start screen opens on the user ID; then the password, then the login button.
        self.send(id);
        self.send(TAB);
        self.send(password);
        self.send(TAB);
        self.send(ENTER);
    }

    /// Ctrl-C (allowed by this test's configuration) and wait for the process to end.
    fn quit(mut self) {
        self.send("\x03");
        let end = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "the kiosk exited with {status:?}");
                return;
            }
            if Instant::now() > end {
                let _ = self.child.kill();
                panic!("the kiosk did not exit; the screen:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Kiosk {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn registered() -> Fixture {
    let f = Fixture::system();
    f.register(YAMADA, "yamada2026", PW, Some("taro@example.jp"));
    f
}

#[test]
fn change_the_email_address() {
    let f = registered();
    let mut k = Kiosk::start(&f);
    k.login("yamada2026", PW);
    k.wait(&[
        "メインメニュー",
        "yamada2026",
        "個人情報管理",
        "パスワード変更",
        "ログアウト",
    ]);
    k.send(ENTER); // 個人情報管理 has the focus
    k.wait(&["通知情報", "******97-12-**01", "taro@example.jp"]);
    k.send(CTRL_U);
    k.send("ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐ");
    k.send(TAB);
    k.send(RIGHT); // 不要
    k.send(TAB);
    k.send(ENTER);
    k.wait(&["入力確認画面", "hanako@example.jp", "変更前のアドレスにも"]);
    k.send(ENTER); // 実行 has the focus
    k.wait(&["ご登録の内容を変更しました", "hanako@example.jp あてに"]);
    k.quit();

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
    let mut k = Kiosk::start(&f);
    k.login("yamada2026", PW);
    k.wait(&["メインメニュー"]);
    k.send(TAB);
    k.send(ENTER); // パスワード変更
    k.wait(&["現在のパスワード", "新しいパスワード（確認用）"]);
    k.send(PW);
    k.send(TAB);
    k.send("Fresh2027cd");
    k.send(TAB);
    k.send("Fresh2027cd");
    k.send(TAB);
    k.send(ENTER);
    k.wait(&["パスワードを変更しました", "taro@example.jp あてに"]);
    assert!(!k.screen().contains("Fresh2027cd"), "never shown");
    k.send(ENTER);
    k.wait(&["メインメニュー"]);
    k.quit();

    assert!(f.logs_in("yamada2026", "Fresh2027cd"));
    assert!(!f.logs_in("yamada2026", PW), "the old password is refused");
    assert_eq!(f.mails("password_changed").len(), 1);
    assert_eq!(f.audits("password_change", Some("ok")), 1);
}

#[test]
fn forced_change_after_admin_expire_password() {
    let f = registered();
    let out = Command::new(BIN)
        .args(["admin", "expire-password", "yamada2026"])
        .envs(env(&f))
        .output()
        .expect("run admin expire-password");
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("must change the password"));

    let mut k = Kiosk::start(&f);
    k.login("yamada2026", PW);
    k.wait(&["パスワード変更のお願い", "管理者の操作により", "ログアウト"]);
    k.send("\x1b"); // Esc: nowhere to go
    k.wait(&["メニューには進めません"]);
    assert!(!k.screen().contains("メインメニュー"));
    k.send(PW);
    k.send(TAB);
    k.send("Fresh2027cd");
    k.send(TAB);
    k.send("Fresh2027cd");
    k.send(TAB);
    k.send(ENTER);
    k.wait(&["パスワードを変更しました"]);
    k.send(ENTER);
    k.wait(&["メインメニュー", "yamada2026"]);
    k.quit();

    assert_eq!(f.account("yamada2026").must_change, None);
    assert_eq!(f.session("yamada2026", "Fresh2027cd").must_change, None);
    assert!(!f.logs_in("yamada2026", PW));
    assert_eq!(f.audits("expire_password", Some("ok")), 1);
}

#[test]
fn forgotten_password_with_the_code_from_the_queued_mail() {
    let f = registered();
    let mut k = Kiosk::start(&f);
    k.wait(&["パスワードを忘れた方"]);
    // From the user ID field: password, login button, then パスワードを忘れた方.
    k.send(TAB);
    k.send(TAB);
    k.send(TAB);
    k.send(ENTER);
    k.wait(&["登録したメールアドレス", "確認コードを送る"]);
    k.send("yamada2026");
    k.send(TAB);
    k.send("taro@example.jp");
    k.send(TAB);
    k.send(ENTER);
    k.wait(&["確認コード（8桁）", "一致した場合は"]);
    let mail = &f.mails("reset_code")[0];
    assert_eq!(mail.to, "taro@example.jp");
    assert_eq!(mail.state, MailState::Queued);
    let code = code_in(&mail.body);
    k.send(TAB); // the user ID is filled in already
    k.send(&code);
    k.send(TAB);
    k.send("Fresh2027cd");
    k.send(TAB);
    k.send("Fresh2027cd");
    k.send(TAB);
    k.send(ENTER);
    k.wait(&["パスワードを再設定しました"]);
    k.send(ENTER);
    k.wait(&["ユーザID"]);
    k.login("yamada2026", "Fresh2027cd");
    k.wait(&["メインメニュー"]);
    k.quit();

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
