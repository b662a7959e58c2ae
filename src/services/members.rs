//! The member list: `admin import-members` (all or nothing) and `admin members`.

use std::collections::HashMap;
use std::path::Path;

use time::Date;

use super::{ServiceError, Services};
use crate::domain::household::{HouseholdKey, Relationship};
use crate::domain::text::{normalize, quoted};
use crate::store::Actor;
use crate::store::audit::{self, AuditEntry};
use crate::store::households::{self, HouseholdSummary, parse_date};

pub const CSV_COLUMNS: [&str; 6] = [
    "insurer_number",
    "symbol",
    "number",
    "name",
    "birth_date",
    "relationship",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    pub line: u64,
    pub key: HouseholdKey,
    pub name: String,
    pub birth_date: Date,
    pub relationship: Relationship,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub rows: usize,
    pub households_added: usize,
    pub members_added: usize,
    /// Rows already present (same household, name and birth date).
    pub unchanged: usize,
}

fn bad(line: u64, what: impl std::fmt::Display) -> ServiceError {
    ServiceError::user(format!("line {line}: {what}; nothing was imported"))
}

/// Reads and checks every row of a members CSV. The first bad row is reported with its line number.
pub fn parse_members_csv(text: &str, today: Date) -> Result<Vec<ImportRow>, ServiceError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| ServiceError::user(format!("line 1: cannot read the header row: {e}")))?
        .clone();
    let mut index = HashMap::new();
    for col in CSV_COLUMNS {
        let i = headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(col))
            .ok_or_else(|| bad(1, format!("the header has no column \"{col}\"")))?;
        index.insert(col, i);
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            bad(line, format!("not valid CSV ({e})"))
        })?;
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let field = |col: &str| {
            normalize(record.get(index[col]).unwrap_or(""))
                .trim()
                .to_string()
        };
        let key = HouseholdKey::new(&field("insurer_number"), &field("symbol"), &field("number"))
            .map_err(|e| {
            bad(
                line,
                format!(
                    "the household {} is not valid ({})",
                    quoted(&format!(
                        "{}-{}-{}",
                        field("insurer_number"),
                        field("symbol"),
                        field("number")
                    )),
                    e.to_string().trim_end_matches('.')
                ),
            )
        })?;
        let name = field("name");
        if name.is_empty() || name.chars().count() > 100 {
            return Err(bad(line, "the name is empty or longer than 100 characters"));
        }
        let birth = field("birth_date");
        let birth_date = parse_date(&birth).map_err(|_| {
            bad(
                line,
                format!("birth_date {} is not a date as YYYY-MM-DD", quoted(&birth)),
            )
        })?;
        if birth_date > today {
            return Err(bad(line, format!("birth_date {birth} is in the future")));
        }
        let rel = field("relationship");
        let relationship = Relationship::parse(&rel.to_ascii_lowercase()).ok_or_else(|| {
            bad(
                line,
                format!("relationship {} must be insured or dependent", quoted(&rel)),
            )
        })?;
        rows.push(ImportRow {
            line,
            key,
            name,
            birth_date,
            relationship,
        });
    }
    Ok(rows)
}

impl Services {
    /// Imports a members CSV in one transaction: every row or none.
    pub fn import_members(&self, actor: &Actor, path: &Path) -> Result<ImportReport, ServiceError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ServiceError::user(format!("cannot read {}: {e}", path.display())))?;
        let rows = parse_members_csv(&text, self.clock.today())?;
        self.import_rows(actor, &rows)
    }

    pub fn import_rows(
        &self,
        actor: &Actor,
        rows: &[ImportRow],
    ) -> Result<ImportReport, ServiceError> {
        let now = self.now();
        self.store.write(|tx| {
            let mut report = ImportReport {
                rows: rows.len(),
                ..Default::default()
            };
            let mut touched: HashMap<i64, u64> = HashMap::new();
            for row in rows {
                let (hid, added) = households::upsert(tx, &row.key, now)?;
                if added {
                    report.households_added += 1;
                }
                touched.entry(hid).or_insert(row.line);
                if households::insert_member(tx, hid, &row.name, row.birth_date, row.relationship)? {
                    report.members_added += 1;
                } else {
                    report.unchanged += 1;
                }
            }
            // Every household has exactly one insured person.
            for (hid, first_line) in &touched {
                let insured = households::members_of(tx, *hid)?
                    .iter()
                    .filter(|m| m.relationship == Relationship::Insured)
                    .count();
                if insured != 1 {
                    let key = households::get(tx, *hid)?.map(|h| h.key.to_string()).unwrap_or_default();
                    let line = if insured == 0 {
                        *first_line
                    } else {
                        rows.iter()
                            .filter(|r| r.key.to_string() == key && r.relationship == Relationship::Insured)
                            .nth(1)
                            .map_or(*first_line, |r| r.line)
                    };
                    return Err(bad(
                        line,
                        format!(
                            "household {key} would have {insured} insured persons; it needs exactly one"
                        ),
                    ));
                }
            }
            audit::insert(
                tx,
                actor,
                &AuditEntry {
                    event: "import_members",
                    outcome: "ok",
                    household_id: None,
                    subject: None,
                    detail: Some(format!(
                        "rows {} households_added {} members_added {}",
                        report.rows, report.households_added, report.members_added
                    )),
                },
                now,
            )?;
            Ok(report)
        })
    }

    /// Every household with its registration status.
    pub fn household_summaries(&self) -> Result<Vec<HouseholdSummary>, ServiceError> {
        Ok(self.store.read(households::summaries)?)
    }
}
