//! Mail as staff read it: the kind of a message in words (「ようこそ」, 「パスワード変更のお知らせ」, never
//! an internal code) and why it has not been delivered, in words, read from the reason the delivery
//! worker kept (an SMTP reply such as `permanent error (550): 5.1.1 <x>: User unknown`, a network
//! error, or `gave up after N attempts in H h: …`).
//!
//! Pure: the screens render the returned [`Msg`]s in the staff member's language.

use super::Msg;

/// Every mail kind the product queues, with the catalogue key of its name in words.
const KINDS: &[(&str, &str)] = &[
    ("welcome", "mail_kind.welcome"),
    ("contact_changed", "mail_kind.contact_changed"),
    ("email_changed_old", "mail_kind.email_changed_old"),
    ("password_changed", "mail_kind.password_changed"),
    ("reset_code", "mail_kind.reset_code"),
    ("staff_reset", "mail_kind.staff_reset"),
    ("email_correction", "mail_kind.email_correction"),
];

/// The kind of a message in words. A kind this build does not know (a newer program wrote it) is
/// called a notice, with no code shown.
pub fn kind_msg(kind: &str) -> Msg {
    let key = KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or("mail_kind.other", |(_, key)| key);
    Msg::new(key)
}

/// Whether the kind is one this build names.
pub fn known_kind(kind: &str) -> bool {
    KINDS.iter().any(|(k, _)| *k == kind)
}

/// What went wrong, as far as the kept reason tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// The receiving server says the mailbox does not exist (550 / 5.1.1, "user unknown").
    NoSuchUser,
    /// The domain of the address does not exist or takes no mail (5.1.2, 5.1.10, "domain not found").
    NoSuchDomain,
    /// The mailbox is full or over quota (452 / 552 / x.2.2).
    MailboxFull,
    /// The message is too large (x.3.4).
    TooBig,
    /// Refused by the receiving side's policy (x.7.x, 554, spam or relay refusals).
    Refused,
    /// The mail server answered "try later" (another 4xx).
    TryLater,
    /// Our mail server could not be reached (connection refused, DNS, TLS, login).
    Unreachable,
    /// No answer in time.
    Timeout,
    /// The message could not be built (a bad stored address, a bad From).
    BadMessage,
    /// Anything else.
    Other,
}

/// The reason of an undelivered or waiting message, in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MailReason {
    pub cause: Cause,
    /// The worker gave up: after this many attempts.
    pub gave_up_after: Option<u32>,
    /// The SMTP reply code, when there was one.
    pub code: Option<u16>,
}

impl MailReason {
    /// Reads a kept reason (`outbox.last_error`).
    pub fn classify(last_error: &str) -> MailReason {
        let (gave_up_after, rest) = gave_up(last_error);
        let lower = rest.to_ascii_lowercase();
        let code = reply_code(&lower);
        let enhanced = enhanced_code(&lower);
        let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
        let by_code = match enhanced {
            Some((_, 1, 1)) => Some(Cause::NoSuchUser),
            Some((_, 1, 2)) | Some((_, 1, 10)) => Some(Cause::NoSuchDomain),
            Some((_, 2, 2)) => Some(Cause::MailboxFull),
            Some((_, 3, 4)) => Some(Cause::TooBig),
            Some((_, 7, _)) => Some(Cause::Refused),
            _ => None,
        };
        let cause = if has(&["timed out", "timeout"]) {
            Cause::Timeout
        } else if has(&["cannot be built", "invalid address", "not a valid address"]) {
            Cause::BadMessage
        } else if let Some(c) = by_code {
            c
        } else if has(&[
            "domain not found",
            "host or domain name not found",
            "no such domain",
            "domain does not accept mail",
        ]) {
            Cause::NoSuchDomain
        } else if has(&[
            "user unknown",
            "unknown user",
            "no such user",
            "mailbox unavailable",
            "does not exist",
            "recipient address rejected",
            "mailbox not found",
            "no mailbox",
        ]) {
            Cause::NoSuchUser
        } else if code == Some(452)
            || has(&[
                "mailbox full",
                "over quota",
                "quota exceeded",
                "insufficient storage",
            ])
        {
            Cause::MailboxFull
        } else if has(&["too large", "message size"]) {
            Cause::TooBig
        } else if code == Some(554)
            || has(&[
                "spam",
                "blocked",
                "policy",
                "relay",
                "not permitted",
                "denied",
            ])
        {
            Cause::Refused
        } else if has(&[
            "connection refused",
            "could not be reached",
            "network",
            "unreachable",
            "connection reset",
            "broken pipe",
            "tls",
            "certificate",
            "authentication",
            "resolve",
            "lookup",
        ]) {
            Cause::Unreachable
        } else if code.is_some_and(|c| (400..500).contains(&c)) || has(&["transient error"]) {
            Cause::TryLater
        } else {
            Cause::Other
        };
        MailReason {
            cause,
            gave_up_after,
            code,
        }
    }

    /// The cause in words.
    pub fn msg(&self) -> Msg {
        Msg::new(match self.cause {
            Cause::NoSuchUser => "mail_reason.no_such_user",
            Cause::NoSuchDomain => "mail_reason.no_such_domain",
            Cause::MailboxFull => "mail_reason.mailbox_full",
            Cause::TooBig => "mail_reason.too_big",
            Cause::Refused => "mail_reason.refused",
            Cause::TryLater => "mail_reason.try_later",
            Cause::Unreachable => "mail_reason.unreachable",
            Cause::Timeout => "mail_reason.timeout",
            Cause::BadMessage => "mail_reason.bad_message",
            Cause::Other => "mail_reason.other",
        })
    }

    /// What staff can do about it, when the cause says (a wrong address wants a correction).
    pub fn advice(&self) -> Option<Msg> {
        match self.cause {
            Cause::NoSuchUser | Cause::NoSuchDomain | Cause::BadMessage => {
                Some(Msg::new("mail_reason.advice_correct"))
            }
            Cause::MailboxFull => Some(Msg::new("mail_reason.advice_full")),
            Cause::Unreachable | Cause::Timeout => Some(Msg::new("mail_reason.advice_server")),
            _ => None,
        }
    }

    /// The whole reason in words: the cause, and that the worker gave up, when it did.
    pub fn gave_up_msg(&self) -> Option<Msg> {
        self.gave_up_after
            .map(|n| Msg::new("mail_reason.gave_up").arg("attempts", n))
    }
}

/// `gave up after N attempts in H h: rest` → (N, rest).
fn gave_up(s: &str) -> (Option<u32>, &str) {
    let Some(tail) = s.strip_prefix("gave up after ") else {
        return (None, s);
    };
    let n = tail
        .split_whitespace()
        .next()
        .and_then(|n| n.parse::<u32>().ok());
    let rest = tail.split_once(": ").map_or("", |(_, r)| r);
    (n, rest)
}

/// The first three-digit SMTP reply code: `(550)`, `550 `, `550-`.
fn reply_code(s: &str) -> Option<u16> {
    let bytes = s.as_bytes();
    (0..bytes.len().saturating_sub(2)).find_map(|i| {
        let w = &bytes[i..i + 3];
        let before_ok = i == 0 || !bytes[i - 1].is_ascii_alphanumeric() && bytes[i - 1] != b'.';
        let after = bytes.get(i + 3).copied();
        let after_ok = after.is_none_or(|b| matches!(b, b' ' | b')' | b'-' | b':'));
        (before_ok
            && after_ok
            && (b'2'..=b'5').contains(&w[0])
            && w[1].is_ascii_digit()
            && w[2].is_ascii_digit())
        .then(|| ((w[0] - b'0') as u16) * 100 + ((w[1] - b'0') as u16) * 10 + (w[2] - b'0') as u16)
    })
}

/// The first RFC 3463 enhanced status code `class.subject.detail` (4.x.x or 5.x.x).
fn enhanced_code(s: &str) -> Option<(u8, u16, u16)> {
    s.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter_map(|w| {
            let mut parts = w.split('.');
            let class = parts.next()?.parse::<u8>().ok()?;
            let subject = parts.next()?.parse::<u16>().ok()?;
            let detail = parts.next()?.parse::<u16>().ok()?;
            (parts.next().is_none() && matches!(class, 4 | 5) && subject < 10 && detail < 100)
                .then_some((class, subject, detail))
        })
        .next()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cause(s: &str) -> Cause {
        MailReason::classify(s).cause
    }

    #[test]
    fn replies_read_as_causes() {
        assert_eq!(
            cause(
                "permanent error (550): 5.1.1 <hanako@example.jp>: Recipient address rejected: User unknown"
            ),
            Cause::NoSuchUser
        );
        assert_eq!(
            cause("permanent error (550): mailbox unavailable"),
            Cause::NoSuchUser
        );
        assert_eq!(
            cause("permanent error (550): 5.1.2 Host or domain name not found"),
            Cause::NoSuchDomain
        );
        assert_eq!(
            cause("transient error (452): 4.2.2 Mailbox full"),
            Cause::MailboxFull
        );
        assert_eq!(
            cause("permanent error (552): 5.3.4 Message too big"),
            Cause::TooBig
        );
        assert_eq!(
            cause("permanent error (554): 5.7.1 Message rejected as spam"),
            Cause::Refused
        );
        assert_eq!(
            cause("transient error (451): 4.3.0 try again later"),
            Cause::TryLater
        );
        assert_eq!(
            cause("Connection error: Connection refused (os error 111)"),
            Cause::Unreachable
        );
        assert_eq!(
            cause("timed out: no answer from the server within 30 s"),
            Cause::Timeout
        );
        assert_eq!(
            cause(
                "transient error (450): 4.1.2 <a@b.example>: Recipient address rejected: Domain not found"
            ),
            Cause::NoSuchDomain
        );
        assert_eq!(cause("something odd"), Cause::Other);
        assert_eq!(cause(""), Cause::Other);
    }

    #[test]
    fn giving_up_keeps_the_cause_and_the_count() {
        let r = MailReason::classify(
            "gave up after 20 attempts in 121 h: transient error (451): 4.3.0 try again later",
        );
        assert_eq!(r.gave_up_after, Some(20));
        assert_eq!(r.cause, Cause::TryLater);
        assert_eq!(r.code, Some(451));
        let r = MailReason::classify("gave up after 3 attempts in 1 h: Connection refused");
        assert_eq!((r.gave_up_after, r.cause), (Some(3), Cause::Unreachable));
    }

    #[test]
    fn numbers_inside_addresses_are_not_codes() {
        assert_eq!(reply_code("to user550@example.jp"), None);
        assert_eq!(reply_code("(550): x"), Some(550));
        assert_eq!(reply_code("451-4.3.0 later"), Some(451));
        assert_eq!(enhanced_code("ip 192.0.2.7 refused"), None);
        assert_eq!(enhanced_code("550 5.1.1 user"), Some((5, 1, 1)));
    }

    #[test]
    fn every_kind_has_words_and_unknown_kinds_show_no_code() {
        for (kind, _) in KINDS {
            assert_ne!(kind_msg(kind).key, "mail_kind.other", "{kind}");
        }
        assert_eq!(kind_msg("expense_notice_v9").key, "mail_kind.other");
        assert!(kind_msg("expense_notice_v9").args.is_empty());
    }

    #[test]
    fn every_key_exists() {
        let cat = crate::i18n::Catalogue::get();
        let mut keys: Vec<&str> = KINDS.iter().map(|(_, k)| *k).collect();
        keys.push("mail_kind.other");
        for cause in [
            Cause::NoSuchUser,
            Cause::NoSuchDomain,
            Cause::MailboxFull,
            Cause::TooBig,
            Cause::Refused,
            Cause::TryLater,
            Cause::Unreachable,
            Cause::Timeout,
            Cause::BadMessage,
            Cause::Other,
        ] {
            let r = MailReason {
                cause,
                gave_up_after: Some(2),
                code: None,
            };
            keys.push(r.msg().key);
            keys.extend(r.advice().map(|m| m.key));
            keys.extend(r.gave_up_msg().map(|m| m.key));
        }
        for key in keys {
            for lang in crate::domain::Lang::ALL {
                assert!(cat.lookup(lang, key).is_some(), "{key} missing in {lang}");
            }
        }
    }
}
