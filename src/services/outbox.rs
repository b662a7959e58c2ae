//! The mail outbox as people see it: the list (staff console, `outbox list`), one message's state (the
//! done screen) and putting a message back in the queue ("send now"). Delivery itself is
//! [`super::delivery`]; the address correction that sends a message elsewhere is
//! [`super::email_correction`].

use std::collections::HashMap;

use time::OffsetDateTime;

use super::{ServiceError, Services};
use crate::domain::mail_words::MailReason;
use crate::store::audit::{self, AuditEntry};
use crate::store::outbox::{self, MailState, OutboxRow};
use crate::store::{Actor, accounts, households};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequeueOutcome {
    Requeued,
    NotFound,
    /// Sent, or being sent right now: nothing to do.
    NotRequeueable(MailState),
}

/// Which messages the staff list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailFilter {
    /// Dead: the worker gave up.
    Undeliverable,
    /// Queued or being sent (waiting for their first try or the next retry).
    Waiting,
    All,
}

impl MailFilter {
    fn states(self) -> &'static [MailState] {
        match self {
            MailFilter::Undeliverable => &[MailState::Dead],
            MailFilter::Waiting => &[MailState::Queued, MailState::Sending],
            MailFilter::All => &[],
        }
    }
}

/// One message as staff see it: whose it is and what happened, in words the screen translates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailView {
    pub id: i64,
    /// The internal kind (`welcome`, …): the screen shows [`crate::domain::mail_words::kind_msg`].
    pub kind: String,
    pub to: String,
    pub state: MailState,
    pub attempts: i64,
    pub created_at: OffsetDateTime,
    /// When a queued message is tried next.
    pub next_attempt_at: Option<OffsetDateTime>,
    pub sent_at: Option<OffsetDateTime>,
    /// `******97-12-**01`.
    pub household: Option<String>,
    pub household_id: Option<i64>,
    /// The insured person's name.
    pub name: Option<String>,
    /// The household's account, when it has one.
    pub user_id: Option<String>,
    /// Why it is not delivered yet (none for a sent message or one never tried).
    pub reason: Option<MailReason>,
    /// The server's own words behind [`MailView::reason`] (shown neutralised, second).
    pub last_error: Option<String>,
}

impl MailView {
    /// Staff can send it now: undeliverable, or waiting for a retry.
    pub fn requeueable(&self) -> bool {
        matches!(self.state, MailState::Dead | MailState::Queued)
    }
}

/// A row for people: a sent message carries no reason of an earlier failed attempt.
fn without_stale_error(mut r: OutboxRow) -> OutboxRow {
    if r.state == MailState::Sent {
        r.last_error = None;
    }
    r
}

impl Services {
    /// The outbox, newest first, optionally one state only, at most `limit` rows.
    pub fn mail_list(
        &self,
        state: Option<MailState>,
        limit: usize,
    ) -> Result<Vec<OutboxRow>, ServiceError> {
        let states = state.as_slice();
        let rows = self.store.read(|c| outbox::newest(c, states, limit))?;
        Ok(rows.into_iter().map(without_stale_error).collect())
    }

    /// メール送信状況: the messages of `filter`, newest first, at most `limit`, each with its household
    /// (masked), name, user ID and reason in words.
    pub fn mail_overview(
        &self,
        filter: MailFilter,
        limit: usize,
    ) -> Result<Vec<MailView>, ServiceError> {
        Ok(self.store.read(|c| {
            let rows = outbox::newest(c, filter.states(), limit)?;
            let mut who: HashMap<i64, (String, Option<String>, Option<String>)> = HashMap::new();
            let mut out = Vec::with_capacity(rows.len());
            for r in rows.into_iter().map(without_stale_error) {
                let (household, name, user_id) = match r.household_id {
                    Some(id) => {
                        if let std::collections::hash_map::Entry::Vacant(e) = who.entry(id) {
                            let masked = households::get(c, id)?
                                .map(|h| h.key.masked())
                                .unwrap_or_else(|| format!("#{id}"));
                            let name = households::name_of(c, id)?;
                            let user_id = accounts::for_household(c, id)?.map(|a| a.user_id);
                            e.insert((masked, name, user_id));
                        }
                        let (m, n, u) = who[&id].clone();
                        (Some(m), n, u)
                    }
                    None => (None, None, None),
                };
                out.push(MailView {
                    id: r.id,
                    reason: r.last_error.as_deref().map(MailReason::classify),
                    next_attempt_at: (r.state == MailState::Queued).then_some(r.next_attempt_at),
                    kind: r.kind,
                    to: r.to,
                    state: r.state,
                    attempts: r.attempts,
                    created_at: r.created_at,
                    sent_at: r.sent_at,
                    household,
                    household_id: r.household_id,
                    name,
                    user_id,
                    last_error: r.last_error,
                });
            }
            Ok(out)
        })?)
    }

    /// Sends a message now: a dead one back in the queue with its attempts counted afresh, or a queued
    /// one waiting for its next retry due at once. Same Message-ID; audited.
    pub fn requeue_mail(&self, actor: &Actor, id: i64) -> Result<RequeueOutcome, ServiceError> {
        let now = self.now();
        self.store.write(|tx| {
            let Some(row) = outbox::get(tx, id)? else {
                return Ok(RequeueOutcome::NotFound);
            };
            if !matches!(row.state, MailState::Dead | MailState::Queued) {
                return Ok(RequeueOutcome::NotRequeueable(row.state));
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
                        "kind={} was={} attempts={}: {}",
                        row.kind,
                        row.state.as_str(),
                        row.attempts,
                        row.last_error.as_deref().unwrap_or("-")
                    )),
                },
                now,
            )?;
            Ok(RequeueOutcome::Requeued)
        })
    }

    /// Every message in the outbox, oldest first (`outbox list`); a sent one shows no stale reason.
    pub fn outbox_rows(&self) -> Result<Vec<OutboxRow>, ServiceError> {
        Ok(self
            .store
            .read(|c| outbox::list(c, None))?
            .into_iter()
            .map(without_stale_error)
            .collect())
    }

    /// The state of one message (the done screen reports on its welcome mail); None when it is gone.
    pub fn mail_state(&self, id: i64) -> Result<Option<MailState>, ServiceError> {
        Ok(self.store.read(|c| outbox::get(c, id))?.map(|r| r.state))
    }
}

#[cfg(test)]
mod tests {
    use time::Duration;

    use super::*;
    use crate::services::testing::{T0, audit_of, fixture, household_id, staff_actor};
    use crate::store::outbox::NewMail;

    #[test]
    fn requeue_dead_and_waiting_mail() {
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
        // Waiting for a retry: sent now, its count kept.
        fx.svc
            .store
            .write(|tx| {
                tx.execute(
                    "UPDATE outbox SET attempts = 3, next_attempt_at = '2026-04-02T00:00:00Z',
                         last_error = 'transient error (451): 4.3.0 later' WHERE id = ?1",
                    [id],
                )?;
                Ok::<_, crate::store::StoreError>(())
            })
            .unwrap();
        let waiting = fx.svc.mail_overview(MailFilter::Waiting, 10).unwrap();
        assert_eq!(waiting.len(), 1);
        assert!(waiting[0].requeueable());
        assert_eq!(waiting[0].user_id, None);
        assert_eq!(waiting[0].household.as_deref(), Some("******97-12-**01"));
        assert_eq!(waiting[0].name.as_deref(), Some("山田 太郎"));
        assert_eq!(
            waiting[0].reason.map(|r| r.cause),
            Some(crate::domain::mail_words::Cause::TryLater)
        );
        fx.clock.advance(Duration::minutes(1));
        assert_eq!(
            fx.svc.requeue_mail(&staff, id).unwrap(),
            RequeueOutcome::Requeued
        );
        let row = fx.svc.store.read(|c| outbox::get(c, id)).unwrap().unwrap();
        assert_eq!(row.state, MailState::Queued);
        assert_eq!(row.attempts, 3);
        assert_eq!(
            row.next_attempt_at,
            T0 + Duration::hours(2) + Duration::minutes(1)
        );
        fx.svc
            .store
            .write(|tx| {
                tx.execute("UPDATE outbox SET state = 'sent' WHERE id = ?1", [id])?;
                Ok::<_, crate::store::StoreError>(())
            })
            .unwrap();
        assert_eq!(
            fx.svc.requeue_mail(&staff, id).unwrap(),
            RequeueOutcome::NotRequeueable(MailState::Sent)
        );
        // A sent message shows no reason of an earlier failed attempt.
        assert_eq!(fx.svc.outbox_rows().unwrap()[0].last_error, None);
        let all = fx.svc.mail_overview(MailFilter::All, 10).unwrap();
        assert_eq!((all[0].reason, all[0].last_error.as_deref()), (None, None));
        assert_eq!(
            fx.svc.requeue_mail(&staff, 999).unwrap(),
            RequeueOutcome::NotFound
        );
        let rows = audit_of(&fx, "mail_requeue");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].staff_id.as_deref(), Some("carol"));
        assert_eq!(rows[1].household_id, Some(hid));
        assert!(rows[1].detail.as_deref().unwrap().contains("550 5.1.1"));
        assert!(
            rows[0]
                .detail
                .as_deref()
                .unwrap()
                .starts_with("kind=welcome was=queued attempts=3")
        );
    }
}
