//! メールアドレス: optional, unless the member wants 医療費通知 mail (必要), then required.

use super::Msg;
use super::text::{self, impl_rule_error};

/// Longest address accepted (characters), as in RFC 5321's path limit.
pub const MAX_LEN: usize = 254;

/// Why an email address was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailError {
    /// Empty, but mail was chosen as 必要.
    Required,
    /// Longer than [`MAX_LEN`] characters.
    TooLong,
    /// Not a valid address.
    Invalid,
    /// No dot in the part after the `@` (`john@smith`): no mail could be delivered there.
    NoDomainDot,
}

impl EmailError {
    pub fn msg(&self) -> Msg {
        match self {
            EmailError::Required => Msg::new("email.required"),
            EmailError::TooLong => Msg::new("email.too_long").arg("max", MAX_LEN),
            EmailError::Invalid => Msg::new("email.invalid"),
            EmailError::NoDomainDot => Msg::new("email.no_domain_dot"),
        }
    }
}

impl_rule_error!(EmailError);

/// Validates a typed email address: normalised (full-width `ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ` becomes ASCII) and trimmed.
///
/// Empty gives `Ok(None)`, or `Err(Required)` when `required` (notification mail chosen as 必要). Otherwise at most
/// [`MAX_LEN`] characters, no whitespace inside, and a valid [`lettre::Address`]; the normalised address is returned.
pub fn validate_email(input: &str, required: bool) -> Result<Option<String>, EmailError> {
    let normalized = text::normalize(input);
    let address = normalized.trim();
    if address.is_empty() {
        return if required {
            Err(EmailError::Required)
        } else {
            Ok(None)
        };
    }
    if address.chars().count() > MAX_LEN {
        return Err(EmailError::TooLong);
    }
    if address.chars().any(char::is_whitespace) {
        return Err(EmailError::Invalid);
    }
    let parsed = address
        .parse::<lettre::Address>()
        .map_err(|_| EmailError::Invalid)?;
    // A deliverable address on the internet has a dotted domain (`example.jp`): lettre also takes
    // `john@smith` (a local host name) and `[10.0.0.1]`, which a member never means.
    let domain = parsed.domain();
    if domain.starts_with('[') || !domain.contains('.') || domain.split('.').any(str::is_empty) {
        return Err(EmailError::NoDomainDot);
    }
    Ok(Some(address.to_owned()))
}

/// The bare address of a `From` mailbox (`webmaster@kosmoweb.jp` of `KOSMO Communication Web
/// <webmaster@kosmoweb.jp>`), as a member looks for it in an inbox; the text made safe to show
/// when it does not parse.
pub fn sender_address(from: &str) -> String {
    from.parse::<lettre::message::Mailbox>()
        .map(|m| m.email.to_string())
        .unwrap_or_else(|_| text::neutralize(from).into_owned())
}

/// An address as shown to someone who should not read it whole (the previous address, after a change):
/// the first character of the local part, `***`, and the domain. `taro@example.jp` → `t***@example.jp`.
pub fn mask_email(address: &str) -> String {
    match address.rsplit_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn masking() {
        assert_eq!(mask_email("taro@example.jp"), "t***@example.jp");
        assert_eq!(mask_email("a@b.jp"), "a***@b.jp");
        assert_eq!(mask_email("\"x@y\"@b.jp"), "\"***@b.jp");
        assert_eq!(mask_email("nonsense"), "***");
    }

    #[test]
    fn valid_addresses() {
        assert_eq!(
            validate_email("taro@example.jp", false),
            Ok(Some("taro@example.jp".to_owned()))
        );
        assert_eq!(
            validate_email("  taro.yamada+kenpo@mail.example.co.jp ", true)
                .unwrap()
                .unwrap(),
            "taro.yamada+kenpo@mail.example.co.jp"
        );
        assert_eq!(
            validate_email("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", true),
            Ok(Some("taro@example.jp".to_owned()))
        );
        assert_eq!(
            validate_email("Taro@Example.JP", false),
            Ok(Some("Taro@Example.JP".to_owned()))
        );
    }

    #[test]
    fn empty() {
        assert_eq!(validate_email("", false), Ok(None));
        assert_eq!(validate_email("  \u{3000} ", false), Ok(None));
        assert_eq!(validate_email("", true), Err(EmailError::Required));
        assert_eq!(validate_email("\u{3000}", true), Err(EmailError::Required));
    }

    #[test]
    fn invalid_addresses() {
        for s in [
            "taro",
            "taro@",
            "@example.jp",
            "taro@@example.jp",
            "taro example@example.jp",
            "\"taro yamada\"@example.jp",
            "taro@exa mple.jp",
            "taro@example..jp",
            "taro.@example.jp",
            "taro@-example.jp",
            "Taro <taro@example.jp>",
            "taro@example.jp,hanako@example.jp",
        ] {
            assert_eq!(validate_email(s, false), Err(EmailError::Invalid), "{s}");
        }
    }

    #[test]
    fn the_domain_needs_a_dot() {
        for s in ["john@smith", "taro@localhost", "taro@[10.0.0.1]"] {
            assert_eq!(
                validate_email(s, false),
                Err(EmailError::NoDomainDot),
                "{s}"
            );
        }
        assert_eq!(EmailError::NoDomainDot.msg().key, "email.no_domain_dot");
        assert!(validate_email("john@smith.jp", false).is_ok());
    }

    #[test]
    fn control_characters_never_survive() {
        // Header injection attempt: the line break is dropped by normalisation, what is left is not an address.
        let r = validate_email("taro@example.jp\r\nBcc: evil@example.com", false);
        assert_eq!(r, Err(EmailError::Invalid));
        assert_eq!(
            validate_email("taro@example.jp\u{202E}", false),
            Ok(Some("taro@example.jp".to_owned()))
        );
    }

    #[test]
    fn length_limit() {
        let local = "a".repeat(64);
        let label = "b".repeat(60);
        let ok = format!("{local}@{label}.{label}.{label}.example.jp"); // 64 + 1 + 3×61 + 10 = 258
        assert_eq!(validate_email(&ok, false), Err(EmailError::TooLong));
        let long = format!("{}@example.jp", "a".repeat(250));
        assert_eq!(validate_email(&long, false), Err(EmailError::TooLong));
        let fits = format!(
            "{local}@{}.{}.{}.jp",
            "b".repeat(61),
            "c".repeat(61),
            "d".repeat(62)
        ); // 254
        assert_eq!(fits.len(), 254);
        assert_eq!(validate_email(&fits, false), Ok(Some(fits.clone())));
    }

    #[test]
    fn messages() {
        assert_eq!(EmailError::Required.msg().key, "email.required");
        assert_eq!(
            EmailError::TooLong.msg(),
            Msg::new("email.too_long").arg("max", 254)
        );
        assert_eq!(EmailError::Invalid.msg().key, "email.invalid");
    }

    proptest! {
        #[test]
        fn accepted_addresses_are_clean(s in "\\PC{0,60}", required in any::<bool>()) {
            if let Ok(Some(addr)) = validate_email(&s, required) {
                prop_assert!(addr.chars().count() <= MAX_LEN);
                prop_assert!(!addr.chars().any(|c| c.is_whitespace() || c.is_control()));
                prop_assert!(addr.contains('@'));
            }
        }

        #[test]
        fn simple_addresses_pass(local in "[a-z0-9]{1,20}", domain in "[a-z]{1,20}\\.(jp|com|co\\.jp)") {
            let addr = format!("{local}@{domain}");
            prop_assert_eq!(validate_email(&addr, true), Ok(Some(addr.clone())));
        }
    }
}
