//! The SQLite store: one file shared by every process (kiosks, SSH sessions, cron jobs).
//!
//! WAL, `synchronous=FULL`, `foreign_keys=ON`, an explicit busy timeout and `BEGIN IMMEDIATE` for every
//! write transaction, so that concurrent writers queue instead of failing with SQLITE_BUSY. The schema is
//! versioned with `PRAGMA user_version`. The file is created with mode 0600 (SQLite gives its -wal and -shm
//! files the same mode).

pub mod accounts;
pub mod audit;
pub mod credentials;
pub mod expenses;
pub mod households;
pub mod locks;
pub mod ops;
pub mod outbox;
pub mod reset_codes;
pub mod retention;
pub mod staff;
pub mod terms;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, Transaction, TransactionBehavior};
use time::OffsetDateTime;

pub use audit::{Actor, Channel};

/// How long a writer waits for another process's transaction before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Schema migrations, applied in order; the index + 1 is the `user_version` after each.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/001_initial.sql"),
    include_str!("migrations/002_identity_token.sql"),
    include_str!("migrations/003_lock_proofs.sql"),
    include_str!("migrations/004_expenses.sql"),
];

/// The `user_version` of a store with every migration applied.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot create the store at {path}: {source}")]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the store {path} has schema version {found}, newer than this program understands ({known})"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("the store holds a value it cannot read: {0}")]
    Corrupt(String),
    #[error("there is no store at {}", .0.display())]
    Missing(PathBuf),
    #[error("{} is not a store file (a folder or a device?)", .0.display())]
    NotAFile(PathBuf),
}

impl StoreError {
    /// True when the error is a UNIQUE (or PRIMARY KEY) constraint violation.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
                e.code == ErrorCode::ConstraintViolation
                    && (e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                        || e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
            }
            _ => false,
        }
    }

    /// True when SQLite gave up waiting for a lock (should not happen with the busy timeout).
    pub fn is_busy(&self) -> bool {
        matches!(
            self,
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
                if e.code == ErrorCode::DatabaseBusy || e.code == ErrorCode::DatabaseLocked
        )
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// One connection to the store file. Cheap to share behind an `Arc`; each process opens its own.
pub struct Store {
    path: PathBuf,
    conn: Mutex<Connection>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (creating when absent, mode 0600) and migrates the store.
    pub fn open(path: &Path) -> Result<Store> {
        create_private_file(path)?;
        // Several processes may create or migrate one new file at the same moment. Switching a fresh
        // file to WAL can answer SQLITE_BUSY without waiting on the busy handler, so opening is
        // retried (with a little jitter) for as long as the busy timeout.
        let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
        let mut attempt: u64 = 0;
        loop {
            match Self::open_once(path) {
                Err(e) if e.is_busy() && std::time::Instant::now() < deadline => {
                    attempt += 1;
                    let jitter = (std::process::id() as u64 ^ attempt.wrapping_mul(7919)) % 20;
                    std::thread::sleep(Duration::from_millis(10 + jitter));
                }
                other => return other,
            }
        }
    }

    fn open_once(path: &Path) -> Result<Store> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // journal_mode=WAL is persistent in the file; setting it again is a no-op.
        let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Corrupt(format!(
                "journal mode is {mode}, WAL is required"
            )));
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let store = Store {
            path: path.to_path_buf(),
            conn: Mutex::new(conn),
        };
        store.migrate()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the connection leaves SQLite consistent (the transaction rolls back on
        // drop), so a poisoned mutex is safe to keep using.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn migrate(&self) -> Result<()> {
        let mut conn = self.lock();
        let known = MIGRATIONS.len() as i64;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > known {
            return Err(StoreError::TooNew {
                path: self.path.clone(),
                found: version,
                known,
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The schema version written in the file.
    pub fn schema_version(&self) -> Result<i64> {
        self.read(|c| Ok(c.query_row("PRAGMA user_version", [], |r| r.get(0))?))
    }

    /// Runs `f` on the connection, outside any write transaction.
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.lock();
        f(&conn)
    }

    /// Runs `f` inside one `BEGIN IMMEDIATE` transaction: committed when `f` returns `Ok`, rolled back
    /// otherwise (including on panic).
    pub fn write<T, E>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let value = f(&tx)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(value)
    }

    /// `PRAGMA integrity_check`: "ok" when the file is sound.
    pub fn integrity_check(&self) -> Result<String> {
        self.read(|c| Ok(c.query_row("PRAGMA integrity_check", [], |r| r.get(0))?))
    }
}

/// Creates the store file (and its folder) readable only by its owner; an existing file is kept.
fn create_private_file(path: &Path) -> Result<()> {
    let err = |source| StoreError::Create {
        path: path.to_path_buf(),
        source,
    };
    crate::files::private_parent(path).map_err(err)?;
    match crate::files::create_private(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(err(e)),
    }
}

/// The one row `sql` selects, if any: read by `read`, then checked and converted by `build`.
pub(crate) fn one<P: rusqlite::Params, R, T>(
    conn: &Connection,
    sql: &str,
    params: P,
    read: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<R>,
    build: impl FnOnce(R) -> Result<T>,
) -> Result<Option<T>> {
    use rusqlite::OptionalExtension;
    conn.query_row(sql, params, read)
        .optional()?
        .map(build)
        .transpose()
}

/// Formats a time for the store: UTC, `YYYY-MM-DDTHH:MM:SSZ` ([`crate::dates::stamp`]).
pub fn ts(t: OffsetDateTime) -> String {
    crate::dates::stamp(t)
}

/// Parses a time written by [`ts`].
pub fn parse_ts(s: &str) -> Result<OffsetDateTime> {
    crate::dates::parse_stamp(s).map_err(|e| StoreError::Corrupt(format!("time {s:?}: {e}")))
}

pub(crate) fn opt_ts(s: Option<String>) -> Result<Option<OffsetDateTime>> {
    s.as_deref().map(parse_ts).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_and_sort() {
        let a = time::macros::datetime!(2026-01-02 03:04:05 UTC);
        let b = time::macros::datetime!(2026-11-25 12:00:00 +09:00);
        assert_eq!(ts(a), "2026-01-02T03:04:05Z");
        assert_eq!(ts(b), "2026-11-25T03:00:00Z");
        assert_eq!(parse_ts(&ts(a)).unwrap(), a);
        assert!(ts(a) < ts(b));
    }

    #[test]
    fn open_creates_private_wal_file_and_migrates() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/kiosk.db");
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as i64);
        assert_eq!(store.integrity_check().unwrap(), "ok");
        let mode: String = store
            .read(|c| Ok(c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(mode, "wal");
        let sync: i64 = store
            .read(|c| Ok(c.query_row("PRAGMA synchronous", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(sync, 2, "synchronous=FULL");
        let fk: i64 = store
            .read(|c| Ok(c.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(fk, 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        drop(store);
        // Re-opening an up-to-date store is a no-op.
        let again = Store::open(&path).unwrap();
        assert_eq!(again.schema_version().unwrap(), MIGRATIONS.len() as i64);
    }

    #[test]
    fn newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.db");
        drop(Store::open(&path).unwrap());
        let c = Connection::open(&path).unwrap();
        c.pragma_update(None, "user_version", 999).unwrap();
        drop(c);
        let err = Store::open(&path).unwrap_err();
        assert!(
            matches!(err, StoreError::TooNew { found: 999, .. }),
            "{err}"
        );
    }

    #[test]
    fn failed_write_rolls_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("k.db")).unwrap();
        let r: Result<(), StoreError> = store.write(|tx| {
            tx.execute(
                "INSERT INTO households (insurer_number, symbol, number, created_at) VALUES ('06139497','1','1','x')",
                [],
            )?;
            Err(StoreError::Corrupt("stop".into()))
        });
        assert!(r.is_err());
        let n: i64 = store
            .read(|c| Ok(c.query_row("SELECT count(*) FROM households", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(n, 0);
    }
}
