//! The worker processes of `processes.rs`: this test binary started again, running the ignored test
//! [`worker`], which does nothing unless `KOSMO_PROOF_WORKER` is set. Then it opens the store through
//! the library and logs in, checks identity and registers as a kiosk would, reporting each step on
//! stdout as a line starting with `@@ `; pause hooks inside SQLite hold it where the parent kills it.

use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use kosmo_kiosk::config::Config;
use kosmo_kiosk::services::ServiceError;
use kosmo_kiosk::services::Services;
use kosmo_kiosk::services::auth::LoginOutcome;
use kosmo_kiosk::services::registration::{IdentityOutcome, RegisterError};
use kosmo_kiosk::store::{Actor, Store, StoreError};

use super::processes::WORKER_ENV;
use crate::support::{date, input, insurer};

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "@@ {line}");
    let _ = out.flush();
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_default()
}

/// The row change (1-based) of the [実行] transaction at which the update hook stops; 0 = never.
static PAUSE_AT_CHANGE: AtomicU32 = AtomicU32::new(0);
static CHANGES: AtomicU32 = AtomicU32::new(0);
static PAUSE_AT_COMMIT: AtomicU32 = AtomicU32::new(0);

/// Called by SQLite after each row change of this connection, inside the transaction. At the chosen
/// change it says so and waits to be killed (bounded: the parent kills at once).
unsafe extern "C" fn on_update(
    _: *mut std::ffi::c_void,
    _op: std::ffi::c_int,
    _db: *const std::ffi::c_char,
    table: *const std::ffi::c_char,
    _rowid: i64,
) {
    let n = CHANGES.fetch_add(1, Ordering::SeqCst) + 1;
    if n == PAUSE_AT_CHANGE.load(Ordering::SeqCst) {
        // SAFETY: SQLite passes a NUL-terminated table name valid for the duration of the call.
        let table = unsafe { std::ffi::CStr::from_ptr(table) }.to_string_lossy();
        say(&format!("intx {n} {table}"));
        std::thread::sleep(Duration::from_secs(30));
    }
}

/// Called by SQLite when a transaction is about to commit (before anything is written to the WAL).
unsafe extern "C" fn on_commit(_: *mut std::ffi::c_void) -> std::ffi::c_int {
    if PAUSE_AT_COMMIT.load(Ordering::SeqCst) == 1 {
        say("commit");
        std::thread::sleep(Duration::from_secs(30));
    }
    0
}

fn install_pause_hooks(svc: &Services, pause: &str) {
    if let Some(k) = pause.strip_prefix("update:") {
        PAUSE_AT_CHANGE.store(k.parse().expect("update:K"), Ordering::SeqCst);
    } else if pause == "commit" {
        PAUSE_AT_COMMIT.store(1, Ordering::SeqCst);
    } else {
        return;
    }
    svc.store
        .read(|c| {
            // SAFETY: the handle belongs to this open connection, which outlives the hooks (the process
            // ends with it); the callbacks only touch atomics and stdout, never the connection.
            unsafe {
                let db = c.handle();
                rusqlite::ffi::sqlite3_update_hook(db, Some(on_update), std::ptr::null_mut());
                rusqlite::ffi::sqlite3_commit_hook(db, Some(on_commit), std::ptr::null_mut());
            }
            Ok(())
        })
        .expect("install hooks");
}

fn describe(e: &RegisterError) -> String {
    let busy = matches!(e, RegisterError::Service(ServiceError::Store(s)) if s.is_busy());
    match e {
        RegisterError::UserIdTaken => "taken".into(),
        RegisterError::CredentialInvalid => "credential_invalid".into(),
        _ if busy => format!("error busy {e}"),
        _ => format!("error {e}"),
    }
}

fn wait_for_go() {
    let mut line = String::new();
    let _ = std::io::stdin().lock().read_line(&mut line);
}

fn open_services(db: &Path) -> Result<Services, StoreError> {
    let store = Store::open(db)?;
    Ok(Services::new(Arc::new(store), Arc::new(Config::default())))
}

fn run_register_worker() {
    let db = env("KOSMO_PROOF_DB");
    let svc = match open_services(Path::new(&db)) {
        Ok(s) => s,
        Err(e) => return say(&format!("result error open {e}")),
    };
    let kiosk = Actor::kiosk();
    let mut t = match svc.login(
        &kiosk,
        &env("KOSMO_PROOF_TEMP_ID"),
        &env("KOSMO_PROOF_TEMP_PW"),
    ) {
        Ok(LoginOutcome::Temporary(t)) => t,
        other => return say(&format!("result error login {other:?}")),
    };
    match svc.check_identity(
        &kiosk,
        &t,
        &insurer(&env("KOSMO_PROOF_INSURER")),
        date(&env("KOSMO_PROOF_BIRTH")),
    ) {
        Ok(IdentityOutcome::Confirmed(m)) => t.confirm(&m),
        other => return say(&format!("result error identity {other:?}")),
    }
    let pause = env("KOSMO_PROOF_PAUSE");
    install_pause_hooks(&svc, &pause);
    say("ready");
    if env("KOSMO_PROOF_WAIT_GO") == "1" {
        wait_for_go();
    }
    let inp = input(
        &env("KOSMO_PROOF_USER_ID"),
        &env("KOSMO_PROOF_PASSWORD"),
        &env("KOSMO_PROOF_EMAIL"),
    );
    match svc.register(&kiosk, &t, &inp) {
        Ok(_) => say("result ok"),
        Err(e) => say(&format!("result {}", describe(&e))),
    }
    if pause == "after" {
        say("done");
        std::thread::sleep(Duration::from_secs(30));
    }
}

/// Three wrong passwords for one ID, as fast as it can, after "go".
fn run_guess_worker() {
    let svc = match open_services(Path::new(&env("KOSMO_PROOF_DB"))) {
        Ok(s) => s,
        Err(e) => return say(&format!("result error open {e}")),
    };
    say("ready");
    wait_for_go();
    for i in 0..3 {
        match svc.login(
            &Actor::kiosk(),
            &env("KOSMO_PROOF_TEMP_ID"),
            &format!("Wrong{i}pass"),
        ) {
            Ok(LoginOutcome::Failed) => {}
            other => return say(&format!("result error guess {other:?}")),
        }
    }
    say("result ok");
}

fn run_open_worker() {
    wait_for_go();
    match Store::open(Path::new(&env("KOSMO_PROOF_DB"))).and_then(|s| s.integrity_check()) {
        Ok(ok) if ok == "ok" => say("result ok"),
        Ok(other) => say(&format!("result error integrity {other}")),
        Err(e) => say(&format!(
            "result error {}{e}",
            if e.is_busy() { "busy " } else { "" }
        )),
    }
}

/// The worker processes' entry point (see the module comment). Without `KOSMO_PROOF_WORKER` it does
/// nothing, so running ignored tests by hand is harmless.
#[test]
#[ignore = "entry point of the worker processes that the tests in processes.rs start"]
fn worker() {
    match std::env::var(WORKER_ENV).as_deref() {
        Ok("register") => run_register_worker(),
        Ok("open") => run_open_worker(),
        Ok("guess") => run_guess_worker(),
        _ => {}
    }
}
