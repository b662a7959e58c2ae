//! Lock state per typed ID. The policy (how many failures, how long) lives in `domain::lockout`.

use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;

use super::{Result, opt_ts, ts};
use crate::domain::lockout::LockState;

/// The canonical form of an ID for the lock table: trimmed and lower-case.
pub fn subject_key(id: &str) -> String {
    id.trim().to_lowercase()
}

const STATE_COLUMNS: &str = "failures, identity_failures, reset_failures, lock_count, locked_until";

/// The row's counters from `STATE_COLUMNS`, starting at column `at`.
fn state_at(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<(LockState, Option<String>)> {
    let count = |i: usize| {
        r.get::<_, i64>(at + i)
            .map(|n| n.clamp(0, i64::from(u32::MAX)) as u32)
    };
    Ok((
        LockState {
            failures: count(0)?,
            identity_failures: count(1)?,
            reset_failures: count(2)?,
            lock_count: count(3)?,
            locked_until: None,
        },
        r.get::<_, Option<String>>(at + 4)?,
    ))
}

pub fn get(conn: &Connection, subject: &str) -> Result<LockState> {
    let row = conn
        .query_row(
            &format!("SELECT {STATE_COLUMNS} FROM locks WHERE subject = ?1"),
            [subject_key(subject)],
            |r| state_at(r, 0),
        )
        .optional()?;
    Ok(match row {
        None => LockState::default(),
        Some((state, until)) => LockState {
            locked_until: opt_ts(until)?,
            ..state
        },
    })
}

pub fn put(conn: &Connection, subject: &str, state: &LockState, now: OffsetDateTime) -> Result<()> {
    if *state == LockState::default() {
        conn.execute(
            "DELETE FROM locks WHERE subject = ?1",
            [subject_key(subject)],
        )?;
        return Ok(());
    }
    conn.execute(
        "INSERT INTO locks (subject, failures, identity_failures, reset_failures, lock_count,
             locked_until, last_failure_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT(subject) DO UPDATE SET failures = excluded.failures,
             identity_failures = excluded.identity_failures,
             reset_failures = excluded.reset_failures,
             lock_count = excluded.lock_count, locked_until = excluded.locked_until,
             last_failure_at = excluded.last_failure_at",
        params![
            subject_key(subject),
            state.failures,
            state.identity_failures,
            state.reset_failures,
            state.lock_count,
            state.locked_until.map(ts),
            ts(now)
        ],
    )?;
    Ok(())
}

/// Removes the lock state of an ID. Returns whether there was any.
pub fn clear(conn: &Connection, subject: &str) -> Result<bool> {
    Ok(conn.execute(
        "DELETE FROM locks WHERE subject = ?1",
        [subject_key(subject)],
    )? > 0)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockRow {
    pub subject: String,
    pub state: LockState,
    pub last_failure_at: Option<OffsetDateTime>,
}

/// Every ID with failures or a lock, most recent failure first.
pub fn list(conn: &Connection) -> Result<Vec<LockRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT subject, {STATE_COLUMNS}, last_failure_at FROM locks ORDER BY last_failure_at DESC"
    ))?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            state_at(r, 1)?,
            r.get::<_, Option<String>>(6)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (subject, (state, until), last) = row?;
        out.push(LockRow {
            subject,
            state: LockState {
                locked_until: opt_ts(until)?,
                ..state
            },
            last_failure_at: opt_ts(last)?,
        });
    }
    Ok(out)
}
