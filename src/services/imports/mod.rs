//! `admin import-expenses` and `admin import-benefits`: the society's files of medical expenses
//! (医療費) and benefit decisions (支給決定), imported in one pass.
//!
//! The file streams: each record is read, checked and written at once inside one `BEGIN IMMEDIATE`
//! transaction with prepared statements, so memory does not grow with the file and the first bad row
//! (named by its line) rolls everything back. An import replaces the *groups* its file holds (one
//! household's month of treatment, or one household's decision date): the first row of a group
//! deletes the group's earlier rows. Each group keeps an order-free digest of its rows, so that at the
//! end the households whose data really changed are known from the store alone; each of those whose
//! setting is 必要 and that has an address gets one notice mail, queued in the same transaction (the
//! dedupe key holds the batch: one per household per import). Rows before the window are skipped and
//! the store's rows before it deleted. The batch (file, rows, time) and the purge are audited.

pub mod benefits;
mod csv_rows;
pub mod expenses;
#[cfg(test)]
mod tests;

pub use csv_rows::CsvRows;

use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;

use blake2::Digest;
use rusqlite::Connection;
use time::Date;

use super::encoding::CsvEncoding;
use super::{ServiceError, Services, mail};
use crate::domain::Lang;
use crate::domain::expenses::{YearMonth, window_start};
use crate::domain::household::HouseholdKey;
use crate::domain::text::{neutralize, truncate_chars};
use crate::store::audit::{self, AuditEntry};
use crate::store::expenses::{self as table, GroupStatements, ImportKind, OpenGroup};
use crate::store::outbox::{self, NewMail};
use crate::store::{Actor, StoreError};

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub batch_id: i64,
    /// Rows written.
    pub rows: u64,
    /// Rows of the file before the window (not written).
    pub skipped_old: u64,
    /// Households the file holds rows for.
    pub households: u64,
    /// Groups (household-months, household-decision dates) new, changed, or the same as before.
    pub groups_new: u64,
    pub groups_changed: u64,
    pub groups_unchanged: u64,
    /// Rows of the store before the window, deleted (both kinds).
    pub purged_rows: u64,
    /// Notice mails queued.
    pub mails: u64,
    /// How the file was read (None: the import was given text, not a file).
    pub encoding: Option<CsvEncoding>,
}

/// Reads the import file at `path` as `encoding` says, or detects UTF-8 or CP932 (one pass, constant
/// memory: [`super::encoding`]), and gives `import` the file decoded to UTF-8 as it is read (the
/// import still streams). The report says which encoding was read.
fn import_path(
    path: &Path,
    encoding: Option<CsvEncoding>,
    import: impl FnOnce(&str, Box<dyn BufRead>) -> Result<ImportReport, ServiceError>,
) -> Result<ImportReport, ServiceError> {
    let (input, read_as) = super::encoding::open_text(path, encoding)?;
    let mut report = import(&path.display().to_string(), input)?;
    report.encoding = Some(read_as);
    Ok(report)
}

/// A row that breaks a rule: `line N: …; nothing was imported`.
pub(crate) fn bad(line: u64, what: impl std::fmt::Display) -> ServiceError {
    ServiceError::user(format!("line {line}: {what}; nothing was imported"))
}

/// A field for an error message: quoted, neutralised and cut (see [`crate::domain::text::quoted`]).
pub(crate) fn shown(s: &str) -> String {
    crate::domain::text::quoted(s)
}

/// A 64-bit hash of a row's content; a group's digest is the wrapping sum of its rows' hashes, so it
/// does not depend on their order.
pub(crate) fn row_hash(parts: &[&[u8]]) -> i64 {
    let mut h = blake2::Blake2s256::new();
    for p in parts {
        h.update((p.len() as u32).to_le_bytes());
        h.update(p);
    }
    let out = h.finalize();
    i64::from_le_bytes(out[..8].try_into().unwrap_or_default())
}

/// The window of an import: the current month in Japan and the first month members see.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Window {
    pub today: Date,
    pub current: YearMonth,
    pub start: YearMonth,
}

impl Window {
    pub fn new(today: Date, months: u32) -> Window {
        Window {
            today,
            current: YearMonth::of(today),
            start: window_start(today, months),
        }
    }
}

/// The households of a file, by the text of their column: the last one is remembered (files come
/// grouped by household), any other is parsed and found by one index search.
#[derive(Default)]
pub(crate) struct Households {
    last: Option<(String, HouseholdKey, Option<i64>)>,
}

impl Households {
    /// Reads the household column (the first of every kind of file).
    pub fn key(&mut self, raw: &str) -> Result<&HouseholdKey, String> {
        if self.last.as_ref().is_none_or(|(r, _, _)| r != raw) {
            let key = expenses::household(raw)?;
            self.last = Some((raw.to_string(), key, None));
        }
        match &self.last {
            Some((_, key, _)) => Ok(key),
            None => Err("no household".into()),
        }
    }

    /// The id of the household [`Households::key`] read last.
    pub fn id(&mut self, conn: &Connection) -> Result<i64, RowError> {
        let Some((_, key, id)) = &mut self.last else {
            return Err(RowError::Rule("no household".into()));
        };
        if let Some(id) = id {
            return Ok(*id);
        }
        let found = table::household_id(conn, key)?.ok_or_else(|| {
            format!(
                "household {key} is not in the member list (import it with admin import-members first)"
            )
        })?;
        *id = Some(found);
        Ok(found)
    }
}

/// Why a row cannot be written: a rule it breaks (reported with its line) or the store.
#[derive(Debug)]
pub(crate) enum RowError {
    Rule(String),
    Store(StoreError),
}

impl From<String> for RowError {
    fn from(s: String) -> Self {
        RowError::Rule(s)
    }
}

impl From<StoreError> for RowError {
    fn from(e: StoreError) -> Self {
        RowError::Store(e)
    }
}

impl From<rusqlite::Error> for RowError {
    fn from(e: rusqlite::Error) -> Self {
        RowError::Store(e.into())
    }
}

impl RowError {
    fn at(self, line: u64) -> ServiceError {
        match self {
            RowError::Rule(s) => bad(line, s),
            RowError::Store(e) => e.into(),
        }
    }
}

/// One kind of import file: its columns, how a record becomes a row, and how a row is written.
pub(crate) trait Kind {
    const KIND: ImportKind;
    const COLUMNS: &'static [&'static str];
    /// The notice mail's template and its outbox kind.
    const MAIL: &'static str;
    type Row;

    /// Checks a record's fields after the household (the first; the store is not needed); `None`
    /// when the row lies before the window. Errors are the rule broken, without the line.
    fn parse(&self, fields: &[String], window: &Window) -> Result<Option<Self::Row>, String>;
    /// The group the row belongs to within its household.
    fn period(row: &Self::Row) -> &str;
    /// Writes the row of the household `key` (id `household_id`); returns its hash.
    fn insert(
        &mut self,
        conn: &Connection,
        household_id: i64,
        key: &HouseholdKey,
        row: &Self::Row,
    ) -> Result<i64, RowError>;
}

impl Services {
    fn window(&self) -> Window {
        Window::new(self.clock.today(), self.config.expenses.window_months)
    }

    /// Imports a file of `kind` from `input`, named `file_name` in the batch and the audit.
    pub(crate) fn import_kind<K: Kind, R: BufRead>(
        &self,
        actor: &Actor,
        mut kind: K,
        file_name: &str,
        input: R,
    ) -> Result<ImportReport, ServiceError> {
        let mut csv = CsvRows::new(input, K::COLUMNS)?;
        let window = self.window();
        let file_name = neutralize(truncate_chars(file_name, 255)).into_owned();
        self.store
            .write(|tx| self.import_file(tx, actor, &mut kind, &mut csv, &window, &file_name))
    }

    fn import_file<K: Kind, R: BufRead>(
        &self,
        tx: &Connection,
        actor: &Actor,
        kind: &mut K,
        csv: &mut CsvRows<R>,
        window: &Window,
        file_name: &str,
    ) -> Result<ImportReport, ServiceError> {
        let now = self.now();
        {
            let batch_id = table::insert_batch(tx, K::KIND, file_name, now)?;
            let mut report = ImportReport {
                batch_id,
                ..ImportReport::default()
            };
            let mut touched = Touched::default();
            {
                let mut groups = GroupStatements::new(tx, K::KIND, batch_id)?;
                let mut households = Households::default();
                let mut open: Option<OpenGroup> = None;
                while let Some((line, fields)) = csv.next_row()? {
                    households.key(&fields[0]).map_err(|e| bad(line, e))?;
                    let Some(row) = kind.parse(fields, window).map_err(|e| bad(line, e))? else {
                        report.skipped_old += 1;
                        continue;
                    };
                    let hid = households.id(tx).map_err(|e| e.at(line))?;
                    let period = K::period(&row);
                    let same = open
                        .as_ref()
                        .is_some_and(|g| g.household_id == hid && g.period == period);
                    if !same {
                        if let Some(g) = open.take() {
                            groups.save(&g)?;
                        }
                        open = Some(groups.open(hid, period)?);
                        touched.insert(hid);
                    }
                    let key = households.key(&fields[0]).map_err(|e| bad(line, e))?;
                    let hash = kind.insert(tx, hid, key, &row).map_err(|e| e.at(line))?;
                    if let Some(g) = open.as_mut() {
                        g.rows += 1;
                        g.digest = g.digest.wrapping_add(hash);
                    }
                    report.rows += 1;
                }
                if let Some(g) = open.take() {
                    groups.save(&g)?;
                }
            }
            table::finish_batch(tx, batch_id, report.rows)?;
            let mut notices = Notices::new(self, K::MAIL, batch_id);
            for hid in touched.iter() {
                let c = table::household_changes(tx, K::KIND, hid, batch_id)?;
                report.households += 1;
                report.groups_new += c.groups_new;
                report.groups_changed += c.groups_changed;
                report.groups_unchanged += c.groups_unchanged;
                if c.groups_new + c.groups_changed > 0 {
                    report.mails += notices.queue(tx, hid, now)?;
                }
            }
            report.purged_rows = self.purge_window(tx, actor, window, batch_id, now)?;
            audit::insert(
                tx,
                actor,
                &AuditEntry {
                    event: match K::KIND {
                        ImportKind::Expenses => "import_expenses",
                        ImportKind::Benefits => "import_benefits",
                    },
                    outcome: "ok",
                    household_id: None,
                    subject: None,
                    detail: Some(format!(
                        "batch {batch_id} file {file_name} rows {} skipped_before_window {} households {} \
                         groups_new {} groups_changed {} groups_unchanged {} mails {}",
                        report.rows,
                        report.skipped_old,
                        report.households,
                        report.groups_new,
                        report.groups_changed,
                        report.groups_unchanged,
                        report.mails
                    )),
                },
                now,
            )?;
            Ok(report)
        }
    }

    /// Deletes the expenses and decisions before the window (both kinds, whichever file came in);
    /// audited when anything went. Returns the rows deleted.
    fn purge_window(
        &self,
        tx: &Connection,
        actor: &Actor,
        window: &Window,
        batch_id: i64,
        now: time::OffsetDateTime,
    ) -> Result<u64, StoreError> {
        let months = window.start.to_string();
        let days = crate::dates::iso_date(window.start.first_day());
        let (eg, er) = table::purge_before(tx, ImportKind::Expenses, &months)?;
        let (bg, br) = table::purge_before(tx, ImportKind::Benefits, &days)?;
        if eg + bg > 0 {
            audit::insert(
                tx,
                actor,
                &AuditEntry {
                    event: "purge_expenses",
                    outcome: "ok",
                    household_id: None,
                    subject: None,
                    detail: Some(format!(
                        "batch {batch_id} before {months}: expenses {er} rows in {eg} household-months, \
                         decisions {br} rows in {bg} household-dates"
                    )),
                },
                now,
            )?;
        }
        Ok(er + br)
    }
}

/// The households an import touched, as a bit per household id: memory grows with the society's
/// households (one bit each), not with the file.
#[derive(Default)]
struct Touched(Vec<u64>);

impl Touched {
    fn insert(&mut self, id: i64) {
        let Ok(i) = usize::try_from(id) else {
            return;
        };
        if self.0.len() <= i / 64 {
            self.0.resize(i / 64 + 1, 0);
        }
        self.0[i / 64] |= 1 << (i % 64);
    }

    fn iter(&self) -> impl Iterator<Item = i64> + '_ {
        self.0.iter().enumerate().flat_map(|(w, bits)| {
            (0..64)
                .filter(move |b| bits & (1 << b) != 0)
                .map(move |b| (w * 64 + b) as i64)
        })
    }
}

/// The notice mails of one import (`template`): one to each household whose data it changed, whose
/// setting is 必要 and that has an address; the text is the same for everyone in a language.
struct Notices<'s> {
    svc: &'s Services,
    template: &'static str,
    batch_id: i64,
    texts: HashMap<Lang, mail::Composed>,
}

impl<'s> Notices<'s> {
    fn new(svc: &'s Services, template: &'static str, batch_id: i64) -> Self {
        Notices {
            svc,
            template,
            batch_id,
            texts: HashMap::new(),
        }
    }

    /// Queues the household's mail when it wants one; returns how many were queued (0 or 1).
    fn queue(
        &mut self,
        tx: &Connection,
        hid: i64,
        now: time::OffsetDateTime,
    ) -> Result<u64, StoreError> {
        let Some((email, lang)) = table::notice_address(tx, hid)? else {
            return Ok(0);
        };
        let contact = &self.svc.config.kiosk.contact;
        let text = self
            .texts
            .entry(lang)
            .or_insert_with(|| mail::data_notice(self.template, lang, contact));
        outbox::enqueue(
            tx,
            &NewMail {
                kind: self.template,
                to: &email,
                subject: &text.subject,
                body: &text.body,
                lang: lang.code(),
                message_id: &mail::new_message_id(&self.svc.config.mail.from),
                dedupe_key: &format!("{}:{hid}:{}", self.template, self.batch_id),
                household_id: Some(hid),
            },
            now,
        )?;
        Ok(1)
    }
}
