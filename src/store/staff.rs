//! Staff accounts for the SSH console.

use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;

use super::{Result, parse_ts, ts};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffAccount {
    pub id: i64,
    pub staff_id: String,
    pub password_hash: String,
    pub password_set_at: OffsetDateTime,
    pub disabled: bool,
}

pub fn insert(
    conn: &Connection,
    staff_id: &str,
    password_hash: &str,
    now: OffsetDateTime,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO staff (staff_id, password_hash, password_set_at, created_at) VALUES (?1, ?2, ?3, ?3)",
        params![staff_id, password_hash, ts(now)],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn find(conn: &Connection, staff_id: &str) -> Result<Option<StaffAccount>> {
    let row = conn
        .query_row(
            "SELECT id, staff_id, password_hash, password_set_at, disabled FROM staff WHERE staff_id = ?1",
            [staff_id.trim()],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            },
        )
        .optional()?;
    row.map(|(id, staff_id, password_hash, set_at, disabled)| {
        Ok(StaffAccount {
            id,
            staff_id,
            password_hash,
            password_set_at: parse_ts(&set_at)?,
            disabled: disabled != 0,
        })
    })
    .transpose()
}

/// How many staff accounts exist (the console refuses to start with none).
pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM staff", [], |r| r.get(0))?)
}
