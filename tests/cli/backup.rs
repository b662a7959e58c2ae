//! `admin backup` while 8 processes register and `outbox sync` sends: every copy passes
//! `integrity_check` and holds each registration whole or not at all. `admin restore` refuses while a
//! process holds the store (and names it), then brings a copy back, and the kiosk logs the restored
//! members in.
//!
//! The registering processes are this test binary started again ([`worker`], an ignored test that does
//! nothing unless `KOSMO_OPS_WORKER` is set): they use the library as a kiosk does.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use kosmo_kiosk::config::Config;
use kosmo_kiosk::services::Services;
use kosmo_kiosk::services::auth::LoginOutcome;
use kosmo_kiosk::services::credentials::Notice;
use kosmo_kiosk::services::registration::IdentityOutcome;
use kosmo_kiosk::store::{Actor, Store};
use rusqlite::Connection;

use crate::support::bin::{assert_plain_error, mode};
use crate::support::mail::{Behaviour, TestSmtp};
use crate::support::{
    Fixture, HouseholdState, birth_of, date, input, insurer, key_of, many_households_csv,
};

const WORKER_ENV: &str = "KOSMO_OPS_WORKER";
const PASSWORD: &str = "Backup2026ok";
const PROCESSES: usize = 8;
const EACH: usize = 4;

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "@@ {line}");
    let _ = out.flush();
}

/// One registration for a worker: `temp_id,password,insurer,birth,user_id,email`.
fn job_line(n: &Notice, i: usize) -> String {
    format!(
        "{},{},{},{},{},{}",
        n.temp_user_id,
        n.temp_password.as_str(),
        &n.household[..8],
        birth_of(i),
        user_id(i),
        email(i).unwrap_or_default()
    )
}

fn user_id(i: usize) -> String {
    format!("Backup{i:02}x26")
}

fn email(i: usize) -> Option<String> {
    (i % 2 == 0).then(|| format!("backup{i}@example.jp"))
}

fn run_register_worker() {
    let db = std::env::var("KOSMO_OPS_DB").unwrap_or_default();
    let svc = match Store::open(Path::new(&db)) {
        Ok(s) => Services::new(Arc::new(s), Arc::new(Config::default())),
        Err(e) => return say(&format!("result error open {e}")),
    };
    say("ready");
    let mut line = String::new();
    let _ = std::io::stdin().lock().read_line(&mut line);
    let kiosk = Actor::kiosk();
    let jobs = std::env::var("KOSMO_OPS_JOBS").unwrap_or_default();
    for job in jobs.split(';').filter(|j| !j.is_empty()) {
        let f: Vec<&str> = job.split(',').collect();
        let mut t = match svc.login(&kiosk, f[0], f[1]) {
            Ok(LoginOutcome::Temporary(t)) => t,
            other => return say(&format!("result error login {other:?}")),
        };
        match svc.check_identity(&kiosk, &t, &insurer(f[2]), date(f[3])) {
            Ok(IdentityOutcome::Confirmed(m)) => t.confirm(&m),
            other => return say(&format!("result error identity {other:?}")),
        }
        if let Err(e) = svc.register(&kiosk, &t, &input(f[4], PASSWORD, f[5])) {
            return say(&format!("result error register {e}"));
        }
    }
    say("result ok");
}

/// The worker processes' entry point (see the module comment).
#[test]
#[ignore = "entry point of the worker processes that the backup test starts"]
fn worker() {
    if std::env::var(WORKER_ENV).as_deref() == Ok("register") {
        run_register_worker();
    }
}

struct Registrar {
    child: Child,
    lines: std::sync::mpsc::Receiver<String>,
}

impl Registrar {
    fn spawn(db: &Path, jobs: String) -> Registrar {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "backup::worker",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
                "-q",
            ])
            .env(WORKER_ENV, "register")
            .env("KOSMO_OPS_DB", db)
            .env("KOSMO_OPS_JOBS", jobs)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start a worker");
        let out = child.stdout.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if let Some(m) = line.strip_prefix("@@ ") {
                    let _ = tx.send(m.to_string());
                }
            }
        });
        Registrar { child, lines }
    }

    fn expect(&self, what: &str) {
        let line = self
            .lines
            .recv_timeout(Duration::from_secs(120))
            .unwrap_or_else(|e| panic!("no {what:?} from a worker: {e}"));
        assert_eq!(line, what);
    }

    fn go(&mut self) {
        let stdin = self.child.stdin.as_mut().unwrap();
        stdin.write_all(b"go\n").unwrap();
        stdin.flush().unwrap();
    }
}

impl Drop for Registrar {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn binary() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kosmo-kiosk"));
    c.env_remove("KOSMO_KIOSK_DB")
        .env_remove("KOSMO_KIOSK_SMTP_URL")
        .env_remove("KOSMO_KIOSK_LOG")
        .stdin(Stdio::null());
    c
}

/// `kosmo-kiosk --db DB --config CONFIG args…` with logs in the store's folder.
fn admin(db: &Path, config: &Path, args: &[&str]) -> std::process::Output {
    binary()
        .arg("--db")
        .arg(db)
        .arg("--config")
        .arg(config)
        .env("KOSMO_KIOSK_LOG_DIR", db.parent().unwrap().join("logs"))
        .args(args)
        .output()
        .expect("run kosmo-kiosk")
}

fn count(c: &Connection, sql: &str) -> i64 {
    c.query_row(sql, [], |r| r.get(0)).expect(sql)
}

/// Checks one copy: sound, and every household registered whole or untouched; returns how many
/// registrations it holds.
fn check_copy(path: &Path, cards: &[Notice]) -> usize {
    let c = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let ok: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok", "{path:?}");
    let mut registered = 0;
    for (i, card) in cards.iter().enumerate() {
        let hid: i64 = c
            .query_row(
                "SELECT id FROM households WHERE insurer_number || '-' || symbol || '-' || number = ?1",
                [&card.household],
                |r| r.get(0),
            )
            .unwrap();
        let st = HouseholdState::read(&c, hid);
        let whole = st.is_registered(&card.temp_user_id, &user_id(i), email(i).as_deref());
        let untouched = st.is_untouched(&card.temp_user_id);
        assert!(
            whole ^ untouched,
            "{path:?}: household {i} is half-registered: {st:#?}"
        );
        registered += usize::from(whole);
    }
    // Nothing else half-written anywhere in the file.
    let accounts = count(&c, "SELECT count(*) FROM accounts");
    assert_eq!(accounts as usize, registered);
    assert_eq!(
        accounts,
        count(
            &c,
            "SELECT count(*) FROM temp_credentials WHERE state = 'used'"
        )
    );
    assert_eq!(accounts, count(&c, "SELECT count(*) FROM terms_agreements"));
    assert_eq!(
        accounts,
        count(&c, "SELECT count(*) FROM audit WHERE event = 'register'")
    );
    registered
}

#[test]
fn backup_while_eight_processes_register_and_mail_is_sent_then_restore() {
    let f = Fixture::new();
    let n = PROCESSES * EACH;
    f.import(&many_households_csv("BK", n));
    let keys: Vec<String> = (0..n).map(|i| key_of("BK", i)).collect();
    let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let issued = f.issue(&refs);
    let cards: Vec<Notice> = keys
        .iter()
        .map(|k| issued.iter().find(|c| &c.household == k).unwrap().clone())
        .collect();

    // The mail worker: the real binary, polling every second, against a test SMTP server.
    let server = TestSmtp::start(Behaviour::default());
    let config = f.dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[mail]\nsmtp_url = \"{}\"\npoll_secs = 1\nretry_min_secs = 1\n",
            server.url()
        ),
    )
    .unwrap();
    let mut sync = binary()
        .arg("--db")
        .arg(&f.db)
        .arg("--config")
        .arg(&config)
        .env("KOSMO_KIOSK_LOG_DIR", f.dir.path().join("logs"))
        .args(["outbox", "sync"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("outbox sync");

    let mut workers: Vec<Registrar> = (0..PROCESSES)
        .map(|w| {
            let jobs: Vec<String> = (0..EACH)
                .map(|k| w * EACH + k)
                .map(|i| job_line(&cards[i], i))
                .collect();
            Registrar::spawn(&f.db, jobs.join(";"))
        })
        .collect();
    for w in &workers {
        w.expect("ready");
    }

    // Backups, one after another through the real binary, for as long as the workers register.
    let backups = f.dir.path().join("backups");
    std::fs::create_dir(&backups).unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let taker = {
        let (db, config, backups, done) =
            (f.db.clone(), config.clone(), backups.clone(), done.clone());
        std::thread::spawn(move || {
            let mut paths: Vec<PathBuf> = Vec::new();
            let take = |paths: &mut Vec<PathBuf>| {
                let dest = backups.join(format!("b{:03}.db", paths.len()));
                let o = admin(&db, &config, &["admin", "backup", dest.to_str().unwrap()]);
                assert!(
                    o.status.success(),
                    "backup failed: {}",
                    String::from_utf8_lossy(&o.stderr)
                );
                paths.push(dest);
            };
            while !done.load(Ordering::SeqCst) {
                take(&mut paths);
            }
            // And one begun after every registration and mail is done.
            take(&mut paths);
            paths
        })
    };
    let start = Instant::now();
    for w in &mut workers {
        w.go();
    }
    for w in &workers {
        w.expect("result ok");
    }
    let registering = start.elapsed();
    // Every welcome mail delivered while backups go on.
    let mails = (0..n).filter(|i| email(*i).is_some()).count();
    assert!(
        server.wait_for(mails, Duration::from_secs(60)),
        "{} of {mails} mails arrived",
        server.count()
    );
    done.store(true, Ordering::SeqCst);
    let paths = taker.join().expect("backups");

    let mut seen = Vec::new();
    for p in &paths {
        assert_eq!(mode(p), 0o600, "{p:?}");
        seen.push(check_copy(p, &cards));
    }
    eprintln!(
        "{} backups while {PROCESSES} processes registered {n} households in {registering:?}: {seen:?}",
        paths.len()
    );
    assert_eq!(*seen.last().unwrap(), n, "the last copy holds everything");
    assert!(
        seen.iter().any(|&k| k > 0 && k < n),
        "some copy was taken in the middle of the registrations: {seen:?}"
    );
    // Never over an existing file.
    let o = admin(
        &f.db,
        &config,
        &["admin", "backup", paths[0].to_str().unwrap()],
    );
    assert!(!o.status.success());
    assert_plain_error(&String::from_utf8_lossy(&o.stderr));

    // Restore refuses while the mail worker holds the store, and says which process it is.
    let middle = paths
        .iter()
        .zip(&seen)
        .find(|(_, k)| **k > 0 && **k < n)
        .map(|(p, k)| (p.clone(), *k))
        .unwrap();
    let before = std::fs::read(&f.db).unwrap();
    let o = admin(
        &f.db,
        &config,
        &["admin", "restore", middle.0.to_str().unwrap()],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "restore went ahead while in use");
    assert_plain_error(&err);
    assert!(
        err.contains(&format!("pid {}", sync.id())) && err.contains("outbox sync"),
        "{err}"
    );
    assert_eq!(std::fs::read(&f.db).unwrap(), before, "nothing was changed");

    // Stopped (SIGTERM, as systemd does), the store can be restored.
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(sync.id() as i32, libc::SIGTERM) };
    let _ = sync.wait();
    restore_and_log_in(&f, &config, &middle.0, middle.1, &cards);
}

/// Restores `copy` (which holds `held` registrations) over the fixture's store, which is first closed,
/// and logs a restored member in on the kiosk, in a pseudo-terminal.
fn restore_and_log_in(f: &Fixture, config: &Path, copy: &Path, held: usize, cards: &[Notice]) {
    // This test process holds the store through the fixture: restore names it too.
    let o = admin(&f.db, config, &["admin", "restore", copy.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(
        err.contains(&format!("pid {}", std::process::id())),
        "{err}"
    );

    // The kiosk of another host: a fresh store through the command line, replaced by the copy.
    let host = crate::support::pty::Store::prepare("[kiosk]\nallow_exit = true\n");
    let o = binary()
        .arg("--db")
        .arg(host.db())
        .arg("--config")
        .arg(host.path("config.toml"))
        .env("KOSMO_KIOSK_LOG_DIR", host.path("logs"))
        .args(["admin", "restore", copy.to_str().unwrap()])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "restore: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.contains("the replaced store is kept as"), "{out}");
    assert_eq!(mode(&host.db()), 0o600);
    let kept: Vec<PathBuf> = std::fs::read_dir(host.dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("kiosk.db.replaced-"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    let old = Store::open_read_only(&kept[0]).unwrap();
    assert_eq!(old.integrity_check().unwrap(), "ok");

    let restored = Store::open(&host.db()).unwrap();
    let c = restored
        .read(|c| Ok(count(c, "SELECT count(*) FROM accounts")))
        .unwrap();
    assert_eq!(c as usize, held);
    let audit = restored
        .read(|c| {
            Ok(count(
                c,
                "SELECT count(*) FROM audit WHERE event = 'restore'",
            ))
        })
        .unwrap();
    assert_eq!(
        audit, 1,
        "the restore is an audit row in the restored store"
    );
    drop(restored);
    drop(old);

    // A member whose registration is in the copy logs in with the permanent ID; one registered after
    // the copy was taken is refused (their registration is not in the restored store).
    let held_by_copy = |i: usize| {
        let c = Connection::open(host.db()).unwrap();
        count(
            &c,
            &format!(
                "SELECT count(*) FROM accounts WHERE user_id = '{}'",
                user_id(i)
            ),
        ) == 1
    };
    let inside = (0..cards.len()).find(|&i| held_by_copy(i)).unwrap();
    let outside = (0..cards.len()).find(|&i| !held_by_copy(i)).unwrap();
    let log_in = |i: usize| {
        let mut k = host.kiosk(&[]);
        k.wait_for(&["ユーザID"]);
        k.type_text(&user_id(i));
        k.tab();
        k.type_text(PASSWORD);
        k.tab();
        k.enter();
        k
    };
    let mut k = log_in(outside);
    k.wait_for(&["ユーザIDまたはパスワードが正しくありません"]);
    k.stop();
    let mut k = log_in(inside);
    k.wait_for(&["メインメニュー"]);
    k.stop();
}

#[test]
fn restore_checks_the_source_first_and_changes_nothing_when_refused() {
    let ops = crate::support::bin::Ops::new();
    let csv = ops.write(
        "m.csv",
        "insurer_number,symbol,number,name,birth_date,relationship\n06139497,12,4417203,山田 太郎,1970-05-05,insured\n",
    );
    ops.ok(&["admin", "import-members", csv.to_str().unwrap()]);
    let before = std::fs::read(&ops.db).unwrap();
    let refuse = |src: &Path, says: &str| {
        let err = ops.fails(&["admin", "restore", src.to_str().unwrap()]);
        assert!(err.contains(says), "{err}");
        assert_eq!(
            std::fs::read(&ops.db).unwrap(),
            before,
            "the store is as it was"
        );
        let aside = std::fs::read_dir(ops.dir.path())
            .unwrap()
            .filter(|e| {
                let n = e.as_ref().unwrap().file_name();
                let n = n.to_string_lossy();
                n.contains("replaced") || n.contains("restoring")
            })
            .count();
        assert_eq!(aside, 0, "nothing left behind");
    };
    refuse(&ops.path("none.db"), "does not exist");
    refuse(
        &ops.write("text.db", "not a database at all"),
        "not a readable SQLite store",
    );
    let other = ops.path("other.db");
    Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    refuse(&other, "not a kosmo-kiosk store");
    refuse(&ops.db, "the store itself");

    // A backup folder with a kept count: names carry the time, the oldest go.
    let dir = ops.path("nightly");
    std::fs::create_dir(&dir).unwrap();
    let old = dir.join("kiosk-20200101T000000Z.db");
    std::fs::write(&old, "an old backup").unwrap();
    let mine = dir.join("notes.txt");
    std::fs::write(&mine, "not a backup").unwrap();
    let out = ops.ok(&["admin", "backup", dir.to_str().unwrap(), "--keep", "1"]);
    assert!(out.contains("removed 1 older backup"), "{out}");
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.contains(&"notes.txt".to_string()), "{names:?}");
    let new = names.iter().find(|n| n.starts_with("kiosk-2")).unwrap();
    assert!(new.ends_with("Z.db") && new.len() == "kiosk-20260101T000000Z.db".len());
    // --keep needs a folder.
    let err = ops.fails(&[
        "admin",
        "backup",
        ops.path("x.db").to_str().unwrap(),
        "--keep",
        "2",
    ]);
    assert!(err.contains("--keep needs DEST to be a folder"), "{err}");

    // Restoring onto a path with no store yet just puts the copy there.
    let fresh = ops.path("fresh/kiosk.db");
    std::fs::create_dir(ops.path("fresh")).unwrap();
    let o = ops
        .bare()
        .arg("--db")
        .arg(&fresh)
        .args(["admin", "restore", dir.join(new).to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("(1 household, 0 accounts)"));
}
