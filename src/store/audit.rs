//! The audit trail: one row per login, identity check, lock, registration, password change, staff action
//! and mail outcome. Never a password; insurer and member numbers only masked.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use time::OffsetDateTime;

use super::{Result, parse_ts, ts};
use crate::domain::text::neutralize;

/// Where an action came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Kiosk,
    Staff,
    Admin,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Kiosk => "kiosk",
            Channel::Staff => "staff",
            Channel::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        match s {
            "kiosk" => Some(Channel::Kiosk),
            "staff" => Some(Channel::Staff),
            "admin" => Some(Channel::Admin),
            _ => None,
        }
    }
}

/// Who acts: the channel, the staff member when staff acted, and the SSH client address when present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub channel: Channel,
    pub staff_id: Option<String>,
    pub client_addr: Option<String>,
}

impl Actor {
    pub fn kiosk() -> Actor {
        Actor {
            channel: Channel::Kiosk,
            staff_id: None,
            client_addr: ssh_client_addr(),
        }
    }

    pub fn admin() -> Actor {
        Actor {
            channel: Channel::Admin,
            staff_id: None,
            client_addr: ssh_client_addr(),
        }
    }

    pub fn staff(staff_id: &str) -> Actor {
        Actor {
            channel: Channel::Staff,
            staff_id: Some(staff_id.to_string()),
            client_addr: ssh_client_addr(),
        }
    }
}

/// The SSH client's address from `SSH_CLIENT` / `SSH_CONNECTION` ("addr port ..."), when present.
pub fn ssh_client_addr() -> Option<String> {
    ["SSH_CLIENT", "SSH_CONNECTION"].iter().find_map(|k| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.split_whitespace().next().map(str::to_string))
            .filter(|a| !a.is_empty() && a.len() <= 64)
            .map(|a| neutralize(&a).into_owned())
    })
}

/// What happened, for one audit row.
#[derive(Debug, Clone, Default)]
pub struct AuditEntry<'a> {
    /// e.g. `login`, `identity_check`, `lock`, `register`, `password_change`, `unlock`, `mail_sent`.
    pub event: &'a str,
    /// `ok`, `failed`, `locked`, `refused`, …
    pub outcome: &'a str,
    pub household_id: Option<i64>,
    /// The ID acted on (temporary, user or staff ID). Never a password.
    pub subject: Option<&'a str>,
    /// Free text; only masked numbers.
    pub detail: Option<String>,
}

pub fn insert(
    conn: &Connection,
    actor: &Actor,
    entry: &AuditEntry<'_>,
    now: OffsetDateTime,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO audit (at, channel, staff_id, client_addr, event, outcome, household_id, subject, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
            ts(now),
            actor.channel.as_str(),
            actor.staff_id,
            actor.client_addr,
            entry.event,
            entry.outcome,
            entry.household_id,
            entry.subject.map(|s| neutralize(s).into_owned()),
            entry.detail.as_deref().map(|s| neutralize(s).into_owned()),
    ])?;
    Ok(conn.last_insert_rowid())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRow {
    pub id: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub channel: String,
    pub staff_id: Option<String>,
    pub client_addr: Option<String>,
    pub event: String,
    pub outcome: String,
    pub household_id: Option<i64>,
    pub subject: Option<String>,
    pub detail: Option<String>,
}

/// Filters for [`recent`]; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub household_id: Option<i64>,
    pub staff_id: Option<String>,
    pub event: Option<String>,
    /// Any of these households (a name that several households share).
    pub household_ids: Option<Vec<i64>>,
    /// The ID acted on (case-insensitive).
    pub subject: Option<String>,
}

/// The newest rows first.
pub fn recent(conn: &Connection, filter: &AuditFilter, limit: usize) -> Result<Vec<AuditRow>> {
    let mut stmt = conn.prepare(
        "SELECT id, at, channel, staff_id, client_addr, event, outcome, household_id, subject, detail
         FROM audit
         WHERE (?1 IS NULL OR household_id = ?1)
           AND (?2 IS NULL OR staff_id = ?2 COLLATE NOCASE)
           AND (?3 IS NULL OR event = ?3)
           AND (?5 IS NULL OR household_id IN (SELECT value FROM json_each(?5)))
           AND (?6 IS NULL OR subject = ?6 COLLATE NOCASE)
         ORDER BY id DESC LIMIT ?4",
    )?;
    let ids = filter
        .household_ids
        .as_ref()
        .map(|ids| serde_json::to_string(ids).unwrap_or_else(|_| "[]".into()));
    let rows = stmt.query_map(
        params![
            filter.household_id,
            filter.staff_id,
            filter.event,
            limit as i64,
            ids,
            filter.subject,
        ],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, Option<i64>>(7)?,
                r.get::<_, Option<String>>(8)?,
                r.get::<_, Option<String>>(9)?,
            ))
        },
    )?;
    let mut out = Vec::new();
    for row in rows {
        let (id, at, channel, staff_id, client_addr, event, outcome, household_id, subject, detail) =
            row?;
        out.push(AuditRow {
            id,
            at: parse_ts(&at)?,
            channel,
            staff_id,
            client_addr,
            event,
            outcome,
            household_id,
            subject,
            detail,
        });
    }
    Ok(out)
}

/// How many rows of `event` with `outcome` exist for a household (tests and reports).
pub fn count(
    conn: &Connection,
    household_id: Option<i64>,
    event: &str,
    outcome: Option<&str>,
) -> Result<i64> {
    Ok(conn
        .query_row(
            "SELECT count(*) FROM audit WHERE (?1 IS NULL OR household_id = ?1) AND event = ?2
             AND (?3 IS NULL OR outcome = ?3)",
            params![household_id, event, outcome],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0))
}
