//! Issuing temporary (postcard) credentials. The plaintext password exists only in the notices file
//! (mode 0600, never overwritten); the store keeps an argon2id hash.

use std::io::Write;
use std::path::{Path, PathBuf};

use rand::TryRngCore;
use rand::rngs::OsRng;
use time::Duration;
use zeroize::Zeroizing;

use super::{ServiceError, Services};
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
    crate::files::create_private(path).map_err(|e| {
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
        let expires_on = crate::dates::jst_iso_date(expires_at);

        // Which households, and their display names.
        let targets: Vec<(Household, String, bool)> = if only.is_empty() {
            self.store.read(|c| {
                let mut list = Vec::new();
                for s in households::summaries(c)? {
                    let live = credentials::live_for(c, s.id)?;
                    if s.status == "pending" && live.is_none_or(|l| !l.usable(now)) {
                        if let Some(h) = households::get(c, s.id)? {
                            list.push((h, s.name.clone(), false));
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

// ----- reissue at the staff console ---------------------------------------------------------------

/// A reissued postcard credential: shown once on the staff screen and appended to the notices file.
#[derive(Clone)]
pub struct Reissued {
    pub household_id: i64,
    pub household: HouseholdKey,
    pub name: String,
    pub temp_id: String,
    pub temp_password: Zeroizing<String>,
    pub expires_on: String,
    pub notices: PathBuf,
    /// A live credential was revoked.
    pub revoked: bool,
}

impl std::fmt::Debug for Reissued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reissued")
            .field("household", &self.household.masked())
            .field("temp_id", &self.temp_id)
            .field("temp_password", &"***")
            .field("expires_on", &self.expires_on)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReissueError {
    #[error("there is no such household")]
    NotFound,
    #[error("the household is already registered; it needs no postcard")]
    Registered,
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<crate::store::StoreError> for ReissueError {
    fn from(e: crate::store::StoreError) -> Self {
        ReissueError::Service(e.into())
    }
}

/// Creates (or opens) the append-only notices file, mode 0600.
fn open_notices_for_append(path: &Path) -> Result<std::fs::File, ServiceError> {
    crate::files::private_parent(path).map_err(|e| {
        let parent = path.parent().unwrap_or(path);
        ServiceError::user(format!("cannot create {}: {e}", parent.display()))
    })?;
    crate::files::private_options()
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| ServiceError::user(format!("cannot open {}: {e}", path.display())))
}

/// Appends one notice (with the header when the file is new) in one write, then syncs it to disk.
fn append_notice(file: &mut std::fs::File, r: &Reissued) -> Result<(), ServiceError> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let map = |e: csv::Error| ServiceError::Io(std::io::Error::other(e));
    if file.metadata()?.len() == 0 {
        w.write_record([
            "household",
            "name",
            "temp_user_id",
            "temp_password",
            "expires_on",
        ])
        .map_err(map)?;
    }
    let household = r.household.to_string();
    w.write_record([
        household.as_str(),
        &neutralize(&r.name),
        &r.temp_id,
        r.temp_password.as_str(),
        &r.expires_on,
    ])
    .map_err(map)?;
    let bytes = Zeroizing::new(
        w.into_inner()
            .map_err(|e| ServiceError::Io(std::io::Error::other(e.to_string())))?,
    );
    file.write_all(&bytes)?;
    file.sync_all()?;
    Ok(())
}

impl Services {
    /// 仮ID・パスワード再発行: revokes the household's live credential and issues a new one, in one
    /// transaction with its audit row; the new credential is appended to the notices file (mode 0600) and
    /// synced before the transaction commits. Refused for a registered household.
    pub fn reissue_credential(
        &self,
        actor: &Actor,
        household_id: i64,
        notices: &Path,
    ) -> Result<Reissued, ReissueError> {
        let now = self.now();
        let expires_at =
            now + Duration::days(i64::from(self.config.credentials.temp_valid_days.max(1)));
        let expires_on = crate::dates::jst_iso_date(expires_at);
        let view = self
            .household_view(household_id)?
            .ok_or(ReissueError::NotFound)?;
        if view.account.is_some() {
            return Err(ReissueError::Registered);
        }
        let mut rng = OsRng.unwrap_err();
        let password = Zeroizing::new(generate_temp_password(&mut rng));
        let hash = self.hasher.hash(&password)?;
        let mut file = open_notices_for_append(notices)?;
        let issued_by = actor
            .staff_id
            .clone()
            .unwrap_or_else(|| actor.channel.as_str().to_string());
        self.store.write(|tx| {
            if accounts::for_household(tx, household_id)?.is_some() {
                return Err(ReissueError::Registered);
            }
            credentials::expire_due(tx, now)?;
            let revoked = credentials::revoke_live(tx, household_id, now)?;
            let temp_id = loop {
                let candidate = generate_temp_id(&mut rng);
                if !accounts::user_id_taken(tx, &candidate)? {
                    break candidate;
                }
            };
            credentials::insert(
                tx,
                household_id,
                &temp_id,
                &hash,
                now,
                expires_at,
                &issued_by,
            )?;
            audit::insert(
                tx,
                actor,
                &AuditEntry {
                    event: "reissue_credential",
                    outcome: "ok",
                    household_id: Some(household_id),
                    subject: Some(&temp_id),
                    detail: Some(format!(
                        "household {} expires {expires_on}{}",
                        view.key.masked(),
                        if revoked { " previous revoked" } else { "" }
                    )),
                },
                now,
            )?;
            let r = Reissued {
                household_id,
                household: view.key.clone(),
                name: view.name().to_string(),
                temp_id,
                temp_password: password.clone(),
                expires_on: expires_on.clone(),
                notices: notices.to_path_buf(),
                revoked,
            };
            // Last inside the transaction: the line is on disk before the credential exists.
            append_notice(&mut file, &r)?;
            Ok(r)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::auth::LoginOutcome;
    use crate::services::testing::{fixture, household_id, key, staff_actor};
    use crate::store::audit::AuditFilter;
    use crate::store::credentials::CredentialState;

    #[test]
    fn reissue_revokes_issues_appends_and_audits() {
        let fx = fixture();
        let admin = Actor::admin();
        let staff = staff_actor("alice");
        let k = "06139497-12-3401";
        let first = fx
            .svc
            .issue_credentials(&admin, &fx.dir.path().join("n1.csv"), &[key(k)])
            .unwrap();
        let old = &first.notices[0];
        let notices = fx.dir.path().join("sub/staff-notices.csv");
        let hid = household_id(&fx, k);

        let r = fx.svc.reissue_credential(&staff, hid, &notices).unwrap();
        assert!(r.revoked);
        assert_ne!(r.temp_id, old.temp_user_id);
        assert_eq!(r.expires_on, "2026-05-31");
        assert_eq!(r.name, "山田 太郎");
        // The old postcard no longer works; the new one does.
        assert!(matches!(
            fx.svc
                .login(&Actor::kiosk(), &old.temp_user_id, &old.temp_password)
                .unwrap(),
            LoginOutcome::Failed
        ));
        match fx
            .svc
            .login(&Actor::kiosk(), &r.temp_id, &r.temp_password)
            .unwrap()
        {
            LoginOutcome::Temporary(t) => assert_eq!(t.household_id, hid),
            other => panic!("{other:?}"),
        }
        let view = fx.svc.household_view(hid).unwrap().unwrap();
        let cred = view.credential.unwrap();
        assert_eq!(cred.temp_id, r.temp_id);
        assert_eq!(cred.state, CredentialState::Live);
        let issued_by: String = fx
            .svc
            .store
            .read(|c| {
                Ok(c.query_row(
                    "SELECT issued_by FROM temp_credentials WHERE temp_id = ?1",
                    [&r.temp_id],
                    |row| row.get(0),
                )?)
            })
            .unwrap();
        assert_eq!(issued_by, "alice");

        // A second reissue appends; the header is written once.
        let r2 = fx.svc.reissue_credential(&staff, hid, &notices).unwrap();
        let text = std::fs::read_to_string(&notices).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert_eq!(
            lines[0],
            "household,name,temp_user_id,temp_password,expires_on"
        );
        assert_eq!(
            lines[1],
            format!(
                "06139497-12-3401,山田 太郎,{},{},2026-05-31",
                r.temp_id, *r.temp_password
            )
        );
        assert!(lines[2].contains(&r2.temp_id));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&notices).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let audit_rows = fx
            .svc
            .store
            .read(|c| {
                audit::recent(
                    c,
                    &AuditFilter {
                        event: Some("reissue_credential".into()),
                        ..Default::default()
                    },
                    10,
                )
            })
            .unwrap();
        assert_eq!(audit_rows.len(), 2);
        let row = &audit_rows[1];
        assert_eq!(row.channel, "staff");
        assert_eq!(row.staff_id.as_deref(), Some("alice"));
        assert_eq!(row.client_addr.as_deref(), Some("192.0.2.7"));
        assert_eq!(row.household_id, Some(hid));
        let detail = row.detail.as_deref().unwrap();
        assert!(
            !detail.contains("06139497") && !detail.contains("3401"),
            "{detail}"
        );
        assert!(!detail.contains(r.temp_password.as_str()));

        // A household without any credential gets its first one; no revocation.
        let other = household_id(&fx, "01130012-7-88");
        let r3 = fx.svc.reissue_credential(&staff, other, &notices).unwrap();
        assert!(!r3.revoked);
        // Unknown and registered households are refused, and nothing is appended.
        assert!(matches!(
            fx.svc.reissue_credential(&staff, 9999, &notices),
            Err(ReissueError::NotFound)
        ));
        fx.svc
            .store
            .write(|tx| {
                tx.execute(
                    "INSERT INTO accounts (household_id, user_id, password_hash, password_set_at, notify_mail,
                         registrant, registered_at, channel) VALUES (?1, 'yamada1955', 'x', '2026-04-01T01:00:00Z', 0, 'insured',
                         '2026-04-01T01:00:00Z', 'kiosk')",
                    [hid],
                )?;
                Ok::<_, crate::store::StoreError>(())
            })
            .unwrap();
        let before = std::fs::read_to_string(&notices).unwrap();
        assert!(matches!(
            fx.svc.reissue_credential(&staff, hid, &notices),
            Err(ReissueError::Registered)
        ));
        assert_eq!(std::fs::read_to_string(&notices).unwrap(), before);
    }
}
