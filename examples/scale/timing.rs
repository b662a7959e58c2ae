//! Timing helpers: a child process timed with its peak memory (wait4), medians and spreads, and the
//! machine's load while a figure was taken.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One run of a command: its wall time, the CPU time it used (user + system, all its threads) and
/// its peak resident memory. On a loaded machine the CPU time moves far less than the wall time.
#[derive(Debug, Clone, Copy)]
pub struct Run {
    pub wall: Duration,
    pub cpu: Duration,
    pub max_rss_kib: u64,
}

fn tv(t: libc::timeval) -> Duration {
    Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
}

/// CPU time used so far by this process (every thread), or by the calling thread only.
pub fn cpu_now(thread_only: bool) -> Duration {
    let clock = if thread_only {
        libc::CLOCK_THREAD_CPUTIME_ID
    } else {
        libc::CLOCK_PROCESS_CPUTIME_ID
    };
    // SAFETY: an all-zero timespec is valid; clock_gettime fills it.
    let mut t: libc::timespec = unsafe { std::mem::zeroed() };
    // SAFETY: a valid clock id and pointer.
    unsafe { libc::clock_gettime(clock, &mut t) };
    Duration::new(t.tv_sec.max(0) as u64, t.tv_nsec.max(0) as u32)
}

/// Runs `cmd` to the end, standard output to /dev/null and standard error to `err_file`, and
/// returns its wall time and peak memory. Panics (with its standard error) when it fails.
pub fn run(cmd: &mut Command, err_file: &Path) -> Run {
    let err = std::fs::File::create(err_file).expect("create the stderr file");
    cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(err);
    let started = Instant::now();
    let child = cmd.spawn().expect("start the command");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value; wait4 fills it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our child, not yet waited for; status and usage are valid pointers.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    std::mem::forget(child);
    assert_eq!(waited, pid, "wait4 failed");
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        panic!(
            "{cmd:?} failed ({status}): {}",
            std::fs::read_to_string(err_file).unwrap_or_default()
        );
    }
    Run {
        wall,
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        max_rss_kib: usage.ru_maxrss.max(0) as u64,
    }
}

pub fn median(mut v: Vec<f64>) -> f64 {
    assert!(!v.is_empty());
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

pub fn spread(v: &[f64]) -> (f64, f64) {
    let min = v.iter().copied().fold(f64::INFINITY, f64::min);
    let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (min, max)
}

/// `median (min–max)` of values shown with `fmt`.
pub fn summary(v: &[f64], fmt: impl Fn(f64) -> String) -> String {
    let (lo, hi) = spread(v);
    if v.len() == 1 {
        return fmt(v[0]);
    }
    format!("{} ({}–{})", fmt(median(v.to_vec())), fmt(lo), fmt(hi))
}

/// The 1-minute load average.
pub fn load() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0)
}

pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Pairs of (figure, anchor) measured alternately by `measure(is_figure, pair)`: the anchor first
/// in even pairs, second in odd ones, so that a change of load hits both alike. Returns the pairs
/// and the highest load seen.
pub fn alternate<T>(pairs: usize, mut measure: impl FnMut(bool, usize) -> T) -> (Vec<(T, T)>, f64) {
    let mut out = Vec::with_capacity(pairs);
    let mut worst = load();
    for i in 0..pairs {
        let pair = if i % 2 == 0 {
            let a = measure(false, i);
            (measure(true, i), a)
        } else {
            let f = measure(true, i);
            (f, measure(false, i))
        };
        out.push(pair);
        worst = worst.max(load());
    }
    (out, worst)
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
