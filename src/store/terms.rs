//! Terms-of-use agreements: which version a household agreed to, when and through which channel.

use rusqlite::{Connection, params};
use time::OffsetDateTime;

use super::{Channel, Result, ts};

pub fn insert(
    conn: &Connection,
    household_id: i64,
    account_id: Option<i64>,
    version: &str,
    lang: &str,
    channel: Channel,
    now: OffsetDateTime,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO terms_agreements (household_id, account_id, terms_version, lang, agreed_at, channel)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![household_id, account_id, version, lang, ts(now), channel.as_str()],
    )?;
    Ok(conn.last_insert_rowid())
}

/// The versions a household agreed to, oldest first.
pub fn versions_for(conn: &Connection, household_id: i64) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT terms_version FROM terms_agreements WHERE household_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([household_id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
