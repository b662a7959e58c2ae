//! A small SMTP server for tests and the benchmark, in Rust (so `cargo test` needs nothing else):
//! EHLO, STARTTLS (rustls, with a test certificate), AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
//! It keeps every accepted message and can answer with scripted failures (4xx/5xx), slow down, stop
//! and start again on the same port.

#![allow(dead_code)]

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use base64::Engine;

/// A message the server accepted (250 after DATA).
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: Vec<u8>,
    /// The session was encrypted (STARTTLS) when the message came.
    pub tls: bool,
    /// The user name the client logged in with.
    pub auth: Option<String>,
}

/// A reply decided by the test: `Some("451 4.3.0 try later")` instead of the usual 250.
pub type ReplyFn = Arc<dyn Fn(usize, &str) -> Option<String> + Send + Sync>;

#[derive(Clone, Default)]
pub struct Behaviour {
    /// Called for each RCPT TO with (count of RCPT commands so far, address).
    pub rcpt: Option<ReplyFn>,
    /// Called at the end of each DATA with (count of completed DATA so far, first recipient).
    pub data: Option<ReplyFn>,
    /// Offer STARTTLS with this configuration.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// Refuse MAIL before STARTTLS.
    pub require_tls: bool,
    /// TLS from the first byte (`smtps://`), with the configuration in `tls`.
    pub implicit_tls: bool,
    /// Require AUTH PLAIN with this user name and password before MAIL.
    pub auth: Option<(String, String)>,
    /// Wait this long before answering the end of DATA.
    pub delay: Duration,
    /// Count accepted messages without keeping them (long benchmark runs).
    pub discard: bool,
    /// Do not offer PIPELINING.
    pub no_pipelining: bool,
}

impl Behaviour {
    /// Answers `reply` to the first `n` messages, then accepts.
    pub fn fail_first(n: usize, reply: &str) -> Behaviour {
        let reply = reply.to_string();
        Behaviour {
            data: Some(Arc::new(move |i, _| (i < n).then(|| reply.clone()))),
            ..Default::default()
        }
    }

    /// Refuses every recipient with `reply`.
    pub fn reject_rcpt(reply: &str) -> Behaviour {
        let reply = reply.to_string();
        Behaviour {
            rcpt: Some(Arc::new(move |_, _| Some(reply.clone()))),
            ..Default::default()
        }
    }
}

#[derive(Default)]
struct Shared {
    received: Mutex<Vec<Received>>,
    cv: Condvar,
    rcpts: AtomicUsize,
    accepted: AtomicUsize,
    datas: AtomicUsize,
    sessions: AtomicUsize,
    open: Mutex<Vec<TcpStream>>,
}

pub struct TestSmtp {
    pub port: u16,
    behaviour: Behaviour,
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl TestSmtp {
    /// Starts on a free port of 127.0.0.1.
    pub fn start(behaviour: Behaviour) -> TestSmtp {
        Self::start_on(0, behaviour)
    }

    /// Starts on `port` (0: any free port).
    pub fn start_on(port: u16, behaviour: Behaviour) -> TestSmtp {
        let mut s = TestSmtp {
            port,
            behaviour,
            shared: Arc::new(Shared::default()),
            stop: Arc::new(AtomicBool::new(false)),
            accept: None,
        };
        s.listen();
        s
    }

    /// A port nobody listens on (yet): bound, then released.
    pub fn free_port() -> u16 {
        TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port")
    }

    fn listen(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        let listener = loop {
            match TcpListener::bind(("127.0.0.1", self.port)) {
                Ok(l) => break l,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => panic!("cannot listen on port {}: {e}", self.port),
            }
        };
        self.port = listener.local_addr().expect("local addr").port();
        self.stop.store(false, Ordering::SeqCst);
        let stop = self.stop.clone();
        let shared = self.shared.clone();
        let behaviour = self.behaviour.clone();
        self.accept = Some(std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                if let Ok(c) = stream.try_clone() {
                    shared.open.lock().unwrap().push(c);
                }
                shared.sessions.fetch_add(1, Ordering::SeqCst);
                let shared = shared.clone();
                let behaviour = behaviour.clone();
                std::thread::spawn(move || {
                    let _ = session(stream, &behaviour, &shared);
                });
            }
        }));
    }

    /// Stops listening and cuts every open session: the server is down.
    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(
            &SocketAddr::from(([127, 0, 0, 1], self.port)),
            Duration::from_secs(1),
        );
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
        for s in self.shared.open.lock().unwrap().drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
    }

    /// Listens again on the same port, keeping what was received.
    pub fn restart(&mut self) {
        self.listen();
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }

    /// Messages accepted so far (kept or not).
    pub fn count(&self) -> usize {
        self.shared.accepted.load(Ordering::SeqCst)
    }

    /// SMTP sessions opened so far.
    pub fn sessions(&self) -> usize {
        self.shared.sessions.load(Ordering::SeqCst)
    }

    /// DATA commands completed (accepted or not).
    pub fn data_attempts(&self) -> usize {
        self.shared.datas.load(Ordering::SeqCst)
    }

    /// Waits until at least `n` messages were accepted; false on timeout.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> bool {
        let end = Instant::now() + timeout;
        let mut got = self.shared.received.lock().unwrap();
        while got.len() < n {
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            got = self.shared.cv.wait_timeout(got, left).unwrap().0;
        }
        true
    }
}

impl Drop for TestSmtp {
    fn drop(&mut self) {
        self.stop();
    }
}

enum Conn {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ServerConnection, TcpStream>>),
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(s) => s.read(buf),
            Conn::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(s) => s.write(buf),
            Conn::Tls(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Conn::Plain(s) => s.flush(),
            Conn::Tls(s) => s.flush(),
        }
    }
}

/// Writes a reply (lines separated by `\n`) in one write, as real servers do: small separate writes
/// would meet Nagle's algorithm and the client's delayed ACK.
fn reply(r: &mut BufReader<Conn>, text: &str) -> io::Result<()> {
    let mut out = String::with_capacity(text.len() + 4);
    for line in text.split('\n') {
        out.push_str(line);
        out.push_str("\r\n");
    }
    let w = r.get_mut();
    w.write_all(out.as_bytes())?;
    w.flush()
}

fn read_line(r: &mut BufReader<Conn>) -> io::Result<Option<String>> {
    let mut buf = Vec::new();
    let n = r.by_ref().take(64 * 1024).read_until(b'\n', &mut buf)?;
    if n == 0 {
        return Ok(None);
    }
    while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        buf.pop();
    }
    Ok(Some(String::from_utf8_lossy(&buf).into_owned()))
}

fn angle(arg: &str) -> String {
    let a = arg.trim();
    let a = a.split_whitespace().next().unwrap_or("");
    a.trim_start_matches('<')
        .split('>')
        .next()
        .unwrap_or("")
        .to_string()
}

/// A TLS session on `tcp`, its handshake complete.
fn handshake(
    cfg: &Arc<rustls::ServerConfig>,
    tcp: TcpStream,
) -> io::Result<rustls::StreamOwned<rustls::ServerConnection, TcpStream>> {
    let conn = rustls::ServerConnection::new(cfg.clone()).map_err(io::Error::other)?;
    let mut s = rustls::StreamOwned::new(conn, tcp);
    while s.conn.is_handshaking() {
        s.conn.complete_io(&mut s.sock)?;
    }
    Ok(s)
}

fn session(stream: TcpStream, b: &Behaviour, shared: &Shared) -> io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    stream.set_nodelay(true)?;
    let mut tls = false;
    let mut r = match (&b.tls, b.implicit_tls) {
        (Some(cfg), true) => {
            tls = true;
            BufReader::new(Conn::Tls(Box::new(handshake(cfg, stream)?)))
        }
        _ => BufReader::new(Conn::Plain(stream)),
    };
    reply(&mut r, "220 127.0.0.1 ESMTP kosmo-test")?;
    let mut authed: Option<String> = None;
    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    while let Some(line) = read_line(&mut r)? {
        let (verb, arg) = match line.split_once(' ') {
            Some((v, a)) => (v.to_ascii_uppercase(), a.to_string()),
            None => (line.to_ascii_uppercase(), String::new()),
        };
        match verb.as_str() {
            "EHLO" | "HELO" => {
                let mut lines = vec!["250-127.0.0.1".to_string(), "250-8BITMIME".into()];
                lines.push("250-SMTPUTF8".into());
                if !b.no_pipelining {
                    lines.push("250-PIPELINING".into());
                }
                if b.tls.is_some() && !tls && !b.implicit_tls {
                    lines.push("250-STARTTLS".into());
                }
                if b.auth.is_some() {
                    lines.push("250-AUTH PLAIN".into());
                }
                lines.push("250 SIZE 10485760".into());
                reply(&mut r, &lines.join("\n"))?;
                from = None;
                to.clear();
            }
            "STARTTLS" => match (&b.tls, tls) {
                (Some(cfg), false) => {
                    reply(&mut r, "220 2.0.0 ready to start TLS")?;
                    let Conn::Plain(tcp) = r.into_inner() else {
                        unreachable!()
                    };
                    let conn =
                        rustls::ServerConnection::new(cfg.clone()).map_err(io::Error::other)?;
                    let mut s = rustls::StreamOwned::new(conn, tcp);
                    // Complete the handshake before reading commands.
                    while s.conn.is_handshaking() {
                        s.conn.complete_io(&mut s.sock)?;
                    }
                    r = BufReader::new(Conn::Tls(Box::new(s)));
                    tls = true;
                    from = None;
                    to.clear();
                }
                _ => reply(&mut r, "502 5.5.1 STARTTLS not available")?,
            },
            "AUTH" => {
                let mut parts = arg.split_whitespace();
                let mech = parts.next().unwrap_or("").to_ascii_uppercase();
                let initial = parts.next().map(str::to_string);
                let Some((user, pass)) = &b.auth else {
                    reply(&mut r, "502 5.5.1 AUTH not available")?;
                    continue;
                };
                if mech != "PLAIN" {
                    reply(&mut r, "504 5.5.4 only PLAIN")?;
                    continue;
                }
                let token = match initial {
                    Some(t) => t,
                    None => {
                        reply(&mut r, "334 ")?;
                        read_line(&mut r)?.unwrap_or_default()
                    }
                };
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(token.trim())
                    .unwrap_or_default();
                let fields: Vec<&[u8]> = decoded.split(|c| *c == 0).collect();
                let ok = fields.len() == 3
                    && fields[1] == user.as_bytes()
                    && fields[2] == pass.as_bytes();
                if ok {
                    authed = Some(user.clone());
                    reply(&mut r, "235 2.7.0 authenticated")?;
                } else {
                    reply(&mut r, "535 5.7.8 authentication failed")?;
                }
            }
            "MAIL" => {
                if b.require_tls && !tls {
                    reply(&mut r, "530 5.7.0 must issue STARTTLS first")?;
                } else if b.auth.is_some() && authed.is_none() {
                    reply(&mut r, "530 5.7.0 authentication required")?;
                } else {
                    from = Some(angle(arg.split_once(':').map_or("", |x| x.1)));
                    to.clear();
                    reply(&mut r, "250 2.1.0 ok")?;
                }
            }
            "RCPT" => {
                let addr = angle(arg.split_once(':').map_or("", |x| x.1));
                let n = shared.rcpts.fetch_add(1, Ordering::SeqCst);
                if from.is_none() {
                    reply(&mut r, "503 5.5.1 MAIL first")?;
                } else if let Some(refusal) = b.rcpt.as_ref().and_then(|f| f(n, &addr)) {
                    reply(&mut r, &refusal)?;
                } else {
                    to.push(addr);
                    reply(&mut r, "250 2.1.5 ok")?;
                }
            }
            "DATA" => {
                if from.is_none() || to.is_empty() {
                    reply(&mut r, "503 5.5.1 RCPT first")?;
                    continue;
                }
                reply(&mut r, "354 end with <CRLF>.<CRLF>")?;
                let mut data = Vec::new();
                loop {
                    let mut line = Vec::new();
                    if r.read_until(b'\n', &mut line)? == 0 {
                        return Ok(());
                    }
                    if line == b".\r\n" || line == b".\n" {
                        break;
                    }
                    let body = if line.starts_with(b"..") {
                        &line[1..]
                    } else {
                        &line[..]
                    };
                    data.extend_from_slice(body);
                }
                if !b.delay.is_zero() {
                    std::thread::sleep(b.delay);
                }
                let n = shared.datas.fetch_add(1, Ordering::SeqCst);
                let first = to.first().cloned().unwrap_or_default();
                match b.data.as_ref().and_then(|f| f(n, &first)) {
                    Some(refusal) => reply(&mut r, &refusal)?,
                    None => {
                        shared.accepted.fetch_add(1, Ordering::SeqCst);
                        if !b.discard {
                            let mut got = shared.received.lock().unwrap();
                            got.push(Received {
                                from: from.clone().unwrap_or_default(),
                                to: to.clone(),
                                data,
                                tls,
                                auth: authed.clone(),
                            });
                            shared.cv.notify_all();
                        }
                        reply(&mut r, "250 2.0.0 queued")?;
                    }
                }
                from = None;
                to.clear();
            }
            "RSET" => {
                from = None;
                to.clear();
                reply(&mut r, "250 2.0.0 ok")?;
            }
            "NOOP" => reply(&mut r, "250 2.0.0 ok")?,
            "QUIT" => {
                reply(&mut r, "221 2.0.0 bye")?;
                return Ok(());
            }
            _ => reply(&mut r, "500 5.5.2 unknown command")?,
        }
    }
    Ok(())
}

/// A self-signed certificate for 127.0.0.1 and localhost: (PEM of the certificate, server config).
pub fn test_certificate() -> (String, Arc<rustls::ServerConfig>) {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()])
        .expect("generate a test certificate");
    let cert_pem = ck.cert.pem();
    let der = ck.cert.der().clone();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(ck.signing_key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("protocol versions")
    .with_no_client_auth()
    .with_single_cert(vec![der], key)
    .expect("server certificate");
    (cert_pem, Arc::new(config))
}

/// The PEM of the certificate's private key too (for servers outside this process).
pub fn test_certificate_files(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()])
        .expect("generate a test certificate");
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    std::fs::write(&cert, ck.cert.pem()).unwrap();
    std::fs::write(&key, ck.signing_key.serialize_pem()).unwrap();
    (cert, key)
}
