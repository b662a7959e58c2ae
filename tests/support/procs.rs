//! Processes as /proc shows them (Linux): which ones run, their state, CPU time, wake-ups and memory.
#![allow(dead_code)]

/// utime + stime of a process, in clock ticks.
pub fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    // After the command: state is field 3, utime 14 and stime 15 (1-based in proc(5)).
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// Clock ticks per second.
pub fn ticks_per_sec() -> u64 {
    // SAFETY: sysconf has no preconditions.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 { t as u64 } else { 100 }
}

/// A value of /proc/<pid>/status in kB (e.g. VmHWM).
pub fn status_kb(pid: u32, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|l| {
        let rest = l.strip_prefix(key)?.strip_prefix(':')?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// CPU time of every thread of a process so far, in nanoseconds (the first field of each
/// /proc/<pid>/task/<tid>/schedstat), and how often its threads were switched in (voluntary and
/// involuntary context switches): a thread that never wakes adds nothing to either.
pub fn thread_cpu_ns_and_switches(pid: u32) -> Option<(u64, u64)> {
    let mut ns = 0;
    let mut switches = 0;
    for entry in std::fs::read_dir(format!("/proc/{pid}/task")).ok()? {
        let dir = entry.ok()?.path();
        let sched = std::fs::read_to_string(dir.join("schedstat")).ok()?;
        ns += sched.split_whitespace().next()?.parse::<u64>().ok()?;
        let status = std::fs::read_to_string(dir.join("status")).ok()?;
        for l in status.lines() {
            if let Some(v) = l
                .strip_prefix("voluntary_ctxt_switches:")
                .or_else(|| l.strip_prefix("nonvoluntary_ctxt_switches:"))
            {
                switches += v.trim().parse::<u64>().ok()?;
            }
        }
    }
    Some((ns, switches))
}

/// Processes whose command line contains `needle` (Linux /proc), other than this test process.
pub fn pids_with(needle: &str) -> Vec<i32> {
    let me = std::process::id() as i32;
    let mut out = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for entry in dir.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        if pid == me {
            continue;
        }
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let text = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if text.contains(needle) && is_running(pid) {
            out.push(pid);
        }
    }
    out
}

/// True while the process exists and is not a zombie.
pub fn is_running(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X"),
        Err(_) => false,
    }
}
