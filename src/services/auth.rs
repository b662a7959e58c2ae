//! Login with a temporary (postcard) or permanent credential on one form, and the shared lockout.
//!
//! Whatever the reason for a refusal (unknown ID, wrong password, locked, expired, already used) the
//! caller gets [`LoginOutcome::Failed`] after the same work: the lock state and both kinds of credential
//! are looked up and exactly one argon2id verification is spent.

use blake2::{Blake2s256, Digest};
use rusqlite::Connection;
use time::OffsetDateTime;
use zeroize::Zeroizing;

use super::{ServiceError, Services};
use crate::domain::credential::{normalize_temp_id, normalize_temp_password};
use crate::domain::lockout::LockState;
use crate::domain::password::PasswordPolicy;
use crate::domain::text::normalize;
use crate::store::accounts::{self, MustChange};
use crate::store::audit::{self, AuditEntry};
use crate::store::{Actor, credentials, locks};

/// A temporary login that may go on to register the household.
#[derive(Debug, Clone)]
pub struct RegistrationTicket {
    pub credential_id: i64,
    pub household_id: i64,
    pub temp_id: String,
    /// The temporary password as typed (normalised); the new password must differ from it.
    pub temp_password: Zeroizing<String>,
    /// Set by a successful identity check (STEP3); registration requires the latest one.
    pub identity_token: Option<Zeroizing<String>>,
}

/// Why the password must be changed before the menu opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeReason {
    /// Older than the policy's maximum age.
    Age,
    /// An administrator expired it.
    Expired,
    /// A staff-generated initial password.
    Initial,
}

/// Why the account's password must be changed before anything else, if it must: a flag set by an
/// administrator or staff wins; otherwise the policy's maximum age (none when `max_age_days` is 0).
pub fn change_reason(
    policy: &PasswordPolicy,
    account: &accounts::Account,
    now: OffsetDateTime,
) -> Option<ChangeReason> {
    match account.must_change {
        Some(MustChange::Expired) => Some(ChangeReason::Expired),
        Some(MustChange::Initial) => Some(ChangeReason::Initial),
        None if policy.is_expired(account.password_set_at, now) => Some(ChangeReason::Age),
        None => None,
    }
}

/// A permanent login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSession {
    pub account_id: i64,
    pub household_id: i64,
    pub user_id: String,
    pub must_change: Option<ChangeReason>,
}

#[derive(Debug, Clone)]
pub enum LoginOutcome {
    Temporary(RegistrationTicket),
    Permanent(AccountSession),
    /// One generic refusal for every reason.
    Failed,
}

/// The key under which failures of one ID are counted. A known ID is kept in its stored form
/// (lower-case) so staff can see and unlock it; pass the ID as stored (`Account::user_id`,
/// `TempCredential::temp_id`), not as typed. An unknown ID is reduced to 32 bits of a hash of its
/// compact form: enough to throttle guessing, while a password typed into the ID field by mistake is
/// neither stored nor recoverable from the key (billions of strings share each one).
pub fn lock_key(id: &str, known: bool) -> String {
    if known {
        locks::subject_key(id)
    } else {
        let compact = normalize_temp_id(id).to_lowercase();
        let digest = Blake2s256::digest(compact.as_bytes());
        format!("?{}", hex::encode(&digest[..4]))
    }
}

/// An ID as typed, resolved against the store: its lock key, whether it names an account or a
/// temporary credential, and the household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub key: String,
    pub known: bool,
    /// The ID as stored (the typed text when unknown).
    pub canonical: String,
    pub household_id: Option<i64>,
}

/// Resolves a typed ID (an account's user ID, any case; a temporary ID, any case, spaces or hyphens
/// ignored).
pub fn subject(conn: &Connection, typed: &str) -> Result<Subject, crate::store::StoreError> {
    if let Some(a) = accounts::find_by_user_id(conn, typed)? {
        return Ok(Subject {
            key: lock_key(&a.user_id, true),
            known: true,
            canonical: a.user_id,
            household_id: Some(a.household_id),
        });
    }
    if let Some(t) = credentials::find_by_temp_id(conn, typed)? {
        return Ok(Subject {
            key: lock_key(&t.temp_id, true),
            known: true,
            canonical: t.temp_id,
            household_id: Some(t.household_id),
        });
    }
    Ok(Subject {
        key: lock_key(typed, false),
        known: false,
        canonical: typed.trim().to_string(),
        household_id: None,
    })
}

/// Whether an ID names a temporary credential or an account (either case).
pub fn id_is_known(conn: &Connection, id: &str) -> Result<bool, ServiceError> {
    Ok(subject(conn, id)?.known)
}

/// The lock key of an ID as [`Services::login`] would count it.
pub fn lock_key_for(conn: &Connection, id: &str) -> Result<String, ServiceError> {
    Ok(subject(conn, id)?.key)
}

/// Counts one failure for `key` in the same transaction as its audit row; writes a `lock` audit row when
/// this failure locks the ID. Returns the new state.
pub(crate) fn record_failure(
    svc: &Services,
    conn: &Connection,
    actor: &Actor,
    key: &str,
    household_id: Option<i64>,
    now: OffsetDateTime,
) -> Result<LockState, ServiceError> {
    let policy = svc.config.lockout.policy();
    let before = locks::get(conn, key)?;
    let after = policy.record_failure(before, now);
    locks::put(conn, key, &after, now)?;
    if !policy.is_locked(&before, now) && policy.is_locked(&after, now) {
        audit::insert(
            conn,
            actor,
            &AuditEntry {
                event: "lock",
                outcome: "locked",
                household_id,
                subject: Some(key),
                detail: after
                    .locked_until
                    .map(|t| format!("until {}", crate::store::ts(t))),
            },
            now,
        )?;
    }
    Ok(after)
}

pub(crate) fn record_success(
    conn: &Connection,
    key: &str,
    now: OffsetDateTime,
) -> Result<(), ServiceError> {
    let before = locks::get(conn, key)?;
    if before != LockState::default() {
        locks::put(conn, key, &LockState::default(), now)?;
    }
    Ok(())
}

impl Services {
    /// One login attempt from the login form. `id` and `password` are as typed.
    pub fn login(
        &self,
        actor: &Actor,
        id: &str,
        password: &str,
    ) -> Result<LoginOutcome, ServiceError> {
        let now = self.now();
        let id = normalize(id).trim().to_string();
        let password = Zeroizing::new(normalize(password));
        let policy = self.config.lockout.policy();

        // Everything the decision needs, read under one lock of the connection.
        let (account, temp, key, lock, household_has_account) = self.store.read(|c| {
            let account = accounts::find_by_user_id(c, &id)?;
            let temp = if account.is_none() {
                credentials::find_by_temp_id(c, &id)?
            } else {
                None
            };
            let key = match (&account, &temp) {
                (Some(a), _) => lock_key(&a.user_id, true),
                (None, Some(t)) => lock_key(&t.temp_id, true),
                (None, None) => lock_key(&id, false),
            };
            let lock = locks::get(c, &key)?;
            let household_has_account = match &temp {
                Some(t) => accounts::for_household(c, t.household_id)?.is_some(),
                None => false,
            };
            Ok((account, temp, key, lock, household_has_account))
        })?;

        // Exactly one argon2id computation, whatever happens next.
        let verified = match (&account, &temp) {
            (Some(a), _) => self.hasher.verify(&password, &a.password_hash),
            (None, Some(t)) => self
                .hasher
                .verify(&normalize_temp_password(&password), &t.password_hash),
            (None, None) => self.hasher.verify_or_burn(&password, None),
        };
        let locked = policy.is_locked(&lock, now);

        let outcome = match (&account, &temp) {
            _ if locked || !verified => LoginOutcome::Failed,
            (Some(a), _) => LoginOutcome::Permanent(AccountSession {
                account_id: a.id,
                household_id: a.household_id,
                user_id: a.user_id.clone(),
                must_change: change_reason(&self.config.password, a, now),
            }),
            (None, Some(t)) if t.usable(now) && !household_has_account => {
                LoginOutcome::Temporary(RegistrationTicket {
                    credential_id: t.id,
                    household_id: t.household_id,
                    temp_id: t.temp_id.clone(),
                    temp_password: Zeroizing::new(normalize_temp_password(&password)),
                    identity_token: None,
                })
            }
            _ => LoginOutcome::Failed,
        };

        let household_id = account
            .as_ref()
            .map(|a| a.household_id)
            .or(temp.as_ref().map(|t| t.household_id));
        let kind = match (&account, &temp) {
            (Some(_), _) => "permanent",
            (None, Some(_)) => "temporary",
            (None, None) => "unknown",
        };
        let reason = if locked {
            "locked"
        } else if !verified {
            "bad_password"
        } else if matches!(outcome, LoginOutcome::Failed) {
            "credential_not_usable"
        } else {
            "ok"
        };
        self.store.write(|tx| {
            let ok = !matches!(outcome, LoginOutcome::Failed);
            if ok {
                record_success(tx, &key, now)?;
            } else if !locked {
                record_failure(self, tx, actor, &key, household_id, now)?;
            }
            audit::insert(
                tx,
                actor,
                &AuditEntry {
                    event: "login",
                    outcome: if ok { "ok" } else { "failed" },
                    household_id,
                    subject: account
                        .as_ref()
                        .map(|a| a.user_id.as_str())
                        .or(temp.as_ref().map(|t| t.temp_id.as_str())),
                    detail: Some(format!("{kind} {reason}")),
                },
                now,
            )?;
            Ok::<_, ServiceError>(())
        })?;
        Ok(outcome)
    }

    /// Clears the lock state of an ID (staff and `admin unlock`). Returns whether there was any.
    pub fn unlock(&self, actor: &Actor, id: &str) -> Result<bool, ServiceError> {
        let id = normalize(id).trim().to_string();
        let now = self.now();
        self.store.write(|tx| {
            let s = subject(tx, &id)?;
            let household_id = s.household_id;
            let plain = locks::clear(tx, &s.key)?;
            let hashed = locks::clear(tx, &lock_key(&id, false))?;
            let staff = locks::clear(tx, &super::staff::staff_lock_key(&id, true))?;
            let any = plain || hashed || staff;
            audit::insert(
                tx,
                actor,
                &AuditEntry {
                    event: "unlock",
                    outcome: if any { "ok" } else { "not_locked" },
                    household_id,
                    subject: Some(&id),
                    detail: None,
                },
                now,
            )?;
            Ok::<_, ServiceError>(any)
        })
    }

    /// The lock state of an ID (staff only).
    pub fn lock_state(&self, id: &str) -> Result<LockState, ServiceError> {
        let id = normalize(id).trim().to_string();
        Ok(self.store.read(|c| locks::get(c, &subject(c, &id)?.key))?)
    }
}

impl Services {
    /// `admin expire-password`: the member must change the password at the next login.
    pub fn expire_password(&self, actor: &Actor, user_id: &str) -> Result<(), ServiceError> {
        let user_id = normalize(user_id).trim().to_string();
        let now = self.now();
        self.store.write(|tx| {
            let account = accounts::find_by_user_id(tx, &user_id)?.ok_or_else(|| {
                ServiceError::user(format!("there is no account with user ID {user_id}"))
            })?;
            accounts::set_must_change(tx, account.id, Some(MustChange::Expired))?;
            audit::insert(
                tx,
                actor,
                &AuditEntry {
                    event: "expire_password",
                    outcome: "ok",
                    household_id: Some(account.household_id),
                    subject: Some(&account.user_id),
                    detail: None,
                },
                now,
            )?;
            Ok(())
        })
    }
}
