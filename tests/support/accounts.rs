//! Shared set-up for the account-area tests: a fresh store in a temp dir, the demo's households
//! imported, accounts registered through the same services the kiosk uses.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use kosmo_kiosk::cli::demo::DEMO_MEMBERS;
use kosmo_kiosk::clock::{Clock, FixedClock, SystemClock};
use kosmo_kiosk::config::Config;
use kosmo_kiosk::domain::Lang;
use kosmo_kiosk::domain::household::Relationship;
use kosmo_kiosk::services::Services;
use kosmo_kiosk::services::auth::{AccountSession, LoginOutcome};
use kosmo_kiosk::services::members::parse_members_csv;
use kosmo_kiosk::services::registration::{RegistrationInput, terms};
use kosmo_kiosk::store::accounts::{self, Account};
use kosmo_kiosk::store::outbox::{self, OutboxRow};
use kosmo_kiosk::store::{Actor, Store};
use time::OffsetDateTime;
use time::macros::datetime;
use zeroize::Zeroizing;

/// 10:00 in Tokyo on 1 April 2026.
pub const T0: OffsetDateTime = datetime!(2026-04-01 01:00 UTC);

/// Households of `assets/demo/members.csv`.
pub const YAMADA: &str = "06139497-12-3401";
pub const SATO: &str = "06139497-12-3402";
pub const SUZUKI: &str = "01130012-7-88";
pub const TAKAHASHI: &str = "33120015-21-1005";

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub svc: Services,
    /// Present when the fixture runs on a fixed clock.
    pub clock: Option<Arc<FixedClock>>,
}

impl Fixture {
    /// A store on a fixed clock at [`T0`] with default configuration.
    pub fn new() -> Fixture {
        Self::with_config(Config::default())
    }

    pub fn with_config(config: Config) -> Fixture {
        let clock = Arc::new(FixedClock::new(T0));
        Self::build(config, clock.clone(), Some(clock))
    }

    /// A store on the system clock (for tests that run the real binary, which uses it too).
    pub fn system() -> Fixture {
        Self::build(Config::default(), Arc::new(SystemClock), None)
    }

    fn build(config: Config, clock: Arc<dyn Clock>, fixed: Option<Arc<FixedClock>>) -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("kiosk.db");
        let store = Arc::new(Store::open(&db).expect("open store"));
        let svc = Services::with_clock(store, Arc::new(config), clock);
        let rows = parse_members_csv(DEMO_MEMBERS, svc.clock.today()).expect("demo members");
        svc.import_rows(&Actor::admin(), &rows).expect("import");
        Fixture {
            dir,
            db,
            svc,
            clock: fixed,
        }
    }

    pub fn advance(&self, by: time::Duration) {
        self.clock.as_ref().expect("a fixed clock").advance(by);
    }

    /// Issues a postcard for `household` and registers it as a member would at the kiosk.
    pub fn register(
        &self,
        household: &str,
        user_id: &str,
        password: &str,
        email: Option<&str>,
    ) -> AccountSession {
        let admin = Actor::admin();
        let notices = self.dir.path().join(format!("notices-{user_id}.csv"));
        let report = self
            .svc
            .issue_credentials(
                &admin,
                &notices,
                &[household.parse().expect("household key")],
            )
            .expect("issue credentials");
        let notice = &report.notices[0];
        let mut ticket = match self
            .svc
            .login(&Actor::kiosk(), &notice.temp_user_id, &notice.temp_password)
            .expect("login")
        {
            LoginOutcome::Temporary(t) => t,
            other => panic!("temporary login failed: {other:?}"),
        };
        // STEP3 with the household's insured person, as the kiosk would.
        let key: kosmo_kiosk::domain::household::HouseholdKey =
            household.parse().expect("household key");
        let birth = self
            .svc
            .store
            .read(|c| {
                let h = kosmo_kiosk::store::households::find_by_key(c, &key)?.expect("household");
                kosmo_kiosk::store::households::members_of(c, h.id)
            })
            .expect("members")
            .into_iter()
            .find(|m| m.relationship == Relationship::Insured)
            .expect("an insured person")
            .birth_date;
        let insurer = key.insurer.parse().expect("insurer number");
        match self
            .svc
            .check_identity(&Actor::kiosk(), &ticket, &insurer, birth)
            .expect("identity check")
        {
            kosmo_kiosk::services::registration::IdentityOutcome::Confirmed(m) => {
                ticket.confirm(&m)
            }
            other => panic!("identity check failed: {other:?}"),
        }
        let input = RegistrationInput {
            user_id: user_id.into(),
            password: Zeroizing::new(password.into()),
            password_confirm: Zeroizing::new(password.into()),
            email: email.unwrap_or_default().into(),
            notify_mail: email.is_some(),
            registrant: Relationship::Insured,
            member_id: None,
            terms_version: terms(Lang::Ja).version.into(),
            lang: Lang::Ja,
            initial_password: false,
        };
        let r = self
            .svc
            .register(&Actor::kiosk(), &ticket, &input)
            .expect("register");
        AccountSession {
            account_id: r.account_id,
            household_id: r.household_id,
            user_id: r.user_id,
            must_change: None,
        }
    }

    pub fn login(&self, id: &str, password: &str) -> LoginOutcome {
        self.svc
            .login(&Actor::kiosk(), id, password)
            .expect("login runs")
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
}

/// The code in a `reset_code` mail body.
pub fn code_in(body: &str) -> String {
    body.lines()
        .filter(|l| l.contains("確認コード:") || l.contains("Confirmation code:"))
        .map(|l| l.chars().filter(char::is_ascii_digit).collect::<String>())
        .find(|d| d.len() == 8)
        .expect("a code line in the mail")
}
