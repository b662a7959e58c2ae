//! The one store fixture: a real SQLite file in a temp dir, the services on a clock the test moves,
//! households from the one households fixture, and helpers that act as a member, staff or an
//! administrator would (through the services) and read back what the store holds.
//!
//! ```ignore
//! let f = Fixture::with_members();                  // the PROOF households, clock at now
//! let f = Fixture::demo();                          // the DEMO households, clock at T0
//! let f = Fixture::build().households(&DEMO).postcards().staff(&["alice"]).open();
//! ```
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use kosmo_kiosk::clock::FixedClock;
use kosmo_kiosk::config::Config;
use kosmo_kiosk::domain::Lang;
use kosmo_kiosk::domain::household::{HouseholdKey, Relationship};
use kosmo_kiosk::domain::insurer::{self, InsurerNumber};
use kosmo_kiosk::services::Services;
use kosmo_kiosk::services::auth::{AccountSession, LoginOutcome, RegistrationTicket};
use kosmo_kiosk::services::credentials::Notice;
use kosmo_kiosk::services::members::parse_members_csv;
use kosmo_kiosk::services::registration::{
    IdentityOutcome, RegisterError, Registered, RegistrationInput, terms,
};
use kosmo_kiosk::store::accounts::{self, Account};
use kosmo_kiosk::store::outbox::{self, OutboxRow};
use kosmo_kiosk::store::{Actor, Store, households};
use time::macros::datetime;
use time::{Date, OffsetDateTime};
use zeroize::Zeroizing;

#[allow(unused_imports)]
pub use super::households::*;
#[allow(unused_imports)]
pub use super::state::{HouseholdState, contains_bytes, every_text, raw_store_bytes};

/// 10:00 in Tokyo on 1 April 2026: the clock of the screen snapshots and the account tests.
pub const T0: OffsetDateTime = datetime!(2026-04-01 01:00 UTC);

/// The staff password of [`Setup::staff`].
pub const STAFF_PASSWORD: &str = "Counter2026x";

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

/// What STEP4 would send: the insured person registers, in Japanese, mail wanted when an address is
/// given.
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

/// How a [`Fixture`] starts. Defaults: clock at the real now (so that what is issued here is valid
/// for the real binary, which uses the system clock), default configuration, no households.
pub struct Setup {
    start: Option<OffsetDateTime>,
    config: Config,
    households: Vec<&'static str>,
    postcards: bool,
    staff: Vec<String>,
    config_file: Option<String>,
}

impl Setup {
    /// The clock starts at `t` instead of now.
    pub fn at(mut self, t: OffsetDateTime) -> Setup {
        self.start = Some(t);
        self
    }

    pub fn config(mut self, config: Config) -> Setup {
        self.config = config;
        self
    }

    /// Imports these households (see `households.rs`).
    pub fn households(mut self, keys: &[&'static str]) -> Setup {
        self.households.extend_from_slice(keys);
        self
    }

    /// Issues a postcard to every imported household (kept in [`Fixture::cards`]).
    pub fn postcards(mut self) -> Setup {
        self.postcards = true;
        self
    }

    /// Adds staff accounts, each with [`STAFF_PASSWORD`].
    pub fn staff(mut self, ids: &[&str]) -> Setup {
        self.staff.extend(ids.iter().map(|s| s.to_string()));
        self
    }

    /// Writes `config.toml` into the temp dir (for the real binary: `KOSMO_KIOSK_CONFIG`).
    pub fn config_file(mut self, toml: &str) -> Setup {
        self.config_file = Some(toml.to_string());
        self
    }

    pub fn open(self) -> Fixture {
        // A short, fixed-length prefix: a screen that shows a path wraps the same way every run.
        let dir = tempfile::Builder::new()
            .prefix("kk")
            .tempdir()
            .expect("temp dir");
        let db = dir.path().join("kiosk.db");
        if let Some(text) = &self.config_file {
            std::fs::write(dir.path().join("config.toml"), text).expect("config file");
        }
        let store = Store::open(&db).expect("open the store");
        let clock = Arc::new(FixedClock::new(self.start.unwrap_or_else(now_s)));
        let svc = Services::with_clock(
            Arc::new(store),
            Arc::new(self.config.clone()),
            clock.clone(),
        );
        let mut f = Fixture {
            dir,
            db,
            config: self.config,
            clock,
            svc,
            cards: Vec::new(),
            notices: AtomicUsize::new(0),
        };
        if !self.households.is_empty() {
            f.import(&csv(&self.households));
        }
        if self.postcards {
            f.cards = f.issue(&[]).iter().map(Postcard::from).collect();
        }
        for id in &self.staff {
            f.svc
                .add_staff(&Actor::admin(), id, STAFF_PASSWORD)
                .expect("add staff");
        }
        f
    }
}

/// A store file in a temp dir and services on a [`FixedClock`].
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    /// The configuration the services run with.
    pub config: Config,
    pub clock: Arc<FixedClock>,
    pub svc: Services,
    /// The postcards issued at set-up ([`Setup::postcards`]).
    pub cards: Vec<Postcard>,
    notices: AtomicUsize,
}

/// `config` with refusals answered as soon as they are decided: the pace of refusals
/// (`[lockout] refusal_floor_ms`, a quarter second) is a defence of the real program, proved by
/// `tests/services/pace.rs` and the `first_try` benchmark; the other tests refuse thousands of times.
pub fn quick_refusals(mut config: Config) -> Config {
    config.lockout.refusal_floor_ms = 0;
    config
}

impl Fixture {
    pub fn build() -> Setup {
        Setup {
            start: None,
            config: quick_refusals(Config::default()),
            households: Vec::new(),
            postcards: false,
            staff: Vec::new(),
            config_file: None,
        }
    }

    /// An empty store, the clock at now.
    pub fn new() -> Fixture {
        Fixture::build().open()
    }

    pub fn with_config(config: Config) -> Fixture {
        Fixture::build().config(config).open()
    }

    /// The [`PROOF`] households, the clock at now.
    pub fn with_members() -> Fixture {
        Fixture::build().households(&PROOF).open()
    }

    /// The [`DEMO`] households, the clock at [`T0`].
    pub fn demo() -> Fixture {
        Fixture::build().at(T0).households(&DEMO).open()
    }

    pub fn demo_with(config: Config) -> Fixture {
        Fixture::build()
            .at(T0)
            .households(&DEMO)
            .config(config)
            .open()
    }

    /// The [`DEMO`] households with a postcard each and these staff accounts, an empty config file,
    /// the clock at now: a store for the real binary.
    pub fn counter(staff: &[&str]) -> Fixture {
        Fixture::build()
            .households(&DEMO)
            .postcards()
            .staff(staff)
            .config_file("")
            .open()
    }

    pub fn store(&self) -> &Store {
        &self.svc.store
    }

    /// A fresh connection to the store on the system clock (as another process would have).
    pub fn services(&self) -> Services {
        Services::new(
            Arc::new(Store::open(&self.db).expect("open the store")),
            Arc::new(quick_refusals(Config::default())),
        )
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn advance(&self, by: time::Duration) {
        self.clock.advance(by);
    }

    pub fn import(&self, csv: &str) {
        let rows = parse_members_csv(csv, self.svc.clock.today()).expect("a valid members CSV");
        self.svc
            .import_rows(&Actor::admin(), &rows)
            .expect("import");
    }

    // ----- postcards -----------------------------------------------------------------------------

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

    /// The postcard issued at set-up to `household`.
    pub fn card(&self, household: &str) -> &Postcard {
        self.cards
            .iter()
            .find(|c| c.household == household)
            .unwrap_or_else(|| panic!("no postcard for {household}"))
    }

    // ----- as a member -------------------------------------------------------------------------

    pub fn login(&self, id: &str, password: &str) -> LoginOutcome {
        self.svc
            .login(&Actor::kiosk(), id, password)
            .expect("login does not fail with an error")
    }

    /// The session of a successful permanent login; panics otherwise.
    pub fn session(&self, id: &str, password: &str) -> AccountSession {
        match self.login(id, password) {
            LoginOutcome::Permanent(s) => s,
            other => panic!("permanent login of {id} failed: {other:?}"),
        }
    }

    pub fn logs_in(&self, id: &str, password: &str) -> bool {
        matches!(self.login(id, password), LoginOutcome::Permanent(_))
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

    /// [`Fixture::register_household`], and the session the member then has.
    pub fn register_account(
        &self,
        household: &str,
        user_id: &str,
        password: &str,
        email: Option<&str>,
    ) -> AccountSession {
        let r = self.register_household(household, user_id, password, email.unwrap_or_default());
        AccountSession {
            account_id: r.account_id,
            household_id: r.household_id,
            user_id: r.user_id,
            must_change: None,
            login_password_set_at: None,
        }
    }

    // ----- reading back --------------------------------------------------------------------------

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

    pub fn account(&self, user_id: &str) -> Account {
        self.svc
            .store
            .read(|c| accounts::find_by_user_id(c, user_id))
            .expect("read")
            .expect("account exists")
    }

    pub fn outbox(&self) -> Vec<OutboxRow> {
        self.svc
            .store
            .read(|c| outbox::list(c, None))
            .expect("outbox")
    }

    /// Rows of one kind, oldest first.
    pub fn mails(&self, kind: &str) -> Vec<OutboxRow> {
        self.outbox()
            .into_iter()
            .filter(|m| m.kind == kind)
            .collect()
    }

    /// How many audit rows of `event` (and `outcome`) exist.
    pub fn audits(&self, event: &str, outcome: Option<&str>) -> i64 {
        self.svc
            .store
            .read(|c| kosmo_kiosk::store::audit::count(c, None, event, outcome))
            .expect("audit")
    }

    /// One value read with a fresh connection (as another process would).
    pub fn query<T: rusqlite::types::FromSql>(
        &self,
        sql: &str,
        params: &[&dyn rusqlite::ToSql],
    ) -> T {
        let c = rusqlite::Connection::open(&self.db).expect("open");
        c.query_row(sql, params, |r| r.get(0)).expect(sql)
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.svc
            .store
            .read(|c| Ok(c.query_row(sql, [], |r| r.get(0))?))
            .expect("count")
    }
}

/// The notice of `household` among `notices` (what [`Fixture::issue`] returned).
pub fn notice_for(notices: &[Notice], household: &str) -> Notice {
    notices
        .iter()
        .find(|n| n.household == household)
        .expect("a postcard")
        .clone()
}

/// The code in a `reset_code` mail body.
pub fn code_in(body: &str) -> String {
    body.lines()
        .filter(|l| l.contains("確認コード:") || l.contains("Confirmation code:"))
        .map(|l| l.chars().filter(char::is_ascii_digit).collect::<String>())
        .find(|d| d.len() == 8)
        .expect("a code line in the mail")
}
