//! Outbox delivery against the Rust test SMTP server on 127.0.0.1 (no other software needed).
//! The same scenarios run against aiosmtpd in `aiosmtpd.rs`.

use crate::delivery_scenarios as scenarios;
use crate::support::mail as mail_support;
use mail_support::RustLauncher;

#[test]
fn welcome_mail_arrives() {
    scenarios::welcome_mail_arrives(&RustLauncher);
}

#[test]
fn temporary_failures_retry_then_deliver_once() {
    scenarios::temporary_failures_retry_then_deliver_once(&RustLauncher);
}

#[test]
fn permanent_failure_is_dead_with_reason() {
    scenarios::permanent_failure_is_dead_with_reason(&RustLauncher);
}

#[test]
fn server_down_then_up() {
    scenarios::server_down_then_up(&RustLauncher);
}

#[test]
fn starttls_with_test_certificate() {
    scenarios::starttls_with_test_certificate(&RustLauncher);
}

#[test]
fn implicit_tls_with_test_certificate() {
    scenarios::implicit_tls_with_test_certificate(&RustLauncher);
}

#[test]
fn two_workers_never_send_the_same_row() {
    scenarios::two_workers_never_send_the_same_row(&RustLauncher);
}

/// A server that does not offer PIPELINING gets one command at a time; refusals are kept the same.
#[test]
fn servers_without_pipelining_get_one_command_at_a_time() {
    use crate::support::Fixture;
    use kosmo_kiosk::store::outbox::MailState;
    use mail_support::outbox::test_config;
    use mail_support::{Behaviour, TestSmtp};
    use std::sync::Arc;

    let server = TestSmtp::start(Behaviour {
        no_pipelining: true,
        rcpt: Some(Arc::new(|_, to: &str| {
            (to == "user1@example.com").then(|| "550 5.1.1 unknown user".to_string())
        })),
        ..Default::default()
    });
    let mut cfg = test_config(Some(server.url()));
    cfg.mail.connections = 1;
    let f = Fixture::with_config(cfg);
    let ids = f.enqueue_many(3);
    let r = f.deliver();
    assert_eq!((r.sent, r.dead), (2, 1), "{r:?}");
    assert_eq!(f.row(ids[1]).state, MailState::Dead);
    let err = f.row(ids[1]).last_error.unwrap_or_default();
    assert!(err.contains("550") && err.contains("unknown user"), "{err}");
    assert_eq!(server.count(), 2);
    assert_eq!(server.sessions(), 2, "a new session after the refusal");
}

/// One connection carries every message of a round.
#[test]
fn a_connection_is_reused_from_message_to_message() {
    use crate::support::Fixture;
    use mail_support::outbox::test_config;
    use mail_support::{Behaviour, TestSmtp};

    let server = TestSmtp::start(Behaviour::default());
    let mut cfg = test_config(Some(server.url()));
    cfg.mail.connections = 1;
    let f = Fixture::with_config(cfg);
    f.enqueue_many(30);
    let r = f.deliver();
    assert_eq!(r.sent, 30, "{r:?}");
    assert_eq!(server.count(), 30);
    assert_eq!(server.sessions(), 1);
}

/// A server that accepts the connection and then says nothing: the configured timeout ends the
/// wait, and the mail waits for a later attempt.
#[test]
fn a_silent_server_times_out_and_the_mail_waits() {
    use crate::support::Fixture;
    use kosmo_kiosk::store::outbox::MailState;
    use mail_support::outbox::test_config;
    use std::time::{Duration, Instant};

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (done, until_done) = std::sync::mpsc::channel::<()>();
    let held = std::thread::spawn(move || {
        // Accept and hold the connection, never answering, until the test is done with it.
        let conn = listener.accept();
        let _ = until_done.recv();
        drop(conn);
    });
    let mut cfg = test_config(Some(format!("smtp://127.0.0.1:{port}")));
    cfg.mail.timeout_secs = 1;
    cfg.mail.connections = 1;
    let f = Fixture::with_config(cfg);
    let id = f.enqueue_many(1)[0];
    let t = Instant::now();
    let r = f.deliver();
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    assert_eq!(r.deferred, 1, "{r:?}");
    let row = f.row(id);
    assert_eq!(row.state, MailState::Queued);
    let err = row.last_error.unwrap_or_default();
    assert_eq!(err, "timed out: no answer from the server within 1 s");
    drop(done);
    held.join().expect("the silent server");
}
