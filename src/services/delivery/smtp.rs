//! SMTP delivery: the settings from `[mail] smtp_url` (plain, STARTTLS or implicit TLS; credentials
//! never in clear text off the machine) and the session, one connection reused for a whole round,
//! pipelining MAIL/RCPT/DATA when the server offers it.

use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, SmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;

use super::{DeliveryError, SendError, Transport};
use crate::config::MailConfig;
use crate::services::mail::Outgoing;

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

/// A user name or password from the URL, percent-decoded (`u%40x` is `u@x`).
fn percent_decode(s: &str) -> Result<String, std::str::Utf8Error> {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .map(|c| c.into_owned())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> MailConfig {
        MailConfig::default()
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
        assert!(percent_decode("%ff").is_err(), "not UTF-8");
        assert_eq!(percent_decode("%e3%81%82").unwrap(), "あ");
    }
}
