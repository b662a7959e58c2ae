//! Issuing temporary (postcard) credentials. The plaintext password exists only in the notices file
//! (mode 0600, never overwritten); the store keeps an argon2id hash.

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
#[derive(Debug, Clone)]
pub struct Notice {
    pub household: String,
    pub name: String,
    pub temp_user_id: String,
    pub temp_password: Zeroizing<String>,
    pub expires_on: String,
}

#[derive(Debug)]
pub struct IssueReport {
    pub out: PathBuf,
    pub notices: Vec<Notice>,
    /// Households named with --household that had a live credential, now revoked.
    pub revoked: usize,
}

/// Creates the notices file; refuses to touch an existing one.
fn create_notices_file(path: &Path) -> Result<std::fs::File, ServiceError> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            ServiceError::user(format!(
                "{} already exists; a notices file is never overwritten, choose a new name",
                path.display()
            ))
        } else {
            ServiceError::user(format!("cannot create {}: {e}", path.display()))
        }
    })
}

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

        // Which households, and their display names.
        let targets: Vec<(Household, String, bool)> = if only.is_empty() {
            // Only the households that may be owed one (an index of those few, not the society),
            // each checked again here and once more inside the write transaction.
            self.store.read(|c| {
                let mut list = Vec::new();
                for id in households::postcard_candidates(c, now)? {
                    if accounts::for_household(c, id)?.is_some()
                        || credentials::live_for(c, id)?.is_some_and(|l| l.usable(now))
                    {
                        continue;
                    }
                    if let Some(h) = households::get(c, id)? {
                        let name = households::members_of(c, id)?
                            .first()
                            .map(|m| m.name.clone())
                            .unwrap_or_default();
                        list.push((h, name, false));
                    }
                }
                // The notices file lists households in the order of `admin members`.
                list.sort_by(|a, b| {
                    let (a, b) = (&a.0.key, &b.0.key);
                    (&a.insurer, &a.symbol, &a.number).cmp(&(&b.insurer, &b.symbol, &b.number))
                });
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
                    Ok(Some((h, name, registered)))
                })?;
                match found {
                    None => {
                        return Err(ServiceError::user(format!("there is no household {key}")));
                    }
                    Some((h, _, true)) => {
                        return Err(ServiceError::user(format!(
                            "household {} is already registered; it needs no postcard",
                            h.key
                        )));
                    }
                    Some(t) => list.push(t),
                }
            }
            list
        };

        let file = create_notices_file(out)?;
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
            for (((h, name, _), password), hash) in targets.iter().zip(&passwords).zip(&hashes) {
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
                if only.is_empty()
                    && credentials::live_for(tx, h.id)?.is_some_and(|l| l.usable(now))
                {
                    continue;
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
            write_notices(&file, &notices)?;
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

fn write_notices(file: &std::fs::File, notices: &[Notice]) -> Result<(), ServiceError> {
    let mut w = csv::Writer::from_writer(std::io::BufWriter::new(file));
    let map = |e: csv::Error| ServiceError::Io(std::io::Error::other(e));
    w.write_record([
        "household",
        "name",
        "temp_user_id",
        "temp_password",
        "expires_on",
    ])
    .map_err(map)?;
    for n in notices {
        w.write_record([
            n.household.as_str(),
            &neutralize(&n.name),
            &n.temp_user_id,
            n.temp_password.as_str(),
            &n.expires_on,
        ])
        .map_err(map)?;
    }
    let mut inner = w
        .into_inner()
        .map_err(|e| ServiceError::Io(std::io::Error::other(e.to_string())))?;
    inner.flush()?;
    drop(inner);
    file.sync_all()?;
    Ok(())
}
