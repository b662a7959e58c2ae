//! The staff console's own use cases: staff accounts, staff login and logout, and the postcard login of an
//! assisted registration. (Household lookup is in `households`, reissue in `credentials`, the lock views
//! in `locks`, the mail list in `outbox`, the audit view in `audit`, パスワード再設定 in `staff_reset`,
//! メールアドレス訂正 in `email_correction`.)
//!
//! Every change writes its audit row in the same transaction, with the acting staff member's ID (and the
//! SSH client address when present) taken from the [`Actor`].

use zeroize::Zeroizing;

use super::lockout::{self, staff_lock_key};
pub use super::locks::{IdKind, LockView};
use super::pace::Pace;
use super::{ServiceError, Services};
use crate::domain::lockout::Proof;
use crate::domain::password::PasswordContext;
use crate::domain::staff::validate_staff_id;
use crate::domain::text::normalize;
use crate::store::audit::{self, AuditEntry};
use crate::store::credentials::{self};
use crate::store::{Actor, staff};

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
        let pace = Pace::start(self.config.lockout.refusal_floor_ms);
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
            None => {
                pace.hold("staff_login");
                StaffLoginOutcome::Failed
            }
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
        let pace = Pace::start(self.config.lockout.refusal_floor_ms);
        let id = normalize(temp_id).trim().to_string();
        let is_temp = !id.is_empty()
            && self
                .store
                .read(|c| credentials::find_by_temp_id(c, &id))?
                .is_some();
        if is_temp {
            return self.login(actor, &id, password);
        }
        // Refused like a wrong postcard password: the same argon2id computation and the same pace, so
        // that the console cannot tell which IDs are postcards by the time of the answer.
        self.hasher
            .verify_or_burn(&Zeroizing::new(normalize(password)), None);
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
        pace.hold("login");
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
}

#[cfg(test)]
mod tests {
    use time::Duration;

    use super::*;
    use crate::services::auth::LoginOutcome;
    use crate::services::testing::{audit_of, fixture, household_id, key, staff_actor};
    use crate::store::Channel;
    use crate::store::audit::AuditFilter;

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
        assert!(fx.svc.unlock(&admin, "alice").unwrap().cleared());
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
        let logins = audit_of(&fx, "login");
        assert_eq!(logins[0].outcome, "failed");
        assert_eq!(logins[0].subject, None);
        assert_eq!(logins[0].staff_id.as_deref(), Some("alice"));
        assert_eq!(logins[1].detail.as_deref(), Some("temporary ok"));
    }
}
