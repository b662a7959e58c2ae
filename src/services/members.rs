//! The member list: `admin import-members` (all or nothing; UTF-8 or CP932, see [`super::encoding`];
//! corrections with `--replace`, see [`super::member_corrections`]) and `admin members`.

use std::collections::HashMap;
use std::path::Path;

use time::Date;

use super::encoding::{self, CsvEncoding};
use super::member_corrections::{self, MemberChange};
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
    /// How the file was read (None for rows given in memory).
    pub encoding: Option<CsvEncoding>,
    /// With `--replace`: members corrected, removed or kept (in the file's household order).
    pub changes: Vec<MemberChange>,
    /// Without `--replace`: households of the file that have members the file does not list (a
    /// correction the import did not make), and how many there are in all.
    pub unlisted: Vec<HouseholdKey>,
    pub unlisted_count: usize,
}

impl ImportReport {
    /// Members corrected in place (`--replace`).
    pub fn corrected(&self) -> usize {
        self.count(|c| matches!(c, member_corrections::Change::Corrected { .. }))
    }

    /// Members removed (`--replace`).
    pub fn removed(&self) -> usize {
        self.count(|c| matches!(c, member_corrections::Change::Removed(_)))
    }

    fn count(&self, f: impl Fn(&member_corrections::Change) -> bool) -> usize {
        self.changes.iter().filter(|c| f(&c.change)).count()
    }
}

/// How `admin import-members` reads and applies a file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// The file's encoding; None detects UTF-8 or CP932.
    pub encoding: Option<CsvEncoding>,
    /// Every household the file names ends with exactly the file's members.
    pub replace: bool,
}

/// How many households with members the file does not list are named in the report.
const UNLISTED_NAMED: usize = 5;

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
    pub fn import_members(
        &self,
        actor: &Actor,
        path: &Path,
        options: ImportOptions,
    ) -> Result<ImportReport, ServiceError> {
        let (mut input, read_as) = encoding::open_text(path, options.encoding)?;
        let mut text = String::new();
        std::io::Read::read_to_string(&mut input, &mut text)
            .map_err(|e| ServiceError::user(format!("cannot read {}: {e}", path.display())))?;
        let rows = parse_members_csv(&text, self.clock.today())?;
        let mut report = self.import(actor, &rows, options.replace)?;
        report.encoding = Some(read_as);
        Ok(report)
    }

    /// Imports rows already read (the demo, tests), adding what is new.
    pub fn import_rows(
        &self,
        actor: &Actor,
        rows: &[ImportRow],
    ) -> Result<ImportReport, ServiceError> {
        self.import(actor, rows, false)
    }

    fn import(
        &self,
        actor: &Actor,
        rows: &[ImportRow],
        replace: bool,
    ) -> Result<ImportReport, ServiceError> {
        let now = self.now();
        self.store.write(|tx| {
            let mut report = ImportReport {
                rows: rows.len(),
                ..Default::default()
            };
            let mut touched: HashMap<i64, u64> = HashMap::new();
            // Without --replace: the file's members of each household (to find those it leaves out).
            let mut listed: HashMap<i64, u64> = HashMap::new();
            if replace {
                households::begin_file(tx)?;
            }
            for row in rows {
                let (hid, added) = households::upsert(tx, &row.key, now)?;
                if added {
                    report.households_added += 1;
                }
                touched.entry(hid).or_insert(row.line);
                if replace {
                    let m = households::FileMember {
                        line: row.line,
                        name: row.name.clone(),
                        birth_date: row.birth_date,
                        relationship: row.relationship,
                    };
                    if !households::add_file_member(tx, hid, &m)? {
                        report.unchanged += 1;
                    }
                    continue;
                }
                *listed.entry(hid).or_default() += 1;
                if households::insert_member(tx, hid, &row.name, row.birth_date, row.relationship)? {
                    report.members_added += 1;
                } else {
                    report.unchanged += 1;
                }
            }
            // Households in the file's order, so that what is said follows the file.
            let mut order: Vec<(u64, i64)> = touched.iter().map(|(h, l)| (*l, *h)).collect();
            order.sort_unstable();
            for (_, hid) in &order {
                let key = || -> Result<HouseholdKey, ServiceError> {
                    households::get(tx, *hid)?.map(|h| h.key).ok_or_else(|| {
                        crate::store::StoreError::Corrupt(format!("household {hid} vanished")).into()
                    })
                };
                if replace {
                    let counts =
                        member_corrections::reconcile(tx, *hid, &key()?, &mut report.changes)?;
                    report.members_added += counts.added;
                    report.unchanged += counts.unchanged;
                } else if households::count_members(tx, *hid)? > listed[hid] {
                    report.unlisted_count += 1;
                    if report.unlisted.len() < UNLISTED_NAMED {
                        report.unlisted.push(key()?);
                    }
                }
            }
            if replace {
                households::end_file(tx)?;
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
                    detail: Some(if replace {
                        format!(
                            "rows {} households_added {} members_added {} corrected {} removed {} (replace)",
                            report.rows,
                            report.households_added,
                            report.members_added,
                            report.corrected(),
                            report.removed()
                        )
                    } else {
                        format!(
                            "rows {} households_added {} members_added {}",
                            report.rows, report.households_added, report.members_added
                        )
                    }),
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
