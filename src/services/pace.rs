//! Refusals answered at one pace (issue 8 item 4). Every refusal of the login form, of staff login and
//! of パスワードを忘れた方 already does the same work (one argon2id computation, the same reads and
//! writes), but "the same work" is only nearly the same time: the first call in a new process (each SSH
//! session and each kiosk start is one) reads other pages of the store for an unknown ID than for a
//! locked one, a refused code writes one row more than a locked ID, and so on, a few milliseconds that
//! tell a patient caller which refusal is which. So a refusal is answered no sooner than
//! `[lockout] refusal_floor_ms` after the request arrived, whatever it cost: what the caller can time is
//! the floor. A refusal whose work took longer than the floor (a machine busy with something else, a
//! slow disk) is answered at the next multiple of the floor, so that even then the caller learns only
//! that the floor was passed, never by how much (the quantised answer times of Askarov, Zhang and
//! Myers, "Predictive black-box mitigation of timing channels", CCS 2010); it is logged, once per
//! process, so that the operator raises the floor for that machine (`admin check` warns too).

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

    /// The answer is a refusal: waits until the floor has passed since the start, or the next multiple
    /// of it when the work took longer.
    pub(crate) fn hold(self, form: &'static str) {
        let spent = self.start.elapsed();
        if self.floor.is_zero() {
            return;
        }
        let floors = spent.as_nanos() / self.floor.as_nanos() + 1;
        let due = self.floor * u32::try_from(floors).unwrap_or(u32::MAX);
        std::thread::sleep(due.saturating_sub(spent));
        if floors > 1 && !OUTRAN.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                form,
                spent_ms = spent.as_millis() as u64,
                floor_ms = self.floor.as_millis() as u64,
                "a refusal took longer than [lockout] refusal_floor_ms and was answered at a multiple \
                 of it: raise refusal_floor_ms on this machine"
            );
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
    fn a_slow_refusal_is_answered_at_the_next_multiple_of_the_floor() {
        let start = Instant::now();
        let pace = Pace::start(100);
        std::thread::sleep(Duration::from_millis(150));
        pace.hold("test");
        assert!(
            start.elapsed() >= Duration::from_millis(200),
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
