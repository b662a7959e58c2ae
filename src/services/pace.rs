//! Refusals answered at one pace (issue 8 item 4). Every refusal of the login form, of staff login and
//! of パスワードを忘れた方 already does the same work (one argon2id computation, the same reads and
//! writes), but "the same work" is only nearly the same time: the first call in a new process (each SSH
//! session and each kiosk start is one) reads other pages of the store for an unknown ID than for a
//! locked one, a refused code writes one row more than a locked ID, and so on, a few milliseconds that
//! tell a patient caller which refusal is which. So a refusal is answered no sooner than
//! `[lockout] refusal_floor_ms` after the request arrived, whatever it cost: what the caller can time is
//! the floor. A refusal whose work took longer than the floor is answered when done and logged, once per
//! process, so that the operator raises the floor for that machine.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// When a request to one of those forms arrived, and how long its refusal must take at least.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pace {
    start: Instant,
    floor: Duration,
}

/// Whether this process has already said that a refusal outran the floor.
static OUTRAN: AtomicBool = AtomicBool::new(false);

impl Pace {
    /// Starts the clock of a request: call it first, before any work.
    pub(crate) fn start(floor_ms: u32) -> Pace {
        Pace {
            start: Instant::now(),
            floor: Duration::from_millis(u64::from(floor_ms)),
        }
    }

    /// The answer is a refusal: waits until the floor has passed since the start.
    pub(crate) fn hold(self, form: &'static str) {
        let spent = self.start.elapsed();
        match self.floor.checked_sub(spent) {
            Some(rest) => std::thread::sleep(rest),
            None => {
                if !self.floor.is_zero() && !OUTRAN.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        form,
                        spent_ms = spent.as_millis() as u64,
                        floor_ms = self.floor.as_millis() as u64,
                        "a refusal took longer than [lockout] refusal_floor_ms, so its time can differ \
                         from other refusals: raise refusal_floor_ms on this machine"
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quick_refusal_waits_for_the_floor() {
        let pace = Pace::start(60);
        let start = Instant::now();
        pace.hold("test");
        assert!(
            start.elapsed() >= Duration::from_millis(55),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn a_slow_refusal_is_not_held_further() {
        let pace = Pace::start(100);
        std::thread::sleep(Duration::from_millis(150));
        let start = Instant::now();
        pace.hold("test");
        // Holding the floor again would take 100 ms.
        assert!(
            start.elapsed() < Duration::from_millis(90),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn a_zero_floor_holds_nothing() {
        let start = Instant::now();
        Pace::start(0).hold("test");
        assert!(start.elapsed() < Duration::from_millis(50));
    }
}
