//! The delivery scenarios of SPEC §5, run against every kind of test server.

use std::time::Duration;

use kosmo_kiosk::clock::Clock;
use kosmo_kiosk::domain::Lang;
use kosmo_kiosk::store::outbox::MailState;

use crate::support::Fixture;
use crate::support::mail::outbox::{parse, test_config};
use crate::support::mail::{Launcher, Spec};

const WAIT: Duration = Duration::from_secs(15);

fn bare(id: &str) -> &str {
    id.trim().trim_start_matches('<').trim_end_matches('>')
}

/// The welcome mail of a real registration arrives: the subject decodes to the exact Japanese text,
/// the body has the user ID and the notices and no password, From/To/Message-ID are right, and the
/// bytes on the wire are 7-bit (headers RFC 2047-encoded).
pub fn welcome_mail_arrives(l: &dyn Launcher) {
    let dir = tempfile::tempdir().unwrap();
    let server = l.launch(&Spec::default(), 0, dir.path());
    for (lang, subject, notice) in [
        (
            Lang::Ja,
            "KOSMO Communication Web へようこそ",
            "個人情報管理",
        ),
        (
            Lang::En,
            "Welcome to KOSMO Communication Web",
            "Personal information",
        ),
    ] {
        let before = server.received().len();
        let f = Fixture::with_config(test_config(Some(server.url())));
        let reg = f.register_for_mail(lang, "yamada2026", "taro.yamada@example.com");
        let round = f.deliver();
        assert_eq!(
            (round.sent, round.deferred, round.dead),
            (1, 0, 0),
            "{round:?}"
        );
        assert!(
            server.wait_for(before + 1, WAIT),
            "{}: nothing arrived",
            l.name()
        );
        let got = server.received();
        assert_eq!(got.len(), before + 1, "{}: exactly one message", l.name());
        let r = &got[before];
        assert_eq!(r.from, "webmaster@kosmoweb.jp");
        assert_eq!(r.to, vec!["taro.yamada@example.com".to_string()]);
        assert!(
            r.data.iter().all(|b| *b < 0x80),
            "the message is 7-bit clean"
        );
        let m = parse(&r.data);
        assert_eq!(m.subject, subject, "{}: raw message:\n{}", l.name(), m.raw);
        if lang == Lang::Ja {
            let line = m
                .raw
                .lines()
                .find(|l| l.starts_with("Subject:"))
                .unwrap_or_default();
            assert!(
                line.contains("=?utf-8?b?"),
                "the subject is RFC 2047 encoded: {line}"
            );
        }
        assert!(m.from.contains("webmaster@kosmoweb.jp"), "{}", m.from);
        assert!(m.from.contains("KOSMO Communication Web"), "{}", m.from);
        assert!(m.to.contains("taro.yamada@example.com"), "{}", m.to);
        assert!(m.raw.contains("charset=utf-8"), "{}", m.raw);
        assert!(m.raw.contains("Auto-Submitted: auto-generated"));
        assert!(
            m.body.contains("yamada2026"),
            "user ID in body:\n{}",
            m.body
        );
        assert!(
            m.body.contains(notice),
            "the notices are in the body:\n{}",
            m.body
        );
        for secret in [&reg.password, &reg.temp_password] {
            assert!(!m.body.contains(secret.as_str()), "a password in the body");
            assert!(
                !m.raw.contains(secret.as_str()),
                "a password in the message"
            );
        }
        let row = f.row(reg.mail_id);
        assert_eq!(bare(&m.message_id), bare(&row.message_id));
        assert_eq!(row.state, MailState::Sent);
        assert_eq!(row.attempts, 1);
        assert!(row.sent_at.is_some());
        assert_eq!(row.last_error, None);
    }
}

/// A server answering 451 to the first two tries: the message is retried with a doubling delay and
/// delivered once; the attempts are counted and the last reply is kept.
pub fn temporary_failures_retry_then_deliver_once(l: &dyn Launcher) {
    let dir = tempfile::tempdir().unwrap();
    let spec = Spec {
        fail_first: 2,
        fail_reply: "451 4.3.0 mailbox busy, try later".into(),
        ..Default::default()
    };
    let server = l.launch(&spec, 0, dir.path());
    let f = Fixture::with_config(test_config(Some(server.url())));
    let id = f.enqueue_many(1)[0];
    let t0 = f.clock.now();

    let r = f.deliver();
    assert_eq!((r.sent, r.deferred), (0, 1), "{r:?}");
    let row = f.row(id);
    assert_eq!(row.state, MailState::Queued);
    assert_eq!(row.attempts, 1);
    assert_eq!(row.next_attempt_at, t0 + time::Duration::seconds(1));
    let err = row.last_error.clone().unwrap_or_default();
    assert!(err.contains("451") && err.contains("try later"), "{err}");

    // Not due yet: nothing is claimed.
    assert_eq!(f.deliver().claimed, 0);

    f.advance(time::Duration::seconds(1));
    let r = f.deliver();
    assert_eq!((r.sent, r.deferred), (0, 1), "{r:?}");
    let row = f.row(id);
    assert_eq!(row.attempts, 2);
    assert_eq!(
        row.next_attempt_at,
        f.clock.now() + time::Duration::seconds(2),
        "the delay doubles"
    );

    f.advance(time::Duration::seconds(2));
    let r = f.deliver();
    assert_eq!((r.sent, r.deferred, r.dead), (1, 0, 0), "{r:?}");
    let row = f.row(id);
    assert_eq!(row.state, MailState::Sent);
    assert_eq!(row.attempts, 3);
    // Every round has returned, and a server keeps a message before it answers 250: what it will
    // ever have of these rounds, it has now.
    assert!(server.wait_for(1, WAIT));
    let got = server.received();
    assert_eq!(got.len(), 1, "delivered exactly once");
    assert_eq!(bare(&parse(&got[0].data).message_id), bare(&row.message_id));

    f.advance(time::Duration::seconds(60));
    assert_eq!(f.deliver().claimed, 0, "a sent message is never sent again");
}

/// A server answering 550: the message is dead at once, with the server's reason, and never retried.
pub fn permanent_failure_is_dead_with_reason(l: &dyn Launcher) {
    let dir = tempfile::tempdir().unwrap();
    let spec = Spec {
        reject_rcpt: Some("550 5.1.1 no such user here".into()),
        ..Default::default()
    };
    let server = l.launch(&spec, 0, dir.path());
    let f = Fixture::with_config(test_config(Some(server.url())));
    let id = f.enqueue_many(1)[0];
    let r = f.deliver();
    assert_eq!((r.sent, r.deferred, r.dead), (0, 0, 1), "{r:?}");
    let row = f.row(id);
    assert_eq!(row.state, MailState::Dead);
    assert_eq!(row.attempts, 1);
    let err = row.last_error.clone().unwrap_or_default();
    assert!(
        err.contains("550") && err.contains("no such user here"),
        "{err}"
    );
    f.advance(time::Duration::seconds(3600));
    assert_eq!(f.deliver().claimed, 0, "a dead message is never retried");
    assert!(server.received().is_empty());
}

/// The server is down: the messages wait (attempts counted, reason kept); once it is up again
/// they are delivered.
pub fn server_down_then_up(l: &dyn Launcher) {
    let dir = tempfile::tempdir().unwrap();
    let mut server = l.launch(&Spec::default(), 0, dir.path());
    let f = Fixture::with_config(test_config(Some(server.url())));
    let ids = f.enqueue_many(3);
    server.stop();

    let r = f.deliver();
    assert_eq!((r.sent, r.deferred, r.dead), (0, 3, 0), "{r:?}");
    assert!(r.unreachable.is_some(), "{r:?}");
    for id in &ids {
        let row = f.row(*id);
        assert_eq!(row.state, MailState::Queued);
        assert_eq!(row.attempts, 1);
        let err = row.last_error.unwrap_or_default();
        assert!(err.to_lowercase().contains("refused"), "{err}");
    }

    server.restart();
    f.advance(time::Duration::seconds(1));
    let r = f.deliver();
    assert_eq!((r.sent, r.deferred, r.dead), (3, 0, 0), "{r:?}");
    assert!(server.wait_for(3, WAIT));
    for id in &ids {
        let row = f.row(*id);
        assert_eq!(row.state, MailState::Sent);
        assert_eq!(row.attempts, 2);
    }
}

/// STARTTLS with a certificate made for the test and trusted through `mail.ca_file`, then AUTH
/// with the configured user name and password. Without the CA the certificate is refused and the
/// message waits (nothing goes out in clear text).
pub fn starttls_with_test_certificate(l: &dyn Launcher) {
    let dir = tempfile::tempdir().unwrap();
    let spec = Spec {
        tls: true,
        auth: Some(("kiosk".into(), "s3cret pass".into())),
        ..Default::default()
    };
    let server = l.launch(&spec, 0, dir.path());
    let url = format!("{}?tls=required", server.url());

    // Without trusting the test CA: refused, waits.
    let mut cfg = test_config(Some(url.clone()));
    cfg.mail.username = Some("kiosk".into());
    cfg.mail.password = Some("s3cret pass".into());
    let untrusted = Fixture::with_config(cfg.clone());
    let id = untrusted.enqueue_many(1)[0];
    let r = untrusted.deliver();
    assert_eq!((r.sent, r.deferred), (0, 1), "{r:?}");
    let err = untrusted.row(id).last_error.unwrap_or_default();
    assert!(
        err.to_lowercase().contains("tls") || err.to_lowercase().contains("certificate"),
        "{err}"
    );

    cfg.mail.ca_file = server.ca_file();
    let f = Fixture::with_config(cfg);
    let reg = f.register_for_mail(Lang::Ja, "tls2026user", "tls@example.com");
    let r = f.deliver();
    assert_eq!((r.sent, r.deferred, r.dead), (1, 0, 0), "{r:?}");
    assert!(server.wait_for(1, WAIT));
    let got = server.received();
    assert_eq!(got.len(), 1);
    assert!(got[0].tls, "{}: delivered over TLS", l.name());
    assert_eq!(got[0].auth.as_deref(), Some("kiosk"));
    let m = parse(&got[0].data);
    assert_eq!(m.subject, "KOSMO Communication Web へようこそ");
    assert_eq!(f.row(reg.mail_id).state, MailState::Sent);
}

/// Two workers on one store file, at the same time: every message arrives exactly once.
pub fn two_workers_never_send_the_same_row(l: &dyn Launcher) {
    let dir = tempfile::tempdir().unwrap();
    let server = l.launch(&Spec::default(), 0, dir.path());
    let mut cfg = test_config(Some(server.url()));
    cfg.mail.batch_size = 7;
    let f = Fixture::with_config(cfg.clone());
    let n = 120;
    f.enqueue_many(n);
    let rounds: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let cfg = cfg.clone();
                let db = f.db.clone();
                let clock = f.clock.clone();
                s.spawn(move || {
                    // Each worker has its own connection to the file, as separate processes do.
                    let store = kosmo_kiosk::store::Store::open(&db).unwrap();
                    let worker = kosmo_kiosk::services::delivery::Worker {
                        store: &store,
                        clock: clock.as_ref(),
                        actor: kosmo_kiosk::store::Actor::admin(),
                        opts: kosmo_kiosk::services::delivery::DeliveryOptions::from_config(
                            &cfg.mail, "test",
                        )
                        .unwrap(),
                        control: kosmo_kiosk::services::delivery::Control::new(),
                    };
                    let mut ts = kosmo_kiosk::services::delivery::transports_from_config(&cfg.mail)
                        .unwrap()
                        .unwrap();
                    worker
                        .deliver_due_on(&mut kosmo_kiosk::services::delivery::borrow_all(&mut ts))
                        .unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let sent: usize = rounds.iter().map(|r| r.sent).sum();
    assert_eq!(sent, n, "{rounds:?}");
    // Both workers' rounds have returned (a server keeps a message before it answers 250).
    assert!(server.wait_for(n, WAIT));
    let got = server.received();
    assert_eq!(got.len(), n, "no message twice");
    let mut to: Vec<String> = got.iter().map(|r| r.to[0].clone()).collect();
    to.sort();
    to.dedup();
    assert_eq!(to.len(), n);
    assert!(f.rows().iter().all(|r| r.state == MailState::Sent));
}

/// `smtps://`: TLS from the first byte, the test certificate trusted through `mail.ca_file`.
pub fn implicit_tls_with_test_certificate(l: &dyn Launcher) {
    let dir = tempfile::tempdir().unwrap();
    let spec = Spec {
        implicit_tls: true,
        ..Default::default()
    };
    let server = l.launch(&spec, 0, dir.path());
    let mut cfg = test_config(Some(format!("smtps://127.0.0.1:{}", server.port())));
    cfg.mail.ca_file = server.ca_file();
    let f = Fixture::with_config(cfg);
    let ids = f.enqueue_many(2);
    let r = f.deliver();
    assert_eq!((r.sent, r.deferred, r.dead), (2, 0, 0), "{r:?}");
    assert!(server.wait_for(2, WAIT));
    let got = server.received();
    assert_eq!(got.len(), 2);
    assert!(
        got.iter().all(|m| m.tls),
        "{}: delivered over TLS",
        l.name()
    );
    for id in ids {
        assert_eq!(f.row(id).state, MailState::Sent);
    }
}
