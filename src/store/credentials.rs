//! Temporary (postcard) credentials: household, temp ID, argon2id hash, issued/expires, state.

use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;

use super::{Result, StoreError, one, parse_ts, ts};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialState {
    Live,
    Used,
    Revoked,
    Expired,
}

impl CredentialState {
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialState::Live => "live",
            CredentialState::Used => "used",
            CredentialState::Revoked => "revoked",
            CredentialState::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "live" => CredentialState::Live,
            "used" => CredentialState::Used,
            "revoked" => CredentialState::Revoked,
            "expired" => CredentialState::Expired,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TempCredential {
    pub id: i64,
    pub household_id: i64,
    pub temp_id: String,
    pub password_hash: String,
    pub issued_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub state: CredentialState,
}

impl TempCredential {
    /// Live and not past its expiry.
    pub fn usable(&self, now: OffsetDateTime) -> bool {
        self.state == CredentialState::Live && now < self.expires_at
    }
}

const COLUMNS: &str = "id, household_id, temp_id, password_hash, issued_at, expires_at, state";

fn from_row(
    r: &rusqlite::Row<'_>,
) -> rusqlite::Result<(i64, i64, String, String, String, String, String)> {
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

fn build(row: (i64, i64, String, String, String, String, String)) -> Result<TempCredential> {
    let (id, household_id, temp_id, password_hash, issued, expires, state) = row;
    Ok(TempCredential {
        id,
        household_id,
        temp_id,
        password_hash,
        issued_at: parse_ts(&issued)?,
        expires_at: parse_ts(&expires)?,
        state: CredentialState::parse(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("credential state {state:?}")))?,
    })
}

pub fn insert(
    conn: &Connection,
    household_id: i64,
    temp_id: &str,
    password_hash: &str,
    issued_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    issued_by: &str,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO temp_credentials (household_id, temp_id, password_hash, issued_at, expires_at, state, issued_by)
         VALUES (?1, ?2, ?3, ?4, ?5, 'live', ?6)",
        params![household_id, temp_id, password_hash, ts(issued_at), ts(expires_at), issued_by],
    )?;
    Ok(conn.last_insert_rowid())
}

/// The credential with this temp ID, in any state: case-insensitive, and spaces or hyphens typed
/// between the groups printed on the postcard are ignored.
pub fn find_by_temp_id(conn: &Connection, temp_id: &str) -> Result<Option<TempCredential>> {
    one(
        conn,
        &format!("SELECT {COLUMNS} FROM temp_credentials WHERE temp_id = ?1"),
        [crate::domain::credential::normalize_temp_id(temp_id)],
        from_row,
        build,
    )
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<TempCredential>> {
    one(
        conn,
        &format!("SELECT {COLUMNS} FROM temp_credentials WHERE id = ?1"),
        [id],
        from_row,
        build,
    )
}

/// The household's live credential, if any (there is at most one).
pub fn live_for(conn: &Connection, household_id: i64) -> Result<Option<TempCredential>> {
    one(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM temp_credentials WHERE household_id = ?1 AND state = 'live'"
        ),
        [household_id],
        from_row,
        build,
    )
}

/// True when any credential ever issued has this temp ID (case-insensitive).
pub fn temp_id_exists(conn: &Connection, temp_id: &str) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM temp_credentials WHERE temp_id = ?1",
            [temp_id.trim()],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Moves a live, unexpired credential to `used`. Returns false when it was no longer live (another
/// kiosk used it first, staff revoked it, or it expired), in which case nothing changed.
pub fn mark_used(conn: &Connection, id: i64, now: OffsetDateTime) -> Result<bool> {
    let n = conn.execute(
        "UPDATE temp_credentials SET state = 'used', state_at = ?2
         WHERE id = ?1 AND state = 'live' AND expires_at > ?2",
        params![id, ts(now)],
    )?;
    Ok(n == 1)
}

/// Records the hash of the token a successful identity check hands out (replacing any earlier one).
pub fn set_identity_token(conn: &Connection, id: i64, token_hash: &str) -> Result<()> {
    conn.execute(
        "UPDATE temp_credentials SET identity_token_hash = ?2 WHERE id = ?1",
        params![id, token_hash],
    )?;
    Ok(())
}

/// The hash of the latest identity check's token, if any.
pub fn identity_token(conn: &Connection, id: i64) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT identity_token_hash FROM temp_credentials WHERE id = ?1",
            [id],
            |r| r.get::<_, Option<String>>(0),
        )
        .optional()?
        .flatten())
}

/// Revokes the household's live credential, if any. Returns whether one was revoked.
pub fn revoke_live(conn: &Connection, household_id: i64, now: OffsetDateTime) -> Result<bool> {
    let n = conn.execute(
        "UPDATE temp_credentials SET state = 'revoked', state_at = ?2
         WHERE household_id = ?1 AND state = 'live'",
        params![household_id, ts(now)],
    )?;
    Ok(n > 0)
}

/// Marks every live credential past its expiry as `expired`. Returns how many.
pub fn expire_due(conn: &Connection, now: OffsetDateTime) -> Result<usize> {
    Ok(conn.execute(
        "UPDATE temp_credentials SET state = 'expired', state_at = ?1
         WHERE state = 'live' AND expires_at <= ?1",
        [ts(now)],
    )?)
}

/// The household's newest credential, in any state (staff lookups).
pub fn latest_for(conn: &Connection, household_id: i64) -> Result<Option<TempCredential>> {
    one(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM temp_credentials WHERE household_id = ?1 ORDER BY id DESC LIMIT 1"
        ),
        [household_id],
        from_row,
        build,
    )
}
