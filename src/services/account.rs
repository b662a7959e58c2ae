//! The member's account area: the registered data (個人情報管理), changing the email address and the
//! 医療費通知 mail setting, changing the password (from the menu or forced at login), and the forgotten
//! password (a one-time code mailed to the registered address).
//!
//! As everywhere: hashing happens before the write transaction; each change, its audit row and its mail
//! are one transaction. The forgotten-password path answers the same whatever the reason (unknown ID,
//! wrong address, no address, locked, too many requests) and spends the same work: one argon2id
//! computation per request and per code entry, a store read and a write with an audit row.

use rand::TryRngCore;
use time::{Duration, OffsetDateTime};
use zeroize::Zeroizing;

use super::auth::{AccountSession, ChangeReason, change_reason};
use super::lockout::{self, lock_key, subject};
use super::mail::{self, PasswordHow};
use super::{RuleViolation, ServiceError, Services};
use crate::domain::credential::{generate_one_time_code, normalize_one_time_code};
use crate::domain::email::{mask_email, validate_email};
use crate::domain::household::Relationship;
use crate::domain::lockout::Proof;
use crate::domain::password::{PasswordContext, PasswordError, check_confirm};
use crate::domain::text::normalize;
use crate::domain::{Lang, Msg};
use crate::store::accounts::{self, Account};
use crate::store::audit::{self, AuditEntry};
use crate::store::outbox::{self, NewMail};
use crate::store::{Actor, households, reset_codes};

/// What 個人情報管理 shows. Household numbers are masked; no password, no birth date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountProfile {
    pub user_id: String,
    /// `****97-12-**34`
    pub household_masked: String,
    pub registrant: Relationship,
    /// The name of the member whose birth date matched at registration, when known.
    pub member_name: Option<String>,
    pub registered_at: OffsetDateTime,
    pub password_set_at: OffsetDateTime,
    /// When the password must be changed next (none when the policy has no maximum age).
    pub password_expires_at: Option<OffsetDateTime>,
    pub email: Option<String>,
    pub notify_mail: bool,
}

/// The new contact settings, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactInput {
    pub email: String,
    pub notify_mail: bool,
    /// The language of the mails.
    pub lang: Lang,
}

/// What a contact change did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactChange {
    pub old_email: Option<String>,
    pub new_email: Option<String>,
    pub old_notify: bool,
    pub notify_mail: bool,
    /// The confirmation to the address now on file.
    pub mail_to_new: Option<i64>,
    /// The notice to the previous address.
    pub mail_to_old: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum ContactError {
    #[error("a rule is broken: {0:?}")]
    Invalid(Vec<RuleViolation>),
    /// The input equals what is stored.
    #[error("nothing to change")]
    Unchanged,
    /// The password must be changed first.
    #[error("the password must be changed first")]
    MustChangePassword,
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<crate::store::StoreError> for ContactError {
    fn from(e: crate::store::StoreError) -> Self {
        ContactError::Service(e.into())
    }
}

/// パスワード変更: as typed.
#[derive(Debug, Clone)]
pub struct PasswordChangeInput {
    pub current: Zeroizing<String>,
    pub new: Zeroizing<String>,
    pub confirm: Zeroizing<String>,
    pub lang: Lang,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordChanged {
    /// Where the notice went, when an address is on file.
    pub mail_to: Option<String>,
    pub mail_id: Option<i64>,
    /// When the new password must be changed again (none without a maximum age).
    pub expires_at: Option<OffsetDateTime>,
}

#[derive(Debug, thiserror::Error)]
pub enum PasswordChangeError {
    #[error("a rule is broken: {0:?}")]
    Invalid(Vec<RuleViolation>),
    /// The current password is not right; `remaining` attempts before the lock.
    #[error("the current password is not correct")]
    WrongCurrent { remaining: u32 },
    /// Too many failures: the user ID is locked and the session ends.
    #[error("the user ID is locked")]
    Locked,
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<crate::store::StoreError> for PasswordChangeError {
    fn from(e: crate::store::StoreError) -> Self {
        PasswordChangeError::Service(e.into())
    }
}

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

/// The contact rules of registration: a valid address, required when 医療費通知 mail is wanted.
pub fn validate_contact(email: &str, notify_mail: bool) -> Result<Option<String>, RuleViolation> {
    validate_email(email, notify_mail).map_err(|e| RuleViolation {
        field: "email",
        msg: e.msg(),
    })
}

/// The rule message for a code that is not 8 digits.
pub fn code_format_violation() -> RuleViolation {
    RuleViolation {
        field: "code",
        msg: Msg::new("forgot_code.code_format"),
    }
}

fn violation(field: &'static str, e: PasswordError) -> RuleViolation {
    RuleViolation {
        field,
        msg: e.msg(),
    }
}

/// How a change reason is written in the audit trail.
fn reason_str(r: Option<ChangeReason>) -> &'static str {
    match r {
        None => "menu",
        Some(ChangeReason::Age) => "forced age",
        Some(ChangeReason::Expired) => "forced expired",
        Some(ChangeReason::Initial) => "forced initial",
    }
}

impl Services {
    fn session_account(
        &self,
        c: &rusqlite::Connection,
        session: &AccountSession,
    ) -> Result<Account, ServiceError> {
        accounts::get(c, session.account_id)?
            .filter(|a| a.household_id == session.household_id)
            .ok_or_else(|| ServiceError::user("the account of this session no longer exists"))
    }

    /// 個人情報管理: the registered data.
    pub fn account_profile(
        &self,
        session: &AccountSession,
    ) -> Result<AccountProfile, ServiceError> {
        self.store
            .read(|c| {
                let a = accounts::get(c, session.account_id)?;
                let h = households::get(c, session.household_id)?;
                let member_name = match a.as_ref().and_then(|a| a.member_id) {
                    Some(mid) => households::members_of(c, session.household_id)?
                        .into_iter()
                        .find(|m| m.id == mid)
                        .map(|m| m.name),
                    None => None,
                };
                Ok((a, h, member_name))
            })
            .map_err(ServiceError::from)
            .and_then(|(a, h, member_name)| {
                let a = a
                    .filter(|a| a.household_id == session.household_id)
                    .ok_or_else(|| {
                        ServiceError::user("the account of this session no longer exists")
                    })?;
                Ok(AccountProfile {
                    user_id: a.user_id.clone(),
                    household_masked: h.map(|h| h.key.masked()).unwrap_or_default(),
                    registrant: a.registrant,
                    member_name,
                    registered_at: a.registered_at,
                    password_set_at: a.password_set_at,
                    password_expires_at: self.config.password.expires_at(a.password_set_at),
                    email: a.email,
                    notify_mail: a.notify_mail,
                })
            })
    }

    /// Changes the email address and the 医療費通知 mail setting. In one transaction: the change, an audit
    /// row, a confirmation to the address now on file and (when the address changed) a notice to the
    /// previous one.
    pub fn update_contact(
        &self,
        actor: &Actor,
        session: &AccountSession,
        input: &ContactInput,
    ) -> Result<ContactChange, ContactError> {
        let new_email = validate_contact(&input.email, input.notify_mail)
            .map_err(|v| ContactError::Invalid(vec![v]))?;
        let now = self.now();
        let from = self.config.mail.from.clone();
        let contact = self.config.kiosk.contact.clone();
        let lang = input.lang;
        self.store.write(|tx| {
            let a = self.session_account(tx, session)?;
            if change_reason(&self.config.password, &a, now).is_some() {
                return Err(ContactError::MustChangePassword);
            }
            let email_changed = a.email.as_deref() != new_email.as_deref();
            if !email_changed && a.notify_mail == input.notify_mail {
                return Err(ContactError::Unchanged);
            }
            accounts::set_contact(tx, a.id, new_email.as_deref(), input.notify_mail)?;
            let masked = |e: &Option<String>| e.as_deref().map_or("-".to_string(), mask_email);
            let yes_no = |b: bool| if b { "yes" } else { "no" };
            let audit_id = audit::insert(
                tx,
                actor,
                &AuditEntry {
                    event: "contact_change",
                    outcome: "ok",
                    household_id: Some(a.household_id),
                    subject: Some(&a.user_id),
                    detail: Some(format!(
                        "email {} -> {} notify {} -> {}",
                        masked(&a.email),
                        masked(&new_email),
                        yes_no(a.notify_mail),
                        yes_no(input.notify_mail)
                    )),
                },
                now,
            )?;
            let mail_to_new = match &new_email {
                Some(to) => {
                    let m = mail::contact_changed(
                        lang,
                        &a.user_id,
                        to,
                        input.notify_mail,
                        now,
                        &contact,
                    );
                    Some(outbox::enqueue(
                        tx,
                        &NewMail {
                            kind: "contact_changed",
                            to,
                            subject: &m.subject,
                            body: &m.body,
                            lang: lang.code(),
                            message_id: &mail::new_message_id(&from),
                            dedupe_key: &format!("contact_changed:{}:{audit_id}", a.id),
                            household_id: Some(a.household_id),
                        },
                        now,
                    )?)
                }
                None => None,
            };
            let mail_to_old = match (&a.email, email_changed) {
                (Some(old), true) => {
                    let m = mail::email_changed_old(
                        lang,
                        &a.user_id,
                        new_email.as_deref(),
                        now,
                        &contact,
                    );
                    Some(outbox::enqueue(
                        tx,
                        &NewMail {
                            kind: "email_changed_old",
                            to: old,
                            subject: &m.subject,
                            body: &m.body,
                            lang: lang.code(),
                            message_id: &mail::new_message_id(&from),
                            dedupe_key: &format!("email_changed_old:{}:{audit_id}", a.id),
                            household_id: Some(a.household_id),
                        },
                        now,
                    )?)
                }
                _ => None,
            };
            Ok(ContactChange {
                old_email: a.email.clone(),
                new_email: new_email.clone(),
                old_notify: a.notify_mail,
                notify_mail: input.notify_mail,
                mail_to_new,
                mail_to_old,
            })
        })
    }

    /// The rules of a new password for an existing account (policy, not the current one, confirmation).
    pub fn validate_new_password(
        &self,
        user_id: &str,
        current: Option<&str>,
        new: &str,
        confirm: &str,
    ) -> Vec<RuleViolation> {
        let ctx = PasswordContext {
            user_id: Some(user_id),
            temporary: None,
            current,
        };
        if let Err(e) = self.config.password.check(new, &ctx) {
            return vec![violation("new", e)];
        }
        if let Err(e) = check_confirm(new, confirm) {
            return vec![violation("confirm", e)];
        }
        Vec::new()
    }

    /// パスワード変更 (from the menu, or forced at login). A wrong current password counts toward the
    /// user ID's lockout; on success the lock is cleared, the must-change flag too, an audit row is
    /// written and (with an address on file) a notice queued – one transaction.
    pub fn change_password(
        &self,
        actor: &Actor,
        session: &AccountSession,
        input: &PasswordChangeInput,
    ) -> Result<PasswordChanged, PasswordChangeError> {
        let current = Zeroizing::new(normalize(&input.current));
        let new = Zeroizing::new(normalize(&input.new));
        let confirm = Zeroizing::new(normalize(&input.confirm));
        let now = self.now();
        let account = self.store.read(|c| accounts::get(c, session.account_id))?;
        let account = account
            .filter(|a| a.household_id == session.household_id)
            .ok_or_else(|| ServiceError::user("the account of this session no longer exists"))?;
        let mut violations = Vec::new();
        if current.is_empty() {
            violations.push(violation("current", PasswordError::Empty));
        }
        violations.extend(self.validate_new_password(
            &account.user_id,
            Some(&current),
            &new,
            &confirm,
        ));
        if !violations.is_empty() {
            return Err(PasswordChangeError::Invalid(violations));
        }
        let key = lock_key(&account.user_id, true);
        // Counted before it is verified (see `lockout`); refused unverified when locked.
        let Some(attempt) =
            self.begin_attempt(&key, Proof::Password, Some(account.household_id), now)?
        else {
            self.hasher.verify_or_burn(&current, None);
            return Err(PasswordChangeError::Locked);
        };
        if !self.hasher.verify(&current, &account.password_hash) {
            self.store.write(|tx| {
                lockout::failed(self, tx, actor, &attempt, now)?;
                audit::insert(
                    tx,
                    actor,
                    &AuditEntry {
                        event: "password_change",
                        outcome: "failed",
                        household_id: Some(account.household_id),
                        subject: Some(&account.user_id),
                        detail: Some("wrong current password".into()),
                    },
                    now,
                )?;
                Ok::<_, ServiceError>(())
            })?;
            return Err(if attempt.locks(self, now) {
                PasswordChangeError::Locked
            } else {
                PasswordChangeError::WrongCurrent {
                    remaining: attempt.remaining(self),
                }
            });
        }
        // The expensive part, before the write lock.
        let hash = self.hasher.hash(&new)?;
        let reason = change_reason(&self.config.password, &account, now);
        let how = if reason.is_some() {
            PasswordHow::Forced
        } else {
            PasswordHow::Menu
        };
        let from = self.config.mail.from.clone();
        let contact = self.config.kiosk.contact.clone();
        let expires_at = self.config.password.expires_at(now);
        self.store.write(|tx| {
            let a = self.session_account(tx, session)?;
            if a.password_hash != account.password_hash {
                // Changed meanwhile (another kiosk): the current password typed here is no longer it.
                return Err(PasswordChangeError::WrongCurrent {
                    remaining: attempt.remaining(self),
                });
            }
            accounts::set_password(tx, a.id, &hash, None, now)?;
            lockout::succeeded(self, tx, &attempt, now)?;
            let audit_id = audit::insert(
                tx,
                actor,
                &AuditEntry {
                    event: "password_change",
                    outcome: "ok",
                    household_id: Some(a.household_id),
                    subject: Some(&a.user_id),
                    detail: Some(reason_str(reason).to_string()),
                },
                now,
            )?;
            let mail_id = self
                .queue_password_notice(tx, &a, how, input.lang, audit_id, now, &from, &contact)?;
            Ok(PasswordChanged {
                mail_to: a.email.clone(),
                mail_id,
                expires_at,
            })
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn queue_password_notice(
        &self,
        tx: &rusqlite::Connection,
        a: &Account,
        how: PasswordHow,
        lang: Lang,
        audit_id: i64,
        now: OffsetDateTime,
        from: &str,
        contact: &str,
    ) -> Result<Option<i64>, ServiceError> {
        let Some(to) = &a.email else {
            return Ok(None);
        };
        let m = mail::password_changed(lang, &a.user_id, how, now, contact);
        Ok(Some(outbox::enqueue(
            tx,
            &NewMail {
                kind: "password_changed",
                to,
                subject: &m.subject,
                body: &m.body,
                lang: lang.code(),
                message_id: &mail::new_message_id(from),
                dedupe_key: &format!("password_changed:{}:{audit_id}", a.id),
                household_id: Some(a.household_id),
            },
            now,
        )?))
    }

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
        })
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
