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

/// Characters that must never reach the operator's terminal raw: DEL, a C1 CSI, a bidi override, a
/// zero-width space, a line separator, ESC.
const HOSTILE: &str = "\u{7f}\u{9b}2J\u{202e}gpj.exe\u{200b}\u{2028}\u{1b}[31m";

/// True for what `--json` may not print raw (its own layout uses newlines only).
fn raw_unsafe(c: char) -> bool {
    c != '\n' && kosmo_kiosk::domain::text::is_unsafe_char(c)
}

/// Issue 8 item 9: `admin members --json` and `outbox list --json` escape control, bidi and
/// zero-width characters of stored values (come in by other means than import: written here straight
/// into the store) as `\uXXXX`, and the JSON still decodes to the stored value.
#[test]
fn json_output_escapes_what_the_terminal_must_not_see() {
    let ops = Ops::new();
    import(&ops, &csv(&PROOF));
    let name = format!("山田{HOSTILE}太郎");
    let error = format!("550 {HOSTILE} no such user");
    let c = rusqlite::Connection::open(&ops.db).unwrap();
    c.execute(
        "UPDATE members SET name = ?1 WHERE id = (SELECT min(id) FROM members)",
        [&name],
    )
    .unwrap();
    let now = kosmo_kiosk::store::ts(time::OffsetDateTime::now_utc());
    c.execute(
        "INSERT INTO outbox (kind, recipient, subject, body, message_id, dedupe_key, state, attempts,
                             created_at, next_attempt_at, last_error)
         VALUES ('welcome', ?1, 's', 'b', '<1@test>', '1', 'dead', 3, ?2, ?2, ?3)",
        rusqlite::params![format!("m{HOSTILE}@example.jp"), now, error],
    )
    .unwrap();
    drop(c);

    let members = ops.ok(&["admin", "members", "--json"]);
    assert!(!members.chars().any(raw_unsafe), "{members:?}");
    assert!(
        members.contains("\\u009b") && members.contains("\\u202e"),
        "{members}"
    );
    let list: serde_json::Value = serde_json::from_str(&members).unwrap();
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|m| m["name"] == name.as_str()),
        "{members}"
    );

    let outbox = ops.ok(&["outbox", "list", "--json"]);
    assert!(!outbox.chars().any(raw_unsafe), "{outbox:?}");
    let list: serde_json::Value = serde_json::from_str(&outbox).unwrap();
    assert_eq!(list[0]["last_error"], error.as_str(), "{outbox}");
    assert_eq!(list[0]["to"], format!("m{HOSTILE}@example.jp"), "{outbox}");
}
