//! 保険者番号 (insurer number): 8 digits, the last one a check digit.
//!
//! Check-digit rule: over the first 7 digits, multiply alternately by 2 and 1 starting from the **last** of the 7
//! with 2, add the **digits** of the products (18 → 1 + 8), check = (10 − sum mod 10) mod 10. A typo is therefore
//! caught before the number is compared with the member list (and before it counts as a failed attempt).

use std::fmt;
use std::str::FromStr;

use super::Msg;
use super::text::{self, impl_rule_error};

/// Number of digits of an insurer number.
pub const LEN: usize = 8;

/// Longest text the input field accepts while typing (room for spaces or hyphens between digit groups).
pub const INPUT_MAX_CHARS: usize = 16;

/// A valid insurer number: exactly 8 ASCII digits with a correct check digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InsurerNumber(String);

impl InsurerNumber {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for InsurerNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for InsurerNumber {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for InsurerNumber {
    type Err = InsurerError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s)
    }
}

/// Why an insurer number was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InsurerError {
    /// Nothing was entered.
    Empty,
    /// Not exactly 8 digits.
    Format,
    /// 8 digits, but the check digit does not match: almost certainly a typo.
    CheckDigit,
}

impl InsurerError {
    pub fn msg(&self) -> Msg {
        match self {
            InsurerError::Empty => Msg::new("insurer.empty"),
            InsurerError::Format => Msg::new("insurer.format").arg("len", LEN),
            InsurerError::CheckDigit => Msg::new("insurer.check_digit"),
        }
    }
}

impl_rule_error!(InsurerError);

/// Characters ignored between the digits: spaces and the hyphens/dashes an IME may produce.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || text::is_dash(c)
}

/// Parses a typed insurer number: normalised (full-width digits become ASCII), trimmed, spaces and hyphens between
/// the digits ignored; then exactly 8 ASCII digits with a valid check digit.
pub fn parse(input: &str) -> Result<InsurerNumber, InsurerError> {
    let normalized = text::normalize(input);
    let trimmed = normalized.trim();
    if trimmed.is_empty() {
        return Err(InsurerError::Empty);
    }
    let compact: String = trimmed.chars().filter(|&c| !is_separator(c)).collect();
    if compact.len() != LEN || !compact.bytes().all(|b| b.is_ascii_digit()) {
        return Err(InsurerError::Format);
    }
    let expected = check_digit(&compact[..LEN - 1]).ok_or(InsurerError::Format)?;
    if compact.as_bytes()[LEN - 1] - b'0' != expected {
        return Err(InsurerError::CheckDigit);
    }
    Ok(InsurerNumber(compact))
}

/// The check digit for the first 7 digits of an insurer number; `None` unless `first7` is exactly 7 ASCII digits.
pub fn check_digit(first7: &str) -> Option<u8> {
    if first7.len() != LEN - 1 || !first7.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first7
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let weight = if i % 2 == 0 { 2 } else { 1 };
            let product = u32::from(b - b'0') * weight;
            product / 10 + product % 10
        })
        .sum();
    Some(((10 - sum % 10) % 10) as u8)
}

/// `first7` followed by its check digit: a complete, valid insurer number (for demo data and tests).
pub fn with_check_digit(first7: &str) -> Option<String> {
    check_digit(first7).map(|d| format!("{first7}{d}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_valid_numbers() {
        for n in ["06139497", "01130012", "33120015"] {
            assert_eq!(parse(n).unwrap().as_str(), n);
        }
        assert_eq!(check_digit("0613949"), Some(7));
        assert_eq!(check_digit("0113001"), Some(2));
        assert_eq!(check_digit("3312001"), Some(5));
        assert_eq!(with_check_digit("0613949").as_deref(), Some("06139497"));
    }

    #[test]
    fn digit_sum_of_products() {
        // 9 × 2 = 18 counts as 1 + 8 = 9: 0,0,0,0,0,0,9 → 9 → check 1.
        assert_eq!(check_digit("0000009"), Some(1));
        assert_eq!(check_digit("0000000"), Some(0));
        // the second-to-last digit has weight 1
        assert_eq!(check_digit("0000090"), Some(1));
    }

    #[test]
    fn check_digit_needs_seven_digits() {
        assert_eq!(check_digit("061394"), None);
        assert_eq!(check_digit("06139497"), None);
        assert_eq!(check_digit("061394a"), None);
        assert_eq!(check_digit("０６１３９４９"), None);
        assert_eq!(with_check_digit("abc"), None);
    }

    #[test]
    fn lenient_input() {
        assert_eq!(parse("  06139497 ").unwrap().as_str(), "06139497");
        assert_eq!(parse("０６１３９４９７").unwrap().as_str(), "06139497");
        assert_eq!(parse("0613-9497").unwrap().as_str(), "06139497");
        assert_eq!(parse("0613 9497").unwrap().as_str(), "06139497");
        assert_eq!(parse("０６１３－９４９７").unwrap().as_str(), "06139497");
        assert_eq!(parse("0613ー9497").unwrap().as_str(), "06139497");
        assert_eq!(parse("0613\u{200B}9497").unwrap().as_str(), "06139497");
        assert_eq!(
            "06139497".parse::<InsurerNumber>().unwrap().to_string(),
            "06139497"
        );
    }

    #[test]
    fn errors() {
        assert_eq!(parse(""), Err(InsurerError::Empty));
        assert_eq!(parse("   "), Err(InsurerError::Empty));
        assert_eq!(parse("\u{3000}"), Err(InsurerError::Empty));
        assert_eq!(parse("0613949"), Err(InsurerError::Format));
        assert_eq!(parse("061394977"), Err(InsurerError::Format));
        assert_eq!(parse("0613949a"), Err(InsurerError::Format));
        assert_eq!(parse("--"), Err(InsurerError::Format));
        assert_eq!(parse("٠٦١٣٩٤٩٧"), Err(InsurerError::Format));
        assert_eq!(parse("06139498"), Err(InsurerError::CheckDigit));
        // two neighbouring digits swapped
        assert_eq!(parse("60139497"), Err(InsurerError::CheckDigit));
    }

    #[test]
    fn messages() {
        assert_eq!(InsurerError::Empty.msg().key, "insurer.empty");
        assert_eq!(
            InsurerError::Format.msg(),
            Msg::new("insurer.format").arg("len", 8)
        );
        assert_eq!(InsurerError::CheckDigit.msg().key, "insurer.check_digit");
        assert!(InsurerError::CheckDigit.to_string().contains("card"));
    }

    proptest! {
        #[test]
        fn every_prefix_with_its_check_digit_parses(prefix in "[0-9]{7}") {
            let full = with_check_digit(&prefix).unwrap();
            let parsed = parse(&full).unwrap();
            prop_assert_eq!(parsed.as_str(), full.as_str());
        }

        #[test]
        fn any_single_digit_change_is_rejected(prefix in "[0-9]{7}", pos in 0usize..8, delta in 1u8..10) {
            let full = with_check_digit(&prefix).unwrap();
            let mut bytes = full.into_bytes();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert_eq!(parse(&changed), Err(InsurerError::CheckDigit));
        }
    }
}
