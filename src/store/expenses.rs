//! Medical expenses (医療費), benefit decisions (支給決定), their import batches and the groups an
//! import replaces (one household's month, or one household's decision date). See
//! `migrations/004_expenses.sql`.

use rusqlite::{CachedStatement, Connection, OptionalExtension, params};
use time::{Date, OffsetDateTime};

use super::{Result, StoreError, parse_ts, ts};
use crate::domain::expenses::{Category, Charge, YearMonth};

/// What an import brings: the two kinds share batches, groups and the window purge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    Expenses,
    Benefits,
}

impl ImportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Expenses => "expenses",
            ImportKind::Benefits => "benefits",
        }
    }

    /// Deletes one group's rows: `?1` household, `?2` period.
    fn delete_group_rows(self) -> &'static str {
        match self {
            ImportKind::Expenses => "DELETE FROM expenses WHERE household_id = ?1 AND month = ?2",
            ImportKind::Benefits => {
                "DELETE FROM benefits WHERE household_id = ?1 AND decided_on = ?2"
            }
        }
    }
}

/// Starts a batch; its row count is written by [`finish_batch`].
pub fn insert_batch(
    conn: &Connection,
    kind: ImportKind,
    file_name: &str,
    now: OffsetDateTime,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO import_batches (kind, file_name, rows, imported_at) VALUES (?1, ?2, 0, ?3)",
        params![kind.as_str(), file_name, ts(now)],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn finish_batch(conn: &Connection, batch_id: i64, rows: u64) -> Result<()> {
    conn.execute(
        "UPDATE import_batches SET rows = ?2 WHERE id = ?1",
        params![batch_id, rows as i64],
    )?;
    Ok(())
}

/// One batch as `admin` and the tests read it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub id: i64,
    pub kind: String,
    pub file_name: String,
    pub rows: i64,
    pub imported_at: OffsetDateTime,
}

pub fn batch(conn: &Connection, id: i64) -> Result<Option<Batch>> {
    super::one(
        conn,
        "SELECT id, kind, file_name, rows, imported_at FROM import_batches WHERE id = ?1",
        [id],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
            ))
        },
        |(id, kind, file_name, rows, at)| {
            Ok(Batch {
                id,
                kind,
                file_name,
                rows,
                imported_at: parse_ts(&at)?,
            })
        },
    )
}

/// The group being filled by an import: its rows and digest so far, and its digest before this
/// batch (`None`: new).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenGroup {
    pub household_id: i64,
    pub period: String,
    pub rows: i64,
    pub digest: i64,
    pub prev_digest: Option<i64>,
}

/// The statements of one import, prepared once per transaction.
pub struct GroupStatements<'c> {
    kind: ImportKind,
    batch_id: i64,
    find: CachedStatement<'c>,
    save: CachedStatement<'c>,
    delete_rows: CachedStatement<'c>,
}

impl<'c> GroupStatements<'c> {
    pub fn new(conn: &'c Connection, kind: ImportKind, batch_id: i64) -> Result<Self> {
        Ok(GroupStatements {
            kind,
            batch_id,
            find: conn.prepare_cached(
                "SELECT rows, digest, prev_digest, batch_id FROM import_groups
                 WHERE kind = ?1 AND household_id = ?2 AND period = ?3",
            )?,
            save: conn.prepare_cached(
                "INSERT INTO import_groups (kind, household_id, period, rows, digest, prev_digest, batch_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (kind, household_id, period) DO UPDATE SET rows = excluded.rows,
                     digest = excluded.digest, prev_digest = excluded.prev_digest,
                     batch_id = excluded.batch_id",
            )?,
            delete_rows: conn.prepare_cached(kind.delete_group_rows())?,
        })
    }

    /// Opens the group of `household_id` and `period` for this batch: a new group starts empty; a
    /// group of an earlier batch has its rows deleted (the file replaces them) and starts empty,
    /// remembering its old digest; a group this batch already filled carries on. Written by
    /// [`GroupStatements::save`].
    pub fn open(&mut self, household_id: i64, period: &str) -> Result<OpenGroup> {
        let found: Option<(i64, i64, Option<i64>, i64)> = self
            .find
            .query_row(params![self.kind.as_str(), household_id, period], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?;
        let mut group = OpenGroup {
            household_id,
            period: period.to_string(),
            rows: 0,
            digest: 0,
            prev_digest: None,
        };
        match found {
            None => {}
            Some((rows, digest, prev, batch)) if batch == self.batch_id => {
                group.rows = rows;
                group.digest = digest;
                group.prev_digest = prev;
            }
            Some((_, digest, _, _)) => {
                group.prev_digest = Some(digest);
                self.delete_rows.execute(params![household_id, period])?;
            }
        }
        Ok(group)
    }

    /// Writes the rows and digest gathered for a group.
    pub fn save(&mut self, g: &OpenGroup) -> Result<()> {
        self.save.execute(params![
            self.kind.as_str(),
            g.household_id,
            g.period,
            g.rows,
            g.digest,
            g.prev_digest,
            self.batch_id
        ])?;
        Ok(())
    }
}

/// How many groups of a batch were new, changed or the same as before.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchChanges {
    pub groups_new: u64,
    pub groups_changed: u64,
    pub groups_unchanged: u64,
}

/// How the batch changed one household's groups of `kind` (a range of the primary key).
pub fn household_changes(
    conn: &Connection,
    kind: ImportKind,
    household_id: i64,
    batch_id: i64,
) -> Result<BatchChanges> {
    Ok(conn
        .prepare_cached(
            "SELECT coalesce(sum(prev_digest IS NULL), 0),
                    coalesce(sum(prev_digest IS NOT NULL AND prev_digest <> digest), 0),
                    coalesce(sum(prev_digest = digest), 0)
             FROM import_groups WHERE kind = ?1 AND household_id = ?2 AND batch_id = ?3",
        )?
        .query_row(params![kind.as_str(), household_id, batch_id], |r| {
            Ok(BatchChanges {
                groups_new: r.get::<_, i64>(0)? as u64,
                groups_changed: r.get::<_, i64>(1)? as u64,
                groups_unchanged: r.get::<_, i64>(2)? as u64,
            })
        })?)
}

/// Where the household's notice mail goes: its account's address and language, when its setting is
/// 必要 and it has an address.
pub fn notice_address(
    conn: &Connection,
    household_id: i64,
) -> Result<Option<(String, crate::domain::Lang)>> {
    let found: Option<(String, String)> = conn
        .prepare_cached(
            "SELECT email, lang FROM accounts
             WHERE household_id = ?1 AND notify_mail = 1 AND coalesce(email, '') <> ''",
        )?
        .query_row([household_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(found.map(|(email, lang)| {
        (
            email,
            crate::domain::Lang::from_code(&lang).unwrap_or_default(),
        )
    }))
}

/// Deletes every group of `kind` whose period sorts before `cutoff`, with its rows. Returns the groups
/// and the rows deleted.
pub fn purge_before(conn: &Connection, kind: ImportKind, cutoff: &str) -> Result<(u64, u64)> {
    let mut rows = 0u64;
    {
        let mut delete = conn.prepare_cached(kind.delete_group_rows())?;
        let mut groups = conn.prepare_cached(
            "SELECT household_id, period FROM import_groups WHERE kind = ?1 AND period < ?2",
        )?;
        let mut due = groups.query(params![kind.as_str(), cutoff])?;
        while let Some(r) = due.next()? {
            let (hid, period): (i64, String) = (r.get(0)?, r.get(1)?);
            rows += delete.execute(params![hid, period])? as u64;
        }
    }
    let groups = conn.execute(
        "DELETE FROM import_groups WHERE kind = ?1 AND period < ?2",
        params![kind.as_str(), cutoff],
    )? as u64;
    Ok((groups, rows))
}

/// One expense row as the import writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewExpense<'a> {
    pub household_id: i64,
    pub month: &'a str,
    pub member_id: i64,
    pub provider: &'a str,
    pub category: Category,
    pub days: i64,
    pub total: i64,
    pub paid: i64,
}

pub const INSERT_EXPENSE: &str =
    "INSERT INTO expenses (household_id, month, member_id, provider, category, days, total, paid)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

pub fn insert_expense(stmt: &mut CachedStatement<'_>, e: &NewExpense<'_>) -> Result<()> {
    stmt.execute(params![
        e.household_id,
        e.month,
        e.member_id,
        e.provider,
        e.category.as_str(),
        e.days,
        e.total,
        e.paid
    ])?;
    Ok(())
}

/// One decision as the import writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBenefit<'a> {
    pub household_id: i64,
    pub decided_on: &'a str,
    pub kind: &'a str,
    pub amount: i64,
    pub paid_on: Option<&'a str>,
}

pub const INSERT_BENEFIT: &str = "INSERT INTO benefits (household_id, decided_on, kind, amount, paid_on) VALUES (?1, ?2, ?3, ?4, ?5)";

pub fn insert_benefit(stmt: &mut CachedStatement<'_>, b: &NewBenefit<'_>) -> Result<()> {
    stmt.execute(params![
        b.household_id,
        b.decided_on,
        b.kind,
        b.amount,
        b.paid_on
    ])?;
    Ok(())
}

/// The id of the household with this key (a cached statement: an import looks up every household of
/// its file).
pub fn household_id(
    conn: &Connection,
    key: &crate::domain::household::HouseholdKey,
) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT id FROM households WHERE insurer_number = ?1 AND symbol = ?2 AND number = ?3",
        )?
        .query_row(params![key.insurer, key.symbol, key.number], |r| r.get(0))
        .optional()?)
}

/// The member of a household with this exact name (the first imported, should two share it).
pub const FIND_PATIENT: &str =
    "SELECT id FROM members WHERE household_id = ?1 AND name = ?2 ORDER BY id LIMIT 1";

/// One month of the month list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthSum {
    pub month: YearMonth,
    pub rows: u32,
    pub total: i64,
    pub paid: i64,
}

fn month_of(s: &str) -> Result<YearMonth> {
    YearMonth::parse(s).ok_or_else(|| StoreError::Corrupt(format!("month {s:?}")))
}

/// The household's months from `from` on, newest first, with their sums (one index range).
pub fn months(conn: &Connection, household_id: i64, from: YearMonth) -> Result<Vec<MonthSum>> {
    let mut stmt = conn.prepare_cached(
        "SELECT month, count(*), sum(total), sum(paid) FROM expenses
         WHERE household_id = ?1 AND month >= ?2 GROUP BY month ORDER BY month DESC",
    )?;
    let rows = stmt.query_map(params![household_id, from.to_string()], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(3)?,
        ))
    })?;
    rows.map(|r| {
        let (m, n, total, paid) = r?;
        Ok(MonthSum {
            month: month_of(&m)?,
            rows: n as u32,
            total,
            paid,
        })
    })
    .collect()
}

/// One row of a month's detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpenseRow {
    pub member_id: i64,
    pub patient: String,
    pub provider: String,
    pub category: Category,
    pub days: i64,
    pub total: i64,
    pub paid: i64,
}

/// A month's rows: by patient (the insured person first, as imported), then as imported.
pub fn month_rows(
    conn: &Connection,
    household_id: i64,
    month: YearMonth,
) -> Result<Vec<ExpenseRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.member_id, m.name, e.provider, e.category, e.days, e.total, e.paid
         FROM expenses e JOIN members m ON m.id = e.member_id
         WHERE e.household_id = ?1 AND e.month = ?2 ORDER BY e.member_id, e.id",
    )?;
    let rows = stmt.query_map(params![household_id, month.to_string()], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, i64>(5)?,
            r.get::<_, i64>(6)?,
        ))
    })?;
    rows.map(|r| {
        let (member_id, patient, provider, cat, days, total, paid) = r?;
        Ok(ExpenseRow {
            member_id,
            patient,
            provider,
            category: Category::parse(&cat)
                .ok_or_else(|| StoreError::Corrupt(format!("category {cat:?}")))?,
            days,
            total,
            paid,
        })
    })
    .collect()
}

/// Every row of the household from `from` on, as the year view sums them.
pub fn charges(conn: &Connection, household_id: i64, from: YearMonth) -> Result<Vec<Charge>> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.month, e.member_id, m.name, e.total, e.paid
         FROM expenses e JOIN members m ON m.id = e.member_id
         WHERE e.household_id = ?1 AND e.month >= ?2",
    )?;
    let rows = stmt.query_map(params![household_id, from.to_string()], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, i64>(4)?,
        ))
    })?;
    rows.map(|r| {
        let (m, member_id, name, total, paid) = r?;
        Ok(Charge {
            month: month_of(&m)?,
            member_id,
            name,
            total,
            paid,
        })
    })
    .collect()
}

/// One decision of the 支給決定通知 list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenefitRow {
    pub decided_on: Date,
    pub kind: String,
    pub amount: i64,
    pub paid_on: Option<Date>,
}

/// The household's decisions from `from` on, newest first.
pub fn benefits(conn: &Connection, household_id: i64, from: Date) -> Result<Vec<BenefitRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT decided_on, kind, amount, paid_on FROM benefits
         WHERE household_id = ?1 AND decided_on >= ?2 ORDER BY decided_on DESC, id",
    )?;
    let rows = stmt.query_map(
        params![household_id, super::households::format_date(from)],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        },
    )?;
    rows.map(|r| {
        let (decided, kind, amount, paid) = r?;
        Ok(BenefitRow {
            decided_on: super::households::parse_date(&decided)?,
            kind,
            amount,
            paid_on: paid
                .as_deref()
                .map(super::households::parse_date)
                .transpose()?,
        })
    })
    .collect()
}
