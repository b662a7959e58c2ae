//! Reading back what the store holds: everything one household has after (or instead of) a
//! registration, every text value of every table, and the raw bytes of the file and its WAL.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use kosmo_kiosk::domain::Lang;
use kosmo_kiosk::services::registration::terms;
use kosmo_kiosk::store::accounts::{self, Account};
use kosmo_kiosk::store::outbox::{self, OutboxRow};
use rusqlite::Connection;

/// Everything the store holds about one household that registration writes.
#[derive(Debug)]
pub struct HouseholdState {
    pub household_id: i64,
    pub account: Option<Account>,
    /// (temp ID, state), oldest first.
    pub credentials: Vec<(String, String)>,
    pub terms: Vec<String>,
    /// Audit rows with event `register`.
    pub register_audits: Vec<(String, Option<String>, Option<String>)>,
    pub outbox: Vec<OutboxRow>,
}

impl HouseholdState {
    pub fn read(c: &Connection, household_id: i64) -> HouseholdState {
        let account = accounts::for_household(c, household_id).expect("account");
        let mut st = c
            .prepare(
                "SELECT temp_id, state FROM temp_credentials WHERE household_id = ?1 ORDER BY id",
            )
            .expect("prepare");
        let credentials = st
            .query_map([household_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .collect::<Result<Vec<_>, _>>()
            .expect("rows");
        let terms = kosmo_kiosk::store::terms::versions_for(c, household_id).expect("terms");
        let mut st = c
            .prepare(
                "SELECT outcome, subject, detail FROM audit WHERE household_id = ?1 AND event = 'register'
                 ORDER BY id",
            )
            .expect("prepare");
        let register_audits = st
            .query_map([household_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("query")
            .collect::<Result<Vec<_>, _>>()
            .expect("rows");
        let outbox = outbox::list(c, None)
            .expect("outbox")
            .into_iter()
            .filter(|m| m.household_id == Some(household_id))
            .collect();
        HouseholdState {
            household_id,
            account,
            credentials,
            terms,
            register_audits,
            outbox,
        }
    }

    pub fn is_untouched(&self, temp_id: &str) -> bool {
        self.account.is_none()
            && self
                .credentials
                .iter()
                .any(|(t, s)| t == temp_id && s == "live")
            && self.terms.is_empty()
            && self.register_audits.is_empty()
            && self.outbox.is_empty()
    }

    pub fn is_registered(&self, temp_id: &str, user_id: &str, email: Option<&str>) -> bool {
        self.account
            .as_ref()
            .is_some_and(|a| a.user_id == user_id && a.email.as_deref() == email)
            && self
                .credentials
                .iter()
                .any(|(t, s)| t == temp_id && s == "used")
            && self.terms == [terms(Lang::Ja).version]
            && self.register_audits.len() == 1
            && self.register_audits[0].0 == "ok"
            && match email {
                Some(to) => {
                    self.outbox.len() == 1
                        && self.outbox[0].kind == "welcome"
                        && self.outbox[0].to == to
                }
                None => self.outbox.is_empty(),
            }
    }

    /// Panics with the whole state unless the household is exactly as before registration: its postcard
    /// still live, no account, no terms agreement, no `register` audit row, no mail.
    pub fn assert_untouched(&self, temp_id: &str) {
        assert!(
            self.is_untouched(temp_id),
            "expected untouched with {temp_id} live: {self:#?}"
        );
    }

    /// Panics with the whole state unless registration is complete: account, postcard used, the terms
    /// agreement, one `register` audit row and (with an address) one welcome mail.
    pub fn assert_registered(&self, temp_id: &str, user_id: &str, email: Option<&str>) {
        assert!(
            self.is_registered(temp_id, user_id, email),
            "expected registered as {user_id}: {self:#?}"
        );
    }
}

/// Every non-NULL value of every column of every table, as text: (table, column, value).
pub fn every_text(c: &Connection) -> Vec<(String, String, String)> {
    let mut tables: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    tables.sort();
    let mut out = Vec::new();
    for t in tables {
        let cols: Vec<String> = c
            .prepare(&format!("SELECT name FROM pragma_table_info('{t}')"))
            .expect("prepare")
            .query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        for col in cols {
            let mut st = c
                .prepare(&format!(
                    "SELECT CAST(\"{col}\" AS TEXT) FROM \"{t}\" WHERE \"{col}\" IS NOT NULL"
                ))
                .expect("prepare");
            for v in st.query_map([], |r| r.get::<_, String>(0)).expect("query") {
                out.push((t.clone(), col.clone(), v.expect("text")));
            }
        }
    }
    out
}

/// The raw bytes of the store file and its WAL, for scanning.
pub fn raw_store_bytes(db: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(db).expect("read the store file");
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    if let Ok(w) = std::fs::read(PathBuf::from(wal)) {
        bytes.extend(w);
    }
    bytes
}

pub fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}
