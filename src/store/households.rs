//! Households (世帯) and their members.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use time::{Date, OffsetDateTime};

use super::{Result, StoreError, ts};
use crate::domain::household::{HouseholdKey, Relationship};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Household {
    pub id: i64,
    pub key: HouseholdKey,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: i64,
    pub household_id: i64,
    pub name: String,
    pub birth_date: Date,
    pub relationship: Relationship,
}

/// A date as the store keeps it: `YYYY-MM-DD` ([`crate::dates::iso_date`]).
pub fn format_date(d: Date) -> String {
    crate::dates::iso_date(d)
}

pub fn parse_date(s: &str) -> Result<Date> {
    crate::dates::parse_iso_date(s).map_err(|e| StoreError::Corrupt(format!("date {s:?}: {e}")))
}

fn key_from_row(insurer: String, symbol: String, number: String) -> HouseholdKey {
    HouseholdKey {
        insurer,
        symbol,
        number,
    }
}

/// Returns the household's id, inserting it when new.
pub fn upsert(conn: &Connection, key: &HouseholdKey, now: OffsetDateTime) -> Result<(i64, bool)> {
    if let Some(h) = find_by_key(conn, key)? {
        return Ok((h.id, false));
    }
    conn.execute(
        "INSERT INTO households (insurer_number, symbol, number, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![key.insurer, key.symbol, key.number, ts(now)],
    )?;
    Ok((conn.last_insert_rowid(), true))
}

pub fn find_by_key(conn: &Connection, key: &HouseholdKey) -> Result<Option<Household>> {
    Ok(conn
        .query_row(
            "SELECT id, insurer_number, symbol, number FROM households
             WHERE insurer_number = ?1 AND symbol = ?2 AND number = ?3",
            params![key.insurer, key.symbol, key.number],
            |r| {
                Ok(Household {
                    id: r.get(0)?,
                    key: key_from_row(r.get(1)?, r.get(2)?, r.get(3)?),
                })
            },
        )
        .optional()?)
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<Household>> {
    Ok(conn
        .query_row(
            "SELECT id, insurer_number, symbol, number FROM households WHERE id = ?1",
            [id],
            |r| {
                Ok(Household {
                    id: r.get(0)?,
                    key: key_from_row(r.get(1)?, r.get(2)?, r.get(3)?),
                })
            },
        )
        .optional()?)
}

/// Inserts a member unless the same name and birth date are already in the household.
/// Returns whether a row was added.
pub fn insert_member(
    conn: &Connection,
    household_id: i64,
    name: &str,
    birth_date: Date,
    relationship: Relationship,
) -> Result<bool> {
    let n = conn.execute(
        "INSERT INTO members (household_id, name, birth_date, relationship) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(household_id, name, birth_date) DO NOTHING",
        params![
            household_id,
            name,
            format_date(birth_date),
            relationship.as_str()
        ],
    )?;
    Ok(n > 0)
}

pub fn members_of(conn: &Connection, household_id: i64) -> Result<Vec<Member>> {
    let mut stmt = conn.prepare(
        "SELECT id, household_id, name, birth_date, relationship FROM members
         WHERE household_id = ?1 ORDER BY relationship = 'dependent', id",
    )?;
    let rows = stmt.query_map([household_id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, household_id, name, birth, rel) = row?;
        out.push(Member {
            id,
            household_id,
            name,
            birth_date: parse_date(&birth)?,
            relationship: Relationship::parse(&rel)
                .ok_or_else(|| StoreError::Corrupt(format!("relationship {rel:?}")))?,
        });
    }
    Ok(out)
}

/// The household's name as staff see it: the insured person's (or the first member's).
pub fn name_of(conn: &Connection, household_id: i64) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT name FROM members WHERE household_id = ?1
             ORDER BY relationship = 'dependent', id LIMIT 1",
            [household_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// Households with a member whose name contains `part` (spaces, full-width or not, ignored), at most
/// `limit` of them (the audit log's name filter).
pub fn ids_by_name_part(conn: &Connection, part: &str, limit: usize) -> Result<Vec<i64>> {
    let compact: String = part
        .chars()
        .filter(|c| *c != ' ' && *c != '\u{3000}')
        .collect();
    if compact.is_empty() {
        return Ok(Vec::new());
    }
    let escaped = compact
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let mut stmt = conn.prepare(
        "SELECT DISTINCT household_id FROM members
         WHERE replace(replace(name, ' ', ''), '　', '') LIKE '%' || ?1 || '%' ESCAPE '\\'
         ORDER BY household_id LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![escaped, limit as i64], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Households whose members include someone with this name and birth date (staff search).
pub fn find_by_member(conn: &Connection, name: &str, birth_date: Date) -> Result<Vec<Household>> {
    let mut stmt = conn.prepare(
        "SELECT DISTINCT h.id, h.insurer_number, h.symbol, h.number FROM households h
         JOIN members m ON m.household_id = h.id
         WHERE replace(replace(m.name, ' ', ''), '　', '') = replace(replace(?1, ' ', ''), '　', '')
           AND m.birth_date = ?2
         ORDER BY h.id",
    )?;
    let rows = stmt.query_map(params![name, format_date(birth_date)], |r| {
        Ok(Household {
            id: r.get(0)?,
            key: key_from_row(r.get(1)?, r.get(2)?, r.get(3)?),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One line of `admin members`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HouseholdSummary {
    #[serde(skip)]
    pub id: i64,
    pub household: String,
    /// The insured person's name (or the first member's).
    pub name: String,
    pub members: i64,
    /// `pending` or `registered`.
    pub status: &'static str,
    pub user_id: Option<String>,
    /// The state of the newest temporary credential: `live`, `used`, `revoked`, `expired` or null.
    pub credential: Option<String>,
    pub credential_expires: Option<String>,
}

pub fn summaries(conn: &Connection) -> Result<Vec<HouseholdSummary>> {
    let mut stmt = conn.prepare(
        "SELECT h.id, h.insurer_number, h.symbol, h.number,
            (SELECT name FROM members m WHERE m.household_id = h.id
               ORDER BY relationship = 'dependent', id LIMIT 1),
            (SELECT count(*) FROM members m WHERE m.household_id = h.id),
            a.user_id,
            (SELECT state FROM temp_credentials t WHERE t.household_id = h.id ORDER BY id DESC LIMIT 1),
            (SELECT expires_at FROM temp_credentials t WHERE t.household_id = h.id ORDER BY id DESC LIMIT 1)
         FROM households h LEFT JOIN accounts a ON a.household_id = h.id
         ORDER BY h.insurer_number, h.symbol, h.number",
    )?;
    let rows = stmt.query_map([], |r| {
        let key = key_from_row(r.get(1)?, r.get(2)?, r.get(3)?);
        let user_id: Option<String> = r.get(6)?;
        Ok(HouseholdSummary {
            id: r.get(0)?,
            household: key.to_string(),
            name: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
            members: r.get(5)?,
            status: if user_id.is_some() {
                "registered"
            } else {
                "pending"
            },
            user_id,
            credential: r.get(7)?,
            credential_expires: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A member as the file being imported with `--replace` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMember {
    pub line: u64,
    pub name: String,
    pub birth_date: Date,
    pub relationship: Relationship,
}

/// Starts holding the rows of a file imported with `--replace`: a temporary table of this connection
/// (nothing of it reaches the store file), emptied.
pub fn begin_file(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS import_file (
             household_id INTEGER NOT NULL,
             name         TEXT NOT NULL,
             birth_date   TEXT NOT NULL,
             relationship TEXT NOT NULL,
             line         INTEGER NOT NULL,
             UNIQUE (household_id, name, birth_date)
         );
         DELETE FROM temp.import_file;",
    )?;
    Ok(())
}

/// Holds one row of the file; false when the file already listed the same person.
pub fn add_file_member(conn: &Connection, household_id: i64, m: &FileMember) -> Result<bool> {
    let n = conn
        .prepare_cached(
            "INSERT INTO temp.import_file (household_id, name, birth_date, relationship, line)
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
        )?
        .execute(params![
            household_id,
            m.name,
            format_date(m.birth_date),
            m.relationship.as_str(),
            m.line as i64
        ])?;
    Ok(n > 0)
}

/// The file's members of a household, in the file's order.
pub fn file_members_of(conn: &Connection, household_id: i64) -> Result<Vec<FileMember>> {
    let mut stmt = conn.prepare_cached(
        "SELECT line, name, birth_date, relationship FROM temp.import_file
         WHERE household_id = ?1 ORDER BY line",
    )?;
    let rows = stmt.query_map([household_id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (line, name, birth, rel) = row?;
        out.push(FileMember {
            line: line as u64,
            name,
            birth_date: parse_date(&birth)?,
            relationship: Relationship::parse(&rel)
                .ok_or_else(|| StoreError::Corrupt(format!("relationship {rel:?}")))?,
        });
    }
    Ok(out)
}

/// Stops holding the file's rows.
pub fn end_file(conn: &Connection) -> Result<()> {
    conn.execute_batch("DROP TABLE IF EXISTS temp.import_file")?;
    Ok(())
}

/// Corrects a member in place (its id, and so the account that names it, stays).
pub fn update_member(
    conn: &Connection,
    id: i64,
    name: &str,
    birth_date: Date,
    relationship: Relationship,
) -> Result<()> {
    conn.execute(
        "UPDATE members SET name = ?2, birth_date = ?3, relationship = ?4 WHERE id = ?1",
        params![id, name, format_date(birth_date), relationship.as_str()],
    )?;
    Ok(())
}

pub fn delete_member(conn: &Connection, id: i64) -> Result<()> {
    conn.execute("DELETE FROM members WHERE id = ?1", [id])?;
    Ok(())
}

/// The household's members an account names as the person who registered it.
pub fn registrant_member_ids(conn: &Connection, household_id: i64) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT member_id FROM accounts WHERE household_id = ?1 AND member_id IS NOT NULL",
    )?;
    let ids = stmt
        .query_map([household_id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    Ok(ids)
}

pub fn count_members(conn: &Connection, household_id: i64) -> Result<u64> {
    let n: i64 = conn
        .prepare_cached("SELECT count(*) FROM members WHERE household_id = ?1")?
        .query_row([household_id], |r| r.get(0))?;
    Ok(n as u64)
}
