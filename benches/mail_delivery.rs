//! Mail delivery throughput: the outbox worker (claim with a lease, build, send over SMTP with lettre,
//! mark in SQLite with `synchronous=FULL`) delivering 2,000 queued messages to an SMTP server on
//! 127.0.0.1, next to a plain single-connection SMTP client sending the same 2,000 messages to the
//! same server in the same run. Prints both rates and their ratio (target: ≥ 1).
//!
//! `cargo bench --bench mail_delivery`

#[path = "../tests/support/mail/smtp.rs"]
mod smtp;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use kosmo_kiosk::clock::SystemClock;
use kosmo_kiosk::config::MailConfig;
use kosmo_kiosk::services::delivery::{
    Control, DeliveryOptions, SmtpSettings, SmtpTransport, Transport, Worker,
};
use kosmo_kiosk::services::mail::{self, Outgoing};
use kosmo_kiosk::store::outbox::{self, NewMail};
use kosmo_kiosk::store::{Actor, Store, StoreError};

const N: usize = 2000;
const FROM: &str = "KOSMO Communication Web <webmaster@kosmoweb.jp>";

/// A store in a temp dir with N messages queued (a welcome-sized Japanese body each).
fn queued_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("bench.db")).unwrap();
    let now = time::OffsetDateTime::now_utc();
    let body = mail::template("welcome", kosmo_kiosk::domain::Lang::Ja)
        .unwrap()
        .replace("{user_id}", "yamada2026");
    store
        .write(|tx| {
            for i in 0..N {
                outbox::enqueue(
                    tx,
                    &NewMail {
                        kind: "welcome",
                        to: &format!("member{i}@example.com"),
                        subject: "KOSMO Communication Web へようこそ",
                        body: &body,
                        lang: "ja",
                        message_id: &mail::new_message_id(FROM),
                        dedupe_key: &format!("bench:{i}"),
                        household_id: None,
                    },
                    now,
                )?;
            }
            Ok::<_, StoreError>(())
        })
        .unwrap();
    (dir, store)
}

/// The same messages, built once, for the plain client.
fn built_messages() -> Vec<Outgoing> {
    let (_dir, store) = queued_store();
    let from = mail::parse_from(FROM).unwrap();
    store
        .read(|c| outbox::list(c, None))
        .unwrap()
        .iter()
        .map(|r| mail::build_message(r, &from).unwrap())
        .collect()
}

/// A plain SMTP client: one connection, TCP_NODELAY, one write per command and one for the message
/// (dot-stuffed, with its terminator), reading each reply before the next command.
struct PlainClient {
    r: BufReader<TcpStream>,
}

impl PlainClient {
    fn connect(port: u16) -> PlainClient {
        let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_nodelay(true).unwrap();
        let mut c = PlainClient {
            r: BufReader::new(s),
        };
        c.expect(220);
        c.cmd("EHLO bench.local\r\n", 250);
        c
    }

    fn expect(&mut self, code: u16) {
        loop {
            let mut line = String::new();
            self.r.read_line(&mut line).unwrap();
            assert!(line.starts_with(&code.to_string()), "{line}");
            if line.as_bytes().get(3) != Some(&b'-') {
                return;
            }
        }
    }

    fn cmd(&mut self, line: &str, code: u16) {
        self.r.get_mut().write_all(line.as_bytes()).unwrap();
        self.expect(code);
    }

    fn send(&mut self, m: &Outgoing) {
        let from = m.envelope.from().map(|a| a.to_string()).unwrap_or_default();
        self.cmd(&format!("MAIL FROM:<{from}>\r\n"), 250);
        for to in m.envelope.to() {
            self.cmd(&format!("RCPT TO:<{to}>\r\n"), 250);
        }
        self.cmd("DATA\r\n", 354);
        let text = std::str::from_utf8(&m.bytes).unwrap();
        let mut data = String::with_capacity(text.len() + 8);
        for line in text.split_inclusive("\r\n") {
            if line.starts_with('.') {
                data.push('.');
            }
            data.push_str(line);
        }
        if !data.ends_with("\r\n") {
            data.push_str("\r\n");
        }
        data.push_str(".\r\n");
        self.cmd(&data, 250);
    }

    fn quit(mut self) {
        self.cmd("QUIT\r\n", 221);
    }
}

/// Messages per second of each worker run and of the plain client's run right after it.
type Pairs = Arc<Mutex<Vec<(f64, f64)>>>;

/// The worker and the plain client against one server; `label` names the server's kind.
fn worker_vs_plain(
    c: &mut Criterion,
    group: &str,
    pipelining: bool,
    connections: Option<u32>,
    messages: &[Outgoing],
    pairs: &Pairs,
) {
    let server = smtp::TestSmtp::start(smtp::Behaviour {
        discard: true,
        no_pipelining: !pipelining,
        ..Default::default()
    });
    // The defaults of `[mail]` (batch_size 50, connections 2, lease 300 s), only the URL set
    // (and, for the variants, the number of connections).
    let mut cfg = MailConfig {
        smtp_url: Some(server.url()),
        ..Default::default()
    };
    if let Some(n) = connections {
        cfg.connections = n;
    }
    let settings = SmtpSettings::from_config(&server.url(), &cfg).unwrap();

    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Elements(N as u64));
    g.sample_size(10);
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(15));

    let plain_run = || {
        let before = server.count();
        let t = Instant::now();
        let mut client = PlainClient::connect(server.port);
        for m in messages {
            client.send(m);
        }
        client.quit();
        let took = t.elapsed();
        assert_eq!(server.count() - before, N);
        took
    };

    // Each timed worker run is paired with an (untimed for criterion) run of the plain client, just
    // before or just after it in turn, so that the ratio compares the two under the same load of a
    // shared machine.
    let turn = std::cell::Cell::new(0u64);
    g.bench_function("outbox_worker", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                turn.set(turn.get() + 1);
                let plain_first = turn.get() % 2 == 0;
                let plain_before = plain_first.then(plain_run);
                let (_dir, store) = queued_store();
                let worker = Worker {
                    store: &store,
                    clock: &SystemClock,
                    actor: Actor::admin(),
                    opts: DeliveryOptions::from_config(&cfg, "bench").unwrap(),
                    control: Control::new(),
                };
                let mut transports: Vec<SmtpTransport> = (0..cfg.connections)
                    .map(|_| SmtpTransport::new(settings.clone()))
                    .collect();
                let mut refs: Vec<&mut dyn Transport> = transports
                    .iter_mut()
                    .map(|t| {
                        let r: &mut dyn Transport = t;
                        r
                    })
                    .collect();
                let before = server.count();
                let t = Instant::now();
                let round = worker.deliver_due_on(&mut refs).unwrap();
                let took = t.elapsed();
                assert_eq!(round.sent, N, "{round:?}");
                assert_eq!(server.count() - before, N);
                let plain = plain_before.unwrap_or_else(plain_run);
                pairs.lock().unwrap().push((
                    N as f64 / took.as_secs_f64(),
                    N as f64 / plain.as_secs_f64(),
                ));
                total += took;
            }
            total
        })
    });

    g.bench_function("plain_smtp_client", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| plain_run()).sum())
    });
    g.finish();
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    if v.is_empty() {
        return f64::NAN;
    }
    v[v.len() / 2]
}

fn report(group: &str, pairs: &Pairs) {
    let pairs = pairs.lock().unwrap();
    let worker = median(pairs.iter().map(|p| p.0).collect());
    let plain = median(pairs.iter().map(|p| p.1).collect());
    let ratio = median(pairs.iter().map(|p| p.0 / p.1).collect());
    println!(
        "{group}: outbox worker {worker:.0} msg/s, plain single-connection client {plain:.0} msg/s, \
         ratio {ratio:.2} (medians of {} paired runs)",
        pairs.len()
    );
}

fn main() {
    let messages = built_messages();
    let mut c = Criterion::default().configure_from_args();
    let variants: [(&str, bool, Option<u32>); 3] = [
        // The defaults, against a server offering PIPELINING (as Postfix does).
        ("deliver_2000", true, None),
        // One connection only.
        ("deliver_2000_one_connection", true, Some(1)),
        // One connection, a server without PIPELINING (as aiosmtpd): the same commands as the
        // plain client, one at a time.
        ("deliver_2000_one_connection_no_pipelining", false, Some(1)),
    ];
    let mut results = Vec::new();
    for (group, pipelining, connections) in variants {
        let pairs: Pairs = Arc::default();
        worker_vs_plain(&mut c, group, pipelining, connections, &messages, &pairs);
        results.push((group, pairs));
    }
    c.final_summary();
    for (group, pairs) in &results {
        report(group, pairs);
    }
}
