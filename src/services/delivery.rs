//! Delivery of the outbox (SPEC §5): `outbox sync`, `outbox sync --once` and the kiosk's background
//! worker all run [`Worker`].
//!
//! One round ([`Worker::deliver_due_on`]) runs on several threads:
//! - the **ledger** (the calling thread) owns the store: in one `BEGIN IMMEDIATE` transaction at a
//!   time it records the outcomes that came back (each mark checking that the lease is still ours)
//!   and claims the next due rows with a lease (so two workers never hold the same row), keeping up
//!   to two batches ahead of the senders;
//! - one **sender** per connection (`[mail] connections`) takes claimed rows from a shared queue,
//!   builds each message and gives it to its [`Transport`] (SMTP through lettre, or `.eml` files),
//!   outside any transaction, on a connection reused for the whole round, and reports outcomes in
//!   groups.
//!
//! A row is sent only while at least half of its lease is left, so a lease never runs out under a
//! send in progress and another worker never sends the same row at the same time. A crash between the
//! server's acceptance and the mark leaves the row `sending`; when its lease expires another round
//! claims it and sends it again, with the same Message-ID (at-least-once; nothing is dropped).
//!
//! Failures: a 5xx reply to the message makes it `dead` with the server's reason; a 4xx reply, a
//! network error or a timeout schedules a retry with [`RetryPolicy`] (doubling from a floor to a cap),
//! until too many attempts or too old a message make it `dead` too. When the server cannot be reached
//! at all, the rest of the round is deferred the same way without knocking on a closed door again.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, SmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use rand::{RngCore, TryRngCore};

use super::mail::{self, Outgoing};
use crate::clock::Clock;
use crate::config::MailConfig;
use crate::domain::backoff::RetryPolicy;
use crate::domain::text::neutralize;
use crate::store::audit::{self, AuditEntry};
use crate::store::outbox::{self, OutboxRow};
use crate::store::{Actor, Store, StoreError};

/// How long finished messages may wait to be recorded together with those that follow.
const GATHER: Duration = Duration::from_millis(20);

/// The longest reason kept in `last_error` (characters).
const MAX_ERROR_CHARS: usize = 500;

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// The `[mail]` configuration cannot work; said in one sentence.
    #[error("{0}")]
    Config(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

// ----- transports --------------------------------------------------------------------------------

/// Why one message was not delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// A 4xx reply, a network error, a timeout: try again later.
    Temporary(String),
    /// A 5xx reply to this message, or a message that cannot be built: give up.
    Permanent(String),
    /// The server could not be reached or refused the session (connect, greeting, TLS, login): this
    /// message and the rest of the round are tried again later.
    Unreachable(String),
}

impl SendError {
    pub fn reason(&self) -> &str {
        match self {
            SendError::Temporary(r) | SendError::Permanent(r) | SendError::Unreachable(r) => r,
        }
    }
}

/// Where messages go: SMTP, or `.eml` files for the demo. Used from one thread at a time.
pub trait Transport: Send {
    /// What the transport delivers to, for logs and the command line (no password).
    fn describe(&self) -> String;
    /// Delivers one message; `Ok` only once the server (or the file system) has accepted it.
    fn send(&mut self, id: i64, message: &Outgoing) -> Result<(), SendError>;
    /// Ends the round: closes an open connection.
    fn close(&mut self) {}
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// `smtp://host:port`: no TLS (a relay on the same machine or network).
    Plain,
    /// `smtp://host:port?tls=required`: STARTTLS, and no delivery without it.
    StartTls,
    /// `smtps://host:port`: TLS from the first byte.
    Wrapper,
}

/// Everything needed to open an SMTP session, from `[mail]`.
#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    tls: Option<TlsParameters>,
    hello: ClientId,
    credentials: Option<Credentials>,
    pub timeout: Duration,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("auth", &self.credentials.is_some())
            .field("timeout", &self.timeout)
            .finish()
    }
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Reads the PEM certificates of `[mail] ca_file`.
fn read_ca_file(path: &Path) -> Result<Certificate, DeliveryError> {
    let pem = std::fs::read(path).map_err(|e| {
        DeliveryError::Config(format!(
            "cannot read the [mail] ca_file {}: {e}",
            path.display()
        ))
    })?;
    Certificate::from_pem(&pem).map_err(|e| {
        DeliveryError::Config(format!(
            "the [mail] ca_file {} holds no usable PEM certificate: {e}",
            path.display()
        ))
    })
}

impl SmtpSettings {
    /// Parses `smtp://host[:port]` (plain, port 25), `smtp://host[:port]?tls=required` (STARTTLS,
    /// port 587) or `smtps://host[:port]` (implicit TLS, port 465). A user name and password come from
    /// `[mail] username`/`password`, else from the URL. A password is never sent in clear text to
    /// anything but the local machine.
    pub fn from_config(url: &str, cfg: &MailConfig) -> Result<SmtpSettings, DeliveryError> {
        let bad = |why: &str| DeliveryError::Config(format!("the SMTP URL is not usable: {why}"));
        let parsed = url::Url::parse(url).map_err(|e| bad(&e.to_string()))?;
        let tls_param: Option<String> = parsed
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.into_owned());
        let (security, default_port) = match (parsed.scheme(), tls_param.as_deref()) {
            ("smtp", None | Some("none")) => (Security::Plain, 25),
            ("smtp", Some("required")) => (Security::StartTls, 587),
            ("smtps", None | Some("required")) => (Security::Wrapper, 465),
            ("smtp", Some(other)) => {
                return Err(bad(&format!(
                    "tls={other:?} is not supported; use ?tls=required or smtps://"
                )));
            }
            (scheme, _) => {
                return Err(bad(&format!(
                    "the scheme {scheme:?} is not smtp:// or smtps://"
                )));
            }
        };
        let host = parsed
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| bad("it names no host"))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let port = parsed.port().unwrap_or(default_port);
        let decode = |s: &str| {
            percent_decode(s).map_err(|_| bad("the user name or password is not valid UTF-8"))
        };
        let url_user = Some(parsed.username())
            .filter(|u| !u.is_empty())
            .map(decode)
            .transpose()?;
        let url_pass = parsed.password().map(decode).transpose()?;
        let user = cfg.username.clone().or(url_user);
        let pass = cfg.password.clone().or(url_pass);
        let credentials = match (user, pass) {
            (Some(u), Some(p)) => Some(Credentials::new(u, p)),
            (None, None) => None,
            _ => {
                return Err(DeliveryError::Config(
                    "give both [mail] username and password, or neither".into(),
                ));
            }
        };
        if credentials.is_some() && security == Security::Plain && !is_loopback(&host) {
            return Err(DeliveryError::Config(format!(
                "a password would cross the network in clear text to {host}; use smtps:// or ?tls=required"
            )));
        }
        let tls = match security {
            Security::Plain => None,
            Security::StartTls | Security::Wrapper => {
                let mut b = TlsParameters::builder(host.clone());
                if let Some(ca) = &cfg.ca_file {
                    b = b.add_root_certificate(read_ca_file(ca)?);
                }
                Some(b.build().map_err(|e| {
                    DeliveryError::Config(format!("TLS cannot be set up for {host}: {e}"))
                })?)
            }
        };
        let path = parsed.path().trim_matches('/');
        let hello = if path.is_empty() {
            ClientId::default()
        } else {
            ClientId::Domain(path.to_string())
        };
        Ok(SmtpSettings {
            host,
            port,
            security,
            tls,
            hello,
            credentials,
            timeout: Duration::from_secs(cfg.timeout_secs.max(1)),
        })
    }

    /// Opens a session: connect (TLS first with `smtps`), greeting and EHLO, STARTTLS when required,
    /// then AUTH when a user name is configured.
    pub fn connect(&self) -> Result<SmtpConnection, lettre::transport::smtp::Error> {
        let wrapper = match self.security {
            Security::Wrapper => self.tls.as_ref(),
            _ => None,
        };
        let mut conn = SmtpConnection::connect(
            (self.host.as_str(), self.port),
            Some(self.timeout),
            &self.hello,
            wrapper,
            None,
        )?;
        if self.security == Security::StartTls {
            if let Some(tls) = &self.tls {
                conn.starttls(tls, &self.hello)?;
            }
        }
        if let Some(c) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], c)?;
        }
        Ok(conn)
    }
}

fn percent_decode(s: &str) -> Result<String, std::string::FromUtf8Error> {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out)
}

/// The message as SMTP sends it after DATA: dot-stuffed (RFC 5321 §4.5.2), lines ended with CRLF,
/// and closed with `CRLF.CRLF`. Only for 7-bit text (what [`mail::build_message`] produces).
#[derive(Debug)]
struct DataPayload(String);

impl DataPayload {
    fn new(message: &str) -> DataPayload {
        let mut out = String::with_capacity(message.len() + 64);
        for line in message.split_inclusive('\n') {
            let text = line.strip_suffix('\n').unwrap_or(line);
            let text = text.strip_suffix('\r').unwrap_or(text);
            if text.starts_with('.') {
                out.push('.');
            }
            out.push_str(text);
            if line.ends_with('\n') {
                out.push_str("\r\n");
            }
        }
        if !out.is_empty() && !out.ends_with("\r\n") {
            out.push_str("\r\n");
        }
        out.push_str(".\r\n");
        DataPayload(out)
    }
}

impl std::fmt::Display for DataPayload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An open SMTP session and what its server offers beyond what lettre records.
struct Session {
    conn: SmtpConnection,
    /// The server advertised PIPELINING (RFC 2920).
    pipelining: bool,
}

impl Session {
    /// Asks the server again what it supports (lettre's `ServerInfo` does not keep PIPELINING).
    fn open(settings: &SmtpSettings) -> Result<Session, lettre::transport::smtp::Error> {
        use lettre::transport::smtp::commands::Ehlo;
        let mut conn = settings.connect()?;
        let ehlo = conn.command(Ehlo::new(settings.hello.clone()))?;
        let pipelining = ehlo.message().any(|line| {
            line.split_whitespace()
                .next()
                .is_some_and(|w| w.eq_ignore_ascii_case("PIPELINING"))
        });
        Ok(Session { conn, pipelining })
    }
}

/// Several commands written together (PIPELINING); each reply is read afterwards.
struct Pipelined(String);

impl std::fmt::Display for Pipelined {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One SMTP transaction (MAIL, RCPT, DATA, the message) on an open session, with lettre's client.
///
/// lettre's own `SmtpConnection::send` writes the message and the final `.` in two writes and then
/// waits for the reply; with Nagle's algorithm on its socket and the server's delayed ACK, that
/// stalls each message for up to 40 ms. Here the message and its terminator leave in one write, and
/// when the server offers PIPELINING, MAIL, RCPT and DATA leave together too: two round trips per
/// message instead of four. Messages that are not 7-bit, or addresses that are not ASCII
/// (SMTPUTF8), go through lettre's `send`, which negotiates 8BITMIME/SMTPUTF8.
///
/// After any error the session's state is unknown and the caller closes it.
fn transact(s: &mut Session, message: &Outgoing) -> Result<(), lettre::transport::smtp::Error> {
    use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
    let env = &message.envelope;
    let conn = &mut s.conn;
    let ascii_addresses = env
        .from()
        .is_none_or(|a| AsRef::<str>::as_ref(a).is_ascii())
        && env.to().iter().all(|a| AsRef::<str>::as_ref(a).is_ascii());
    let text = match std::str::from_utf8(&message.bytes) {
        Ok(t) if t.is_ascii() && ascii_addresses => t,
        _ => return conn.send(env, &message.bytes).map(|_| ()),
    };
    if s.pipelining {
        let mut cmds = Mail::new(env.from().cloned(), vec![]).to_string();
        for to in env.to() {
            cmds.push_str(&Rcpt::new(to.clone(), vec![]).to_string());
        }
        cmds.push_str(&Data.to_string());
        // The first reply (MAIL's) comes back from `command`, the others in order. The first
        // refusal is the answer; the rest of the session is dropped with it.
        conn.command(Pipelined(cmds))?;
        for _ in env.to() {
            conn.read_response()?;
        }
        conn.read_response()?;
    } else {
        conn.command(Mail::new(env.from().cloned(), vec![]))?;
        for to in env.to() {
            conn.command(Rcpt::new(to.clone(), vec![]))?;
        }
        conn.command(Data)?;
    }
    conn.command(DataPayload::new(text))?;
    Ok(())
}

/// SMTP through lettre's client: one connection per round, reused from message to message.
pub struct SmtpTransport {
    settings: SmtpSettings,
    session: Option<Session>,
}

impl SmtpTransport {
    pub fn new(settings: SmtpSettings) -> Self {
        SmtpTransport {
            settings,
            session: None,
        }
    }
}

/// The reason kept for an SMTP failure: lettre's words, the cause, and plain words for a timeout
/// (a socket read timeout shows as "Resource temporarily unavailable").
fn describe_error(e: &lettre::transport::smtp::Error, timeout: Duration) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if matches!(
                io.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) {
                return format!(
                    "timed out: no answer from the server within {} s",
                    timeout.as_secs()
                );
            }
        }
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text
}

impl Transport for SmtpTransport {
    fn describe(&self) -> String {
        let scheme = match self.settings.security {
            Security::Plain => "smtp",
            Security::StartTls => "smtp+starttls",
            Security::Wrapper => "smtps",
        };
        format!("{scheme}://{}:{}", self.settings.host, self.settings.port)
    }

    fn send(&mut self, _id: i64, message: &Outgoing) -> Result<(), SendError> {
        let mut retried = false;
        loop {
            let reused = self.session.is_some();
            let session = match &mut self.session {
                Some(s) => s,
                None => match Session::open(&self.settings) {
                    Ok(s) => self.session.insert(s),
                    Err(e) => {
                        return Err(SendError::Unreachable(describe_error(
                            &e,
                            self.settings.timeout,
                        )));
                    }
                },
            };
            match transact(session, message) {
                Ok(()) => return Ok(()),
                Err(e) => {
                    // After an error the session is in an unknown state; the next message opens a new one.
                    if let Some(mut s) = self.session.take() {
                        s.conn.abort();
                    }
                    // A kept connection the server has meanwhile closed fails before any reply:
                    // try once more on a fresh one.
                    if reused && !retried && !e.is_response() && e.status().is_none() {
                        retried = true;
                        continue;
                    }
                    let reason = describe_error(&e, self.settings.timeout);
                    return Err(if e.is_permanent() {
                        SendError::Permanent(reason)
                    } else {
                        SendError::Temporary(reason)
                    });
                }
            }
        }
    }

    fn close(&mut self) {
        if let Some(mut s) = self.session.take() {
            let _ = s.conn.quit();
        }
    }
}

/// The demo's transport: each message becomes `<dir>/<row id>.eml` (written whole, then renamed).
#[derive(Debug)]
pub struct EmlTransport {
    dir: PathBuf,
}

impl EmlTransport {
    pub fn new(dir: PathBuf) -> Self {
        EmlTransport { dir }
    }

    pub fn path_of(dir: &Path, id: i64) -> PathBuf {
        dir.join(format!("{id}.eml"))
    }
}

impl Transport for EmlTransport {
    fn describe(&self) -> String {
        format!("{} (.eml files)", self.dir.display())
    }

    fn send(&mut self, id: i64, message: &Outgoing) -> Result<(), SendError> {
        let fail = |e: std::io::Error| {
            SendError::Unreachable(format!("cannot write to {}: {e}", self.dir.display()))
        };
        private_dir(&self.dir).map_err(fail)?;
        let tmp = self.dir.join(format!(".{id}.eml.tmp"));
        let mut file = std::fs::OpenOptions::new();
        file.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut file, 0o600);
        std::io::Write::write_all(&mut file.open(&tmp).map_err(fail)?, &message.bytes)
            .map_err(fail)?;
        std::fs::rename(&tmp, Self::path_of(&self.dir, id)).map_err(fail)?;
        Ok(())
    }
}

fn private_dir(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(path)
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(path)
}

/// The transports `[mail]` asks for: one writer of `.eml` files when `eml_dir` is set (the demo),
/// else `connections` SMTP connections when `smtp_url` is set, else none (mail waits in the outbox).
pub fn transports_from_config(
    cfg: &MailConfig,
) -> Result<Option<Vec<Box<dyn Transport>>>, DeliveryError> {
    let n = if cfg.eml_dir.is_some() {
        1
    } else {
        cfg.connections.clamp(1, 64)
    };
    let mut out = Vec::new();
    for _ in 0..n {
        match transport_from_config(cfg)? {
            Some(t) => out.push(t),
            None => return Ok(None),
        }
    }
    Ok(Some(out))
}

/// Borrows boxed transports for [`Worker::deliver_due_on`].
pub fn borrow_all(transports: &mut [Box<dyn Transport>]) -> Vec<&mut dyn Transport> {
    transports
        .iter_mut()
        .map(|t| {
            let r: &mut dyn Transport = t.as_mut();
            r
        })
        .collect()
}

/// One transport of those `[mail]` asks for: `.eml` files when `eml_dir` is set (the demo), else
/// SMTP when `smtp_url` is set, else none (mail waits in the outbox).
pub fn transport_from_config(
    cfg: &MailConfig,
) -> Result<Option<Box<dyn Transport>>, DeliveryError> {
    if let Some(dir) = &cfg.eml_dir {
        return Ok(Some(Box::new(EmlTransport::new(dir.clone()))));
    }
    match cfg
        .smtp_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
    {
        Some(url) => Ok(Some(Box::new(SmtpTransport::new(
            SmtpSettings::from_config(url, cfg)?,
        )))),
        None => Ok(None),
    }
}

// ----- the worker --------------------------------------------------------------------------------

/// Stop and wake-up requests for a running worker (signals, the kiosk when a mail was queued).
#[derive(Debug, Default)]
pub struct Control {
    stop: AtomicBool,
    nudged: Mutex<bool>,
    cv: Condvar,
}

impl Control {
    pub fn new() -> Arc<Control> {
        Arc::new(Control::default())
    }

    /// Finish the message being sent, hand the rest back and leave.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        self.nudge();
    }

    pub fn is_stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Look for due mail now rather than at the next poll.
    pub fn nudge(&self) {
        *self.nudged.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.cv.notify_all();
    }

    /// Sleeps up to `timeout`, or until nudged or stopped.
    pub fn wait(&self, timeout: Duration) {
        let end = Instant::now() + timeout;
        let mut nudged = self.nudged.lock().unwrap_or_else(|p| p.into_inner());
        while !*nudged && !self.is_stopped() {
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            nudged = self
                .cv
                .wait_timeout(nudged, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        *nudged = false;
    }
}

/// The worker's settings, from `[mail]`.
#[derive(Debug, Clone)]
pub struct DeliveryOptions {
    pub policy: RetryPolicy,
    pub lease: Duration,
    pub batch_size: u32,
    pub poll: Duration,
    pub from: Mailbox,
    /// Who holds the leases: unique per worker (process id and random).
    pub owner: String,
}

impl DeliveryOptions {
    pub fn from_config(cfg: &MailConfig, role: &str) -> Result<Self, DeliveryError> {
        let from = mail::parse_from(&cfg.from).map_err(|e| DeliveryError::Config(e.0))?;
        if cfg.lease_secs < cfg.timeout_secs.saturating_mul(4) {
            tracing::warn!(
                lease_secs = cfg.lease_secs,
                timeout_secs = cfg.timeout_secs,
                "[mail] lease_secs is short next to timeout_secs; a slow server may see messages released and retried"
            );
        }
        Ok(DeliveryOptions {
            policy: cfg.retry_policy(),
            lease: Duration::from_secs(cfg.lease_secs.max(1)),
            batch_size: cfg.batch_size.max(1),
            poll: Duration::from_secs(cfg.poll_secs.max(1)),
            from,
            owner: new_owner(role),
        })
    }
}

/// A lease owner name: `role-pid-random`.
pub fn new_owner(role: &str) -> String {
    let mut bytes = [0u8; 4];
    rand::rngs::OsRng.unwrap_err().fill_bytes(&mut bytes);
    format!("{role}-{}-{}", std::process::id(), hex::encode(bytes))
}

/// What one round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Round {
    pub claimed: usize,
    pub sent: usize,
    /// Temporary failures, scheduled again.
    pub deferred: usize,
    pub dead: usize,
    /// Handed back untried (stopping, or too little lease left).
    pub released: usize,
    /// Marks refused because another worker had taken the row over.
    pub lost: usize,
    /// Why the server could not be reached, when it could not.
    pub unreachable: Option<String>,
}

impl Round {
    /// True when some row changed state.
    pub fn changed(&self) -> bool {
        self.claimed > 0
    }
}

impl std::ops::AddAssign for Round {
    fn add_assign(&mut self, o: Round) {
        self.claimed += o.claimed;
        self.sent += o.sent;
        self.deferred += o.deferred;
        self.dead += o.dead;
        self.released += o.released;
        self.lost += o.lost;
        if o.unreachable.is_some() {
            self.unreachable = o.unreachable;
        }
    }
}

enum Outcome {
    Sent,
    Failed(SendError),
    Released,
}

struct Job {
    row: OutboxRow,
    claimed_at: Instant,
}

struct Done {
    row: OutboxRow,
    outcome: Outcome,
}

/// The claimed rows waiting for a sender, shared by the senders of a round.
#[derive(Default)]
struct Queue {
    state: Mutex<QueueState>,
    cv: Condvar,
}

#[derive(Default)]
struct QueueState {
    jobs: std::collections::VecDeque<Job>,
    /// No more jobs will come: senders leave once the queue is empty.
    closed: bool,
    /// Why the server could not be reached, when one sender found out: the others do not try.
    unreachable: Option<String>,
}

impl Queue {
    fn lock(&self) -> std::sync::MutexGuard<'_, QueueState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn push(&self, jobs: Vec<Job>) {
        self.lock().jobs.extend(jobs);
        self.cv.notify_all();
    }

    fn close(&self) {
        self.lock().closed = true;
        self.cv.notify_all();
    }

    /// The next job without waiting; None when the queue is empty.
    fn try_pop(&self) -> Option<Job> {
        self.lock().jobs.pop_front()
    }

    /// The next job, waiting for one; None once the queue is closed and empty.
    fn pop(&self) -> Option<Job> {
        let mut st = self.lock();
        loop {
            if let Some(j) = st.jobs.pop_front() {
                return Some(j);
            }
            if st.closed {
                return None;
            }
            st = self.cv.wait(st).unwrap_or_else(|p| p.into_inner());
        }
    }
}

fn log_outcomes(finished: &[Done]) {
    for d in finished {
        match &d.outcome {
            Outcome::Sent => tracing::info!(id = d.row.id, kind = %d.row.kind, "mail sent"),
            Outcome::Failed(e) => {
                tracing::warn!(id = d.row.id, reason = %neutralize(e.reason()), "mail not delivered")
            }
            Outcome::Released => {}
        }
    }
}

/// The outbox worker: claims, sends, marks.
pub struct Worker<'a> {
    pub store: &'a Store,
    pub clock: &'a dyn Clock,
    pub actor: Actor,
    pub opts: DeliveryOptions,
    pub control: Arc<Control>,
}

fn clip(reason: &str) -> String {
    let clean = neutralize(reason.trim());
    if clean.chars().count() <= MAX_ERROR_CHARS {
        clean.into_owned()
    } else {
        let mut s: String = clean.chars().take(MAX_ERROR_CHARS - 1).collect();
        s.push('…');
        s
    }
}

fn time_of(d: Duration) -> time::Duration {
    time::Duration::try_from(d).unwrap_or(time::Duration::MAX)
}

impl Worker<'_> {
    /// One round: delivers every row due when it starts (and rows whose lease expired), then closes the
    /// connection. A row that fails is scheduled for later, not retried in the same round.
    pub fn deliver_due(&self, transport: &mut dyn Transport) -> Result<Round, StoreError> {
        self.deliver_due_on(&mut [transport])
    }

    /// One round over several connections at once (`[mail] connections`): each transport gets its
    /// own sender thread, and the senders share the claimed rows (one row goes to one sender).
    pub fn deliver_due_on(
        &self,
        transports: &mut [&mut dyn Transport],
    ) -> Result<Round, StoreError> {
        if transports.is_empty() {
            return Ok(Round::default());
        }
        let start = self.clock.now();
        let queue = Queue::default();
        let (done_tx, done_rx) = mpsc::channel::<Vec<Done>>();
        let abort = AtomicBool::new(false);
        let result = std::thread::scope(|s| {
            for (i, transport) in transports.iter_mut().enumerate() {
                let done = done_tx.clone();
                let (queue, abort) = (&queue, &abort);
                let spawned = std::thread::Builder::new()
                    .name(format!("outbox-sender-{i}"))
                    .spawn_scoped(s, move || self.sender(&mut **transport, queue, done, abort));
                if let Err(e) = spawned {
                    if i == 0 {
                        return Err(StoreError::Corrupt(format!("cannot start a thread: {e}")));
                    }
                    // Fewer connections than asked for; the others share the work.
                    tracing::warn!(error = %e, "cannot start another sender");
                    break;
                }
            }
            drop(done_tx);
            let r = self.ledger(start, &queue, &done_rx);
            if r.is_err() {
                abort.store(true, Ordering::SeqCst);
            }
            queue.close();
            r
        });
        for t in transports.iter_mut() {
            t.close();
        }
        result
    }

    /// One sending side of a round. Outcomes go back to the ledger in groups (half a batch, or what
    /// finished within [`GATHER`], or everything before waiting for work), so that the threads wake
    /// each other a few times per batch, not for every message.
    fn sender(
        &self,
        transport: &mut dyn Transport,
        queue: &Queue,
        done: mpsc::Sender<Vec<Done>>,
        abort: &AtomicBool,
    ) {
        let safe_for = self.opts.lease / 2;
        let flush_at = (self.opts.batch_size as usize).div_ceil(2);
        let mut out: Vec<Done> = Vec::new();
        let mut out_since = Instant::now();
        loop {
            let job = match queue.try_pop() {
                Some(j) => j,
                None => {
                    // Out of work: report everything, then wait for the next claim (or the end).
                    if !out.is_empty() && done.send(std::mem::take(&mut out)).is_err() {
                        return;
                    }
                    match queue.pop() {
                        Some(j) => j,
                        None => return,
                    }
                }
            };
            let mut urgent = false;
            let unreachable = queue.lock().unreachable.clone();
            let outcome = if abort.load(Ordering::SeqCst)
                || self.control.is_stopped()
                || job.claimed_at.elapsed() >= safe_for
            {
                Outcome::Released
            } else if let Some(reason) = unreachable {
                Outcome::Failed(SendError::Unreachable(reason))
            } else {
                match mail::build_message(&job.row, &self.opts.from) {
                    Err(e) => Outcome::Failed(SendError::Permanent(e.0)),
                    Ok(message) => match transport.send(job.row.id, &message) {
                        Ok(()) => Outcome::Sent,
                        Err(e) => {
                            if let SendError::Unreachable(r) = &e {
                                tracing::warn!(transport = %transport.describe(), reason = %r, "mail server unreachable");
                                queue.lock().unreachable.get_or_insert_with(|| r.clone());
                                // The ledger stops claiming at once.
                                urgent = true;
                            }
                            Outcome::Failed(e)
                        }
                    },
                }
            };
            if out.is_empty() {
                out_since = Instant::now();
            }
            out.push(Done {
                row: job.row,
                outcome,
            });
            if (urgent || out.len() >= flush_at || out_since.elapsed() >= GATHER)
                && done.send(std::mem::take(&mut out)).is_err()
            {
                return;
            }
        }
    }

    /// The store side of a round: claims ahead of the senders and records outcomes in groups.
    fn ledger(
        &self,
        start: time::OffsetDateTime,
        queue: &Queue,
        done: &mpsc::Receiver<Vec<Done>>,
    ) -> Result<Round, StoreError> {
        let batch = self.opts.batch_size as usize;
        // Up to two batches are claimed and not yet marked at any time: the senders never wait for
        // the disk, and a crash resends at most this many.
        let window = 2 * batch;
        let lease = time_of(self.opts.lease);
        let mut round = Round::default();
        // Claimed and handed to the sender, not yet recorded (including `finished`).
        let mut outstanding = 0usize;
        let mut exhausted = false;
        let mut halt = false;
        let mut finished: Vec<Done> = Vec::new();
        loop {
            while let Ok(more) = done.try_recv() {
                finished.extend(more);
            }
            for d in &finished {
                if let Outcome::Failed(SendError::Unreachable(r)) = &d.outcome {
                    halt = true;
                    round.unreachable = Some(clip(r));
                }
            }
            if self.control.is_stopped() {
                halt = true;
            }
            let in_sender = outstanding - finished.len();
            // Top up as soon as half a batch is free, so that the sender has at least one and a
            // half batches to send while the transaction commits.
            let want = if !exhausted && !halt && in_sender + batch.div_ceil(2) <= window {
                window - in_sender
            } else {
                0
            };
            if want > 0 || !finished.is_empty() {
                // One transaction records what finished and claims what the sender needs next.
                let now = self.clock.now();
                let (recorded, rows) = self.store.write(|tx| {
                    let recorded = self.record(tx, &finished, now)?;
                    let rows = if want > 0 {
                        outbox::claim(tx, &self.opts.owner, now, start, lease, want as u32)?
                    } else {
                        Vec::new()
                    };
                    Ok::<_, StoreError>((recorded, rows))
                })?;
                round += recorded;
                log_outcomes(&finished);
                finished.clear();
                if rows.len() < want {
                    exhausted = true;
                }
                round.claimed += rows.len();
                outstanding = in_sender + rows.len();
                if !rows.is_empty() {
                    let claimed_at = Instant::now();
                    queue.push(
                        rows.into_iter()
                            .map(|row| Job { row, claimed_at })
                            .collect(),
                    );
                }
                continue;
            }
            if outstanding == 0 {
                // Nothing on its way and nothing more to claim.
                break;
            }
            match done.recv() {
                Ok(more) => finished.extend(more),
                // The senders are gone (they panicked): the leases run out and others retry.
                Err(_) => break,
            }
        }
        Ok(round)
    }

    /// Records finished messages (with their audit rows) in the caller's transaction; each mark
    /// checks that the lease is still ours.
    fn record(
        &self,
        tx: &rusqlite::Connection,
        finished: &[Done],
        now: time::OffsetDateTime,
    ) -> Result<Round, StoreError> {
        let owner = self.opts.owner.as_str();
        let policy = self.opts.policy;
        {
            let mut r = Round::default();
            for d in finished {
                let row = &d.row;
                let attempts = u32::try_from(row.attempts).unwrap_or(u32::MAX);
                let (ok, event, outcome, detail) = match &d.outcome {
                    Outcome::Released => {
                        let ok = outbox::release(tx, row.id, owner)?;
                        if ok {
                            r.released += 1;
                        }
                        (ok, None, "", String::new())
                    }
                    Outcome::Sent => {
                        let ok = outbox::mark_sent(tx, row.id, owner, now)?;
                        r.sent += 1;
                        (ok, Some("mail_sent"), "ok", String::new())
                    }
                    Outcome::Failed(SendError::Permanent(reason)) => {
                        let reason = clip(reason);
                        let ok = outbox::mark_dead(tx, row.id, owner, &reason)?;
                        r.dead += 1;
                        (ok, Some("mail_dead"), "failed", reason)
                    }
                    Outcome::Failed(e) => {
                        let reason = clip(e.reason());
                        if policy.should_give_up(attempts, row.created_at, now) {
                            let reason = clip(&format!(
                                "gave up after {attempts} attempts in {} h: {reason}",
                                (now - row.created_at).whole_hours()
                            ));
                            let ok = outbox::mark_dead(tx, row.id, owner, &reason)?;
                            r.dead += 1;
                            (ok, Some("mail_dead"), "failed", reason)
                        } else {
                            let next = policy.next_attempt_at(attempts, now);
                            let ok = outbox::mark_retry(tx, row.id, owner, next, &reason)?;
                            r.deferred += 1;
                            (ok, Some("mail_deferred"), "deferred", reason)
                        }
                    }
                };
                if !ok {
                    r.lost += 1;
                    tracing::warn!(
                        id = row.id,
                        "outbox row taken over by another worker before it was marked"
                    );
                    continue;
                }
                if let Some(event) = event {
                    audit::insert(
                        tx,
                        &self.actor,
                        &AuditEntry {
                            event,
                            outcome,
                            household_id: row.household_id,
                            subject: Some(&format!("outbox:{}", row.id)),
                            detail: Some(format!(
                                "{} {} attempt {attempts}{}{detail}",
                                row.kind,
                                row.message_id,
                                if detail.is_empty() { "" } else { ": " }
                            )),
                        },
                        now,
                    )?;
                }
            }
            Ok(r)
        }
    }

    /// How long to sleep before the next round: until the next row is due, at most the poll interval.
    pub fn idle_time(&self) -> Duration {
        let poll = self.opts.poll;
        match self.store.read(outbox::next_due) {
            Ok(Some(t)) => {
                let wait = t - self.clock.now();
                if wait.is_negative() {
                    Duration::ZERO
                } else {
                    Duration::try_from(wait).unwrap_or(poll).min(poll)
                }
            }
            Ok(None) => poll,
            Err(e) => {
                tracing::error!(error = %e, "cannot read the outbox");
                poll
            }
        }
    }

    /// Rounds until stopped, sleeping in between until mail is due, the poll interval passes or
    /// someone nudges. `on_round` hears of every round that changed something.
    pub fn run(&self, transports: &mut [Box<dyn Transport>], mut on_round: impl FnMut(&Round)) {
        let target = transports.first().map(|t| t.describe()).unwrap_or_default();
        tracing::info!(transport = %target, connections = transports.len(), owner = %self.opts.owner, "mail worker started");
        while !self.control.is_stopped() {
            let claimed = match self.deliver_due_on(&mut borrow_all(transports)) {
                Ok(r) => {
                    if r.changed() {
                        on_round(&r);
                    }
                    r.claimed
                }
                Err(e) => {
                    tracing::error!(error = %e, "mail delivery round failed");
                    0
                }
            };
            if self.control.is_stopped() {
                break;
            }
            let mut wait = self.idle_time();
            if claimed == 0 {
                // Nothing was claimable: never spin, even if the clock says something is due.
                wait = wait.max(Duration::from_millis(500).min(self.opts.poll));
            }
            if !wait.is_zero() {
                self.control.wait(wait);
            }
        }
        tracing::info!(owner = %self.opts.owner, "mail worker stopped");
    }
}

// ----- the kiosk's background worker -------------------------------------------------------------

/// A worker thread inside the kiosk. Stopped (and waited for, briefly) when dropped.
pub struct Background {
    control: Arc<Control>,
    finished: mpsc::Receiver<()>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for Background {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Background").finish_non_exhaustive()
    }
}

impl Background {
    /// Starts the worker when `[mail]` names a transport; None when mail is to wait. The worker opens
    /// its own connection to the store file; `on_round` is called from its thread after every round
    /// that changed something.
    pub fn spawn(
        db_path: &Path,
        config: &MailConfig,
        clock: Arc<dyn Clock>,
        actor: Actor,
        on_round: impl FnMut(&Round) + Send + 'static,
    ) -> Result<Option<Background>, DeliveryError> {
        let Some(mut transports) = transports_from_config(config)? else {
            return Ok(None);
        };
        let opts = DeliveryOptions::from_config(config, "kiosk")?;
        let store = Store::open(db_path)?;
        let control = Control::new();
        let (tx, finished) = mpsc::channel();
        let c = control.clone();
        let handle = std::thread::Builder::new()
            .name("mail-worker".into())
            .spawn(move || {
                let worker = Worker {
                    store: &store,
                    clock: clock.as_ref(),
                    actor,
                    opts,
                    control: c,
                };
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    worker.run(&mut transports, on_round)
                }));
                if r.is_err() {
                    tracing::error!("the mail worker panicked; mail waits in the outbox");
                }
                let _ = tx.send(());
            })
            .map_err(|e| DeliveryError::Config(format!("cannot start the mail worker: {e}")))?;
        Ok(Some(Background {
            control,
            finished,
            handle: Some(handle),
        }))
    }

    pub fn control(&self) -> Arc<Control> {
        self.control.clone()
    }

    /// Stops the worker and waits up to `limit` for it (a message being sent is finished first).
    pub fn stop(&mut self, limit: Duration) {
        self.control.stop();
        if self.finished.recv_timeout(limit).is_ok() {
            if let Some(h) = self.handle.take() {
                let _ = h.join();
            }
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        self.stop(Duration::from_secs(3));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FixedClock;
    use crate::store::outbox::{MailState, NewMail};
    use time::macros::datetime;

    fn cfg() -> MailConfig {
        MailConfig::default()
    }

    const T0: time::OffsetDateTime = datetime!(2026-04-01 10:00 UTC);

    /// A transport that answers from a script and counts what it was given.
    struct Scripted {
        calls: usize,
        answer: Box<dyn FnMut(usize) -> Result<(), SendError> + Send>,
    }

    impl Transport for Scripted {
        fn describe(&self) -> String {
            "scripted".into()
        }
        fn send(&mut self, _id: i64, _m: &Outgoing) -> Result<(), SendError> {
            self.calls += 1;
            (self.answer)(self.calls)
        }
    }

    fn scripted(answer: impl FnMut(usize) -> Result<(), SendError> + Send + 'static) -> Scripted {
        Scripted {
            calls: 0,
            answer: Box::new(answer),
        }
    }

    struct Setup {
        _dir: tempfile::TempDir,
        store: Store,
        clock: FixedClock,
        cfg: MailConfig,
    }

    fn setup(n: usize, adjust: impl FnOnce(&mut MailConfig)) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("k.db")).unwrap();
        store
            .write(|tx| {
                for i in 0..n {
                    outbox::enqueue(
                        tx,
                        &NewMail {
                            kind: "test",
                            to: &format!("u{i}@example.com"),
                            subject: "件名",
                            body: "本文\n",
                            lang: "ja",
                            message_id: &format!("<{i}.test@kosmoweb.jp>"),
                            dedupe_key: &format!("k{i}"),
                            household_id: None,
                        },
                        T0,
                    )?;
                }
                Ok::<_, StoreError>(())
            })
            .unwrap();
        let mut cfg = cfg();
        cfg.retry_min_secs = 10;
        cfg.retry_max_secs = 40;
        cfg.batch_size = 2;
        adjust(&mut cfg);
        Setup {
            _dir: dir,
            store,
            clock: FixedClock::new(T0),
            cfg,
        }
    }

    impl Setup {
        fn worker(&self) -> Worker<'_> {
            Worker {
                store: &self.store,
                clock: &self.clock,
                actor: Actor::admin(),
                opts: DeliveryOptions::from_config(&self.cfg, "test").unwrap(),
                control: Control::new(),
            }
        }
        fn rows(&self) -> Vec<OutboxRow> {
            self.store.read(|c| outbox::list(c, None)).unwrap()
        }
    }

    #[test]
    fn sent_rows_are_marked_and_audited() {
        let s = setup(5, |_| {});
        let mut t = scripted(|_| Ok(()));
        let r = s.worker().deliver_due(&mut t).unwrap();
        assert_eq!((r.claimed, r.sent, r.lost), (5, 5, 0));
        assert_eq!(t.calls, 5);
        assert!(
            s.rows()
                .iter()
                .all(|r| r.state == MailState::Sent && r.attempts == 1)
        );
        let audited: i64 = s
            .store
            .read(|c| {
                Ok(c.query_row(
                    "SELECT count(*) FROM audit WHERE event = 'mail_sent' AND outcome = 'ok'",
                    [],
                    |r| r.get(0),
                )?)
            })
            .unwrap();
        assert_eq!(audited, 5);
    }

    struct Recording(Arc<Mutex<Vec<i64>>>);

    impl Transport for Recording {
        fn describe(&self) -> String {
            "recording".into()
        }
        fn send(&mut self, id: i64, _m: &Outgoing) -> Result<(), SendError> {
            std::thread::sleep(Duration::from_millis(1));
            self.0.lock().unwrap().push(id);
            Ok(())
        }
    }

    #[test]
    fn several_connections_share_the_rows_and_never_send_one_twice() {
        let s = setup(60, |c| c.batch_size = 4);
        let logs: Vec<Arc<Mutex<Vec<i64>>>> = (0..3).map(|_| Arc::default()).collect();
        let mut ts: Vec<Box<dyn Transport>> = logs
            .iter()
            .map(|l| Box::new(Recording(l.clone())) as Box<dyn Transport>)
            .collect();
        let r = s.worker().deliver_due_on(&mut borrow_all(&mut ts)).unwrap();
        assert_eq!((r.claimed, r.sent), (60, 60), "{r:?}");
        let mut all: Vec<i64> = logs
            .iter()
            .flat_map(|l| l.lock().unwrap().clone())
            .collect();
        all.sort();
        assert_eq!(all, (1..=60).collect::<Vec<_>>());
        assert!(
            logs.iter()
                .filter(|l| !l.lock().unwrap().is_empty())
                .count()
                >= 2,
            "the work is shared"
        );
        assert!(s.rows().iter().all(|r| r.state == MailState::Sent));
    }

    #[test]
    fn no_transport_claims_nothing() {
        let s = setup(2, |_| {});
        let r = s.worker().deliver_due_on(&mut []).unwrap();
        assert_eq!(r, Round::default());
        assert!(s.rows().iter().all(|r| r.state == MailState::Queued));
    }

    #[test]
    fn too_many_attempts_make_a_message_dead_with_the_last_reason() {
        let s = setup(1, |c| c.max_attempts = 2);
        let mut t = scripted(|_| Err(SendError::Temporary("451 4.3.0 busy".into())));
        let r = s.worker().deliver_due(&mut t).unwrap();
        assert_eq!(r.deferred, 1);
        assert_eq!(
            s.rows()[0].next_attempt_at,
            T0 + time::Duration::seconds(10)
        );
        s.clock.advance(time::Duration::seconds(10));
        let r = s.worker().deliver_due(&mut t).unwrap();
        assert_eq!(r.dead, 1, "{r:?}");
        let row = &s.rows()[0];
        assert_eq!(row.state, MailState::Dead);
        let err = row.last_error.as_deref().unwrap_or_default();
        assert!(err.starts_with("gave up after 2 attempts"), "{err}");
        assert!(err.contains("451 4.3.0 busy"), "{err}");
    }

    #[test]
    fn too_old_a_message_is_dead_after_its_next_failure() {
        let s = setup(1, |c| c.max_age_hours = 1);
        s.clock.advance(time::Duration::hours(2));
        let mut t = scripted(|_| Err(SendError::Temporary("421 closing".into())));
        let r = s.worker().deliver_due(&mut t).unwrap();
        assert_eq!(r.dead, 1, "{r:?}");
        assert!(
            s.rows()[0]
                .last_error
                .as_deref()
                .unwrap()
                .contains("in 2 h")
        );
    }

    #[test]
    fn an_unreachable_server_defers_the_round_after_one_try() {
        let s = setup(5, |_| {});
        let mut t = scripted(|_| Err(SendError::Unreachable("connection refused".into())));
        let r = s.worker().deliver_due(&mut t).unwrap();
        assert_eq!(t.calls, 1, "no knocking on a closed door");
        assert_eq!(r.claimed, r.deferred + r.released);
        assert!(r.claimed < 5, "stops claiming: {r:?}");
        assert_eq!(r.unreachable.as_deref(), Some("connection refused"));
        let rows = s.rows();
        assert!(rows.iter().all(|r| r.state == MailState::Queued));
    }

    #[test]
    fn a_permanent_failure_does_not_stop_the_round() {
        let s = setup(3, |_| {});
        let mut t = scripted(|n| {
            if n == 2 {
                Err(SendError::Permanent("550 5.1.1 unknown user".into()))
            } else {
                Ok(())
            }
        });
        let r = s.worker().deliver_due(&mut t).unwrap();
        assert_eq!((r.sent, r.dead), (2, 1));
        assert_eq!(
            s.rows()[1].last_error.as_deref(),
            Some("550 5.1.1 unknown user")
        );
    }

    #[test]
    fn stopping_hands_claimed_rows_back_untried() {
        let s = setup(6, |_| {});
        let w = s.worker();
        let control = w.control.clone();
        let mut t = scripted(move |_| {
            control.stop();
            Ok(())
        });
        let r = w.deliver_due(&mut t).unwrap();
        assert_eq!(t.calls, 1);
        assert_eq!(r.sent, 1);
        assert_eq!(r.released, r.claimed - 1);
        let rows = s.rows();
        assert_eq!(
            rows.iter().filter(|r| r.state == MailState::Sent).count(),
            1
        );
        assert!(
            rows.iter()
                .filter(|r| r.state != MailState::Sent)
                .all(|r| r.state == MailState::Queued && r.attempts == 0)
        );
    }

    #[test]
    fn a_row_with_too_little_lease_left_is_released_not_sent() {
        let s = setup(3, |c| {
            c.lease_secs = 1;
            c.batch_size = 3;
        });
        // The first send takes longer than half the lease: the rest of the batch is handed back.
        let mut t = scripted(|_| {
            std::thread::sleep(Duration::from_millis(600));
            Ok(())
        });
        let r = s.worker().deliver_due(&mut t).unwrap();
        assert!(r.released >= 1, "{r:?}");
        assert_eq!(t.calls, r.sent, "{r:?}");
        // Released rows were claimed afresh (a new lease) before being sent; none was sent twice.
        let rows = s.rows();
        for row in &rows {
            match row.state {
                MailState::Sent => assert_eq!(row.attempts, 1),
                MailState::Queued => assert_eq!(row.attempts, 0),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(
            rows.iter().filter(|r| r.state == MailState::Sent).count(),
            r.sent
        );
    }

    #[test]
    fn a_row_that_cannot_become_a_message_is_dead() {
        let s = setup(1, |_| {});
        s.store
            .write(|tx| {
                tx.execute("UPDATE outbox SET recipient = 'not an address'", [])?;
                Ok::<_, StoreError>(())
            })
            .unwrap();
        let mut t = scripted(|_| Ok(()));
        let r = s.worker().deliver_due(&mut t).unwrap();
        assert_eq!((t.calls, r.dead), (0, 1));
    }

    #[test]
    fn eml_transport_writes_one_file_per_row_id() {
        let s = setup(2, |_| {});
        let dir = s._dir.path().join("mail");
        let mut t = EmlTransport::new(dir.clone());
        let r = s.worker().deliver_due(&mut t).unwrap();
        assert_eq!(r.sent, 2);
        for row in s.rows() {
            let text = std::fs::read_to_string(EmlTransport::path_of(&dir, row.id)).unwrap();
            assert!(
                text.contains(&format!("Message-ID: {}", row.message_id)),
                "{text}"
            );
            assert!(text.contains(&format!("To: {}", row.to)));
        }
        assert_eq!(
            std::fs::read_dir(&dir).unwrap().count(),
            2,
            "no temp files left"
        );
    }

    #[test]
    fn urls_give_security_and_default_ports() {
        let s = SmtpSettings::from_config("smtp://127.0.0.1", &cfg()).unwrap();
        assert_eq!((s.security, s.port), (Security::Plain, 25));
        let s = SmtpSettings::from_config("smtp://mail.example.jp?tls=required", &cfg()).unwrap();
        assert_eq!((s.security, s.port), (Security::StartTls, 587));
        let s = SmtpSettings::from_config("smtps://mail.example.jp:2465", &cfg()).unwrap();
        assert_eq!((s.security, s.port), (Security::Wrapper, 2465));
        assert_eq!(s.host, "mail.example.jp");
        let s = SmtpSettings::from_config("smtp://[::1]:2525", &cfg()).unwrap();
        assert_eq!((s.host.as_str(), s.port), ("::1", 2525));
    }

    #[test]
    fn bad_urls_are_refused_in_one_sentence() {
        for url in [
            "http://x",
            "smtp://x?tls=opportunistic",
            "smtp://",
            "not a url",
        ] {
            let e = SmtpSettings::from_config(url, &cfg()).unwrap_err();
            assert!(e.to_string().starts_with("the SMTP URL"), "{url}: {e}");
        }
    }

    #[test]
    fn passwords_never_travel_in_clear_text_off_the_machine() {
        let mut c = cfg();
        c.username = Some("kiosk".into());
        c.password = Some("secret".into());
        let e = SmtpSettings::from_config("smtp://mail.example.jp", &c).unwrap_err();
        assert!(e.to_string().contains("clear text"), "{e}");
        assert!(SmtpSettings::from_config("smtp://127.0.0.1:2525", &c).is_ok());
        assert!(SmtpSettings::from_config("smtp://mail.example.jp?tls=required", &c).is_ok());
        c.password = None;
        assert!(SmtpSettings::from_config("smtps://mail.example.jp", &c).is_err());
        // From the URL, percent-decoded.
        let s = SmtpSettings::from_config("smtps://u%40x:p%2Fw@mail.example.jp", &cfg()).unwrap();
        assert!(s.credentials.is_some());
        assert!(!format!("{s:?}").contains("p/w"), "no password in Debug");
    }

    #[test]
    fn data_is_dot_stuffed_crlf_terminated() {
        assert_eq!(DataPayload::new("a\r\n.b\r\n").0, "a\r\n..b\r\n.\r\n");
        assert_eq!(
            DataPayload::new(".\n..x\nlast").0,
            "..\r\n...x\r\nlast\r\n.\r\n"
        );
        assert_eq!(DataPayload::new("").0, ".\r\n");
        assert_eq!(DataPayload::new("x.y\r\n").0, "x.y\r\n.\r\n");
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%40b%2Fc").unwrap(), "a@b/c");
        assert_eq!(percent_decode("100%").unwrap(), "100%");
        assert_eq!(percent_decode("%e3%81%82").unwrap(), "あ");
    }

    #[test]
    fn eml_dir_wins_over_smtp_and_nothing_means_waiting() {
        let mut c = cfg();
        assert!(transport_from_config(&c).unwrap().is_none());
        c.smtp_url = Some("smtp://127.0.0.1:2525".into());
        let t = transport_from_config(&c).unwrap().unwrap();
        assert_eq!(t.describe(), "smtp://127.0.0.1:2525");
        c.eml_dir = Some(PathBuf::from("/tmp/x"));
        let t = transport_from_config(&c).unwrap().unwrap();
        assert!(t.describe().contains(".eml"));
    }

    #[test]
    fn control_wakes_on_nudge_and_stop() {
        let c = Control::new();
        let c2 = c.clone();
        let t = std::thread::spawn(move || {
            let at = Instant::now();
            c2.wait(Duration::from_secs(30));
            at.elapsed()
        });
        std::thread::sleep(Duration::from_millis(50));
        c.nudge();
        assert!(t.join().unwrap() < Duration::from_secs(10));
        c.stop();
        let at = Instant::now();
        c.wait(Duration::from_secs(30));
        assert!(at.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn reasons_are_neutralised_and_clipped() {
        assert_eq!(clip(" 451 \u{1b}[31mlater "), "451 \u{FFFD}[31mlater");
        let long = "x".repeat(2000);
        assert_eq!(clip(&long).chars().count(), MAX_ERROR_CHARS);
    }
}
