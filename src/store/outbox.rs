//! The mail outbox: one row per message and recipient, written in the same transaction as the change
//! that causes it. Delivery (claiming with a lease, marking sent/dead) is in `services::delivery`.

use rusqlite::{Connection, params};
use serde::Serialize;
use time::OffsetDateTime;

use super::{Result, StoreError, one, opt_ts, parse_ts, ts};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MailState {
    Queued,
    Sending,
    Sent,
    Dead,
}

impl MailState {
    pub fn as_str(self) -> &'static str {
        match self {
            MailState::Queued => "queued",
            MailState::Sending => "sending",
            MailState::Sent => "sent",
            MailState::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "queued" => MailState::Queued,
            "sending" => MailState::Sending,
            "sent" => MailState::Sent,
            "dead" => MailState::Dead,
            _ => return None,
        })
    }
}

/// A message to queue.
#[derive(Debug, Clone)]
pub struct NewMail<'a> {
    /// `welcome`, `email_changed`, `password_changed`, `reset_code`, …
    pub kind: &'a str,
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub lang: &'a str,
    /// Fixed at enqueue and reused on every retry.
    pub message_id: &'a str,
    /// One message per key, ever: a second enqueue with the same key returns the first row.
    pub dedupe_key: &'a str,
    pub household_id: Option<i64>,
}

/// Queues a message (due now). Returns the row id; with a dedupe key already present, the existing
/// row's id and nothing new.
pub fn enqueue(conn: &Connection, m: &NewMail<'_>, now: OffsetDateTime) -> Result<i64> {
    let n = conn.execute(
        "INSERT INTO outbox (kind, recipient, subject, body, lang, message_id, dedupe_key, household_id,
             state, attempts, created_at, next_attempt_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'queued', 0, ?9, ?9)
         ON CONFLICT(dedupe_key) DO NOTHING",
        params![
            m.kind,
            m.to,
            m.subject,
            m.body,
            m.lang,
            m.message_id,
            m.dedupe_key,
            m.household_id,
            ts(now)
        ],
    )?;
    if n == 1 {
        return Ok(conn.last_insert_rowid());
    }
    Ok(conn.query_row(
        "SELECT id FROM outbox WHERE dedupe_key = ?1",
        [m.dedupe_key],
        |r| r.get(0),
    )?)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxRow {
    pub id: i64,
    pub kind: String,
    pub to: String,
    pub subject: String,
    #[serde(skip)]
    pub body: String,
    pub lang: String,
    pub message_id: String,
    pub dedupe_key: String,
    pub household_id: Option<i64>,
    pub state: MailState,
    pub attempts: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub next_attempt_at: OffsetDateTime,
    pub lease_owner: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub lease_expires_at: Option<OffsetDateTime>,
    pub last_error: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub sent_at: Option<OffsetDateTime>,
}

pub(crate) const COLUMNS: &str = "id, kind, recipient, subject, body, lang, message_id, dedupe_key, household_id, \
     state, attempts, created_at, next_attempt_at, lease_owner, lease_expires_at, last_error, sent_at";

pub(crate) fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawRow> {
    Ok(RawRow {
        id: r.get(0)?,
        kind: r.get(1)?,
        to: r.get(2)?,
        subject: r.get(3)?,
        body: r.get(4)?,
        lang: r.get(5)?,
        message_id: r.get(6)?,
        dedupe_key: r.get(7)?,
        household_id: r.get(8)?,
        state: r.get(9)?,
        attempts: r.get(10)?,
        created_at: r.get(11)?,
        next_attempt_at: r.get(12)?,
        lease_owner: r.get(13)?,
        lease_expires_at: r.get(14)?,
        last_error: r.get(15)?,
        sent_at: r.get(16)?,
    })
}

pub(crate) struct RawRow {
    id: i64,
    kind: String,
    to: String,
    subject: String,
    body: String,
    lang: String,
    message_id: String,
    dedupe_key: String,
    household_id: Option<i64>,
    state: String,
    attempts: i64,
    created_at: String,
    next_attempt_at: String,
    lease_owner: Option<String>,
    lease_expires_at: Option<String>,
    last_error: Option<String>,
    sent_at: Option<String>,
}

impl RawRow {
    pub(crate) fn build(self) -> Result<OutboxRow> {
        Ok(OutboxRow {
            id: self.id,
            kind: self.kind,
            to: self.to,
            subject: self.subject,
            body: self.body,
            lang: self.lang,
            message_id: self.message_id,
            dedupe_key: self.dedupe_key,
            household_id: self.household_id,
            state: MailState::parse(&self.state)
                .ok_or_else(|| StoreError::Corrupt(format!("mail state {:?}", self.state)))?,
            attempts: self.attempts,
            created_at: parse_ts(&self.created_at)?,
            next_attempt_at: parse_ts(&self.next_attempt_at)?,
            lease_owner: self.lease_owner,
            lease_expires_at: opt_ts(self.lease_expires_at)?,
            last_error: self.last_error,
            sent_at: opt_ts(self.sent_at)?,
        })
    }
}

/// Every row, oldest first, optionally only those in one state.
pub fn list(conn: &Connection, state: Option<MailState>) -> Result<Vec<OutboxRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM outbox WHERE (?1 IS NULL OR state = ?1) ORDER BY id"
    ))?;
    let rows = stmt.query_map([state.map(MailState::as_str)], read_row)?;
    let mut out = Vec::new();
    for row in rows {
        out.push(row?.build()?);
    }
    Ok(out)
}

/// The newest `limit` rows in any of `states` (every state when empty), newest first.
pub fn newest(conn: &Connection, states: &[MailState], limit: usize) -> Result<Vec<OutboxRow>> {
    let wanted: Vec<&str> = states.iter().map(|s| s.as_str()).collect();
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM outbox
         WHERE ?1 = '[]' OR state IN (SELECT value FROM json_each(?1))
         ORDER BY id DESC LIMIT ?2"
    ))?;
    let json = serde_json::to_string(&wanted).unwrap_or_else(|_| "[]".into());
    let rows = stmt.query_map(params![json, limit as i64], read_row)?;
    let mut out = Vec::new();
    for row in rows {
        out.push(row?.build()?);
    }
    Ok(out)
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<OutboxRow>> {
    one(
        conn,
        &format!("SELECT {COLUMNS} FROM outbox WHERE id = ?1"),
        [id],
        read_row,
        RawRow::build,
    )
}

/// Puts a message back in the queue, due now (staff requeue, "send now"): a dead one with its attempts
/// counted afresh, a queued one waiting for its next retry keeps its count. No lease. The last error
/// stays until the next attempt replaces it. Returns false (and changes nothing) when the row is missing
/// or neither dead nor queued.
pub fn requeue(conn: &Connection, id: i64, now: OffsetDateTime) -> Result<bool> {
    let n = conn.execute(
        "UPDATE outbox SET attempts = CASE state WHEN 'dead' THEN 0 ELSE attempts END,
             state = 'queued', next_attempt_at = ?2, lease_owner = NULL, lease_expires_at = NULL
         WHERE id = ?1 AND state IN ('dead', 'queued')",
        params![id, ts(now)],
    )?;
    Ok(n == 1)
}

/// The messages of a household not yet delivered (queued, being sent, or dead) to `recipient`
/// (case-insensitive), oldest first.
pub fn undelivered_to(
    conn: &Connection,
    household_id: i64,
    recipient: &str,
) -> Result<Vec<OutboxRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM outbox
         WHERE household_id = ?1 AND state IN ('queued', 'sending', 'dead') AND recipient = ?2 COLLATE NOCASE
         ORDER BY id"
    ))?;
    let rows = stmt.query_map(params![household_id, recipient], read_row)?;
    let mut out = Vec::new();
    for row in rows {
        out.push(row?.build()?);
    }
    Ok(out)
}

/// A new address for an undelivered message (メールアドレス訂正).
#[derive(Debug, Clone)]
pub struct Readdress<'a> {
    pub to: &'a str,
    /// A new Message-ID: it is another delivery.
    pub message_id: &'a str,
}

/// Sends an undelivered message (queued, being sent or dead) to another address instead: due now,
/// attempts counted afresh, no lease, no last error. A worker holding the old lease can no longer mark
/// it (its mark checks the lease). Returns false when the row is missing or already sent.
pub fn readdress(
    conn: &Connection,
    id: i64,
    r: &Readdress<'_>,
    now: OffsetDateTime,
) -> Result<bool> {
    let n = conn.execute(
        "UPDATE outbox SET recipient = ?2, message_id = ?3, state = 'queued', attempts = 0,
             next_attempt_at = ?4, lease_owner = NULL, lease_expires_at = NULL, last_error = NULL
         WHERE id = ?1 AND state IN ('queued', 'sending', 'dead')",
        params![id, r.to, r.message_id, ts(now)],
    )?;
    Ok(n == 1)
}

/// Drops a message not yet delivered (queued, being sent or dead) whose text no longer holds (the
/// address correction replaces it with its own notice). Returns whether a row went.
pub fn discard(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn.execute(
        "DELETE FROM outbox WHERE id = ?1 AND state IN ('queued', 'sending', 'dead')",
        [id],
    )? == 1)
}

// ----- delivery: claim with a lease, mark with a check that the lease is still ours -----------------

/// Claims up to `limit` due rows for `owner` and returns them, oldest due first. Run it inside one
/// `BEGIN IMMEDIATE` transaction ([`super::Store::write`]), so that two workers never claim the same row.
///
/// Due means: `queued` with `next_attempt_at` at or before `due_by`, or `sending` whose lease expired
/// before `now` (its worker died). A claimed row is `sending`, leased to `owner` until `now + lease`, and
/// its `attempts` is counted up (a worker that dies mid-send has used an attempt).
pub fn claim(
    conn: &Connection,
    owner: &str,
    now: OffsetDateTime,
    due_by: OffsetDateTime,
    lease: time::Duration,
    limit: u32,
) -> Result<Vec<OutboxRow>> {
    // Two index scans (`outbox_due` is (state, next_attempt_at) and ends with the rowid), not one
    // scan of the whole table: the claim stays cheap however many rows are sent or dead.
    let mut stmt = conn.prepare_cached(&format!(
        "UPDATE outbox SET state = 'sending', lease_owner = ?1, lease_expires_at = ?2, attempts = attempts + 1
         WHERE id IN (
             SELECT id FROM (
                 SELECT * FROM (
                     SELECT id, next_attempt_at FROM outbox
                     WHERE state = 'queued' AND next_attempt_at <= ?3
                     ORDER BY next_attempt_at, id LIMIT ?5)
                 UNION ALL
                 SELECT * FROM (
                     SELECT id, next_attempt_at FROM outbox
                     WHERE state = 'sending' AND lease_expires_at < ?4
                     ORDER BY next_attempt_at, id LIMIT ?5))
             ORDER BY next_attempt_at, id
             LIMIT ?5)
         RETURNING {COLUMNS}"
    ))?;
    let rows = stmt.query_map(
        params![
            owner,
            ts(now.checked_add(lease).unwrap_or(now)),
            ts(due_by),
            ts(now),
            limit
        ],
        read_row,
    )?;
    let mut out = Vec::new();
    for row in rows {
        out.push(row?.build()?);
    }
    out.sort_by_key(|a| (a.next_attempt_at, a.id));
    Ok(out)
}

/// The server accepted the message; the reason of an earlier failed attempt is dropped (it would read
/// as if the sent message had a problem). False when the lease is no longer `owner`'s (another worker
/// took the row over; it will be sent again, with the same Message-ID).
pub fn mark_sent(conn: &Connection, id: i64, owner: &str, now: OffsetDateTime) -> Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE outbox SET state = 'sent', sent_at = ?3, lease_owner = NULL, lease_expires_at = NULL,
                 last_error = NULL
             WHERE id = ?1 AND state = 'sending' AND lease_owner = ?2",
        )?
        .execute(params![id, owner, ts(now)])?;
    Ok(n == 1)
}

/// A temporary failure: back to `queued`, due again at `next_attempt_at`, with the reason kept.
pub fn mark_retry(
    conn: &Connection,
    id: i64,
    owner: &str,
    next_attempt_at: OffsetDateTime,
    error: &str,
) -> Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE outbox SET state = 'queued', next_attempt_at = ?3, last_error = ?4,
                 lease_owner = NULL, lease_expires_at = NULL
             WHERE id = ?1 AND state = 'sending' AND lease_owner = ?2",
        )?
        .execute(params![id, owner, ts(next_attempt_at), error])?;
    Ok(n == 1)
}

/// Given up: `dead`, with the reason kept. Never sent again.
pub fn mark_dead(conn: &Connection, id: i64, owner: &str, error: &str) -> Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE outbox SET state = 'dead', last_error = ?3, lease_owner = NULL, lease_expires_at = NULL
             WHERE id = ?1 AND state = 'sending' AND lease_owner = ?2",
        )?
        .execute(params![id, owner, error])?;
    Ok(n == 1)
}

/// Hands a claimed row back untried (the worker is stopping, or the lease is too short to send it
/// safely): `queued` again, due as before, the claimed attempt not counted.
pub fn release(conn: &Connection, id: i64, owner: &str) -> Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE outbox SET state = 'queued', attempts = max(attempts - 1, 0),
                 lease_owner = NULL, lease_expires_at = NULL
             WHERE id = ?1 AND state = 'sending' AND lease_owner = ?2",
        )?
        .execute(params![id, owner])?;
    Ok(n == 1)
}

/// When the next row becomes due: the earliest `next_attempt_at` of a queued row, or just after the
/// earliest lease expiry of a `sending` row. None when nothing waits.
pub fn next_due(conn: &Connection) -> Result<Option<OffsetDateTime>> {
    let (queued, leased): (Option<String>, Option<String>) = conn.query_row(
        "SELECT (SELECT min(next_attempt_at) FROM outbox WHERE state = 'queued'),
                (SELECT min(lease_expires_at) FROM outbox WHERE state = 'sending')",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let queued = opt_ts(queued)?;
    // A lease is over once the clock has passed its (whole-second) expiry.
    let leased = opt_ts(leased)?.map(|t| t + time::Duration::seconds(1));
    Ok(match (queued, leased) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    })
}

/// How many rows are in each state: (queued, sending, sent, dead).
pub fn counts(conn: &Connection) -> Result<[i64; 4]> {
    let mut out = [0i64; 4];
    let mut stmt = conn.prepare("SELECT state, count(*) FROM outbox GROUP BY state")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    for row in rows {
        let (state, n) = row?;
        let i = match MailState::parse(&state) {
            Some(MailState::Queued) => 0,
            Some(MailState::Sending) => 1,
            Some(MailState::Sent) => 2,
            Some(MailState::Dead) => 3,
            None => continue,
        };
        out[i] = n;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use time::Duration;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-04-01 10:00 UTC);
    const LEASE: Duration = Duration::seconds(60);

    fn store_with(n: usize) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("k.db")).unwrap();
        store
            .write(|tx| {
                for i in 0..n {
                    enqueue(
                        tx,
                        &NewMail {
                            kind: "test",
                            to: &format!("u{i}@example.com"),
                            subject: "s",
                            body: "b",
                            lang: "ja",
                            message_id: &format!("<{i}@x>"),
                            dedupe_key: &format!("k{i}"),
                            household_id: None,
                        },
                        T0 + Duration::seconds(i as i64),
                    )?;
                }
                Ok::<_, StoreError>(())
            })
            .unwrap();
        (dir, store)
    }

    fn claim_as(store: &Store, owner: &str, now: OffsetDateTime, limit: u32) -> Vec<i64> {
        store
            .write(|tx| claim(tx, owner, now, now, LEASE, limit))
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect()
    }

    #[test]
    fn enqueue_is_idempotent_per_dedupe_key() {
        let (_d, store) = store_with(1);
        let again = store
            .write(|tx| {
                enqueue(
                    tx,
                    &NewMail {
                        kind: "test",
                        to: "other@example.com",
                        subject: "s",
                        body: "b",
                        lang: "ja",
                        message_id: "<other@x>",
                        dedupe_key: "k0",
                        household_id: None,
                    },
                    T0,
                )
            })
            .unwrap();
        assert_eq!(again, 1);
        assert_eq!(store.read(|c| list(c, None)).unwrap().len(), 1);
    }

    #[test]
    fn claims_are_disjoint_due_first_and_count_attempts() {
        let (_d, store) = store_with(5);
        let now = T0 + Duration::seconds(10);
        let a = claim_as(&store, "a", now, 3);
        let b = claim_as(&store, "b", now, 3);
        assert_eq!(a, [1, 2, 3]);
        assert_eq!(b, [4, 5]);
        assert!(claim_as(&store, "c", now, 3).is_empty());
        let row = store.read(|c| get(c, 1)).unwrap().unwrap();
        assert_eq!(row.state, MailState::Sending);
        assert_eq!(row.attempts, 1);
        assert_eq!(row.lease_owner.as_deref(), Some("a"));
        assert_eq!(row.lease_expires_at, Some(now + LEASE));
    }

    #[test]
    fn rows_not_yet_due_are_not_claimed() {
        let (_d, store) = store_with(3);
        // Row i is due at T0 + i s.
        assert_eq!(claim_as(&store, "a", T0 + Duration::seconds(1), 9), [1, 2]);
    }

    #[test]
    fn marks_need_the_lease() {
        let (_d, store) = store_with(2);
        claim_as(&store, "a", T0 + Duration::seconds(5), 9);
        store
            .write(|tx| {
                assert!(!mark_sent(tx, 1, "intruder", T0)?);
                assert!(!mark_dead(tx, 1, "intruder", "x")?);
                assert!(!mark_retry(tx, 1, "intruder", T0, "x")?);
                assert!(!release(tx, 1, "intruder")?);
                assert!(mark_sent(tx, 1, "a", T0)?);
                assert!(!mark_sent(tx, 1, "a", T0)?, "only once");
                assert!(mark_retry(
                    tx,
                    2,
                    "a",
                    T0 + Duration::hours(1),
                    "451 later"
                )?);
                Ok::<_, StoreError>(())
            })
            .unwrap();
        let rows = store.read(|c| list(c, None)).unwrap();
        assert_eq!(rows[0].state, MailState::Sent);
        assert_eq!(rows[0].lease_owner, None);
        assert_eq!(rows[1].state, MailState::Queued);
        assert_eq!(rows[1].last_error.as_deref(), Some("451 later"));
        assert_eq!(rows[1].next_attempt_at, T0 + Duration::hours(1));
        assert_eq!(store.read(next_due).unwrap(), Some(T0 + Duration::hours(1)));
        assert_eq!(store.read(counts).unwrap(), [1, 0, 1, 0]);
    }

    #[test]
    fn an_expired_lease_is_claimed_again_by_another_worker() {
        let (_d, store) = store_with(1);
        let now = T0 + Duration::seconds(1);
        assert_eq!(claim_as(&store, "dead-worker", now, 9), [1]);
        // Still leased, even at the very second it expires.
        assert!(claim_as(&store, "b", now + LEASE, 9).is_empty());
        assert_eq!(
            store.read(next_due).unwrap(),
            Some(now + LEASE + Duration::seconds(1))
        );
        let later = now + LEASE + Duration::seconds(1);
        assert_eq!(claim_as(&store, "b", later, 9), [1]);
        let row = store.read(|c| get(c, 1)).unwrap().unwrap();
        assert_eq!(row.attempts, 2, "the dead worker's attempt counts");
        assert_eq!(row.message_id, "<0@x>", "the Message-ID never changes");
        // The dead worker's late mark is refused.
        assert!(
            !store
                .write(|tx| mark_sent(tx, 1, "dead-worker", later))
                .unwrap()
        );
    }

    #[test]
    fn release_gives_the_attempt_back() {
        let (_d, store) = store_with(1);
        let now = T0 + Duration::seconds(1);
        claim_as(&store, "a", now, 9);
        assert!(store.write(|tx| release(tx, 1, "a")).unwrap());
        let row = store.read(|c| get(c, 1)).unwrap().unwrap();
        assert_eq!((row.state, row.attempts), (MailState::Queued, 0));
        assert_eq!(claim_as(&store, "b", now, 9), [1]);
    }

    #[test]
    fn dead_rows_are_never_claimed() {
        let (_d, store) = store_with(1);
        let now = T0 + Duration::seconds(1);
        claim_as(&store, "a", now, 9);
        assert!(store.write(|tx| mark_dead(tx, 1, "a", "550 no")).unwrap());
        assert!(claim_as(&store, "b", now + Duration::days(30), 9).is_empty());
        assert_eq!(store.read(next_due).unwrap(), None);
    }
}
