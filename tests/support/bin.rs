//! The real binary with a private environment: a store, an empty config file and a log folder in a
//! temp dir.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Ops {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
}

impl Ops {
    pub fn new() -> Ops {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("config.toml"), "").expect("config");
        let db = dir.path().join("kiosk.db");
        Ops { dir, db }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn logs(&self) -> PathBuf {
        self.path("logs")
    }

    pub fn write(&self, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).expect("write");
        p
    }

    pub fn config(&self, text: &str) {
        self.write("config.toml", text);
    }

    /// The binary, without `--db`.
    pub fn bare(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kosmo-kiosk"));
        c.env("KOSMO_KIOSK_LOG_DIR", self.logs())
            .env("KOSMO_KIOSK_CONFIG", self.path("config.toml"))
            .env("HOME", self.dir.path())
            .env("RUST_BACKTRACE", "1")
            .env_remove("KOSMO_KIOSK_DB")
            .env_remove("KOSMO_KIOSK_SMTP_URL")
            .env_remove("KOSMO_KIOSK_LOG")
            .env_remove("SSH_CLIENT")
            .env_remove("SSH_CONNECTION")
            .stdin(std::process::Stdio::null());
        c
    }

    pub fn cmd(&self) -> Command {
        let mut c = self.bare();
        c.arg("--db").arg(&self.db);
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().expect("run kosmo-kiosk")
    }

    /// A command that must succeed with nothing on stderr; its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{args:?} failed: {stderr}");
        assert!(stderr.is_empty(), "{args:?} wrote to stderr: {stderr}");
        String::from_utf8(o.stdout).expect("UTF-8 stdout")
    }

    /// A command that must fail with one plain sentence on stderr; that sentence.
    pub fn fails(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(!o.status.success(), "{args:?} succeeded");
        let stderr = String::from_utf8(o.stderr).expect("UTF-8 stderr");
        assert_plain_error(&stderr);
        stderr
    }
}

pub fn assert_plain_error(stderr: &str) {
    assert!(stderr.starts_with("kosmo-kiosk: "), "{stderr:?}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr:?}");
    for bad in [
        "panicked",
        "backtrace",
        "RUST_BACKTRACE",
        "Error {",
        "Custom {",
    ] {
        assert!(!stderr.contains(bad), "{stderr:?}");
    }
}

pub fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777
}

pub fn set_mode(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).expect("chmod");
}
