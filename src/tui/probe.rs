//! Asks the terminal at start whether it draws East Asian Ambiguous characters one cell wide or two
//! (`[kiosk] ambiguous_width = "auto"`): print one at a known place, ask where the cursor went
//! (`ESC [ 6 n`, the cursor position report every VT100-style terminal answers) and count the
//! columns it moved. Runs once, in raw mode, before the input thread starts reading, so the answer
//! is never mistaken for a key. No answer within the time limit: narrow (the terminal default).

use std::io::{self, Write};
use std::time::{Duration, Instant};

/// What the terminal said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// An ambiguous character moved the cursor two columns.
    Wide,
    /// It moved one column.
    Narrow,
    /// No cursor position report arrived in time.
    Silent,
}

impl Answer {
    pub fn is_wide(self) -> bool {
        self == Answer::Wide
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Wide => "wide",
            Answer::Narrow => "narrow",
            Answer::Silent => "no answer",
        }
    }
}

/// How long the terminal has to answer (over SSH the answer makes a round trip).
pub const TIMEOUT: Duration = Duration::from_millis(500);

/// The characters tried: a box-drawing rule and a Greek letter, because a few terminals keep box
/// drawing narrow in their "ambiguous wide" setting. Wide when either takes two cells.
const PROBES: [&str; 2] = ["\u{2500}", "\u{03B1}"];

/// What is written: for each probe character, go to the top-left corner, print it, ask for the
/// cursor position; then clear the row again.
pub fn request() -> Vec<u8> {
    let mut out = Vec::new();
    for p in PROBES {
        out.extend_from_slice(b"\x1b[1;1H");
        out.extend_from_slice(p.as_bytes());
        out.extend_from_slice(b"\x1b[6n");
    }
    out.extend_from_slice(b"\x1b[1;1H\x1b[2K");
    out
}

/// The columns of every cursor position report (`ESC [ row ; col R`) in `bytes`.
pub fn reported_columns(bytes: &[u8]) -> Vec<u16> {
    let mut cols = Vec::new();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == 0x1b && bytes[i + 1] == b'[' {
            let rest = &bytes[i + 2..];
            let end = rest
                .iter()
                .position(|b| !(b.is_ascii_digit() || *b == b';'))
                .unwrap_or(rest.len());
            if rest.get(end) == Some(&b'R') {
                let body = std::str::from_utf8(&rest[..end]).unwrap_or("");
                if let Some((_, col)) = body.split_once(';')
                    && let Ok(col) = col.parse::<u16>()
                {
                    cols.push(col);
                }
                i += 2 + end + 1;
                continue;
            }
        }
        i += 1;
    }
    cols
}

/// The verdict from the reported columns (1-based: a narrow character leaves the cursor in column
/// 2, a wide one in column 3).
pub fn verdict(cols: &[u16]) -> Answer {
    if cols.is_empty() {
        Answer::Silent
    } else if cols.iter().any(|&c| c >= 3) {
        Answer::Wide
    } else {
        Answer::Narrow
    }
}

/// `bytes` without the cursor position reports in it: what a person typed meanwhile.
pub fn without_reports(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == 0x1b && bytes.get(i + 1) == Some(&b'[') {
            let rest = &bytes[i + 2..];
            let end = rest
                .iter()
                .position(|b| !(b.is_ascii_digit() || *b == b';'))
                .unwrap_or(rest.len());
            if rest.get(end) == Some(&b'R') {
                i += 2 + end + 1;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// Keys typed while the terminal was asked, as the input thread would have read them: characters,
/// Enter, Tab, Backspace, Ctrl+letter, Esc, the arrows and Shift-Tab. Anything else (a mouse
/// report, a function key) is dropped.
pub fn keys_of(bytes: &[u8]) -> Vec<ratatui::crossterm::event::Event> {
    use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    let key = |code, m| Event::Key(KeyEvent::new(code, m));
    let mut out = Vec::new();
    let text = String::from_utf8_lossy(bytes);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let none = KeyModifiers::NONE;
        match c {
            '\r' | '\n' => out.push(key(KeyCode::Enter, none)),
            '\t' => out.push(key(KeyCode::Tab, none)),
            '\u{7f}' | '\u{8}' => out.push(key(KeyCode::Backspace, none)),
            '\u{1b}' => match chars.peek() {
                Some('[') | Some('O') => {
                    chars.next();
                    let mut last = None;
                    while let Some(&n) = chars.peek() {
                        chars.next();
                        if ('\u{40}'..='\u{7e}').contains(&n) {
                            last = Some(n);
                            break;
                        }
                    }
                    let (code, m) = match last {
                        Some('A') => (KeyCode::Up, none),
                        Some('B') => (KeyCode::Down, none),
                        Some('C') => (KeyCode::Right, none),
                        Some('D') => (KeyCode::Left, none),
                        Some('Z') => (KeyCode::BackTab, KeyModifiers::SHIFT),
                        _ => continue,
                    };
                    out.push(key(code, m));
                }
                _ => out.push(key(KeyCode::Esc, none)),
            },
            c if ('\u{1}'..='\u{1a}').contains(&c) => out.push(key(
                KeyCode::Char((b'a' + (c as u8) - 1) as char),
                KeyModifiers::CONTROL,
            )),
            c if c.is_control() => {}
            c => out.push(key(KeyCode::Char(c), none)),
        }
    }
    out
}

/// Asks the terminal on `out` and reads its answer from the terminal file descriptor `input` (in
/// raw mode) until every report arrived or `timeout` passed. Also returns whatever else arrived
/// meanwhile (keys typed), without the reports.
#[cfg(unix)]
pub fn ask(
    input: std::os::fd::BorrowedFd<'_>,
    out: &mut impl Write,
    timeout: Duration,
) -> (Answer, Vec<u8>) {
    use std::os::fd::AsRawFd;
    if out
        .write_all(&request())
        .and_then(|()| out.flush())
        .is_err()
    {
        return (Answer::Silent, Vec::new());
    }
    let deadline = Instant::now() + timeout;
    let mut got = Vec::new();
    let fd = input.as_raw_fd();
    while reported_columns(&got).len() < PROBES.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        let mut pfd = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd; the timeout is bounded.
        let n = unsafe { libc::poll(&mut pfd, 1, left.as_millis().max(1) as libc::c_int) };
        if n < 0 {
            if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
                continue;
            }
            break;
        }
        if n == 0 || pfd.revents & libc::POLLIN == 0 {
            if pfd.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 {
                break;
            }
            continue;
        }
        let mut buf = [0u8; 256];
        // SAFETY: reading into a local buffer of the given length.
        let r = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
        if r <= 0 {
            break;
        }
        got.extend_from_slice(&buf[..r as usize]);
    }
    (verdict(&reported_columns(&got)), without_reports(&got))
}

/// Asks the terminal of this process (standard input and output).
#[cfg(unix)]
pub fn ask_terminal() -> (Answer, Vec<u8>) {
    use std::os::fd::AsFd;
    let stdin = io::stdin();
    ask(stdin.as_fd(), &mut io::stdout(), TIMEOUT)
}

#[cfg(not(unix))]
pub fn ask_terminal() -> (Answer, Vec<u8>) {
    (Answer::Silent, Vec::new())
}

/// At start, in raw mode and before the input thread reads: decides and installs the look of the
/// screens (see `look::start`), asking the terminal when the configuration says `auto`. Returns
/// the keys typed while it waited for the answer, for the app to handle first.
pub fn start(kiosk: &crate::config::KioskConfig) -> Vec<ratatui::crossterm::event::Event> {
    let mut typed = Vec::new();
    crate::tui::look::start(kiosk.theme, kiosk.ambiguous_width, || {
        let (answer, rest) = ask_terminal();
        typed = keys_of(&rest);
        answer
    });
    typed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_are_found_among_other_bytes() {
        assert_eq!(reported_columns(b"\x1b[1;2R\x1b[1;3R"), [2, 3]);
        assert_eq!(reported_columns(b"x\x1b[A\x1b[12;40Ry"), [40]);
        assert_eq!(reported_columns(b"\x1b[1;2"), Vec::<u16>::new());
        assert_eq!(reported_columns(b"\x1b[2~"), Vec::<u16>::new());
    }

    #[test]
    fn keys_typed_meanwhile_are_kept() {
        use ratatui::crossterm::event::{Event, KeyCode, KeyModifiers};
        let rest = without_reports(b"a\x1b[1;2R\x03\x1b[1;3R\r\x1b[Z\x1b[<0;3;4M\x1b");
        assert_eq!(rest, b"a\x03\r\x1b[Z\x1b[<0;3;4M\x1b");
        let keys: Vec<(KeyCode, KeyModifiers)> = keys_of(&rest)
            .into_iter()
            .map(|e| match e {
                Event::Key(k) => (k.code, k.modifiers),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            keys,
            [
                (KeyCode::Char('a'), KeyModifiers::NONE),
                (KeyCode::Char('c'), KeyModifiers::CONTROL),
                (KeyCode::Enter, KeyModifiers::NONE),
                (KeyCode::BackTab, KeyModifiers::SHIFT),
                (KeyCode::Esc, KeyModifiers::NONE),
            ]
        );
        assert_eq!(keys_of("ｱ日".as_bytes()).len(), 2);
    }

    #[test]
    fn verdicts() {
        assert_eq!(verdict(&[2, 2]), Answer::Narrow);
        assert_eq!(verdict(&[3, 3]), Answer::Wide);
        assert_eq!(verdict(&[2, 3]), Answer::Wide);
        assert_eq!(verdict(&[]), Answer::Silent);
    }

    #[test]
    fn the_request_prints_only_ambiguous_characters_and_clears_its_row() {
        let r = String::from_utf8(request()).unwrap();
        assert_eq!(r.matches("\x1b[6n").count(), PROBES.len());
        for p in PROBES {
            assert!(crate::tui::symbols::has_ambiguous(p), "{p}");
        }
        assert!(r.ends_with("\x1b[2K"));
    }

    #[cfg(unix)]
    #[test]
    fn a_pipe_that_never_answers_is_silent_within_the_limit() {
        use std::os::fd::{AsFd, FromRawFd, OwnedFd};
        let mut fds = [0; 2];
        // SAFETY: a fresh pipe; both ends are owned below.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        let (read, _write) =
            unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        let start = Instant::now();
        let mut out = Vec::new();
        let (answer, typed) = ask(read.as_fd(), &mut out, Duration::from_millis(150));
        assert_eq!(answer, Answer::Silent);
        assert!(typed.is_empty());
        assert!(start.elapsed() < Duration::from_secs(2));
        assert_eq!(out, request());
    }
}
