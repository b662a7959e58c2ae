//! メールアドレス訂正 at the counter: a member's mail bounced (`550 User unknown`) or never arrived, and
//! staff correct the address — starting from the undeliverable mail, or from a household found by key or
//! name + birth date. The new address passes the kiosk's own rule ([`validate_email`]).
//!
//! One transaction: the account's address replaced; every message of the household not yet delivered
//! to the old address (queued, being sent, or dead — and the mail staff started from) re-addressed to the
//! new one, due now with a new Message-ID; a notice of the correction to the new address; the audit row
//! with both addresses masked. The old address gets nothing: no notice, no retry (a worker that holds
//! one of those messages can no longer mark it, as its lease is gone). A mail that quoted the wrong
//! address (the 個人情報管理 confirmation) is dropped: the notice replaces it.
//!
//! The member's own change under 個人情報管理 is [`Services::update_contact`], unchanged.

use super::{RuleViolation, ServiceError, Services, mail};
use crate::domain::email::{mask_email, validate_email};
use crate::store::audit::{self, AuditEntry};
use crate::store::outbox::{self, MailState, NewMail, Readdress};
use crate::store::{Actor, accounts};

/// Where the correction starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorrectionStart {
    /// An undeliverable (or waiting) message, by its outbox id.
    Mail(i64),
    /// A household found by the staff console.
    Household(i64),
}

/// What a correction did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailCorrected {
    pub household_id: i64,
    pub user_id: String,
    pub old_email: Option<String>,
    pub new_email: String,
    /// The outbox rows now addressed to the new address (same ids).
    pub resent: Vec<i64>,
    /// The notice of the correction to the new address.
    pub notice_id: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum CorrectionError {
    /// The new address breaks the kiosk's rule.
    #[error("a rule is broken: {0:?}")]
    Invalid(RuleViolation),
    /// Same address as on file and nothing waiting elsewhere: there is nothing to correct.
    #[error("the address is already on file")]
    Unchanged,
    /// No such mail or household.
    #[error("not found")]
    NotFound,
    /// The mail or household belongs to no registered account (an address lives on an account).
    #[error("no registered account")]
    NoAccount,
    /// The mail staff started from was delivered meanwhile.
    #[error("the mail was delivered")]
    AlreadySent,
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<crate::store::StoreError> for CorrectionError {
    fn from(e: crate::store::StoreError) -> Self {
        CorrectionError::Service(e.into())
    }
}

/// Kinds whose text quotes the address they were sent to: dropped (the notice replaces them), not
/// re-sent with the wrong address in their text.
const QUOTES_THE_ADDRESS: &[&str] = &["contact_changed", "email_correction"];

impl Services {
    /// メールアドレス訂正 (staff). See the module notes.
    pub fn correct_email(
        &self,
        actor: &Actor,
        start: CorrectionStart,
        email: &str,
    ) -> Result<EmailCorrected, CorrectionError> {
        let new_email = validate_email(email, true)
            .map_err(|e| {
                CorrectionError::Invalid(RuleViolation {
                    field: "email",
                    msg: e.msg(),
                })
            })?
            .ok_or(CorrectionError::Invalid(RuleViolation {
                field: "email",
                msg: crate::domain::email::EmailError::Required.msg(),
            }))?;
        let now = self.now();
        let from = self.config.mail.from.clone();
        let contact = self.config.kiosk.contact.clone();
        self.store.write(|tx| {
            let (household_id, start_row) = match start {
                CorrectionStart::Household(id) => (id, None),
                CorrectionStart::Mail(id) => {
                    let row = outbox::get(tx, id)?.ok_or(CorrectionError::NotFound)?;
                    if row.state == MailState::Sent {
                        return Err(CorrectionError::AlreadySent);
                    }
                    (
                        row.household_id.ok_or(CorrectionError::NoAccount)?,
                        Some(row),
                    )
                }
            };
            let a = accounts::for_household(tx, household_id)?.ok_or(
                if crate::store::households::get(tx, household_id)?.is_some() {
                    CorrectionError::NoAccount
                } else {
                    CorrectionError::NotFound
                },
            )?;
            let same = |x: &str| x.eq_ignore_ascii_case(&new_email);
            // What waits for the wrong address: the mail staff started from, and everything of the
            // household still undelivered to the address on file.
            let mut moving = Vec::new();
            if let Some(r) = &start_row {
                if !same(&r.to) {
                    moving.push(r.clone());
                }
            }
            if let Some(old) = a.email.as_deref().filter(|o| !same(o)) {
                for r in outbox::undelivered_to(tx, household_id, old)? {
                    if !moving.iter().any(|m| m.id == r.id) {
                        moving.push(r);
                    }
                }
            }
            let address_changes = !a.email.as_deref().is_some_and(same);
            if !address_changes && moving.is_empty() {
                return Err(CorrectionError::Unchanged);
            }
            accounts::set_contact(tx, a.id, Some(&new_email), a.notify_mail)?;
            let mut resent = Vec::new();
            let mut replaced = Vec::new();
            for r in &moving {
                if QUOTES_THE_ADDRESS.contains(&r.kind.as_str()) {
                    replaced.push(r.id);
                    continue;
                }
                let moved = outbox::readdress(
                    tx,
                    r.id,
                    &Readdress {
                        to: &new_email,
                        message_id: &mail::new_message_id(&from),
                    },
                    now,
                )?;
                if moved {
                    resent.push(r.id);
                }
            }
            let audit_id = audit::insert(
                tx,
                actor,
                &AuditEntry {
                    event: "email_correction",
                    outcome: "ok",
                    household_id: Some(household_id),
                    subject: Some(&a.user_id),
                    detail: Some(format!(
                        "old={} new={} start={} resent={} replaced={}",
                        a.email.as_deref().map_or("-".to_string(), mask_email),
                        mask_email(&new_email),
                        match start {
                            CorrectionStart::Mail(id) => format!("mail#{id}"),
                            CorrectionStart::Household(_) => "household".to_string(),
                        },
                        list(&resent),
                        list(&replaced),
                    )),
                },
                now,
            )?;
            for &id in &replaced {
                outbox::discard(tx, id)?;
            }
            let m = mail::email_correction(a.lang, &a.user_id, resent.len(), now, &contact);
            let notice_id = outbox::enqueue(
                tx,
                &NewMail {
                    kind: "email_correction",
                    to: &new_email,
                    subject: &m.subject,
                    body: &m.body,
                    lang: a.lang.code(),
                    message_id: &mail::new_message_id(&from),
                    dedupe_key: &format!("email_correction:{}:{audit_id}", a.id),
                    household_id: Some(household_id),
                },
                now,
            )?;
            Ok(EmailCorrected {
                household_id,
                user_id: a.user_id.clone(),
                old_email: a.email.clone(),
                new_email: new_email.clone(),
                resent,
                notice_id,
            })
        })
    }
}

fn list(ids: &[i64]) -> String {
    if ids.is_empty() {
        return "-".to_string();
    }
    ids.iter()
        .map(|i| format!("#{i}"))
        .collect::<Vec<_>>()
        .join(",")
}
