//! Permanent accounts: one per household.

use rusqlite::{Connection, params};
use time::OffsetDateTime;

use super::{Channel, Result, StoreError, one, parse_ts, ts};
use crate::domain::Lang;
use crate::domain::household::Relationship;

/// Why a member must change the password before anything else opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MustChange {
    /// An administrator ran `admin expire-password`.
    Expired,
    /// Staff generated an initial password at an assisted registration.
    Initial,
}

impl MustChange {
    pub fn as_str(self) -> &'static str {
        match self {
            MustChange::Expired => "expired",
            MustChange::Initial => "initial",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "expired" => Some(MustChange::Expired),
            "initial" => Some(MustChange::Initial),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub household_id: i64,
    pub user_id: String,
    pub password_hash: String,
    pub password_set_at: OffsetDateTime,
    pub must_change: Option<MustChange>,
    pub email: Option<String>,
    pub notify_mail: bool,
    pub registrant: Relationship,
    pub member_id: Option<i64>,
    pub lang: Lang,
    pub registered_at: OffsetDateTime,
    pub channel: String,
    pub staff_id: Option<String>,
}

/// What registration writes.
#[derive(Debug, Clone)]
pub struct NewAccount<'a> {
    pub household_id: i64,
    pub user_id: &'a str,
    pub password_hash: &'a str,
    pub must_change: Option<MustChange>,
    pub email: Option<&'a str>,
    pub notify_mail: bool,
    pub registrant: Relationship,
    pub member_id: Option<i64>,
    pub lang: Lang,
    pub channel: Channel,
    pub staff_id: Option<&'a str>,
}

const COLUMNS: &str = "id, household_id, user_id, password_hash, password_set_at, must_change_password, \
     email, notify_mail, registrant, member_id, lang, registered_at, channel, staff_id";

type RawAccount = (
    i64,
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    i64,
    String,
    Option<i64>,
    String,
    String,
    String,
    Option<String>,
);

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawAccount> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
        r.get(11)?,
        r.get(12)?,
        r.get(13)?,
    ))
}

fn build(raw: RawAccount) -> Result<Account> {
    let (
        id,
        household_id,
        user_id,
        password_hash,
        set_at,
        must,
        email,
        notify,
        registrant,
        member_id,
        lang,
        registered_at,
        channel,
        staff_id,
    ) = raw;
    Ok(Account {
        id,
        household_id,
        user_id,
        password_hash,
        password_set_at: parse_ts(&set_at)?,
        must_change: must.as_deref().and_then(MustChange::parse),
        email,
        notify_mail: notify != 0,
        registrant: Relationship::parse(&registrant)
            .ok_or_else(|| StoreError::Corrupt(format!("registrant {registrant:?}")))?,
        member_id,
        lang: Lang::from_code(&lang).unwrap_or_default(),
        registered_at: parse_ts(&registered_at)?,
        channel,
        staff_id,
    })
}

/// Inserts the account. A user ID already taken (case-insensitive) or a household that already has an
/// account fails with a unique violation (`StoreError::is_unique_violation`).
pub fn insert(conn: &Connection, a: &NewAccount<'_>, now: OffsetDateTime) -> Result<i64> {
    conn.execute(
        "INSERT INTO accounts (household_id, user_id, password_hash, password_set_at, must_change_password,
             email, notify_mail, registrant, member_id, lang, registered_at, channel, staff_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?4, ?11, ?12)",
        params![
            a.household_id,
            a.user_id,
            a.password_hash,
            ts(now),
            a.must_change.map(MustChange::as_str),
            a.email,
            a.notify_mail as i64,
            a.registrant.as_str(),
            a.member_id,
            a.lang.code(),
            a.channel.as_str(),
            a.staff_id,
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn find_by_user_id(conn: &Connection, user_id: &str) -> Result<Option<Account>> {
    one(
        conn,
        &format!("SELECT {COLUMNS} FROM accounts WHERE user_id = ?1"),
        [user_id.trim()],
        from_row,
        build,
    )
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<Account>> {
    one(
        conn,
        &format!("SELECT {COLUMNS} FROM accounts WHERE id = ?1"),
        [id],
        from_row,
        build,
    )
}

pub fn for_household(conn: &Connection, household_id: i64) -> Result<Option<Account>> {
    one(
        conn,
        &format!("SELECT {COLUMNS} FROM accounts WHERE household_id = ?1"),
        [household_id],
        from_row,
        build,
    )
}

/// True when the ID is unavailable as a new user ID: an account has it, or any temporary credential
/// ever issued has it (case-insensitive both ways).
pub fn user_id_taken(conn: &Connection, user_id: &str) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM accounts WHERE user_id = ?1)
                 OR EXISTS (SELECT 1 FROM temp_credentials WHERE temp_id = ?1)",
        [user_id.trim()],
        |r| r.get::<_, bool>(0),
    )?)
}

/// Sets a new password hash, clearing any must-change flag unless one is given.
pub fn set_password(
    conn: &Connection,
    account_id: i64,
    password_hash: &str,
    must_change: Option<MustChange>,
    now: OffsetDateTime,
) -> Result<()> {
    conn.execute(
        "UPDATE accounts SET password_hash = ?2, password_set_at = ?3, must_change_password = ?4 WHERE id = ?1",
        params![account_id, password_hash, ts(now), must_change.map(MustChange::as_str)],
    )?;
    Ok(())
}

pub fn set_must_change(
    conn: &Connection,
    account_id: i64,
    must_change: Option<MustChange>,
) -> Result<()> {
    conn.execute(
        "UPDATE accounts SET must_change_password = ?2 WHERE id = ?1",
        params![account_id, must_change.map(MustChange::as_str)],
    )?;
    Ok(())
}

pub fn set_contact(
    conn: &Connection,
    account_id: i64,
    email: Option<&str>,
    notify_mail: bool,
) -> Result<()> {
    conn.execute(
        "UPDATE accounts SET email = ?2, notify_mail = ?3 WHERE id = ?1",
        params![account_id, email, notify_mail as i64],
    )?;
    Ok(())
}
