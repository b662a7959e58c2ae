//! A store in a temp dir with the mail configuration of a test, a clock the test moves, and helpers to
//! queue mail through the real registration path and to run delivery rounds.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use kosmo_kiosk::clock::{Clock, FixedClock};
use kosmo_kiosk::config::Config;
use kosmo_kiosk::domain::Lang;
use kosmo_kiosk::domain::household::Relationship;
use kosmo_kiosk::services::Services;
use kosmo_kiosk::services::auth::LoginOutcome;
use kosmo_kiosk::services::delivery::{
    Control, DeliveryOptions, Round, Worker, borrow_all, transports_from_config,
};
use kosmo_kiosk::services::mail;
use kosmo_kiosk::services::members::parse_members_csv;
use kosmo_kiosk::services::registration::{IdentityOutcome, RegistrationInput, terms};
use kosmo_kiosk::store::outbox::{self, NewMail, OutboxRow};
use kosmo_kiosk::store::{Actor, Store};
use zeroize::Zeroizing;

pub const MEMBERS: &str = "insurer_number,symbol,number,name,birth_date,relationship\n\
06139497,12,3401,山田 太郎,1955-04-12,insured\n\
06139497,12,3401,山田 花子,1958-09-30,dependent\n";
pub const HOUSEHOLD: &str = "06139497-12-3401";
pub const FROM: &str = "KOSMO Communication Web <webmaster@kosmoweb.jp>";

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub config: Config,
    pub clock: Arc<FixedClock>,
    pub svc: Services,
}

/// What the real registration produced.
pub struct Registration {
    pub user_id: String,
    pub password: String,
    pub temp_password: String,
    pub mail_id: i64,
}

/// The mail settings tests use: short backoff, short timeouts.
pub fn test_config(smtp_url: Option<String>) -> Config {
    let mut c = Config::default();
    c.mail.smtp_url = smtp_url;
    c.mail.from = FROM.into();
    c.mail.retry_min_secs = 1;
    c.mail.retry_max_secs = 4;
    c.mail.max_attempts = 6;
    c.mail.timeout_secs = 5;
    c.mail.lease_secs = 60;
    c.mail.batch_size = 20;
    c.mail.poll_secs = 1;
    c
}

impl Fixture {
    pub fn new(config: Config) -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("kiosk.db");
        let store = Arc::new(Store::open(&db).expect("open store"));
        let now = time::OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .expect("whole second");
        let clock = Arc::new(FixedClock::new(now));
        let svc = Services::with_clock(store, Arc::new(config.clone()), clock.clone());
        Fixture {
            dir,
            db,
            config,
            clock,
            svc,
        }
    }

    pub fn store(&self) -> &Store {
        &self.svc.store
    }

    /// A registration through the services the kiosk uses: import, postcard, login, [実行].
    pub fn register(&self, lang: Lang, user_id: &str, email: &str) -> Registration {
        let admin = Actor::admin();
        let rows = parse_members_csv(MEMBERS, self.clock.today()).expect("members csv");
        self.svc.import_rows(&admin, &rows).expect("import");
        let key = HOUSEHOLD.parse().expect("household key");
        let notices = self.dir.path().join(format!("notices-{user_id}.csv"));
        let report = self
            .svc
            .issue_credentials(&admin, &notices, &[key])
            .expect("issue credentials");
        let notice = &report.notices[0];
        let mut ticket = match self
            .svc
            .login(&Actor::kiosk(), &notice.temp_user_id, &notice.temp_password)
            .expect("login")
        {
            LoginOutcome::Temporary(t) => t,
            _ => panic!("the postcard did not log in"),
        };
        // STEP3 with 山田 太郎's birth date.
        let insurer = "06139497".parse().expect("insurer number");
        match self
            .svc
            .check_identity(
                &Actor::kiosk(),
                &ticket,
                &insurer,
                time::macros::date!(1955 - 04 - 12),
            )
            .expect("identity check")
        {
            IdentityOutcome::Confirmed(m) => ticket.confirm(&m),
            other => panic!("identity check: {other:?}"),
        }
        let password = "Kosmo2026pass".to_string();
        let input = RegistrationInput {
            user_id: user_id.into(),
            password: Zeroizing::new(password.clone()),
            password_confirm: Zeroizing::new(password.clone()),
            email: email.into(),
            notify_mail: true,
            registrant: Relationship::Insured,
            member_id: None,
            terms_version: terms(lang).version.into(),
            lang,
            initial_password: false,
        };
        let r = self
            .svc
            .register(&Actor::kiosk(), &ticket, &input)
            .expect("register");
        Registration {
            user_id: r.user_id,
            password,
            temp_password: notice.temp_password.to_string(),
            mail_id: r.mail_id.expect("a welcome mail was queued"),
        }
    }

    /// Queues `n` plain messages to `user{i}@example.com`.
    pub fn enqueue_many(&self, n: usize) -> Vec<i64> {
        let now = self.clock.now();
        self.store()
            .write(|tx| {
                (0..n)
                    .map(|i| {
                        let to = format!("user{i}@example.com");
                        let body = format!("テスト本文 {i}\nこんにちは。\n");
                        outbox::enqueue(
                            tx,
                            &NewMail {
                                kind: "test",
                                to: &to,
                                subject: &format!("テスト {i}"),
                                body: &body,
                                lang: "ja",
                                message_id: &mail::new_message_id(FROM),
                                dedupe_key: &format!("test:{i}"),
                                household_id: None,
                            },
                            now,
                        )
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .expect("enqueue")
    }

    pub fn worker(&self) -> Worker<'_> {
        Worker {
            store: self.store(),
            clock: self.clock.as_ref(),
            actor: Actor::admin(),
            opts: DeliveryOptions::from_config(&self.config.mail, "test").expect("mail options"),
            control: Control::new(),
        }
    }

    /// One delivery round with the configured transports (`[mail] connections` of them).
    pub fn deliver(&self) -> Round {
        let mut ts = transports_from_config(&self.config.mail)
            .expect("transport")
            .expect("a transport is configured");
        self.worker()
            .deliver_due_on(&mut borrow_all(&mut ts))
            .expect("round")
    }

    pub fn row(&self, id: i64) -> OutboxRow {
        self.store()
            .read(|c| outbox::get(c, id))
            .expect("read")
            .expect("row")
    }

    pub fn rows(&self) -> Vec<OutboxRow> {
        self.store().read(|c| outbox::list(c, None)).expect("list")
    }

    pub fn advance(&self, secs: i64) {
        self.clock.advance(time::Duration::seconds(secs));
    }
}

/// A received message, parsed.
pub struct Parsed {
    pub subject: String,
    pub body: String,
    pub message_id: String,
    pub from: String,
    pub to: String,
    pub raw: String,
}

pub fn parse(data: &[u8]) -> Parsed {
    let m = mail_parser::MessageParser::default()
        .parse(data)
        .expect("a parsable message");
    let addr = |a: Option<&mail_parser::Address>| {
        a.and_then(|a| a.first())
            .map(|x| {
                format!(
                    "{} <{}>",
                    x.name().unwrap_or_default(),
                    x.address().unwrap_or_default()
                )
            })
            .unwrap_or_default()
    };
    Parsed {
        subject: m.subject().unwrap_or_default().to_string(),
        body: m.body_text(0).unwrap_or_default().to_string(),
        message_id: m.message_id().unwrap_or_default().to_string(),
        from: addr(m.from()),
        to: addr(m.to()),
        raw: String::from_utf8_lossy(data).into_owned(),
    }
}
