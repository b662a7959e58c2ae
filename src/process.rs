//! What the process does for itself at start, before it reads a password: no core file, ever.
//!
//! A core file of the kiosk holds whatever was on the screen and in the fields (the postcard password,
//! the new password on the confirm screen). Two locks, because either alone can be undone from outside:
//! `RLIMIT_CORE` 0 (soft and hard, so that it cannot be raised again) stops a core file being written by
//! the kernel's `core` pattern, and `prctl(PR_SET_DUMPABLE, 0)` also stops a piped core handler
//! (systemd-coredump, apport) and `ptrace` attachment by other processes of the same user. Secrets are
//! also wiped from memory when they are no longer needed (`zeroize`), so that a dump taken by other
//! means finds less.

use std::sync::OnceLock;

/// CPU time the calling thread has used so far: the work a call did, not the time it waited for a core
/// (`admin check`'s `refusal_pace`, and the `first_try` benchmark of the refusals).
pub fn thread_cpu_time() -> std::time::Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid timespec to write into.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    std::time::Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// What [`no_core_dumps`] could not do, kept for the log (which starts later).
static PROBLEMS: OnceLock<Vec<String>> = OnceLock::new();

/// Logs what [`no_core_dumps`] could not do, once logging is up.
pub fn log_problems() {
    for p in PROBLEMS.get().into_iter().flatten() {
        tracing::warn!(problem = %p, "core dumps are not fully off");
    }
}

/// Turns core dumps off for this process (and what it starts). Returns what could not be done, in plain
/// words (also kept for [`log_problems`]).
pub fn no_core_dumps() -> Vec<String> {
    let mut problems = Vec::new();
    #[cfg(unix)]
    {
        let zero = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: a valid rlimit value; setrlimit only changes this process's limits.
        if unsafe { libc::setrlimit(libc::RLIMIT_CORE, &zero) } != 0 {
            problems.push(format!(
                "cannot set the core file size limit to 0: {}",
                std::io::Error::last_os_error()
            ));
        }
    }
    #[cfg(target_os = "linux")]
    {
        // SAFETY: PR_SET_DUMPABLE takes one integer argument; the others are ignored.
        if unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) } != 0 {
            problems.push(format!(
                "cannot mark the process as not dumpable: {}",
                std::io::Error::last_os_error()
            ));
        }
    }
    let _ = PROBLEMS.set(problems.clone());
    problems
}

/// Whether this process may dump core (for tests and `admin check`).
pub fn core_dumps_off() -> bool {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 1,
            rlim_max: 1,
        };
        // SAFETY: a valid rlimit to write into.
        let ok = unsafe { libc::getrlimit(libc::RLIMIT_CORE, &mut limit) } == 0;
        if !ok || limit.rlim_cur != 0 {
            return false;
        }
    }
    #[cfg(target_os = "linux")]
    {
        // SAFETY: PR_GET_DUMPABLE takes no argument.
        if unsafe { libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) } != 0 {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    #[test]
    fn core_dumps_are_off_afterwards() {
        // In a child process, so that the test binary keeps its own settings.
        let exe = std::env::current_exe().unwrap();
        if std::env::var_os("KOSMO_NO_CORE_CHILD").is_some() {
            assert!(super::no_core_dumps().is_empty());
            assert!(super::core_dumps_off());
            return;
        }
        let out = std::process::Command::new(exe)
            .args([
                "process::tests::core_dumps_are_off_afterwards",
                "--exact",
                "--test-threads=1",
            ])
            .env("KOSMO_NO_CORE_CHILD", "1")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{text}");
        assert!(text.contains("1 passed"), "the child ran the check: {text}");
    }
}
