//! Registration: the identity check (STEP3), user ID availability (STEP4) and the one transaction at
//! [実行] that creates the account.

use time::Date;
use zeroize::Zeroizing;

use super::auth::RegistrationTicket;
use super::lockout::{self, lock_key};
use super::{RuleViolation, ServiceError, Services, mail};
use crate::domain::Lang;
use crate::domain::email::validate_email;
use crate::domain::household::Relationship;
use crate::domain::insurer::InsurerNumber;
use crate::domain::lockout::Proof;
use crate::domain::password::{PasswordContext, check_confirm};
use crate::domain::text::render_rule;
use crate::domain::user_id::{UserIdError, validate_user_id};
use crate::store::accounts::{self, MustChange, NewAccount};
use crate::store::audit::{self, AuditEntry};
use crate::store::outbox::{self, NewMail};
use crate::store::{Actor, Channel, credentials, households, terms};

/// The terms of use shown at STEP3, with their version line stripped.
pub struct Terms {
    pub version: &'static str,
    pub text: &'static str,
}

impl Terms {
    /// The text with hard-wrapped paragraphs joined again, so that the panel can wrap them to its own
    /// width: a line continues the one before unless it is blank, a heading (`■`) or a list item
    /// (`・`, `- `); an indented line continues a list item.
    pub fn reflowed(&self, lang: Lang) -> String {
        let mut out: Vec<String> = Vec::new();
        let mut prev_blank = true;
        for line in self.text.lines() {
            let t = line.trim_end();
            let starts_block = t.is_empty()
                || t.starts_with('■')
                || t.starts_with('・')
                || t.starts_with("- ")
                || prev_blank;
            let is_heading = t.starts_with('■');
            match out.last_mut() {
                Some(last) if !starts_block && !last.starts_with('■') && !is_heading => {
                    let piece = t.trim_start();
                    if lang == Lang::En {
                        last.push(' ');
                    }
                    last.push_str(piece);
                }
                _ => out.push(t.to_string()),
            }
            prev_blank = t.is_empty();
        }
        out.join("\n")
    }
}

/// The terms of use in `lang`.
pub fn terms(lang: Lang) -> Terms {
    let raw = match lang {
        Lang::Ja => include_str!("../../assets/terms/terms.ja.txt"),
        Lang::En => include_str!("../../assets/terms/terms.en.txt"),
    };
    let (first, rest) = raw.split_once('\n').unwrap_or(("", raw));
    match first.strip_prefix("version:") {
        Some(v) => Terms {
            version: v.trim(),
            text: rest.trim_start_matches('\n'),
        },
        None => Terms {
            version: "unversioned",
            text: raw,
        },
    }
}

/// The member whose birth date matched at the identity check, and the token that lets this session
/// register (hand it to the ticket with [`RegistrationTicket::confirm`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityMatch {
    pub member_id: i64,
    pub relationship: Relationship,
    pub token: Zeroizing<String>,
}

impl RegistrationTicket {
    /// Records a successful identity check on the ticket; [`Services::register`] requires it.
    pub fn confirm(&mut self, m: &IdentityMatch) {
        self.identity_token = Some(m.token.clone());
    }
}

fn token_hash(token: &str) -> String {
    use blake2::{Blake2s256, Digest};
    hex::encode(Blake2s256::digest(token.as_bytes()))
}

fn new_token() -> Zeroizing<String> {
    use rand::{RngCore, TryRngCore};
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.unwrap_err().fill_bytes(&mut bytes);
    Zeroizing::new(hex::encode(bytes))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentityOutcome {
    Confirmed(IdentityMatch),
    /// The numbers did not match; `remaining` attempts before the lock.
    Mismatch {
        remaining: u32,
    },
    /// Too many failures: the temporary ID is locked. The wizard ends.
    Locked,
    /// The temporary credential is no longer usable (used, revoked, expired). The wizard ends.
    CredentialInvalid,
}

/// Everything STEP4 collected, as typed (the service checks every rule again).
#[derive(Debug, Clone)]
pub struct RegistrationInput {
    pub user_id: String,
    pub password: Zeroizing<String>,
    pub password_confirm: Zeroizing<String>,
    pub email: String,
    pub notify_mail: bool,
    pub registrant: Relationship,
    pub member_id: Option<i64>,
    pub terms_version: String,
    pub lang: Lang,
    /// Staff-generated initial password: the member must change it at first login.
    pub initial_password: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registered {
    pub account_id: i64,
    pub household_id: i64,
    pub user_id: String,
    pub email: Option<String>,
    /// The welcome mail's outbox row, when an address was given.
    pub mail_id: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error("the user ID is already taken")]
    UserIdTaken,
    #[error("{}", describe_violations(.0))]
    Invalid(Vec<RuleViolation>),
    /// The temporary credential was used, revoked or expired meanwhile (e.g. a second kiosk).
    #[error("the temporary credential is no longer valid")]
    CredentialInvalid,
    /// This session has not passed the identity check (STEP3), or another session passed it since.
    #[error("the identity check has not been passed in this session")]
    IdentityNotConfirmed,
    #[error(transparent)]
    Service(#[from] ServiceError),
}

/// The violations in one line for logs and the command line (`user_id: The user ID is too short…`).
fn describe_violations(v: &[RuleViolation]) -> String {
    let parts: Vec<String> = v
        .iter()
        .map(|r| format!("{}: {}", r.field, render_rule(&r.msg, Lang::En)))
        .collect();
    parts.join(" ")
}

impl From<crate::store::StoreError> for RegisterError {
    fn from(e: crate::store::StoreError) -> Self {
        RegisterError::Service(ServiceError::Store(e))
    }
}

impl Services {
    /// STEP3: the insurer number must be the household's and the birth date one of its members'.
    /// Failures count toward the temporary ID's lock.
    pub fn check_identity(
        &self,
        actor: &Actor,
        ticket: &RegistrationTicket,
        insurer: &InsurerNumber,
        birth_date: Date,
    ) -> Result<IdentityOutcome, ServiceError> {
        let now = self.now();
        let key = lock_key(&ticket.temp_id, true);
        self.store.write(|tx| {
            let audit_row = |outcome: &str, detail: Option<String>| {
                audit::insert(
                    tx,
                    actor,
                    &AuditEntry {
                        event: "identity_check",
                        outcome,
                        household_id: Some(ticket.household_id),
                        subject: Some(&ticket.temp_id),
                        detail,
                    },
                    now,
                )
            };
            if lockout::is_locked(self, tx, &key, now)? {
                audit_row("locked", None)?;
                return Ok(IdentityOutcome::Locked);
            }
            let usable = credentials::get(tx, ticket.credential_id)?
                .is_some_and(|c| c.usable(now) && c.household_id == ticket.household_id)
                && accounts::for_household(tx, ticket.household_id)?.is_none();
            if !usable {
                audit_row("credential_not_usable", None)?;
                return Ok(IdentityOutcome::CredentialInvalid);
            }
            // Decided and recorded in this one transaction: parallel checks see each other.
            let Some(attempt) = lockout::begin(
                self,
                tx,
                &key,
                Proof::Identity,
                Some(ticket.household_id),
                now,
            )?
            else {
                audit_row("locked", None)?;
                return Ok(IdentityOutcome::Locked);
            };
            let household = households::get(tx, ticket.household_id)?;
            let member = match &household {
                Some(h) if h.key.insurer == insurer.as_str() => households::members_of(tx, h.id)?
                    .into_iter()
                    .find(|m| m.birth_date == birth_date),
                _ => None,
            };
            match member {
                Some(m) => {
                    lockout::succeeded(self, tx, &attempt, now)?;
                    let token = new_token();
                    credentials::set_identity_token(tx, ticket.credential_id, &token_hash(&token))?;
                    audit_row(
                        "ok",
                        Some(format!("registrant {}", m.relationship.as_str())),
                    )?;
                    Ok(IdentityOutcome::Confirmed(IdentityMatch {
                        member_id: m.id,
                        relationship: m.relationship,
                        token,
                    }))
                }
                None => {
                    lockout::failed(self, tx, actor, &attempt, now)?;
                    audit_row("failed", None)?;
                    if attempt.locks(self, now) {
                        Ok(IdentityOutcome::Locked)
                    } else {
                        Ok(IdentityOutcome::Mismatch {
                            remaining: attempt.remaining(self),
                        })
                    }
                }
            }
        })
    }

    /// Whether `user_id` may be chosen now (no account has it, no temporary ID ever had it). Checked
    /// again, atomically, by [`Services::register`].
    pub fn user_id_available(&self, user_id: &str) -> Result<bool, ServiceError> {
        Ok(!self.store.read(|c| accounts::user_id_taken(c, user_id))?)
    }

    /// Checks every STEP4 rule; the first violation of each field.
    pub fn validate_details(
        &self,
        ticket: &RegistrationTicket,
        input: &RegistrationInput,
    ) -> Vec<RuleViolation> {
        let mut out = Vec::new();
        let user_id = match validate_user_id(&input.user_id) {
            Ok(u) => Some(u),
            Err(e) => {
                out.push(RuleViolation {
                    field: "user_id",
                    msg: e.msg(),
                });
                None
            }
        };
        let ctx = PasswordContext {
            user_id: user_id.as_deref(),
            temporary: Some(ticket.temp_password.as_str()),
            current: None,
        };
        if let Err(e) = self.config.password.check(&input.password, &ctx) {
            out.push(RuleViolation {
                field: "password",
                msg: e.msg(),
            });
        } else if let Err(e) = check_confirm(&input.password, &input.password_confirm) {
            out.push(RuleViolation {
                field: "password_confirm",
                msg: e.msg(),
            });
        }
        if let Err(e) = validate_email(&input.email, input.notify_mail) {
            out.push(RuleViolation {
                field: "email",
                msg: e.msg(),
            });
        }
        out
    }

    /// [実行]: in one transaction, the account is created, the temporary credential marked used, the
    /// terms agreement stored, an audit row written and (with an address) the welcome mail queued.
    /// Either all of it happens or none of it.
    pub fn register(
        &self,
        actor: &Actor,
        ticket: &RegistrationTicket,
        input: &RegistrationInput,
    ) -> Result<Registered, RegisterError> {
        let violations = self.validate_details(ticket, input);
        if !violations.is_empty() {
            return Err(RegisterError::Invalid(violations));
        }
        let user_id = validate_user_id(&input.user_id).map_err(|e| {
            RegisterError::Invalid(vec![RuleViolation {
                field: "user_id",
                msg: e.msg(),
            }])
        })?;
        let email = validate_email(&input.email, input.notify_mail).unwrap_or(None);
        // The expensive part, before any lock is taken.
        let hash = self.hasher.hash(&input.password)?;
        let now = self.now();
        let from = self.config.mail.from.clone();
        let contact = self.config.kiosk.contact.clone();

        self.store.write(|tx| {
            let household = households::get(tx, ticket.household_id)?
                .ok_or(RegisterError::CredentialInvalid)?;
            if accounts::for_household(tx, household.id)?.is_some() {
                return Err(RegisterError::CredentialInvalid);
            }
            let confirmed = match (
                &ticket.identity_token,
                credentials::identity_token(tx, ticket.credential_id)?,
            ) {
                (Some(token), Some(stored)) => token_hash(token) == stored,
                _ => false,
            };
            if !confirmed {
                return Err(RegisterError::IdentityNotConfirmed);
            }
            if accounts::user_id_taken(tx, &user_id)? {
                return Err(RegisterError::UserIdTaken);
            }
            let account_id = match accounts::insert(
                tx,
                &NewAccount {
                    household_id: household.id,
                    user_id: &user_id,
                    password_hash: &hash,
                    must_change: input.initial_password.then_some(MustChange::Initial),
                    email: email.as_deref(),
                    notify_mail: input.notify_mail,
                    registrant: input.registrant,
                    member_id: input.member_id,
                    lang: input.lang,
                    channel: actor.channel,
                    staff_id: actor.staff_id.as_deref(),
                },
                now,
            ) {
                Ok(id) => id,
                Err(e) if e.is_unique_violation() => return Err(RegisterError::UserIdTaken),
                Err(e) => return Err(e.into()),
            };
            if !credentials::mark_used(tx, ticket.credential_id, now)? {
                return Err(RegisterError::CredentialInvalid);
            }
            terms::insert(
                tx,
                household.id,
                Some(account_id),
                &input.terms_version,
                input.lang.code(),
                actor.channel,
                now,
            )?;
            let mail_id = match &email {
                Some(to) => {
                    let m =
                        mail::welcome(input.lang, &user_id, now, &household.key.masked(), &contact);
                    let message_id = mail::new_message_id(&from);
                    Some(outbox::enqueue(
                        tx,
                        &NewMail {
                            kind: "welcome",
                            to,
                            subject: &m.subject,
                            body: &m.body,
                            lang: input.lang.code(),
                            message_id: &message_id,
                            dedupe_key: &format!("welcome:{account_id}"),
                            household_id: Some(household.id),
                        },
                        now,
                    )?)
                }
                None => None,
            };
            audit::insert(
                tx,
                actor,
                &AuditEntry {
                    event: "register",
                    outcome: "ok",
                    household_id: Some(household.id),
                    subject: Some(&user_id),
                    detail: Some(format!(
                        "household {} registrant {} temp {} terms {}{}{}",
                        household.key.masked(),
                        input.registrant.as_str(),
                        ticket.temp_id,
                        input.terms_version,
                        // At the counter staff ticked that the member agreed (STEP3).
                        if actor.channel == Channel::Staff {
                            " counter_agreed"
                        } else {
                            ""
                        },
                        if mail_id.is_some() {
                            " welcome_mail queued"
                        } else {
                            ""
                        }
                    )),
                },
                now,
            )?;
            Ok(Registered {
                account_id,
                household_id: household.id,
                user_id: user_id.clone(),
                email: email.clone(),
                mail_id,
            })
        })
    }
}

/// Maps a [`RegisterError::UserIdTaken`] to the user-ID field's message.
pub fn taken_violation() -> RuleViolation {
    RuleViolation {
        field: "user_id",
        msg: UserIdError::Taken.msg(),
    }
}
