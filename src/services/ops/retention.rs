//! Retention (`[retention]`): `admin purge [--dry-run]`, and once a day from `outbox sync`.

use time::{Duration, OffsetDateTime};

use crate::config::RetentionConfig;
use crate::services::{ServiceError, Services};
use crate::store::Actor;
use crate::store::audit::{self, AuditEntry};
use crate::store::retention::{self, Cutoffs, PurgeCounts};

/// How often `outbox sync` purges.
pub const PURGE_EVERY: Duration = Duration::hours(24);

/// `years` calendar years before `t` (29 February becomes 28 February).
fn years_before(t: OffsetDateTime, years: u32) -> OffsetDateTime {
    let y = t.year() - years as i32;
    t.replace_year(y)
        .or_else(|_| t.replace_day(28).and_then(|t| t.replace_year(y)))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// The cutoffs of a purge at `now`: everything that ended after its cutoff is inside its window.
pub fn cutoffs(r: &RetentionConfig, now: OffsetDateTime) -> Cutoffs {
    let nonzero = |n: u32| (n > 0).then_some(n);
    Cutoffs {
        credential_hash: nonzero(r.credential_hash_days).map(|d| now - Duration::days(d.into())),
        reset_code: nonzero(r.reset_code_hours).map(|h| now - Duration::hours(h.into())),
        sent_mail_body: nonzero(r.sent_mail_body_days).map(|d| now - Duration::days(d.into())),
        audit: nonzero(r.audit_years).map(|y| years_before(now, y)),
    }
}

/// The cutoffs moved `by` further back: what is still kept that long after its window closed.
pub fn overdue_cutoffs(r: &RetentionConfig, now: OffsetDateTime, by: Duration) -> Cutoffs {
    let c = cutoffs(r, now);
    Cutoffs {
        credential_hash: c.credential_hash.map(|t| t - by),
        reset_code: c.reset_code.map(|t| t - by),
        sent_mail_body: c.sent_mail_body.map(|t| t - by),
        audit: c.audit.map(|t| t - by),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurgeReport {
    pub counts: PurgeCounts,
    pub dry_run: bool,
}

impl Services {
    /// Applies the retention windows in one transaction with its audit row (`purge`, the counts in the
    /// detail); with `dry_run`, only counts and writes nothing.
    pub fn purge(&self, actor: &Actor, dry_run: bool) -> Result<PurgeReport, ServiceError> {
        let now = self.now();
        let c = cutoffs(&self.config.retention, now);
        if dry_run {
            let counts = self.store.read(|conn| retention::due(conn, now, &c))?;
            return Ok(PurgeReport { counts, dry_run });
        }
        let counts = self.store.write(|tx| purge_in(tx, actor, now, &c))?;
        Ok(PurgeReport { counts, dry_run })
    }

    /// Purges when the last purge is a day old or more (what `outbox sync` calls each round). The check
    /// and the purge are one transaction, so two workers never both purge. `None` when not due.
    pub fn purge_if_due(&self, actor: &Actor) -> Result<Option<PurgeCounts>, ServiceError> {
        let now = self.now();
        let recent = |at: Option<OffsetDateTime>| at.is_some_and(|at| now - at < PURGE_EVERY);
        // Most rounds end here, without taking the write lock.
        if recent(self.store.read(retention::last_purge)?) {
            return Ok(None);
        }
        let c = cutoffs(&self.config.retention, now);
        self.store.write(|tx| {
            if recent(retention::last_purge(tx)?) {
                return Ok::<_, ServiceError>(None);
            }
            purge_in(tx, actor, now, &c).map(Some)
        })
    }
}

fn purge_in(
    tx: &rusqlite::Transaction<'_>,
    actor: &Actor,
    now: OffsetDateTime,
    c: &Cutoffs,
) -> Result<PurgeCounts, ServiceError> {
    let counts = retention::purge(tx, now, c)?;
    audit::insert(
        tx,
        actor,
        &AuditEntry {
            event: "purge",
            outcome: "ok",
            household_id: None,
            subject: None,
            detail: Some(format!(
                "credential_hashes {} reset_codes {} mail_bodies {} audit_rows {}",
                counts.credential_hashes, counts.reset_codes, counts.mail_bodies, counts.audit_rows
            )),
        },
        now,
    )?;
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn audit_years_are_calendar_years() {
        let t = datetime!(2028-02-29 12:00 UTC);
        assert_eq!(years_before(t, 5), datetime!(2023-02-28 12:00 UTC));
        let t = datetime!(2026-06-01 00:00 UTC);
        assert_eq!(years_before(t, 5), datetime!(2021-06-01 00:00 UTC));
    }

    #[test]
    fn zero_keeps_forever() {
        let r = RetentionConfig {
            credential_hash_days: 0,
            reset_code_hours: 0,
            sent_mail_body_days: 0,
            audit_years: 0,
        };
        assert_eq!(cutoffs(&r, OffsetDateTime::UNIX_EPOCH), Cutoffs::default());
    }
}
