//! Logging to daily files in a private folder, never to the terminal the TUI owns.
//!
//! Files: `kosmo-kiosk.YYYY-MM-DD.log` (UTC days) in the log folder, the newest `log_keep_days` kept
//! (tracing-appender's rolling appender prunes the rest when it opens a new day's file). The folder is
//! made 0700 even when it already exists with wider modes; the files are 0600 because the process's
//! umask is 0077 (set by [`private_umask`] before anything is created, so the appender's files of
//! later days are private too), and files left by older versions are narrowed at start.

use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

pub const FILE_PREFIX: &str = "kosmo-kiosk";
pub const FILE_SUFFIX: &str = "log";

/// Makes every file and folder this process creates private to its owner (umask 0077): the store, its
/// -wal/-shm files, logs, notices, backups and mail files. Called first thing by the command line.
pub fn private_umask() {
    #[cfg(unix)]
    // SAFETY: umask only changes this process's file-creation mask; it cannot fail.
    unsafe {
        libc::umask(0o077);
    }
}

/// What became of logging at start.
pub struct Logging {
    pub dir: PathBuf,
    /// Keeps the writer thread; dropping it writes out what is buffered.
    pub guard: Option<WorkerGuard>,
    /// Why nothing is logged, when nothing is.
    pub problem: Option<String>,
}

impl std::fmt::Debug for Logging {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Logging")
            .field("dir", &self.dir)
            .field("active", &self.guard.is_some())
            .field("problem", &self.problem)
            .finish()
    }
}

/// Sends `tracing` output to daily files in `dir`, keeping `keep_days` of them. Keep the returned
/// guard alive for the process's life so buffered lines are written at exit. When the folder cannot be
/// made private and writable, logging is off (never on the terminal) and `problem` says why;
/// `admin check` reports the same.
pub fn init(dir: &Path, keep_days: u32) -> Logging {
    let off = |problem: String| Logging {
        dir: dir.to_path_buf(),
        guard: None,
        problem: Some(problem),
    };
    if let Err(problem) = prepare_dir(dir) {
        return off(problem);
    }
    let appender = match tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix(FILE_PREFIX)
        .filename_suffix(FILE_SUFFIX)
        .max_log_files(keep_days.max(1) as usize)
        .build(dir)
    {
        Ok(a) => a,
        Err(e) => {
            return off(format!(
                "cannot write a log file in {}: {}",
                dir.display(),
                crate::domain::text::neutralize(&error_chain(&e))
            ));
        }
    };
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter =
        EnvFilter::try_from_env("KOSMO_KIOSK_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    // A second initialisation in one process (tests) keeps the first subscriber.
    let _ = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init();
    Logging {
        dir: dir.to_path_buf(),
        guard: Some(guard),
        problem: None,
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        source = inner.source();
    }
    s
}

/// Creates the folder 0700 (with its parents), narrows an existing one to 0700 and this program's
/// existing log files to 0600. A folder that cannot be narrowed (another owner) is refused.
pub fn prepare_dir(dir: &Path) -> Result<(), String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        crate::files::private_dir(dir)
            .map_err(|e| format!("cannot create the log folder {}: {e}", dir.display()))?;
        let meta = std::fs::metadata(dir)
            .map_err(|e| format!("cannot read the log folder {}: {e}", dir.display()))?;
        if !meta.is_dir() {
            return Err(format!("the log folder {} is not a folder", dir.display()));
        }
        if meta.mode() & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(|e| {
                format!(
                    "the log folder {} is open to others (mode {:o}) and cannot be made 0700: {e}",
                    dir.display(),
                    meta.mode() & 0o777
                )
            })?;
        }
        for path in log_files(dir) {
            if let Ok(m) = std::fs::symlink_metadata(&path) {
                if m.is_file() && m.mode() & 0o077 != 0 {
                    let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
                }
            }
        }
        Ok(())
    }
    #[cfg(not(unix))]
    crate::files::private_dir(dir)
        .map_err(|e| format!("cannot create the log folder {}: {e}", dir.display()))
}

/// This program's log files in `dir` (`kosmo-kiosk.*.log`), oldest first by name (names carry the date).
pub fn log_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.starts_with(&format!("{FILE_PREFIX}.")) && n.ends_with(&format!(".{FILE_SUFFIX}"))
            })
        })
        .collect();
    files.sort();
    files
}

/// Whether a new file can be written in the log folder now (what `admin check` asks): a probe file is
/// created and removed.
pub fn writable(dir: &Path) -> Result<(), String> {
    let probe = dir.join(format!(".{FILE_PREFIX}-check-{}", std::process::id()));
    let result = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .map(drop);
    let _ = std::fs::remove_file(&probe);
    result.map_err(|e| format!("{}: {e}", dir.display()))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn an_open_folder_and_old_files_are_narrowed() {
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("logs");
        std::fs::create_dir(&logs).unwrap();
        std::fs::set_permissions(&logs, std::fs::Permissions::from_mode(0o777)).unwrap();
        let old = logs.join("kosmo-kiosk.2025-01-01.log");
        let other = logs.join("notes.txt");
        std::fs::write(&old, "x").unwrap();
        std::fs::write(&other, "x").unwrap();
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::set_permissions(&other, std::fs::Permissions::from_mode(0o644)).unwrap();
        prepare_dir(&logs).unwrap();
        assert_eq!(mode(&logs), 0o700);
        assert_eq!(mode(&old), 0o600);
        assert_eq!(
            mode(&other),
            0o644,
            "files that are not ours are left alone"
        );
        assert_eq!(log_files(&logs), vec![old]);
    }

    #[test]
    fn a_new_folder_is_private_with_its_parents() {
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("a/b/logs");
        prepare_dir(&logs).unwrap();
        assert_eq!(mode(&logs), 0o700);
        writable(&logs).unwrap();
        assert!(
            std::fs::read_dir(&logs).unwrap().next().is_none(),
            "probe removed"
        );
    }

    #[test]
    fn a_file_in_the_way_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("logs");
        std::fs::write(&f, "x").unwrap();
        assert!(prepare_dir(&f).is_err());
        assert!(writable(&f).is_err());
    }
}
