//! Temporary credentials (仮ユーザID・仮パスワード) printed on the postcard, and one-time codes.
//!
//! They are typed from paper, so they are drawn from alphabets without look-alikes: no `0`/`O`, `1`/`I`/`L`/`l`,
//! `i` (and, for the lower-case password, no `o`). IDs are upper case, passwords lower case, so a member who types
//! either in the other case still gets in (see [`normalize_temp_id`], [`normalize_temp_password`]).
//!
//! The generators take the RNG from the caller: production passes the OS RNG (`rand::rngs::OsRng` or
//! `rand::rng()`), tests a seeded one.

use rand::Rng;
use rand::seq::IndexedRandom;

use super::text;

/// Upper-case letters and digits without `0 O 1 I L`.
pub const TEMP_ID_ALPHABET: &str = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
pub const TEMP_ID_LEN: usize = 10;

/// Lower-case letters and digits without `0 o 1 l i`.
pub const TEMP_PASSWORD_ALPHABET: &str = "abcdefghjkmnpqrstuvwxyz23456789";
pub const TEMP_PASSWORD_LEN: usize = 10;

/// Number of digits of a one-time code.
pub const ONE_TIME_CODE_LEN: usize = 8;

fn generate<R: Rng + ?Sized>(rng: &mut R, alphabet: &str, len: usize) -> String {
    let symbols = alphabet.as_bytes();
    (0..len)
        .map(|_| char::from(*symbols.choose(rng).expect("alphabet is not empty")))
        .collect()
}

/// A new temporary user ID: [`TEMP_ID_LEN`] characters drawn uniformly from [`TEMP_ID_ALPHABET`].
pub fn generate_temp_id<R: Rng + ?Sized>(rng: &mut R) -> String {
    generate(rng, TEMP_ID_ALPHABET, TEMP_ID_LEN)
}

/// A new temporary password: [`TEMP_PASSWORD_LEN`] characters drawn uniformly from
/// [`TEMP_PASSWORD_ALPHABET`], redrawn until it has a letter and a digit (about 1 in 20 draws is), so
/// that it looks like any other password and a member who reuses it is told exactly that.
pub fn generate_temp_password<R: Rng + ?Sized>(rng: &mut R) -> String {
    loop {
        let p = generate(rng, TEMP_PASSWORD_ALPHABET, TEMP_PASSWORD_LEN);
        if p.bytes().any(|b| b.is_ascii_digit()) && p.bytes().any(|b| b.is_ascii_lowercase()) {
            return p;
        }
    }
}

/// A one-time code of [`ONE_TIME_CODE_LEN`] digits (leading zeros possible), uniform.
pub fn generate_one_time_code<R: Rng + ?Sized>(rng: &mut R) -> String {
    (0..ONE_TIME_CODE_LEN)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

/// A typed one-time code as it is compared: normalised (full-width digits become ASCII), without spaces or
/// hyphens. `None` unless exactly [`ONE_TIME_CODE_LEN`] ASCII digits remain, so that a typo is caught before
/// it counts as a wrong code.
pub fn normalize_one_time_code(input: &str) -> Option<String> {
    let code = compact(input);
    (code.len() == ONE_TIME_CODE_LEN && code.bytes().all(|b| b.is_ascii_digit())).then_some(code)
}

fn compact(input: &str) -> String {
    text::normalize(input)
        .chars()
        .filter(|&c| !c.is_whitespace() && !text::is_dash(c))
        .collect()
}

/// A typed temporary password as it is compared: normalised, without spaces or hyphens (a postcard may print it in
/// groups), lower case.
pub fn normalize_temp_password(input: &str) -> String {
    compact(input).to_lowercase()
}

/// A typed temporary ID as it is looked up: normalised, without spaces or hyphens (any dash an IME
/// types: `ー`, `−`, `‐`, `–`, `―`, `ｰ`, see [`text::is_dash`]), upper case.
pub fn normalize_temp_id(input: &str) -> String {
    compact(input).to_uppercase()
}

/// True if `s` could be a temporary password: exactly [`TEMP_PASSWORD_LEN`] characters of the alphabet.
pub fn looks_like_temp_password(s: &str) -> bool {
    s.len() == TEMP_PASSWORD_LEN && s.chars().all(|c| TEMP_PASSWORD_ALPHABET.contains(c))
}

/// True if `s` could be a temporary ID: exactly [`TEMP_ID_LEN`] characters of the alphabet.
pub fn looks_like_temp_id(s: &str) -> bool {
    s.len() == TEMP_ID_LEN && s.chars().all(|c| TEMP_ID_ALPHABET.contains(c))
}

/// Splits a credential into groups of `group` characters for printing (`ABCDE FGHJK`); reading aid only, the
/// normalisers above drop the spaces again.
pub fn grouped(s: &str, group: usize) -> String {
    let group = group.max(1);
    let chars: Vec<char> = s.chars().collect();
    chars
        .chunks(group)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn alphabets_have_no_look_alikes() {
        for c in ['0', 'O', '1', 'I', 'L', 'l', 'i', 'o'] {
            assert!(!TEMP_ID_ALPHABET.contains(c), "{c}");
            assert!(!TEMP_PASSWORD_ALPHABET.contains(c), "{c}");
        }
        assert_eq!(TEMP_ID_ALPHABET.len(), 31);
        assert_eq!(TEMP_PASSWORD_ALPHABET.len(), 31);
        assert_eq!(TEMP_ID_ALPHABET.to_lowercase(), TEMP_PASSWORD_ALPHABET);
    }

    #[test]
    fn generated_values() {
        let mut rng = StdRng::seed_from_u64(7);
        let id = generate_temp_id(&mut rng);
        let pw = generate_temp_password(&mut rng);
        let code = generate_one_time_code(&mut rng);
        assert!(looks_like_temp_id(&id), "{id}");
        assert!(looks_like_temp_password(&pw), "{pw}");
        assert_eq!(code.len(), 8);
        assert!(code.bytes().all(|b| b.is_ascii_digit()));
        // works through a trait object / unsized RNG too
        let dyn_rng: &mut dyn rand::RngCore = &mut rng;
        assert_eq!(generate_temp_id(dyn_rng).len(), TEMP_ID_LEN);
    }

    #[test]
    fn roughly_uniform() {
        let mut rng = StdRng::seed_from_u64(42);
        let mut counts = [0usize; 31];
        for _ in 0..3100 {
            for c in generate_temp_password(&mut rng).chars() {
                counts[TEMP_PASSWORD_ALPHABET.find(c).unwrap()] += 1;
            }
        }
        // 31000 draws, 1000 expected per symbol
        assert!(
            counts.iter().all(|&n| (800..1200).contains(&n)),
            "{counts:?}"
        );
        let mut digits = [0usize; 10];
        for _ in 0..1000 {
            for b in generate_one_time_code(&mut rng).bytes() {
                digits[usize::from(b - b'0')] += 1;
            }
        }
        assert!(
            digits.iter().all(|&n| (600..1000).contains(&n)),
            "{digits:?}"
        );
    }

    #[test]
    fn normalisers() {
        assert_eq!(normalize_temp_password(" ABCDE-FGHJK "), "abcdefghjk");
        assert_eq!(
            normalize_temp_password("ａｂｃｄｅ　ｆｇｈｊｋ"),
            "abcdefghjk"
        );
        assert_eq!(normalize_temp_id("abcde fghjk"), "ABCDEFGHJK");
        assert_eq!(normalize_temp_id("ＡＢＣＤＥ－ＦＧＨＪＫ"), "ABCDEFGHJK");
        assert!(looks_like_temp_password("abcdefghjk"));
        assert!(!looks_like_temp_password("abcdefghjK"));
        assert!(!looks_like_temp_password("abcdefghj0"));
        assert!(!looks_like_temp_password("abcdefghj"));
        assert!(looks_like_temp_id("ABCDEFGH23"));
        assert!(!looks_like_temp_id("ABCDEFGH2O"));
        assert!(!looks_like_temp_id("ABCDEFGH23X"));
        assert_eq!(grouped("ABCDEFGHJK", 5), "ABCDE FGHJK");
        assert_eq!(grouped("abc", 2), "ab c");
        assert_eq!(grouped("", 5), "");
        assert_eq!(
            normalize_one_time_code(" 0123-4567 ").as_deref(),
            Some("01234567")
        );
        assert_eq!(
            normalize_one_time_code("０１２３４５６７").as_deref(),
            Some("01234567")
        );
        assert_eq!(normalize_one_time_code("0123456"), None);
        assert_eq!(normalize_one_time_code("012345678"), None);
        assert_eq!(normalize_one_time_code("0123456a"), None);
    }

    proptest! {
        #[test]
        fn generators_use_their_alphabets(seed in any::<u64>()) {
            let mut rng = StdRng::seed_from_u64(seed);
            let id = generate_temp_id(&mut rng);
            prop_assert_eq!(id.chars().count(), TEMP_ID_LEN);
            prop_assert!(id.chars().all(|c| TEMP_ID_ALPHABET.contains(c)));
            let pw = generate_temp_password(&mut rng);
            prop_assert_eq!(pw.chars().count(), TEMP_PASSWORD_LEN);
            prop_assert!(pw.chars().all(|c| TEMP_PASSWORD_ALPHABET.contains(c)));
            prop_assert!(pw.bytes().any(|b| b.is_ascii_digit()), "a digit in {}", pw);
            prop_assert!(pw.bytes().any(|b| b.is_ascii_lowercase()), "a letter in {}", pw);
            let code = generate_one_time_code(&mut rng);
            prop_assert_eq!(code.len(), ONE_TIME_CODE_LEN);
            prop_assert!(code.bytes().all(|b| b.is_ascii_digit()));
            prop_assert_eq!(normalize_temp_password(&pw.to_uppercase()), pw.clone());
            prop_assert_eq!(normalize_temp_id(&id.to_lowercase()), id.clone());
            prop_assert_eq!(normalize_temp_password(&grouped(&pw, 5)), pw);
        }
    }
}
