//! The runtime: takes the terminal, runs the event loop without busy polling, and restores the terminal
//! on every exit path (normal exit, signals, panic, a dropped connection).
//!
//! Threads: crossterm's blocking reader feeds key, mouse, paste and resize events into the app's channel;
//! a signal thread turns SIGTERM/SIGHUP/SIGINT/SIGQUIT into a clean exit; a watchdog waits (in `poll`,
//! without CPU) for the terminal to hang up, because crossterm's reader spins on a closed terminal.
//! The main thread sleeps in the channel until an event arrives or the idle countdown needs a frame.
//!
//! A terminal that vanishes (a closed window, a dropped SSH connection) ends the program with exit status
//! 0 and a log line, from every screen. Nothing may then write to the dead terminal through a path that
//! panics on failure: standard error points at /dev/null while the TUI owns the terminal (no stray
//! message can scribble over the screen either), ratatui's `Terminal` is never dropped while the cursor
//! it hid cannot be shown again ([`Screen`]; its `Drop` would print to stderr and panic), and the panic
//! hook writes without panicking. A panic inside a panic aborts the process, and an abort can leave a
//! core file with the passwords on the screen (see [`crate::process`]).

use std::io::{self, IsTerminal, Write};
use std::mem::ManuallyDrop;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Instant;

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use ratatui::crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::crossterm::{cursor, execute};
use ratatui::layout::Rect;

use super::app::{App, AppEvent};

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("kosmo-kiosk needs a terminal; run it in a terminal window, or over SSH with `ssh -t`")]
    NoTerminal,
    #[error("the terminal could not be set up: {0}")]
    Setup(io::Error),
}

/// Puts the terminal back: leaves raw mode and the alternate screen, stops mouse reporting, shows
/// the cursor, and gives standard error back. Safe to call more than once and from a panic hook.
pub fn restore() {
    let mut out = io::stdout();
    let _ = execute!(
        out,
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = disable_raw_mode();
    let _ = out.flush();
    give_back_stderr();
}

/// The terminal's standard error while the TUI runs (fd 2 then points at /dev/null); -1 when not
/// taken.
static SAVED_STDERR: AtomicI32 = AtomicI32::new(-1);

/// Points standard error at /dev/null while the TUI owns the terminal: nothing a library prints lands on
/// the screen, and nothing written to stderr fails (and panics) when the terminal has gone.
#[cfg(unix)]
fn take_stderr() {
    use std::os::fd::AsRawFd;
    let Ok(null) = std::fs::OpenOptions::new().write(true).open("/dev/null") else {
        return;
    };
    // SAFETY: dup and dup2 on descriptors this process owns; `null` stays open until after dup2.
    unsafe {
        let saved = libc::fcntl(libc::STDERR_FILENO, libc::F_DUPFD_CLOEXEC, 3);
        if saved < 0 {
            return;
        }
        if libc::dup2(null.as_raw_fd(), libc::STDERR_FILENO) < 0 {
            libc::close(saved);
            return;
        }
        SAVED_STDERR.store(saved, Ordering::SeqCst);
    }
}

#[cfg(not(unix))]
fn take_stderr() {}

/// Undoes [`take_stderr`].
fn give_back_stderr() {
    let saved = SAVED_STDERR.swap(-1, Ordering::SeqCst);
    #[cfg(unix)]
    if saved >= 0 {
        // SAFETY: `saved` is the descriptor take_stderr duplicated; it is closed once, here.
        unsafe {
            libc::dup2(saved, libc::STDERR_FILENO);
            libc::close(saved);
        }
    }
    let _ = saved;
}

type Term = Terminal<CrosstermBackend<io::Stdout>>;

/// ratatui's `Terminal`, dropped only when that is safe. Its `Drop` shows the cursor it hid and, when
/// that fails (the terminal has gone), prints "Failed to show the cursor" with `eprintln!`, which panics
/// when standard error is the dead terminal; a panic during another panic's unwinding aborts. So the
/// cursor is shown first, and when that fails the `Terminal` is leaked (the process is leaving; it owns
/// only buffers).
struct Screen(ManuallyDrop<Term>);

impl std::ops::Deref for Screen {
    type Target = Term;
    fn deref(&self) -> &Term {
        &self.0
    }
}

impl std::ops::DerefMut for Screen {
    fn deref_mut(&mut self) -> &mut Term {
        &mut self.0
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        if self.0.show_cursor().is_ok() {
            // SAFETY: dropped once, here; `self.0` is not used afterwards.
            unsafe { ManuallyDrop::drop(&mut self.0) };
        }
    }
}

fn setup() -> io::Result<Term> {
    enable_raw_mode()?;
    let mut out = io::stdout();
    execute!(
        out,
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste,
        Clear(ClearType::All),
        Clear(ClearType::Purge)
    )?;
    Terminal::new(CrosstermBackend::new(out))
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        tracing::error!(panic = %info, "panic; terminal restored");
        // The default hook prints to stderr, which is the terminal: keep it short and after restore,
        // and never with `eprintln!`, which panics (and a panic here aborts) when the terminal has gone.
        let _ = previous;
        let _ = writeln!(
            io::stderr().lock(),
            "kosmo-kiosk stopped after an internal error; details are in the log file."
        );
    }));
}

/// Input thread: crossterm's blocking reader.
fn spawn_input(tx: std::sync::mpsc::Sender<AppEvent>) {
    let _ = std::thread::Builder::new()
        .name("input".into())
        .spawn(move || {
            loop {
                match ratatui::crossterm::event::read() {
                    Ok(ev) => {
                        if tx.send(AppEvent::Term(ev)).is_err() {
                            return;
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "terminal input failed");
                        let _ = tx.send(AppEvent::TerminalLost);
                        return;
                    }
                }
            }
        });
}

/// Signal thread: SIGTERM, SIGHUP, SIGINT and SIGQUIT end the program cleanly.
fn spawn_signals(tx: std::sync::mpsc::Sender<AppEvent>) {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    match signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT, SIGQUIT]) {
        Ok(mut signals) => {
            let _ = std::thread::Builder::new()
                .name("signals".into())
                .spawn(move || {
                    if let Some(sig) = signals.forever().next() {
                        let _ = tx.send(AppEvent::Signal(sig));
                    }
                });
        }
        Err(e) => tracing::warn!(error = %e, "cannot watch signals"),
    }
}

/// Watchdog: waits in poll(2) for the terminal to hang up (POLLHUP/POLLERR), using no CPU meanwhile.
#[cfg(unix)]
fn spawn_hangup_watch(tx: std::sync::mpsc::Sender<AppEvent>) {
    use std::os::fd::AsRawFd;
    let fd = io::stdin().as_raw_fd();
    let _ = std::thread::Builder::new()
        .name("hangup".into())
        .spawn(move || {
            loop {
                let mut pfd = libc::pollfd {
                    fd,
                    events: 0,
                    revents: 0,
                };
                // SAFETY: one valid pollfd, infinite timeout.
                let n = unsafe { libc::poll(&mut pfd, 1, -1) };
                if n < 0 {
                    if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
                        continue;
                    }
                    return;
                }
                if pfd.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 {
                    let _ = tx.send(AppEvent::TerminalLost);
                    return;
                }
            }
        });
}

#[cfg(not(unix))]
fn spawn_hangup_watch(_tx: std::sync::mpsc::Sender<AppEvent>) {}

/// Runs the app full screen until it quits. The terminal is restored whatever happens.
pub fn run(mut app: App) -> Result<(), RunError> {
    if !io::stdin().is_terminal() || !io::stdout().is_terminal() {
        return Err(RunError::NoTerminal);
    }
    install_panic_hook();
    take_stderr();
    let mut terminal = match setup() {
        Ok(t) => Screen(ManuallyDrop::new(t)),
        Err(e) => {
            restore();
            return Err(RunError::Setup(e));
        }
    };
    // Before the input thread starts: the width probe reads the terminal's answer itself, and
    // hands over what was typed meanwhile.
    for ev in super::probe::start(&app.services.config.kiosk) {
        let _ = app.sender().send(AppEvent::Term(ev));
    }
    if let Ok(size) = terminal.size() {
        app.size = Rect::new(0, 0, size.width, size.height);
    }
    spawn_signals(app.sender());
    spawn_hangup_watch(app.sender());
    spawn_input(app.sender());
    tracing::info!(channel = app.opts.actor.channel.as_str(), "kiosk started");

    let mut redraw = true;
    // The frame on screen, so a frame that splits one of its wide characters mends the half the
    // terminal erases by itself (see `redraw`).
    let mut frames = super::redraw::Frames::default();
    while !app.quit {
        if app.clear_screen {
            // A new person starts here: nothing of the previous one stays in the scrollback.
            let _ = execute!(terminal.backend_mut(), Clear(ClearType::Purge));
            // Not `Terminal::clear`: it first asks the terminal where the cursor is, and the answer
            // goes to the input thread's reader, so it stalls for 2 s and then fails without
            // resetting ratatui's back buffer (the next frame then skips every unchanged cell of
            // the cleared screen). `resize` clears the screen and resets the buffer without asking.
            let area = terminal
                .size()
                .map(|s| Rect::new(0, 0, s.width, s.height))
                .unwrap_or(app.size);
            let _ = terminal.resize(area);
            frames.forget();
            app.clear_screen = false;
            redraw = true;
        }
        if redraw {
            if let Err(e) = frames.draw(&mut *terminal, |f| app.draw(f)) {
                tracing::info!(error = %e, "cannot draw (terminal gone?); leaving");
                break;
            }
        }
        // Sleep until an event arrives or the idle countdown needs a frame: no busy polling.
        redraw = match app.next_event(app.next_wakeup(Instant::now())) {
            Some(ev) => app.handle(ev),
            None => app.on_tick(Instant::now()),
        };
        // Apply everything already waiting (a paste, a burst of keys) before drawing once.
        while !app.quit {
            match app.next_event(Some(Instant::now())) {
                Some(ev) => redraw |= app.handle(ev),
                None => break,
            }
        }
    }
    // Let work in flight finish: a registration (one transaction either way), the audit row of a
    // session's end.
    app.wait_for_task(std::time::Duration::from_secs(5));
    // The terminal first (it may show the cursor), then raw mode and stderr.
    drop(terminal);
    restore();
    tracing::info!("kiosk stopped");
    Ok(())
}
