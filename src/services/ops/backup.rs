//! `admin backup DEST` and `admin restore SRC`.
//!
//! A backup is a consistent copy as of one moment (`VACUUM INTO`, a read transaction: kiosks, staff
//! sessions and the mail worker keep writing), written under a temporary name, checked with
//! `PRAGMA integrity_check`, synced, and linked into place mode 0600; an existing file is never replaced.
//! A restore checks the source first, refuses while any other process holds the store (and names them),
//! and keeps the replaced file beside the store.

use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use crate::services::{ServiceError, Services};
use crate::store::audit::{self, AuditEntry};
use crate::store::ops::{Holder, holders, wal_files};
use crate::store::{Actor, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    pub path: PathBuf,
    pub bytes: u64,
    /// Older backups deleted to keep the kept count.
    pub removed: Vec<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreReport {
    /// Where the store that was replaced now is (none when there was no store).
    pub replaced: Option<PathBuf>,
    /// The source's schema version (older ones are migrated on the first open).
    pub source_version: i64,
    pub households: i64,
    pub accounts: i64,
}

fn user(msg: impl Into<String>) -> ServiceError {
    ServiceError::user(msg)
}

/// `20260102T030405Z`: sorts as it reads, safe in a file name.
fn stamp(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// The store's file stem (`kiosk` for `kiosk.db`): backups in a folder are `kiosk-<stamp>.db`.
fn stem(db: &Path) -> String {
    db.file_stem()
        .and_then(|s| s.to_str())
        .filter(|s| !s.is_empty())
        .unwrap_or("kiosk")
        .to_string()
}

/// Whether `name` is a backup this program named for the store `stem`.
fn is_backup_name(name: &str, stem: &str) -> bool {
    name.strip_prefix(stem)
        .and_then(|r| r.strip_prefix('-'))
        .and_then(|r| r.strip_suffix(".db"))
        .is_some_and(|s| {
            s.len() == 16
                && s.char_indices().all(|(i, c)| match i {
                    8 => c == 'T',
                    15 => c == 'Z',
                    _ => c.is_ascii_digit(),
                })
        })
}

/// Backups of the store `stem` in `dir`, oldest first.
pub fn backups_in(dir: &Path, stem_of: &Path) -> Vec<PathBuf> {
    let stem = stem(stem_of);
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| is_backup_name(n, &stem))
        })
        .collect();
    found.sort();
    found
}

/// An empty file only this account can read, created here and nowhere else (never an existing file).
fn create_private(path: &Path) -> std::io::Result<()> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    o.open(path).map(drop)
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Puts `tmp` at `dest` without ever replacing a file there.
fn link_into_place(tmp: &Path, dest: &Path) -> std::io::Result<()> {
    match std::fs::hard_link(tmp, dest) {
        Ok(()) => std::fs::remove_file(tmp),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(e),
        // A file system without hard links: rename, after checking (a narrow race, no data lost).
        Err(_) if !dest.exists() => std::fs::rename(tmp, dest),
        Err(e) => Err(e),
    }
}

fn parent_of(p: &Path) -> PathBuf {
    p.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Checks a store file without changing it: sound pages and indexes, this program's tables, a schema
/// version this program knows. Returns the opened store.
fn checked(path: &Path, what: &str) -> Result<Store, ServiceError> {
    let store = Store::open_read_only(path).map_err(|e| match e {
        StoreError::Missing(_) => user(format!("{what} {} does not exist", path.display())),
        StoreError::TooNew { found, known, .. } => user(format!(
            "{what} {} has schema version {found}, newer than this program understands ({known})",
            path.display()
        )),
        other => user(format!(
            "{what} {} is not a readable SQLite store ({other})",
            path.display()
        )),
    })?;
    let problems = store
        .integrity_problems()
        .map_err(|e| user(format!("{what} {} cannot be checked ({e})", path.display())))?;
    if let Some(first) = problems.first() {
        return Err(user(format!(
            "{what} {} fails the integrity check ({} problems, the first: {first})",
            path.display(),
            problems.len()
        )));
    }
    let missing = store.missing_tables()?;
    if !missing.is_empty() {
        return Err(user(format!(
            "{what} {} is not a kosmo-kiosk store (no table {})",
            path.display(),
            missing.join(", ")
        )));
    }
    Ok(store)
}

impl Services {
    /// `admin backup DEST`: DEST is a new file, or an existing folder in which the copy is named
    /// `<store>-<UTC time>.db`; with `keep`, only that many backups stay in the folder (the oldest go).
    pub fn backup(
        &self,
        actor: &Actor,
        dest: &Path,
        keep: Option<u32>,
    ) -> Result<BackupReport, ServiceError> {
        let now = self.now();
        let into_folder = dest.is_dir();
        if keep.is_some() && !into_folder {
            return Err(user(format!(
                "--keep needs DEST to be a folder; {} is not one",
                dest.display()
            )));
        }
        if keep == Some(0) {
            return Err(user("--keep must be at least 1"));
        }
        let target = if into_folder {
            dest.join(format!("{}-{}.db", stem(self.store.path()), stamp(now)))
        } else {
            dest.to_path_buf()
        };
        if std::fs::symlink_metadata(&target).is_ok() {
            return Err(user(format!(
                "{} already exists; a backup never replaces a file",
                target.display()
            )));
        }
        let dir = parent_of(&target);
        if !dir.is_dir() {
            return Err(user(format!("the folder {} does not exist", dir.display())));
        }
        let name = target
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| user(format!("{} is not a usable file name", target.display())))?;
        let tmp = dir.join(format!(".{name}.partial-{}", std::process::id()));
        create_private(&tmp)
            .map_err(|e| user(format!("cannot write in {}: {e}", dir.display())))?;
        let result = (|| {
            self.store.copy_into(&tmp).map_err(|e| match e {
                StoreError::Sqlite(e) => user(format!("the copy failed: {e}")),
                other => other.into(),
            })?;
            drop(checked(&tmp, "the copy")?);
            for f in wal_files(&tmp) {
                let _ = std::fs::remove_file(f);
            }
            link_into_place(&tmp, &target)
                .map_err(|e| user(format!("cannot put the copy at {}: {e}", target.display())))
        })();
        if let Err(e) = result {
            let _ = std::fs::remove_file(&tmp);
            for f in wal_files(&tmp) {
                let _ = std::fs::remove_file(f);
            }
            return Err(e);
        }
        sync_dir(&dir);
        let bytes = std::fs::metadata(&target).map(|m| m.len()).unwrap_or(0);
        let mut removed = Vec::new();
        if let Some(keep) = keep {
            let all = backups_in(&dir, self.store.path());
            let extra = all.len().saturating_sub(keep as usize);
            for old in all.into_iter().take(extra) {
                if old != target && std::fs::remove_file(&old).is_ok() {
                    removed.push(old);
                }
            }
        }
        self.store.write(|tx| {
            audit::insert(
                tx,
                actor,
                &AuditEntry {
                    event: "backup",
                    outcome: "ok",
                    household_id: None,
                    subject: None,
                    detail: Some(format!(
                        "{} bytes {bytes} removed {}",
                        crate::domain::text::neutralize(&target.display().to_string()),
                        removed.len()
                    )),
                },
                now,
            )
        })?;
        Ok(BackupReport {
            path: target,
            bytes,
            removed,
        })
    }
}

fn in_use(db: &Path, found: &[Holder]) -> ServiceError {
    let list: Vec<String> = found.iter().map(Holder::to_string).collect();
    user(format!(
        "the store {} is in use by {} {}: {}; stop them first (e.g. systemctl stop kosmo-kiosk kosmo-kiosk-outbox, and close staff sessions), then run restore again; nothing was changed",
        db.display(),
        found.len(),
        if found.len() == 1 {
            "process"
        } else {
            "processes"
        },
        list.join(", ")
    ))
}

/// `admin restore SRC`: puts a checked copy of SRC in place of the store at `db`, keeping the replaced
/// file as `<db>.replaced-<UTC time>`. Refuses while another process holds the store. The restored
/// store is opened (an older schema is migrated) and the restore is an audit row in it.
pub fn restore(
    db: &Path,
    src: &Path,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<RestoreReport, ServiceError> {
    if let (Ok(a), Ok(b)) = (std::fs::canonicalize(db), std::fs::canonicalize(src)) {
        if a == b {
            return Err(user(format!(
                "{} is the store itself; give a backup to restore from",
                src.display()
            )));
        }
    }
    let source = checked(src, "the backup")?;
    let source_version = source.schema_version()?;
    let dir = parent_of(db);
    if !dir.is_dir() {
        return Err(user(format!("the folder {} does not exist", dir.display())));
    }
    let name = db
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| user(format!("{} is not a usable file name", db.display())))?
        .to_string();
    let tmp = dir.join(format!(".{name}.restoring-{}", std::process::id()));
    let cleanup = |tmp: &Path| {
        let _ = std::fs::remove_file(tmp);
        for f in wal_files(tmp) {
            let _ = std::fs::remove_file(f);
        }
    };
    create_private(&tmp).map_err(|e| user(format!("cannot write in {}: {e}", dir.display())))?;
    let copied = source
        .copy_into(&tmp)
        .map_err(ServiceError::from)
        .and_then(|()| checked(&tmp, "the copy").map(drop));
    drop(source);
    if let Err(e) = copied {
        cleanup(&tmp);
        return Err(e);
    }
    let found = holders(db);
    if !found.is_empty() {
        cleanup(&tmp);
        return Err(in_use(db, &found));
    }
    let mut replaced = None;
    if db.exists() {
        // Everything in the WAL goes into the file, and the WAL files go with the last connection, so
        // that the restored store gets no stale WAL. A store too damaged for that keeps its WAL: it is
        // moved aside with it, so the replaced file stays whole.
        let _ = Store::open(db).and_then(Store::checkpoint_and_close);
        let found = holders(db);
        if !found.is_empty() {
            cleanup(&tmp);
            return Err(in_use(db, &found));
        }
        let mut aside = PathBuf::from(format!("{}.replaced-{}", db.display(), stamp(now)));
        let mut n = 1;
        while std::fs::symlink_metadata(&aside).is_ok() {
            n += 1;
            aside = PathBuf::from(format!("{}.replaced-{}-{n}", db.display(), stamp(now)));
        }
        if let Err(e) = std::fs::rename(db, &aside) {
            cleanup(&tmp);
            return Err(user(format!(
                "cannot move the current store aside to {}: {e}; nothing was changed",
                aside.display()
            )));
        }
        let [wal, shm] = wal_files(db);
        if wal.exists() {
            let _ = std::fs::rename(&wal, &wal_files(&aside)[0]);
        }
        let _ = std::fs::remove_file(shm);
        replaced = Some(aside);
    }
    if let Err(e) = std::fs::rename(&tmp, db) {
        // Put the old store back.
        if let Some(aside) = &replaced {
            let _ = std::fs::rename(aside, db);
        }
        cleanup(&tmp);
        return Err(user(format!(
            "cannot put the restored store at {}: {e}; the store is as it was",
            db.display()
        )));
    }
    sync_dir(&dir);
    let store = Store::open(db)?;
    let (households, accounts) = store.read(|c| {
        Ok((
            c.query_row("SELECT count(*) FROM households", [], |r| r.get(0))?,
            c.query_row("SELECT count(*) FROM accounts", [], |r| r.get(0))?,
        ))
    })?;
    store.write(|tx| {
        audit::insert(
            tx,
            actor,
            &AuditEntry {
                event: "restore",
                outcome: "ok",
                household_id: None,
                subject: None,
                detail: Some(format!(
                    "from {} schema {source_version} replaced {}",
                    crate::domain::text::neutralize(&src.display().to_string()),
                    replaced
                        .as_ref()
                        .map(
                            |p| crate::domain::text::neutralize(&p.display().to_string())
                                .into_owned()
                        )
                        .unwrap_or_else(|| "-".into())
                )),
            },
            now,
        )
    })?;
    Ok(RestoreReport {
        replaced,
        source_version,
        households,
        accounts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backup_names() {
        assert_eq!(
            stamp(time::macros::datetime!(2026-01-02 03:04:05 +09:00)),
            "20260101T180405Z"
        );
        assert!(is_backup_name("kiosk-20260101T180405Z.db", "kiosk"));
        assert!(!is_backup_name(
            "kiosk-20260101T180405Z.db.partial",
            "kiosk"
        ));
        assert!(!is_backup_name("kiosk-2026010xT180405Z.db", "kiosk"));
        assert!(!is_backup_name("other-20260101T180405Z.db", "kiosk"));
        assert!(!is_backup_name("kiosk.db", "kiosk"));
        assert_eq!(stem(Path::new("/var/lib/k/kiosk.db")), "kiosk");
    }
}
