//! Household lookup for the staff console: by key, or by a member's name and birth date, with the
//! household's account and newest postcard credential. Every lookup is audited.

use time::{Date, OffsetDateTime};

use super::{ServiceError, Services};
use crate::domain::household::HouseholdKey;
use crate::domain::text::normalize;
use crate::store::Actor;
use crate::store::accounts::{self, MustChange};
use crate::store::audit::{self, AuditEntry};
use crate::store::credentials::{self, CredentialState};
use crate::store::households::{self, Member};

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
    /// The member's address on file (staff see it masked).
    pub email: Option<String>,
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

impl Services {
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
            email: a.email,
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
}
