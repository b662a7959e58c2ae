//! Issuing temporary (postcard) credentials, and the one writer of notices files. The plaintext password
//! exists only in a notices file (mode 0600, never overwritten, never followed through a symlink); the store
//! keeps an argon2id hash.
//!
//! A notices file is opened by the office in a spreadsheet, so no cell may start a formula: a cell
//! beginning with `=`, `+`, `-`, `@`, TAB or CR (or their full-width forms) gets a leading `'`, as the
//! OWASP guidance on CSV injection says ([`spreadsheet_cell`]).

use std::borrow::Cow;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use rand::TryRngCore;
use rand::rngs::OsRng;
use time::Duration;
use zeroize::Zeroizing;

use super::{ServiceError, Services};
use crate::clock::JST;
use crate::domain::credential::{generate_temp_id, generate_temp_password};
use crate::domain::household::HouseholdKey;
use crate::domain::text::neutralize;
use crate::store::audit::{self, AuditEntry};
use crate::store::households::{self, Household};
use crate::store::{Actor, accounts, credentials};

/// One issued postcard, as written to the notices file.
#[derive(Clone)]
pub struct Notice {
    pub household: String,
    pub name: String,
    pub temp_user_id: String,
    pub temp_password: Zeroizing<String>,
    pub expires_on: String,
}

impl std::fmt::Debug for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notice")
            .field("household", &self.household)
            .field("temp_user_id", &self.temp_user_id)
            .field("temp_password", &"***")
            .field("expires_on", &self.expires_on)
            .finish_non_exhaustive()
    }
}

/// A cell as a spreadsheet may safely open it: text that would start a formula (`=`, `+`, `-`, `@`, TAB,
/// CR, or the full-width `＝＋－＠` that a Japanese spreadsheet also reads as formula signs) gets a leading
/// `'`, which spreadsheets take as "text" and do not show. Anything else is unchanged.
pub fn spreadsheet_cell(s: &str) -> Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '＝' | '＋' | '－' | '＠') => {
            Cow::Owned(format!("'{s}"))
        }
        _ => Cow::Borrowed(s),
    }
}

/// One row of a notices file, in the order of the header (`household,name,temp_user_id,temp_password,
/// expires_on`; SPEC §6). Every cell is spreadsheet-safe; the name is also neutralised (no control or
/// bidi characters).
#[derive(serde::Serialize)]
struct NoticeRecord<'a> {
    household: Cow<'a, str>,
    name: Cow<'a, str>,
    temp_user_id: Cow<'a, str>,
    temp_password: Cow<'a, str>,
    expires_on: Cow<'a, str>,
}

impl<'a> NoticeRecord<'a> {
    fn new(n: &'a Notice, name: &'a str) -> Self {
        NoticeRecord {
            household: spreadsheet_cell(&n.household),
            name: spreadsheet_cell(name),
            temp_user_id: spreadsheet_cell(&n.temp_user_id),
            temp_password: spreadsheet_cell(&n.temp_password),
            expires_on: spreadsheet_cell(&n.expires_on),
        }
    }
}

/// The one writer of notices files (`admin issue-credentials` and the staff console's reissue).
pub struct NoticesFile {
    file: File,
    path: PathBuf,
    /// The file is empty: the header row goes first.
    empty: bool,
}

fn open_error(path: &Path, e: std::io::Error) -> ServiceError {
    if e.raw_os_error() == Some(libc::ELOOP) {
        ServiceError::user(format!(
            "{} is a symbolic link; a notices file must be a plain file, refusing to write postcard passwords through a link",
            path.display()
        ))
    } else if e.kind() == std::io::ErrorKind::AlreadyExists {
        ServiceError::user(format!(
            "{} already exists; a notices file is never overwritten, choose a new name",
            path.display()
        ))
    } else {
        ServiceError::user(format!("cannot open {}: {e}", path.display()))
    }
}

impl NoticesFile {
    fn options() -> std::fs::OpenOptions {
        let mut opts = std::fs::OpenOptions::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600)
                .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC);
        }
        opts
    }

    /// A new notices file (mode 0600); refuses an existing file or link of that name.
    pub fn create_new(path: &Path) -> Result<NoticesFile, ServiceError> {
        let file = Self::options()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(|e| open_error(path, e))?;
        Ok(NoticesFile {
            file,
            path: path.to_path_buf(),
            empty: true,
        })
    }

    /// The append-only notices file of the staff console: created 0600 (its folder 0700) when missing;
    /// an existing one must be a plain file of this user that no one else may read or write, not a
    /// symbolic link and not a second name (hard link) of another file. Refused otherwise, saying why.
    pub fn open_append(path: &Path) -> Result<NoticesFile, ServiceError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            if !parent.exists() {
                let mut b = std::fs::DirBuilder::new();
                b.recursive(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::DirBuilderExt;
                    b.mode(0o700);
                }
                b.create(parent).map_err(|e| {
                    ServiceError::user(format!("cannot create {}: {e}", parent.display()))
                })?;
            }
        }
        let file = Self::options()
            .append(true)
            .create(true)
            .open(path)
            .map_err(|e| open_error(path, e))?;
        // Checked on the open file, not the name: nothing can be swapped in between.
        let meta = file.metadata()?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            // SAFETY: geteuid has no preconditions.
            let me = unsafe { libc::geteuid() };
            let refuse = |why: String| {
                Err(ServiceError::user(format!(
                    "{} {why}; postcard passwords are not written to it (fix it with `chmod 600` or choose another [staff] notices_file)",
                    path.display()
                )))
            };
            if !meta.file_type().is_file() {
                return refuse("is not a plain file".into());
            }
            if meta.uid() != me {
                return refuse(format!("belongs to another user (uid {})", meta.uid()));
            }
            if meta.mode() & 0o077 != 0 {
                return refuse(format!(
                    "has mode {:04o}, readable or writable by others",
                    meta.mode() & 0o7777
                ));
            }
            if meta.nlink() > 1 {
                return refuse("has more than one name (a hard link)".into());
            }
        }
        Ok(NoticesFile {
            file,
            path: path.to_path_buf(),
            empty: meta.len() == 0,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes the rows (the header first into an empty file) in one write, then syncs the file to disk.
    /// The bytes, passwords included, are wiped from memory afterwards.
    pub fn write(&mut self, notices: &[Notice]) -> Result<(), ServiceError> {
        let map = |e: csv::Error| ServiceError::Io(std::io::Error::other(e));
        let mut w = csv::WriterBuilder::new()
            .has_headers(self.empty)
            .from_writer(Vec::new());
        for n in notices {
            let name = neutralize(&n.name);
            w.serialize(NoticeRecord::new(n, &name)).map_err(map)?;
        }
        if self.empty && notices.is_empty() {
            w.write_record([
                "household",
                "name",
                "temp_user_id",
                "temp_password",
                "expires_on",
            ])
            .map_err(map)?;
        }
        let bytes = Zeroizing::new(
            w.into_inner()
                .map_err(|e| ServiceError::Io(std::io::Error::other(e.to_string())))?,
        );
        self.file.write_all(&bytes)?;
        self.file.sync_all()?;
        self.empty = self.empty && bytes.is_empty();
        Ok(())
    }
}

#[derive(Debug)]
pub struct IssueReport {
    pub out: PathBuf,
    pub notices: Vec<Notice>,
    /// Households named with --household that had a live credential, now revoked.
    pub revoked: usize,
}

mod reissue;

pub use reissue::{ReissueError, Reissued};

impl Services {
    /// Issues a credential to each named household (revoking its live one), or with none named, to
    /// every household that has neither an account nor a live credential.
    pub fn issue_credentials(
        &self,
        actor: &Actor,
        out: &Path,
        only: &[HouseholdKey],
    ) -> Result<IssueReport, ServiceError> {
        let mut rng = OsRng.unwrap_err();
        self.issue_credentials_with_ids(actor, out, only, &mut || generate_temp_id(&mut rng))
    }

    /// [`Services::issue_credentials`] drawing candidate temporary IDs from `next_id` (tests use it to
    /// offer IDs that are already taken; production draws from the OS RNG). A candidate equal to any
    /// user ID or earlier temporary ID (case-insensitive) is skipped.
    #[doc(hidden)]
    pub fn issue_credentials_with_ids(
        &self,
        actor: &Actor,
        out: &Path,
        only: &[HouseholdKey],
        next_id: &mut dyn FnMut() -> String,
    ) -> Result<IssueReport, ServiceError> {
        let now = self.now();
        let expires_at =
            now + Duration::days(i64::from(self.config.credentials.temp_valid_days.max(1)));
        let expires_on = expires_at.to_offset(JST).date().to_string();

        // Which households, their display names, and (with --household) the live credential each had
        // when it was read: another run that issues one before this one writes is seen (item 11).
        let targets: Vec<(Household, String, Option<i64>)> = if only.is_empty() {
            self.store.read(|c| {
                let mut list = Vec::new();
                for s in households::summaries(c)? {
                    let live = credentials::live_for(c, s.id)?;
                    if s.status == "pending" && live.is_none_or(|l| !l.usable(now)) {
                        if let Some(h) = households::get(c, s.id)? {
                            list.push((h, s.name.clone(), None));
                        }
                    }
                }
                Ok(list)
            })?
        } else {
            let mut list = Vec::new();
            for key in only {
                let found = self.store.read(|c| {
                    let Some(h) = households::find_by_key(c, key)? else {
                        return Ok(None);
                    };
                    let name = households::members_of(c, h.id)?
                        .first()
                        .map(|m| m.name.clone())
                        .unwrap_or_default();
                    let registered = accounts::for_household(c, h.id)?.is_some();
                    let live = credentials::live_for(c, h.id)?.map(|l| l.id);
                    Ok(Some((h, name, registered, live)))
                })?;
                match found {
                    None => {
                        return Err(ServiceError::user(format!("there is no household {key}")));
                    }
                    Some((h, _, true, _)) => {
                        return Err(ServiceError::user(format!(
                            "household {} is already registered; it needs no postcard",
                            h.key
                        )));
                    }
                    Some((h, name, false, live)) => list.push((h, name, live)),
                }
            }
            list
        };

        let mut file = NoticesFile::create_new(out)?;
        // Passwords and their hashes, computed before the write transaction (argon2id is slow).
        let mut rng = OsRng.unwrap_err();
        let passwords: Vec<Zeroizing<String>> = targets
            .iter()
            .map(|_| Zeroizing::new(generate_temp_password(&mut rng)))
            .collect();
        let hashes = match self.hash_all(&passwords) {
            Ok(h) => h,
            Err(e) => {
                let _ = std::fs::remove_file(out);
                return Err(e);
            }
        };

        let result = self.store.write(|tx| {
            credentials::expire_due(tx, now)?;
            let mut notices = Vec::with_capacity(targets.len());
            let mut revoked = 0;
            for (((h, name, seen), password), hash) in targets.iter().zip(&passwords).zip(&hashes) {
                // The households were chosen before this transaction: another process may have
                // registered one since, or (without --household) issued it a postcard. Look again.
                if accounts::for_household(tx, h.id)?.is_some() {
                    if only.is_empty() {
                        continue;
                    }
                    return Err(ServiceError::user(format!(
                        "household {} is already registered; it needs no postcard",
                        h.key
                    )));
                }
                let live = credentials::live_for(tx, h.id)?;
                if only.is_empty() && live.as_ref().is_some_and(|l| l.usable(now)) {
                    continue;
                }
                // Named with --household: a live credential that was not there when this run read
                // the household was issued a moment ago by another run (or at the counter). Its
                // notices file is the one to print: refuse rather than revoke it unseen.
                if !only.is_empty() && live.as_ref().is_some_and(|l| Some(l.id) != *seen) {
                    return Err(ServiceError::user(format!(
                        "household {} was issued a postcard a moment ago by another run, so \
                         nothing was issued: that postcard stands (print its notices file), and \
                         running this command again replaces it",
                        h.key
                    )));
                }
                if credentials::revoke_live(tx, h.id, now)? {
                    revoked += 1;
                }
                // A temporary ID never equals any user ID or earlier temporary ID.
                let temp_id = loop {
                    let candidate = next_id();
                    if !accounts::user_id_taken(tx, &candidate)? {
                        break candidate;
                    }
                };
                credentials::insert(
                    tx,
                    h.id,
                    &temp_id,
                    hash,
                    now,
                    expires_at,
                    actor.staff_id.as_deref().unwrap_or(actor.channel.as_str()),
                )?;
                audit::insert(
                    tx,
                    actor,
                    &AuditEntry {
                        event: "issue_credential",
                        outcome: "ok",
                        household_id: Some(h.id),
                        subject: Some(&temp_id),
                        detail: Some(format!("household {} expires {expires_on}", h.key.masked())),
                    },
                    now,
                )?;
                notices.push(Notice {
                    household: h.key.to_string(),
                    name: name.clone(),
                    temp_user_id: temp_id,
                    temp_password: password.clone(),
                    expires_on: expires_on.clone(),
                });
            }
            // The file is complete and on disk before the credentials exist.
            file.write(&notices)?;
            Ok::<_, ServiceError>((notices, revoked))
        });
        match result {
            Ok((notices, revoked)) => Ok(IssueReport {
                out: out.to_path_buf(),
                notices,
                revoked,
            }),
            Err(e) => {
                let _ = std::fs::remove_file(out);
                Err(e)
            }
        }
    }

    /// Hashes many passwords on all cores.
    pub(crate) fn hash_all(
        &self,
        passwords: &[Zeroizing<String>],
    ) -> Result<Vec<String>, ServiceError> {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .max(1);
        let chunk = passwords.len().div_ceil(threads).max(1);
        std::thread::scope(|s| {
            let handles: Vec<_> = passwords
                .chunks(chunk)
                .map(|part| {
                    s.spawn(move || {
                        part.iter()
                            .map(|p| self.hasher.hash(p))
                            .collect::<Result<Vec<_>, _>>()
                    })
                })
                .collect();
            let mut out = Vec::with_capacity(passwords.len());
            for h in handles {
                out.extend(
                    h.join()
                        .map_err(|_| ServiceError::Hash("hashing thread panicked".into()))??,
                );
            }
            Ok(out)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_get_a_quote_and_others_stay() {
        for (cell, safe) in [
            ("=1+1", "'=1+1"),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("＝1+1", "'＝1+1"),
            ("山田 太郎", "山田 太郎"),
            ("06139497-12-4417203", "06139497-12-4417203"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(spreadsheet_cell(cell), safe, "{cell:?}");
        }
    }

    #[test]
    fn a_notice_never_shows_its_password_in_debug_output() {
        let n = Notice {
            household: "06139497-12-4417203".into(),
            name: "山田 太郎".into(),
            temp_user_id: "K7QX2M9P".into(),
            temp_password: Zeroizing::new("Sekret2026xy".into()),
            expires_on: "2026-06-01".into(),
        };
        let shown = format!("{n:?}");
        assert!(!shown.contains("Sekret2026xy"), "{shown}");
    }
}
