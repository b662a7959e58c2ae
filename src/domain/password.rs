//! パスワード: the configurable password policy, the confirmation check and the common-password list.
//!
//! The default policy is the real site's: 8–20 printable ASCII characters with at least one letter and one digit,
//! changed every 1095 days. An operator can move to a NIST SP 800-63B style policy (e.g. 15–64 characters, no
//! character classes, no expiry: `max_age_days = 0`). The rules, in the order they are checked (the first that
//! fails is reported, so the member learns exactly what to fix):
//!
//! 1. not empty;
//! 2. only printable, visible ASCII (0x21–0x7E: letters, digits, symbols; no spaces, no full-width characters);
//! 3. length `min_len..=max_len` characters;
//! 4. at least one letter (if `require_letter`);
//! 5. at least one digit (if `require_digit`);
//! 6. neither equal to nor containing the user ID (case-insensitive);
//! 7. not the temporary password (case-insensitive);
//! 8. not the current password (exact);
//! 9. not in the list of common passwords (case-insensitive).
//!
//! The password is checked exactly as given: the caller normalises typed input first ([`super::text::normalize`]).

use std::collections::HashSet;
use std::sync::LazyLock;

use time::{Duration, OffsetDateTime};

use super::Msg;
use super::text::impl_rule_error;

/// The password rule in force (the `[password]` table of the configuration file).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct PasswordPolicy {
    pub min_len: usize,
    pub max_len: usize,
    pub require_letter: bool,
    pub require_digit: bool,
    /// Days after which a password must be changed; 0 = never.
    pub max_age_days: u32,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_len: 8,
            max_len: 20,
            require_letter: true,
            require_digit: true,
            max_age_days: 1095,
        }
    }
}

/// What the new password is compared against. Every field is optional; an empty string counts as absent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PasswordContext<'a> {
    /// The (new or existing) user ID of the account.
    pub user_id: Option<&'a str>,
    /// The temporary password the member logged in with (registration).
    pub temporary: Option<&'a str>,
    /// The current password (password change).
    pub current: Option<&'a str>,
}

/// Why a password (or its confirmation) was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordError {
    Empty,
    TooShort {
        min: usize,
    },
    TooLong {
        max: usize,
    },
    /// A character outside printable visible ASCII (0x21–0x7E): a space, a full-width or other non-ASCII character.
    InvalidChar,
    NeedLetter,
    NeedDigit,
    ContainsUserId,
    SameAsTemporary,
    SameAsCurrent,
    TooCommon,
    /// The confirmation field is empty.
    ConfirmEmpty,
    /// The confirmation differs from the password.
    Mismatch,
}

impl PasswordError {
    pub fn msg(&self) -> Msg {
        match self {
            PasswordError::Empty => Msg::new("password.empty"),
            PasswordError::TooShort { min } => Msg::new("password.too_short").arg("min", min),
            PasswordError::TooLong { max } => Msg::new("password.too_long").arg("max", max),
            PasswordError::InvalidChar => Msg::new("password.invalid_char"),
            PasswordError::NeedLetter => Msg::new("password.need_letter"),
            PasswordError::NeedDigit => Msg::new("password.need_digit"),
            PasswordError::ContainsUserId => Msg::new("password.contains_user_id"),
            PasswordError::SameAsTemporary => Msg::new("password.same_as_temporary"),
            PasswordError::SameAsCurrent => Msg::new("password.same_as_current"),
            PasswordError::TooCommon => Msg::new("password.too_common"),
            PasswordError::ConfirmEmpty => Msg::new("password.confirm_empty"),
            PasswordError::Mismatch => Msg::new("password.mismatch"),
        }
    }
}

impl_rule_error!(PasswordError);

/// True for the characters a password may contain: printable, visible ASCII 0x21–0x7E.
pub fn is_allowed_char(c: char) -> bool {
    ('\u{21}'..='\u{7E}').contains(&c)
}

fn present(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.is_empty())
}

impl PasswordPolicy {
    /// The policy used by NIST SP 800-63B style configurations: 15–64 characters, no classes, no expiry.
    pub fn nist() -> Self {
        PasswordPolicy {
            min_len: 15,
            max_len: 64,
            require_letter: false,
            require_digit: false,
            max_age_days: 0,
        }
    }

    /// Checks that the policy itself makes sense (for the configuration loader): a plain English sentence if not.
    pub fn validate(&self) -> Result<(), String> {
        if self.min_len == 0 {
            return Err("password.min_len must be at least 1".to_owned());
        }
        if self.max_len < self.min_len {
            return Err(format!(
                "password.max_len ({}) must not be smaller than password.min_len ({})",
                self.max_len, self.min_len
            ));
        }
        let needed = usize::from(self.require_letter) + usize::from(self.require_digit);
        if self.max_len < needed {
            return Err(format!(
                "password.max_len ({}) leaves no room for the required letter and digit",
                self.max_len
            ));
        }
        Ok(())
    }

    /// Checks a new password against the policy and the context; reports the first rule that fails.
    pub fn check(&self, password: &str, ctx: &PasswordContext<'_>) -> Result<(), PasswordError> {
        if password.is_empty() {
            return Err(PasswordError::Empty);
        }
        if !password.chars().all(is_allowed_char) {
            return Err(PasswordError::InvalidChar);
        }
        // ASCII only from here on: bytes are characters.
        let len = password.len();
        if len < self.min_len {
            return Err(PasswordError::TooShort { min: self.min_len });
        }
        if len > self.max_len {
            return Err(PasswordError::TooLong { max: self.max_len });
        }
        if self.require_letter && !password.bytes().any(|b| b.is_ascii_alphabetic()) {
            return Err(PasswordError::NeedLetter);
        }
        if self.require_digit && !password.bytes().any(|b| b.is_ascii_digit()) {
            return Err(PasswordError::NeedDigit);
        }
        let lower = password.to_lowercase();
        if let Some(user_id) = present(ctx.user_id) {
            if lower.contains(&user_id.to_lowercase()) {
                return Err(PasswordError::ContainsUserId);
            }
        }
        if let Some(temp) = present(ctx.temporary) {
            if lower == temp.to_lowercase() {
                return Err(PasswordError::SameAsTemporary);
            }
        }
        if present(ctx.current) == Some(password) {
            return Err(PasswordError::SameAsCurrent);
        }
        if is_common(password) {
            return Err(PasswordError::TooCommon);
        }
        Ok(())
    }

    /// The moment a password set at `set_at` expires (`None` when `max_age_days` is 0).
    pub fn expires_at(&self, set_at: OffsetDateTime) -> Option<OffsetDateTime> {
        if self.max_age_days == 0 {
            return None;
        }
        set_at.checked_add(Duration::days(i64::from(self.max_age_days)))
    }

    /// True once the password is `max_age_days` days old or older (never when `max_age_days` is 0).
    pub fn is_expired(&self, set_at: OffsetDateTime, now: OffsetDateTime) -> bool {
        self.expires_at(set_at).is_some_and(|at| now >= at)
    }

    /// One line describing the active rule, for the form: "半角8〜20文字、英字と数字を各1文字以上".
    pub fn rule_hint(&self) -> Msg {
        let key = match (self.require_letter, self.require_digit) {
            (true, true) => "password.hint.letter_digit",
            (true, false) => "password.hint.letter",
            (false, true) => "password.hint.digit",
            (false, false) => "password.hint.plain",
        };
        Msg::new(key)
            .arg("min", self.min_len)
            .arg("max", self.max_len)
    }
}

/// Checks the confirmation field: not empty, and exactly equal to the password.
pub fn check_confirm(password: &str, confirm: &str) -> Result<(), PasswordError> {
    if confirm.is_empty() {
        return Err(PasswordError::ConfirmEmpty);
    }
    if password != confirm {
        return Err(PasswordError::Mismatch);
    }
    Ok(())
}

const COMMON_PASSWORDS_SOURCE: &str = include_str!("../../assets/common-passwords.txt");

static COMMON_PASSWORDS: LazyLock<HashSet<String>> =
    LazyLock::new(|| common_passwords().map(str::to_lowercase).collect());

/// The entries of `assets/common-passwords.txt` (comments and blank lines skipped).
pub fn common_passwords() -> impl Iterator<Item = &'static str> {
    COMMON_PASSWORDS_SOURCE
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// True if `pw` is on the list of common passwords (case-insensitive).
pub fn is_common(pw: &str) -> bool {
    COMMON_PASSWORDS.contains(&pw.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;

    fn check(pw: &str) -> Result<(), PasswordError> {
        PasswordPolicy::default().check(pw, &PasswordContext::default())
    }

    #[test]
    fn default_policy_values() {
        let p = PasswordPolicy::default();
        assert_eq!(
            (
                p.min_len,
                p.max_len,
                p.require_letter,
                p.require_digit,
                p.max_age_days
            ),
            (8, 20, true, true, 1095)
        );
        assert_eq!(p.validate(), Ok(()));
        assert_eq!(PasswordPolicy::nist().validate(), Ok(()));
    }

    #[test]
    fn serde_defaults_fill_missing_keys() {
        let p: PasswordPolicy = toml::from_str("min_len = 12").unwrap();
        assert_eq!(
            p,
            PasswordPolicy {
                min_len: 12,
                ..PasswordPolicy::default()
            }
        );
        let p: PasswordPolicy = toml::from_str("").unwrap();
        assert_eq!(p, PasswordPolicy::default());
    }

    #[test]
    fn invalid_policies() {
        assert!(
            PasswordPolicy {
                min_len: 0,
                ..Default::default()
            }
            .validate()
            .is_err()
        );
        assert!(
            PasswordPolicy {
                min_len: 10,
                max_len: 9,
                ..Default::default()
            }
            .validate()
            .is_err()
        );
        assert!(
            PasswordPolicy {
                min_len: 1,
                max_len: 1,
                ..Default::default()
            }
            .validate()
            .is_err()
        );
    }

    #[test]
    fn accepted() {
        assert_eq!(check("Kosmo2ab9"), Ok(()));
        assert_eq!(check("x7#Lm!q2"), Ok(()));
        assert_eq!(check("a1234567890123456789"), Ok(()));
    }

    #[test]
    fn each_rule_fails_with_its_error() {
        assert_eq!(check(""), Err(PasswordError::Empty));
        assert_eq!(check("kosmo 2ab9"), Err(PasswordError::InvalidChar));
        assert_eq!(check("ｋｏｓｍｏ２ａｂ９"), Err(PasswordError::InvalidChar));
        assert_eq!(check("kosmo2ab9\u{1b}"), Err(PasswordError::InvalidChar));
        assert_eq!(check("kösmo2ab9"), Err(PasswordError::InvalidChar));
        assert_eq!(check("ab3"), Err(PasswordError::TooShort { min: 8 }));
        assert_eq!(check("a1b2c3d"), Err(PasswordError::TooShort { min: 8 }));
        assert_eq!(
            check("a12345678901234567890"),
            Err(PasswordError::TooLong { max: 20 })
        );
        assert_eq!(check("93847261"), Err(PasswordError::NeedLetter));
        assert_eq!(check("#$%&!?+-"), Err(PasswordError::NeedLetter));
        assert_eq!(check("kosmoweb"), Err(PasswordError::NeedDigit));
        assert_eq!(check("password1"), Err(PasswordError::TooCommon));
        assert_eq!(check("PassWord1"), Err(PasswordError::TooCommon));
        assert_eq!(check("Sakura123"), Err(PasswordError::TooCommon));
        assert_eq!(check("tokyo2020"), Err(PasswordError::TooCommon));
    }

    #[test]
    fn order_reports_the_first_failure() {
        // too short and no digit: length comes first
        assert_eq!(check("abc"), Err(PasswordError::TooShort { min: 8 }));
        // a space and too short: characters come first
        assert_eq!(check("a b"), Err(PasswordError::InvalidChar));
        // no letter and no digit: letter comes first
        assert_eq!(check("!!!!!!!!"), Err(PasswordError::NeedLetter));
    }

    #[test]
    fn user_id_rule() {
        let p = PasswordPolicy::default();
        let ctx = PasswordContext {
            user_id: Some("Taro1980"),
            ..Default::default()
        };
        assert_eq!(
            p.check("taro1980", &ctx),
            Err(PasswordError::ContainsUserId)
        );
        assert_eq!(
            p.check("xTARO1980!", &ctx),
            Err(PasswordError::ContainsUserId)
        );
        assert_eq!(p.check("Taro1981x", &ctx), Ok(()));
        let empty = PasswordContext {
            user_id: Some(""),
            ..Default::default()
        };
        assert_eq!(p.check("Kosmo2ab9", &empty), Ok(()));
    }

    #[test]
    fn temporary_and_current_rules() {
        let p = PasswordPolicy::default();
        let ctx = PasswordContext {
            temporary: Some("ab3cd4ef5g"),
            ..Default::default()
        };
        assert_eq!(
            p.check("ab3cd4ef5g", &ctx),
            Err(PasswordError::SameAsTemporary)
        );
        assert_eq!(
            p.check("AB3CD4EF5G", &ctx),
            Err(PasswordError::SameAsTemporary)
        );
        assert_eq!(p.check("ab3cd4ef5gx", &ctx), Ok(()));
        let ctx = PasswordContext {
            current: Some("Kosmo2ab9"),
            ..Default::default()
        };
        assert_eq!(
            p.check("Kosmo2ab9", &ctx),
            Err(PasswordError::SameAsCurrent)
        );
        assert_eq!(p.check("kosmo2ab9", &ctx), Ok(()));
        let ctx = PasswordContext {
            user_id: Some("Kosmo2ab9"),
            current: Some("Kosmo2ab9"),
            temporary: None,
        };
        assert_eq!(
            p.check("Kosmo2ab9", &ctx),
            Err(PasswordError::ContainsUserId)
        );
    }

    #[test]
    fn confirm() {
        assert_eq!(check_confirm("Kosmo2ab9", "Kosmo2ab9"), Ok(()));
        assert_eq!(
            check_confirm("Kosmo2ab9", ""),
            Err(PasswordError::ConfirmEmpty)
        );
        assert_eq!(
            check_confirm("Kosmo2ab9", "kosmo2ab9"),
            Err(PasswordError::Mismatch)
        );
        assert_eq!(check_confirm("", "x"), Err(PasswordError::Mismatch));
    }

    #[test]
    fn nist_policy() {
        let p = PasswordPolicy::nist();
        let ctx = PasswordContext::default();
        assert_eq!(
            p.check("correct horse battery staple", &ctx),
            Err(PasswordError::InvalidChar)
        );
        assert_eq!(p.check("correct-horse-battery-staple", &ctx), Ok(()));
        assert_eq!(p.check("onlylowercaseletters", &ctx), Ok(()));
        assert_eq!(p.check("123456789012345", &ctx), Ok(()));
        assert_eq!(
            p.check("Kosmo2ab9", &ctx),
            Err(PasswordError::TooShort { min: 15 })
        );
        assert_eq!(
            p.check(&"a".repeat(65), &ctx),
            Err(PasswordError::TooLong { max: 64 })
        );
        assert!(!p.is_expired(
            datetime!(2000-01-01 0:00 UTC),
            datetime!(2100-01-01 0:00 UTC)
        ));
        assert_eq!(p.expires_at(datetime!(2000-01-01 0:00 UTC)), None);
        assert_eq!(
            p.rule_hint(),
            Msg::new("password.hint.plain")
                .arg("min", 15)
                .arg("max", 64)
        );
    }

    #[test]
    fn expiry() {
        let p = PasswordPolicy::default();
        let set = datetime!(2024-01-01 9:00 +9);
        assert!(!p.is_expired(set, set));
        assert!(!p.is_expired(set, set + Duration::days(1095) - Duration::seconds(1)));
        assert!(p.is_expired(set, set + Duration::days(1095)));
        assert!(p.is_expired(set, datetime!(2030-01-01 0:00 UTC)));
        assert_eq!(p.expires_at(set), Some(set + Duration::days(1095)));
    }

    #[test]
    fn hints() {
        let mut p = PasswordPolicy::default();
        assert_eq!(
            p.rule_hint(),
            Msg::new("password.hint.letter_digit")
                .arg("min", 8)
                .arg("max", 20)
        );
        p.require_digit = false;
        assert_eq!(p.rule_hint().key, "password.hint.letter");
        p.require_letter = false;
        p.require_digit = true;
        assert_eq!(p.rule_hint().key, "password.hint.digit");
    }

    #[test]
    fn messages_carry_numbers() {
        assert_eq!(
            PasswordError::TooShort { min: 8 }.msg(),
            Msg::new("password.too_short").arg("min", 8)
        );
        assert_eq!(
            PasswordError::TooLong { max: 20 }.msg(),
            Msg::new("password.too_long").arg("max", 20)
        );
        assert!(
            PasswordError::TooShort { min: 12 }
                .to_string()
                .contains("12")
        );
    }

    #[test]
    fn common_list_is_sane() {
        let entries: Vec<&str> = common_passwords().collect();
        assert!(entries.len() >= 200, "{} entries", entries.len());
        let unique: HashSet<&str> = entries.iter().copied().collect();
        assert_eq!(
            unique.len(),
            entries.len(),
            "duplicates in common-passwords.txt"
        );
        let p = PasswordPolicy::default();
        for e in entries {
            assert_eq!(e, e.to_lowercase(), "{e} should be lower case");
            // Every entry would pass the default rule were it not on the list.
            assert_eq!(
                p.check(e, &PasswordContext::default()),
                Err(PasswordError::TooCommon),
                "{e}"
            );
            assert!(is_common(&e.to_uppercase()));
        }
        assert!(!is_common("Kosmo2ab9"));
        assert!(!is_common("# Well-known"));
        assert!(!is_common(""));
    }

    fn policy() -> impl Strategy<Value = PasswordPolicy> {
        (
            1usize..30,
            0usize..40,
            any::<bool>(),
            any::<bool>(),
            0u32..2000,
        )
            .prop_map(|(min, extra, l, d, age)| PasswordPolicy {
                min_len: min,
                max_len: min + extra,
                require_letter: l,
                require_digit: d,
                max_age_days: age,
            })
    }

    proptest! {
        #[test]
        fn never_accepts_short_or_non_printable(p in policy(), pw in "\\PC{0,70}|[ -~]{0,70}|[\\x00-\\x7f]{0,70}") {
            if p.check(&pw, &PasswordContext::default()).is_ok() {
                prop_assert!(pw.chars().count() >= p.min_len);
                prop_assert!(pw.chars().count() <= p.max_len);
                prop_assert!(pw.chars().all(is_allowed_char));
                prop_assert!(!p.require_letter || pw.chars().any(|c| c.is_ascii_alphabetic()));
                prop_assert!(!p.require_digit || pw.chars().any(|c| c.is_ascii_digit()));
            }
        }

        #[test]
        fn short_passwords_are_rejected(
            (p, pw) in policy()
                .prop_filter("room for a shorter password", |p| p.min_len > 1)
                .prop_flat_map(|p| {
                    let len = 1..p.min_len;
                    (Just(p), prop::collection::vec(0x21u8..=0x7e, len))
                })
                .prop_map(|(p, bytes)| (p, String::from_utf8(bytes).unwrap())),
        ) {
            prop_assert!(pw.len() < p.min_len);
            prop_assert_eq!(p.check(&pw, &PasswordContext::default()), Err(PasswordError::TooShort { min: p.min_len }));
        }

        #[test]
        fn a_char_outside_the_range_is_rejected(
            pre in "[!-~]{0,10}",
            bad in prop::sample::select(vec![' ', '\t', '\u{7f}', '\u{0}', 'é', 'Ａ', '山', '\u{3000}']),
            post in "[!-~]{0,10}",
        ) {
            let pw = format!("{pre}{bad}{post}");
            prop_assert_eq!(PasswordPolicy::nist().check(&pw, &PasswordContext::default()), Err(PasswordError::InvalidChar));
        }

        #[test]
        fn passwords_containing_the_user_id_are_rejected(id in "[A-Za-z0-9]{8,13}", pre in "[a-z]{0,2}", post in "[0-9]{0,2}") {
            let pw = format!("{pre}{}{post}1a", id.to_uppercase());
            let ctx = PasswordContext { user_id: Some(&id), ..Default::default() };
            prop_assert_eq!(PasswordPolicy::default().check(&pw, &ctx), Err(PasswordError::ContainsUserId));
        }
    }
}
