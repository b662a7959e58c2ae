//! The staff console's use cases: staff accounts and login, household lookup, reissuing a postcard
//! credential, lock states, the mail outbox and the audit trail.
//!
//! Every change writes its audit row in the same transaction, with the acting staff member's ID (and the
//! SSH client address when present) taken from the [`Actor`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rand::TryRngCore;
use rand::rngs::OsRng;
use time::{Date, Duration, OffsetDateTime};
use zeroize::Zeroizing;

use super::credentials::{Notice, NoticesFile};
use super::lockout::{self, lock_key, staff_lock_key};
use super::{ServiceError, Services};
use crate::clock::JST;
use crate::domain::credential::{generate_temp_id, generate_temp_password};
use crate::domain::household::HouseholdKey;
use crate::domain::lockout::{LockState, Proof};
use crate::domain::password::PasswordContext;
use crate::domain::staff::validate_staff_id;
use crate::domain::text::normalize;
use crate::store::accounts::{self, MustChange};
use crate::store::audit::{self, AuditEntry, AuditFilter};
use crate::store::credentials::{self, CredentialState};
use crate::store::households::{self, Member};
use crate::store::outbox::{self, MailState, OutboxRow};
use crate::store::{Actor, locks, staff};

/// A logged-in staff member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffSession {
    /// The staff ID as stored.
    pub staff_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaffLoginOutcome {
    Ok(StaffSession),
    /// One generic refusal for every reason (unknown, wrong password, locked, disabled).
    Failed,
}

/// How staff look a household up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HouseholdQuery {
    Key(HouseholdKey),
    Member { name: String, birth_date: Date },
}

/// A household's account, as staff see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountBrief {
    pub user_id: String,
    pub registered_at: OffsetDateTime,
    pub channel: String,
    pub staff_id: Option<String>,
    pub must_change: Option<MustChange>,
}

/// A household's newest temporary credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialBrief {
    pub temp_id: String,
    pub state: CredentialState,
    pub expires_at: OffsetDateTime,
    /// Live but past its expiry.
    pub expired_now: bool,
}

/// Everything the reissue screen shows about one household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdView {
    pub id: i64,
    pub key: HouseholdKey,
    pub members: Vec<Member>,
    pub account: Option<AccountBrief>,
    pub credential: Option<CredentialBrief>,
}

impl HouseholdView {
    /// The insured person's name (or the first member's).
    pub fn name(&self) -> &str {
        self.members.first().map_or("", |m| m.name.as_str())
    }
}

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

/// What kind of ID a lock belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    Temporary,
    Permanent,
    Staff,
    /// Not a known ID (stored hashed, so the typed text is never kept).
    Unknown,
}

/// The lock state of one ID, as staff see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockView {
    /// The ID as typed (for a lookup) or as stored (for the list; `?…` for unknown IDs).
    pub subject: String,
    pub kind: IdKind,
    pub state: LockState,
    pub locked: bool,
    /// Whole minutes left on the lock, rounded up.
    pub minutes_left: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequeueOutcome {
    Requeued,
    NotFound,
    NotDead(MailState),
}

/// Filters of the audit screen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    pub household: Option<HouseholdKey>,
    pub staff_id: Option<String>,
}

/// One audit row for the staff screen: the household as its masked key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditView {
    pub at: OffsetDateTime,
    pub channel: String,
    pub staff_id: Option<String>,
    pub client_addr: Option<String>,
    pub event: String,
    pub outcome: String,
    pub household: Option<String>,
    pub subject: Option<String>,
    pub detail: Option<String>,
}

/// The audit screen's rows, and whether a household filter named a household that exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditPage {
    pub rows: Vec<AuditView>,
    pub household_found: bool,
}

fn lock_view(
    subject: String,
    kind: IdKind,
    state: LockState,
    svc: &Services,
    now: OffsetDateTime,
) -> LockView {
    let policy = svc.config.lockout.policy();
    let remaining = policy.remaining(&state, now);
    LockView {
        subject,
        kind,
        locked: remaining.is_some(),
        minutes_left: remaining.map(|d| (d.whole_seconds() + 59) / 60),
        state,
    }
}

impl Services {
    /// `admin staff-add`: a new staff account; the password follows the same policy as members'.
    pub fn add_staff(
        &self,
        actor: &Actor,
        staff_id: &str,
        password: &str,
    ) -> Result<String, ServiceError> {
        let id = validate_staff_id(staff_id).map_err(|e| ServiceError::user(e.to_string()))?;
        let password = Zeroizing::new(normalize(password));
        let ctx = PasswordContext {
            user_id: Some(&id),
            temporary: None,
            current: None,
        };
        self.config
            .password
            .check(&password, &ctx)
            .map_err(|e| ServiceError::user(e.to_string()))?;
        if self.store.read(|c| staff::find(c, &id))?.is_some() {
            return Err(ServiceError::user(format!("staff ID {id} already exists")));
        }
        let hash = self.hasher.hash(&password)?;
        let now = self.now();
        self.store.write(|tx| {
            if let Err(e) = staff::insert(tx, &id, &hash, now) {
                if e.is_unique_violation() {
                    return Err(ServiceError::user(format!("staff ID {id} already exists")));
                }
                return Err(e.into());
            }
            audit::insert(
                tx,
                actor,
                &AuditEntry {
                    event: "staff_add",
                    outcome: "ok",
                    household_id: None,
                    subject: Some(&id),
                    detail: None,
                },
                now,
            )?;
            Ok(())
        })?;
        Ok(id)
    }

    /// How many staff accounts exist.
    pub fn staff_count(&self) -> Result<i64, ServiceError> {
        Ok(self.store.read(staff::count)?)
    }

    /// One staff login attempt. Whatever the reason for a refusal the answer is the same and costs one
    /// argon2id verification; failures count toward the staff ID's own lock.
    pub fn staff_login(
        &self,
        actor: &Actor,
        staff_id: &str,
        password: &str,
    ) -> Result<StaffLoginOutcome, ServiceError> {
        let now = self.now();
        let id = normalize(staff_id).trim().to_string();
        let password = Zeroizing::new(normalize(password));
        let account = if id.is_empty() {
            None
        } else {
            self.store.read(|c| staff::find(c, &id))?
        };
        let key = staff_lock_key(&id, account.is_some());
        // Counted before it is verified (see `lockout`); refused unverified when locked.
        let attempt = self.begin_attempt(&key, Proof::Password, None, now)?;
        let locked = attempt.is_none();
        let verified = self.hasher.verify_or_burn(
            &password,
            account
                .as_ref()
                .filter(|_| !locked)
                .map(|a| a.password_hash.as_str()),
        );
        let session = match &account {
            Some(a) if verified && !locked && !a.disabled => Some(StaffSession {
                staff_id: a.staff_id.clone(),
            }),
            _ => None,
        };
        let reason = match &account {
            _ if locked => "locked",
            None => "unknown",
            Some(_) if !verified => "bad_password",
            Some(a) if a.disabled => "disabled",
            Some(_) => "ok",
        };
        self.store.write(|tx| {
            match (&attempt, &session) {
                (Some(attempt), Some(_)) => lockout::succeeded(self, tx, attempt, now)?,
                (Some(attempt), None) => lockout::failed(self, tx, actor, attempt, now)?,
                (None, _) => {}
            }
            let mut who = actor.clone();
            if let Some(s) = &session {
                who.staff_id = Some(s.staff_id.clone());
            }
            audit::insert(
                tx,
                &who,
                &AuditEntry {
                    event: "staff_login",
                    outcome: if session.is_some() { "ok" } else { "failed" },
                    household_id: None,
                    subject: account.as_ref().map(|a| a.staff_id.as_str()),
                    detail: Some(reason.to_string()),
                },
                now,
            )?;
            Ok::<_, ServiceError>(())
        })?;
        Ok(match session {
            Some(s) => StaffLoginOutcome::Ok(s),
            None => StaffLoginOutcome::Failed,
        })
    }

    /// STEP2 of an assisted registration: the member's postcard credential, through the same login
    /// service as the kiosk (same lock counter, same audit). Only temporary IDs are tried: a member's
    /// permanent user ID and password are never checked at the staff console.
    pub fn staff_temp_login(
        &self,
        actor: &Actor,
        temp_id: &str,
        password: &str,
    ) -> Result<super::auth::LoginOutcome, ServiceError> {
        let id = normalize(temp_id).trim().to_string();
        let is_temp = !id.is_empty()
            && self
                .store
                .read(|c| credentials::find_by_temp_id(c, &id))?
                .is_some();
        if is_temp {
            return self.login(actor, &id, password);
        }
        let now = self.now();
        self.store.write(|tx| {
            audit::insert(
                tx,
                actor,
                &AuditEntry {
                    event: "login",
                    outcome: "failed",
                    household_id: None,
                    subject: None,
                    detail: Some("staff console: not a temporary ID".to_string()),
                },
                now,
            )?;
            Ok::<_, ServiceError>(())
        })?;
        Ok(super::auth::LoginOutcome::Failed)
    }

    /// The staff member leaves (`reason`: `ok` from the menu, `idle` after the idle timeout, `hangup`).
    pub fn staff_logout(&self, actor: &Actor, reason: &str) -> Result<(), ServiceError> {
        let now = self.now();
        self.store.write(|tx| {
            audit::insert(
                tx,
                actor,
                &AuditEntry {
                    event: "staff_logout",
                    outcome: reason,
                    household_id: None,
                    subject: actor.staff_id.as_deref(),
                    detail: None,
                },
                now,
            )?;
            Ok::<_, ServiceError>(())
        })
    }

    fn household_view_in(
        &self,
        c: &rusqlite::Connection,
        h: households::Household,
        now: OffsetDateTime,
    ) -> Result<HouseholdView, crate::store::StoreError> {
        let members = households::members_of(c, h.id)?;
        let account = accounts::for_household(c, h.id)?.map(|a| AccountBrief {
            user_id: a.user_id,
            registered_at: a.registered_at,
            channel: a.channel,
            staff_id: a.staff_id,
            must_change: a.must_change,
        });
        let credential = credentials::latest_for(c, h.id)?.map(|t| CredentialBrief {
            expired_now: t.state == CredentialState::Live && !t.usable(now),
            temp_id: t.temp_id,
            state: t.state,
            expires_at: t.expires_at,
        });
        Ok(HouseholdView {
            id: h.id,
            key: h.key,
            members,
            account,
            credential,
        })
    }

    /// Finds households by key or by a member's name and birth date. The lookup is audited (staff see
    /// members' personal data).
    pub fn find_households(
        &self,
        actor: &Actor,
        query: &HouseholdQuery,
    ) -> Result<Vec<HouseholdView>, ServiceError> {
        let now = self.now();
        let found = self.store.read(|c| {
            let list = match query {
                HouseholdQuery::Key(k) => households::find_by_key(c, k)?.into_iter().collect(),
                HouseholdQuery::Member { name, birth_date } => {
                    households::find_by_member(c, &normalize(name), *birth_date)?
                }
            };
            list.into_iter()
                .map(|h| self.household_view_in(c, h, now))
                .collect::<Result<Vec<_>, _>>()
        })?;
        let detail = match query {
            HouseholdQuery::Key(k) => format!("by key {}", k.masked()),
            HouseholdQuery::Member { .. } => "by name and birth date".to_string(),
        };
        self.store.write(|tx| {
            audit::insert(
                tx,
                actor,
                &AuditEntry {
                    event: "household_lookup",
                    outcome: if found.is_empty() { "not_found" } else { "ok" },
                    household_id: (found.len() == 1).then(|| found[0].id),
                    subject: None,
                    detail: Some(format!("{detail}: {} found", found.len())),
                },
                now,
            )?;
            Ok::<_, ServiceError>(())
        })?;
        Ok(found)
    }

    /// One household by id (to refresh the screen after a change).
    pub fn household_view(&self, household_id: i64) -> Result<Option<HouseholdView>, ServiceError> {
        let now = self.now();
        Ok(self.store.read(|c| {
            households::get(c, household_id)?
                .map(|h| self.household_view_in(c, h, now))
                .transpose()
        })?)
    }

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
        let expires_on = expires_at.to_offset(JST).date().to_string();
        let view = self
            .household_view(household_id)?
            .ok_or(ReissueError::NotFound)?;
        if view.account.is_some() {
            return Err(ReissueError::Registered);
        }
        let mut rng = OsRng.unwrap_err();
        let password = Zeroizing::new(generate_temp_password(&mut rng));
        let hash = self.hasher.hash(&password)?;
        let mut file = NoticesFile::open_append(notices)?;
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
            file.write(&[Notice {
                household: r.household.to_string(),
                name: r.name.clone(),
                temp_user_id: r.temp_id.clone(),
                temp_password: r.temp_password.clone(),
                expires_on: r.expires_on.clone(),
            }])?;
            Ok(r)
        })
    }

    /// The lock state of a typed ID: one view per kind of ID it names (a member's and a staff ID may be
    /// spelt alike), or the hashed counter of an unknown ID.
    pub fn lock_overview(&self, id: &str) -> Result<Vec<LockView>, ServiceError> {
        let id = normalize(id).trim().to_string();
        let now = self.now();
        let (member_kind, is_staff) = self.store.read(|c| {
            let kind = if accounts::find_by_user_id(c, &id)?.is_some() {
                Some(IdKind::Permanent)
            } else if credentials::find_by_temp_id(c, &id)?.is_some() {
                Some(IdKind::Temporary)
            } else {
                None
            };
            Ok((kind, staff::find(c, &id)?.is_some()))
        })?;
        let mut out = Vec::new();
        if let Some(kind) = member_kind {
            let state = self.store.read(|c| locks::get(c, &lock_key(&id, true)))?;
            out.push(lock_view(id.clone(), kind, state, self, now));
        }
        if is_staff {
            let state = self
                .store
                .read(|c| locks::get(c, &staff_lock_key(&id, true)))?;
            out.push(lock_view(id.clone(), IdKind::Staff, state, self, now));
        }
        if out.is_empty() {
            let state = self.store.read(|c| locks::get(c, &lock_key(&id, false)))?;
            out.push(lock_view(id, IdKind::Unknown, state, self, now));
        }
        Ok(out)
    }

    /// Every ID with failures or a lock, most recent failure first.
    pub fn lock_list(&self) -> Result<Vec<LockView>, ServiceError> {
        let now = self.now();
        let rows = self.store.read(|c| {
            let mut out = Vec::new();
            for row in locks::list(c)? {
                let (subject, kind) = if let Some(s) = row.subject.strip_prefix("staff:") {
                    (s.to_string(), IdKind::Staff)
                } else if row.subject.starts_with('?') {
                    (row.subject.clone(), IdKind::Unknown)
                } else if accounts::find_by_user_id(c, &row.subject)?.is_some() {
                    (row.subject.clone(), IdKind::Permanent)
                } else {
                    (row.subject.clone(), IdKind::Temporary)
                };
                out.push((subject, kind, row.state));
            }
            Ok(out)
        })?;
        Ok(rows
            .into_iter()
            .map(|(s, k, st)| lock_view(s, k, st, self, now))
            .collect())
    }

    /// The outbox, newest first, optionally one state only, at most `limit` rows.
    pub fn mail_list(
        &self,
        state: Option<MailState>,
        limit: usize,
    ) -> Result<Vec<OutboxRow>, ServiceError> {
        let mut rows = self.store.read(|c| outbox::list(c, state))?;
        rows.reverse();
        rows.truncate(limit);
        Ok(rows)
    }

    /// Puts a dead message back in the queue, with an audit row.
    pub fn requeue_mail(&self, actor: &Actor, id: i64) -> Result<RequeueOutcome, ServiceError> {
        let now = self.now();
        self.store.write(|tx| {
            let Some(row) = outbox::get(tx, id)? else {
                return Ok(RequeueOutcome::NotFound);
            };
            if row.state != MailState::Dead {
                return Ok(RequeueOutcome::NotDead(row.state));
            }
            outbox::requeue(tx, id, now)?;
            audit::insert(
                tx,
                actor,
                &AuditEntry {
                    event: "mail_requeue",
                    outcome: "ok",
                    household_id: row.household_id,
                    subject: Some(&format!("mail #{id}")),
                    detail: Some(format!(
                        "{} after {} attempts: {}",
                        row.kind,
                        row.attempts,
                        row.last_error.as_deref().unwrap_or("-")
                    )),
                },
                now,
            )?;
            Ok(RequeueOutcome::Requeued)
        })
    }

    /// Recent audit rows, newest first, filtered by household and/or staff ID.
    pub fn audit_view(&self, query: &AuditQuery, limit: usize) -> Result<AuditPage, ServiceError> {
        Ok(self.store.read(|c| {
            let household_id = match &query.household {
                Some(k) => match households::find_by_key(c, k)? {
                    Some(h) => Some(h.id),
                    None => {
                        return Ok(AuditPage {
                            rows: Vec::new(),
                            household_found: false,
                        });
                    }
                },
                None => None,
            };
            let filter = AuditFilter {
                household_id,
                staff_id: query
                    .staff_id
                    .as_deref()
                    .map(|s| normalize(s).trim().to_string())
                    .filter(|s| !s.is_empty()),
                event: None,
            };
            let mut keys: HashMap<i64, String> = HashMap::new();
            let mut rows = Vec::new();
            for r in audit::recent(c, &filter, limit)? {
                let household = match r.household_id {
                    Some(id) => {
                        if let std::collections::hash_map::Entry::Vacant(e) = keys.entry(id) {
                            e.insert(
                                households::get(c, id)?
                                    .map(|h| h.key.masked())
                                    .unwrap_or_else(|| format!("#{id}")),
                            );
                        }
                        keys.get(&id).cloned()
                    }
                    None => None,
                };
                rows.push(AuditView {
                    at: r.at,
                    channel: r.channel,
                    staff_id: r.staff_id,
                    client_addr: r.client_addr,
                    event: r.event,
                    outcome: r.outcome,
                    household,
                    subject: r.subject,
                    detail: r.detail,
                });
            }
            Ok(AuditPage {
                rows,
                household_found: true,
            })
        })?)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use time::macros::{date, datetime};

    use super::*;
    use crate::clock::FixedClock;
    use crate::config::Config;
    use crate::services::auth::LoginOutcome;
    use crate::services::members::parse_members_csv;
    use crate::store::outbox::NewMail;
    use crate::store::{Channel, Store};

    const T0: OffsetDateTime = datetime!(2026-04-01 01:00 UTC);
    const MEMBERS: &str = "insurer_number,symbol,number,name,birth_date,relationship
06139497,12,3401,山田 太郎,1955-04-12,insured
06139497,12,3401,山田 花子,1958-09-30,dependent
01130012,7,88,鈴木 美咲,1990-07-15,insured
";

    struct Fx {
        dir: tempfile::TempDir,
        svc: Services,
        clock: Arc<FixedClock>,
    }

    fn staff_actor(id: &str) -> Actor {
        Actor {
            channel: Channel::Staff,
            staff_id: Some(id.to_string()),
            client_addr: Some("192.0.2.7".into()),
        }
    }

    fn fixture() -> Fx {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("k.db")).unwrap();
        let clock = Arc::new(FixedClock::new(T0));
        let svc = Services::with_clock(Arc::new(store), Arc::new(Config::default()), clock.clone());
        let rows = parse_members_csv(MEMBERS, svc.clock.today()).unwrap();
        svc.import_rows(&Actor::admin(), &rows).unwrap();
        Fx { dir, svc, clock }
    }

    fn key(s: &str) -> HouseholdKey {
        HouseholdKey::parse(s).unwrap()
    }

    fn household_id(fx: &Fx, k: &str) -> i64 {
        fx.svc
            .store
            .read(|c| households::find_by_key(c, &key(k)))
            .unwrap()
            .unwrap()
            .id
    }

    #[test]
    fn staff_accounts_and_login_with_lockout() {
        let fx = fixture();
        let admin = Actor::admin();
        assert_eq!(fx.svc.staff_count().unwrap(), 0);
        let err = fx.svc.add_staff(&admin, "alice", "short1").unwrap_err();
        assert!(err.to_string().contains("at least 8"), "{err}");
        let err = fx.svc.add_staff(&admin, "alice", "xalice123").unwrap_err();
        assert!(err.to_string().to_lowercase().contains("user id"), "{err}");
        assert!(fx.svc.add_staff(&admin, "a b", "Kosmo2026x").is_err());
        assert_eq!(
            fx.svc.add_staff(&admin, "Alice", "Kosmo2026x").unwrap(),
            "Alice"
        );
        let err = fx.svc.add_staff(&admin, "alice", "Other2026x").unwrap_err();
        assert!(err.to_string().contains("already exists"), "{err}");
        assert_eq!(fx.svc.staff_count().unwrap(), 1);
        let stored = fx
            .svc
            .store
            .read(|c| staff::find(c, "alice"))
            .unwrap()
            .unwrap();
        assert!(stored.password_hash.starts_with("$argon2id$"));

        let console = Actor {
            channel: Channel::Staff,
            staff_id: None,
            client_addr: None,
        };
        match fx.svc.staff_login(&console, "ALICE", "Kosmo2026x").unwrap() {
            StaffLoginOutcome::Ok(s) => assert_eq!(s.staff_id, "Alice"),
            other => panic!("{other:?}"),
        }
        // Wrong password, unknown ID, a member's ID: the same refusal.
        for (id, pw) in [("alice", "wrong2026x"), ("nobody", "Kosmo2026x"), ("", "x")] {
            assert_eq!(
                fx.svc.staff_login(&console, id, pw).unwrap(),
                StaffLoginOutcome::Failed
            );
        }
        for _ in 0..4 {
            fx.svc.staff_login(&console, "alice", "wrong").unwrap();
        }
        // Locked now: even the right password is refused.
        assert_eq!(
            fx.svc.staff_login(&console, "alice", "Kosmo2026x").unwrap(),
            StaffLoginOutcome::Failed
        );
        let views = fx.svc.lock_overview("alice").unwrap();
        assert_eq!(views.len(), 1);
        assert_eq!(views[0].kind, IdKind::Staff);
        assert!(views[0].locked);
        assert_eq!(views[0].minutes_left, Some(15));
        assert!(
            fx.svc
                .lock_list()
                .unwrap()
                .iter()
                .any(|v| v.kind == IdKind::Staff && v.locked)
        );
        // The lock runs out after 15 minutes…
        fx.clock.advance(Duration::minutes(15));
        assert!(matches!(
            fx.svc.staff_login(&console, "alice", "Kosmo2026x").unwrap(),
            StaffLoginOutcome::Ok(_)
        ));
        // …and `admin unlock` clears a staff lock too.
        for _ in 0..5 {
            fx.svc.staff_login(&console, "alice", "wrong").unwrap();
        }
        assert!(fx.svc.lock_overview("alice").unwrap()[0].locked);
        assert!(fx.svc.unlock(&admin, "alice").unwrap());
        assert!(!fx.svc.lock_overview("alice").unwrap()[0].locked);
        let rows = fx
            .svc
            .store
            .read(|c| {
                audit::recent(
                    c,
                    &AuditFilter {
                        event: Some("staff_login".into()),
                        ..Default::default()
                    },
                    100,
                )
            })
            .unwrap();
        let ok = rows.iter().filter(|r| r.outcome == "ok").count();
        assert_eq!(ok, 2);
        assert!(
            rows.iter()
                .filter(|r| r.outcome == "ok")
                .all(|r| r.staff_id.as_deref() == Some("Alice") && r.channel == "staff")
        );
        assert!(
            rows.iter()
                .filter(|r| r.outcome == "failed")
                .all(|r| r.staff_id.is_none())
        );
    }

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

    #[test]
    fn unlock_shows_and_clears_the_real_lock_state() {
        let fx = fixture();
        let admin = Actor::admin();
        let staff = staff_actor("bob");
        let k = "01130012-7-88";
        let issued = fx
            .svc
            .issue_credentials(&admin, &fx.dir.path().join("n.csv"), &[key(k)])
            .unwrap();
        let n = &issued.notices[0];
        let kiosk = Actor::kiosk();
        for _ in 0..5 {
            fx.svc.login(&kiosk, &n.temp_user_id, "wrongpass").unwrap();
        }
        let views = fx
            .svc
            .lock_overview(&n.temp_user_id.to_lowercase())
            .unwrap();
        assert_eq!(views.len(), 1);
        assert_eq!(views[0].kind, IdKind::Temporary);
        assert!(views[0].locked);
        assert_eq!(views[0].state.failures, 5);
        fx.clock
            .advance(Duration::minutes(4) + Duration::seconds(30));
        assert_eq!(
            fx.svc.lock_overview(&n.temp_user_id).unwrap()[0].minutes_left,
            Some(11)
        );
        // The member's right password is refused while locked.
        assert!(matches!(
            fx.svc
                .login(&kiosk, &n.temp_user_id, &n.temp_password)
                .unwrap(),
            LoginOutcome::Failed
        ));
        let list = fx.svc.lock_list().unwrap();
        assert!(list.iter().any(|v| v.kind == IdKind::Temporary && v.locked));

        assert!(fx.svc.unlock(&staff, &n.temp_user_id).unwrap());
        let after = fx.svc.lock_overview(&n.temp_user_id).unwrap();
        assert!(!after[0].locked);
        assert_eq!(after[0].state, LockState::default());
        assert!(matches!(
            fx.svc
                .login(&kiosk, &n.temp_user_id, &n.temp_password)
                .unwrap(),
            LoginOutcome::Temporary(_)
        ));
        // Unlocking again says there was nothing to clear.
        assert!(!fx.svc.unlock(&staff, &n.temp_user_id).unwrap());
        let rows = fx
            .svc
            .store
            .read(|c| {
                audit::recent(
                    c,
                    &AuditFilter {
                        staff_id: Some("bob".into()),
                        ..Default::default()
                    },
                    10,
                )
            })
            .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].event, "unlock");
        assert_eq!(rows[1].outcome, "ok");
        assert_eq!(rows[0].outcome, "not_locked");
        assert_eq!(rows[1].household_id, Some(household_id(&fx, k)));

        // An unknown ID is throttled under a hash; staff see its counter when they type it.
        fx.svc.login(&kiosk, "nosuchid99", "whatever1").unwrap();
        let v = fx.svc.lock_overview("nosuchid99").unwrap();
        assert_eq!(v[0].kind, IdKind::Unknown);
        assert_eq!(v[0].state.failures, 1);
        assert!(
            fx.svc
                .lock_list()
                .unwrap()
                .iter()
                .any(|v| v.subject.starts_with('?'))
        );
    }

    #[test]
    fn requeue_only_dead_mail() {
        let fx = fixture();
        let staff = staff_actor("carol");
        let hid = household_id(&fx, "06139497-12-3401");
        let id = fx
            .svc
            .store
            .write(|tx| {
                let id = outbox::enqueue(
                    tx,
                    &NewMail {
                        kind: "welcome",
                        to: "taro@example.jp",
                        subject: "s",
                        body: "b",
                        lang: "ja",
                        message_id: "<m1@kosmoweb.jp>",
                        dedupe_key: "welcome:1",
                        household_id: Some(hid),
                    },
                    T0,
                )?;
                tx.execute(
                    "UPDATE outbox SET state = 'dead', attempts = 7, last_error = '550 5.1.1 user unknown',
                         lease_owner = 'w1' WHERE id = ?1",
                    [id],
                )?;
                Ok::<_, crate::store::StoreError>(id)
            })
            .unwrap();
        let dead = fx.svc.mail_list(Some(MailState::Dead), 10).unwrap();
        assert_eq!(dead.len(), 1);
        assert_eq!(
            dead[0].last_error.as_deref(),
            Some("550 5.1.1 user unknown")
        );
        fx.clock.advance(Duration::hours(2));
        assert_eq!(
            fx.svc.requeue_mail(&staff, id).unwrap(),
            RequeueOutcome::Requeued
        );
        let row = fx.svc.store.read(|c| outbox::get(c, id)).unwrap().unwrap();
        assert_eq!(row.state, MailState::Queued);
        assert_eq!(row.attempts, 0);
        assert_eq!(row.next_attempt_at, T0 + Duration::hours(2));
        assert_eq!(row.lease_owner, None);
        assert_eq!(row.message_id, "<m1@kosmoweb.jp>");
        assert!(
            fx.svc
                .mail_list(Some(MailState::Dead), 10)
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            fx.svc.mail_list(Some(MailState::Queued), 10).unwrap().len(),
            1
        );
        assert_eq!(
            fx.svc.requeue_mail(&staff, id).unwrap(),
            RequeueOutcome::NotDead(MailState::Queued)
        );
        assert_eq!(
            fx.svc.requeue_mail(&staff, 999).unwrap(),
            RequeueOutcome::NotFound
        );
        let rows = fx
            .svc
            .store
            .read(|c| {
                audit::recent(
                    c,
                    &AuditFilter {
                        event: Some("mail_requeue".into()),
                        ..Default::default()
                    },
                    10,
                )
            })
            .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].staff_id.as_deref(), Some("carol"));
        assert_eq!(rows[0].household_id, Some(hid));
        assert!(rows[0].detail.as_deref().unwrap().contains("550 5.1.1"));
    }

    #[test]
    fn assisted_registration_tries_only_temporary_ids() {
        let fx = fixture();
        let admin = Actor::admin();
        let staff = staff_actor("alice");
        let issued = fx
            .svc
            .issue_credentials(
                &admin,
                &fx.dir.path().join("n.csv"),
                &[key("01130012-7-88")],
            )
            .unwrap();
        let n = &issued.notices[0];
        match fx
            .svc
            .staff_temp_login(&staff, &n.temp_user_id, &n.temp_password)
            .unwrap()
        {
            LoginOutcome::Temporary(t) => assert_eq!(t.temp_id, n.temp_user_id),
            other => panic!("{other:?}"),
        }
        // A member's permanent ID and password are not even checked here.
        let hash = fx.svc.hasher.hash("Yamada2026x").unwrap();
        let hid = household_id(&fx, "06139497-12-3401");
        fx.svc
            .store
            .write(|tx| {
                tx.execute(
                    "INSERT INTO accounts (household_id, user_id, password_hash, password_set_at, notify_mail,
                         registrant, registered_at, channel) VALUES (?1, 'yamada1955', ?2, '2026-04-01T01:00:00Z', 0,
                         'insured', '2026-04-01T01:00:00Z', 'kiosk')",
                    rusqlite::params![hid, hash],
                )?;
                Ok::<_, crate::store::StoreError>(())
            })
            .unwrap();
        assert!(matches!(
            fx.svc
                .staff_temp_login(&staff, "yamada1955", "Yamada2026x")
                .unwrap(),
            LoginOutcome::Failed
        ));
        let logins = fx
            .svc
            .store
            .read(|c| {
                audit::recent(
                    c,
                    &AuditFilter {
                        event: Some("login".into()),
                        ..Default::default()
                    },
                    10,
                )
            })
            .unwrap();
        assert_eq!(logins[0].outcome, "failed");
        assert_eq!(logins[0].subject, None);
        assert_eq!(logins[0].staff_id.as_deref(), Some("alice"));
        assert_eq!(logins[1].detail.as_deref(), Some("temporary ok"));
    }

    #[test]
    fn lookups_and_audit_filters() {
        let fx = fixture();
        let a = staff_actor("alice");
        let b = staff_actor("bob");
        let by_key = fx
            .svc
            .find_households(&a, &HouseholdQuery::Key(key("06139497-12-3401")))
            .unwrap();
        assert_eq!(by_key.len(), 1);
        assert_eq!(by_key[0].members.len(), 2);
        assert_eq!(by_key[0].name(), "山田 太郎");
        // A dependent's name (spaces ignored, full-width normalised) and birth date find the household too.
        let by_member = fx
            .svc
            .find_households(
                &b,
                &HouseholdQuery::Member {
                    name: "山田　花子".into(),
                    birth_date: date!(1958 - 09 - 30),
                },
            )
            .unwrap();
        assert_eq!(by_member.len(), 1);
        assert_eq!(by_member[0].id, by_key[0].id);
        let none = fx
            .svc
            .find_households(
                &b,
                &HouseholdQuery::Member {
                    name: "山田 花子".into(),
                    birth_date: date!(1958 - 09 - 29),
                },
            )
            .unwrap();
        assert!(none.is_empty());

        let all = fx.svc.audit_view(&AuditQuery::default(), 100).unwrap();
        assert!(all.rows.len() >= 3);
        let mine = fx
            .svc
            .audit_view(
                &AuditQuery {
                    staff_id: Some("ALICE".into()),
                    ..Default::default()
                },
                100,
            )
            .unwrap();
        assert_eq!(mine.rows.len(), 1);
        assert_eq!(mine.rows[0].event, "household_lookup");
        assert_eq!(mine.rows[0].household.as_deref(), Some("******97-12-**01"));
        let household = fx
            .svc
            .audit_view(
                &AuditQuery {
                    household: Some(key("06139497-12-3401")),
                    ..Default::default()
                },
                100,
            )
            .unwrap();
        assert!(household.household_found);
        assert!(
            household
                .rows
                .iter()
                .all(|r| r.household.as_deref() == Some("******97-12-**01"))
        );
        assert_eq!(
            household
                .rows
                .iter()
                .filter(|r| r.event == "household_lookup")
                .count(),
            2
        );
        let missing = fx
            .svc
            .audit_view(
                &AuditQuery {
                    household: Some(key("33120015-9-9")),
                    ..Default::default()
                },
                100,
            )
            .unwrap();
        assert!(!missing.household_found);
        assert!(missing.rows.is_empty());
    }
}
