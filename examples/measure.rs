//! Measures the kiosk as a member meets it: the real binary in an 80×24 pseudo-terminal, its output
//! read by a terminal emulator (vt100). Run through `scripts/measure.sh`, which builds the release
//! binary and passes it in `KOSMO_KIOSK_BIN`.
//!
//! Figures: time to the first whole frame; CPU used while idle (start screen, and mid-form with the
//! idle timer armed) read from /proc/<pid>/stat; the time from a key press to the frame showing it;
//! the time from [実行] to the done screen; peak memory (VmHWM) after the wizard.
//!
//! `MEASURE_IDLE_SECS` (default 30) sets the idle windows, `MEASURE_KEYS` (default 200) the number
//! of key presses timed.

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

use pty::{Store, Term};

const HOUSEHOLDS: [(&str, &str, &str, &str); 3] = [
    ("06139497-12-3402", "06139497", "S55.1.1", "sato1980"),
    ("01130012-7-88", "01130012", "19900715", "suzuki1990"),
    (
        "33120015-21-1005",
        "33120015",
        "昭和13年11月3日",
        "takahashi38",
    ),
];

/// Polls the screen finely (0.2 ms) until `pred` holds; returns when it did.
fn wait_fine(k: &Term, limit: Duration, pred: impl Fn(&str) -> bool) -> Instant {
    let end = Instant::now() + limit;
    loop {
        if pred(&k.screen()) {
            return Instant::now();
        }
        assert!(
            Instant::now() < end,
            "timed out; the screen:\n{}",
            k.screen()
        );
        std::thread::sleep(Duration::from_micros(200));
    }
}

fn user_id_field(screen: &str) -> Option<String> {
    let line = screen.lines().find(|l| l.starts_with("> ユーザID"))?;
    let open = line.find('[')?;
    let close = line.rfind(']')?;
    Some(line[open + 1..close].trim_end().to_string())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// CPU used by the kiosk over `secs` of idling: utime+stime ticks (/proc/<pid>/stat), the exact
/// CPU time of all its threads (schedstat, ns) and how many times its threads woke up.
fn idle_cpu(k: &Term, secs: u64) -> String {
    let before = k.cpu_ticks().expect("cpu ticks");
    let (ns0, sw0) = procs::thread_cpu_ns_and_switches(k.pid).expect("schedstat");
    std::thread::sleep(Duration::from_secs(secs));
    let after = k.cpu_ticks().expect("cpu ticks");
    let (ns1, sw1) = procs::thread_cpu_ns_and_switches(k.pid).expect("schedstat");
    format!(
        "utime+stime {} ticks ({:.2} s); all threads {:.3} ms on CPU, {} wake-ups",
        after - before,
        (after - before) as f64 / procs::ticks_per_sec() as f64,
        (ns1 - ns0) as f64 / 1e6,
        sw1 - sw0
    )
}

fn main() {
    let idle_secs: u64 = std::env::var("MEASURE_IDLE_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let presses: usize = std::env::var("MEASURE_KEYS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    println!("binary: {}", bin::path().display());
    let store = Store::prepare("");

    // Start-up: from spawning the process to the whole start screen.
    let spawned = Instant::now();
    let mut k = store.kiosk(&[]);
    let shown = wait_fine(&k, Duration::from_secs(20), |s| {
        s.contains("[ ログイン ]") && s.lines().last().is_some_and(|l| l.contains("Tab"))
    });
    let startup = shown - spawned;

    // Idle on the untouched start screen (no timer at all), then with something typed (the idle
    // timer armed: the loop sleeps until the countdown is due).
    std::thread::sleep(Duration::from_secs(1));
    let idle_start = idle_cpu(&k, idle_secs);
    k.type_text("x");
    wait_fine(&k, Duration::from_secs(5), |s| {
        user_id_field(s).as_deref() == Some("x")
    });
    let idle_armed = idle_cpu(&k, idle_secs);

    // Key press to redrawn frame: a character, then Backspace, in the user ID field.
    let mut lat = Vec::with_capacity(presses);
    for i in 0..presses {
        let (bytes, want): (&[u8], &str) = if i % 2 == 0 {
            (b"y", "xy")
        } else {
            (b"\x7f", "x")
        };
        let sent = Instant::now();
        k.send(bytes);
        let seen = wait_fine(&k, Duration::from_secs(5), |s| {
            user_id_field(s).as_deref() == Some(want)
        });
        lat.push(seen - sent);
    }
    lat.sort();
    k.send(b"\x7f");

    // The wizard, three times: [実行] to the done screen.
    let mut exec = Vec::new();
    for (household, insurer, birth, user_id) in HOUSEHOLDS {
        wizard::to_confirm(&mut k, &store.card(household), insurer, birth, user_id);
        let pressed = Instant::now();
        k.enter();
        let done = wait_fine(&k, Duration::from_secs(20), |s| {
            s.contains("ご登録が完了しました") && s.contains(user_id)
        });
        exec.push(done - pressed);
        wizard::log_out_after_done(&mut k);
    }
    k.wait_for(&["[ ログイン ]"]);
    let hwm = procs::status_kb(k.pid, "VmHWM").unwrap_or(0);
    let rss = procs::status_kb(k.pid, "VmRSS").unwrap_or(0);
    k.stop();

    println!();
    println!("| figure | value |");
    println!("|---|---|");
    println!("| start-up to the whole first frame | {} |", ms(startup));
    println!("| CPU while idle on the start screen, {idle_secs} s | {idle_start} |");
    println!("| CPU while idle mid-form (idle timer armed), {idle_secs} s | {idle_armed} |");
    println!(
        "| key press to redrawn frame ({} presses) | median {}, p95 {}, max {} |",
        lat.len(),
        ms(percentile(&lat, 0.5)),
        ms(percentile(&lat, 0.95)),
        ms(*lat.last().unwrap())
    );
    let exec_list: Vec<String> = exec.iter().map(|d| ms(*d)).collect();
    println!(
        "| [実行] to the done screen ({} registrations) | {} |",
        exec.len(),
        exec_list.join(", ")
    );
    println!(
        "| peak memory (VmHWM) after the wizard | {:.1} MiB (VmRSS now {:.1} MiB) |",
        hwm as f64 / 1024.0,
        rss as f64 / 1024.0
    );
    println!("(clock ticks per second: {})", procs::ticks_per_sec());
}
