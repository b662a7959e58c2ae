//! One-time codes for a forgotten password: stored only as argon2id PHC strings, short-lived, single-use,
//! a bounded number of wrong entries. At most one code per account is live: issuing a new one retires
//! the others (their `used_at` is set without a successful use).

use rusqlite::{Connection, params};
use time::OffsetDateTime;

use super::{Result, one, opt_ts, parse_ts, ts};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetCode {
    pub id: i64,
    pub account_id: i64,
    pub code_hash: String,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub used_at: Option<OffsetDateTime>,
    pub attempts: u32,
}

impl ResetCode {
    /// Unused, unexpired and with wrong entries to spare.
    pub fn usable(&self, now: OffsetDateTime, max_attempts: u32) -> bool {
        self.used_at.is_none() && now < self.expires_at && self.attempts < max_attempts
    }
}

const COLUMNS: &str = "id, account_id, code_hash, created_at, expires_at, used_at, attempts";

type Raw = (i64, i64, String, String, String, Option<String>, i64);

fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<Raw> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
    ))
}

fn build(raw: Raw) -> Result<ResetCode> {
    let (id, account_id, code_hash, created_at, expires_at, used_at, attempts) = raw;
    Ok(ResetCode {
        id,
        account_id,
        code_hash,
        created_at: parse_ts(&created_at)?,
        expires_at: parse_ts(&expires_at)?,
        used_at: opt_ts(used_at)?,
        attempts: attempts.max(0) as u32,
    })
}

/// Stores a new code (its hash) and retires every earlier unused code of the account.
pub fn insert(
    conn: &Connection,
    account_id: i64,
    code_hash: &str,
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> Result<i64> {
    retire_all(conn, account_id, now)?;
    conn.execute(
        "INSERT INTO reset_codes (account_id, code_hash, created_at, expires_at, attempts)
         VALUES (?1, ?2, ?3, ?4, 0)",
        params![account_id, code_hash, ts(now), ts(expires_at)],
    )?;
    Ok(conn.last_insert_rowid())
}

/// The account's newest code that has not been used or retired (it may have expired or run out of
/// attempts: check [`ResetCode::usable`]).
pub fn latest_unused(conn: &Connection, account_id: i64) -> Result<Option<ResetCode>> {
    one(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM reset_codes WHERE account_id = ?1 AND used_at IS NULL
                 ORDER BY id DESC LIMIT 1"
        ),
        [account_id],
        read,
        build,
    )
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<ResetCode>> {
    one(
        conn,
        &format!("SELECT {COLUMNS} FROM reset_codes WHERE id = ?1"),
        [id],
        read,
        build,
    )
}

/// Every code of the account, oldest first (tests, staff).
pub fn for_account(conn: &Connection, account_id: i64) -> Result<Vec<ResetCode>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM reset_codes WHERE account_id = ?1 ORDER BY id"
    ))?;
    let rows = stmt.query_map([account_id], read)?;
    let mut out = Vec::new();
    for r in rows {
        out.push(build(r?)?);
    }
    Ok(out)
}

/// How many codes were issued to the account at or after `since`.
pub fn issued_since(conn: &Connection, account_id: i64, since: OffsetDateTime) -> Result<u32> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM reset_codes WHERE account_id = ?1 AND created_at >= ?2",
        params![account_id, ts(since)],
        |r| r.get(0),
    )?;
    Ok(n.max(0) as u32)
}

/// Counts one wrong entry of the code.
pub fn add_attempt(conn: &Connection, id: i64) -> Result<()> {
    conn.execute(
        "UPDATE reset_codes SET attempts = attempts + 1 WHERE id = ?1",
        [id],
    )?;
    Ok(())
}

/// Marks the code used. False when it already was (a second kiosk got there first).
pub fn mark_used(conn: &Connection, id: i64, now: OffsetDateTime) -> Result<bool> {
    Ok(conn.execute(
        "UPDATE reset_codes SET used_at = ?2 WHERE id = ?1 AND used_at IS NULL",
        params![id, ts(now)],
    )? == 1)
}

/// Retires every unused code of the account. Returns how many.
pub fn retire_all(conn: &Connection, account_id: i64, now: OffsetDateTime) -> Result<usize> {
    Ok(conn.execute(
        "UPDATE reset_codes SET used_at = ?2 WHERE account_id = ?1 AND used_at IS NULL",
        params![account_id, ts(now)],
    )?)
}
