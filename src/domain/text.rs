//! Text hygiene: input normalisation, output neutralisation and display-width helpers.
//!
//! Two functions guard the two directions:
//!
//! * [`normalize`] is applied to everything a person types or pastes: NFKC (so full-width `ＡＢＣ１２３＠` typed with
//!   an IME becomes `ABC123@`) and removal of control, bidi and zero-width characters.
//! * [`neutralize`] is applied to every string that came from outside (names, IDs, emails, SMTP replies, CSV fields)
//!   before it is displayed, logged or put into a mail header: no control character or escape sequence survives.
//!
//! This module also renders the rule messages (`assets/i18n/*/rules.toml`, compiled in, through [`crate::i18n`]), so
//! that the error enums of this layer can implement [`std::fmt::Display`] (English) without any I/O.

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::{Lang, Msg};

/// True for the bidirectional formatting controls: U+061C, U+200E, U+200F, U+202A–U+202E and U+2066–U+2069.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// True for the invisible zero-width/format characters U+200B–U+200D, U+2060 and U+FEFF.
pub fn is_zero_width(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// True for the line and paragraph separators U+2028 and U+2029 (not `Cc`, but they break a line).
pub fn is_line_separator(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}')
}

/// True for every character that must never reach the screen, a log or a mail header as it is: control characters
/// (general category `Cc`, C0, DEL and C1), bidi controls, zero-width/format characters and U+2028/U+2029.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || is_zero_width(c) || is_line_separator(c)
}

/// Normalises typed or pasted input: NFKC, then every control character (`Cc`, including C1), bidi control,
/// zero-width/format character (U+200B–U+200D, U+2060, U+FEFF) and line/paragraph separator (U+2028, U+2029) is
/// dropped.
///
/// The unsafe characters are also dropped *before* NFKC, so that removing one can never leave a sequence that NFKC
/// would compose differently: the function is idempotent (`normalize(normalize(s)) == normalize(s)`).
/// `"ＡＢＣ１２３＠"` becomes `"ABC123@"`, `"㍻"` becomes `"平成"`.
pub fn normalize(input: &str) -> String {
    let cleaned: String = input.chars().filter(|&c| !is_unsafe_char(c)).collect();
    cleaned.nfkc().filter(|&c| !is_unsafe_char(c)).collect()
}

/// Makes a string from outside safe to display, log or put in a mail header.
///
/// `\t`, `\n`, `\r`, U+2028 and U+2029 each become one space; every other control character (so `ESC` and the C1
/// `CSI` U+009B: no escape sequence survives), bidi control and zero-width/format character becomes U+FFFD.
/// Returns the input borrowed when nothing had to change.
pub fn neutralize(input: &str) -> Cow<'_, str> {
    if !input.chars().any(is_unsafe_char) {
        return Cow::Borrowed(input);
    }
    Cow::Owned(
        input
            .chars()
            .map(|c| match c {
                '\t' | '\n' | '\r' | '\u{2028}' | '\u{2029}' => ' ',
                c if is_unsafe_char(c) => '\u{FFFD}',
                c => c,
            })
            .collect(),
    )
}

/// How many characters of a value an error message quotes (issue 8 item 10).
pub const QUOTE_MAX_CHARS: usize = 80;

/// A value from outside as a message shows it: neutralised, and cut at [`QUOTE_MAX_CHARS`]
/// characters with `…` (a 10 MB field gives a short line, not a 10 MB one).
pub fn clipped(value: &str) -> String {
    let cut = truncate_chars(value, QUOTE_MAX_CHARS);
    let more = if cut.len() < value.len() { "…" } else { "" };
    format!("{}{more}", neutralize(cut))
}

/// [`clipped`] in double quotes: how an error message quotes the value it refuses.
pub fn quoted(value: &str) -> String {
    format!("\"{}\"", clipped(value))
}

/// The number of terminal columns `s` occupies (East Asian wide characters count 2).
pub fn display_width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// The longest prefix of `s` with at most `max_chars` characters.
pub fn truncate_chars(s: &str, max_chars: usize) -> &str {
    match s.char_indices().nth(max_chars) {
        Some((idx, _)) => &s[..idx],
        None => s,
    }
}

/// The longest prefix of `s` that fits in `max_cols` terminal columns; a wide character that would only half fit
/// is left out, never split.
pub fn truncate_width(s: &str, max_cols: usize) -> String {
    if display_width(s) <= max_cols {
        return s.to_owned();
    }
    // Per-character widths first (linear), then make sure the prefix as a whole (where emoji sequences may count
    // differently) fits too.
    let mut cols = 0usize;
    let mut end = 0usize;
    for (idx, c) in s.char_indices() {
        let w = UnicodeWidthChar::width(c).unwrap_or(0);
        if cols + w > max_cols {
            break;
        }
        cols += w;
        end = idx + c.len_utf8();
    }
    let mut prefix = &s[..end];
    while display_width(prefix) > max_cols {
        let mut chars = prefix.chars();
        chars.next_back();
        prefix = chars.as_str();
    }
    prefix.to_owned()
}

/// Pads `s` with spaces on the right to `cols` display columns (no change when it is already as wide or wider).
pub fn pad_width(s: &str, cols: usize) -> String {
    let w = display_width(s);
    let mut out = String::with_capacity(s.len() + cols.saturating_sub(w));
    out.push_str(s);
    out.extend(std::iter::repeat_n(' ', cols.saturating_sub(w)));
    out
}

/// Renders a rule message in `lang` from the one catalogue ([`crate::i18n`]). Argument values are
/// neutralised. Falls back to the key itself when the catalogue has no such key (a bug the catalogue
/// test catches). This lets the domain's error types implement [`std::fmt::Display`] (English) and
/// be used with `?` in the command-line tools.
pub fn render_rule(msg: &Msg, lang: Lang) -> String {
    match crate::i18n::Catalogue::get().lookup(lang, msg.key) {
        Some(template) => {
            let args: Vec<(&str, String)> = msg
                .args
                .iter()
                .map(|(n, v)| (*n, neutralize(v).into_owned()))
                .collect();
            let args: Vec<(&str, &str)> = args.iter().map(|(n, v)| (*n, v.as_str())).collect();
            crate::i18n::fill(template, &args)
        }
        None => msg.key.to_owned(),
    }
}

/// Implements `Display` (English rule text) and `std::error::Error` for an error type with `fn msg(&self) -> Msg`.
macro_rules! impl_rule_error {
    ($ty:ty) => {
        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&$crate::domain::text::render_rule(
                    &self.msg(),
                    $crate::domain::Lang::En,
                ))
            }
        }
        impl ::std::error::Error for $ty {}
    };
}
pub(crate) use impl_rule_error;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_values_are_cut_at_80_characters_and_neutralised() {
        assert_eq!(quoted("19800101x"), "\"19800101x\"");
        let long = "あ".repeat(10_000_000 / 3);
        let q = quoted(&long);
        assert_eq!(q.chars().count(), QUOTE_MAX_CHARS + 3, "{q}");
        assert!(q.ends_with("…\""), "{q}");
        // Exactly 80 characters are not cut.
        assert_eq!(quoted(&"x".repeat(80)), format!("\"{}\"", "x".repeat(80)));
        assert_eq!(quoted("a\u{1b}[2Jb"), "\"a\u{FFFD}[2Jb\"");
    }
    use proptest::prelude::*;

    #[test]
    fn normalize_full_width_ascii() {
        assert_eq!(normalize("ＡＢＣ１２３＠"), "ABC123@");
        assert_eq!(
            normalize("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ"),
            "taro@example.jp"
        );
        assert_eq!(normalize("　全角スペース　"), " 全角スペース ");
    }

    #[test]
    fn normalize_era_ligatures_and_half_width_kana() {
        assert_eq!(normalize("㍻"), "平成");
        assert_eq!(normalize("㍼㍽㍾"), "昭和大正明治");
        assert_eq!(normalize("ｶﾀｶﾅ"), "カタカナ");
        assert_eq!(normalize("ｶﾞ"), "ガ");
    }

    #[test]
    fn normalize_drops_controls_bidi_and_zero_width() {
        assert_eq!(normalize("ab\u{1b}[31mc"), "ab[31mc");
        assert_eq!(normalize("a\u{9b}b\u{7f}c\u{0}d"), "abcd");
        assert_eq!(
            normalize("x\u{202E}y\u{2066}z\u{061C}w\u{200E}\u{200F}"),
            "xyzw"
        );
        assert_eq!(
            normalize("\u{FEFF}a\u{200B}b\u{200C}c\u{200D}d\u{2060}"),
            "abcd"
        );
        assert_eq!(normalize("a\tb\nc\r\u{2028}\u{2029}"), "abc");
    }

    #[test]
    fn normalize_composes_across_removed_characters() {
        // "e" ZWJ U+0301: once the ZWJ is gone the accent composes; the result is stable.
        let once = normalize("e\u{200D}\u{301}");
        assert_eq!(once, "é");
        assert_eq!(normalize(&once), once);
    }

    #[test]
    fn neutralize_borrows_clean_text() {
        assert!(matches!(
            neutralize("山田 太郎 <taro@example.jp>"),
            Cow::Borrowed(_)
        ));
        assert!(matches!(neutralize(""), Cow::Borrowed(_)));
    }

    #[test]
    fn neutralize_whitespace_controls_become_spaces() {
        assert_eq!(neutralize("a\tb\nc\rd\u{2028}e\u{2029}f"), "a b c d e f");
        assert_eq!(
            neutralize("Subject: x\r\nBcc: evil@example.com"),
            "Subject: x  Bcc: evil@example.com"
        );
    }

    #[test]
    fn neutralize_other_controls_become_replacement() {
        assert_eq!(neutralize("\u{1b}[2J"), "\u{FFFD}[2J");
        assert_eq!(neutralize("a\u{9b}31m"), "a\u{FFFD}31m");
        assert_eq!(neutralize("\u{7}\u{0}\u{7f}"), "\u{FFFD}\u{FFFD}\u{FFFD}");
        assert_eq!(neutralize("abc\u{202E}fdp.exe"), "abc\u{FFFD}fdp.exe");
        assert_eq!(neutralize("a\u{200B}b\u{FEFF}"), "a\u{FFFD}b\u{FFFD}");
    }

    #[test]
    fn width_helpers() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("山田"), 4);
        assert_eq!(display_width("ｶﾀ"), 2);
        assert_eq!(truncate_chars("山田太郎", 2), "山田");
        assert_eq!(truncate_chars("abc", 10), "abc");
        assert_eq!(truncate_chars("abc", 0), "");
        assert_eq!(truncate_width("山田太郎", 5), "山田");
        assert_eq!(truncate_width("山田太郎", 4), "山田");
        assert_eq!(truncate_width("a山田", 2), "a");
        assert_eq!(truncate_width("abc", 10), "abc");
        assert_eq!(truncate_width("山", 1), "");
        assert_eq!(pad_width("山", 4), "山  ");
        assert_eq!(pad_width("abcde", 4), "abcde");
    }

    #[test]
    fn render_rule_uses_the_catalogue_and_neutralizes_args() {
        let msg = Msg::new("password.too_short").arg("min", 8);
        assert!(render_rule(&msg, Lang::Ja).contains('8'));
        assert!(render_rule(&msg, Lang::En).contains('8'));
        let evil = Msg::new("password.too_short").arg("min", "\u{1b}[2J");
        assert!(!render_rule(&evil, Lang::En).contains('\u{1b}'));
        assert_eq!(
            render_rule(&Msg::new("no.such.key"), Lang::En),
            "no.such.key"
        );
    }

    fn has_unsafe(s: &str) -> bool {
        s.chars()
            .any(|c| c.is_control() || is_bidi_control(c) || is_zero_width(c))
    }

    fn nasty_char() -> impl Strategy<Value = char> {
        prop_oneof![
            any::<char>(),
            prop::sample::select(vec![
                '\u{0}', '\t', '\n', '\r', '\u{1b}', '\u{7f}', '\u{85}', '\u{9b}', '\u{9f}',
                '\u{061C}', '\u{200B}', '\u{200C}', '\u{200D}', '\u{200E}', '\u{200F}', '\u{2028}',
                '\u{2029}', '\u{202A}', '\u{202E}', '\u{2060}', '\u{2066}', '\u{2069}', '\u{FEFF}',
                '\u{301}', '\u{3099}', 'ｶ', 'ﾞ', '㍻', 'Ａ', '１', '＠', 'e',
            ]),
        ]
    }

    fn nasty_string() -> impl Strategy<Value = String> {
        prop::collection::vec(nasty_char(), 0..40).prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        #[test]
        fn normalize_is_idempotent_and_clean(s in nasty_string()) {
            let once = normalize(&s);
            prop_assert_eq!(normalize(&once), once.clone());
            prop_assert!(!has_unsafe(&once));
            prop_assert!(!once.chars().any(is_line_separator));
        }

        #[test]
        fn neutralize_output_is_clean(s in nasty_string()) {
            let out = neutralize(&s);
            prop_assert!(!has_unsafe(&out));
            prop_assert!(!out.chars().any(is_line_separator));
            prop_assert_eq!(out.chars().count(), s.chars().count());
        }

        #[test]
        fn neutralize_keeps_printable_text(s in "[ -~\u{3041}-\u{3096}\u{30A1}-\u{30FA}\u{4E00}-\u{9FFF}]{0,40}") {
            prop_assert!(matches!(neutralize(&s), Cow::Borrowed(_)));
            prop_assert_eq!(neutralize(&s), s.as_str());
        }

        #[test]
        fn truncate_width_fits_and_is_a_prefix(s in nasty_string(), cols in 0usize..30) {
            let t = truncate_width(&s, cols);
            prop_assert!(display_width(&t) <= cols);
            prop_assert!(s.starts_with(t.as_str()));
        }

        #[test]
        fn truncate_chars_is_a_prefix(s in nasty_string(), n in 0usize..50) {
            let t = truncate_chars(&s, n);
            prop_assert!(s.starts_with(t));
            prop_assert_eq!(t.chars().count(), n.min(s.chars().count()));
        }
    }
}

#[cfg(test)]
mod catalogue_tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::domain::birthdate::{self, BirthDateError};
    use crate::domain::email::EmailError;
    use crate::domain::household::{HouseholdKeyError, Relationship};
    use crate::domain::insurer::InsurerError;
    use crate::domain::password::{PasswordError, PasswordPolicy};
    use crate::domain::user_id::{self, UserIdError};

    /// Every message the domain layer can produce.
    fn all_messages() -> Vec<Msg> {
        let mut v = Vec::new();
        let insurer = [
            InsurerError::Empty,
            InsurerError::Format,
            InsurerError::CheckDigit,
        ];
        v.extend(insurer.iter().map(InsurerError::msg));
        v.extend(
            [
                BirthDateError::Empty,
                BirthDateError::Format,
                BirthDateError::NotADate,
                BirthDateError::OutsideEra,
                BirthDateError::Future,
                BirthDateError::TooOld,
            ]
            .iter()
            .map(BirthDateError::msg),
        );
        v.push(birthdate::understood(
            time::macros::date!(1980 - 01 - 01),
            Lang::Ja,
        ));
        v.extend(
            [
                UserIdError::Empty,
                UserIdError::TooShort,
                UserIdError::TooLong,
                UserIdError::Chars,
                UserIdError::Taken,
            ]
            .iter()
            .map(UserIdError::msg),
        );
        v.push(user_id::rule_hint());
        v.extend(
            [
                PasswordError::Empty,
                PasswordError::TooShort { min: 8 },
                PasswordError::TooLong { max: 20 },
                PasswordError::InvalidChar,
                PasswordError::NeedLetter,
                PasswordError::NeedDigit,
                PasswordError::ContainsUserId,
                PasswordError::SameAsTemporary,
                PasswordError::SameAsCurrent,
                PasswordError::TooCommon,
                PasswordError::ConfirmEmpty,
                PasswordError::Mismatch,
            ]
            .iter()
            .map(PasswordError::msg),
        );
        for letter in [false, true] {
            for digit in [false, true] {
                let p = PasswordPolicy {
                    require_letter: letter,
                    require_digit: digit,
                    ..Default::default()
                };
                v.push(p.rule_hint());
            }
        }
        v.extend(
            [
                EmailError::Required,
                EmailError::TooLong,
                EmailError::Invalid,
            ]
            .iter()
            .map(EmailError::msg),
        );
        let household = [
            HouseholdKeyError::Format,
            HouseholdKeyError::Symbol,
            HouseholdKeyError::Number,
            HouseholdKeyError::Insurer(InsurerError::CheckDigit),
        ];
        v.extend(household.iter().map(HouseholdKeyError::msg));
        v.extend(Relationship::ALL.iter().map(|r| Msg::new(r.label_key())));
        v
    }

    fn placeholders(text: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else { break };
            out.insert(after[..close].to_owned());
            rest = &after[close + 1..];
        }
        out
    }

    /// The rules' own catalogue file (the one catalogue checks ja/en keys for all files).
    fn catalogue(lang: Lang) -> std::collections::HashMap<String, String> {
        crate::i18n::file_keys("rules", lang)
    }

    #[test]
    fn every_message_key_exists_with_matching_placeholders() {
        let ja = catalogue(Lang::Ja);
        let en = catalogue(Lang::En);
        for msg in all_messages() {
            let args: BTreeSet<String> = msg.args.iter().map(|(n, _)| (*n).to_owned()).collect();
            for (lang, cat) in [(Lang::Ja, &ja), (Lang::En, &en)] {
                let text = cat
                    .get(msg.key)
                    .unwrap_or_else(|| panic!("{lang} rules.toml lacks {}", msg.key));
                assert!(!text.trim().is_empty(), "{lang} {} is empty", msg.key);
                let used = placeholders(text);
                assert!(
                    used.is_subset(&args),
                    "{lang} {} uses {used:?} but the message has {args:?}",
                    msg.key
                );
                let rendered = render_rule(&msg, lang);
                assert!(
                    !rendered.contains('{'),
                    "{lang} {} renders as {rendered}",
                    msg.key
                );
            }
            assert_eq!(
                placeholders(&ja[msg.key]),
                placeholders(&en[msg.key]),
                "placeholders differ for {}",
                msg.key
            );
        }
    }

    #[test]
    fn every_catalogue_key_is_used() {
        let used: BTreeSet<&str> = all_messages().iter().map(|m| m.key).collect();
        for key in catalogue(Lang::Ja).keys() {
            assert!(
                used.contains(key.as_str()),
                "rules.toml key {key} is never produced"
            );
        }
    }

    #[test]
    fn japanese_messages_are_polite_sentences() {
        let ja = catalogue(Lang::Ja);
        for msg in all_messages() {
            let mut text = ja[msg.key].clone();
            // A closing example in parentheses does not count: "…ください（例: 19800101）。"
            if let (true, Some(open)) = (text.ends_with("）。"), text.rfind('（')) {
                text.truncate(open);
                text.push('。');
            }
            // Labels and hints are fragments; full messages end in です・ます style.
            if text.ends_with('。') {
                assert!(
                    ["ください。", "ます。", "です。", "ません。", "ました。"]
                        .iter()
                        .any(|e| text.ends_with(e)),
                    "{}: {text}",
                    msg.key
                );
            }
        }
    }

    #[test]
    fn display_is_english() {
        assert_eq!(
            crate::domain::insurer::InsurerError::Empty.to_string(),
            catalogue(Lang::En)["insurer.empty"]
        );
    }
}
