//! Account lockout after repeated failures (login and identity check share one counter per ID).
//!
//! `max_failures` consecutive failures lock the ID for `lock_minutes × 2^(previous locks)`, capped at
//! `max_lock_minutes`. A failure while locked changes nothing. Once a lock has expired the failure counter starts
//! again from 0, but the lock count is kept, so a repeat lock is longer. A success resets everything; a staff unlock
//! is `LockState::default()`.

use time::{Duration, OffsetDateTime};

/// The lockout rule (`[lockout]` in the configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockPolicy {
    /// Consecutive failures that lock; 0 disables locking.
    pub max_failures: u32,
    /// Length of the first lock.
    pub lock_minutes: u32,
    /// Longest lock (never shorter than `lock_minutes`).
    pub max_lock_minutes: u32,
}

impl Default for LockPolicy {
    fn default() -> Self {
        LockPolicy {
            max_failures: 5,
            lock_minutes: 15,
            max_lock_minutes: 1440,
        }
    }
}

/// The lock state of one ID, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LockState {
    /// Consecutive failures since the last success, lock or expired lock.
    pub failures: u32,
    /// Locks since the last success (or staff unlock).
    pub lock_count: u32,
    /// Set while (and after) a lock; locked while `now < locked_until`.
    pub locked_until: Option<OffsetDateTime>,
}

impl LockPolicy {
    /// True while a lock is in force.
    pub fn is_locked(&self, s: &LockState, now: OffsetDateTime) -> bool {
        s.locked_until.is_some_and(|until| now < until)
    }

    /// Time left on the lock, `None` when not locked.
    pub fn remaining(&self, s: &LockState, now: OffsetDateTime) -> Option<Duration> {
        s.locked_until
            .filter(|&until| now < until)
            .map(|until| until - now)
    }

    /// The state after a failed attempt at `now`.
    pub fn record_failure(&self, s: LockState, now: OffsetDateTime) -> LockState {
        if self.is_locked(&s, now) {
            return s;
        }
        let mut next = s;
        if next.locked_until.is_some() {
            // The previous lock has run out: count afresh, but remember it happened.
            next.failures = 0;
            next.locked_until = None;
        }
        next.failures = next.failures.saturating_add(1);
        if self.max_failures > 0 && next.failures >= self.max_failures {
            next.locked_until = now.checked_add(self.lock_duration(next.lock_count));
            next.lock_count = next.lock_count.saturating_add(1);
        }
        next
    }

    /// The state after a successful attempt. Callers check [`is_locked`](Self::is_locked) before verifying a
    /// password: a locked ID never gets as far as a success.
    pub fn record_success(&self, _s: LockState) -> LockState {
        LockState::default()
    }

    /// Length of the lock that follows `lock_count` earlier locks: `lock_minutes × 2^lock_count`, capped at
    /// `max_lock_minutes` (or `lock_minutes` if that is larger).
    pub fn lock_duration(&self, lock_count: u32) -> Duration {
        let base = u64::from(self.lock_minutes);
        let cap = u64::from(self.max_lock_minutes.max(self.lock_minutes));
        let factor = 1u64.checked_shl(lock_count).unwrap_or(u64::MAX);
        let minutes = base.saturating_mul(factor).min(cap);
        Duration::minutes(minutes as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-04-01 10:00 UTC);

    fn fail_n(p: &LockPolicy, mut s: LockState, n: u32, now: OffsetDateTime) -> LockState {
        for _ in 0..n {
            s = p.record_failure(s, now);
        }
        s
    }

    #[test]
    fn locks_after_five_failures() {
        let p = LockPolicy::default();
        let s = fail_n(&p, LockState::default(), 4, T0);
        assert_eq!(s.failures, 4);
        assert!(!p.is_locked(&s, T0));
        let s = p.record_failure(s, T0);
        assert!(p.is_locked(&s, T0));
        assert_eq!(s.lock_count, 1);
        assert_eq!(s.locked_until, Some(T0 + Duration::minutes(15)));
        assert_eq!(
            p.remaining(&s, T0 + Duration::minutes(5)),
            Some(Duration::minutes(10))
        );
        assert!(p.is_locked(&s, T0 + Duration::minutes(15) - Duration::seconds(1)));
        assert!(!p.is_locked(&s, T0 + Duration::minutes(15)));
        assert_eq!(p.remaining(&s, T0 + Duration::minutes(15)), None);
    }

    #[test]
    fn failures_while_locked_change_nothing() {
        let p = LockPolicy::default();
        let locked = fail_n(&p, LockState::default(), 5, T0);
        let later = T0 + Duration::minutes(10);
        assert_eq!(fail_n(&p, locked, 20, later), locked);
    }

    #[test]
    fn repeat_lock_is_longer_and_counter_restarts() {
        let p = LockPolicy::default();
        let s = fail_n(&p, LockState::default(), 5, T0);
        let t1 = T0 + Duration::minutes(16);
        let s = p.record_failure(s, t1);
        assert_eq!(s.failures, 1);
        assert_eq!(s.lock_count, 1);
        assert_eq!(s.locked_until, None);
        assert!(!p.is_locked(&s, t1));
        let s = fail_n(&p, s, 4, t1);
        assert_eq!(s.lock_count, 2);
        assert_eq!(s.locked_until, Some(t1 + Duration::minutes(30)));
    }

    #[test]
    fn success_and_unlock_reset() {
        let p = LockPolicy::default();
        let s = fail_n(&p, LockState::default(), 5, T0);
        let s = p.record_failure(s, T0 + Duration::hours(1));
        assert_eq!(p.record_success(s), LockState::default());
        let s = fail_n(&p, LockState::default(), 3, T0);
        assert_eq!(p.record_success(s), LockState::default());
        // after a success the next lock is short again
        let s = fail_n(&p, LockState::default(), 5, T0);
        let s = p.record_success(s);
        let s = fail_n(&p, s, 5, T0 + Duration::hours(1));
        assert_eq!(
            s.locked_until,
            Some(T0 + Duration::hours(1) + Duration::minutes(15))
        );
    }

    #[test]
    fn durations() {
        let p = LockPolicy::default();
        let mins: Vec<i64> = (0..10)
            .map(|n| p.lock_duration(n).whole_minutes())
            .collect();
        assert_eq!(mins, [15, 30, 60, 120, 240, 480, 960, 1440, 1440, 1440]);
        assert_eq!(p.lock_duration(u32::MAX).whole_minutes(), 1440);
        let odd = LockPolicy {
            max_failures: 3,
            lock_minutes: 60,
            max_lock_minutes: 10,
        };
        assert_eq!(odd.lock_duration(0).whole_minutes(), 60);
        assert_eq!(odd.lock_duration(5).whole_minutes(), 60);
    }

    #[test]
    fn zero_max_failures_disables_locking() {
        let p = LockPolicy {
            max_failures: 0,
            ..Default::default()
        };
        let s = fail_n(&p, LockState::default(), 100, T0);
        assert!(!p.is_locked(&s, T0));
        assert_eq!(s.failures, 100);
    }

    fn policy() -> impl Strategy<Value = LockPolicy> {
        (1u32..10, 1u32..120, 0u32..5000).prop_map(|(f, l, m)| LockPolicy {
            max_failures: f,
            lock_minutes: l,
            max_lock_minutes: m,
        })
    }

    proptest! {
        #[test]
        fn locked_exactly_after_max_failures(p in policy(), prior_locks in 0u32..5) {
            let mut s = LockState { lock_count: prior_locks, ..LockState::default() };
            for i in 1..=p.max_failures {
                prop_assert!(!p.is_locked(&s, T0));
                s = p.record_failure(s, T0);
                prop_assert_eq!(p.is_locked(&s, T0), i == p.max_failures);
            }
            prop_assert_eq!(s.lock_count, prior_locks + 1);
            prop_assert_eq!(s.locked_until, Some(T0 + p.lock_duration(prior_locks)));
        }

        #[test]
        fn durations_double_and_are_capped(p in policy(), n in 0u32..40) {
            let cap = Duration::minutes(i64::from(p.max_lock_minutes.max(p.lock_minutes)));
            let d = p.lock_duration(n);
            let next = p.lock_duration(n + 1);
            prop_assert!(d >= Duration::minutes(i64::from(p.lock_minutes)));
            prop_assert!(d <= cap);
            let doubled: Duration = d * 2;
            prop_assert_eq!(next, doubled.min(cap));
        }

        #[test]
        fn random_sequences_keep_invariants(
            p in policy(),
            steps in prop::collection::vec((any::<bool>(), 0i64..120), 0..60),
        ) {
            let mut s = LockState::default();
            let mut now = T0;
            let mut consecutive = 0u32;
            for (ok, advance) in steps {
                now += Duration::minutes(advance);
                if p.is_locked(&s, now) {
                    let before = s;
                    s = p.record_failure(s, now);
                    prop_assert_eq!(s, before);
                    continue;
                }
                if ok {
                    s = p.record_success(s);
                    consecutive = 0;
                } else {
                    if s.locked_until.is_some() { consecutive = 0; }
                    s = p.record_failure(s, now);
                    consecutive += 1;
                    prop_assert_eq!(p.is_locked(&s, now), consecutive == p.max_failures);
                    if consecutive == p.max_failures { consecutive = 0; }
                }
                prop_assert!(s.failures <= p.max_failures);
            }
        }
    }
}
