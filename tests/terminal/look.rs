//! Issue 12: the ambiguous-width probe at start (`[kiosk] ambiguous_width = "auto"`, the default),
//! with the real binary in a pseudo-terminal whose answers the test writes itself: a terminal that
//! draws ambiguous characters two cells wide, one that draws them in one, and one that never answers.

use std::time::{Duration, Instant};

use crate::support::contains_bytes as contains;
use crate::support::pty::{Store, Term};

/// Where the kiosk's log files are, read whole.
fn logs(store: &Store) -> String {
    let mut all = String::new();
    for entry in std::fs::read_dir(store.path("logs")).expect("logs") {
        all.push_str(&std::fs::read_to_string(entry.expect("entry").path()).unwrap_or_default());
    }
    all
}

/// Starts the kiosk in a terminal that leaves cursor reports to the test, waits for the probe's two
/// requests and answers each with `columns` (or not at all). Returns the kiosk and when the
/// requests came.
fn start(store: &Store, columns: Option<[u16; 2]>) -> (Term, Instant) {
    let k = store.kiosk_in(&[], 80, 24, false);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let out = k.bytes_since(0);
        if out.windows(4).filter(|w| w == b"\x1b[6n").count() >= 2 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no cursor report was requested: {out:?}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let asked = Instant::now();
    let mut k = k;
    if let Some(cols) = columns {
        for c in cols {
            k.send(format!("\x1b[1;{c}R").as_bytes());
        }
    }
    (k, asked)
}

fn wait_log(store: &Store, text: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let l = logs(store);
        if l.contains(text) {
            return l;
        }
        assert!(
            Instant::now() < deadline,
            "the log never said {text:?}:\n{l}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_wide_answer_switches_to_safe_marks() {
    let store = Store::prepare("");
    // The rule `─` moved the cursor two columns, the letter `α` too.
    let (mut k, _) = start(&store, Some([3, 3]));
    let screen = k.wait_for(&["ユーザID", "[ ログイン ]"]);
    let lines: Vec<&str> = screen.lines().collect();
    assert_eq!(lines[2], "-".repeat(80), "{screen}");
    assert!(lines[23].starts_with(" Tab/\u{FFEC}:次へ"), "{screen}");
    let log = wait_log(&store, "terminal look");
    assert!(log.contains("ambiguous_width=\"wide\""), "{log}");
    assert!(log.contains("asked the terminal: wide"), "{log}");
    // After the probe, nothing ambiguous reaches this terminal.
    let out = String::from_utf8_lossy(&k.bytes_since(0)).into_owned();
    let after = out.rsplit("\x1b[6n").next().unwrap_or_default();
    for c in ['─', '↓', '↑', '│', '┌'] {
        assert!(!after.contains(c), "{c:?} was sent");
    }
    k.stop();
}

#[test]
fn a_narrow_answer_keeps_the_usual_marks() {
    let store = Store::prepare("");
    let (mut k, _) = start(&store, Some([2, 2]));
    let screen = k.wait_for(&["ユーザID", "[ ログイン ]"]);
    let lines: Vec<&str> = screen.lines().collect();
    assert_eq!(lines[2], "─".repeat(80), "{screen}");
    assert!(lines[23].starts_with(" Tab/↓:次へ"), "{screen}");
    let log = wait_log(&store, "terminal look");
    assert!(log.contains("asked the terminal: narrow"), "{log}");
    k.stop();
}

#[test]
fn no_answer_means_narrow_after_a_short_wait() {
    let store = Store::prepare("");
    let (mut k, asked) = start(&store, None);
    // Typed while the kiosk still waits for the answer: kept, not lost.
    k.type_text("AB");
    let screen = k.wait_for(&["ユーザID", "[ ログイン ]"]);
    let waited = asked.elapsed();
    assert!(
        screen.lines().nth(2) == Some("─".repeat(80).as_str()),
        "{screen}"
    );
    assert!(
        waited < Duration::from_secs(5),
        "the kiosk waited {waited:?}"
    );
    let log = wait_log(&store, "terminal look");
    assert!(log.contains("asked the terminal: no answer"), "{log}");
    assert!(log.contains("ambiguous_width=\"narrow\""), "{log}");
    // And what is typed now follows (the probe no longer reads the terminal).
    k.type_text("C");
    k.wait_for(&["[ABC"]);
    k.stop();
}

#[test]
fn a_configured_width_asks_nothing() {
    let store = Store::prepare("[kiosk]\nambiguous_width = \"wide\"\n");
    let mut k = store.kiosk_in(&[], 80, 24, false);
    let screen = k.wait_for(&["ユーザID", "[ ログイン ]"]);
    assert!(
        screen.lines().nth(2) == Some("-".repeat(80).as_str()),
        "{screen}"
    );
    assert!(!contains(&k.bytes_since(0), b"\x1b[6n"));
    k.stop();
}
