//! Mail on the one store fixture: the test configuration (short backoff and timeouts), a welcome
//! mail queued through the real registration path, plain messages queued directly, delivery rounds
//! with the configured transports, and received messages parsed.

use kosmo_kiosk::clock::Clock;
use kosmo_kiosk::config::Config;
use kosmo_kiosk::domain::Lang;
use kosmo_kiosk::services::delivery::{
    Control, DeliveryOptions, Round, Worker, borrow_all, transports_from_config,
};
use kosmo_kiosk::services::mail;
use kosmo_kiosk::services::registration::{RegistrationInput, terms};
use kosmo_kiosk::store::Actor;
use kosmo_kiosk::store::outbox::{self, NewMail, OutboxRow};

use super::super::fixture::{Fixture, YAMADA, csv, input};

pub const FROM: &str = "KOSMO Communication Web <webmaster@kosmoweb.jp>";

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
    /// 山田 registers through the services the kiosk uses (import, postcard, login, STEP3 with
    /// 山田 太郎, [実行]) in `lang`, with mail wanted at `email`: the welcome mail is queued.
    pub fn register_for_mail(&self, lang: Lang, user_id: &str, email: &str) -> Registration {
        self.import(&csv(&[YAMADA]));
        let notice = self.issue_one(YAMADA);
        let ticket = self.confirmed_ticket(&notice);
        let password = "Kosmo2026pass".to_string();
        let input = RegistrationInput {
            notify_mail: true,
            terms_version: terms(lang).version.into(),
            lang,
            ..input(user_id, &password, email)
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
