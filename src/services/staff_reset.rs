//! パスワード再設定 at the counter: a registered member who forgot the password (and has no address for
//! パスワードを忘れた方, or no access to it) is found by the staff console (household key, or name + birth
//! date), staff confirm who they are on a checklist (insurance card seen, birth date asked), and the
//! service draws an **initial password** — staff never choose it — shown once on the staff screen. The
//! member must change it at the next login.
//!
//! One transaction: the new hash with the must-change flag (the old password dead from that moment), any
//! mailed reset code retired, the user ID's lock cleared (staff have just seen the member), the audit row
//! (channel `staff`, staff ID, SSH client address, the checklist) and — with an address on file — the notice
//! mail, which never carries the password.

use rand::TryRngCore;
use rand::rngs::OsRng;
use zeroize::Zeroizing;

use super::lockout::lock_key;
use super::{ServiceError, Services, mail};
use crate::domain::household::HouseholdKey;
use crate::domain::password::PasswordContext;
use crate::domain::staff::generate_initial_password;
use crate::store::accounts::{self, MustChange};
use crate::store::audit::{self, AuditEntry};
use crate::store::outbox::{self, NewMail};
use crate::store::{Actor, households, locks, reset_codes};

/// What staff ticked on the identity checklist.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IdentityChecklist {
    /// The insurance card (保険証) was seen.
    pub card_seen: bool,
    /// The member said the birth date, and it matched.
    pub birth_date_asked: bool,
}

impl IdentityChecklist {
    pub fn complete(&self) -> bool {
        self.card_seen && self.birth_date_asked
    }
}

/// A reset done: the initial password to show once.
#[derive(Clone)]
pub struct StaffReset {
    pub household_id: i64,
    pub household: HouseholdKey,
    pub name: String,
    pub user_id: String,
    pub initial_password: Zeroizing<String>,
    /// Where the notice went, when an address is on file.
    pub mail_to: Option<String>,
    pub mail_id: Option<i64>,
}

impl std::fmt::Debug for StaffReset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaffReset")
            .field("household", &self.household.masked())
            .field("user_id", &self.user_id)
            .field("initial_password", &"***")
            .field("mail_id", &self.mail_id)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StaffResetError {
    #[error("there is no such household")]
    NotFound,
    /// Not registered yet: the postcard (reissue) is the way in.
    #[error("the household is not registered; reissue its postcard instead")]
    NotRegistered,
    /// The checklist is not complete.
    #[error("the member's identity has not been confirmed on the checklist")]
    Unconfirmed,
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<crate::store::StoreError> for StaffResetError {
    fn from(e: crate::store::StoreError) -> Self {
        StaffResetError::Service(e.into())
    }
}

impl Services {
    /// パスワード再設定 (staff). See the module notes.
    pub fn staff_reset(
        &self,
        actor: &Actor,
        household_id: i64,
        checklist: IdentityChecklist,
    ) -> Result<StaffReset, StaffResetError> {
        if !checklist.complete() {
            return Err(StaffResetError::Unconfirmed);
        }
        let (household, account) = self.store.read(|c| {
            Ok((
                households::get(c, household_id)?,
                accounts::for_household(c, household_id)?,
            ))
        })?;
        let household = household.ok_or(StaffResetError::NotFound)?;
        let account = account.ok_or(StaffResetError::NotRegistered)?;
        let policy = &self.config.password;
        let ctx = PasswordContext {
            user_id: Some(&account.user_id),
            temporary: None,
            current: None,
        };
        let mut rng = OsRng.unwrap_err();
        let password = generate_initial_password(&mut rng, policy, &ctx).ok_or_else(|| {
            ServiceError::user("the password policy cannot be met by a generated password")
        })?;
        // The expensive part, before the write lock.
        let hash = self.hasher.hash(&password)?;
        let now = self.now();
        let from = self.config.mail.from.clone();
        let contact = self.config.kiosk.contact.clone();
        self.store.write(|tx| {
            let a = accounts::for_household(tx, household_id)?
                .filter(|a| a.id == account.id)
                .ok_or(StaffResetError::NotRegistered)?;
            accounts::set_password(tx, a.id, &hash, Some(MustChange::Initial), now)?;
            reset_codes::retire_all(tx, a.id, now)?;
            let lock_cleared = locks::clear(tx, &lock_key(&a.user_id, true))?;
            let name = households::name_of(tx, household_id)?.unwrap_or_default();
            let mut detail = String::from("checks=card,birth_date");
            if lock_cleared {
                detail.push_str(" lock=cleared");
            }
            if a.email.is_some() {
                detail.push_str(" mail=queued");
            }
            let audit_id = audit::insert(
                tx,
                actor,
                &AuditEntry {
                    event: "staff_reset",
                    outcome: "ok",
                    household_id: Some(household_id),
                    subject: Some(&a.user_id),
                    detail: Some(detail),
                },
                now,
            )?;
            let mail_id = match &a.email {
                Some(to) => {
                    let m = mail::staff_reset(a.lang, &a.user_id, now, &contact);
                    Some(outbox::enqueue(
                        tx,
                        &NewMail {
                            kind: "staff_reset",
                            to,
                            subject: &m.subject,
                            body: &m.body,
                            lang: a.lang.code(),
                            message_id: &mail::new_message_id(&from),
                            dedupe_key: &format!("staff_reset:{}:{audit_id}", a.id),
                            household_id: Some(household_id),
                        },
                        now,
                    )?)
                }
                None => None,
            };
            Ok(StaffReset {
                household_id,
                household: household.key.clone(),
                name,
                user_id: a.user_id.clone(),
                initial_password: password.clone(),
                mail_to: a.email.clone(),
                mail_id,
            })
        })
    }
}
