//! The mail commands of the command-line contract (SPEC §6), through the real binary: `outbox list
//! [--json]`, `outbox sync --once` (with `KOSMO_KIOSK_SMTP_URL` overriding the config, and without any
//! SMTP), and the demo's kiosk delivering its welcome mail to `.eml` files.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use crate::support::mail::outbox::{parse, test_config};
use crate::support::mail::{Behaviour, TestSmtp};
use crate::support::pty::{Term, key};
use crate::support::{Fixture, bin, wait};
use kosmo_kiosk::store::Store;
use kosmo_kiosk::store::outbox::{self, MailState};
use portable_pty::CommandBuilder;

fn kiosk(dir: &Path, config: &Path, args: &[&str], smtp_env: Option<&str>) -> Output {
    let mut cmd = bin::command(dir);
    cmd.arg("--db")
        .arg(dir.join("kiosk.db"))
        .arg("--config")
        .arg(config)
        .args(args)
        .env("KOSMO_KIOSK_LOG_DIR", dir.join("logs"));
    if let Some(url) = smtp_env {
        cmd.env("KOSMO_KIOSK_SMTP_URL", url);
    }
    cmd.output().expect("run kosmo-kiosk")
}

fn write_config(f: &Fixture, smtp_url: Option<&str>) -> std::path::PathBuf {
    let mut cfg = f.config.clone();
    cfg.mail.smtp_url = smtp_url.map(str::to_string);
    let path = f.dir.path().join("config.toml");
    std::fs::write(&path, toml::to_string(&cfg).unwrap()).unwrap();
    path
}

#[test]
fn outbox_list_json_has_the_contract_fields() {
    let server = TestSmtp::start(Behaviour::reject_rcpt("550 5.1.1 no such user"));
    let f = Fixture::with_config(test_config(Some(server.url())));
    f.enqueue_many(2);
    // Make the first one dead, with the server's reason.
    let store = f.store();
    let now = time::OffsetDateTime::now_utc();
    store
        .write(|tx| {
            outbox::claim(tx, "t", now, now, time::Duration::minutes(1), 1)?;
            outbox::mark_dead(tx, 1, "t", "550 5.1.1 no such user")?;
            Ok::<_, kosmo_kiosk::store::StoreError>(())
        })
        .unwrap();
    let config = write_config(&f, None);
    let out = kiosk(f.dir.path(), &config, &["outbox", "list", "--json"], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = list.as_array().expect("a JSON array");
    assert_eq!(list.len(), 2);
    for row in list {
        assert!(row["id"].is_i64(), "{row}");
        assert!(row["to"].is_string(), "{row}");
        assert!(row["subject"].is_string(), "{row}");
        assert!(row["kind"].is_string(), "{row}");
        assert!(row["state"].is_string(), "{row}");
        assert!(row["attempts"].is_i64(), "{row}");
        assert!(row["next_attempt_at"].is_string(), "{row}");
        assert!(
            row["last_error"].is_string() || row["last_error"].is_null(),
            "{row}"
        );
        assert!(row.get("body").is_none(), "bodies stay out of the list");
    }
    assert_eq!(list[0]["state"], "dead");
    assert_eq!(list[0]["attempts"], 1);
    assert_eq!(list[0]["last_error"], "550 5.1.1 no such user");
    assert_eq!(list[0]["to"], "user0@example.com");
    assert_eq!(list[0]["subject"], "テスト 0");
    assert_eq!(list[1]["state"], "queued");
    assert_eq!(list[1]["last_error"], serde_json::Value::Null);

    let out = kiosk(f.dir.path(), &config, &["outbox", "list"], None);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines().next().unwrap().contains("NEXT_ATTEMPT"),
        "{text}"
    );
    assert!(text.contains("550 5.1.1 no such user"), "{text}");
    assert!(text.contains("queued"), "{text}");
}

/// `outbox list` keeps its columns aligned whatever the kinds and addresses (a 17-character kind, a
/// 40-character address, an address with full-width text in it), and a mail sent after a failed try
/// shows no reason: the failure was before it was accepted.
#[test]
fn outbox_list_columns_stay_aligned_and_sent_mail_has_no_stale_error() {
    use kosmo_kiosk::store::outbox::NewMail;
    let f = Fixture::new();
    let now = time::OffsetDateTime::now_utc();
    let rows = [
        ("welcome", "a@example.jp"),
        (
            "email_changed_old",
            "a.very.long.address.for.testing@example.jp",
        ),
        ("password_changed", "山田@例え.jp"),
        ("reset_code", "b@example.jp"),
    ];
    f.store()
        .write(|tx| {
            for (i, (kind, to)) in rows.iter().enumerate() {
                outbox::enqueue(
                    tx,
                    &NewMail {
                        kind,
                        to,
                        subject: "s",
                        body: "b",
                        lang: "ja",
                        message_id: &format!("<m{i}@kosmoweb.jp>"),
                        dedupe_key: &format!("k{i}"),
                        household_id: None,
                    },
                    now,
                )?;
            }
            // #1 failed once, then was accepted; #2 died.
            outbox::claim(tx, "t", now, now, time::Duration::minutes(1), 2)?;
            outbox::mark_retry(tx, 1, "t", now, "transient error (451): 4.3.0 later")?;
            outbox::mark_dead(tx, 2, "t", "permanent error (550): 5.1.1 User unknown")?;
            outbox::claim(tx, "t", now, now, time::Duration::minutes(1), 1)?;
            outbox::mark_sent(tx, 1, "t", now)?;
            Ok::<_, kosmo_kiosk::store::StoreError>(())
        })
        .unwrap();
    let config = write_config(&f, None);
    let out = kiosk(f.dir.path(), &config, &["outbox", "list"], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "{text}");
    // Every column starts at the same display column on every line: two spaces, then the cell.
    use unicode_width::UnicodeWidthStr;
    let header = lines[0];
    let col_of = |name: &str| UnicodeWidthStr::width(&header[..header.find(name).unwrap()]);
    // The text of `line` from display column `col` on.
    let from = |line: &str, col: usize| -> String {
        let mut w = 0;
        let mut out = String::new();
        for ch in line.chars() {
            if w >= col {
                out.push(ch);
            }
            w += UnicodeWidthStr::width(ch.to_string().as_str());
        }
        out
    };
    for name in ["STATE", "KIND", "NEXT_ATTEMPT", "TO", "LAST_ERROR"] {
        let col = col_of(name);
        for line in &lines[1..] {
            let before = from(line, col - 2);
            assert!(
                before.starts_with("  ") && !before[2..].starts_with(' '),
                "{name} is not aligned in {line:?}\n{text}"
            );
        }
    }
    let sent = lines.iter().find(|l| l.contains("welcome")).unwrap();
    assert!(sent.contains(" sent "), "{sent}");
    assert!(
        !sent.contains("451"),
        "no stale reason on a sent mail: {sent}"
    );
    assert!(sent.trim_end().ends_with('-'), "{sent}");
    let dead = lines
        .iter()
        .find(|l| l.contains("email_changed_old"))
        .unwrap();
    assert!(dead.contains("5.1.1 User unknown"), "{dead}");
    let json = kiosk(f.dir.path(), &config, &["outbox", "list", "--json"], None);
    let list: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(list[0]["state"], "sent");
    assert_eq!(list[0]["last_error"], serde_json::Value::Null);
}

#[test]
fn sync_once_delivers_to_the_server_named_by_the_environment() {
    let server = TestSmtp::start(Behaviour::default());
    let f = Fixture::with_config(test_config(None));
    let unused = TestSmtp::free_port();
    // The config names a server nobody listens on; the environment overrides it.
    let config = write_config(&f, Some(&format!("smtp://127.0.0.1:{unused}")));
    f.enqueue_many(3);
    let out = kiosk(
        f.dir.path(),
        &config,
        &["outbox", "sync", "--once"],
        Some(&server.url()),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "sent 3, deferred 0, dead 0; 0 waiting"
    );
    assert!(server.wait_for(3, Duration::from_secs(10)));
    assert!(f.rows().iter().all(|r| r.state == MailState::Sent));
    // Nothing is due any more: a second run sends nothing.
    let out = kiosk(
        f.dir.path(),
        &config,
        &["outbox", "sync", "--once"],
        Some(&server.url()),
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "sent 0, deferred 0, dead 0; 0 waiting"
    );
    assert_eq!(server.count(), 3);
}

#[test]
fn sync_once_reports_an_unreachable_server_and_the_mail_waits() {
    let f = Fixture::with_config(test_config(None));
    let unused = TestSmtp::free_port();
    let config = write_config(&f, Some(&format!("smtp://127.0.0.1:{unused}")));
    f.enqueue_many(2);
    let out = kiosk(f.dir.path(), &config, &["outbox", "sync", "--once"], None);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("2 waiting"), "{text}");
    assert!(text.contains("could not be reached"), "{text}");
    assert!(
        f.rows()
            .iter()
            .all(|r| r.state == MailState::Queued && r.attempts == 1)
    );
}

#[test]
fn without_smtp_the_mail_waits_and_sync_says_why() {
    let f = Fixture::with_config(test_config(None));
    let config = write_config(&f, None);
    f.enqueue_many(1);
    let out = kiosk(f.dir.path(), &config, &["outbox", "sync", "--once"], None);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "one sentence: {err}");
    assert!(err.contains("no SMTP server is configured"), "{err}");
    assert_eq!(f.rows()[0].state, MailState::Queued);
    assert_eq!(f.rows()[0].attempts, 0);
}

#[test]
fn a_bad_smtp_url_is_one_sentence() {
    let f = Fixture::with_config(test_config(None));
    let config = write_config(&f, Some("http://example.com"));
    let out = kiosk(f.dir.path(), &config, &["outbox", "sync", "--once"], None);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("kosmo-kiosk: the SMTP URL is not usable"),
        "{err}"
    );
}

/// `kosmo-kiosk demo` in a pseudo-terminal: its pre-registered member's welcome mail is delivered by
/// the kiosk's own background worker to `<dir>/mail/<row id>.eml`.
#[test]
fn the_demo_kiosk_delivers_its_mail_to_eml_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let empty = tmp.path().join("empty.toml");
    std::fs::write(&empty, "").unwrap();
    let mut cmd = CommandBuilder::new(bin::path());
    cmd.arg("demo");
    cmd.arg("--dir");
    cmd.arg(&dir);
    cmd.env("TERM", "xterm-256color");
    cmd.env("KOSMO_KIOSK_CONFIG", &empty);
    cmd.env_remove("KOSMO_KIOSK_SMTP_URL");
    cmd.env_remove("KOSMO_KIOSK_DB");
    cmd.env_remove("KOSMO_KIOSK_LOG_DIR");
    let mut p = Term::spawn("demo", cmd, 80, 24);
    p.wait_for(&["Enter"]); // the demo's prompt
    // Before the kiosk starts, the mail waits.
    let store = Store::open(&dir.join("kiosk.db")).unwrap();
    let welcome = store
        .read(|c| outbox::list(c, None))
        .unwrap()
        .into_iter()
        .find(|r| r.kind == "welcome")
        .expect("the demo account's welcome mail is queued");
    assert_eq!(welcome.state, MailState::Queued);
    let eml = dir.join("mail").join(format!("{}.eml", welcome.id));
    assert!(!eml.exists());

    p.keys(&[key::ENTER]);
    let limit = Duration::from_secs(30);
    wait::until("the .eml file", limit, || eml.exists());
    wait::until("the row marked sent", limit, || {
        store
            .read(|c| outbox::get(c, welcome.id))
            .unwrap()
            .is_some_and(|r| r.state == MailState::Sent)
    });
    let m = parse(&std::fs::read(&eml).unwrap());
    assert_eq!(m.subject, "KOSMO Communication Web へようこそ");
    assert!(m.body.contains(kosmo_kiosk::cli::demo::DEMO_USER_ID));
    assert!(!m.raw.contains(kosmo_kiosk::cli::demo::DEMO_PASSWORD));
    assert_eq!(
        m.message_id.trim_matches(|c| c == '<' || c == '>'),
        welcome.message_id.trim_matches(|c| c == '<' || c == '>')
    );

    // Ctrl-C leaves the demo.
    p.keys(&[key::CTRL_C]);
    let (_, ok) = p
        .wait_exit(Duration::from_secs(15))
        .expect("the demo did not leave on Ctrl-C");
    assert!(ok, "the demo's exit status");
}
