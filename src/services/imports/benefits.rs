//! `admin import-benefits FILE.csv`: `household,decided_on,kind,amount,paid_on` (支給決定). The kinds
//! are configuration (`[[benefits.kinds]]`); a file names one by its code or its Japanese name.

use std::io::BufRead;
use std::path::Path;

use rusqlite::Connection;
use time::Date;

use super::expenses::yen_field;
use super::{ImportReport, Kind, RowError, Window, import_path, row_hash, shown};
use crate::config::BenefitsConfig;
use crate::domain::household::HouseholdKey;
use crate::services::encoding::CsvEncoding;
use crate::services::{ServiceError, Services};
use crate::store::Actor;
use crate::store::expenses::{self as table, ImportKind, NewBenefit};
use crate::store::households::{format_date, parse_date};

pub const COLUMNS: [&str; 5] = ["household", "decided_on", "kind", "amount", "paid_on"];

/// One checked row of a decisions file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenefitLine {
    pub decided_on: String,
    /// The configured kind's code.
    pub kind: String,
    pub amount: i64,
    pub paid_on: Option<String>,
}

fn date(column: &str, s: &str) -> Result<Date, String> {
    parse_date(s).map_err(|_| format!("{column} {} is not a date as YYYY-MM-DD", shown(s)))
}

/// Checks the fields of one record after the household (in [`COLUMNS`] order). `None`: decided
/// before the window.
pub fn parse_benefit(
    f: &[String],
    kinds: &BenefitsConfig,
    window_start: Date,
    today: Date,
) -> Result<Option<BenefitLine>, String> {
    let decided_on = date("decided_on", &f[1])?;
    if decided_on > today {
        return Err(format!(
            "decided_on {} is in the future",
            format_date(decided_on)
        ));
    }
    let kind = kinds.kind(&f[2]).ok_or_else(|| {
        let known: Vec<String> = kinds
            .kinds
            .iter()
            .map(|k| format!("{} ({})", k.code, k.ja))
            .collect();
        format!(
            "kind {} is not one of the configured kinds: {}",
            shown(&f[2]),
            known.join(", ")
        )
    })?;
    let amount = yen_field("amount", &f[3])?;
    if amount == 0 {
        return Err("amount must be more than 0".into());
    }
    let paid_on = match f[4].as_str() {
        "" => None,
        s => {
            let d = date("paid_on", s)?;
            if d < decided_on {
                return Err(format!(
                    "paid_on {} is before decided_on {}",
                    format_date(d),
                    format_date(decided_on)
                ));
            }
            Some(format_date(d))
        }
    };
    if decided_on < window_start {
        return Ok(None);
    }
    Ok(Some(BenefitLine {
        decided_on: format_date(decided_on),
        kind: kind.code.clone(),
        amount,
        paid_on,
    }))
}

pub(crate) struct Benefits {
    kinds: BenefitsConfig,
}

impl Kind for Benefits {
    const KIND: ImportKind = ImportKind::Benefits;
    const COLUMNS: &'static [&'static str] = &COLUMNS;
    const MAIL: &'static str = "benefits_decided";
    type Row = BenefitLine;

    fn parse(&self, fields: &[String], window: &Window) -> Result<Option<BenefitLine>, String> {
        parse_benefit(fields, &self.kinds, window.start.first_day(), window.today)
    }

    fn period(row: &BenefitLine) -> &str {
        &row.decided_on
    }

    fn insert(
        &mut self,
        conn: &Connection,
        hid: i64,
        _key: &HouseholdKey,
        row: &BenefitLine,
    ) -> Result<i64, RowError> {
        let mut stmt = conn.prepare_cached(table::INSERT_BENEFIT)?;
        table::insert_benefit(
            &mut stmt,
            &NewBenefit {
                household_id: hid,
                decided_on: &row.decided_on,
                kind: &row.kind,
                amount: row.amount,
                paid_on: row.paid_on.as_deref(),
            },
        )?;
        Ok(row_hash(&[
            row.kind.as_bytes(),
            &row.amount.to_le_bytes(),
            row.paid_on.as_deref().unwrap_or("").as_bytes(),
        ]))
    }
}

impl Services {
    /// `admin import-benefits FILE.csv`: the file streamed in one transaction, all or nothing. Read as
    /// `encoding` says, or UTF-8 or CP932 detected ([`crate::services::encoding`]).
    pub fn import_benefits(
        &self,
        actor: &Actor,
        path: &Path,
        encoding: Option<CsvEncoding>,
    ) -> Result<ImportReport, ServiceError> {
        import_path(path, encoding, |name, input| {
            self.import_benefits_from(actor, name, input)
        })
    }

    /// Imports a decisions CSV from `input` (the demo, tests), named `file_name`.
    pub fn import_benefits_from(
        &self,
        actor: &Actor,
        file_name: &str,
        input: impl BufRead,
    ) -> Result<ImportReport, ServiceError> {
        self.config.benefits.validate().map_err(|e| {
            ServiceError::user(format!(
                "the [benefits] configuration is not usable: {e}; nothing was imported"
            ))
        })?;
        let kind = Benefits {
            kinds: self.config.benefits.clone(),
        };
        self.import_kind(actor, kind, file_name, input)
    }
}
