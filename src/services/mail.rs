//! Mail messages: templates in `assets/mail/`, composed into outbox rows. Bodies never contain a
//! password. [`build_message`] turns an outbox row into the bytes sent; delivery over SMTP lives in
//! `services::delivery`.

use std::time::SystemTime;

use lettre::Message;
use lettre::address::Envelope;
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, SinglePart};
use rand::{RngCore, TryRngCore};
use time::OffsetDateTime;

use crate::dates::jst_long_time;
use crate::domain::Lang;
use crate::domain::text::neutralize;
use crate::store::outbox::OutboxRow;

/// A composed message, ready for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    pub subject: String,
    pub body: String,
}

/// The template text of `name` (`welcome`, …) in `lang`.
pub fn template(name: &str, lang: Lang) -> Option<&'static str> {
    Some(match (name, lang) {
        ("welcome", Lang::Ja) => include_str!("../../assets/mail/welcome.ja.txt"),
        ("welcome", Lang::En) => include_str!("../../assets/mail/welcome.en.txt"),
        ("contact_changed", Lang::Ja) => include_str!("../../assets/mail/contact_changed.ja.txt"),
        ("contact_changed", Lang::En) => include_str!("../../assets/mail/contact_changed.en.txt"),
        ("email_changed_old", Lang::Ja) => {
            include_str!("../../assets/mail/email_changed_old.ja.txt")
        }
        ("email_changed_old", Lang::En) => {
            include_str!("../../assets/mail/email_changed_old.en.txt")
        }
        ("password_changed", Lang::Ja) => {
            include_str!("../../assets/mail/password_changed.ja.txt")
        }
        ("password_changed", Lang::En) => {
            include_str!("../../assets/mail/password_changed.en.txt")
        }
        ("staff_reset", Lang::Ja) => include_str!("../../assets/mail/staff_reset.ja.txt"),
        ("staff_reset", Lang::En) => include_str!("../../assets/mail/staff_reset.en.txt"),
        ("email_correction", Lang::Ja) => {
            include_str!("../../assets/mail/email_correction.ja.txt")
        }
        ("email_correction", Lang::En) => {
            include_str!("../../assets/mail/email_correction.en.txt")
        }
        ("reset_code", Lang::Ja) => include_str!("../../assets/mail/reset_code.ja.txt"),
        ("reset_code", Lang::En) => include_str!("../../assets/mail/reset_code.en.txt"),
        ("expenses_updated", Lang::Ja) => {
            include_str!("../../assets/mail/expenses_updated.ja.txt")
        }
        ("expenses_updated", Lang::En) => {
            include_str!("../../assets/mail/expenses_updated.en.txt")
        }
        ("benefits_decided", Lang::Ja) => {
            include_str!("../../assets/mail/benefits_decided.ja.txt")
        }
        ("benefits_decided", Lang::En) => {
            include_str!("../../assets/mail/benefits_decided.en.txt")
        }
        _ => return None,
    })
}

/// Fills a template: the first line is `Subject: …`, then a blank line, then the body. `{name}` is
/// replaced by its value (neutralised); a line whose placeholder has an empty value is dropped whole.
pub fn render(template: &str, values: &[(&str, &str)]) -> Composed {
    let mut lines = template.lines();
    let mut subject = String::new();
    let first = lines.next().unwrap_or_default();
    let mut body_lines: Vec<&str> = Vec::new();
    if let Some(s) = first.strip_prefix("Subject:") {
        subject = s.trim().to_string();
        // Skip the one blank line that separates the header from the body.
        let mut rest = lines.peekable();
        if rest.peek().is_some_and(|l| l.trim().is_empty()) {
            rest.next();
        }
        body_lines.extend(rest);
    } else {
        body_lines.push(first);
        body_lines.extend(lines);
    }
    let clean: Vec<(&str, String)> = values
        .iter()
        .map(|(name, value)| (*name, neutralize(value).into_owned()))
        .collect();
    let args: Vec<(&str, &str)> = clean.iter().map(|(n, v)| (*n, v.as_str())).collect();
    // A line whose placeholder has an empty value is dropped whole; the rest are filled.
    let fill = |line: &str| -> Option<String> {
        let empty = values
            .iter()
            .any(|(name, value)| value.is_empty() && line.contains(&format!("{{{name}}}")));
        (!empty).then(|| crate::i18n::fill(line, &args))
    };
    let body: Vec<String> = body_lines.iter().filter_map(|l| fill(l)).collect();
    let mut body = body.join("\n");
    body.push('\n');
    Composed {
        subject: fill(&subject).unwrap_or_default(),
        body,
    }
}

/// The welcome mail for a new account.
pub fn welcome(
    lang: Lang,
    user_id: &str,
    registered_at: OffsetDateTime,
    household_masked: &str,
    contact: &str,
) -> Composed {
    let when = jst_long_time(registered_at, lang);
    render(
        template("welcome", lang).unwrap_or_default(),
        &[
            ("user_id", user_id),
            ("registered_at", &when),
            ("household", household_masked),
            ("contact", contact),
        ],
    )
}

/// To the address now on file after a change under 個人情報管理.
pub fn contact_changed(
    lang: Lang,
    user_id: &str,
    email: &str,
    notify_mail: bool,
    changed_at: OffsetDateTime,
    contact: &str,
) -> Composed {
    let notify = match (lang, notify_mail) {
        (Lang::Ja, true) => "必要",
        (Lang::Ja, false) => "不要",
        (Lang::En, true) => "Yes",
        (Lang::En, false) => "No",
    };
    render(
        template("contact_changed", lang).unwrap_or_default(),
        &[
            ("user_id", user_id),
            ("email", email),
            ("notify", notify),
            ("changed_at", &jst_long_time(changed_at, lang)),
            ("contact", contact),
        ],
    )
}

/// To the previous address when it was replaced or removed. The new address only appears masked.
pub fn email_changed_old(
    lang: Lang,
    user_id: &str,
    new_email: Option<&str>,
    changed_at: OffsetDateTime,
    contact: &str,
) -> Composed {
    let new_email = match (new_email, lang) {
        (Some(e), _) => crate::domain::email::mask_email(e),
        (None, Lang::Ja) => "（登録なし）".to_string(),
        (None, Lang::En) => "(none)".to_string(),
    };
    render(
        template("email_changed_old", lang).unwrap_or_default(),
        &[
            ("user_id", user_id),
            ("new_email", &new_email),
            ("changed_at", &jst_long_time(changed_at, lang)),
            ("contact", contact),
        ],
    )
}

/// How a password came to be changed, for [`password_changed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordHow {
    /// パスワード変更 from the menu.
    Menu,
    /// The change required at login.
    Forced,
    /// The forgotten-password confirmation code.
    Reset,
}

/// The notice after a password change or reset. Never carries the password.
pub fn password_changed(
    lang: Lang,
    user_id: &str,
    how: PasswordHow,
    changed_at: OffsetDateTime,
    contact: &str,
) -> Composed {
    let how = match (lang, how) {
        (Lang::Ja, PasswordHow::Menu) => "メニューの「パスワード変更」",
        (Lang::Ja, PasswordHow::Forced) => "ログイン時のパスワード変更",
        (Lang::Ja, PasswordHow::Reset) => "「パスワードを忘れた方」の確認コード",
        (Lang::En, PasswordHow::Menu) => "\"Change password\" on the menu",
        (Lang::En, PasswordHow::Forced) => "the password change required at login",
        (Lang::En, PasswordHow::Reset) => "a confirmation code (\"Forgot your password?\")",
    };
    render(
        template("password_changed", lang).unwrap_or_default(),
        &[
            ("user_id", user_id),
            ("how", how),
            ("changed_at", &jst_long_time(changed_at, lang)),
            ("contact", contact),
        ],
    )
}

/// The one-time code of a forgotten password.
pub fn reset_code(
    lang: Lang,
    user_id: &str,
    code: &str,
    valid_until: OffsetDateTime,
    minutes: u32,
    contact: &str,
) -> Composed {
    render(
        template("reset_code", lang).unwrap_or_default(),
        &[
            ("user_id", user_id),
            ("code", code),
            ("valid_until", &jst_long_time(valid_until, lang)),
            ("minutes", &minutes.to_string()),
            ("contact", contact),
        ],
    )
}

/// The notice that imported data changed (`expenses_updated`, `benefits_decided`): that there is
/// something new and where to see it; no amount, name or provider (the template has no placeholder
/// for one).
pub fn data_notice(name: &str, lang: Lang, contact: &str) -> Composed {
    render(
        template(name, lang).unwrap_or_default(),
        &[("contact", contact)],
    )
}

/// After パスワード再設定 at the counter. Never carries the initial password.
pub fn staff_reset(
    lang: Lang,
    user_id: &str,
    changed_at: OffsetDateTime,
    contact: &str,
) -> Composed {
    render(
        template("staff_reset", lang).unwrap_or_default(),
        &[
            ("user_id", user_id),
            ("changed_at", &jst_long_time(changed_at, lang)),
            ("contact", contact),
        ],
    )
}

/// To the corrected address after メールアドレス訂正 at the counter; `resent` undelivered messages now go
/// there too (the line saying so is dropped when there are none).
pub fn email_correction(
    lang: Lang,
    user_id: &str,
    resent: usize,
    changed_at: OffsetDateTime,
    contact: &str,
) -> Composed {
    let resent = if resent == 0 {
        String::new()
    } else {
        resent.to_string()
    };
    render(
        template("email_correction", lang).unwrap_or_default(),
        &[
            ("user_id", user_id),
            ("resent", &resent),
            ("changed_at", &jst_long_time(changed_at, lang)),
            ("contact", contact),
        ],
    )
}

/// `Auto-Submitted: auto-generated` (RFC 3834): tells auto-responders not to answer.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_string())
    }
}

/// A message ready for the wire: the SMTP envelope (one recipient) and the RFC 5322 bytes.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub envelope: Envelope,
    pub bytes: Vec<u8>,
}

/// Why an outbox row cannot become a message (it never will: the row goes to `dead`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BuildError(pub String);

/// Parses the configured From (`Name <addr>` or `addr`).
pub fn parse_from(from: &str) -> Result<Mailbox, BuildError> {
    from.parse::<Mailbox>()
        .map_err(|e| BuildError(format!("the From address {from:?} is not valid: {e}")))
}

/// Builds the message of an outbox row: From the configured address, To its one recipient, the
/// subject and body as stored (UTF-8; lettre encodes headers per RFC 2047 and picks the body's
/// transfer encoding, so the bytes are 7-bit clean), the Message-ID fixed at enqueue and the Date of
/// enqueueing. The same row always gives the same bytes, so a retry is the same message.
pub fn build_message(row: &OutboxRow, from: &Mailbox) -> Result<Outgoing, BuildError> {
    let to: Mailbox = row
        .to
        .parse()
        .map_err(|e| BuildError(format!("the recipient address is not valid: {e}")))?;
    let message = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(row.subject.clone())
        .message_id(Some(row.message_id.clone()))
        .date(SystemTime::from(row.created_at))
        .header(AutoSubmitted)
        .singlepart(SinglePart::plain(row.body.clone()))
        .map_err(|e| BuildError(format!("the message cannot be built: {e}")))?;
    Ok(Outgoing {
        envelope: message.envelope().clone(),
        bytes: message.formatted(),
    })
}

/// The domain of the From address (`webmaster@kosmoweb.jp` → `kosmoweb.jp`).
pub fn from_domain(from: &str) -> String {
    from.parse::<lettre::message::Mailbox>()
        .map(|m| m.email.domain().to_string())
        .unwrap_or_else(|_| "kosmoweb.jp".to_string())
}

/// A new Message-ID (`<random@domain>`), fixed when the row is queued and reused on every retry.
pub fn new_message_id(from: &str) -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.unwrap_err().fill_bytes(&mut bytes);
    format!("<{}.kosmo@{}>", hex::encode(bytes), from_domain(from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welcome_mail_has_subject_user_id_and_no_password_line() {
        let at = time::macros::datetime!(2026-11-25 02:00:00 UTC);
        let m = welcome(
            Lang::Ja,
            "tanaka2026",
            at,
            "******97-12-**34",
            "03-0000-0000",
        );
        assert_eq!(m.subject, "KOSMO Communication Web へようこそ");
        assert!(m.body.contains("tanaka2026"));
        assert!(m.body.contains("2026年11月25日 11:00"));
        assert!(
            !m.body.contains('{'),
            "every placeholder filled: {}",
            m.body
        );
        let en = welcome(Lang::En, "tanaka2026", at, "", "");
        assert_eq!(en.subject, "Welcome to KOSMO Communication Web");
        assert!(en.body.contains("tanaka2026"));
        assert!(!en.body.contains('{'));
    }

    #[test]
    fn render_neutralises_values_and_drops_empty_lines() {
        let c = render(
            "Subject: Hi {name}\n\nA {name}\nB {gone}\nC\n",
            &[("name", "x\u{1b}[31my"), ("gone", "")],
        );
        assert_eq!(c.subject, "Hi x\u{FFFD}[31my");
        assert_eq!(c.body, "A x\u{FFFD}[31my\nC\n");
    }

    #[test]
    fn account_mails_fill_every_placeholder_and_carry_no_password() {
        let at = time::macros::datetime!(2026-11-25 02:00:00 UTC);
        for lang in Lang::ALL {
            let mails = [
                contact_changed(lang, "tanaka2026", "new@example.jp", true, at, "03"),
                email_changed_old(lang, "tanaka2026", Some("new@example.jp"), at, "03"),
                email_changed_old(lang, "tanaka2026", None, at, "03"),
                password_changed(lang, "tanaka2026", PasswordHow::Menu, at, "03"),
                password_changed(lang, "tanaka2026", PasswordHow::Forced, at, "03"),
                password_changed(lang, "tanaka2026", PasswordHow::Reset, at, "03"),
                reset_code(lang, "tanaka2026", "01234567", at, 15, "03"),
            ];
            for m in &mails {
                assert!(!m.subject.is_empty(), "{lang}: {m:?}");
                assert!(m.subject.contains("KOSMO Communication Web"), "{m:?}");
                assert!(m.body.contains("tanaka2026"), "{m:?}");
                assert!(!m.body.contains('{') && !m.subject.contains('{'), "{m:?}");
            }
            assert!(mails[0].body.contains("new@example.jp"));
            assert!(
                !mails[1].body.contains("new@example.jp"),
                "the old address sees the new one masked only"
            );
            assert!(
                mails[1].body.contains("n***@example.jp"),
                "{}",
                mails[1].body
            );
            assert!(mails[6].body.contains("01234567"));
            assert!(mails[6].body.contains("15"));
        }
        let ja = reset_code(Lang::Ja, "u", "01234567", at, 15, "");
        assert!(ja.body.contains("2026年11月25日 11:00"), "{}", ja.body);
    }

    #[test]
    fn data_notices_say_where_to_look_and_carry_no_amount() {
        for lang in Lang::ALL {
            for (name, menu) in [
                ("expenses_updated", ["医療費照会", "Medical expenses"]),
                ("benefits_decided", ["支給決定通知", "Benefit decisions"]),
            ] {
                let m = data_notice(name, lang, "03-0000-0000");
                assert!(m.subject.contains("KOSMO Communication Web"), "{m:?}");
                assert!(
                    m.body.contains(menu[lang as usize]),
                    "{lang} {name}: {}",
                    m.body
                );
                assert!(m.body.contains("03-0000-0000"));
                assert!(!m.body.contains('{') && !m.subject.contains('{'), "{m:?}");
                assert!(
                    !m.body.contains('円') && !m.body.contains('¥'),
                    "no amount: {}",
                    m.body
                );
            }
        }
        assert!(
            data_notice("expenses_updated", Lang::Ja, "")
                .subject
                .contains("医療費のお知らせを更新しました")
        );
        assert!(
            data_notice("benefits_decided", Lang::Ja, "")
                .subject
                .contains("支給決定のお知らせ")
        );
    }

    #[test]
    fn message_ids_are_unique_and_on_the_from_domain() {
        let from = "KOSMO Communication Web <webmaster@kosmoweb.jp>";
        let a = new_message_id(from);
        let b = new_message_id(from);
        assert_ne!(a, b);
        assert!(a.starts_with('<') && a.ends_with("@kosmoweb.jp>"), "{a}");
    }
}
