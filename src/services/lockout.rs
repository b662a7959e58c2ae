//! The one lockout of every login path: member login (kiosk and staff-assisted), the identity check,
//! パスワード変更's current password, パスワードを忘れた方, and staff login. The rule itself (how many failures,
//! how long, what a success forgives) is [`crate::domain::lockout`]; this module keeps the state in the
//! store and takes every decision inside a write transaction.
//!
//! An attempt that needs an argon2id verification is counted **before** the verification, in its own short
//! `BEGIN IMMEDIATE` transaction ([`Services::begin_attempt`]): an ID at the limit is refused without
//! being verified, so parallel guesses from several processes can never verify more than
//! `max_failures` wrong passwords. The result is then reported in the transaction that writes the
//! attempt's audit row: [`failed`] (the count stays, a `lock` audit row when this attempt locked the ID)
//! or [`succeeded`] (the count is given back, with every other failure of the same kind).

use blake2::{Blake2s256, Digest};
use rusqlite::Connection;
use time::OffsetDateTime;

use super::{ServiceError, Services};
use crate::domain::credential::normalize_temp_id;
use crate::domain::lockout::{Counted, Gate, LockState, Proof};
use crate::domain::text::normalize;
use crate::store::audit::{self, AuditEntry};
use crate::store::{Actor, accounts, credentials, locks};

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

/// The lock-table key of a staff ID: its own namespace, so that a staff ID never shares a counter with a
/// member's ID of the same spelling. Unknown IDs are hashed, as for members.
pub fn staff_lock_key(id: &str, known: bool) -> String {
    lock_key(&format!("staff:{}", id.trim()), known)
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

/// What [`Services::unlock`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnlockOutcome {
    /// There were failures or a lock, now cleared.
    Unlocked,
    /// A known ID (member's or staff's) with nothing to clear.
    NotLocked,
    /// No ID of that spelling is known, and no counter of it exists.
    Unknown,
}

impl UnlockOutcome {
    /// Something was cleared.
    pub fn cleared(self) -> bool {
        self == UnlockOutcome::Unlocked
    }
}

/// An attempt counted before it was verified (see the module notes).
#[derive(Debug, Clone)]
pub struct Attempt {
    pub key: String,
    pub household_id: Option<i64>,
    counted: Counted,
}

impl Attempt {
    /// Attempts left before the lock, should this one be wrong (0 when it locks the ID).
    pub fn remaining(&self, svc: &Services) -> u32 {
        self.counted.remaining(&svc.config.lockout.policy())
    }

    /// True when this attempt, being wrong, locks the ID.
    pub fn locks(&self, svc: &Services, now: OffsetDateTime) -> bool {
        self.counted.locked_it(&svc.config.lockout.policy(), now)
    }
}

/// In `tx`: `None` when the ID is locked (refuse without verifying); otherwise the attempt, already
/// counted as a failure.
pub(crate) fn begin(
    svc: &Services,
    tx: &Connection,
    key: &str,
    proof: Proof,
    household_id: Option<i64>,
    now: OffsetDateTime,
) -> Result<Option<Attempt>, ServiceError> {
    let policy = svc.config.lockout.policy();
    let state = locks::get(tx, key)?;
    match policy.attempt(state, proof, now) {
        Gate::Refused => Ok(None),
        Gate::Counted(counted) => {
            locks::put(tx, key, &counted.after, now)?;
            Ok(Some(Attempt {
                key: key.to_string(),
                household_id,
                counted,
            }))
        }
    }
}

/// In `tx`: the attempt was wrong. Its count stays; when it is the one that locked the ID a `lock` audit
/// row is written.
pub(crate) fn failed(
    svc: &Services,
    tx: &Connection,
    actor: &Actor,
    attempt: &Attempt,
    now: OffsetDateTime,
) -> Result<(), ServiceError> {
    if attempt.locks(svc, now) {
        audit::insert(
            tx,
            actor,
            &AuditEntry {
                event: "lock",
                outcome: "locked",
                household_id: attempt.household_id,
                subject: Some(&attempt.key),
                detail: attempt
                    .counted
                    .after
                    .locked_until
                    .map(|t| format!("until {}", crate::store::ts(t))),
            },
            now,
        )?;
    }
    Ok(())
}

/// In `tx`: the attempt was right. Its count is given back with every failure of the same kind, and a
/// lock it set itself is lifted; failures of other kinds stay.
pub(crate) fn succeeded(
    svc: &Services,
    tx: &Connection,
    attempt: &Attempt,
    now: OffsetDateTime,
) -> Result<(), ServiceError> {
    let policy = svc.config.lockout.policy();
    let current = locks::get(tx, &attempt.key)?;
    let next = policy.succeeded(current, &attempt.counted, now);
    if next != current {
        locks::put(tx, &attempt.key, &next, now)?;
    }
    Ok(())
}

/// In `tx`: forgives the failures of `proof` for `key` (after a success that proved it another way, e.g.
/// a new password set with a mailed code makes wrong guesses of the old one moot).
pub(crate) fn forgive(
    svc: &Services,
    tx: &Connection,
    key: &str,
    proof: Proof,
    now: OffsetDateTime,
) -> Result<(), ServiceError> {
    let policy = svc.config.lockout.policy();
    let current = locks::get(tx, key)?;
    let next = policy.record_success(current, proof, now);
    if next != current {
        locks::put(tx, key, &next, now)?;
    }
    Ok(())
}

/// In `tx`: whether the ID is locked now.
pub(crate) fn is_locked(
    svc: &Services,
    tx: &Connection,
    key: &str,
    now: OffsetDateTime,
) -> Result<bool, crate::store::StoreError> {
    Ok(svc
        .config
        .lockout
        .policy()
        .is_locked(&locks::get(tx, key)?, now))
}

impl Services {
    /// Counts an attempt before its (expensive) verification, in its own short write transaction.
    /// `None`: the ID is locked or at the limit; refuse without verifying (but spend the same time).
    pub(crate) fn begin_attempt(
        &self,
        key: &str,
        proof: Proof,
        household_id: Option<i64>,
        now: OffsetDateTime,
    ) -> Result<Option<Attempt>, ServiceError> {
        self.store
            .write(|tx| begin(self, tx, key, proof, household_id, now))
    }

    /// Clears the lock state of an ID (staff and `admin unlock`): a member's, a staff member's and the
    /// hashed counter of an unknown spelling. Audited, whatever the outcome.
    pub fn unlock(&self, actor: &Actor, id: &str) -> Result<UnlockOutcome, ServiceError> {
        let id = normalize(id).trim().to_string();
        let now = self.now();
        self.store.write(|tx| {
            let s = subject(tx, &id)?;
            let household_id = s.household_id;
            let plain = locks::clear(tx, &s.key)?;
            let hashed = locks::clear(tx, &lock_key(&id, false))?;
            let staff = locks::clear(tx, &staff_lock_key(&id, true))?;
            let known = s.known || crate::store::staff::find(tx, &id)?.is_some();
            let outcome = if plain || hashed || staff {
                UnlockOutcome::Unlocked
            } else if known {
                UnlockOutcome::NotLocked
            } else {
                UnlockOutcome::Unknown
            };
            audit::insert(
                tx,
                actor,
                &AuditEntry {
                    event: "unlock",
                    outcome: match outcome {
                        UnlockOutcome::Unlocked => "ok",
                        UnlockOutcome::NotLocked => "not_locked",
                        UnlockOutcome::Unknown => "unknown",
                    },
                    household_id,
                    subject: Some(&id),
                    detail: None,
                },
                now,
            )?;
            Ok::<_, ServiceError>(outcome)
        })
    }

    /// The lock state of an ID (staff only).
    pub fn lock_state(&self, id: &str) -> Result<LockState, ServiceError> {
        let id = normalize(id).trim().to_string();
        Ok(self.store.read(|c| locks::get(c, &subject(c, &id)?.key))?)
    }
}
