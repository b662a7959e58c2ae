//! Log files (issue 8 item 7, issue 15 item 4): a private folder, private daily files, a kept count.

use std::os::unix::process::CommandExt;

use crate::support::bin::{Ops, mode, set_mode};

/// The binary as started from a shell whose umask lets everyone read and write new files.
fn with_open_umask(ops: &Ops, args: &[&str]) -> std::process::Output {
    let mut c = ops.cmd();
    c.args(args);
    // SAFETY: umask is async-signal-safe and touches only the child about to exec.
    unsafe {
        c.pre_exec(|| {
            libc::umask(0);
            Ok(())
        });
    }
    c.output().expect("run kosmo-kiosk")
}

fn today_log(ops: &Ops) -> std::path::PathBuf {
    let files: Vec<_> = std::fs::read_dir(ops.logs())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    let today = time::OffsetDateTime::now_utc().date();
    let name = format!(
        "kosmo-kiosk.{:04}-{:02}-{:02}.log",
        today.year(),
        u8::from(today.month()),
        today.day()
    );
    files
        .into_iter()
        .find(|p| p.file_name().unwrap().to_str() == Some(name.as_str()))
        .unwrap_or_else(|| panic!("no {name} in {:?}", ops.logs()))
}

#[test]
fn a_new_log_folder_is_0700_and_its_files_0600_whatever_the_umask() {
    let ops = Ops::new();
    // A command that creates the store and succeeds (listings never create it; unlocking an unknown ID
    // now fails, and a failed command removes the store it created).
    let notices = ops.dir.path().join("notices.csv");
    let o = with_open_umask(
        &ops,
        &[
            "admin",
            "issue-credentials",
            "--out",
            notices.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(mode(&ops.logs()), 0o700);
    let log = today_log(&ops);
    assert_eq!(mode(&log), 0o600, "{log:?}");
    // The store and its WAL files, created in the same run, are private too.
    assert_eq!(mode(&ops.db), 0o600);
}

#[test]
fn an_existing_open_log_folder_and_old_files_are_narrowed() {
    let ops = Ops::new();
    std::fs::create_dir(ops.logs()).unwrap();
    set_mode(&ops.logs(), 0o777);
    let old = ops.logs().join("kosmo-kiosk.2020-01-01.log");
    std::fs::write(&old, "an old line\n").unwrap();
    set_mode(&old, 0o666);
    let o = with_open_umask(&ops, &["admin", "members"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(mode(&ops.logs()), 0o700);
    assert_eq!(mode(&old), 0o600);
    assert_eq!(mode(&today_log(&ops)), 0o600);
}

#[test]
fn only_the_kept_count_of_daily_files_remains() {
    let ops = Ops::new();
    ops.config("log_keep_days = 3\n");
    std::fs::create_dir(ops.logs()).unwrap();
    set_mode(&ops.logs(), 0o700);
    let old: Vec<_> = (1..=5)
        .map(|d| {
            let p = ops.logs().join(format!("kosmo-kiosk.2020-01-0{d}.log"));
            std::fs::write(&p, "x\n").unwrap();
            // The appender orders files by creation time: create them a little apart.
            std::thread::sleep(std::time::Duration::from_millis(20));
            p
        })
        .collect();
    let keep = ops.logs().join("unrelated.txt");
    std::fs::write(&keep, "x").unwrap();
    ops.ok(&["admin", "members"]);
    let today = today_log(&ops);
    assert!(today.exists());
    let left: Vec<_> = old.iter().filter(|p| p.exists()).cloned().collect();
    assert_eq!(
        left,
        old[3..].to_vec(),
        "the two newest old files and today's"
    );
    assert!(keep.exists(), "files that are not logs are left alone");
}

#[test]
fn a_log_folder_that_cannot_be_written_is_said_and_the_command_still_runs() {
    let ops = Ops::new();
    // A file where the folder should be: nothing can be logged.
    ops.write("logs", "not a folder");
    let o = ops.run(&["admin", "members"]);
    assert!(o.status.success());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.starts_with("kosmo-kiosk: warning: ") && stderr.contains("nothing is logged"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}
