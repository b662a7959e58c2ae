//! The store as a file, for the operator: opening it read-only (monitoring, listings), a consistent copy
//! while others write (`VACUUM INTO`), and which other processes hold it open (before a restore).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{Connection, ErrorCode, OpenFlags};

use super::{BUSY_TIMEOUT, MIGRATIONS, Result, Store, StoreError};

/// The schema version this program writes.
pub fn known_schema_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// Tables every store of this program has (a file without them is not a kosmo-kiosk store).
const CORE_TABLES: [&str; 6] = [
    "households",
    "members",
    "temp_credentials",
    "accounts",
    "audit",
    "outbox",
];

/// The names of the files SQLite keeps beside a WAL store.
pub fn wal_files(db: &Path) -> [PathBuf; 2] {
    let s = db.as_os_str().to_owned();
    let mut wal = s.clone();
    wal.push("-wal");
    let mut shm = s;
    shm.push("-shm");
    [PathBuf::from(wal), PathBuf::from(shm)]
}

fn uri(path: &Path, params: &str) -> Result<String> {
    let abs = std::path::absolute(path).map_err(|source| StoreError::Create {
        path: path.to_path_buf(),
        source,
    })?;
    let url = url::Url::from_file_path(&abs)
        .map_err(|_| StoreError::Corrupt(format!("{} is not a usable path", abs.display())))?;
    Ok(format!("{url}?{params}"))
}

impl Store {
    /// Opens an existing store for reading only: nothing is created or migrated, and it works where the
    /// file or its folder cannot be written (a monitoring account, a read-only mount, a copy). When the
    /// WAL index cannot be created beside a store that has no WAL file (so no process is writing it),
    /// the file is read as immutable.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StoreError::Missing(path.to_path_buf()));
            }
            Ok(m) if !m.is_file() => return Err(StoreError::NotAFile(path.to_path_buf())),
            _ => {}
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let open = |params: &str| -> Result<Connection> {
            let conn = Connection::open_with_flags(uri(path, params)?, flags)?;
            conn.busy_timeout(BUSY_TIMEOUT)?;
            // The first read is what fails when the WAL index cannot be set up.
            conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))?;
            Ok(conn)
        };
        let conn = match open("mode=ro") {
            Ok(c) => c,
            Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)))
                if matches!(e.code, ErrorCode::ReadOnly | ErrorCode::CannotOpen)
                    && !wal_files(path)[0].exists() =>
            {
                open("mode=ro&immutable=1")?
            }
            Err(e) => return Err(e),
        };
        let store = Store {
            path: path.to_path_buf(),
            conn: Mutex::new(conn),
        };
        let version = store.schema_version()?;
        if version > known_schema_version() {
            return Err(StoreError::TooNew {
                path: path.to_path_buf(),
                found: version,
                known: known_schema_version(),
            });
        }
        Ok(store)
    }

    /// An empty store in memory, with the current schema: what a listing shows where there is no
    /// store yet (nothing), without creating one.
    pub fn open_empty_in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory()?;
        let store = Store {
            path: PathBuf::from(":memory:"),
            conn: Mutex::new(conn),
        };
        store.migrate()?;
        Ok(store)
    }

    /// Writes a consistent copy of the store, as of one moment, to `dest`, which must not exist or be
    /// empty (`VACUUM INTO`: a read transaction, so kiosks, staff sessions and the mail worker keep
    /// writing meanwhile). The copy is synced to disk before this returns.
    pub fn copy_into(&self, dest: &Path) -> Result<()> {
        let target = dest.to_str().ok_or_else(|| {
            StoreError::Corrupt(format!("{} is not a UTF-8 path", dest.display()))
        })?;
        self.read(|c| {
            c.execute("VACUUM INTO ?1", [target])?;
            Ok(())
        })?;
        let file = std::fs::File::open(dest).map_err(|source| StoreError::Create {
            path: dest.to_path_buf(),
            source,
        })?;
        file.sync_all().map_err(|source| StoreError::Create {
            path: dest.to_path_buf(),
            source,
        })
    }

    /// `PRAGMA quick_check`: "ok" when the file's pages and records are sound (no index cross-check).
    pub fn quick_check(&self) -> Result<Vec<String>> {
        self.read(|c| {
            let mut st = c.prepare("PRAGMA quick_check(20)")?;
            let rows = st.query_map([], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// `PRAGMA integrity_check`, every problem (up to 20).
    pub fn integrity_problems(&self) -> Result<Vec<String>> {
        self.read(|c| {
            let mut st = c.prepare("PRAGMA integrity_check(20)")?;
            let rows = st.query_map([], |r| r.get::<_, String>(0))?;
            let found = rows.collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(found.into_iter().filter(|l| l != "ok").collect())
        })
    }

    /// Tables a kosmo-kiosk store must have that this file lacks.
    pub fn missing_tables(&self) -> Result<Vec<&'static str>> {
        self.read(|c| {
            let mut missing = Vec::new();
            for t in CORE_TABLES {
                let n: i64 = c.query_row(
                    "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1",
                    [t],
                    |r| r.get(0),
                )?;
                if n == 0 {
                    missing.push(t);
                }
            }
            Ok(missing)
        })
    }

    /// Writes the WAL into the main file and closes, so that the file alone is the whole store (SQLite
    /// removes the -wal and -shm files when the last connection closes).
    pub fn checkpoint_and_close(self) -> Result<()> {
        let conn = self.conn.into_inner().unwrap_or_else(|p| p.into_inner());
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        conn.close().map_err(|(_, e)| StoreError::Sqlite(e))
    }
}

/// A process that has the store open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub pid: u32,
    /// Its command line, when this account may read it.
    pub command: Option<String>,
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.command {
            Some(c) => write!(f, "pid {} ({c})", self.pid),
            None => write!(f, "pid {}", self.pid),
        }
    }
}

/// Other processes that hold the store (its file, WAL or WAL index) open: from `/proc` (the processes
/// this account may see) and from the lock every SQLite connection keeps on the WAL index (any account).
pub fn holders(db: &Path) -> Vec<Holder> {
    let mut found = proc_holders(db);
    if let Some(pid) = wal_index_holder(db) {
        if !found.iter().any(|h| h.pid == pid) {
            found.push(Holder {
                pid,
                command: command_of(pid),
            });
        }
    }
    found.sort_by_key(|h| h.pid);
    found
}

fn command_of(pid: u32) -> Option<String> {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let words: Vec<String> = raw
        .split(|b| *b == 0)
        .filter(|w| !w.is_empty())
        .map(|w| crate::domain::text::neutralize(&String::from_utf8_lossy(w)).into_owned())
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

fn proc_holders(db: &Path) -> Vec<Holder> {
    let Ok(canon) = std::fs::canonicalize(db) else {
        return Vec::new();
    };
    let [wal, shm] = wal_files(&canon);
    let targets = [canon, wal, shm];
    let me = std::process::id();
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for entry in procs.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == me {
            continue;
        }
        let Ok(fds) = std::fs::read_dir(entry.path().join("fd")) else {
            continue;
        };
        let holds = fds
            .flatten()
            .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|target| targets.contains(&target)));
        if holds {
            found.push(Holder {
                pid,
                command: command_of(pid),
            });
        }
    }
    found
}

/// SQLite's unix VFS: every connection to a WAL store holds a shared lock on byte 128 of the -shm file
/// (the "dead man switch") while it is open. A process that holds it answers F_GETLK for a write lock.
#[cfg(unix)]
fn wal_index_holder(db: &Path) -> Option<u32> {
    use std::os::fd::AsRawFd;
    const DMS_BYTE: i64 = 128;
    let shm = std::fs::File::open(&wal_files(db)[1]).ok()?;
    // SAFETY: a plain F_GETLK query on a file this function owns; the struct is fully initialised.
    let mut lock: libc::flock = unsafe { std::mem::zeroed() };
    lock.l_type = libc::F_WRLCK as _;
    lock.l_whence = libc::SEEK_SET as _;
    lock.l_start = DMS_BYTE as _;
    lock.l_len = 1;
    // SAFETY: see above; the fd is valid for the call.
    let rc = unsafe { libc::fcntl(shm.as_raw_fd(), libc::F_GETLK, &mut lock) };
    (rc == 0 && lock.l_type != libc::F_UNLCK as libc::c_short && lock.l_pid > 0)
        .then_some(lock.l_pid as u32)
}

#[cfg(not(unix))]
fn wal_index_holder(_db: &Path) -> Option<u32> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wal_file_names() {
        let [w, s] = wal_files(Path::new("/a/k.db"));
        assert_eq!(w, Path::new("/a/k.db-wal"));
        assert_eq!(s, Path::new("/a/k.db-shm"));
    }

    #[test]
    fn a_copy_is_whole_and_this_process_is_not_a_holder() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("a b?#.db");
        let store = Store::open(&db).unwrap();
        store
            .write(|tx| {
                tx.execute(
                    "INSERT INTO households (insurer_number, symbol, number, created_at) VALUES ('06139497','1','1','x')",
                    [],
                )?;
                Ok::<_, StoreError>(())
            })
            .unwrap();
        assert!(holders(&db).is_empty(), "{:?}", holders(&db));
        let copy = dir.path().join("copy.db");
        store.copy_into(&copy).unwrap();
        assert!(
            store.copy_into(&copy).is_err(),
            "never over a file with content"
        );
        let ro = Store::open_read_only(&copy).unwrap();
        assert!(ro.integrity_problems().unwrap().is_empty());
        assert!(ro.missing_tables().unwrap().is_empty());
        assert_eq!(ro.schema_version().unwrap(), known_schema_version());
        let n: i64 = ro
            .read(|c| Ok(c.query_row("SELECT count(*) FROM households", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(n, 1);
        let write = ro.write(|tx| {
            tx.execute("DELETE FROM households", [])?;
            Ok::<_, StoreError>(())
        });
        assert!(write.is_err(), "read-only");
        assert!(matches!(
            Store::open_read_only(&dir.path().join("none.db")),
            Err(StoreError::Missing(_))
        ));
        store.checkpoint_and_close().unwrap();
        for f in wal_files(&db) {
            assert!(!f.exists(), "{f:?} removed at close");
        }
    }
}
