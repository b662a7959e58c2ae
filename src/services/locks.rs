//! ロック解除 as staff see it: the real lock state of an ID (which the kiosk never reveals) and the list of
//! every ID locked or with failures, each with whose it is — the household (masked), the name, and the
//! ID as printed on the postcard (temporary IDs in upper case). Spent postcards (used, revoked, expired)
//! are left out of the list: nobody can log in with them, so there is nothing to unlock. Clearing a lock
//! is [`Services::unlock`] in `lockout`.

use rusqlite::Connection;
use time::OffsetDateTime;

use super::lockout::{lock_key, staff_lock_key};
use super::{ServiceError, Services};
use crate::domain::lockout::LockState;
use crate::domain::text::normalize;
use crate::store::credentials::{self};
use crate::store::{accounts, households, locks, staff};

/// How many IDs the staff unlock screen reads (the most recent failures first): any other ID is found
/// by typing it ([`Services::lock_overview`]), so the list does not grow with the society.
pub const LOCK_LIST_LIMIT: usize = 200;

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
    /// The ID as typed (for a lookup) or as printed and stored (for the list: a temporary ID in upper
    /// case as on the postcard; `?…` for unknown IDs).
    pub subject: String,
    pub kind: IdKind,
    pub state: LockState,
    pub locked: bool,
    /// Whole minutes left on the lock, rounded up.
    pub minutes_left: Option<i64>,
    /// Whose ID it is: the household, masked (`******97-12-**01`).
    pub household: Option<String>,
    /// The insured person's name.
    pub name: Option<String>,
}

/// Whose a member's ID is.
struct Owner {
    kind: IdKind,
    /// As stored: a user ID as registered, a temporary ID in upper case.
    id: String,
    household_id: i64,
    /// A temporary ID that can still log in (live, not expired, household not registered).
    usable: bool,
}

fn owner(
    c: &Connection,
    id: &str,
    now: OffsetDateTime,
) -> Result<Option<Owner>, crate::store::StoreError> {
    if let Some(a) = accounts::find_by_user_id(c, id)? {
        return Ok(Some(Owner {
            kind: IdKind::Permanent,
            id: a.user_id,
            household_id: a.household_id,
            usable: true,
        }));
    }
    if let Some(t) = credentials::find_by_temp_id(c, id)? {
        let usable = t.usable(now) && accounts::for_household(c, t.household_id)?.is_none();
        return Ok(Some(Owner {
            kind: IdKind::Temporary,
            id: t.temp_id.to_uppercase(),
            household_id: t.household_id,
            usable,
        }));
    }
    Ok(None)
}

impl Services {
    fn lock_view(
        &self,
        c: &Connection,
        subject: String,
        kind: IdKind,
        household_id: Option<i64>,
        state: LockState,
        now: OffsetDateTime,
    ) -> Result<LockView, crate::store::StoreError> {
        let policy = self.config.lockout.policy();
        let remaining = policy.remaining(&state, now);
        let (household, name) = match household_id {
            Some(id) => (
                households::get(c, id)?.map(|h| h.key.masked()),
                households::name_of(c, id)?,
            ),
            None => (None, None),
        };
        Ok(LockView {
            subject,
            kind,
            locked: remaining.is_some(),
            minutes_left: remaining.map(|d| (d.whole_seconds() + 59) / 60),
            state,
            household,
            name,
        })
    }

    /// The lock state of a typed ID: one view per kind of ID it names (a member's and a staff ID may be
    /// spelt alike), or the hashed counter of an unknown ID.
    pub fn lock_overview(&self, id: &str) -> Result<Vec<LockView>, ServiceError> {
        let id = normalize(id).trim().to_string();
        let now = self.now();
        Ok(self.store.read(|c| {
            let mut out = Vec::new();
            if let Some(o) = owner(c, &id, now)? {
                let state = locks::get(c, &lock_key(&o.id, true))?;
                out.push(self.lock_view(c, o.id, o.kind, Some(o.household_id), state, now)?);
            }
            if let Some(s) = staff::find(c, &id)? {
                let state = locks::get(c, &staff_lock_key(&id, true))?;
                out.push(self.lock_view(c, s.staff_id, IdKind::Staff, None, state, now)?);
            }
            if out.is_empty() {
                let state = locks::get(c, &lock_key(&id, false))?;
                out.push(self.lock_view(c, id.clone(), IdKind::Unknown, None, state, now)?);
            }
            Ok(out)
        })?)
    }

    /// The IDs with failures or a lock, most recent failure first, of the newest [`LOCK_LIST_LIMIT`];
    /// spent postcards left out.
    pub fn lock_list(&self) -> Result<Vec<LockView>, ServiceError> {
        let now = self.now();
        Ok(self.store.read(|c| {
            let mut out = Vec::new();
            for row in locks::list(c, LOCK_LIST_LIMIT)? {
                if let Some(s) = row.subject.strip_prefix("staff:") {
                    let shown = staff::find(c, s)?.map_or_else(|| s.to_string(), |a| a.staff_id);
                    out.push(self.lock_view(c, shown, IdKind::Staff, None, row.state, now)?);
                } else if row.subject.starts_with('?') {
                    out.push(self.lock_view(
                        c,
                        row.subject,
                        IdKind::Unknown,
                        None,
                        row.state,
                        now,
                    )?);
                } else if let Some(o) = owner(c, &row.subject, now)? {
                    if o.usable {
                        out.push(self.lock_view(
                            c,
                            o.id,
                            o.kind,
                            Some(o.household_id),
                            row.state,
                            now,
                        )?);
                    }
                }
            }
            Ok(out)
        })?)
    }
}

#[cfg(test)]
mod tests {
    use time::Duration;

    use super::*;
    use crate::services::auth::LoginOutcome;
    use crate::services::lockout::UnlockOutcome;
    use crate::services::testing::{audit_rows, fixture, household_id, key, staff_actor};
    use crate::store::Actor;
    use crate::store::audit::AuditFilter;

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
        assert_eq!(views[0].subject, n.temp_user_id.to_uppercase());
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
        // The list says whose ID it is, as printed on the postcard.
        let list = fx.svc.lock_list().unwrap();
        let row = list
            .iter()
            .find(|v| v.kind == IdKind::Temporary)
            .expect("the postcard's lock is listed");
        assert!(row.locked);
        assert_eq!(row.subject, n.temp_user_id.to_uppercase());
        assert_eq!(row.household.as_deref(), Some("******12-7-**"));
        assert_eq!(row.name.as_deref(), Some("鈴木 美咲"));

        assert_eq!(
            fx.svc.unlock(&staff, &n.temp_user_id).unwrap(),
            UnlockOutcome::Unlocked
        );
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
        assert_eq!(
            fx.svc.unlock(&staff, &n.temp_user_id).unwrap(),
            UnlockOutcome::NotLocked
        );
        let rows = audit_rows(
            &fx,
            AuditFilter {
                staff_id: Some("bob".into()),
                ..Default::default()
            },
        );
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
        // Unlocking an ID nobody knows and nothing counts says so.
        assert_eq!(
            fx.svc.unlock(&staff, "neverseen01").unwrap(),
            UnlockOutcome::Unknown
        );
        assert_eq!(
            fx.svc.unlock(&staff, "nosuchid99").unwrap(),
            UnlockOutcome::Unlocked
        );
    }

    #[test]
    fn spent_postcards_are_not_listed() {
        let fx = fixture();
        let admin = Actor::admin();
        let k = "06139497-12-3401";
        let first = fx
            .svc
            .issue_credentials(&admin, &fx.dir.path().join("n1.csv"), &[key(k)])
            .unwrap();
        let old = first.notices[0].clone();
        for _ in 0..2 {
            fx.svc
                .login(&Actor::kiosk(), &old.temp_user_id, "wrongpass")
                .unwrap();
        }
        assert_eq!(fx.svc.lock_list().unwrap().len(), 1);
        // A new postcard revokes the old one: its counter is no longer shown.
        fx.svc
            .issue_credentials(&admin, &fx.dir.path().join("n2.csv"), &[key(k)])
            .unwrap();
        assert!(fx.svc.lock_list().unwrap().is_empty());
        // Typed, it is still shown (staff asked for it).
        assert_eq!(
            fx.svc.lock_overview(&old.temp_user_id).unwrap()[0]
                .state
                .failures,
            2
        );
    }
}
