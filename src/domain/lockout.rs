//! Account lockout after repeated failures. Every way of proving something about one ID (its password,
//! the household's identity at STEP3, a mailed reset code) counts toward one lock per ID.
//!
//! `max_failures` consecutive failures, whatever was being proved, lock the ID for
//! `lock_minutes × 2^(previous locks)`, capped at `max_lock_minutes`. A failure while locked changes nothing.
//! Once a lock has expired the failure counters start again from 0, but the lock count is kept, so a repeat
//! lock is longer. A success clears only the failures of what it proved ([`Proof`]): a right postcard
//! password does not forgive wrong birth dates, so that logging in again never resets the identity check's
//! count. A staff unlock is `LockState::default()`.
//!
//! Parallel attempts (several kiosks, several SSH sessions) are counted **before** they are verified
//! ([`LockPolicy::attempt`], inside the write transaction that reads the count): an attempt that arrives
//! while the count is at the limit is refused without being verified, and at most `max_failures` wrong
//! guesses are ever verified before the lock. An attempt that turns out right gives its count back
//! ([`LockPolicy::succeeded`]), lifting the lock it set itself, if it set one.

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

/// What an attempt tries to prove about an ID. A success clears the failures of its own kind only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    /// A password: the postcard's, the account's (login, the current password at パスワード変更) or a
    /// staff member's.
    Password,
    /// STEP3: the household's insurer number and a member's birth date.
    Identity,
    /// パスワードを忘れた方: the registered address and the mailed one-time code.
    Reset,
}

/// The lock state of one ID, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LockState {
    /// Consecutive failures of every kind since the last lock or expired lock (less those a success
    /// cleared); the lock decision counts these.
    pub failures: u32,
    /// The part of `failures` that were identity checks.
    pub identity_failures: u32,
    /// The part of `failures` that were reset requests or codes.
    pub reset_failures: u32,
    /// Locks since the last time every count was cleared (or staff unlock).
    pub lock_count: u32,
    /// Set while (and after) a lock; locked while `now < locked_until`.
    pub locked_until: Option<OffsetDateTime>,
}

impl LockState {
    /// The failures of one kind.
    pub fn failures_of(&self, proof: Proof) -> u32 {
        match proof {
            Proof::Identity => self.identity_failures,
            Proof::Reset => self.reset_failures,
            Proof::Password => self
                .failures
                .saturating_sub(self.identity_failures)
                .saturating_sub(self.reset_failures),
        }
    }
}

/// The outcome of [`LockPolicy::attempt`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Locked (or at the limit): refuse without verifying.
    Refused,
    /// Counted as a failure in advance; verify, then report with [`LockPolicy::succeeded`] or keep it.
    Counted(Counted),
}

/// An attempt counted before it was verified: the state before and after counting it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted {
    pub proof: Proof,
    pub before: LockState,
    pub after: LockState,
}

impl Counted {
    /// True when this attempt, being wrong, is the one that locked the ID.
    pub fn locked_it(&self, policy: &LockPolicy, now: OffsetDateTime) -> bool {
        !policy.is_locked(&self.before, now) && policy.is_locked(&self.after, now)
    }

    /// Attempts left before the lock (0 when this one locked it).
    pub fn remaining(&self, policy: &LockPolicy) -> u32 {
        policy.max_failures.saturating_sub(self.after.failures)
    }
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

    /// The state with an expired lock's counts cleared (the lock count is kept).
    fn after_expiry(&self, s: LockState, now: OffsetDateTime) -> LockState {
        match s.locked_until {
            Some(until) if now >= until => LockState {
                lock_count: s.lock_count,
                ..LockState::default()
            },
            _ => s,
        }
    }

    /// The state after a failed attempt to prove `proof` at `now`.
    pub fn record_failure(&self, s: LockState, proof: Proof, now: OffsetDateTime) -> LockState {
        if self.is_locked(&s, now) {
            return s;
        }
        let mut next = self.after_expiry(s, now);
        next.failures = next.failures.saturating_add(1);
        match proof {
            Proof::Identity => next.identity_failures = next.identity_failures.saturating_add(1),
            Proof::Reset => next.reset_failures = next.reset_failures.saturating_add(1),
            Proof::Password => {}
        }
        if self.max_failures > 0 && next.failures >= self.max_failures {
            next.locked_until = now.checked_add(self.lock_duration(next.lock_count));
            next.lock_count = next.lock_count.saturating_add(1);
        }
        next
    }

    /// The state after a successful attempt to prove `proof`: its failures are forgiven, the others'
    /// are not. When no failure is left at all, the lock count starts again too. Callers check
    /// [`is_locked`](Self::is_locked) before verifying: a locked ID never gets as far as a success.
    pub fn record_success(&self, s: LockState, proof: Proof, now: OffsetDateTime) -> LockState {
        let mut next = self.after_expiry(s, now);
        let forgiven = next.failures_of(proof);
        next.failures = next.failures.saturating_sub(forgiven);
        match proof {
            Proof::Identity => next.identity_failures = 0,
            Proof::Reset => next.reset_failures = 0,
            Proof::Password => {}
        }
        if next.failures == 0 && !self.is_locked(&next, now) {
            return LockState::default();
        }
        next
    }

    /// An attempt about to be verified: refused when the ID is locked, otherwise counted now as a
    /// failure (locking the ID if it is the last one allowed), so that attempts running in parallel
    /// see it. Take this decision inside the write transaction that stores the result.
    pub fn attempt(&self, s: LockState, proof: Proof, now: OffsetDateTime) -> Gate {
        if self.is_locked(&s, now) {
            return Gate::Refused;
        }
        Gate::Counted(Counted {
            proof,
            before: s,
            after: self.record_failure(s, proof, now),
        })
    }

    /// The state after a counted attempt turned out right, given the state now (other attempts may have
    /// been counted meanwhile): its own count is given back with the rest of its kind's failures, and the
    /// lock it set itself (still the same lock) is lifted.
    pub fn succeeded(
        &self,
        current: LockState,
        counted: &Counted,
        now: OffsetDateTime,
    ) -> LockState {
        let mut s = current;
        if counted.locked_it(self, now) && s.locked_until == counted.after.locked_until {
            s.locked_until = counted.before.locked_until.filter(|&until| now < until);
            s.lock_count = s.lock_count.saturating_sub(1);
        }
        self.record_success(s, counted.proof, now)
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
            s = p.record_failure(s, Proof::Password, now);
        }
        s
    }

    #[test]
    fn locks_after_five_failures() {
        let p = LockPolicy::default();
        let s = fail_n(&p, LockState::default(), 4, T0);
        assert_eq!(s.failures, 4);
        assert!(!p.is_locked(&s, T0));
        let s = p.record_failure(s, Proof::Password, T0);
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
        let s = p.record_failure(s, Proof::Password, t1);
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
        let s = p.record_failure(s, Proof::Password, T0 + Duration::hours(1));
        assert_eq!(
            p.record_success(s, Proof::Password, T0 + Duration::hours(2)),
            LockState::default()
        );
        let s = fail_n(&p, LockState::default(), 3, T0);
        assert_eq!(
            p.record_success(s, Proof::Password, T0 + Duration::hours(2)),
            LockState::default()
        );
        // after a success the next lock is short again
        let s = fail_n(&p, LockState::default(), 5, T0);
        let s = p.record_success(s, Proof::Password, T0 + Duration::hours(2));
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

    #[test]
    fn a_success_forgives_only_its_own_kind() {
        let p = LockPolicy::default();
        // Four wrong birth dates, then the right postcard password (a fresh login): still four.
        let mut s = LockState::default();
        for _ in 0..4 {
            s = p.record_failure(s, Proof::Identity, T0);
        }
        let s = p.record_success(s, Proof::Password, T0);
        assert_eq!((s.failures, s.identity_failures), (4, 4));
        // One more wrong birth date locks.
        let locked = p.record_failure(s, Proof::Identity, T0);
        assert!(p.is_locked(&locked, T0));
        // The identity check itself succeeding forgives them.
        assert_eq!(
            p.record_success(s, Proof::Identity, T0),
            LockState::default()
        );
        // Mixed: two passwords, one code, one identity; a right password forgives the two passwords.
        let mut s = LockState::default();
        for proof in [
            Proof::Password,
            Proof::Reset,
            Proof::Password,
            Proof::Identity,
        ] {
            s = p.record_failure(s, proof, T0);
        }
        assert_eq!(s.failures_of(Proof::Password), 2);
        let s = p.record_success(s, Proof::Password, T0);
        assert_eq!(
            (s.failures, s.identity_failures, s.reset_failures),
            (2, 1, 1)
        );
        let s = p.record_success(s, Proof::Reset, T0);
        assert_eq!((s.failures, s.identity_failures), (1, 1));
    }

    #[test]
    fn an_expired_lock_clears_every_kind() {
        let p = LockPolicy::default();
        let mut s = LockState::default();
        for _ in 0..5 {
            s = p.record_failure(s, Proof::Identity, T0);
        }
        let later = T0 + Duration::minutes(16);
        let s = p.record_failure(s, Proof::Password, later);
        assert_eq!((s.failures, s.identity_failures, s.lock_count), (1, 0, 1));
    }

    #[test]
    fn an_attempt_at_the_limit_is_refused_unverified() {
        let p = LockPolicy::default();
        let mut s = LockState::default();
        let mut counted = Vec::new();
        // Eight attempts arrive before any is verified: five are counted, three refused.
        for _ in 0..8 {
            match p.attempt(s, Proof::Password, T0) {
                Gate::Refused => {}
                Gate::Counted(c) => {
                    s = c.after;
                    counted.push(c);
                }
            }
        }
        assert_eq!(counted.len(), 5);
        assert!(counted[4].locked_it(&p, T0));
        assert_eq!(counted[3].remaining(&p), 1);
    }

    #[test]
    fn a_right_attempt_gives_back_its_count_and_the_lock_it_set() {
        let p = LockPolicy::default();
        let mut s = LockState::default();
        for _ in 0..4 {
            s = p.record_failure(s, Proof::Identity, T0);
        }
        // The fifth attempt (a password) locks provisionally; it was right: lock lifted, the
        // identity failures stay.
        let Gate::Counted(c) = p.attempt(s, Proof::Password, T0) else {
            panic!("refused")
        };
        assert!(p.is_locked(&c.after, T0));
        let s = p.succeeded(c.after, &c, T0);
        assert!(!p.is_locked(&s, T0));
        assert_eq!((s.failures, s.identity_failures, s.lock_count), (4, 4, 0));
        // A lock set by someone else's attempt stays.
        let mut s = LockState::default();
        for _ in 0..3 {
            s = p.record_failure(s, Proof::Password, T0);
        }
        let Gate::Counted(mine) = p.attempt(s, Proof::Password, T0) else {
            panic!("refused")
        };
        let Gate::Counted(theirs) = p.attempt(mine.after, Proof::Password, T0) else {
            panic!("refused")
        };
        assert!(theirs.locked_it(&p, T0));
        let s = p.succeeded(theirs.after, &mine, T0);
        assert!(p.is_locked(&s, T0));
        // ... until it too turns out right.
        let s = p.succeeded(s, &theirs, T0);
        assert!(!p.is_locked(&s, T0));
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
                s = p.record_failure(s, Proof::Password, T0);
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

        /// Any interleaving of counting and settling parallel attempts (none right): no more than
        /// `max_failures` wrong guesses are ever verified before the lock.
        #[test]
        fn parallel_attempts_never_verify_more_than_the_limit(
            p in policy(),
            order in prop::collection::vec(any::<bool>(), 1..80),
        ) {
            let mut s = LockState::default();
            let mut in_flight: Vec<Counted> = Vec::new();
            let mut verified = 0u32;
            for begin in order {
                if begin || in_flight.is_empty() {
                    if let Gate::Counted(c) = p.attempt(s, Proof::Password, T0) {
                        s = c.after;
                        in_flight.push(c);
                    }
                } else {
                    in_flight.remove(0);
                    verified += 1;
                }
            }
            verified += in_flight.len() as u32;
            prop_assert!(verified <= p.max_failures, "{} verified", verified);
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
                    s = p.record_failure(s, Proof::Password, now);
                    prop_assert_eq!(s, before);
                    continue;
                }
                if ok {
                    s = p.record_success(s, Proof::Password, now);
                    consecutive = 0;
                } else {
                    if s.locked_until.is_some() { consecutive = 0; }
                    s = p.record_failure(s, Proof::Password, now);
                    consecutive += 1;
                    prop_assert_eq!(p.is_locked(&s, now), consecutive == p.max_failures);
                    if consecutive == p.max_failures { consecutive = 0; }
                }
                prop_assert!(s.failures <= p.max_failures);
            }
        }
    }
}
