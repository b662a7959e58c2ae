//! Mail test support: the Rust SMTP test server (always available, `smtp.rs`), an aiosmtpd server
//! (Debian's python3-aiosmtpd, when present), and one interface over both, so that the delivery
//! scenarios (`tests/services/delivery_scenarios.rs`) run against each.

pub mod outbox;
pub mod smtp;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub use smtp::{Behaviour, Received, TestSmtp};

/// What a test wants from its server.
#[derive(Clone, Default)]
pub struct Spec {
    /// Answer `fail_reply` to the first `fail_first` messages (at the end of DATA).
    pub fail_first: usize,
    pub fail_reply: String,
    /// Refuse every recipient with this reply.
    pub reject_rcpt: Option<String>,
    /// Offer STARTTLS with a test certificate and refuse MAIL without it.
    pub tls: bool,
    /// TLS from the first byte (`smtps://`) with a test certificate.
    pub implicit_tls: bool,
    /// Require AUTH PLAIN with this user name and password.
    pub auth: Option<(String, String)>,
}

/// A running test server.
pub trait Server {
    fn port(&self) -> u16;
    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port())
    }
    /// The PEM file of the certificate to trust, when the server offers TLS.
    fn ca_file(&self) -> Option<PathBuf>;
    fn received(&self) -> Vec<Received>;
    fn wait_for(&self, n: usize, timeout: Duration) -> bool;
    fn stop(&mut self);
    fn restart(&mut self);
}

/// Starts servers of one kind.
pub trait Launcher {
    fn name(&self) -> &'static str;
    /// Starts a server on `port` (0: any free port).
    fn launch(&self, spec: &Spec, port: u16, dir: &Path) -> Box<dyn Server>;
}

// ----- the Rust server -----------------------------------------------------------------------

pub struct RustLauncher;

struct RustServer {
    smtp: TestSmtp,
    ca: Option<PathBuf>,
}

impl Launcher for RustLauncher {
    fn name(&self) -> &'static str {
        "rust"
    }

    fn launch(&self, spec: &Spec, port: u16, dir: &Path) -> Box<dyn Server> {
        let mut b = Behaviour::default();
        if spec.fail_first > 0 {
            b = Behaviour::fail_first(spec.fail_first, &spec.fail_reply);
        }
        if let Some(r) = &spec.reject_rcpt {
            b.rcpt = Behaviour::reject_rcpt(r).rcpt;
        }
        let mut ca = None;
        if spec.tls || spec.implicit_tls {
            let (pem, cfg) = smtp::test_certificate();
            let path = dir.join("rust-ca.pem");
            std::fs::write(&path, pem).unwrap();
            ca = Some(path);
            b.tls = Some(cfg);
            b.require_tls = true;
            b.implicit_tls = spec.implicit_tls;
        }
        b.auth = spec.auth.clone();
        Box::new(RustServer {
            smtp: TestSmtp::start_on(port, b),
            ca,
        })
    }
}

impl Server for RustServer {
    fn port(&self) -> u16 {
        self.smtp.port
    }
    fn ca_file(&self) -> Option<PathBuf> {
        self.ca.clone()
    }
    fn received(&self) -> Vec<Received> {
        self.smtp.received()
    }
    fn wait_for(&self, n: usize, timeout: Duration) -> bool {
        self.smtp.wait_for(n, timeout)
    }
    fn stop(&mut self) {
        self.smtp.stop()
    }
    fn restart(&mut self) {
        self.smtp.restart()
    }
}

// ----- aiosmtpd ------------------------------------------------------------------------------

/// Debian's python3-aiosmtpd runs under the system interpreter, which need not be the `python3`
/// first on the PATH.
pub const SYSTEM_PYTHON: &str = "/usr/bin/python3";

/// Whether aiosmtpd can be used. `KOSMO_TEST_AIOSMTPD=1` (CI) makes its absence a failure;
/// `KOSMO_TEST_AIOSMTPD=0` skips it; unset, it is used when present.
pub fn aiosmtpd_available() -> bool {
    let wanted = std::env::var("KOSMO_TEST_AIOSMTPD").ok();
    if wanted.as_deref() == Some("0") {
        eprintln!("skipped: KOSMO_TEST_AIOSMTPD=0");
        return false;
    }
    let ok = Command::new(SYSTEM_PYTHON)
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        if wanted.as_deref() == Some("1") {
            panic!(
                "KOSMO_TEST_AIOSMTPD=1 but {SYSTEM_PYTHON} cannot import aiosmtpd (apt-get install python3-aiosmtpd)"
            );
        }
        eprintln!(
            "skipped: aiosmtpd is not available ({SYSTEM_PYTHON} -c 'import aiosmtpd' failed; \
             apt-get install python3-aiosmtpd, or set KOSMO_TEST_AIOSMTPD=1 to require it). \
             The same scenarios run against the Rust test server."
        );
    }
    ok
}

pub struct AiosmtpdLauncher;

struct AiosmtpdServer {
    args: Vec<String>,
    port: u16,
    out: PathBuf,
    ca: Option<PathBuf>,
    child: Option<Child>,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/mail/aiosmtpd_server.py")
}

impl AiosmtpdServer {
    fn spawn(&mut self) {
        use std::io::BufRead;
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let mut child = Command::new(SYSTEM_PYTHON)
                .arg(script())
                .args(["--port", &self.port.to_string(), "--out"])
                .arg(&self.out)
                .args(&self.args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start aiosmtpd");
            let stdout = child.stdout.take().expect("stdout");
            let mut line = String::new();
            let _ = std::io::BufReader::new(stdout).read_line(&mut line);
            if line.starts_with("READY") {
                self.child = Some(child);
                return;
            }
            let _ = child.kill();
            let out = child.wait_with_output().expect("aiosmtpd output");
            if Instant::now() > deadline {
                panic!(
                    "aiosmtpd did not start: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            // The port may still be held by the previous run; try again shortly.
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Launcher for AiosmtpdLauncher {
    fn name(&self) -> &'static str {
        "aiosmtpd"
    }

    fn launch(&self, spec: &Spec, port: u16, dir: &Path) -> Box<dyn Server> {
        let port = if port == 0 {
            TestSmtp::free_port()
        } else {
            port
        };
        let mut args = Vec::new();
        if spec.fail_first > 0 {
            args.extend([
                "--fail-first".to_string(),
                spec.fail_first.to_string(),
                "--fail-reply".into(),
                spec.fail_reply.clone(),
            ]);
        }
        if let Some(r) = &spec.reject_rcpt {
            args.extend(["--reject-rcpt".to_string(), r.clone()]);
        }
        let mut ca = None;
        if spec.tls || spec.implicit_tls {
            let (cert, key) = smtp::test_certificate_files(dir);
            args.extend([
                "--cert".to_string(),
                cert.display().to_string(),
                "--key".into(),
                key.display().to_string(),
            ]);
            if spec.implicit_tls {
                args.push("--implicit-tls".into());
            }
            ca = Some(cert);
        }
        if let Some((u, p)) = &spec.auth {
            args.extend([
                "--user".to_string(),
                u.clone(),
                "--password".into(),
                p.clone(),
            ]);
        }
        let out = dir.join(format!("aiosmtpd-{port}"));
        std::fs::create_dir_all(&out).unwrap();
        let mut s = AiosmtpdServer {
            args,
            port,
            out,
            ca,
            child: None,
        };
        s.spawn();
        Box::new(s)
    }
}

impl Server for AiosmtpdServer {
    fn port(&self) -> u16 {
        self.port
    }

    fn ca_file(&self) -> Option<PathBuf> {
        self.ca.clone()
    }

    fn received(&self) -> Vec<Received> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(&self.out)
            .map(|d| {
                d.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
            .into_iter()
            .map(|p| {
                let meta: serde_json::Value =
                    serde_json::from_slice(&std::fs::read(p.with_extension("json")).unwrap())
                        .unwrap();
                Received {
                    from: meta["from"].as_str().unwrap_or_default().to_string(),
                    to: meta["to"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|v| v.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default(),
                    data: std::fs::read(&p).unwrap(),
                    tls: meta["tls"].as_bool().unwrap_or(false),
                    auth: meta["auth"].as_str().map(str::to_string),
                }
            })
            .collect()
    }

    fn wait_for(&self, n: usize, timeout: Duration) -> bool {
        let end = Instant::now() + timeout;
        loop {
            if self.received().len() >= n {
                return true;
            }
            if Instant::now() >= end {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            // SAFETY: a plain kill(2) of our own child.
            unsafe {
                libc::kill(c.id() as i32, libc::SIGTERM);
            }
            let end = Instant::now() + Duration::from_secs(5);
            while Instant::now() < end {
                if let Ok(Some(_)) = c.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn restart(&mut self) {
        self.spawn();
    }
}

impl Drop for AiosmtpdServer {
    fn drop(&mut self) {
        self.stop();
    }
}
