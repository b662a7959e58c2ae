//! Waiting for a condition that is not on a screen (a row in the store, a file, a process), with a
//! bound: the test fails saying what it waited for. The screen's waits are `pty::Term::wait_*`.
#![allow(dead_code)]

use std::time::{Duration, Instant};

/// Polls `cond` until it holds; panics with `what` (and `context()`) after `limit`.
#[track_caller]
pub fn until(what: &str, limit: Duration, mut cond: impl FnMut() -> bool) {
    let end = Instant::now() + limit;
    while !cond() {
        assert!(
            Instant::now() < end,
            "timed out after {limit:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}
