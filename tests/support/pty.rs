//! The one pseudo-terminal driver: a program (the real `kosmo-kiosk`, or `ssh` into it) in a
//! pseudo-terminal (portable-pty), its output fed to a terminal emulator (vt100) that the test reads
//! as text. [`Store`] prepares a store through the command line (`admin import-members`, `admin
//! issue-credentials --out`), as an operator would, and starts the kiosk on it.
//!
//! Keys are written as a terminal sends them, with no pause between them; every wait is for a
//! condition on the screen (or the process), has a timeout and fails with the screen as it was.
//! Nothing sleeps a fixed time to let the program catch up.
#![allow(dead_code)]

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

// Re-exported for the tests that drive a terminal (not every mounting crate uses both).
#[allow(unused_imports)]
pub use super::households::Postcard;
#[allow(unused_imports)]
pub use super::pty_store::Store;

/// The longest any wait lasts before the test fails with the screen.
pub const WAIT: Duration = Duration::from_secs(30);

/// Keys as a terminal sends them.
pub mod key {
    pub const TAB: &str = "\t";
    pub const BACK_TAB: &str = "\x1b[Z";
    pub const ENTER: &str = "\r";
    pub const ESC: &str = "\x1b";
    pub const SPACE: &str = " ";
    pub const UP: &str = "\x1b[A";
    pub const DOWN: &str = "\x1b[B";
    pub const RIGHT: &str = "\x1b[C";
    pub const LEFT: &str = "\x1b[D";
    pub const PAGE_DOWN: &str = "\x1b[6~";
    pub const CTRL_C: &str = "\x03";
    pub const CTRL_U: &str = "\x15";
}

/// The binary with the private environment of `dir` (see `bin.rs`), for a pseudo-terminal.
pub fn command(dir: &Path, args: &[&str]) -> CommandBuilder {
    let mut cmd = CommandBuilder::new(super::bin::path());
    cmd.args(args);
    cmd.cwd(dir);
    for k in super::bin::CLEARED {
        cmd.env_remove(k);
    }
    for (k, v) in super::bin::env(dir) {
        cmd.env(k, v);
    }
    cmd.env("TERM", "xterm-256color");
    cmd
}

/// What the reader thread collected.
pub struct Output {
    pub vt: vt100::Parser,
    /// Every byte the program wrote, in order.
    pub bytes: Vec<u8>,
}

/// A program running in a pseudo-terminal.
pub struct Term {
    /// Names the program in failure messages.
    pub name: String,
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

impl Term {
    /// Starts `cmd` in a `cols`×`rows` pseudo-terminal that answers cursor position requests as
    /// a real terminal does.
    pub fn spawn(name: &str, cmd: CommandBuilder, cols: u16, rows: u16) -> Term {
        Term::spawn_with(name, cmd, cols, rows, true)
    }

    /// [`Term::spawn`]; with `answer_reports` false the test answers cursor position requests.
    pub fn spawn_with(
        name: &str,
        cmd: CommandBuilder,
        cols: u16,
        rows: u16,
        answer_reports: bool,
    ) -> Term {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let child = pair.slave.spawn_command(cmd).expect("spawn");
        drop(pair.slave);
        Term::attach(name, pair.master, child, cols, rows, answer_reports)
    }

    fn attach(
        name: &str,
        master: Box<dyn MasterPty + Send>,
        child: Box<dyn Child + Send + Sync>,
        cols: u16,
        rows: u16,
        answer_reports: bool,
    ) -> Term {
        let fd = master.as_raw_fd().expect("master fd");
        let input = dup(fd);
        let mut output = dup(fd);
        let mut answers = dup(fd);
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
                            o.bytes.extend_from_slice(&buf[..n]);
                            if !answer_reports {
                                o.vt.process(&buf[..n]);
                                continue;
                            }
                            // Answer each cursor position request where the emulator's cursor
                            // is when it comes, as a terminal does (vt100 counts ambiguous
                            // characters as one cell: a narrow terminal).
                            let mut rest = &buf[..n];
                            while let Some(i) = rest.windows(4).position(|w| w == b"\x1b[6n") {
                                o.vt.process(&rest[..i + 4]);
                                rest = &rest[i + 4..];
                                let (row, col) = o.vt.screen().cursor_position();
                                let _ = write!(answers, "\x1b[{};{}R", row + 1, col + 1);
                            }
                            o.vt.process(rest);
                        }
                    }
                }
            })
        };
        let pid = child.process_id().expect("child pid");
        Term {
            name: name.to_string(),
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
        super::screen::vt_text(self.out.lock().unwrap().vt.screen())
    }

    /// The screen's rows (trailing blanks cut).
    pub fn rows(&self) -> Vec<String> {
        super::screen::vt_rows(self.out.lock().unwrap().vt.screen())
    }

    /// (column, row) of the cursor, or None when it is hidden.
    pub fn cursor(&self) -> Option<(u16, u16)> {
        super::screen::vt_cursor(self.out.lock().unwrap().vt.screen())
    }

    pub fn bytes_len(&self) -> usize {
        self.out.lock().unwrap().bytes.len()
    }

    pub fn bytes_since(&self, from: usize) -> Vec<u8> {
        self.out.lock().unwrap().bytes[from..].to_vec()
    }

    /// Waits until `pred` holds for a whole frame; fails with the screen after `limit`.
    ///
    /// A frame reaches the emulator in pieces (the pseudo-terminal hands it over in chunks), so a
    /// screen read between two pieces shows the new header over the old rows. The predicate counts
    /// only when it holds on two polls with no output between them: the frame was complete.
    #[track_caller]
    pub fn wait_until(&self, what: &str, limit: Duration, pred: impl Fn(&str) -> bool) -> String {
        let end = Instant::now() + limit;
        let mut held_at = None;
        loop {
            let (screen, len) = {
                let o = self.out.lock().unwrap();
                (super::screen::vt_text(o.vt.screen()), o.bytes.len())
            };
            if pred(&screen) {
                if held_at == Some(len) {
                    return screen;
                }
                held_at = Some(len);
            } else {
                held_at = None;
            }
            if Instant::now() > end {
                panic!(
                    "[{}] timed out after {limit:?} waiting for {what}; the screen:\n{screen}",
                    self.name
                );
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

    /// Waits until the cursor stands at `at` (column, row); fails with the screen.
    #[track_caller]
    pub fn wait_cursor(&self, at: (u16, u16)) -> String {
        self.wait_until(&format!("the cursor at {at:?}"), WAIT, |_| {
            self.cursor() == Some(at)
        })
    }

    /// Waits until the program has turned the terminal's echo off (a password prompt shows its text
    /// a moment before it stops echoing; keys typed in between would be echoed).
    #[track_caller]
    pub fn wait_echo_off(&self) {
        use std::os::fd::AsRawFd;
        let fd = self
            .master
            .as_ref()
            .and_then(|m| m.as_raw_fd())
            .expect("terminal open");
        self.wait_until("the echo to be off", WAIT, |_| {
            // SAFETY: a plain termios read of our own open master fd into a zeroed struct.
            let mut t: libc::termios = unsafe { std::mem::zeroed() };
            unsafe { libc::tcgetattr(fd.as_raw_fd(), &mut t) == 0 && t.c_lflag & libc::ECHO == 0 }
        });
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

    /// Sends keys and text in order (see [`key`]), with no pause between them.
    pub fn keys(&mut self, parts: &[&str]) {
        for p in parts {
            self.send(p.as_bytes());
        }
    }

    /// Types text (as bytes on the terminal; the program takes them in order).
    pub fn type_text(&mut self, text: &str) {
        self.send(text.as_bytes());
    }

    pub fn tab(&mut self) {
        self.keys(&[key::TAB]);
    }

    pub fn back_tab(&mut self) {
        self.keys(&[key::BACK_TAB]);
    }

    pub fn enter(&mut self) {
        self.keys(&[key::ENTER]);
    }

    pub fn space(&mut self) {
        self.keys(&[key::SPACE]);
    }

    pub fn left(&mut self) {
        self.keys(&[key::LEFT]);
    }

    pub fn right(&mut self) {
        self.keys(&[key::RIGHT]);
    }

    pub fn page_down(&mut self) {
        self.keys(&[key::PAGE_DOWN]);
    }

    /// The window changes size (as a terminal window or an SSH client tells the program).
    pub fn resize(&mut self, cols: u16, rows: u16) {
        self.out.lock().unwrap().vt.set_size(
            std::num::NonZeroU16::new(rows).expect("rows"),
            std::num::NonZeroU16::new(cols).expect("cols"),
        );
        self.master
            .as_ref()
            .expect("terminal open")
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize");
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
        super::procs::cpu_ticks(self.pid)
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
        for tabs in 0..=max {
            if self.settled_cursor().is_none() {
                return;
            }
            if tabs < max {
                // One Tab, then its frame: on a busy machine it comes late, and a second Tab sent
                // before it would walk past the button.
                let before = self.bytes_len();
                self.tab();
                let end = Instant::now() + WAIT;
                while self.bytes_len() == before && Instant::now() < end {
                    std::thread::sleep(Duration::from_millis(10));
                }
            }
        }
        panic!("the cursor stays visible; the screen:\n{}", self.screen());
    }

    /// The cursor once the output has stood still for 100 ms (a whole frame has arrived). Before, a Tab
    /// was sent every 700 ms: under load the frame of the first came after the second was sent, the
    /// walk stopped on that frame's hidden cursor, and the second Tab's frame then showed it again.
    fn settled_cursor(&self) -> Option<(u16, u16)> {
        let end = Instant::now() + WAIT;
        let mut len = self.bytes_len();
        let mut still_since = Instant::now();
        loop {
            std::thread::sleep(Duration::from_millis(10));
            let now = self.bytes_len();
            if now != len {
                len = now;
                still_since = Instant::now();
            } else if still_since.elapsed() >= Duration::from_millis(100) || Instant::now() > end {
                return self.cursor();
            }
        }
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

impl Drop for Term {
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
