//! The terminal of the plain front end: lines in, lines out, in the terminal's ordinary (cooked)
//! mode, so the terminal itself echoes and edits the line and a screen reader reads both. Passwords
//! are read with echo off. In kiosk mode Ctrl-C, Ctrl-Z, Ctrl-\ and Ctrl-D are ordinary characters
//! (no signal, no end of input); the terminal's settings are restored on every way out.
//!
//! Reading waits in `poll` for a line, a deadline (the idle timeout) or a stop request (SIGTERM,
//! SIGHUP, or SIGINT when leaving is allowed), without spinning.

use std::io::{self, Write};
use std::os::fd::RawFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// What a read brought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read {
    /// One line, without its end.
    Line(String),
    /// The deadline passed first.
    Timeout,
    /// The terminal went away or the program is asked to stop.
    Closed,
}

/// Standard input as a terminal (or a pipe, for which nothing is changed).
pub struct Term {
    fd: RawFd,
    saved: Option<libc::termios>,
    buf: Vec<u8>,
    stop: Arc<AtomicBool>,
}

fn get(fd: RawFd) -> Option<libc::termios> {
    // SAFETY: tcgetattr writes a termios for a valid descriptor; zeroed is a valid start value.
    let mut t: libc::termios = unsafe { std::mem::zeroed() };
    (unsafe { libc::tcgetattr(fd, &mut t) } == 0).then_some(t)
}

fn set(fd: RawFd, t: &libc::termios) {
    // SAFETY: a termios read by tcgetattr (possibly with flags changed) for the same descriptor.
    unsafe {
        libc::tcsetattr(fd, libc::TCSANOW, t);
    }
}

impl Term {
    /// Takes standard input. `kiosk`: no key makes a signal or ends the input.
    pub fn open(kiosk: bool, stop: Arc<AtomicBool>) -> Term {
        let fd = libc::STDIN_FILENO;
        let saved = get(fd);
        if let Some(orig) = saved {
            let mut t = orig;
            t.c_lflag |= libc::ICANON | libc::ECHO | libc::ECHOE;
            if kiosk {
                t.c_lflag &= !(libc::ISIG | libc::IEXTEN);
                t.c_cc[libc::VEOF] = 0;
            }
            set(fd, &t);
        }
        Term {
            fd,
            saved,
            buf: Vec::new(),
            stop,
        }
    }

    /// Puts the terminal's settings back (also done on drop).
    pub fn restore(&self) {
        if let Some(t) = &self.saved {
            set(self.fd, t);
        }
    }

    fn echo(&self, on: bool) {
        if let Some(mut t) = get(self.fd) {
            if on {
                t.c_lflag |= libc::ECHO;
            } else {
                t.c_lflag &= !libc::ECHO;
            }
            set(self.fd, &t);
        }
    }

    /// Reads one line, waiting at most until `deadline`. `hidden`: the terminal does not echo it
    /// (a password); the line end is printed afterwards so the next text starts on a new line.
    pub fn line(&mut self, deadline: Option<Instant>, hidden: bool) -> Read {
        if hidden {
            self.echo(false);
        }
        let r = self.wait_line(deadline);
        if hidden {
            self.echo(true);
            if !matches!(r, Read::Timeout) {
                let _ = writeln!(io::stdout());
            }
        }
        r
    }

    fn wait_line(&mut self, deadline: Option<Instant>) -> Read {
        loop {
            if let Some(i) = self.buf.iter().position(|&b| b == b'\n') {
                let rest = self.buf.split_off(i + 1);
                let mut line = std::mem::replace(&mut self.buf, rest);
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Read::Line(String::from_utf8_lossy(&line).into_owned());
            }
            if self.stop.load(Ordering::Relaxed) {
                return Read::Closed;
            }
            // Short slices, so a stop request is seen within a quarter second.
            let slice = Duration::from_millis(250);
            let wait = match deadline {
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Read::Timeout;
                    }
                    left.min(slice)
                }
                None => slice,
            };
            let mut pfd = libc::pollfd {
                fd: self.fd,
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd with a bounded timeout.
            let n = unsafe { libc::poll(&mut pfd, 1, wait.as_millis().max(1) as libc::c_int) };
            if n < 0 {
                if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Read::Closed;
            }
            if n == 0 {
                continue;
            }
            if pfd.revents & libc::POLLIN == 0 {
                return Read::Closed; // hung up, error
            }
            let mut chunk = [0u8; 1024];
            // SAFETY: reading into a local buffer of the given length.
            let r = unsafe { libc::read(self.fd, chunk.as_mut_ptr().cast(), chunk.len()) };
            if r <= 0 {
                if r < 0 && io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                // End of input: the rest is a last line, if anything.
                if self.buf.is_empty() {
                    return Read::Closed;
                }
                self.buf.push(b'\n');
                continue;
            }
            self.buf.extend_from_slice(&chunk[..r as usize]);
        }
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        self.restore();
    }
}
