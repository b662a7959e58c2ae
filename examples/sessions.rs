//! How many sessions one host serves (docs/scaling.md): the release binary in 80×24
//! pseudo-terminals, one process per session as over SSH, all on one store.
//!
//! - [実行] under load: N kiosks are driven (keys only) to the confirm screen, then [実行] is pressed
//!   on all N at the same instant; each session's time from its key to its done screen is recorded.
//!   Levels `SESSIONS_LEVELS` (default 1,4,8,16,32), `SESSIONS_ROUNDS` rounds each (default 3): the
//!   p50/p99/max per level. The anchor, measured before each level in this process: one argon2id hash
//!   with the kiosk's parameters (the cost [実行] cannot avoid).
//! - Memory per idle session: `SESSIONS_IDLE` kiosks (default 40) idle on the start screen; each one's
//!   proportional set size (PSS: shared pages divided among the processes that share them) and
//!   private memory (USS) from /proc/<pid>/smaps_rollup, and the drop of MemAvailable.
//!
//! Run through `scripts/sessions.sh` (builds the release binary, passes it in `KOSMO_KIOSK_BIN`).

#[path = "../tests/support/bin.rs"]
mod bin;
#[path = "../tests/support/households.rs"]
mod households;
#[path = "../tests/support/procs.rs"]
mod procs;
#[path = "../tests/support/pty.rs"]
mod pty;
#[path = "../tests/support/pty_store.rs"]
mod pty_store;
#[path = "../tests/support/screen.rs"]
mod screen;
#[path = "support/wizard.rs"]
mod wizard;

use std::time::{Duration, Instant};

use pty::{Postcard, Store, Term as Kiosk};

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn levels() -> Vec<usize> {
    std::env::var("SESSIONS_LEVELS")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1, 4, 8, 16, 32])
}

/// Household `i` of the measurement: insurer 06139497, symbol S, number 100000 + i.
fn household(i: usize) -> String {
    format!("06139497-S-{}", 100_000 + i)
}

fn birth(i: usize) -> (String, String) {
    let (y, m, d) = (1940 + i % 60, 1 + i % 12, 1 + i % 28);
    (format!("{y}-{m:02}-{d:02}"), format!("{y}{m:02}{d:02}"))
}

fn members_csv(n: usize) -> String {
    let mut s = String::from("insurer_number,symbol,number,name,birth_date,relationship\n");
    for i in 0..n {
        s.push_str(&format!(
            "06139497,S,{},会員 {i},{},insured\n",
            100_000 + i,
            birth(i).0
        ));
    }
    s
}

/// Drives a kiosk from the start screen to the confirm screen of household `i`, focus on [実行].
fn to_confirm(k: &mut Kiosk, card: &Postcard, i: usize) {
    let user_id = format!("sess{i:05}x");
    wizard::to_confirm(k, card, "06139497", &birth(i).1, &user_id);
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).ceil() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

/// One argon2id hash with the kiosk's parameters, the median of 5.
fn argon2_anchor() -> Duration {
    let hasher = kosmo_kiosk::services::Hasher::default();
    let mut t: Vec<Duration> = (0..5)
        .map(|_| {
            let start = Instant::now();
            let _ = std::hint::black_box(hasher.hash("anchor2026pw"));
            start.elapsed()
        })
        .collect();
    t.sort();
    t[2]
}

/// kB values of /proc/<pid>/smaps_rollup.
fn rollup(pid: u32, key: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(&format!("{key}:")))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn mem_available_kib() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemAvailable:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn main() {
    let rounds = env_num("SESSIONS_ROUNDS", 3);
    let idle = env_num("SESSIONS_IDLE", 40);
    let levels = levels();
    let needed: usize = levels.iter().sum::<usize>() * rounds;
    println!("binary: {}", bin::path().display());
    println!(
        "cores: {}; levels {levels:?} × {rounds} rounds ({needed} registrations); {idle} idle sessions",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let store = Store::prepare("[kiosk]\nallow_exit = true\n");
    std::fs::write(store.path("sessions.csv"), members_csv(needed)).expect("csv");
    store.cli(&["admin", "import-members", "sessions.csv"]);
    let keys: Vec<String> = (0..needed).map(household).collect();
    let mut args = vec![
        "admin",
        "issue-credentials",
        "--out",
        "sessions-notices.csv",
    ];
    for k in &keys {
        args.push("--household");
        args.push(k);
    }
    store.cli(&args);
    let all = store.postcards("sessions-notices.csv");
    let card = |i: usize| {
        all.iter()
            .find(|c| c.household == household(i))
            .expect("a postcard")
            .clone()
    };

    // Memory per idle session.
    let before = mem_available_kib();
    let mut idle_kiosks: Vec<Kiosk> = (0..idle).map(|_| store.kiosk(&[])).collect();
    for k in &idle_kiosks {
        k.wait_for(&["[ ログイン ]"]);
    }
    std::thread::sleep(Duration::from_secs(2));
    let after = mem_available_kib();
    let pss: Vec<u64> = idle_kiosks.iter().map(|k| rollup(k.pid, "Pss")).collect();
    let uss: Vec<u64> = idle_kiosks
        .iter()
        .map(|k| rollup(k.pid, "Private_Clean") + rollup(k.pid, "Private_Dirty"))
        .collect();
    let rss: Vec<u64> = idle_kiosks.iter().map(|k| rollup(k.pid, "Rss")).collect();
    for k in &mut idle_kiosks {
        k.stop();
    }
    drop(idle_kiosks);
    let mean = |v: &[u64]| v.iter().sum::<u64>() as f64 / v.len().max(1) as f64 / 1024.0;
    let max = |v: &[u64]| *v.iter().max().unwrap_or(&0) as f64 / 1024.0;

    // [実行] with N sessions pressing it at once.
    let mut rows = Vec::new();
    let mut used_pss: Vec<u64> = Vec::new();
    let mut next = 0;
    for &n in &levels {
        let anchor = argon2_anchor();
        let mut lat = Vec::new();
        let started = Instant::now();
        for _ in 0..rounds {
            let mut ks: Vec<(Kiosk, usize)> = (0..n)
                .map(|_| {
                    let i = next;
                    next += 1;
                    (store.kiosk(&[]), i)
                })
                .collect();
            for (k, i) in &mut ks {
                to_confirm(k, &card(*i), *i);
            }
            let mut pressed = Vec::with_capacity(n);
            for (k, _) in &mut ks {
                pressed.push(Instant::now());
                k.enter();
            }
            let mut done: Vec<Option<Duration>> = vec![None; n];
            let limit = Instant::now() + Duration::from_secs(120);
            while done.iter().any(Option::is_none) {
                assert!(Instant::now() < limit, "[実行] did not finish");
                for (j, (k, i)) in ks.iter().enumerate() {
                    if done[j].is_none() {
                        let s = k.screen();
                        if s.contains("ご登録が完了しました") && s.contains(&format!("sess{i:05}x"))
                        {
                            done[j] = Some(pressed[j].elapsed());
                        }
                    }
                }
                std::thread::sleep(Duration::from_micros(500));
            }
            lat.extend(done.into_iter().flatten());
            // Memory of a session that has registered someone (argon2id has run in it), idle on the
            // done screen.
            std::thread::sleep(Duration::from_millis(500));
            used_pss.extend(ks.iter().map(|(k, _)| rollup(k.pid, "Pss")));
            for (k, _) in &mut ks {
                k.stop();
            }
        }
        lat.sort();
        let p99 = percentile(&lat, 0.99);
        rows.push(format!(
            "| {n} | {} | {} | {} | {} | {} | {:.1}× | {} |",
            lat.len(),
            ms(percentile(&lat, 0.5)),
            ms(p99),
            ms(*lat.last().unwrap()),
            ms(anchor),
            p99.as_secs_f64() / anchor.as_secs_f64(),
            load()
        ));
        eprintln!("level {n} done in {:.0?}", started.elapsed());
    }

    println!();
    println!("[実行] pressed in the same instant on N sessions (time to each one's done screen):");
    println!();
    println!(
        "| sessions at once | samples | p50 | p99 | max | anchor: one argon2id hash | p99 / anchor | load avg |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for r in rows {
        println!("{r}");
    }
    println!();
    println!("Memory of {idle} idle kiosk sessions (start screen):");
    println!();
    println!("| per session | mean | max |");
    println!("|---|---|---|");
    println!(
        "| PSS (shared pages divided) | {:.1} MiB | {:.1} MiB |",
        mean(&pss),
        max(&pss)
    );
    println!(
        "| USS (private) | {:.1} MiB | {:.1} MiB |",
        mean(&uss),
        max(&uss)
    );
    println!("| RSS | {:.1} MiB | {:.1} MiB |", mean(&rss), max(&rss));
    println!(
        "| PSS after one registration, idle on the done screen ({} sessions) | {:.1} MiB | {:.1} MiB |",
        used_pss.len(),
        mean(&used_pss),
        max(&used_pss)
    );
    println!(
        "| MemAvailable drop / session | {:.1} MiB | |",
        before.saturating_sub(after) as f64 / idle.max(1) as f64 / 1024.0
    );
}
