//! The audit trail as staff read it — filtered by household, staff ID, user ID (or temporary ID) and
//! name; households masked and named, so that neighbours under one symbol are told apart; each row read
//! as a sentence by [`crate::domain::audit_words`] — and the audit rows of a member's logout.

use std::collections::HashMap;

use time::OffsetDateTime;

use super::auth::AccountSession;
use super::{ServiceError, Services, lockout};
use crate::domain::household::HouseholdKey;
use crate::domain::text::normalize;
use crate::store::Actor;
use crate::store::audit::{self, AuditEntry, AuditFilter};
use crate::store::households;

/// Filters of the audit screen (all given ones apply).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    pub household: Option<HouseholdKey>,
    pub staff_id: Option<String>,
    /// A member's user ID or temporary ID: the rows of its household (or of that ID, when it names no
    /// household, e.g. a staff ID or an unknown ID).
    pub user_id: Option<String>,
    /// Part of a member's name: the rows of every household with such a member.
    pub name: Option<String>,
}

/// The most households a name filter spans (a surname alone can match many).
pub const NAME_FILTER_HOUSEHOLDS: usize = 500;

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
    /// The household's insured person (tells apart households whose masked keys look alike).
    pub name: Option<String>,
    pub subject: Option<String>,
    pub detail: Option<String>,
}

impl AuditView {
    /// The row in words.
    pub fn words(&self) -> crate::domain::audit_words::AuditWords {
        crate::domain::audit_words::describe(
            &self.event,
            &self.outcome,
            self.subject.as_deref(),
            self.detail.as_deref(),
        )
    }
}

/// The audit screen's rows, and whether each filter found what it names (a household key that exists,
/// a name some member has).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditPage {
    pub rows: Vec<AuditView>,
    pub household_found: bool,
    pub name_found: bool,
}

impl Services {
    /// A member leaves the account area: `outcome` is `ok` (ログアウト) or `idle` (the idle timeout).
    pub fn member_logout(
        &self,
        actor: &Actor,
        session: &AccountSession,
        outcome: &str,
    ) -> Result<(), ServiceError> {
        let now = self.now();
        self.store.write(|tx| {
            audit::insert(
                tx,
                actor,
                &AuditEntry {
                    event: "logout",
                    outcome,
                    household_id: Some(session.household_id),
                    subject: Some(&session.user_id),
                    detail: None,
                },
                now,
            )?;
            Ok::<_, ServiceError>(())
        })
    }

    /// Recent audit rows, newest first, filtered as [`AuditQuery`] says.
    pub fn audit_view(&self, query: &AuditQuery, limit: usize) -> Result<AuditPage, ServiceError> {
        let clean = |s: &Option<String>| {
            s.as_deref()
                .map(|s| normalize(s).trim().to_string())
                .filter(|s| !s.is_empty())
        };
        Ok(self.store.read(|c| {
            let empty = |household_found, name_found| AuditPage {
                rows: Vec::new(),
                household_found,
                name_found,
            };
            let household_id = match &query.household {
                Some(k) => match households::find_by_key(c, k)? {
                    Some(h) => Some(h.id),
                    None => return Ok(empty(false, true)),
                },
                None => None,
            };
            let household_ids = match clean(&query.name) {
                Some(name) => {
                    let ids = households::ids_by_name_part(c, &name, NAME_FILTER_HOUSEHOLDS)?;
                    if ids.is_empty() {
                        return Ok(empty(true, false));
                    }
                    Some(ids)
                }
                None => None,
            };
            // A member's ID stands for its household; any other ID is matched as written.
            let (id_household, subject) = match clean(&query.user_id) {
                Some(id) => match lockout::subject(c, &id)?.household_id {
                    Some(h) => (Some(h), None),
                    None => (None, Some(id)),
                },
                None => (None, None),
            };
            let household_id = match (household_id, id_household) {
                (Some(a), Some(b)) if a != b => return Ok(empty(true, true)),
                (a, b) => a.or(b),
            };
            let filter = AuditFilter {
                household_id,
                staff_id: clean(&query.staff_id),
                event: None,
                household_ids,
                subject,
            };
            let mut who: HashMap<i64, (String, Option<String>)> = HashMap::new();
            let mut rows = Vec::new();
            for r in audit::recent(c, &filter, limit)? {
                let (household, name) = match r.household_id {
                    Some(id) => {
                        if let std::collections::hash_map::Entry::Vacant(e) = who.entry(id) {
                            e.insert((
                                households::get(c, id)?
                                    .map(|h| h.key.masked())
                                    .unwrap_or_else(|| format!("#{id}")),
                                households::name_of(c, id)?,
                            ));
                        }
                        let (k, n) = who[&id].clone();
                        (Some(k), n)
                    }
                    None => (None, None),
                };
                rows.push(AuditView {
                    at: r.at,
                    channel: r.channel,
                    staff_id: r.staff_id,
                    client_addr: r.client_addr,
                    event: r.event,
                    outcome: r.outcome,
                    household,
                    name,
                    subject: r.subject,
                    detail: r.detail,
                });
            }
            Ok(AuditPage {
                rows,
                household_found: true,
                name_found: true,
            })
        })?)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::services::households::HouseholdQuery;
    use crate::services::testing::{fixture, key, staff_actor};

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
