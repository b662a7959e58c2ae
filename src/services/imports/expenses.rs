//! `admin import-expenses FILE.csv`: `household,month,patient,provider,category,days,total,paid`.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;

use rusqlite::{Connection, OptionalExtension};

use super::{ImportReport, Kind, RowError, Window, import_path, row_hash, shown};
use crate::domain::expenses::{Category, MAX_DAYS, MAX_YEN, YearMonth, parse_amount};
use crate::domain::household::HouseholdKey;
use crate::services::encoding::CsvEncoding;
use crate::services::{ServiceError, Services};
use crate::store::Actor;
use crate::store::expenses::{self as table, ImportKind, NewExpense};

pub const COLUMNS: [&str; 8] = [
    "household",
    "month",
    "patient",
    "provider",
    "category",
    "days",
    "total",
    "paid",
];

/// The longest provider name (医療機関・薬局名) a row may carry, in characters.
pub const MAX_PROVIDER_CHARS: usize = 200;

/// One checked row of an expenses file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpenseLine {
    pub month: String,
    pub patient: String,
    pub provider: String,
    pub category: Category,
    pub days: i64,
    pub total: i64,
    pub paid: i64,
}

/// Reads a household key as printed; the message says what was expected.
pub(crate) fn household(s: &str) -> Result<HouseholdKey, String> {
    HouseholdKey::parse(s).map_err(|e| {
        format!(
            "household {} is not a household key as printed (insurer-symbol-number, e.g. 06139497-1201-35): {}",
            shown(s),
            e.to_string().trim_end_matches('.')
        )
    })
}

/// A whole number of yen for `column`.
pub(crate) fn yen_field(column: &str, s: &str) -> Result<i64, String> {
    parse_amount(s, MAX_YEN).ok_or_else(|| {
        format!(
            "{column} {} must be a whole number of yen, digits only (at most 10 digits)",
            shown(s)
        )
    })
}

/// Checks the fields of one record after the household (in [`COLUMNS`] order). `None`: the month lies
/// before the window.
pub fn parse_expense(
    f: &[String],
    window_start: YearMonth,
    current: YearMonth,
) -> Result<Option<ExpenseLine>, String> {
    let month = YearMonth::parse(&f[1])
        .ok_or_else(|| format!("month {} is not a month as YYYY-MM", shown(&f[1])))?;
    if month > current {
        return Err(format!("month {month} is in the future"));
    }
    let patient = f[2].clone();
    if patient.is_empty() {
        return Err("the patient is empty".into());
    }
    let provider = f[3].clone();
    if provider.is_empty() || provider.chars().count() > MAX_PROVIDER_CHARS {
        return Err(format!(
            "the provider is empty or longer than {MAX_PROVIDER_CHARS} characters"
        ));
    }
    let category = Category::parse(&f[4]).ok_or_else(|| {
        format!(
            "category {} must be one of inpatient, outpatient, pharmacy, dental, visiting (入院, 外来, 調剤, 歯科, 訪問看護)",
            shown(&f[4])
        )
    })?;
    let days = parse_amount(&f[5], MAX_DAYS).ok_or_else(|| {
        format!(
            "days {} must be a whole number from 0 to {MAX_DAYS}",
            shown(&f[5])
        )
    })?;
    let total = yen_field("total", &f[6])?;
    let paid = yen_field("paid", &f[7])?;
    if paid > total {
        return Err(format!(
            "paid {paid} is more than total {total} (paid is the member's share of the total)"
        ));
    }
    if month < window_start {
        return Ok(None);
    }
    Ok(Some(ExpenseLine {
        month: month.to_string(),
        patient,
        provider,
        category,
        days,
        total,
        paid,
    }))
}

/// The expenses file: patients are found by name among the household's members (the last
/// household's are remembered).
#[derive(Default)]
pub(crate) struct Expenses {
    patients: Option<(i64, HashMap<String, i64>)>,
}

impl Expenses {
    fn patient(
        &mut self,
        conn: &Connection,
        hid: i64,
        key: &HouseholdKey,
        row: &ExpenseLine,
    ) -> Result<i64, RowError> {
        let known = match &mut self.patients {
            Some((h, known)) if *h == hid => known,
            slot => &mut slot.insert((hid, HashMap::new())).1,
        };
        if let Some(id) = known.get(&row.patient) {
            return Ok(*id);
        }
        let found: Option<i64> = conn
            .prepare_cached(table::FIND_PATIENT)?
            .query_row(rusqlite::params![hid, row.patient], |r| r.get(0))
            .optional()?;
        let id = found.ok_or_else(|| {
            format!(
                "patient {} is not a member of household {} (the name must be exactly as in the member list)",
                shown(&row.patient),
                key
            )
        })?;
        known.insert(row.patient.clone(), id);
        Ok(id)
    }
}

impl Kind for Expenses {
    const KIND: ImportKind = ImportKind::Expenses;
    const COLUMNS: &'static [&'static str] = &COLUMNS;
    const MAIL: &'static str = "expenses_updated";
    type Row = ExpenseLine;

    fn parse(&self, fields: &[String], window: &Window) -> Result<Option<ExpenseLine>, String> {
        parse_expense(fields, window.start, window.current)
    }

    fn period(row: &ExpenseLine) -> &str {
        &row.month
    }

    fn insert(
        &mut self,
        conn: &Connection,
        hid: i64,
        key: &HouseholdKey,
        row: &ExpenseLine,
    ) -> Result<i64, RowError> {
        let member_id = self.patient(conn, hid, key, row)?;
        let mut stmt = conn.prepare_cached(table::INSERT_EXPENSE)?;
        table::insert_expense(
            &mut stmt,
            &NewExpense {
                household_id: hid,
                month: &row.month,
                member_id,
                provider: &row.provider,
                category: row.category,
                days: row.days,
                total: row.total,
                paid: row.paid,
            },
        )?;
        Ok(row_hash(&[
            &member_id.to_le_bytes(),
            row.provider.as_bytes(),
            row.category.as_str().as_bytes(),
            &row.days.to_le_bytes(),
            &row.total.to_le_bytes(),
            &row.paid.to_le_bytes(),
        ]))
    }
}

impl Services {
    /// `admin import-expenses FILE.csv`: the file streamed in one transaction, all or nothing. Read as
    /// `encoding` says, or UTF-8 or CP932 detected ([`crate::services::encoding`]).
    pub fn import_expenses(
        &self,
        actor: &Actor,
        path: &Path,
        encoding: Option<CsvEncoding>,
    ) -> Result<ImportReport, ServiceError> {
        import_path(path, encoding, |name, input| {
            self.import_expenses_from(actor, name, input)
        })
    }

    /// Imports an expenses CSV from `input` (the demo, tests, benchmarks), named `file_name`.
    pub fn import_expenses_from(
        &self,
        actor: &Actor,
        file_name: &str,
        input: impl BufRead,
    ) -> Result<ImportReport, ServiceError> {
        self.import_kind(actor, Expenses::default(), file_name, input)
    }
}
