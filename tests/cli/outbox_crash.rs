//! The real binary's `outbox sync`, killed with SIGKILL while 500 messages are being sent, restarted,
//! killed again, restarted until everything is sent: every message arrives at least once, the only
//! duplicates are rows that were in flight (`sending`) at a kill, and every copy carries its row's
//! Message-ID.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::Fixture;
use crate::support::mail::outbox::{parse, test_config};
use crate::support::mail::{Behaviour, TestSmtp};
use kosmo_kiosk::store::Store;
use kosmo_kiosk::store::outbox::{self, MailState};

const N: usize = 500;

fn start_worker(db: &Path, config: &Path, logs: &Path, stderr: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_kosmo-kiosk"))
        .arg("--db")
        .arg(db)
        .arg("--config")
        .arg(config)
        .args(["outbox", "sync"])
        .env("KOSMO_KIOSK_LOG_DIR", logs)
        .env_remove("KOSMO_KIOSK_SMTP_URL")
        .env_remove("KOSMO_KIOSK_DB")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(stderr).unwrap())
        .spawn()
        .expect("start outbox sync")
}

/// Ids of the rows in `sending`: claimed by a worker, not yet marked.
fn in_flight(db: &Path) -> BTreeSet<i64> {
    let store = Store::open(db).unwrap();
    store
        .read(|c| outbox::list(c, Some(MailState::Sending)))
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect()
}

fn sigkill(child: &mut Child) {
    child.kill().expect("SIGKILL");
    child.wait().expect("reap");
}

#[test]
fn killed_worker_loses_nothing_and_resends_only_what_was_in_flight() {
    let server = TestSmtp::start(Behaviour {
        delay: Duration::from_millis(3),
        ..Default::default()
    });
    let mut cfg = test_config(Some(server.url()));
    cfg.mail.lease_secs = 2;
    cfg.mail.poll_secs = 1;
    cfg.mail.batch_size = 25;
    cfg.mail.max_attempts = 50;
    let f = Fixture::with_config(cfg.clone());
    let ids = f.enqueue_many(N);
    let rows: HashMap<String, (i64, String)> = f
        .rows()
        .into_iter()
        .map(|r| (r.to.clone(), (r.id, r.message_id.clone())))
        .collect();
    assert_eq!(rows.len(), N);
    let dir = f.dir.path();
    let config = dir.join("config.toml");
    std::fs::write(&config, toml::to_string(&cfg).unwrap()).unwrap();
    let logs = dir.join("logs");
    let stderr = dir.join("stderr.txt");

    let mut flying = BTreeSet::new();
    for stop_at in [100, 300] {
        let mut child = start_worker(&f.db, &config, &logs, &stderr);
        assert!(
            server.wait_for(stop_at, Duration::from_secs(60)),
            "only {} of {stop_at} arrived: {}",
            server.count(),
            std::fs::read_to_string(&stderr).unwrap_or_default()
        );
        sigkill(&mut child);
        let s = in_flight(&f.db);
        assert!(!s.is_empty(), "killed in the middle of a batch");
        assert!(server.count() < N, "killed before the end");
        flying.extend(s);
    }

    let mut child = start_worker(&f.db, &config, &logs, &stderr);
    let end = Instant::now() + Duration::from_secs(90);
    loop {
        let store = Store::open(&f.db).unwrap();
        let [queued, sending, sent, dead] = store.read(outbox::counts).unwrap();
        if sent as usize == N {
            break;
        }
        assert_eq!(dead, 0);
        assert!(
            Instant::now() < end,
            "not all sent: queued {queued}, sending {sending}, sent {sent}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // SIGTERM: a clean stop.
    // SAFETY: kill(2) of our own child.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let status = child.wait().unwrap();
    assert!(
        status.success(),
        "outbox sync exits cleanly on SIGTERM: {status:?}"
    );

    let got = server.received();
    let mut copies: HashMap<String, usize> = HashMap::new();
    for r in &got {
        assert_eq!(r.to.len(), 1, "one recipient per message");
        let to = &r.to[0];
        let (_, message_id) = rows.get(to).expect("a queued recipient");
        let m = parse(&r.data);
        assert_eq!(
            m.message_id.trim_matches(|c| c == '<' || c == '>'),
            message_id.trim_matches(|c| c == '<' || c == '>'),
            "the Message-ID of {to} never changes"
        );
        *copies.entry(to.clone()).or_default() += 1;
    }
    assert_eq!(copies.len(), N, "every message arrived");
    let duplicated: BTreeSet<i64> = copies
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(to, _)| rows[to].0)
        .collect();
    assert!(
        duplicated.is_subset(&flying),
        "duplicates {duplicated:?} were not all in flight at a kill ({flying:?})"
    );
    assert!(got.len() <= N + flying.len());
    for id in ids {
        assert_eq!(f.row(id).state, MailState::Sent);
    }
    eprintln!(
        "{} messages received for {N}; {} in flight at the kills; {} duplicated",
        got.len(),
        flying.len(),
        duplicated.len()
    );
}
