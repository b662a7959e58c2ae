//! The first refusal in a new process, of every kind (issue 8 item 4). Each SSH session and each kiosk
//! start is a new process, so a cost paid once per process (a dummy hash built lazily, say) would tell an
//! attacker which refusals are which on the first try, while a steady-state benchmark never sees it.
//!
//! [`prepare`] makes one store with every kind of ID; [`child`] is what a fresh process runs: open the
//! store and build the services as the program does, then time exactly one call and print the
//! nanoseconds. [`spawn`] starts such a process. Used by `benches/registration.rs` (the `first_try`
//! criterion group) and `examples/first_try.rs` (`scripts/first-try-timing.sh`, many fresh processes
//! per kind, medians and the 10 % check).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kosmo_kiosk::config::Config;
use kosmo_kiosk::domain::Lang;
use kosmo_kiosk::domain::credential::ONE_TIME_CODE_LEN;
use kosmo_kiosk::domain::household::Relationship;
use kosmo_kiosk::process::thread_cpu_time;
use kosmo_kiosk::services::Services;
use kosmo_kiosk::services::auth::LoginOutcome;
use kosmo_kiosk::services::members::parse_members_csv;
use kosmo_kiosk::services::registration::{IdentityOutcome, RegistrationInput, terms};
use kosmo_kiosk::services::reset::ResetInput;
use kosmo_kiosk::services::staff::StaffLoginOutcome;
use kosmo_kiosk::store::{Actor, Store};
use zeroize::Zeroizing;

/// Set in a child process: the kind to time.
pub const CHILD_ENV: &str = "KOSMO_FIRST_TRY_KIND";
const DB_ENV: &str = "KOSMO_FIRST_TRY_DB";
const TEMP_ENV: &str = "KOSMO_FIRST_TRY_TEMP";
const USED_ENV: &str = "KOSMO_FIRST_TRY_USED";

const PASSWORD: &str = "Sakura2026bench";
const MEMBER: &str = "BenchMember1";
const LOCKED_MEMBER: &str = "BenchLocked1";
const EMAIL: &str = "member@example.jp";
const STAFF: &str = "benchstaff";
const LOCKED_STAFF: &str = "lockedstaff";
const DISABLED_STAFF: &str = "gonestaff";

/// The forms whose refusals must not be told apart, and the kinds of each. The first kind of a form is
/// a refusal too; "sent" (a reset code mailed) answers the member exactly like the refusals.
pub const FORMS: &[(&str, &[&str])] = &[
    (
        "login",
        &[
            "unknown_id",
            "wrong_temp_password",
            "wrong_password",
            "locked_id",
            "used_postcard",
        ],
    ),
    (
        "staff_login",
        &[
            "staff_unknown",
            "staff_wrong_password",
            "staff_locked",
            "staff_disabled",
        ],
    ),
    (
        "reset_request",
        &[
            "reset_unknown",
            "reset_mismatch",
            "reset_locked",
            "reset_sent",
        ],
    ),
    (
        "reset_code",
        &["code_unknown_id", "code_wrong", "code_locked"],
    ),
];

/// A store with every kind of ID, in a temp dir that lives as long as this value.
pub struct Prepared {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    /// A live postcard's temporary ID.
    pub temp_id: String,
    /// A used postcard (its household registered): the temporary ID and password, tab-separated.
    pub used: String,
}

/// Locks that outlast any benchmark run.
fn long_locks(mut c: Config) -> Config {
    c.lockout.lock_minutes = 60 * 24 * 30;
    c.lockout.max_lock_minutes = 60 * 24 * 30;
    c
}

/// What a child runs with: the lock of the `*_locked` kinds in force, no new lock for the others (so
/// that a wrong password tried a hundred times stays a wrong password, not a locked ID), and codes
/// mailed as often as asked.
fn child_config(kind: &str) -> Config {
    let mut c = long_locks(Config::default());
    if !kind.contains("locked") {
        c.lockout.max_failures = u32::MAX;
    }
    c.reset.max_codes_per_hour = u32::MAX;
    c.reset.max_code_attempts = u32::MAX;
    c
}

fn services(db: &Path, config: Config) -> Services {
    Services::new(
        Arc::new(Store::open(db).expect("open the store")),
        Arc::new(config),
    )
}

fn registration(user_id: &str) -> RegistrationInput {
    RegistrationInput {
        user_id: user_id.into(),
        password: Zeroizing::new(PASSWORD.into()),
        password_confirm: Zeroizing::new(PASSWORD.into()),
        email: EMAIL.into(),
        notify_mail: true,
        registrant: Relationship::Insured,
        member_id: None,
        terms_version: terms(Lang::Ja).version.into(),
        lang: Lang::Ja,
        initial_password: false,
    }
}

/// Imports four households, registers two of them (one to be locked), issues a postcard to a third and
/// keeps the fourth's postcard live; adds three staff members (one locked, one disabled); mails the
/// member a reset code; locks the IDs meant to be locked.
pub fn prepare() -> Prepared {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("kiosk.db");
    let svc = services(&db, long_locks(Config::default()));
    let admin = Actor::admin();
    let kiosk = Actor::kiosk();
    let csv = "insurer_number,symbol,number,name,birth_date,relationship\n\
               06139497,B,1000001,会員 一,1970-01-01,insured\n\
               06139497,B,1000002,会員 二,1970-01-01,insured\n\
               06139497,B,1000003,会員 三,1970-01-01,insured\n";
    let rows = parse_members_csv(csv, svc.clock.today()).expect("CSV");
    svc.import_rows(&admin, &rows).expect("import");
    let report = svc
        .issue_credentials(&admin, &dir.path().join("notices.csv"), &[])
        .expect("issue");
    let insurer = "06139497".parse().expect("insurer");
    let birth = time::macros::date!(1970 - 01 - 01);
    for (notice, user_id) in report.notices.iter().zip([MEMBER, LOCKED_MEMBER]) {
        let mut t = match svc
            .login(&kiosk, &notice.temp_user_id, &notice.temp_password)
            .expect("login")
        {
            LoginOutcome::Temporary(t) => t,
            other => panic!("postcard login: {other:?}"),
        };
        match svc
            .check_identity(&kiosk, &t, &insurer, birth)
            .expect("identity")
        {
            IdentityOutcome::Confirmed(m) => t.confirm(&m),
            other => panic!("identity: {other:?}"),
        }
        svc.register(&kiosk, &t, &registration(user_id))
            .expect("register");
    }
    let temp_id = report.notices[2].temp_user_id.clone();
    let used = format!(
        "{}\t{}",
        report.notices[0].temp_user_id,
        report.notices[0].temp_password.as_str()
    );
    for id in [STAFF, LOCKED_STAFF, DISABLED_STAFF] {
        svc.add_staff(&admin, id, PASSWORD).expect("staff");
    }
    svc.store
        .write(|tx| {
            tx.execute(
                "UPDATE staff SET disabled = 1 WHERE staff_id = ?1",
                [DISABLED_STAFF],
            )?;
            Ok::<_, kosmo_kiosk::store::StoreError>(())
        })
        .expect("disable");
    svc.request_reset(&kiosk, MEMBER, EMAIL, Lang::Ja)
        .expect("reset code");
    for _ in 0..5 {
        svc.login(&kiosk, LOCKED_MEMBER, "Wrong2026pass")
            .expect("login");
        svc.staff_login(&kiosk, LOCKED_STAFF, "Wrong2026pass")
            .expect("staff login");
    }
    assert!(
        svc.lock_state(LOCKED_MEMBER)
            .expect("state")
            .locked_until
            .is_some()
    );
    Prepared {
        dir,
        db,
        temp_id,
        used,
    }
}

/// Starts a fresh process of `exe` (a program that calls [`child_main`] first) for one kind; the time
/// of its one call.
pub fn spawn(exe: &Path, p: &Prepared, kind: &str) -> Took {
    spawn_with(exe, &[], p, kind)
}

/// [`spawn`] with arguments (a test binary runs its entry test).
pub fn spawn_with(exe: &Path, args: &[&str], p: &Prepared, kind: &str) -> Took {
    let out = Command::new(exe)
        .args(args)
        .env(CHILD_ENV, kind)
        .env(DB_ENV, &p.db)
        .env(TEMP_ENV, &p.temp_id)
        .env(USED_ENV, &p.used)
        .env_remove("KOSMO_KIOSK_CONFIG")
        .output()
        .expect("start a child");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "child {kind}: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ns: Vec<u64> = text
        .lines()
        .find_map(|l| l.strip_prefix("first_try_ns "))
        .map(|n| {
            n.split_whitespace()
                .filter_map(|x| x.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    match ns[..] {
        [wall, cpu] => Took {
            wall: Duration::from_nanos(wall),
            cpu: Duration::from_nanos(cpu),
        },
        _ => panic!("child {kind} printed no time: {text}"),
    }
}

/// In a child process (when [`CHILD_ENV`] is set): times the one call and exits. Returns otherwise.
pub fn child_main() {
    let Ok(kind) = std::env::var(CHILD_ENV) else {
        return;
    };
    let db = PathBuf::from(std::env::var(DB_ENV).expect("db"));
    let temp = std::env::var(TEMP_ENV).expect("temp id");
    let used = std::env::var(USED_ENV).expect("used postcard");
    let svc = services(&db, child_config(&kind));
    let took = time_one(&svc, &kind, &temp, &used);
    println!(
        "first_try_ns {} {}",
        took.wall.as_nanos(),
        took.cpu.as_nanos()
    );
    std::process::exit(0);
}

/// The floor refusals are held to in the children and in [`services_for`]: the program's default.
pub fn floor() -> Duration {
    Duration::from_millis(u64::from(
        child_config("unknown_id").lockout.refusal_floor_ms,
    ))
}

/// What a child is told, for [`time_one`] in the parent process (steady state).
pub fn ids(p: &Prepared) -> (&str, &str) {
    (&p.temp_id, &p.used)
}

/// A services value for `kind` on the prepared store, as a child builds it.
pub fn services_for(p: &Prepared, kind: &str) -> Services {
    services(&p.db, child_config(kind))
}

/// The wall time and the CPU time of one call.
#[derive(Debug, Clone, Copy, Default)]
pub struct Took {
    pub wall: Duration,
    pub cpu: Duration,
}

/// One call of `kind` on `svc`: its wall and CPU time. Panics when the answer is not what the kind
/// expects.
pub fn time_one(svc: &Services, kind: &str, temp: &str, used: &str) -> Took {
    let (used_id, used_password) = used.split_once('\t').expect("id and password");
    let kiosk = Actor::kiosk();
    let wrong_code = "0".repeat(ONE_TIME_CODE_LEN);
    let reset = |user: &str| ResetInput {
        user_id: user.into(),
        code: wrong_code.clone(),
        new: Zeroizing::new("Fresh2026pass".into()),
        confirm: Zeroizing::new("Fresh2026pass".into()),
        lang: Lang::Ja,
    };
    let cpu = thread_cpu_time();
    let start = Instant::now();
    let refused = match kind {
        "unknown_id" => matches!(
            svc.login(&kiosk, "NoSuchMember9", PASSWORD),
            Ok(LoginOutcome::Failed)
        ),
        "wrong_temp_password" => matches!(
            svc.login(&kiosk, temp, "Wrong2026pass"),
            Ok(LoginOutcome::Failed)
        ),
        "wrong_password" => matches!(
            svc.login(&kiosk, MEMBER, "Wrong2026pass"),
            Ok(LoginOutcome::Failed)
        ),
        "locked_id" => matches!(
            svc.login(&kiosk, LOCKED_MEMBER, PASSWORD),
            Ok(LoginOutcome::Failed)
        ),
        // The right password of a postcard whose household has registered: used.
        "used_postcard" => matches!(
            svc.login(&kiosk, used_id, used_password),
            Ok(LoginOutcome::Failed)
        ),
        "staff_unknown" => matches!(
            svc.staff_login(&kiosk, "nosuchstaff", PASSWORD),
            Ok(StaffLoginOutcome::Failed)
        ),
        "staff_wrong_password" => matches!(
            svc.staff_login(&kiosk, STAFF, "Wrong2026pass"),
            Ok(StaffLoginOutcome::Failed)
        ),
        "staff_locked" => matches!(
            svc.staff_login(&kiosk, LOCKED_STAFF, PASSWORD),
            Ok(StaffLoginOutcome::Failed)
        ),
        "staff_disabled" => matches!(
            svc.staff_login(&kiosk, DISABLED_STAFF, PASSWORD),
            Ok(StaffLoginOutcome::Failed)
        ),
        "reset_unknown" => svc
            .request_reset(&kiosk, "NoSuchMember9", EMAIL, Lang::Ja)
            .is_ok(),
        "reset_mismatch" => svc
            .request_reset(&kiosk, MEMBER, "other@example.jp", Lang::Ja)
            .is_ok(),
        "reset_locked" => svc
            .request_reset(&kiosk, LOCKED_MEMBER, EMAIL, Lang::Ja)
            .is_ok(),
        "reset_sent" => svc.request_reset(&kiosk, MEMBER, EMAIL, Lang::Ja).is_ok(),
        "code_unknown_id" => svc.reset_password(&kiosk, &reset("NoSuchMember9")).is_err(),
        "code_wrong" => svc.reset_password(&kiosk, &reset(MEMBER)).is_err(),
        "code_locked" => svc.reset_password(&kiosk, &reset(LOCKED_MEMBER)).is_err(),
        other => panic!("unknown kind {other}"),
    };
    let took = Took {
        wall: start.elapsed(),
        cpu: thread_cpu_time() - cpu,
    };
    assert!(refused, "{kind}: not the expected answer");
    took
}

/// The median of some durations.
pub fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    let n = v.len();
    if n == 0 {
        Duration::ZERO
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2
    }
}
