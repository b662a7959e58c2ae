//! The real binary with a private environment: a store, an empty config file and a log folder in a
//! temp dir, nothing of the machine's or the caller's own settings. [`Ops`] runs it as a script or an
//! operator does (no terminal); `pty.rs` runs it in a pseudo-terminal with the same environment.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The binary under test: the one Cargo built for this test (`CARGO_BIN_EXE_kosmo-kiosk`), or for
/// the measurement example the one named by `KOSMO_KIOSK_BIN`.
pub fn path() -> PathBuf {
    option_env!("CARGO_BIN_EXE_kosmo-kiosk")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("KOSMO_KIOSK_BIN").map(PathBuf::from))
        .expect("the kosmo-kiosk binary: set KOSMO_KIOSK_BIN")
}

/// Variables a run must not inherit from the shell that started the tests.
pub const CLEARED: [&str; 5] = [
    "KOSMO_KIOSK_DB",
    "KOSMO_KIOSK_SMTP_URL",
    "KOSMO_KIOSK_LOG",
    "SSH_CLIENT",
    "SSH_CONNECTION",
];

/// Variables every run gets: logs in `dir/logs`, the config file `dir/config.toml`, `HOME` = `dir`.
pub fn env(dir: &Path) -> [(&'static str, PathBuf); 3] {
    [
        ("KOSMO_KIOSK_LOG_DIR", dir.join("logs")),
        ("KOSMO_KIOSK_CONFIG", dir.join("config.toml")),
        ("HOME", dir.to_path_buf()),
    ]
}

/// The binary with the private environment of `dir` (the store given by the caller: `--db` or
/// `KOSMO_KIOSK_DB`).
pub fn command(dir: &Path) -> Command {
    command_of(&path(), dir)
}

/// [`command`] with another copy of the binary (one that another account can reach, say).
pub fn command_of(bin: &Path, dir: &Path) -> Command {
    let mut c = Command::new(bin);
    for k in CLEARED {
        c.env_remove(k);
    }
    c.envs(env(dir));
    c
}

pub struct Ops {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
}

impl Ops {
    /// A temp dir with an empty config file; the store `kiosk.db` is made by the first command.
    pub fn new() -> Ops {
        Ops::new_in(&std::env::temp_dir())
    }

    /// [`Ops::new`] with the temp dir made in `parent`.
    pub fn new_in(parent: &Path) -> Ops {
        let dir = tempfile::tempdir_in(parent).expect("temp dir");
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

    /// The binary, without `--db`; backtraces switched on (so that a leaked one would show), no
    /// standard input.
    pub fn bare(&self) -> Command {
        self.bare_of(&path())
    }

    /// [`Ops::bare`] with another copy of the binary.
    pub fn bare_of(&self, bin: &Path) -> Command {
        let mut c = command_of(bin, self.dir.path());
        c.env("RUST_BACKTRACE", "1")
            .stdin(std::process::Stdio::null());
        c
    }

    pub fn cmd(&self) -> Command {
        self.cmd_of(&path())
    }

    /// [`Ops::cmd`] with another copy of the binary.
    pub fn cmd_of(&self, bin: &Path) -> Command {
        let mut c = self.bare_of(bin);
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

/// One line on stderr starting `kosmo-kiosk: `, with no debug output, backtrace or escape sequence.
pub fn assert_plain_error(stderr: &str) {
    let text = stderr.trim_end_matches('\n');
    assert!(!text.is_empty(), "no error message");
    assert!(
        !text.contains('\n'),
        "more than one line on stderr:\n{stderr}"
    );
    assert!(text.starts_with("kosmo-kiosk: "), "{text}");
    for bad in [
        "Error {",
        "Os {",
        "Custom {",
        "kind:",
        "panicked",
        "backtrace",
        "RUST_BACKTRACE",
        "Some(",
        "Err(",
        "\u{1b}",
    ] {
        assert!(!text.contains(bad), "debug output ({bad}) in: {text}");
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
