//! Postfix-style retry schedule for outgoing mail: the delay doubles from a floor to a cap; a message is given up
//! (marked dead) after too many attempts or when it is too old.

use time::{Duration, OffsetDateTime};

/// The retry rule (`[mail] retry_min_secs`, `retry_max_secs`, `max_attempts`, `max_age_hours`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Delay after the first failed attempt.
    pub min_secs: u64,
    /// Longest delay (never shorter than `min_secs`).
    pub max_secs: u64,
    /// Attempts after which a message is given up; 0 = no limit.
    pub max_attempts: u32,
    /// Age after which a message is given up; 0 = no limit.
    pub max_age_hours: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            min_secs: 300,
            max_secs: 4000,
            max_attempts: 20,
            max_age_hours: 120,
        }
    }
}

fn secs(s: u64) -> Duration {
    Duration::seconds(i64::try_from(s).unwrap_or(i64::MAX))
}

impl RetryPolicy {
    /// The delay before the next attempt, when `attempts` attempts (≥ 1) have failed so far: `min`, `2·min`,
    /// `4·min`, … capped at `max` (0 is treated as 1).
    pub fn delay_after(&self, attempts: u32) -> Duration {
        let cap = self.max_secs.max(self.min_secs);
        let factor = 1u64
            .checked_shl(attempts.saturating_sub(1))
            .unwrap_or(u64::MAX);
        secs(self.min_secs.saturating_mul(factor).min(cap))
    }

    /// When to try again after `attempts` failed attempts, the last one at `now`.
    pub fn next_attempt_at(&self, attempts: u32, now: OffsetDateTime) -> OffsetDateTime {
        now.checked_add(self.delay_after(attempts)).unwrap_or(now)
    }

    /// True when a message with `attempts` failed attempts, queued at `created_at`, should be given up at `now`:
    /// `attempts ≥ max_attempts`, or it is `max_age_hours` old or older.
    pub fn should_give_up(
        &self,
        attempts: u32,
        created_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> bool {
        let too_many = self.max_attempts > 0 && attempts >= self.max_attempts;
        let too_old = self.max_age_hours > 0
            && now - created_at >= secs(self.max_age_hours.saturating_mul(3600));
        too_many || too_old
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-04-01 10:00 UTC);

    #[test]
    fn default_schedule() {
        let p = RetryPolicy::default();
        let delays: Vec<i64> = (1..=7).map(|n| p.delay_after(n).whole_seconds()).collect();
        assert_eq!(delays, [300, 600, 1200, 2400, 4000, 4000, 4000]);
        assert_eq!(p.delay_after(0).whole_seconds(), 300);
        assert_eq!(p.delay_after(u32::MAX).whole_seconds(), 4000);
        assert_eq!(p.next_attempt_at(2, T0), T0 + Duration::minutes(10));
    }

    #[test]
    fn give_up() {
        let p = RetryPolicy::default();
        assert!(!p.should_give_up(1, T0, T0));
        assert!(!p.should_give_up(19, T0, T0 + Duration::hours(119)));
        assert!(p.should_give_up(20, T0, T0));
        assert!(p.should_give_up(1, T0, T0 + Duration::hours(120)));
        assert!(!p.should_give_up(1, T0, T0 + Duration::hours(120) - Duration::seconds(1)));
        let unlimited = RetryPolicy {
            max_attempts: 0,
            max_age_hours: 0,
            ..Default::default()
        };
        assert!(!unlimited.should_give_up(u32::MAX, T0, T0 + Duration::days(3650)));
    }

    #[test]
    fn misconfigured_cap_never_shortens_the_floor() {
        let p = RetryPolicy {
            min_secs: 600,
            max_secs: 60,
            ..Default::default()
        };
        assert_eq!(p.delay_after(1).whole_seconds(), 600);
        assert_eq!(p.delay_after(9).whole_seconds(), 600);
        let huge = RetryPolicy {
            min_secs: u64::MAX,
            max_secs: u64::MAX,
            ..Default::default()
        };
        assert!(huge.delay_after(3) > Duration::days(1));
        assert_eq!(huge.next_attempt_at(3, T0), T0);
    }

    proptest! {
        #[test]
        fn delays_are_monotonic_and_bounded(min in 1u64..10_000, extra in 0u64..100_000, n in 1u32..80) {
            let p = RetryPolicy { min_secs: min, max_secs: min + extra, ..Default::default() };
            let d = p.delay_after(n);
            prop_assert!(d >= secs(min));
            prop_assert!(d <= secs(min + extra));
            prop_assert!(p.delay_after(n + 1) >= d);
            prop_assert!(p.delay_after(n + 1) <= d * 2);
        }

        #[test]
        fn give_up_is_monotonic(attempts in 0u32..40, age_h in 0i64..300) {
            let p = RetryPolicy::default();
            let now = T0 + Duration::hours(age_h);
            if p.should_give_up(attempts, T0, now) {
                prop_assert!(p.should_give_up(attempts + 1, T0, now));
                prop_assert!(p.should_give_up(attempts, T0, now + Duration::hours(1)));
            }
        }
    }
}
