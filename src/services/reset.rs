//! パスワードを忘れた方: a one-time code mailed to the registered address, then the code and a new
//! password. The answer is the same whatever the reason (unknown ID, wrong address, no address,
//! locked, too many requests) and spends the same work: one argon2id computation per request and per
//! code entry, a store read and a write with an audit row.

use rand::TryRngCore;
use time::Duration;
use zeroize::Zeroizing;

use super::account::violation;
use super::lockout::{self, subject};
use super::mail::{self, PasswordHow};
use super::pace::Pace;
use super::{RuleViolation, ServiceError, Services};
use crate::domain::credential::{generate_one_time_code, normalize_one_time_code};
use crate::domain::lockout::Proof;
use crate::domain::password::PasswordError;
use crate::domain::text::normalize;
use crate::domain::{Lang, Msg};
use crate::store::audit::{self, AuditEntry};
use crate::store::outbox::{self, NewMail};
use crate::store::{Actor, accounts, reset_codes};

/// パスワードを忘れた方: the code entry, as typed.
#[derive(Debug, Clone)]
pub struct ResetInput {
    pub user_id: String,
    pub code: String,
    pub new: Zeroizing<String>,
    pub confirm: Zeroizing<String>,
    pub lang: Lang,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetDone {
    pub user_id: String,
    /// The password-changed notice's outbox row.
    pub mail_id: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum ResetError {
    /// The input breaks a rule that says nothing about the account (code format, password policy).
    #[error("a rule is broken: {0:?}")]
    Invalid(Vec<RuleViolation>),
    /// One answer for every reason: unknown ID, no code, wrong, expired, used, too many attempts, locked.
    #[error("the code was not accepted")]
    Refused,
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<crate::store::StoreError> for ResetError {
    fn from(e: crate::store::StoreError) -> Self {
        ResetError::Service(e.into())
    }
}

/// The rule message for a code that is not 8 digits.
pub fn code_format_violation() -> RuleViolation {
    RuleViolation {
        field: "code",
        msg: Msg::new("forgot_code.code_format"),
    }
}

impl Services {
    /// パスワードを忘れた方, first half: when the user ID and the registered address match (and the ID is
    /// not locked, and fewer than `max_codes_per_hour` codes went out in the last hour), a new one-time
    /// code is stored hashed and mailed. The caller learns nothing either way. A mismatch counts toward
    /// the lockout of the typed ID, as a wrong password would.
    pub fn request_reset(
        &self,
        actor: &Actor,
        user_id: &str,
        email: &str,
        lang: Lang,
    ) -> Result<(), ServiceError> {
        // Every outcome is answered alike, a code sent included.
        let pace = Pace::start(self.config.lockout.refusal_floor_ms);
        let id = normalize(user_id).trim().to_string();
        let email = normalize(email).trim().to_string();
        let now = self.now();
        let cfg = &self.config.reset;
        let (account, known, key, locked, recent) = self.store.read(|c| {
            let account = accounts::find_by_user_id(c, &id)?;
            let subject = subject(c, &id)?;
            let locked = lockout::is_locked(self, c, &subject.key, now)?;
            let recent = match &account {
                Some(a) => reset_codes::issued_since(c, a.id, now - Duration::hours(1))?,
                None => 0,
            };
            Ok((account, subject.known, subject.key, locked, recent))
        })?;
        let matched = account.as_ref().is_some_and(|a| {
            a.email
                .as_deref()
                .is_some_and(|e| !email.is_empty() && e.eq_ignore_ascii_case(&email))
        });
        let outcome = match &account {
            _ if locked => "locked",
            None => "unknown",
            Some(a) if a.email.is_none() => "no_email",
            Some(_) if !matched => "mismatch",
            Some(_) if recent >= cfg.max_codes_per_hour.max(1) => "throttled",
            Some(_) => "sent",
        };
        // Exactly one argon2id computation, whatever the outcome.
        let code = Zeroizing::new(generate_one_time_code(&mut rand::rngs::OsRng.unwrap_err()));
        let code_hash = if outcome == "sent" {
            Some(self.hasher.hash(&code)?)
        } else {
            self.hasher.verify_or_burn(&code, None);
            None
        };
        let minutes = cfg.code_valid_minutes.max(1);
        let expires_at = now + Duration::minutes(i64::from(minutes));
        let from = self.config.mail.from.clone();
        let contact = self.config.kiosk.contact.clone();
        self.store.write(|tx| {
            let household_id = account.as_ref().map(|a| a.household_id);
            // Looked at again inside the transaction that acts on it: another kiosk may have locked the
            // ID since the read above.
            let outcome = if outcome != "locked" && lockout::is_locked(self, tx, &key, now)? {
                "locked"
            } else {
                outcome
            };
            match (&account, &code_hash) {
                (Some(a), Some(hash)) if outcome == "sent" => {
                    let code_id = reset_codes::insert(tx, a.id, hash, now, expires_at)?;
                    let to = a.email.as_deref().unwrap_or_default();
                    let m =
                        mail::reset_code(lang, &a.user_id, &code, expires_at, minutes, &contact);
                    outbox::enqueue(
                        tx,
                        &NewMail {
                            kind: "reset_code",
                            to,
                            subject: &m.subject,
                            body: &m.body,
                            lang: lang.code(),
                            message_id: &mail::new_message_id(&from),
                            dedupe_key: &format!("reset_code:{code_id}"),
                            household_id,
                        },
                        now,
                    )?;
                }
                _ if matches!(outcome, "unknown" | "no_email" | "mismatch") => {
                    if let Some(attempt) =
                        lockout::begin(self, tx, &key, Proof::Reset, household_id, now)?
                    {
                        lockout::failed(self, tx, actor, &attempt, now)?;
                    }
                }
                _ => {}
            }
            audit::insert(
                tx,
                actor,
                &AuditEntry {
                    event: "password_reset_request",
                    outcome,
                    household_id,
                    subject: known.then_some(id.as_str()),
                    detail: None,
                },
                now,
            )?;
            Ok::<_, ServiceError>(())
        })?;
        pace.hold("reset_request");
        Ok(())
    }

    /// パスワードを忘れた方, second half: the code and a new password. Every refusal is the same
    /// [`ResetError::Refused`] after the same work (one argon2id computation); a wrong code counts against
    /// the code (it stops working after `max_code_attempts`) and toward the ID's lockout. On success, in
    /// one transaction: the code is used up, the password set (any must-change flag cleared), the lock
    /// cleared, an audit row written and a notice queued.
    pub fn reset_password(
        &self,
        actor: &Actor,
        input: &ResetInput,
    ) -> Result<ResetDone, ResetError> {
        let pace = Pace::start(self.config.lockout.refusal_floor_ms);
        let id = normalize(&input.user_id).trim().to_string();
        let new = Zeroizing::new(normalize(&input.new));
        let confirm = Zeroizing::new(normalize(&input.confirm));
        let mut violations = Vec::new();
        let code = normalize_one_time_code(&input.code);
        if code.is_none() {
            violations.push(code_format_violation());
        }
        violations.extend(self.validate_new_password(&id, None, &new, &confirm));
        let Some(code) = code.filter(|_| violations.is_empty()) else {
            return Err(ResetError::Invalid(violations));
        };
        let code = Zeroizing::new(code);
        let now = self.now();
        let max_attempts = self.config.reset.max_code_attempts.max(1);
        let (account, subject, row) = self.store.read(|c| {
            let account = accounts::find_by_user_id(c, &id)?;
            let subject = subject(c, &id)?;
            let row = match &account {
                Some(a) => reset_codes::latest_unused(c, a.id)?,
                None => None,
            };
            Ok((account, subject, row))
        })?;
        let (known, key) = (subject.known, subject.key);
        let household_id = account.as_ref().map(|a| a.household_id);
        // Counted before the code is verified (see `lockout`); refused unverified when locked.
        let attempt = self.begin_attempt(&key, Proof::Reset, household_id, now)?;
        let locked = attempt.is_none();
        let candidate = row
            .as_ref()
            .filter(|r| !locked && r.usable(now, max_attempts));
        // Exactly one argon2id computation for every refusal.
        let ok = self
            .hasher
            .verify_or_burn(&code, candidate.map(|r| r.code_hash.as_str()));
        let (Some(a), Some(r), true, Some(attempt)) = (&account, candidate, ok, &attempt) else {
            let reason = match (&account, &row) {
                _ if locked => "locked",
                (None, _) => "unknown",
                (Some(_), None) => "no_code",
                (Some(_), Some(r)) if r.used_at.is_some() => "used",
                (Some(_), Some(r)) if now >= r.expires_at => "expired",
                (Some(_), Some(r)) if r.attempts >= max_attempts => "attempts",
                _ => "wrong_code",
            };
            self.store.write(|tx| {
                if let Some(r) = candidate {
                    reset_codes::add_attempt(tx, r.id)?;
                }
                if let Some(attempt) = &attempt {
                    lockout::failed(self, tx, actor, attempt, now)?;
                }
                audit::insert(
                    tx,
                    actor,
                    &AuditEntry {
                        event: "password_reset",
                        outcome: "failed",
                        household_id,
                        subject: known.then_some(id.as_str()),
                        detail: Some(reason.into()),
                    },
                    now,
                )?;
                Ok::<_, ServiceError>(())
            })?;
            pace.hold("reset_code");
            return Err(ResetError::Refused);
        };
        // The code is right: the person holds the mailbox. Now the remaining rule, then the new hash.
        if self.hasher.verify(&new, &a.password_hash) {
            // The code was right: its count is given back (the code itself stays usable).
            self.store
                .write(|tx| lockout::succeeded(self, tx, attempt, now))?;
            return Err(ResetError::Invalid(vec![violation(
                "new",
                PasswordError::SameAsCurrent,
            )]));
        }
        let hash = self.hasher.hash(&new)?;
        let from = self.config.mail.from.clone();
        let contact = self.config.kiosk.contact.clone();
        let code_id = r.id;
        self.store.write(|tx| {
            // Single use, even against a second kiosk racing with the same code.
            if !reset_codes::mark_used(tx, code_id, now)? {
                return Err(ResetError::Refused);
            }
            reset_codes::retire_all(tx, a.id, now)?;
            accounts::set_password(tx, a.id, &hash, None, now)?;
            lockout::succeeded(self, tx, attempt, now)?;
            // Wrong guesses of the old password are moot now that it is replaced.
            lockout::forgive(self, tx, &key, Proof::Password, now)?;
            let audit_id = audit::insert(
                tx,
                actor,
                &AuditEntry {
                    event: "password_reset",
                    outcome: "ok",
                    household_id: Some(a.household_id),
                    subject: Some(&a.user_id),
                    detail: None,
                },
                now,
            )?;
            let mail_id = self.queue_password_notice(
                tx,
                a,
                PasswordHow::Reset,
                input.lang,
                audit_id,
                now,
                &from,
                &contact,
            )?;
            Ok(ResetDone {
                user_id: a.user_id.clone(),
                mail_id,
            })
        })
    }
}
