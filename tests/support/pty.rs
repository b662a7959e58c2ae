//! The real `kosmo-kiosk` binary in a pseudo-terminal (portable-pty), its output fed to a terminal
//! emulator (vt100). The store lives in a temp dir and is prepared through the command line
//! (`admin import-members`, `admin issue-credentials --out`), as an operator would.
//!
//! Every wait has a timeout and fails with the screen as it was; nothing sleeps a fixed time to
//! let the program catch up.
#![allow(dead_code)]

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

/// The binary under test: the one Cargo built for this test (`CARGO_BIN_EXE_kosmo-kiosk`), or for
/// the measurement example the one named by `KOSMO_KIOSK_BIN`.
pub fn bin() -> PathBuf {
    option_env!("CARGO_BIN_EXE_kosmo-kiosk")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("KOSMO_KIOSK_BIN").map(PathBuf::from))
        .expect("the kosmo-kiosk binary: set KOSMO_KIOSK_BIN")
}
pub const WAIT: Duration = Duration::from_secs(20);

pub const MEMBERS_CSV: &str = "\
insurer_number,symbol,number,name,birth_date,relationship
06139497,12,3402,佐藤 一郎,1980-01-01,insured
01130012,7,88,鈴木 美咲,1990-07-15,insured
01130012,7,88,鈴木 健,2015-03-03,dependent
33120015,21,1005,高橋 清,1938-11-03,insured
";

/// One postcard from the notices file.
#[derive(Debug, Clone)]
pub struct Postcard {
    pub household: String,
    pub temp_id: String,
    pub password: String,
}

/// A temp dir with a store, a config file and the postcards.
pub struct Store {
    pub dir: tempfile::TempDir,
    pub cards: Vec<Postcard>,
}

impl Store {
    /// Imports the members and issues credentials through the command line. `config` is the TOML
    /// of the kiosk's configuration file.
    pub fn prepare(config: &str) -> Store {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("config.toml"), config).expect("config");
        std::fs::write(dir.path().join("members.csv"), MEMBERS_CSV).expect("members");
        let s = Store {
            dir,
            cards: Vec::new(),
        };
        s.cli(&["admin", "import-members", "members.csv"]);
        s.cli(&["admin", "issue-credentials", "--out", "notices.csv"]);
        let mut reader = csv::Reader::from_path(s.path("notices.csv")).expect("notices file");
        let cards = reader
            .records()
            .map(|r| {
                let r = r.expect("notice row");
                Postcard {
                    household: r[0].to_string(),
                    temp_id: r[2].to_string(),
                    password: r[3].to_string(),
                }
            })
            .collect();
        Store { cards, ..s }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn db(&self) -> PathBuf {
        self.path("kiosk.db")
    }

    pub fn card(&self, household: &str) -> Postcard {
        self.cards
            .iter()
            .find(|c| c.household == household)
            .cloned()
            .unwrap_or_else(|| panic!("no postcard for {household}"))
    }

    fn env(&self, cmd: &mut dyn FnMut(&str, &Path)) {
        cmd("KOSMO_KIOSK_DB", &self.db());
        cmd("KOSMO_KIOSK_LOG_DIR", &self.path("logs"));
        cmd("KOSMO_KIOSK_CONFIG", &self.path("config.toml"));
        cmd("HOME", self.dir.path());
    }

    /// Runs a command-line command (not in a terminal) and returns its standard output.
    pub fn cli(&self, args: &[&str]) -> String {
        let mut cmd = std::process::Command::new(bin());
        cmd.args(args).current_dir(self.dir.path());
        cmd.env_remove("KOSMO_KIOSK_SMTP_URL");
        self.env(&mut |k, v| {
            cmd.env(k, v);
        });
        let out = cmd.output().expect("run kosmo-kiosk");
        assert!(
            out.status.success(),
            "kosmo-kiosk {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 output")
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.cli(args)).expect("json output")
    }

    /// Starts the kiosk in an 80×24 pseudo-terminal.
    pub fn kiosk(&self, args: &[&str]) -> Kiosk {
        self.kiosk_sized(args, 80, 24)
    }

    pub fn kiosk_sized(&self, args: &[&str], cols: u16, rows: u16) -> Kiosk {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let mut cmd = CommandBuilder::new(bin());
        cmd.args(args);
        cmd.cwd(self.dir.path());
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("KOSMO_KIOSK_SMTP_URL");
        self.env(&mut |k, v| cmd.env(k, v));
        let child = pair.slave.spawn_command(cmd).expect("spawn the kiosk");
        drop(pair.slave);
        Kiosk::attach(pair.master, child, cols, rows)
    }
}

/// What the reader thread collected.
pub struct Output {
    pub vt: vt100::Parser,
    /// Every byte the program wrote, in order.
    pub bytes: Vec<u8>,
}

pub struct Kiosk {
    master: Option<Box<dyn MasterPty + Send>>,
    /// Our own duplicate of the master side for writing (portable-pty's writer types a newline
    /// and EOF when dropped, which a test of a dropped terminal must not do).
    input: Option<File>,
    pub child: Box<dyn Child + Send + Sync>,
    pub pid: u32,
    pub out: Arc<Mutex<Output>>,
    stop: Arc<AtomicBool>,
    reader: Option<JoinHandle<()>>,
    pub started: Instant,
}

fn dup(fd: i32) -> File {
    // SAFETY: dup of a valid descriptor owned by the MasterPty; the copy is owned by the File.
    let copy = unsafe { libc::dup(fd) };
    assert!(copy >= 0, "dup failed");
    unsafe { File::from_raw_fd(copy) }
}

impl Kiosk {
    fn attach(
        master: Box<dyn MasterPty + Send>,
        child: Box<dyn Child + Send + Sync>,
        cols: u16,
        rows: u16,
    ) -> Kiosk {
        let fd = master.as_raw_fd().expect("master fd");
        let input = dup(fd);
        let mut output = dup(fd);
        let out = Arc::new(Mutex::new(Output {
            vt: vt100::Parser::new(
                std::num::NonZeroU16::new(rows).unwrap(),
                std::num::NonZeroU16::new(cols).unwrap(),
                0,
            ),
            bytes: Vec::new(),
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let reader = {
            let out = out.clone();
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                while !stop.load(Ordering::Relaxed) {
                    let mut pfd = libc::pollfd {
                        fd: output.as_raw_fd(),
                        events: libc::POLLIN,
                        revents: 0,
                    };
                    // SAFETY: one valid pollfd; a short timeout so the stop flag is seen.
                    let n = unsafe { libc::poll(&mut pfd, 1, 50) };
                    if n <= 0 {
                        continue;
                    }
                    match output.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => {
                            let mut o = out.lock().unwrap();
                            o.vt.process(&buf[..n]);
                            o.bytes.extend_from_slice(&buf[..n]);
                        }
                    }
                }
            })
        };
        let pid = child.process_id().expect("child pid");
        Kiosk {
            master: Some(master),
            input: Some(input),
            child,
            pid,
            out,
            stop,
            reader: Some(reader),
            started: Instant::now(),
        }
    }

    // ----- the screen ----------------------------------------------------------------------------

    /// The screen as text, one line per row (trailing blanks cut).
    pub fn screen(&self) -> String {
        let o = self.out.lock().unwrap();
        let s = o.vt.screen();
        let (_, cols) = s.size();
        s.rows(0, cols.get())
            .map(|r| r.trim_end().to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// (column, row) of the cursor, or None when it is hidden.
    pub fn cursor(&self) -> Option<(u16, u16)> {
        let o = self.out.lock().unwrap();
        let s = o.vt.screen();
        let (row, col) = s.cursor_position();
        (!s.hide_cursor()).then_some((col, row))
    }

    pub fn bytes_len(&self) -> usize {
        self.out.lock().unwrap().bytes.len()
    }

    pub fn bytes_since(&self, from: usize) -> Vec<u8> {
        self.out.lock().unwrap().bytes[from..].to_vec()
    }

    /// Waits until `pred` holds for the screen; fails with the screen after `limit`.
    #[track_caller]
    pub fn wait_until(&self, what: &str, limit: Duration, pred: impl Fn(&str) -> bool) -> String {
        let end = Instant::now() + limit;
        loop {
            let screen = self.screen();
            if pred(&screen) {
                return screen;
            }
            if Instant::now() > end {
                panic!("timed out waiting for {what}; the screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Waits until every one of `texts` shows.
    #[track_caller]
    pub fn wait_for(&self, texts: &[&str]) -> String {
        self.wait_until(&format!("{texts:?}"), WAIT, |s| {
            texts.iter().all(|t| s.contains(t))
        })
    }

    /// Waits until `text` no longer shows.
    #[track_caller]
    pub fn wait_gone(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?} to go"), WAIT, |s| !s.contains(text))
    }

    // ----- input ---------------------------------------------------------------------------------

    pub fn send(&mut self, bytes: &[u8]) {
        let input = self.input.as_mut().expect("terminal open");
        input.write_all(bytes).expect("write to the pty");
        input.flush().expect("flush");
    }

    /// Types text (as bytes on the terminal; the program takes them in order).
    pub fn type_text(&mut self, text: &str) {
        self.send(text.as_bytes());
    }

    pub fn tab(&mut self) {
        self.send(b"\t");
    }

    pub fn back_tab(&mut self) {
        self.send(b"\x1b[Z");
    }

    pub fn enter(&mut self) {
        self.send(b"\r");
    }

    pub fn space(&mut self) {
        self.send(b" ");
    }

    pub fn left(&mut self) {
        self.send(b"\x1b[D");
    }

    pub fn right(&mut self) {
        self.send(b"\x1b[C");
    }

    pub fn page_down(&mut self) {
        self.send(b"\x1b[6~");
    }

    /// A tap (SGR mouse press and release, as a terminal sends for a touch) at a 0-based cell.
    pub fn tap_at(&mut self, col: u16, row: u16) {
        let (c, r) = (col + 1, row + 1);
        self.send(format!("\x1b[<0;{c};{r}M").as_bytes());
        self.send(format!("\x1b[<0;{c};{r}m").as_bytes());
    }

    /// A tap on the first cell of `text` as it shows now.
    #[track_caller]
    pub fn tap(&mut self, text: &str) {
        let screen = self.wait_for(&[text]);
        let (col, row) = super::screen::find(&screen, text, 1).expect("shown");
        self.tap_at(col, row);
    }

    /// A tap on a control's label (where it starts a row).
    #[track_caller]
    pub fn tap_label(&mut self, label: &str) {
        let screen = self.wait_until(&format!("label {label:?}"), WAIT, |s| {
            super::screen::find_label(s, label).is_some()
        });
        let (col, row) = super::screen::find_label(&screen, label).expect("shown");
        self.tap_at(col, row);
    }

    /// A tap inside the input box of the field labelled `label`, after its text.
    #[track_caller]
    pub fn tap_box(&mut self, label: &str) {
        let screen = self.wait_until(&format!("field {label:?}"), WAIT, |s| {
            super::screen::field_box(s, label).is_some()
        });
        let (_, close, row) = super::screen::field_box(&screen, label).expect("shown");
        self.tap_at(close - 1, row);
    }

    /// Waits until the focused field (the row marked `>`) is the one labelled `label`.
    #[track_caller]
    pub fn wait_focus(&self, label: &str) -> String {
        self.wait_until(&format!("focus on {label:?}"), WAIT, |s| {
            s.lines().any(|l| {
                l.starts_with('>')
                    && l.get(2..)
                        .and_then(|rest| rest.strip_prefix(label))
                        .is_some_and(|rest| {
                            rest.is_empty() || rest.starts_with(' ') || rest.starts_with('（')
                        })
            })
        })
    }

    // ----- the process ---------------------------------------------------------------------------

    pub fn signal(&self, sig: i32) {
        // SAFETY: sending a signal to our own child.
        let rc = unsafe { libc::kill(self.pid as i32, sig) };
        assert_eq!(rc, 0, "kill failed");
    }

    pub fn alive(&mut self) -> bool {
        self.child.try_wait().expect("try_wait").is_none()
    }

    /// utime + stime of the process so far (also readable while it is a zombie), in clock ticks.
    pub fn cpu_ticks(&self) -> Option<u64> {
        cpu_ticks(self.pid)
    }

    /// The process state letter from /proc (R, S, Z, ...).
    pub fn proc_state(&self) -> Option<char> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid)).ok()?;
        let after = stat.rsplit_once(')')?.1;
        after.trim_start().chars().next()
    }

    /// Waits for the process to end (`limit`); returns the time it took and whether it exited
    /// successfully, or None on timeout.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<(Duration, bool)> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                // Let the reader take what was written at exit.
                self.drain();
                return Some((start.elapsed(), status.success()));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        None
    }

    /// Waits for the process to end (`limit`); its exit status (an exit code, or the signal that
    /// killed it), or None on timeout.
    pub fn wait_status(&mut self, limit: Duration) -> Option<portable_pty::ExitStatus> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                self.drain();
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        None
    }

    /// Presses Tab until the terminal cursor is hidden (the focus is on a button, a checkbox or a
    /// choice rather than a text field), at most `max` times.
    #[track_caller]
    pub fn tab_until_cursor_hidden(&mut self, max: usize) {
        for _ in 0..=max {
            let end = Instant::now() + Duration::from_millis(700);
            while Instant::now() < end {
                if self.cursor().is_none() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            self.tab();
        }
        panic!("the cursor stays visible; the screen:\n{}", self.screen());
    }

    /// Waits (bounded) until the reader has everything the closed terminal had to give.
    fn drain(&mut self) {
        if let Some(h) = self.reader.take() {
            let end = Instant::now() + Duration::from_secs(2);
            while !h.is_finished() && Instant::now() < end {
                std::thread::sleep(Duration::from_millis(10));
            }
            if h.is_finished() {
                let _ = h.join();
            } else {
                self.stop.store(true, Ordering::Relaxed);
                let _ = h.join();
            }
        }
    }

    /// Closes the terminal from our side (the master), as a dropped SSH connection would.
    pub fn hang_up(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.reader.take() {
            let _ = h.join();
        }
        self.input = None;
        self.master = None;
    }

    /// Ends the kiosk (SIGTERM) and waits for it.
    pub fn stop(&mut self) {
        if self.alive() {
            self.signal(libc::SIGTERM);
            let ended = self.wait_exit(Duration::from_secs(10));
            assert!(ended.is_some(), "the kiosk did not stop on SIGTERM");
        }
    }
}

impl Drop for Kiosk {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.reader.take() {
            let _ = h.join();
        }
    }
}

/// utime + stime of a process, in clock ticks.
pub fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    // After the command: state is field 3, utime 14 and stime 15 (1-based in proc(5)).
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// Clock ticks per second.
pub fn ticks_per_sec() -> u64 {
    // SAFETY: sysconf has no preconditions.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 { t as u64 } else { 100 }
}

/// A value of /proc/<pid>/status in kB (e.g. VmHWM).
pub fn status_kb(pid: u32, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|l| {
        let rest = l.strip_prefix(key)?.strip_prefix(':')?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// CPU time of every thread of a process so far, in nanoseconds (the first field of each
/// /proc/<pid>/task/<tid>/schedstat), and how often its threads were switched in (voluntary and
/// involuntary context switches): a thread that never wakes adds nothing to either.
pub fn thread_cpu_ns_and_switches(pid: u32) -> Option<(u64, u64)> {
    let mut ns = 0;
    let mut switches = 0;
    for entry in std::fs::read_dir(format!("/proc/{pid}/task")).ok()? {
        let dir = entry.ok()?.path();
        let sched = std::fs::read_to_string(dir.join("schedstat")).ok()?;
        ns += sched.split_whitespace().next()?.parse::<u64>().ok()?;
        let status = std::fs::read_to_string(dir.join("status")).ok()?;
        for l in status.lines() {
            if let Some(v) = l
                .strip_prefix("voluntary_ctxt_switches:")
                .or_else(|| l.strip_prefix("nonvoluntary_ctxt_switches:"))
            {
                switches += v.trim().parse::<u64>().ok()?;
            }
        }
    }
    Some((ns, switches))
}
