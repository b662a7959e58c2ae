//! Staff (係員) rules: the staff ID, and the initial password the staff console generates for a member at an
//! assisted registration (staff never choose a member's password).

use rand::Rng;
use rand::seq::IndexedRandom;
use zeroize::Zeroizing;

use super::credential::TEMP_PASSWORD_ALPHABET;
use super::password::{PasswordContext, PasswordPolicy};
use super::text;

pub const STAFF_ID_MIN_LEN: usize = 3;
pub const STAFF_ID_MAX_LEN: usize = 32;

/// The length of a generated initial password when the policy allows it (clamped to the policy's range).
pub const INITIAL_PASSWORD_LEN: usize = 12;

/// Why a staff ID was rejected (said in English: only the command line asks for one).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StaffIdError {
    #[error("the staff ID is empty")]
    Empty,
    #[error("a staff ID has {STAFF_ID_MIN_LEN} to {STAFF_ID_MAX_LEN} characters")]
    Length,
    /// Other characters than ASCII letters, digits, `.`, `_` and `-`, or not starting with a letter or digit.
    #[error(
        "a staff ID uses only ASCII letters, digits, '.', '_' and '-', and starts with a letter or digit"
    )]
    Chars,
}

/// Validates a staff ID and returns it normalised (NFKC, trimmed, case kept): 3–32 ASCII letters, digits,
/// `.`, `_` or `-`, starting with a letter or digit. Staff IDs compare case-insensitively in the store.
pub fn validate_staff_id(input: &str) -> Result<String, StaffIdError> {
    let normalized = text::normalize(input);
    let id = normalized.trim();
    if id.is_empty() {
        return Err(StaffIdError::Empty);
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if !id.chars().all(allowed) || !id.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err(StaffIdError::Chars);
    }
    if !(STAFF_ID_MIN_LEN..=STAFF_ID_MAX_LEN).contains(&id.len()) {
        return Err(StaffIdError::Length);
    }
    Ok(id.to_string())
}

/// The length of an initial password under `policy`: [`INITIAL_PASSWORD_LEN`] within `min_len..=max_len`.
pub fn initial_password_len(policy: &PasswordPolicy) -> usize {
    INITIAL_PASSWORD_LEN.clamp(
        policy.min_len.max(1),
        policy.max_len.max(policy.min_len).max(1),
    )
}

/// A random initial password that satisfies `policy` in context `ctx` (the new user ID, the temporary
/// password): lower-case letters and digits without look-alikes (it is read aloud or copied from the
/// screen), so it needs no shift key.
///
/// The RNG comes from the caller (the OS RNG in production). Returns `None` only when the policy cannot be met
/// with this alphabet within a bounded number of draws (a nonsensical policy; the configuration loader
/// refuses those).
pub fn generate_initial_password<R: Rng + ?Sized>(
    rng: &mut R,
    policy: &PasswordPolicy,
    ctx: &PasswordContext<'_>,
) -> Option<Zeroizing<String>> {
    let len = initial_password_len(policy);
    let symbols = TEMP_PASSWORD_ALPHABET.as_bytes();
    for _ in 0..1000 {
        let candidate: Zeroizing<String> = Zeroizing::new(
            (0..len)
                .map(|_| char::from(*symbols.choose(rng).expect("alphabet is not empty")))
                .collect(),
        );
        if policy.check(&candidate, ctx).is_ok() {
            return Some(candidate);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn uid(id: &str) -> PasswordContext<'_> {
        PasswordContext {
            user_id: Some(id),
            ..Default::default()
        }
    }

    #[test]
    fn staff_ids() {
        assert_eq!(validate_staff_id(" alice "), Ok("alice".into()));
        assert_eq!(validate_staff_id("ｓａｔｏ．ｋ"), Ok("sato.k".into()));
        assert_eq!(validate_staff_id("k-01_b"), Ok("k-01_b".into()));
        assert_eq!(validate_staff_id(""), Err(StaffIdError::Empty));
        assert_eq!(validate_staff_id("ab"), Err(StaffIdError::Length));
        assert_eq!(
            validate_staff_id(&"a".repeat(33)),
            Err(StaffIdError::Length)
        );
        assert_eq!(validate_staff_id("-abc"), Err(StaffIdError::Chars));
        assert_eq!(validate_staff_id("a b c"), Err(StaffIdError::Chars));
        assert_eq!(validate_staff_id("佐藤さん"), Err(StaffIdError::Chars));
        assert_eq!(validate_staff_id("a\u{1b}[31m"), Err(StaffIdError::Chars));
    }

    #[test]
    fn initial_password_meets_default_and_nist_policies() {
        let mut rng = StdRng::seed_from_u64(7);
        let p = PasswordPolicy::default();
        let pw = generate_initial_password(&mut rng, &p, &uid("tanaka1972")).unwrap();
        assert_eq!(pw.len(), 12);
        assert!(p.check(&pw, &PasswordContext::default()).is_ok());
        let nist = PasswordPolicy::nist();
        let pw = generate_initial_password(&mut rng, &nist, &uid("tanaka1972")).unwrap();
        assert_eq!(pw.len(), 15);
        assert!(nist.check(&pw, &PasswordContext::default()).is_ok());
        let short = PasswordPolicy {
            min_len: 6,
            max_len: 8,
            ..PasswordPolicy::default()
        };
        assert_eq!(initial_password_len(&short), 8);
    }

    #[test]
    fn initial_passwords_differ() {
        let mut rng = StdRng::seed_from_u64(1);
        let p = PasswordPolicy::default();
        let a = generate_initial_password(&mut rng, &p, &uid("abcdefgh")).unwrap();
        let b = generate_initial_password(&mut rng, &p, &uid("abcdefgh")).unwrap();
        assert_ne!(*a, *b);
    }

    proptest! {
        #[test]
        fn generated_passwords_always_pass_the_policy(seed in any::<u64>(), min in 8usize..30, extra in 0usize..10) {
            let policy = PasswordPolicy { min_len: min, max_len: min + extra, ..PasswordPolicy::default() };
            let mut rng = StdRng::seed_from_u64(seed);
            let ctx = uid("user12345");
            let pw = generate_initial_password(&mut rng, &policy, &ctx).unwrap();
            prop_assert!(policy.check(&pw, &ctx).is_ok());
            prop_assert!(pw.chars().all(|c| TEMP_PASSWORD_ALPHABET.contains(c)));
        }
    }
}
