//! Paper cuts found when the program was tried as a new operator would (issue 15 item 6): a failed
//! command leaves no store behind, read-only commands work on a store this account can only read,
//! configuration errors name the key and the line, counts read as English.

use std::os::unix::process::CommandExt;

use crate::support::bin::{Ops, assert_plain_error, mode, set_mode};

const ONE: &str = "\
insurer_number,symbol,number,name,birth_date,relationship
06139497,12,4417203,山田 太郎,1970-05-05,insured
";

#[test]
fn a_failed_command_leaves_no_new_store_behind() {
    let ops = Ops::new();
    let err = ops.fails(&["admin", "import-members", "missing.csv"]);
    assert!(err.contains("missing.csv"), "{err}");
    assert!(!ops.db.exists(), "no empty store left behind");
    for f in ["kiosk.db-wal", "kiosk.db-shm"] {
        assert!(!ops.path(f).exists(), "{f}");
    }
    // A bad row: nothing imported, and no store either.
    let csv = ops.write(
        "bad.csv",
        "insurer_number,symbol,number,name,birth_date,relationship\n1,2,3,x,y,z\n",
    );
    ops.fails(&["admin", "import-members", csv.to_str().unwrap()]);
    assert!(!ops.db.exists());
    // A store that existed before a failed command is left as it was.
    let csv = ops.write("one.csv", ONE);
    ops.ok(&["admin", "import-members", csv.to_str().unwrap()]);
    ops.fails(&["admin", "import-members", "missing.csv"]);
    assert!(ops.db.exists());
}

#[test]
fn listing_commands_never_create_a_store() {
    let ops = Ops::new();
    for (args, empty) in [
        (&["admin", "members", "--json"][..], "[]"),
        (&["outbox", "list", "--json"], "[]"),
        (&["admin", "members"], "HOUSEHOLD"),
        (&["outbox", "list"], "ID"),
    ] {
        let out = ops.ok(args);
        assert!(out.trim().starts_with(empty), "{args:?}: {out}");
        assert_eq!(out.trim().lines().count(), 1, "nothing to list: {out}");
        assert!(!ops.db.exists(), "{args:?} created a store");
    }
}

/// Who runs the read-only commands: `nobody` when the tests run as root (as CI does), else this
/// account with the write bits taken away.
///
/// `nobody` runs its own copy of the binary, made once per test in a fresh folder it can reach: the
/// one Cargo built may sit under a checkout `nobody` cannot enter (a clone in a `mktemp -d` folder,
/// 0700). The copy is a new file, written before anything runs it (never a link to the built binary,
/// never written again), and the store's folder is made beside it, where `nobody` can reach too.
enum Reader {
    Nobody {
        bin: std::path::PathBuf,
        _dir: tempfile::TempDir,
    },
    Me,
}

impl Reader {
    fn new() -> Reader {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            return Reader::Me;
        }
        let dir = tempfile::tempdir_in(open_temp_dir()).expect("temp dir");
        set_mode(dir.path(), 0o755);
        let bin = dir.path().join("kosmo-kiosk");
        std::fs::copy(crate::support::bin::path(), &bin).expect("copy the binary");
        set_mode(&bin, 0o755);
        Reader::Nobody { bin, _dir: dir }
    }

    /// The operator's store, in a folder the reader can reach.
    fn ops(&self) -> Ops {
        match self {
            Reader::Nobody { .. } => Ops::new_in(&open_temp_dir()),
            Reader::Me => Ops::new(),
        }
    }
}

/// The temp folder when every folder above it lets others through, else `/tmp`.
fn open_temp_dir() -> std::path::PathBuf {
    let tmp = std::env::temp_dir();
    let open = tmp
        .canonicalize()
        .is_ok_and(|p| p.ancestors().all(|a| mode(a) & 0o001 != 0));
    if open { tmp } else { "/tmp".into() }
}

/// Runs `args` as the [`Reader`] on the store of `ops`, which it may read but not write.
fn as_reader(reader: &Reader, ops: &Ops, args: &[&str]) -> std::process::Output {
    match reader {
        Reader::Nobody { bin, .. } => {
            let mut c = ops.cmd_of(bin);
            c.args(args);
            let logs = ops.path("reader-logs");
            std::fs::create_dir_all(&logs).unwrap();
            let path = std::ffi::CString::new(logs.to_str().unwrap()).unwrap();
            // SAFETY: chown of a folder this test created, to nobody (65534).
            assert_eq!(unsafe { libc::chown(path.as_ptr(), 65534, 65534) }, 0);
            set_mode(ops.dir.path(), 0o755);
            set_mode(&ops.path("config.toml"), 0o644);
            set_mode(&ops.db, 0o644);
            c.env("KOSMO_KIOSK_LOG_DIR", &logs);
            // SAFETY: setgid/setuid in the child before exec; both are async-signal-safe.
            unsafe {
                c.pre_exec(|| {
                    if libc::setgroups(0, std::ptr::null()) != 0
                        || libc::setgid(65534) != 0
                        || libc::setuid(65534) != 0
                    {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
            run_fresh_copy(&mut c)
        }
        Reader::Me => {
            let mut c = ops.cmd();
            c.args(args);
            set_mode(&ops.db, 0o444);
            set_mode(ops.dir.path(), 0o555);
            let out = c.output().expect("run");
            set_mode(ops.dir.path(), 0o755);
            out
        }
    }
}

/// Runs a binary copied a moment ago. Another test's child, forked while the copy was open for
/// writing and not yet exec'd, can hold that descriptor for a moment: exec then fails with ETXTBSY
/// until it lets go. Retried briefly; nothing writes to the copy again.
fn run_fresh_copy(c: &mut std::process::Command) -> std::process::Output {
    for _ in 0..100 {
        match c.output() {
            Err(e) if e.raw_os_error() == Some(libc::ETXTBSY) => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            r => return r.expect("run as nobody"),
        }
    }
    panic!("the copy of the binary stayed busy (ETXTBSY)")
}

#[test]
fn read_only_commands_work_on_a_store_that_cannot_be_written() {
    let reader = Reader::new();
    let ops = reader.ops();
    let csv = ops.write("one.csv", ONE);
    ops.ok(&["admin", "import-members", csv.to_str().unwrap()]);
    ops.ok(&["admin", "backup", ops.path("b.db").to_str().unwrap()]);
    let before = std::fs::read(&ops.db).unwrap();
    for args in [
        &["admin", "members", "--json"][..],
        &["outbox", "list", "--json"],
        &["admin", "check", "--json"],
    ] {
        let o = as_reader(&reader, &ops, args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        // admin check may warn (the disk, say) but must read the store.
        assert!(
            o.status.success() || args[1] == "check" && o.status.code() == Some(1),
            "{args:?}: {stderr}"
        );
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
        match args[1] {
            "members" => assert_eq!(v[0]["household"], "06139497-12-4417203"),
            "list" => assert_eq!(v, serde_json::json!([])),
            _ => {
                let quick = v["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|f| f["check"] == "quick_check")
                    .expect("the store was read");
                assert_eq!(quick["status"], "ok", "{v:#}");
            }
        }
    }
    assert_eq!(
        std::fs::read(&ops.db).unwrap(),
        before,
        "nothing was written"
    );
    // A writing command, by contrast, says it cannot write.
    let o = as_reader(&reader, &ops, &["admin", "purge"]);
    assert!(!o.status.success());
    assert_plain_error(&String::from_utf8_lossy(&o.stderr));
}

#[test]
fn configuration_errors_name_the_line_and_the_key() {
    let ops = Ops::new();
    ops.config("db = \"/nowhere/kiosk.db\"\n\n[kiosk]\nlang = \"ja\"\nidle_timout_secs = 90\n");
    let err = ops.fails(&["admin", "members"]);
    assert!(
        err.contains("config.toml is not valid: line 5, [kiosk] idle_timout_secs: unknown field"),
        "{err}"
    );
    ops.config("[mail]\nretry_min_secs = \"five minutes\"\n");
    let err = ops.fails(&["admin", "members"]);
    assert!(err.contains("line 2, [mail] retry_min_secs: "), "{err}");
    ops.config("[kiosk]\nidle_timeout_secs = 60\ncountdown_secs = 60\n");
    let err = ops.fails(&["admin", "members"]);
    assert!(
        err.contains("countdown_secs (60) must be less than idle_timeout_secs (60)"),
        "{err}"
    );
}

#[test]
fn counts_read_as_english() {
    let ops = Ops::new();
    let csv = ops.write("one.csv", ONE);
    let out = ops.ok(&["admin", "import-members", csv.to_str().unwrap()]);
    assert_eq!(
        out.trim(),
        format!(
            "read {} as UTF-8\nimported 1 row: 1 new household, 1 new member, 0 already present",
            csv.display()
        )
    );
    let notices = ops.path("n.csv");
    let out = ops.ok(&[
        "admin",
        "issue-credentials",
        "--out",
        notices.to_str().unwrap(),
    ]);
    assert!(out.starts_with("issued 1 credential to "), "{out}");
}
