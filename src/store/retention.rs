//! Retention: what `admin purge` removes, counted or done. Each kind has a cutoff time; what ended after
//! its cutoff is inside its window and is never touched.

use rusqlite::{Connection, OptionalExtension, named_params};
use time::OffsetDateTime;

use super::{Result, ts};

/// The moment before which each kind of data is purged; `None` keeps that kind forever.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cutoffs {
    /// Postcards used or revoked before this, or that expired before this: their hashes go.
    pub credential_hash: Option<OffsetDateTime>,
    /// Reset codes created before this that are used or expired: deleted.
    pub reset_code: Option<OffsetDateTime>,
    /// Mail sent before this: its body is emptied.
    pub sent_mail_body: Option<OffsetDateTime>,
    /// Audit rows written before this: deleted.
    pub audit: Option<OffsetDateTime>,
}

/// How many of each kind a purge removes (or would).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct PurgeCounts {
    pub credential_hashes: u64,
    pub reset_codes: u64,
    pub mail_bodies: u64,
    pub audit_rows: u64,
}

impl PurgeCounts {
    pub fn total(&self) -> u64 {
        self.credential_hashes + self.reset_codes + self.mail_bodies + self.audit_rows
    }
}

/// When a postcard stopped working: used or revoked at `state_at`; otherwise (expired, or live but
/// past its date) at `expires_at`.
const CREDENTIAL_DUE: &str = "password_hash <> ''
    AND (state <> 'live' OR expires_at <= :now)
    AND (CASE WHEN state IN ('used', 'revoked') THEN coalesce(state_at, issued_at) ELSE expires_at END) <= :cutoff";
const RESET_CODE_DUE: &str =
    "(used_at IS NOT NULL OR expires_at <= :now) AND created_at <= :cutoff";
const MAIL_BODY_DUE: &str = "state = 'sent' AND body <> '' AND sent_at <= :cutoff";
const AUDIT_DUE: &str = "at < :cutoff";

fn count(conn: &Connection, table: &str, due: &str, now: &str, cutoff: &str) -> Result<u64> {
    let sql = format!("SELECT count(*) FROM {table} WHERE {due}");
    let mut st = conn.prepare_cached(&sql)?;
    // Only the named parameters the statement uses (SQLite refuses others).
    let mut params: Vec<(&str, &dyn rusqlite::ToSql)> = vec![(":cutoff", &cutoff)];
    if st.parameter_index(":now")?.is_some() {
        params.push((":now", &now));
    }
    let n: i64 = st.query_row(&*params, |r| r.get(0))?;
    Ok(n as u64)
}

/// What a purge at `now` with these cutoffs would remove.
pub fn due(conn: &Connection, now: OffsetDateTime, c: &Cutoffs) -> Result<PurgeCounts> {
    let now = ts(now);
    let n = |cut: Option<OffsetDateTime>, table: &str, due: &str| -> Result<u64> {
        match cut {
            Some(cut) => count(conn, table, due, &now, &ts(cut)),
            None => Ok(0),
        }
    };
    Ok(PurgeCounts {
        credential_hashes: n(c.credential_hash, "temp_credentials", CREDENTIAL_DUE)?,
        reset_codes: n(c.reset_code, "reset_codes", RESET_CODE_DUE)?,
        mail_bodies: n(c.sent_mail_body, "outbox", MAIL_BODY_DUE)?,
        audit_rows: n(c.audit, "audit", AUDIT_DUE)?,
    })
}

/// Removes what is past its window; call inside a write transaction.
pub fn purge(conn: &Connection, now: OffsetDateTime, c: &Cutoffs) -> Result<PurgeCounts> {
    let now_s = ts(now);
    let mut done = PurgeCounts::default();
    if let Some(cut) = c.credential_hash {
        done.credential_hashes = conn.execute(
            &format!(
                "UPDATE temp_credentials
                 SET password_hash = '', identity_token_hash = NULL,
                     state_at = CASE WHEN state = 'live' THEN :now ELSE state_at END,
                     state = CASE WHEN state = 'live' THEN 'expired' ELSE state END
                 WHERE {CREDENTIAL_DUE}"
            ),
            named_params! {":now": now_s, ":cutoff": ts(cut)},
        )? as u64;
    }
    if let Some(cut) = c.reset_code {
        done.reset_codes = conn.execute(
            &format!("DELETE FROM reset_codes WHERE {RESET_CODE_DUE}"),
            named_params! {":now": now_s, ":cutoff": ts(cut)},
        )? as u64;
    }
    if let Some(cut) = c.sent_mail_body {
        done.mail_bodies = conn.execute(
            &format!("UPDATE outbox SET body = '' WHERE {MAIL_BODY_DUE}"),
            named_params! {":cutoff": ts(cut)},
        )? as u64;
    }
    if let Some(cut) = c.audit {
        done.audit_rows = conn.execute(
            &format!("DELETE FROM audit WHERE {AUDIT_DUE}"),
            named_params! {":cutoff": ts(cut)},
        )? as u64;
    }
    Ok(done)
}

/// When the last purge ran (its audit row), if one did.
pub fn last_purge(conn: &Connection) -> Result<Option<OffsetDateTime>> {
    last_event(conn, "purge")
}

/// The time of the newest successful audit row of `event`.
pub fn last_event(conn: &Connection, event: &str) -> Result<Option<OffsetDateTime>> {
    // Rows are appended in time order: walking back from the newest finds a recent one at once.
    let at: Option<String> = conn
        .query_row(
            "SELECT at FROM audit WHERE event = ?1 AND outcome = 'ok' ORDER BY id DESC LIMIT 1",
            [event],
            |r| r.get(0),
        )
        .optional()?;
    super::opt_ts(at)
}
