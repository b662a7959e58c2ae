//! 世帯 (household): the key `{insurer_number}-{symbol}-{number}` from the insurance card, masking for logs and
//! audit rows, and the member's relationship (被保険者 / 被扶養者).

use std::fmt;
use std::str::FromStr;

use super::Msg;
use super::insurer::{self, InsurerError};
use super::text::{self, impl_rule_error};

/// Longest 記号 (symbol) and 番号 (number), in characters.
pub const SYMBOL_MAX_CHARS: usize = 10;
pub const NUMBER_MAX_DIGITS: usize = 10;

/// A household's key from the insurance card: 保険者番号, 記号 and 番号.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HouseholdKey {
    /// 8 digits with a valid check digit.
    pub insurer: String,
    /// 記号: 1–10 letters or digits (kanji and kana allowed), no `-`, no whitespace.
    pub symbol: String,
    /// 番号: 1–10 ASCII digits (leading zeros kept).
    pub number: String,
}

/// Why a household key was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HouseholdKeyError {
    /// Not of the form `{insurer}-{symbol}-{number}`.
    Format,
    /// The insurer number is not valid.
    Insurer(InsurerError),
    /// The symbol (記号) is empty, too long or has other characters than letters and digits.
    Symbol,
    /// The number (番号) is not 1–10 digits.
    Number,
}

impl HouseholdKeyError {
    pub fn msg(&self) -> Msg {
        match self {
            HouseholdKeyError::Format => Msg::new("household.format"),
            HouseholdKeyError::Insurer(e) => e.msg(),
            HouseholdKeyError::Symbol => Msg::new("household.symbol").arg("max", SYMBOL_MAX_CHARS),
            HouseholdKeyError::Number => Msg::new("household.number").arg("max", NUMBER_MAX_DIGITS),
        }
    }
}

impl_rule_error!(HouseholdKeyError);

impl From<InsurerError> for HouseholdKeyError {
    fn from(e: InsurerError) -> Self {
        HouseholdKeyError::Insurer(e)
    }
}

fn valid_symbol(s: &str) -> bool {
    let n = s.chars().count();
    (1..=SYMBOL_MAX_CHARS).contains(&n) && s.chars().all(char::is_alphanumeric)
}

fn valid_number(s: &str) -> bool {
    (1..=NUMBER_MAX_DIGITS).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

impl HouseholdKey {
    /// Builds a key from its three parts; each is normalised and trimmed, the insurer number canonicalised to its 8
    /// digits.
    pub fn new(insurer: &str, symbol: &str, number: &str) -> Result<Self, HouseholdKeyError> {
        let insurer = insurer::parse(insurer)?.into_string();
        let symbol = text::normalize(symbol).trim().to_owned();
        if !valid_symbol(&symbol) {
            return Err(HouseholdKeyError::Symbol);
        }
        let number = text::normalize(number).trim().to_owned();
        if !valid_number(&number) {
            return Err(HouseholdKeyError::Number);
        }
        Ok(HouseholdKey {
            insurer,
            symbol,
            number,
        })
    }

    /// Parses `{insurer}-{symbol}-{number}`. The last two `-` separate the parts, so an insurer number typed with a
    /// hyphen (`0613-9497-東京-123`) is accepted too.
    pub fn parse(s: &str) -> Result<Self, HouseholdKeyError> {
        let normalized = text::normalize(s);
        let mut parts = normalized.trim().rsplitn(3, '-');
        let (Some(number), Some(symbol), Some(insurer)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(HouseholdKeyError::Format);
        };
        if insurer.trim().is_empty() {
            return Err(HouseholdKeyError::Format);
        }
        Self::new(insurer, symbol, number)
    }

    /// The key for logs and audit rows: `**…97-{symbol}-**3`, see [`mask`].
    pub fn masked(&self) -> String {
        format!(
            "{}-{}-{}",
            mask(&self.insurer),
            self.symbol,
            mask(&self.number)
        )
    }
}

impl fmt::Display for HouseholdKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-{}", self.insurer, self.symbol, self.number)
    }
}

impl FromStr for HouseholdKey {
    type Err = HouseholdKeyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        HouseholdKey::parse(s)
    }
}

/// Keeps the last 2 characters and replaces every other with `*`; all `*` when `s` has 2 characters or fewer.
pub fn mask(s: &str) -> String {
    let n = s.chars().count();
    if n <= 2 {
        return "*".repeat(n);
    }
    let mut out = "*".repeat(n - 2);
    out.extend(s.chars().skip(n - 2));
    out
}

/// A member's relationship to the household's insured person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Relationship {
    /// 被保険者
    Insured,
    /// 被扶養者
    Dependent,
}

impl Relationship {
    pub const ALL: [Relationship; 2] = [Relationship::Insured, Relationship::Dependent];

    /// `"insured"` or `"dependent"` (CSV, database, JSON).
    pub fn as_str(self) -> &'static str {
        match self {
            Relationship::Insured => "insured",
            Relationship::Dependent => "dependent",
        }
    }

    /// Parses `insured`/`dependent` (any case, trimmed); the labels 被保険者/被扶養者 are accepted too.
    pub fn parse(s: &str) -> Option<Self> {
        let s = text::normalize(s);
        match s.trim().to_ascii_lowercase().as_str() {
            "insured" | "被保険者" => Some(Relationship::Insured),
            "dependent" | "被扶養者" => Some(Relationship::Dependent),
            _ => None,
        }
    }

    /// The catalogue key of the on-screen label: `rel.insured` (被保険者) or `rel.dependent` (被扶養者).
    pub fn label_key(self) -> &'static str {
        match self {
            Relationship::Insured => "rel.insured",
            Relationship::Dependent => "rel.dependent",
        }
    }
}

impl fmt::Display for Relationship {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parse_and_display() {
        let k = HouseholdKey::parse("06139497-東京-123").unwrap();
        assert_eq!(k.insurer, "06139497");
        assert_eq!(k.symbol, "東京");
        assert_eq!(k.number, "123");
        assert_eq!(k.to_string(), "06139497-東京-123");
        assert_eq!(HouseholdKey::parse(&k.to_string()), Ok(k.clone()));
        assert_eq!("06139497-東京-123".parse::<HouseholdKey>(), Ok(k));
    }

    #[test]
    fn lenient_parts() {
        let k = HouseholdKey::parse(" ０６１３９４９７－ｱｲ１２－００４５ ").unwrap();
        assert_eq!(k.to_string(), "06139497-アイ12-0045");
        let k = HouseholdKey::parse("0613-9497-12-3").unwrap();
        assert_eq!(k.to_string(), "06139497-12-3");
        let k = HouseholdKey::new(" 01130012 ", " かな ", " 9876543210 ").unwrap();
        assert_eq!(k.to_string(), "01130012-かな-9876543210");
    }

    #[test]
    fn errors() {
        assert_eq!(HouseholdKey::parse(""), Err(HouseholdKeyError::Format));
        assert_eq!(
            HouseholdKey::parse("06139497"),
            Err(HouseholdKeyError::Format)
        );
        assert_eq!(
            HouseholdKey::parse("06139497-東京"),
            Err(HouseholdKeyError::Format)
        );
        assert_eq!(
            HouseholdKey::parse("-東京-123"),
            Err(HouseholdKeyError::Format)
        );
        assert_eq!(
            HouseholdKey::parse("06139498-東京-123"),
            Err(HouseholdKeyError::Insurer(InsurerError::CheckDigit))
        );
        assert_eq!(
            HouseholdKey::parse("0613949-東京-123"),
            Err(HouseholdKeyError::Insurer(InsurerError::Format))
        );
        assert_eq!(
            HouseholdKey::parse("06139497--123"),
            Err(HouseholdKeyError::Symbol)
        );
        assert_eq!(
            HouseholdKey::parse("06139497-東 京-123"),
            Err(HouseholdKeyError::Symbol)
        );
        assert_eq!(
            HouseholdKey::parse("06139497-A.B-123"),
            Err(HouseholdKeyError::Symbol)
        );
        assert_eq!(
            HouseholdKey::parse("06139497-ABCDEFGHIJK-123"),
            Err(HouseholdKeyError::Symbol)
        );
        assert_eq!(
            HouseholdKey::parse("06139497-東京-"),
            Err(HouseholdKeyError::Number)
        );
        assert_eq!(
            HouseholdKey::parse("06139497-東京-12a"),
            Err(HouseholdKeyError::Number)
        );
        assert_eq!(
            HouseholdKey::parse("06139497-東京-12345678901"),
            Err(HouseholdKeyError::Number)
        );
        assert_eq!(
            HouseholdKey::new("", "東京", "1"),
            Err(HouseholdKeyError::Insurer(InsurerError::Empty))
        );
        assert_eq!(
            HouseholdKey::new("06139497", "", "1"),
            Err(HouseholdKeyError::Symbol)
        );
        assert_eq!(
            HouseholdKey::new("06139497", "東-京", "1"),
            Err(HouseholdKeyError::Symbol)
        );
        assert_eq!(
            HouseholdKey::new("06139497", "東京", "１２ ３"),
            Err(HouseholdKeyError::Number)
        );
    }

    #[test]
    fn messages() {
        assert_eq!(HouseholdKeyError::Format.msg().key, "household.format");
        assert_eq!(
            HouseholdKeyError::Insurer(InsurerError::CheckDigit)
                .msg()
                .key,
            "insurer.check_digit"
        );
        assert_eq!(
            HouseholdKeyError::Symbol.msg(),
            Msg::new("household.symbol").arg("max", 10)
        );
        assert_eq!(
            HouseholdKeyError::Number.msg(),
            Msg::new("household.number").arg("max", 10)
        );
    }

    #[test]
    fn masking() {
        assert_eq!(mask("06139497"), "******97");
        assert_eq!(mask("123"), "*23");
        assert_eq!(mask("12"), "**");
        assert_eq!(mask("1"), "*");
        assert_eq!(mask(""), "");
        assert_eq!(mask("東京都"), "*京都");
        let k = HouseholdKey::parse("06139497-東京-12345").unwrap();
        assert_eq!(k.masked(), "******97-東京-***45");
    }

    #[test]
    fn relationship() {
        assert_eq!(Relationship::parse("insured"), Some(Relationship::Insured));
        assert_eq!(
            Relationship::parse(" Dependent "),
            Some(Relationship::Dependent)
        );
        assert_eq!(
            Relationship::parse("ＩＮＳＵＲＥＤ"),
            Some(Relationship::Insured)
        );
        assert_eq!(
            Relationship::parse("被扶養者"),
            Some(Relationship::Dependent)
        );
        assert_eq!(Relationship::parse("spouse"), None);
        assert_eq!(Relationship::parse(""), None);
        for r in Relationship::ALL {
            assert_eq!(Relationship::parse(r.as_str()), Some(r));
            assert_eq!(r.to_string(), r.as_str());
        }
        assert_eq!(Relationship::Insured.label_key(), "rel.insured");
        assert_eq!(Relationship::Dependent.label_key(), "rel.dependent");
        assert_eq!(serde_json_like(Relationship::Dependent), "\"dependent\"");
    }

    fn serde_json_like(r: Relationship) -> String {
        #[derive(serde::Serialize)]
        struct W {
            r: Relationship,
        }
        let s = toml::to_string(&W { r }).unwrap();
        s.trim().trim_start_matches("r = ").to_owned()
    }

    proptest! {
        #[test]
        fn display_parse_round_trip(
            prefix in "[0-9]{7}",
            symbol in "[A-Za-z0-9\u{3041}-\u{3093}\u{4E00}-\u{4E80}]{1,10}",
            number in "[0-9]{1,10}",
        ) {
            let insurer = insurer::with_check_digit(&prefix).unwrap();
            let k = HouseholdKey::new(&insurer, &symbol, &number).unwrap();
            prop_assert_eq!(HouseholdKey::parse(&k.to_string()), Ok(k.clone()));
            let masked = k.masked();
            prop_assert!(!masked.starts_with(&insurer));
            if number.len() > 2 {
                prop_assert!(masked.ends_with(&number[number.len() - 2..]));
            } else {
                let stars = "*".repeat(number.len());
                prop_assert!(masked.ends_with(&stars));
            }
        }

        #[test]
        fn mask_keeps_length_and_tail(s in "\\PC{0,20}") {
            let m = mask(&s);
            let n = s.chars().count();
            prop_assert_eq!(m.chars().count(), n);
            prop_assert_eq!(m.chars().filter(|&c| c == '*').count() >= n.saturating_sub(2), true);
            if n > 2 {
                let tail: String = s.chars().skip(n - 2).collect();
                prop_assert!(m.ends_with(&tail));
            }
        }
    }
}
