//! The mail outbox as people see it: the list (staff console, `outbox list`), one message's state (the
//! done screen) and putting a dead message back in the queue. Delivery itself is [`super::delivery`].

use super::{ServiceError, Services};
use crate::store::Actor;
use crate::store::audit::{self, AuditEntry};
use crate::store::outbox::{self, MailState, OutboxRow};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequeueOutcome {
    Requeued,
    NotFound,
    NotDead(MailState),
}

impl Services {
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

    /// Every message in the outbox, oldest first (`outbox list`).
    pub fn outbox_rows(&self) -> Result<Vec<OutboxRow>, ServiceError> {
        Ok(self.store.read(|c| outbox::list(c, None))?)
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
    use crate::services::testing::{T0, fixture, household_id, staff_actor};
    use crate::store::audit::AuditFilter;
    use crate::store::outbox::NewMail;

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
}
