//! Login with a temporary (postcard) or permanent credential on one form; its failures count in
//! [`super::lockout`].
//!
//! Whatever the reason for a refusal (unknown ID, wrong password, locked, expired, already used) the
//! caller gets [`LoginOutcome::Failed`] after the same work: both kinds of credential are looked up, the
//! attempt is counted in one write transaction and exactly one argon2id verification is spent.

use time::OffsetDateTime;
use zeroize::Zeroizing;

use super::lockout::{self, lock_key};
use super::pace::Pace;
use super::{ServiceError, Services};
use crate::domain::credential::normalize_temp_password;
use crate::domain::lockout::Proof;
use crate::domain::password::PasswordPolicy;
use crate::domain::text::normalize;
use crate::store::accounts::{self, MustChange};
use crate::store::audit::{self, AuditEntry};
use crate::store::{Actor, credentials};

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
    /// When the password this session logged in with was set: the login proved it, so the forced change
    /// away from a staff-issued initial password need not ask for it again while it is still the one on
    /// file. None for a session not opened by a password (the end of a registration).
    pub login_password_set_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone)]
pub enum LoginOutcome {
    Temporary(RegistrationTicket),
    Permanent(AccountSession),
    /// One generic refusal for every reason.
    Failed,
}

impl Services {
    /// One login attempt from the login form. `id` and `password` are as typed.
    pub fn login(
        &self,
        actor: &Actor,
        id: &str,
        password: &str,
    ) -> Result<LoginOutcome, ServiceError> {
        let pace = Pace::start(self.config.lockout.refusal_floor_ms);
        let now = self.now();
        let id = normalize(id).trim().to_string();
        let password = Zeroizing::new(normalize(password));

        // Everything the decision needs, read under one lock of the connection.
        let (account, temp, key, household_has_account) = self.store.read(|c| {
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
            let household_has_account = match &temp {
                Some(t) => accounts::for_household(c, t.household_id)?.is_some(),
                None => false,
            };
            Ok((account, temp, key, household_has_account))
        })?;
        let household_id = account
            .as_ref()
            .map(|a| a.household_id)
            .or(temp.as_ref().map(|t| t.household_id));

        // Counted before it is verified, so that parallel guesses see each other; refused unverified
        // when the ID is locked or at the limit.
        let attempt = self.begin_attempt(&key, Proof::Password, household_id, now)?;
        let locked = attempt.is_none();

        // Exactly one argon2id computation, whatever happens next.
        let verified = match (&account, &temp) {
            _ if locked => self.hasher.verify_or_burn(&password, None),
            (Some(a), _) => self.hasher.verify(&password, &a.password_hash),
            (None, Some(t)) => self
                .hasher
                .verify(&normalize_temp_password(&password), &t.password_hash),
            (None, None) => self.hasher.verify_or_burn(&password, None),
        };

        let outcome = match (&account, &temp) {
            _ if locked || !verified => LoginOutcome::Failed,
            (Some(a), _) => LoginOutcome::Permanent(AccountSession {
                account_id: a.id,
                household_id: a.household_id,
                user_id: a.user_id.clone(),
                must_change: change_reason(&self.config.password, a, now),
                login_password_set_at: Some(a.password_set_at),
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
            if let Some(attempt) = &attempt {
                if ok {
                    lockout::succeeded(self, tx, attempt, now)?;
                } else {
                    lockout::failed(self, tx, actor, attempt, now)?;
                }
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
        if matches!(outcome, LoginOutcome::Failed) {
            pace.hold("login");
        }
        Ok(outcome)
    }
}

impl Services {
    /// `admin expire-password`: the member must change the password at the next login.
    pub fn expire_password(&self, actor: &Actor, user_id: &str) -> Result<(), ServiceError> {
        let user_id = normalize(user_id).trim().to_string();
        let now = self.now();
        self.store.write(|tx| {
            let account = accounts::find_by_user_id(tx, &user_id)?.ok_or_else(|| {
                ServiceError::user(format!(
                    "there is no account with user ID {}",
                    crate::domain::text::clipped(&user_id)
                ))
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
