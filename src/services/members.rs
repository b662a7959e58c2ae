//! The member list: `admin import-members` (all or nothing; UTF-8 or CP932, see [`super::encoding`];
//! corrections with `--replace`, see [`super::member_corrections`]) and `admin members`.
//!
//! The import streams: the CSV is read record by record from a buffered reader (the CP932 decoder's
//! too) and each row is written at once, inside one `BEGIN IMMEDIATE` transaction with prepared
//! (cached) statements, so memory does not grow with the file (only a few integers per household it
//! touches) and a bad row anywhere rolls every earlier row back.

use std::collections::HashMap;
use std::io::{BufRead, Read};
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

/// Reads a members CSV one row at a time, checking each: an iterator of rows, the first bad row
/// reported with its line number. A UTF-8 byte order mark before the header is skipped.
pub struct MembersReader<R: Read> {
    reader: csv::Reader<R>,
    /// Where each of [`CSV_COLUMNS`] is in a record.
    index: [usize; 6],
    today: Date,
    record: csv::StringRecord,
}

impl<R: BufRead> MembersReader<R> {
    /// Reads the header row.
    pub fn new(mut input: R, today: Date) -> Result<Self, ServiceError> {
        let head = input
            .fill_buf()
            .map_err(|e| ServiceError::user(format!("line 1: cannot read the header row: {e}")))?;
        if head.starts_with("\u{feff}".as_bytes()) {
            input.consume(3);
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(input);
        let headers = reader
            .headers()
            .map_err(|e| ServiceError::user(format!("line 1: cannot read the header row: {e}")))?;
        let mut index = [0; 6];
        for (slot, col) in index.iter_mut().zip(CSV_COLUMNS) {
            *slot = headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(col))
                .ok_or_else(|| bad(1, format!("the header has no column \"{col}\"")))?;
        }
        Ok(MembersReader {
            reader,
            index,
            today,
            record: csv::StringRecord::new(),
        })
    }
}

impl<R: Read> MembersReader<R> {
    fn field(&self, col: usize) -> String {
        let raw = self.record.get(self.index[col]).unwrap_or("");
        let n = normalize(raw);
        match n.trim() {
            t if t.len() == n.len() => n,
            t => t.to_string(),
        }
    }

    /// Checks the record just read.
    fn row(&self, line: u64) -> Result<ImportRow, ServiceError> {
        let [insurer, symbol, number] = [0, 1, 2].map(|i| self.field(i));
        let key = HouseholdKey::new(&insurer, &symbol, &number).map_err(|e| {
            bad(
                line,
                format!(
                    "the household {} is not valid ({})",
                    quoted(&format!("{insurer}-{symbol}-{number}")),
                    e.to_string().trim_end_matches('.')
                ),
            )
        })?;
        let name = self.field(3);
        if name.is_empty() || name.chars().count() > 100 {
            return Err(bad(line, "the name is empty or longer than 100 characters"));
        }
        let birth = self.field(4);
        let birth_date = parse_date(&birth).map_err(|_| {
            bad(
                line,
                format!("birth_date {} is not a date as YYYY-MM-DD", quoted(&birth)),
            )
        })?;
        if birth_date > self.today {
            return Err(bad(line, format!("birth_date {birth} is in the future")));
        }
        let rel = self.field(5);
        let relationship = Relationship::parse(&rel.to_ascii_lowercase()).ok_or_else(|| {
            bad(
                line,
                format!("relationship {} must be insured or dependent", quoted(&rel)),
            )
        })?;
        Ok(ImportRow {
            line,
            key,
            name,
            birth_date,
            relationship,
        })
    }
}

impl<R: Read> Iterator for MembersReader<R> {
    type Item = Result<ImportRow, ServiceError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.reader.read_record(&mut self.record) {
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    return Some(Err(bad(line, format!("not valid CSV ({e})"))));
                }
                Ok(false) => return None,
                Ok(true) => {}
            }
            if self.record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            let line = self.record.position().map_or(0, |p| p.line());
            return Some(self.row(line));
        }
    }
}

/// Reads and checks every row of a members CSV held in memory (tests, the demo). The first bad row
/// is reported with its line number.
pub fn parse_members_csv(text: &str, today: Date) -> Result<Vec<ImportRow>, ServiceError> {
    MembersReader::new(text.as_bytes(), today)?.collect()
}

/// What the import remembers of a household it touched: the file's first line for it, the lines of
/// its first two insured persons (to name the line that breaks "exactly one insured person") and how
/// many members the file lists for it.
struct Touched {
    first_line: u64,
    insured_lines: [Option<u64>; 2],
    listed: u64,
}

impl Services {
    /// Imports a members CSV file in one transaction: every row or none. The file is streamed.
    pub fn import_members(
        &self,
        actor: &Actor,
        path: &Path,
        options: ImportOptions,
    ) -> Result<ImportReport, ServiceError> {
        let (input, read_as) = encoding::open_text(path, options.encoding)?;
        let rows = MembersReader::new(input, self.clock.today())?;
        let mut report = self.import(actor, rows, options.replace)?;
        report.encoding = Some(read_as);
        Ok(report)
    }

    /// Imports rows already read (the demo, tests), adding what is new.
    pub fn import_rows(
        &self,
        actor: &Actor,
        rows: &[ImportRow],
    ) -> Result<ImportReport, ServiceError> {
        self.import(actor, rows.iter().cloned().map(Ok), false)
    }

    /// Imports rows as they come (a [`MembersReader`]), adding what is new.
    pub fn import_stream(
        &self,
        actor: &Actor,
        rows: impl IntoIterator<Item = Result<ImportRow, ServiceError>>,
    ) -> Result<ImportReport, ServiceError> {
        self.import(actor, rows, false)
    }

    /// The import in one `BEGIN IMMEDIATE` transaction; the first error (a bad row, a household
    /// without exactly one insured person) rolls everything back.
    fn import(
        &self,
        actor: &Actor,
        rows: impl IntoIterator<Item = Result<ImportRow, ServiceError>>,
        replace: bool,
    ) -> Result<ImportReport, ServiceError> {
        let now = self.now();
        self.store.write(|tx| {
            let mut report = ImportReport::default();
            let mut touched: HashMap<i64, Touched> = HashMap::new();
            if replace {
                households::begin_file(tx)?;
            }
            // Member lists come grouped by household: the last one found is looked up once.
            let mut last: Option<(HouseholdKey, i64)> = None;
            for row in rows {
                let row = row?;
                report.rows += 1;
                let hid = match &last {
                    Some((key, id)) if *key == row.key => *id,
                    _ => {
                        let (id, added) = households::upsert(tx, &row.key, now)?;
                        if added {
                            report.households_added += 1;
                        }
                        last = Some((row.key.clone(), id));
                        id
                    }
                };
                let t = touched.entry(hid).or_insert(Touched {
                    first_line: row.line,
                    insured_lines: [None, None],
                    listed: 0,
                });
                t.listed += 1;
                if row.relationship == Relationship::Insured {
                    if let Some(slot) = t.insured_lines.iter_mut().find(|s| s.is_none()) {
                        *slot = Some(row.line);
                    }
                }
                if replace {
                    let m = households::FileMember {
                        line: row.line,
                        name: row.name,
                        birth_date: row.birth_date,
                        relationship: row.relationship,
                    };
                    if !households::add_file_member(tx, hid, &m)? {
                        report.unchanged += 1;
                    }
                    continue;
                }
                if households::insert_member(tx, hid, &row.name, row.birth_date, row.relationship)? {
                    report.members_added += 1;
                } else {
                    report.unchanged += 1;
                }
            }
            // Households in the file's order, so that what is said follows the file.
            let mut order: Vec<(u64, i64)> =
                touched.iter().map(|(h, t)| (t.first_line, *h)).collect();
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
                } else if households::count_members(tx, *hid)? > touched[hid].listed {
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
            let mut count = tx
                .prepare_cached(households::COUNT_INSURED)
                .map_err(crate::store::StoreError::from)?;
            for (_, hid) in &order {
                let insured: i64 = count
                    .query_row([hid], |r| r.get(0))
                    .map_err(crate::store::StoreError::from)?;
                if insured != 1 {
                    let t = &touched[hid];
                    let key = households::get(tx, *hid)?
                        .map(|h| h.key.to_string())
                        .unwrap_or_default();
                    let line = if insured == 0 {
                        t.first_line
                    } else {
                        t.insured_lines[1].unwrap_or(t.first_line)
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::config::Config;
    use crate::store::Store;

    const HEADER: &str = "insurer_number,symbol,number,name,birth_date,relationship\n";

    fn services(dir: &tempfile::TempDir) -> Services {
        Services::new(
            Arc::new(Store::open(&dir.path().join("k.db")).unwrap()),
            Arc::new(Config::default()),
        )
    }

    #[test]
    fn a_byte_order_mark_and_extra_columns_are_accepted() {
        let text = "\u{feff}note,insurer_number,symbol,number,name,birth_date,relationship,x\n\
                    memo,06139497,ＡＢ,１２,山田 太郎,1970-01-01,Insured\n";
        let rows = parse_members_csv(text, time::macros::date!(2026 - 01 - 01)).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].key.to_string(), "06139497-AB-12");
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].relationship, Relationship::Insured);
    }

    /// A reader that makes `n` households of two members each as it is read: the import takes rows
    /// as they come and never needs the whole file.
    struct Generated {
        next: usize,
        n: usize,
        buf: Vec<u8>,
        pos: usize,
    }

    impl Read for Generated {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            if self.pos == self.buf.len() {
                self.buf.clear();
                self.pos = 0;
                if self.next == 0 {
                    self.buf.extend_from_slice(HEADER.as_bytes());
                }
                if self.next < self.n {
                    let i = self.next;
                    self.buf.extend_from_slice(
                        format!(
                            "01130012,G{},{i},本人 {i},1970-01-01,insured\n\
                             01130012,G{},{i},家族 {i},2001-02-03,dependent\n",
                            i % 7,
                            i % 7
                        )
                        .as_bytes(),
                    );
                }
                self.next += 1;
            }
            let k = out.len().min(self.buf.len() - self.pos);
            out[..k].copy_from_slice(&self.buf[self.pos..self.pos + k]);
            self.pos += k;
            Ok(k)
        }
    }

    #[test]
    fn rows_are_imported_as_they_are_read_in_one_transaction() {
        let dir = tempfile::tempdir().unwrap();
        let svc = services(&dir);
        let source = Generated {
            next: 0,
            n: 5_000,
            buf: Vec::new(),
            pos: 0,
        };
        let rows = MembersReader::new(std::io::BufReader::new(source), svc.clock.today()).unwrap();
        let report = svc.import_stream(&Actor::admin(), rows).unwrap();
        assert_eq!(
            report,
            ImportReport {
                rows: 10_000,
                households_added: 5_000,
                members_added: 10_000,
                ..Default::default()
            }
        );
        // A bad row at the very end rolls back everything before it.
        let text = format!(
            "{HEADER}01130012,Z,1,新 一,1970-01-01,insured\n01130012,Z,2,新 二,1970-01-01,insured\n\
             01130012,Z,2,新 三,1971-01-01,insured\n"
        );
        let err = svc
            .import_stream(
                &Actor::admin(),
                MembersReader::new(text.as_bytes(), svc.clock.today()).unwrap(),
            )
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("line 4: household 01130012-Z-2 would have 2"),
            "{err}"
        );
        let n: i64 = svc
            .store
            .read(|c| Ok(c.query_row("SELECT count(*) FROM households", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(n, 5_000);
    }
}
