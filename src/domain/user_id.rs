//! ユーザーID: the permanent login name a member chooses in STEP4. It cannot be changed later.
//!
//! Rule: 8–13 ASCII letters and digits. Uniqueness (case-insensitive, and never equal to a temporary ID) is the
//! store's business; it reports [`UserIdError::Taken`].

use super::Msg;
use super::text::{self, impl_rule_error};

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 13;

/// Why a user ID was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserIdError {
    /// Nothing was entered.
    Empty,
    /// Fewer than [`MIN_LEN`] characters.
    TooShort,
    /// More than [`MAX_LEN`] characters.
    TooLong,
    /// A character other than an ASCII letter or digit.
    Chars,
    /// Already used by another account or a temporary ID (produced by the services layer).
    Taken,
}

impl UserIdError {
    pub fn msg(&self) -> Msg {
        let key = match self {
            UserIdError::Empty => "user_id.empty",
            UserIdError::TooShort => "user_id.too_short",
            UserIdError::TooLong => "user_id.too_long",
            UserIdError::Chars => "user_id.chars",
            UserIdError::Taken => "user_id.taken",
        };
        Msg::new(key).arg("min", MIN_LEN).arg("max", MAX_LEN)
    }
}

impl_rule_error!(UserIdError);

/// Validates a typed user ID and returns it normalised (NFKC, trimmed; case kept as typed).
///
/// Checks, in this order: not empty; only ASCII letters and digits; at least [`MIN_LEN`]; at most [`MAX_LEN`].
pub fn validate_user_id(input: &str) -> Result<String, UserIdError> {
    let normalized = text::normalize(input);
    let id = normalized.trim();
    if id.is_empty() {
        return Err(UserIdError::Empty);
    }
    if !id.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(UserIdError::Chars);
    }
    // Only ASCII from here on, so bytes are characters.
    if id.len() < MIN_LEN {
        return Err(UserIdError::TooShort);
    }
    if id.len() > MAX_LEN {
        return Err(UserIdError::TooLong);
    }
    Ok(id.to_owned())
}

/// The form used to compare user IDs (uniqueness is case-insensitive): ASCII lower case.
pub fn fold(id: &str) -> String {
    id.to_ascii_lowercase()
}

/// One-line description of the rule for the form ("8〜13文字の半角英数字").
pub fn rule_hint() -> Msg {
    Msg::new("user_id.hint")
        .arg("min", MIN_LEN)
        .arg("max", MAX_LEN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn valid_ids() {
        assert_eq!(validate_user_id("taro1980").as_deref(), Ok("taro1980"));
        assert_eq!(
            validate_user_id("  Yamada2024  ").as_deref(),
            Ok("Yamada2024")
        );
        assert_eq!(
            validate_user_id("ＴＡＲＯ１９８０").as_deref(),
            Ok("TARO1980")
        );
        assert_eq!(
            validate_user_id("abcdefghijklm").as_deref(),
            Ok("abcdefghijklm")
        );
        assert_eq!(validate_user_id("12345678").as_deref(), Ok("12345678"));
    }

    #[test]
    fn errors() {
        assert_eq!(validate_user_id(""), Err(UserIdError::Empty));
        assert_eq!(validate_user_id(" \u{3000}"), Err(UserIdError::Empty));
        assert_eq!(validate_user_id("taro"), Err(UserIdError::TooShort));
        assert_eq!(validate_user_id("taro198"), Err(UserIdError::TooShort));
        assert_eq!(
            validate_user_id("abcdefghijklmn"),
            Err(UserIdError::TooLong)
        );
        assert_eq!(validate_user_id("taro_1980"), Err(UserIdError::Chars));
        assert_eq!(validate_user_id("taro 1980"), Err(UserIdError::Chars));
        assert_eq!(validate_user_id("taro@example.jp"), Err(UserIdError::Chars));
        assert_eq!(
            validate_user_id("やまだたろう1980"),
            Err(UserIdError::Chars)
        );
        assert_eq!(validate_user_id("tarö19800"), Err(UserIdError::Chars));
    }

    #[test]
    fn messages_carry_the_limits() {
        for e in [
            UserIdError::Empty,
            UserIdError::TooShort,
            UserIdError::TooLong,
            UserIdError::Chars,
            UserIdError::Taken,
        ] {
            let m = e.msg();
            assert!(m.args.contains(&("min", "8".to_owned())));
            assert!(m.args.contains(&("max", "13".to_owned())));
        }
        assert_eq!(UserIdError::Taken.msg().key, "user_id.taken");
        assert!(UserIdError::TooShort.to_string().contains('8'));
        assert_eq!(rule_hint().key, "user_id.hint");
        assert_eq!(fold("TaRo1980"), "taro1980");
    }

    proptest! {
        #[test]
        fn accepted_ids_follow_the_rule(s in "\\PC{0,20}") {
            if let Ok(id) = validate_user_id(&s) {
                prop_assert!((MIN_LEN..=MAX_LEN).contains(&id.len()));
                prop_assert!(id.chars().all(|c| c.is_ascii_alphanumeric()));
            }
        }

        #[test]
        fn alphanumeric_ids_of_the_right_length_pass(s in "[A-Za-z0-9]{8,13}") {
            prop_assert_eq!(validate_user_id(&s), Ok(s.clone()));
        }
    }
}
