//! Medical expenses at the scale of a society (issue 16): 50,000 households × 24 months = 1,000,000
//! rows (tests/support/expenses.rs; the files and stores are kept in target/expenses-bench/).
//!
//! - `import`: `admin import-expenses` of the 1,000,000 rows by the real binary in one pass, in a
//!   child process (its wall time, CPU time and peak memory from `wait4`), and of the first 100,000
//!   rows (the same peak memory shows that it does not grow with the file); alternately with the
//!   anchor, the plain Python `sqlite3` insert of the same rows into the same tables in one
//!   transaction, without any check (scripts/anchors/import_expenses.py, its own timing). Prints
//!   rows/s, the ratio of CPU times (anchor / import) and the peak memory.
//! - `read` (criterion): on the store with the 1,000,000 rows, the month list of a household (target
//!   < 10 ms), a month's rows, the year view, the decisions; against the anchor, one household found
//!   by its key (the cheapest indexed read, to show the machine's load).
//!
//! `cargo bench --bench expenses` (about 10 minutes on 2 shared cores, most of it the first build of
//! the stores); `EXPENSES_BENCH_ROUNDS` (default 2) import rounds.

#[path = "../tests/support/expenses.rs"]
mod society;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::Criterion;
use kosmo_kiosk::config::Config;
use kosmo_kiosk::domain::expenses::YearMonth;
use kosmo_kiosk::domain::household::HouseholdKey;
use kosmo_kiosk::services::Services;
use kosmo_kiosk::services::auth::AccountSession;
use kosmo_kiosk::store::{Store, households};

const MONTHS: u32 = 24;

/// `cargo bench` passes `--bench`; `cargo test --all-targets` (CI) runs this binary without it, and
/// then the same code runs once at a small scale (500 households, a few seconds) so that it is
/// checked without costing CI ten minutes.
fn full_scale() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn households() -> usize {
    if full_scale() { 50_000 } else { 500 }
}

/// The rows of the file: 20 of the 24 months of each household have one (`society::has_row`).
fn rows() -> usize {
    households() * MONTHS as usize * 5 / 6
}

/// The first rows of the file imported alone (the memory bound does not grow with the file).
fn small_rows() -> usize {
    (rows() / 10).min(100_000)
}

fn work() -> PathBuf {
    let name = if full_scale() {
        "expenses-bench"
    } else {
        "expenses-bench-test"
    };
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join(name)
}

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_kosmo-kiosk"))
}

/// What a child process cost: wall time, CPU time (user + system) and peak resident memory.
struct Run {
    wall: Duration,
    cpu: Duration,
    peak_kib: i64,
    stdout: String,
}

// The child is reaped by `wait4` (for its rusage), which clippy cannot see.
#[allow(clippy::zombie_processes)]
fn run(cmd: &mut Command) -> Run {
    let started = Instant::now();
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn");
    let pid = child.id() as libc::pid_t;
    let mut stdout = child.stdout.expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).expect("read stdout");
        s
    });
    let mut status = 0;
    // SAFETY: `usage` is a plain C struct filled by the kernel; `pid` is our own child, not yet
    // waited for (std's `Child` is dropped without waiting).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    assert_eq!(r, pid, "wait4");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{cmd:?} failed"
    );
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Run {
        wall,
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        peak_kib: usage.ru_maxrss,
        stdout: reader.join().expect("stdout"),
    }
}

fn kiosk(db: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(binary());
    c.arg("--db").arg(db).args(args);
    c.env("KOSMO_KIOSK_LOG_DIR", work().join("logs"))
        .env("KOSMO_KIOSK_CONFIG", work().join("config.toml"))
        .env_remove("KOSMO_KIOSK_SMTP_URL");
    c
}

/// The files and the store with the members only (built once, kept).
fn setup() -> (PathBuf, PathBuf, PathBuf) {
    let dir = work();
    std::fs::create_dir_all(&dir).expect("work dir");
    std::fs::write(dir.join("config.toml"), "").expect("config");
    let current = YearMonth::of(
        time::OffsetDateTime::now_utc()
            .to_offset(kosmo_kiosk::clock::JST)
            .date(),
    );
    let stamp = dir.join(format!("files-{current}"));
    let members = dir.join(format!("members-{}.csv", households()));
    let expenses = dir.join(format!("expenses-{}.csv", households()));
    if !stamp.exists() {
        let (_, _, rows) =
            society::write_files(&dir, households(), MONTHS, current).expect("files");
        assert_eq!(rows as usize, self::rows());
        // The first 100,000 rows, streamed (the bench stays small: a child's peak memory as the
        // kernel reports it is never below its parent's at the fork).
        use std::io::{BufRead, Write};
        let input = std::io::BufReader::new(std::fs::File::open(&expenses).expect("open"));
        let mut out = std::io::BufWriter::new(
            std::fs::File::create(dir.join("expenses-100k.csv")).expect("100k"),
        );
        for line in input.lines().take(small_rows() + 1) {
            writeln!(out, "{}", line.expect("line")).expect("write");
        }
        out.flush().expect("flush");
        std::fs::write(&stamp, "").expect("stamp");
        let _ = std::fs::remove_file(dir.join("base.db"));
        let _ = std::fs::remove_file(dir.join("full.db"));
    }
    let base = dir.join("base.db");
    if !base.exists() {
        let tmp = dir.join("base.tmp.db");
        remove_store(&tmp);
        run(&mut kiosk(
            &tmp,
            &["admin", "import-members", members.to_str().unwrap()],
        ));
        checkpoint(&tmp);
        std::fs::rename(&tmp, &base).expect("rename");
    }
    (base, expenses, dir.join("expenses-100k.csv"))
}

fn remove_store(db: &Path) {
    for ext in ["", "-wal", "-shm"] {
        let mut p = db.as_os_str().to_owned();
        p.push(ext);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

fn checkpoint(db: &Path) {
    let c = rusqlite::Connection::open(db).expect("open");
    c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .expect("checkpoint");
}

fn copy_store(from: &Path, to: &Path) {
    remove_store(to);
    std::fs::copy(from, to).expect("copy");
}

/// The anchor's own timing of its insert: (rows, CPU, wall).
fn python_anchor(db: &Path, csv: &Path) -> (u64, Duration, Duration) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/anchors/import_expenses.py");
    let out = run(Command::new("python3").arg(script).arg(db).arg(csv)).stdout;
    let f: Vec<&str> = out.split_whitespace().collect();
    assert!(f.len() == 6 && f[0] == "rows", "anchor: {out}");
    let secs = |s: &str| Duration::from_secs_f64(s.parse().expect("seconds"));
    (f[1].parse().expect("rows"), secs(f[3]), secs(f[5]))
}

/// VmHWM of this process.
fn self_peak_kib() -> i64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn mib(kib: i64) -> f64 {
    kib as f64 / 1024.0
}

/// The import rounds, alternately with the anchor; returns the store with the 1,000,000 rows.
fn import_figures(base: &Path, full: &Path, small: &Path) -> PathBuf {
    let dir = work();
    let rounds: usize = std::env::var("EXPENSES_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if full_scale() { 2 } else { 1 });
    let db = dir.join("import.db");
    println!(
        "== import of {} rows ({} households × {MONTHS} months), alternately with the anchor",
        rows(),
        households()
    );
    println!(
        "(this bench's own peak memory before the runs: {:.1} MiB; a child's figure cannot be below it)",
        mib(self_peak_kib())
    );
    let mut ratios = Vec::new();
    for round in 1..=rounds {
        copy_store(base, &db);
        let ours = run(&mut kiosk(
            &db,
            &["admin", "import-expenses", full.to_str().unwrap()],
        ));
        assert!(
            ours.stdout.contains(&format!("imported {} rows", rows())),
            "{}",
            ours.stdout
        );
        copy_store(base, &db);
        let (anchor_rows, anchor_cpu, anchor_wall) = python_anchor(&db, full);
        assert_eq!(anchor_rows as usize, rows());
        let ratio = anchor_cpu.as_secs_f64() / ours.cpu.as_secs_f64();
        ratios.push(ratio);
        println!(
            "round {round}: import {:.1} s wall, {:.1} s CPU, {:.0} rows/s (CPU), peak {:.1} MiB | \
             anchor {:.1} s wall, {:.1} s CPU, {:.0} rows/s (CPU) | ratio anchor/import CPU {ratio:.2}",
            ours.wall.as_secs_f64(),
            ours.cpu.as_secs_f64(),
            rows() as f64 / ours.cpu.as_secs_f64(),
            mib(ours.peak_kib),
            anchor_wall.as_secs_f64(),
            anchor_cpu.as_secs_f64(),
            rows() as f64 / anchor_cpu.as_secs_f64(),
        );
        if round == rounds {
            checkpoint(&db);
            copy_store(&db, &dir.join("full.db"));
        }
    }
    copy_store(base, &db);
    let small_run = run(&mut kiosk(
        &db,
        &["admin", "import-expenses", small.to_str().unwrap()],
    ));
    println!(
        "{} rows: {:.1} s wall, {:.1} s CPU, peak {:.1} MiB (the same bound: memory does not grow with the file)",
        small_rows(),
        small_run.wall.as_secs_f64(),
        small_run.cpu.as_secs_f64(),
        mib(small_run.peak_kib)
    );
    println!(
        "import ratio anchor/import (CPU), median of {rounds}: {:.2} (target ≥ 0.5: the checks, the \
         replacement bookkeeping, the purge and the mails cost at most as much again as a plain insert)",
        median(ratios)
    );
    remove_store(&db);
    dir.join("full.db")
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn session(svc: &Services, i: usize) -> AccountSession {
    let key = HouseholdKey::parse(&society::key(i)).expect("key");
    let h = svc
        .store
        .read(|c| households::find_by_key(c, &key))
        .expect("read")
        .expect("household");
    AccountSession {
        account_id: 0,
        household_id: h.id,
        user_id: String::new(),
        must_change: None,
        login_password_set_at: None,
    }
}

fn read_benches(c: &mut Criterion, db: &Path) {
    let svc = Services::new(
        Arc::new(Store::open(db).expect("open")),
        Arc::new(Config::default()),
    );
    let mut k = 0usize;
    let mut next = move || {
        k += 7919;
        1 + k % households()
    };
    let sessions: Vec<AccountSession> = (0..64).map(|_| session(&svc, next())).collect();
    let mut g = c.benchmark_group("expenses_1m");
    g.sample_size(30).measurement_time(Duration::from_secs(4));
    let mut i = 0usize;
    let mut pick = move || {
        i = (i + 1) % sessions.len();
        sessions[i].clone()
    };
    g.bench_function("anchor/household_by_key", |b| {
        b.iter(|| {
            let key = HouseholdKey::parse(&society::key(next())).expect("key");
            black_box(
                svc.store
                    .read(|c| households::find_by_key(c, &key))
                    .expect("read"),
            )
        })
    });
    g.bench_function("month_list", |b| {
        b.iter(|| {
            let m = svc.expense_months(&pick()).expect("months");
            assert!(m.len() >= 19, "{}", m.len());
            black_box(m)
        })
    });
    let month = svc.expense_window().current.minus(1);
    g.bench_function("month_rows", |b| {
        b.iter(|| black_box(svc.expense_month(&pick(), month).expect("month")))
    });
    g.bench_function("year_view", |b| {
        b.iter(|| black_box(svc.expense_years(&pick()).expect("years")))
    });
    g.finish();
}

fn main() {
    let (base, full, small) = setup();
    let store = import_figures(&base, &full, &small);
    let mut c = Criterion::default().configure_from_args();
    read_benches(&mut c, &store);
    c.final_summary();
}
