//! The member's account area: the registered data (個人情報管理), changing the email address and the
//! 医療費通知 mail setting, and changing the password (from the menu or forced at login). The forgotten
//! password is in `reset`.
//!
//! As everywhere: hashing happens before the write transaction; each change, its audit row and its mail
//! are one transaction.

use time::OffsetDateTime;
use zeroize::Zeroizing;

use super::auth::{AccountSession, ChangeReason, change_reason};
use super::lockout::{self, lock_key};
use super::mail::{self, PasswordHow};
use super::{RuleViolation, ServiceError, Services};
use crate::domain::Lang;
use crate::domain::email::{mask_email, validate_email};
use crate::domain::household::Relationship;
use crate::domain::lockout::Proof;
use crate::domain::password::{PasswordContext, PasswordError, check_confirm};
use crate::domain::text::normalize;
use crate::store::accounts::{self, Account};
use crate::store::audit::{self, AuditEntry};
use crate::store::outbox::{self, NewMail};
use crate::store::{Actor, households};

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
    /// The password this session logged in with was replaced meanwhile (e.g. reset at the counter):
    /// the session ends and the member logs in again.
    #[error("the password was changed elsewhere since this login")]
    Replaced,
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<crate::store::StoreError> for PasswordChangeError {
    fn from(e: crate::store::StoreError) -> Self {
        PasswordChangeError::Service(e.into())
    }
}

/// The contact rules of registration: a valid address, required when 医療費通知 mail is wanted.
pub fn validate_contact(email: &str, notify_mail: bool) -> Result<Option<String>, RuleViolation> {
    validate_email(email, notify_mail).map_err(|e| RuleViolation {
        field: "email",
        msg: e.msg(),
    })
}

pub(super) fn violation(field: &'static str, e: PasswordError) -> RuleViolation {
    RuleViolation {
        field,
        msg: e.msg(),
    }
}

/// The session's login proved the staff-issued initial password that is still on file.
fn login_proved_initial(session: &AccountSession, account: &Account) -> bool {
    session.must_change == Some(ChangeReason::Initial)
        && account.must_change == Some(crate::store::accounts::MustChange::Initial)
        && session.login_password_set_at == Some(account.password_set_at)
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
    ///
    /// The forced change away from a staff-issued initial password does not ask for it again (issue 10
    /// item 8): the login seconds ago proved it, and the session says which password it proved. With an
    /// empty `current` the change is accepted only while that password is still the one on file and
    /// still flagged as initial; the new one must differ from it (checked against the hash).
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
        let proved_by_login = current.is_empty() && login_proved_initial(session, &account);
        if current.is_empty()
            && session.must_change == Some(ChangeReason::Initial)
            && !proved_by_login
        {
            // The initial password this session proved is no longer the one on file.
            return Err(PasswordChangeError::Replaced);
        }
        let mut violations = Vec::new();
        if current.is_empty() && !proved_by_login {
            violations.push(violation("current", PasswordError::Empty));
        }
        violations.extend(self.validate_new_password(
            &account.user_id,
            (!proved_by_login).then_some(current.as_str()),
            &new,
            &confirm,
        ));
        if !violations.is_empty() {
            return Err(PasswordChangeError::Invalid(violations));
        }
        if proved_by_login {
            if self.hasher.verify(&new, &account.password_hash) {
                return Err(PasswordChangeError::Invalid(vec![violation(
                    "new",
                    PasswordError::SameAsCurrent,
                )]));
            }
            return self.store_new_password(actor, session, input.lang, &account, &new, None, now);
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
        self.store_new_password(
            actor,
            session,
            input.lang,
            &account,
            &new,
            Some(&attempt),
            now,
        )
    }

    /// The write of a password change: hash (before the lock), then in one transaction the new password
    /// (if the one on file is still the one the change started from), the attempt's lock count given
    /// back, the audit row and the notice mail.
    #[allow(clippy::too_many_arguments)]
    fn store_new_password(
        &self,
        actor: &Actor,
        session: &AccountSession,
        lang: Lang,
        account: &Account,
        new: &str,
        attempt: Option<&lockout::Attempt>,
        now: OffsetDateTime,
    ) -> Result<PasswordChanged, PasswordChangeError> {
        // The expensive part, before the write lock.
        let hash = self.hasher.hash(new)?;
        let reason = change_reason(&self.config.password, account, now);
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
                // Changed meanwhile (another kiosk, a reset at the counter): the password this change
                // started from is no longer it.
                return Err(match attempt {
                    Some(t) => PasswordChangeError::WrongCurrent {
                        remaining: t.remaining(self),
                    },
                    None => PasswordChangeError::Replaced,
                });
            }
            accounts::set_password(tx, a.id, &hash, None, now)?;
            if let Some(attempt) = attempt {
                lockout::succeeded(self, tx, attempt, now)?;
            }
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
            let mail_id =
                self.queue_password_notice(tx, &a, how, lang, audit_id, now, &from, &contact)?;
            Ok(PasswordChanged {
                mail_to: a.email.clone(),
                mail_id,
                expires_at,
            })
        })
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn queue_password_notice(
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
}
