//! Shared set-up for the store and services proofs: a real SQLite file in a temp dir, a clock the test
//! moves, sample households, and helpers that read back everything one household has in the store.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use kosmo_kiosk::clock::FixedClock;
use kosmo_kiosk::config::Config;
use kosmo_kiosk::domain::Lang;
use kosmo_kiosk::domain::household::{HouseholdKey, Relationship};
use kosmo_kiosk::domain::insurer::{self, InsurerNumber};
use kosmo_kiosk::services::Services;
use kosmo_kiosk::services::auth::{LoginOutcome, RegistrationTicket};
use kosmo_kiosk::services::credentials::Notice;
use kosmo_kiosk::services::members::parse_members_csv;
use kosmo_kiosk::services::registration::{
    IdentityOutcome, RegisterError, Registered, RegistrationInput, terms,
};
use kosmo_kiosk::store::accounts::{self, Account};
use kosmo_kiosk::store::outbox::{self, OutboxRow};
use kosmo_kiosk::store::{Actor, Store, households};
use rusqlite::Connection;
use time::{Date, OffsetDateTime};
use zeroize::Zeroizing;

/// Four households. 山田 has two dependents; the numbers are long enough that they cannot turn up by
/// chance inside a timestamp or a hash when the tests look for them.
pub const MEMBERS_CSV: &str = "\
insurer_number,symbol,number,name,birth_date,relationship
06139497,12,4417203,山田 太郎,1970-05-05,insured
06139497,12,4417203,山田 花子,1972-06-06,dependent
06139497,12,4417203,山田 一郎,2005-03-03,dependent
01130012,AB,5530871,佐藤 次郎,1980-01-01,insured
33120015,21,6620934,鈴木 三郎,1965-12-12,insured
06139497,12,4417299,山田 次郎,1990-09-09,insured
";

pub const YAMADA: &str = "06139497-12-4417203";
pub const SATO: &str = "01130012-AB-5530871";
pub const SUZUKI: &str = "33120015-21-6620934";
/// Same insurer and symbol as [`YAMADA`], another number: a neighbour whose birth date must not let a
/// Yamada postcard through.
pub const NEIGHBOUR: &str = "06139497-12-4417299";

/// A members CSV with `n` one-person households under insurer 06139497, symbol `sym`, numbers
/// 7000001, 7000002, …; person `i` (0-based) is born on day `1 + i % 28` of month `1 + i % 12`, 1960 + i % 40.
pub fn many_households_csv(sym: &str, n: usize) -> String {
    let mut s = String::from("insurer_number,symbol,number,name,birth_date,relationship\n");
    for i in 0..n {
        s.push_str(&format!(
            "06139497,{sym},{},会員 {i},{},insured\n",
            7_000_001 + i,
            birth_of(i)
        ));
    }
    s
}

pub fn key_of(sym: &str, i: usize) -> String {
    format!("06139497-{sym}-{}", 7_000_001 + i)
}

pub fn birth_of(i: usize) -> String {
    format!("{}-{:02}-{:02}", 1960 + i % 40, 1 + i % 12, 1 + i % 28)
}

pub fn date(s: &str) -> Date {
    households::parse_date(s).expect("a YYYY-MM-DD date")
}

pub fn insurer(s: &str) -> InsurerNumber {
    insurer::parse(s).expect("a valid insurer number")
}

pub fn key(s: &str) -> HouseholdKey {
    HouseholdKey::parse(s).expect("a valid household key")
}

/// Now, whole seconds (the store keeps whole seconds).
pub fn now_s() -> OffsetDateTime {
    OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .expect("0 ns is valid")
}

/// What STEP4 would send.
pub fn input(user_id: &str, password: &str, email: &str) -> RegistrationInput {
    RegistrationInput {
        user_id: user_id.into(),
        password: Zeroizing::new(password.into()),
        password_confirm: Zeroizing::new(password.into()),
        email: email.into(),
        notify_mail: !email.is_empty(),
        registrant: Relationship::Insured,
        member_id: None,
        terms_version: terms(Lang::Ja).version.into(),
        lang: Lang::Ja,
        initial_password: false,
    }
}

/// A store file in a temp dir and services on a clock that starts at the real now and moves only when
/// told (so that credentials issued here are valid for processes that use the system clock too).
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub clock: Arc<FixedClock>,
    pub svc: Services,
    notices: AtomicUsize,
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture::with_config(Config::default())
    }

    pub fn with_config(config: Config) -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("kiosk.db");
        let store = Store::open(&db).expect("open the store");
        let clock = Arc::new(FixedClock::new(now_s()));
        let svc = Services::with_clock(Arc::new(store), Arc::new(config), clock.clone());
        Fixture {
            dir,
            db,
            clock,
            svc,
            notices: AtomicUsize::new(0),
        }
    }

    /// A fixture with [`MEMBERS_CSV`] imported.
    pub fn with_members() -> Fixture {
        let f = Fixture::new();
        f.import(MEMBERS_CSV);
        f
    }

    pub fn import(&self, csv: &str) {
        let rows = parse_members_csv(csv, self.svc.clock.today()).expect("a valid members CSV");
        self.svc
            .import_rows(&Actor::admin(), &rows)
            .expect("import");
    }

    pub fn notices_path(&self) -> PathBuf {
        let n = self.notices.fetch_add(1, Ordering::SeqCst);
        self.dir.path().join(format!("notices-{n}.csv"))
    }

    /// Issues postcards (all pending households when `keys` is empty) and returns the notices.
    pub fn issue(&self, keys: &[&str]) -> Vec<Notice> {
        let keys: Vec<HouseholdKey> = keys.iter().map(|k| key(k)).collect();
        self.svc
            .issue_credentials(&Actor::admin(), &self.notices_path(), &keys)
            .expect("issue credentials")
            .notices
    }

    /// Issues one postcard to `household` and returns it.
    pub fn issue_one(&self, household: &str) -> Notice {
        let mut n = self.issue(&[household]);
        assert_eq!(n.len(), 1);
        n.remove(0)
    }

    pub fn login(&self, id: &str, password: &str) -> LoginOutcome {
        self.svc
            .login(&Actor::kiosk(), id, password)
            .expect("login does not fail with an error")
    }

    /// Logs in with a postcard; panics unless that gives a registration ticket.
    pub fn ticket(&self, n: &Notice) -> RegistrationTicket {
        match self.login(&n.temp_user_id, &n.temp_password) {
            LoginOutcome::Temporary(t) => t,
            other => panic!("postcard {} did not log in: {other:?}", n.temp_user_id),
        }
    }

    /// Logs in with the postcard and passes the identity check with the household's insured person.
    pub fn confirmed_ticket(&self, n: &Notice) -> RegistrationTicket {
        let mut t = self.ticket(n);
        let (ins, birth) = self.insured_of(&n.household);
        let out = self
            .svc
            .check_identity(&Actor::kiosk(), &t, &insurer(&ins), birth)
            .expect("identity check");
        match out {
            IdentityOutcome::Confirmed(m) => t.confirm(&m),
            other => panic!("identity of {}: {other:?}", n.household),
        }
        t
    }

    pub fn register(
        &self,
        ticket: &RegistrationTicket,
        user_id: &str,
        password: &str,
        email: &str,
    ) -> Result<Registered, RegisterError> {
        self.svc
            .register(&Actor::kiosk(), ticket, &input(user_id, password, email))
    }

    /// Postcard → login → identity → register, all in one.
    pub fn register_household(
        &self,
        household: &str,
        user_id: &str,
        password: &str,
        email: &str,
    ) -> Registered {
        let n = self.issue_one(household);
        let t = self.confirmed_ticket(&n);
        self.register(&t, user_id, password, email)
            .expect("registration")
    }

    /// The insurer number and the insured person's birth date of a household.
    pub fn insured_of(&self, household: &str) -> (String, Date) {
        let k = key(household);
        let birth = self
            .svc
            .store
            .read(|c| {
                let h = households::find_by_key(c, &k)?.expect("household exists");
                Ok(households::members_of(c, h.id)?
                    .into_iter()
                    .find(|m| m.relationship == Relationship::Insured)
                    .expect("an insured person")
                    .birth_date)
            })
            .expect("read");
        (k.insurer, birth)
    }

    pub fn household_id(&self, household: &str) -> i64 {
        let k = key(household);
        self.svc
            .store
            .read(|c| {
                Ok(households::find_by_key(c, &k)?
                    .expect("household exists")
                    .id)
            })
            .expect("read")
    }

    pub fn state(&self, household: &str) -> HouseholdState {
        let id = self.household_id(household);
        self.svc
            .store
            .read(|c| Ok(HouseholdState::read(c, id)))
            .expect("read")
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.svc
            .store
            .read(|c| Ok(c.query_row(sql, [], |r| r.get(0))?))
            .expect("count")
    }
}

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
