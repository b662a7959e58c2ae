//! Security properties of the command line's files and output (issue 8): no live formula in a notices
//! file, no notices file written through a link.

use crate::support::bin::Ops;
use crate::support::notices::{FORMULA_NAMES, assert_no_formula_cell, formula_members_csv};
use crate::support::{PROOF, csv};

fn import(ops: &Ops, csv: &str) {
    ops.write("members.csv", csv);
    ops.ok(&[
        "admin",
        "import-members",
        ops.path("members.csv").to_str().unwrap(),
    ]);
}

/// Issue 8 item 5: `issue-credentials` writes member names that look like formulas as text.
#[test]
fn notices_file_cells_never_start_a_formula() {
    let ops = Ops::new();
    import(&ops, &formula_members_csv());
    let out = ops.path("notices.csv");
    ops.ok(&["admin", "issue-credentials", "--out", out.to_str().unwrap()]);
    assert_no_formula_cell(&ops.path("notices.csv"), FORMULA_NAMES.len());
}

/// `issue-credentials --out` refuses a symbolic link (dangling or not) as it refuses any existing name.
#[cfg(unix)]
#[test]
fn issue_credentials_never_writes_through_a_link() {
    let ops = Ops::new();
    import(&ops, &csv(&PROOF));
    std::os::unix::fs::symlink(ops.path("elsewhere.csv"), ops.path("notices.csv")).unwrap();
    let out = ops.path("notices.csv");
    let o = ops.run(&["admin", "issue-credentials", "--out", out.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(!ops.path("elsewhere.csv").exists());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("notices.csv"), "{err}");
}

/// The `Max core file size` line of /proc/<pid>/limits: (soft, hard).
fn core_limit(pid: u32) -> Option<(String, String)> {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).ok()?;
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))?;
    let mut f = line["Max core file size".len()..].split_whitespace();
    Some((f.next()?.to_string(), f.next()?.to_string()))
}

/// Issue 8 item 1, defence in depth: whatever the limit it was started with, the program turns core
/// files off for itself at start (RLIMIT_CORE 0, soft and hard, and not dumpable), so that a crash
/// leaves no core file with the passwords it held. Proven by a crash: SIGABRT (what an abort raises;
/// it dumps core by default) leaves no core file and no "core dumped" in the exit status.
#[cfg(target_os = "linux")]
#[test]
fn a_crash_leaves_no_core_file() {
    use std::os::unix::process::{CommandExt, ExitStatusExt};
    let ops = Ops::new();
    ops.ok(&["admin", "members"]);
    let mut cmd = ops.cmd();
    // A long-running command: the mail sender, retrying a port where nothing listens.
    cmd.args(["outbox", "sync"])
        .env("KOSMO_KIOSK_SMTP_URL", "smtp://127.0.0.1:9")
        .current_dir(ops.dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    // SAFETY: only setrlimit between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let unlimited = libc::rlimit {
                rlim_cur: libc::RLIM_INFINITY,
                rlim_max: libc::RLIM_INFINITY,
            };
            libc::setrlimit(libc::RLIMIT_CORE, &unlimited);
            Ok(())
        });
    }
    let mut child = cmd.spawn().expect("start outbox sync");
    let pid = child.id();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut limit = None;
    while std::time::Instant::now() < deadline {
        limit = core_limit(pid);
        if limit.as_ref().is_some_and(|(soft, _)| soft == "0") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // SAFETY: a signal to our own child.
    unsafe { libc::kill(pid as i32, libc::SIGABRT) };
    let status = child.wait().expect("wait");
    assert_eq!(
        limit,
        Some(("0".to_string(), "0".to_string())),
        "the core file size limit, soft and hard"
    );
    assert_eq!(status.signal(), Some(libc::SIGABRT));
    assert!(!status.core_dumped(), "a core was dumped");
    let cores: Vec<_> = std::fs::read_dir(ops.dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("core"))
        .collect();
    assert!(cores.is_empty(), "core files: {cores:?}");
}
