//! The worker, the transports and their settings, against a real store and scripted transports.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::worker::{MAX_ERROR_CHARS, clip};
use super::*;
use crate::clock::FixedClock;
use crate::store::outbox::{self, OutboxRow};
use crate::store::outbox::{MailState, NewMail};
use crate::store::{Actor, Store, StoreError};
use time::macros::datetime;

fn cfg() -> MailConfig {
    MailConfig::default()
}

const T0: time::OffsetDateTime = datetime!(2026-04-01 10:00 UTC);

/// A transport that answers from a script and counts what it was given.
struct Scripted {
    calls: usize,
    answer: Box<dyn FnMut(usize) -> Result<(), SendError> + Send>,
}

impl Transport for Scripted {
    fn describe(&self) -> String {
        "scripted".into()
    }
    fn send(&mut self, _id: i64, _m: &Outgoing) -> Result<(), SendError> {
        self.calls += 1;
        (self.answer)(self.calls)
    }
}

fn scripted(answer: impl FnMut(usize) -> Result<(), SendError> + Send + 'static) -> Scripted {
    Scripted {
        calls: 0,
        answer: Box::new(answer),
    }
}

struct Setup {
    _dir: tempfile::TempDir,
    store: Store,
    clock: FixedClock,
    cfg: MailConfig,
}

fn setup(n: usize, adjust: impl FnOnce(&mut MailConfig)) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("k.db")).unwrap();
    store
        .write(|tx| {
            for i in 0..n {
                outbox::enqueue(
                    tx,
                    &NewMail {
                        kind: "test",
                        to: &format!("u{i}@example.com"),
                        subject: "件名",
                        body: "本文\n",
                        lang: "ja",
                        message_id: &format!("<{i}.test@kosmoweb.jp>"),
                        dedupe_key: &format!("k{i}"),
                        household_id: None,
                    },
                    T0,
                )?;
            }
            Ok::<_, StoreError>(())
        })
        .unwrap();
    let mut cfg = cfg();
    cfg.retry_min_secs = 10;
    cfg.retry_max_secs = 40;
    cfg.batch_size = 2;
    adjust(&mut cfg);
    Setup {
        _dir: dir,
        store,
        clock: FixedClock::new(T0),
        cfg,
    }
}

impl Setup {
    fn worker(&self) -> Worker<'_> {
        Worker {
            store: &self.store,
            clock: &self.clock,
            actor: Actor::admin(),
            opts: DeliveryOptions::from_config(&self.cfg, "test").unwrap(),
            control: Control::new(),
        }
    }
    fn rows(&self) -> Vec<OutboxRow> {
        self.store.read(|c| outbox::list(c, None)).unwrap()
    }
}

#[test]
fn sent_rows_are_marked_and_audited() {
    let s = setup(5, |_| {});
    let mut t = scripted(|_| Ok(()));
    let r = s.worker().deliver_due(&mut t).unwrap();
    assert_eq!((r.claimed, r.sent, r.lost), (5, 5, 0));
    assert_eq!(t.calls, 5);
    assert!(
        s.rows()
            .iter()
            .all(|r| r.state == MailState::Sent && r.attempts == 1)
    );
    let audited: i64 = s
        .store
        .read(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM audit WHERE event = 'mail_sent' AND outcome = 'ok'",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(audited, 5);
}

struct Recording(Arc<Mutex<Vec<i64>>>);

impl Transport for Recording {
    fn describe(&self) -> String {
        "recording".into()
    }
    fn send(&mut self, id: i64, _m: &Outgoing) -> Result<(), SendError> {
        std::thread::sleep(Duration::from_millis(1));
        self.0.lock().unwrap().push(id);
        Ok(())
    }
}

#[test]
fn several_connections_share_the_rows_and_never_send_one_twice() {
    let s = setup(60, |c| c.batch_size = 4);
    let logs: Vec<Arc<Mutex<Vec<i64>>>> = (0..3).map(|_| Arc::default()).collect();
    let mut ts: Vec<Box<dyn Transport>> = logs
        .iter()
        .map(|l| Box::new(Recording(l.clone())) as Box<dyn Transport>)
        .collect();
    let r = s.worker().deliver_due_on(&mut borrow_all(&mut ts)).unwrap();
    assert_eq!((r.claimed, r.sent), (60, 60), "{r:?}");
    let mut all: Vec<i64> = logs
        .iter()
        .flat_map(|l| l.lock().unwrap().clone())
        .collect();
    all.sort();
    assert_eq!(all, (1..=60).collect::<Vec<_>>());
    assert!(
        logs.iter()
            .filter(|l| !l.lock().unwrap().is_empty())
            .count()
            >= 2,
        "the work is shared"
    );
    assert!(s.rows().iter().all(|r| r.state == MailState::Sent));
}

#[test]
fn no_transport_claims_nothing() {
    let s = setup(2, |_| {});
    let r = s.worker().deliver_due_on(&mut []).unwrap();
    assert_eq!(r, Round::default());
    assert!(s.rows().iter().all(|r| r.state == MailState::Queued));
}

#[test]
fn too_many_attempts_make_a_message_dead_with_the_last_reason() {
    let s = setup(1, |c| c.max_attempts = 2);
    let mut t = scripted(|_| Err(SendError::Temporary("451 4.3.0 busy".into())));
    let r = s.worker().deliver_due(&mut t).unwrap();
    assert_eq!(r.deferred, 1);
    assert_eq!(
        s.rows()[0].next_attempt_at,
        T0 + time::Duration::seconds(10)
    );
    s.clock.advance(time::Duration::seconds(10));
    let r = s.worker().deliver_due(&mut t).unwrap();
    assert_eq!(r.dead, 1, "{r:?}");
    let row = &s.rows()[0];
    assert_eq!(row.state, MailState::Dead);
    let err = row.last_error.as_deref().unwrap_or_default();
    assert!(err.starts_with("gave up after 2 attempts"), "{err}");
    assert!(err.contains("451 4.3.0 busy"), "{err}");
}

#[test]
fn too_old_a_message_is_dead_after_its_next_failure() {
    let s = setup(1, |c| c.max_age_hours = 1);
    s.clock.advance(time::Duration::hours(2));
    let mut t = scripted(|_| Err(SendError::Temporary("421 closing".into())));
    let r = s.worker().deliver_due(&mut t).unwrap();
    assert_eq!(r.dead, 1, "{r:?}");
    assert!(
        s.rows()[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("in 2 h")
    );
}

#[test]
fn an_unreachable_server_defers_the_round_after_one_try() {
    let s = setup(5, |_| {});
    let mut t = scripted(|_| Err(SendError::Unreachable("connection refused".into())));
    let r = s.worker().deliver_due(&mut t).unwrap();
    assert_eq!(t.calls, 1, "no knocking on a closed door");
    assert_eq!(r.claimed, r.deferred + r.released);
    assert!(r.claimed < 5, "stops claiming: {r:?}");
    assert_eq!(r.unreachable.as_deref(), Some("connection refused"));
    let rows = s.rows();
    assert!(rows.iter().all(|r| r.state == MailState::Queued));
}

#[test]
fn a_permanent_failure_does_not_stop_the_round() {
    let s = setup(3, |_| {});
    let mut t = scripted(|n| {
        if n == 2 {
            Err(SendError::Permanent("550 5.1.1 unknown user".into()))
        } else {
            Ok(())
        }
    });
    let r = s.worker().deliver_due(&mut t).unwrap();
    assert_eq!((r.sent, r.dead), (2, 1));
    assert_eq!(
        s.rows()[1].last_error.as_deref(),
        Some("550 5.1.1 unknown user")
    );
}

#[test]
fn stopping_hands_claimed_rows_back_untried() {
    let s = setup(6, |_| {});
    let w = s.worker();
    let control = w.control.clone();
    let mut t = scripted(move |_| {
        control.stop();
        Ok(())
    });
    let r = w.deliver_due(&mut t).unwrap();
    assert_eq!(t.calls, 1);
    assert_eq!(r.sent, 1);
    assert_eq!(r.released, r.claimed - 1);
    let rows = s.rows();
    assert_eq!(
        rows.iter().filter(|r| r.state == MailState::Sent).count(),
        1
    );
    assert!(
        rows.iter()
            .filter(|r| r.state != MailState::Sent)
            .all(|r| r.state == MailState::Queued && r.attempts == 0)
    );
}

#[test]
fn a_row_with_too_little_lease_left_is_released_not_sent() {
    let s = setup(3, |c| {
        c.lease_secs = 1;
        c.batch_size = 3;
    });
    // The first send takes longer than half the lease: the rest of the batch is handed back.
    let mut t = scripted(|_| {
        std::thread::sleep(Duration::from_millis(600));
        Ok(())
    });
    let r = s.worker().deliver_due(&mut t).unwrap();
    assert!(r.released >= 1, "{r:?}");
    assert_eq!(t.calls, r.sent, "{r:?}");
    // Released rows were claimed afresh (a new lease) before being sent; none was sent twice.
    let rows = s.rows();
    for row in &rows {
        match row.state {
            MailState::Sent => assert_eq!(row.attempts, 1),
            MailState::Queued => assert_eq!(row.attempts, 0),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        rows.iter().filter(|r| r.state == MailState::Sent).count(),
        r.sent
    );
}

#[test]
fn a_row_that_cannot_become_a_message_is_dead() {
    let s = setup(1, |_| {});
    s.store
        .write(|tx| {
            tx.execute("UPDATE outbox SET recipient = 'not an address'", [])?;
            Ok::<_, StoreError>(())
        })
        .unwrap();
    let mut t = scripted(|_| Ok(()));
    let r = s.worker().deliver_due(&mut t).unwrap();
    assert_eq!((t.calls, r.dead), (0, 1));
}

#[test]
fn eml_transport_writes_one_file_per_row_id() {
    let s = setup(2, |_| {});
    let dir = s._dir.path().join("mail");
    let mut t = EmlTransport::new(dir.clone());
    let r = s.worker().deliver_due(&mut t).unwrap();
    assert_eq!(r.sent, 2);
    for row in s.rows() {
        let text = std::fs::read_to_string(EmlTransport::path_of(&dir, row.id)).unwrap();
        assert!(
            text.contains(&format!("Message-ID: {}", row.message_id)),
            "{text}"
        );
        assert!(text.contains(&format!("To: {}", row.to)));
    }
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        2,
        "no temp files left"
    );
}

#[test]
fn eml_dir_wins_over_smtp_and_nothing_means_waiting() {
    let mut c = cfg();
    assert!(transport_from_config(&c).unwrap().is_none());
    c.smtp_url = Some("smtp://127.0.0.1:2525".into());
    let t = transport_from_config(&c).unwrap().unwrap();
    assert_eq!(t.describe(), "smtp://127.0.0.1:2525");
    c.eml_dir = Some(PathBuf::from("/tmp/x"));
    let t = transport_from_config(&c).unwrap().unwrap();
    assert!(t.describe().contains(".eml"));
}

#[test]
fn control_wakes_on_nudge_and_stop() {
    let c = Control::new();
    let c2 = c.clone();
    let t = std::thread::spawn(move || {
        let at = Instant::now();
        c2.wait(Duration::from_secs(30));
        at.elapsed()
    });
    std::thread::sleep(Duration::from_millis(50));
    c.nudge();
    assert!(t.join().unwrap() < Duration::from_secs(10));
    c.stop();
    let at = Instant::now();
    c.wait(Duration::from_secs(30));
    assert!(at.elapsed() < Duration::from_secs(1));
}

#[test]
fn reasons_are_neutralised_and_clipped() {
    assert_eq!(clip(" 451 \u{1b}[31mlater "), "451 \u{FFFD}[31mlater");
    let long = "x".repeat(2000);
    assert_eq!(clip(&long).chars().count(), MAX_ERROR_CHARS);
}
