//! The audit trail as sentences: each stored row (event, outcome, the ID acted on, the detail text the
//! services wrote) read back as one sentence in the staff member's language and its details as labelled
//! fields — 「ハガキの仮IDでログインしました」 with 「ID: TEMPID0002」, not `login ok temporary ok`.
//!
//! The detail formats read here are the ones the services write (each is named beside its parser);
//! `tests/services/audit.rs` drives every flow and checks that every row the product writes reads as a
//! sentence. A row of an event this build does not know is still shown: its event and detail as stored.
//!
//! Pure: the screens render the returned [`Msg`]s.

use super::Msg;
use crate::domain::mail_words::{self, MailReason};

/// One row in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditWords {
    /// What happened, e.g. 「会員登録を完了しました」.
    pub sentence: Msg,
    /// The details, each a label and a value.
    pub fields: Vec<(Msg, Msg)>,
    /// The event is one this build knows.
    pub known: bool,
}

/// Who acted, in words: a kiosk, a staff member, an administrator, with the SSH client address when
/// one was recorded.
pub fn actor_msg(channel: &str, staff_id: Option<&str>, client_addr: Option<&str>) -> Msg {
    let (key, from_key) = match (channel, staff_id) {
        ("staff", Some(_)) => ("audit_who.staff", "audit_who.staff_from"),
        ("staff", None) => ("audit_who.console", "audit_who.console_from"),
        ("kiosk", _) => ("audit_who.kiosk", "audit_who.kiosk_from"),
        ("admin", _) => ("audit_who.admin", "audit_who.admin_from"),
        _ => ("audit_who.other", "audit_who.other_from"),
    };
    let m = match client_addr {
        Some(addr) => Msg::new(from_key).arg("addr", addr),
        None => Msg::new(key),
    };
    m.arg("id", staff_id.unwrap_or("")).arg("channel", channel)
}

fn text(value: impl ToString) -> Msg {
    Msg::new("audit_field.text").arg("text", value)
}

fn word(key: &'static str) -> Msg {
    Msg::new(key)
}

struct Builder {
    fields: Vec<(Msg, Msg)>,
}

impl Builder {
    fn field(&mut self, label: &'static str, value: Msg) {
        self.fields.push((Msg::new(label), value));
    }

    fn text(&mut self, label: &'static str, value: &str) {
        if !value.is_empty() && value != "-" {
            self.field(label, text(value));
        }
    }
}

/// `key value key value …` → the value after `key`.
fn after<'a>(detail: &'a str, key: &str) -> Option<&'a str> {
    let mut words = detail.split_whitespace();
    while let Some(w) = words.next() {
        if w == key {
            return words.next();
        }
    }
    None
}

/// `k=v k=v …[: free text]` → the value of `k`.
fn kv<'a>(detail: &'a str, key: &str) -> Option<&'a str> {
    let head = detail.split_once(": ").map_or(detail, |(h, _)| h);
    head.split_whitespace()
        .filter_map(|w| w.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

/// The free text after the first `": "`.
fn tail(detail: &str) -> Option<&str> {
    detail
        .split_once(": ")
        .map(|(_, t)| t)
        .filter(|t| !t.is_empty() && *t != "-")
}

fn registrant(value: &str) -> Msg {
    match value {
        "insured" => word("rel.insured"),
        "dependent" => word("rel.dependent"),
        other => text(other),
    }
}

fn stamp(value: &str) -> Msg {
    match crate::dates::parse_stamp(value) {
        Ok(t) => text(crate::dates::jst_minute(t)),
        Err(_) => text(value),
    }
}

fn mail_kind(value: &str) -> Msg {
    mail_words::kind_msg(value)
}

fn reason_words(raw: &str) -> Msg {
    MailReason::classify(raw).msg()
}

/// Reads one stored row. `subject` is the ID acted on; `detail` the services' text.
pub fn describe(
    event: &str,
    outcome: &str,
    subject: Option<&str>,
    detail: Option<&str>,
) -> AuditWords {
    let d = detail.unwrap_or("");
    let mut b = Builder { fields: Vec::new() };
    let ok = outcome == "ok";
    let key: &'static str = match event {
        // auth.rs: "{temporary|permanent|unknown} {ok|bad_password|locked|credential_not_usable}";
        // staff.rs: "staff console: not a temporary ID".
        "login" => {
            let kind = d.split_whitespace().next().unwrap_or("");
            if let Some(id) = subject {
                b.text("audit_field.id", id);
            }
            if ok {
                if kind == "permanent" {
                    "audit.login_permanent"
                } else {
                    "audit.login_temporary"
                }
            } else {
                let why = if d.starts_with("staff console") {
                    "audit_reason.not_temporary"
                } else {
                    match d.split_whitespace().nth(1).unwrap_or("") {
                        "locked" => "audit_reason.locked",
                        "credential_not_usable" => "audit_reason.credential_not_usable",
                        _ if kind == "unknown" => "audit_reason.unknown_id",
                        _ => "audit_reason.bad_password",
                    }
                };
                b.field("audit_field.reason", word(why));
                "audit.login_failed"
            }
        }
        // registration.rs: "registrant {insured|dependent}" when ok.
        "identity_check" => {
            if let Some(id) = subject {
                b.text("audit_field.temp_id", id);
            }
            if let Some(r) = after(d, "registrant") {
                b.field("audit_field.registrant", registrant(r));
            }
            match outcome {
                "ok" => "audit.identity_ok",
                "locked" => "audit.identity_locked",
                "credential_not_usable" => "audit.identity_not_usable",
                _ => "audit.identity_failed",
            }
        }
        // registration.rs: "household X registrant R temp T terms V[ counter_agreed][ welcome_mail queued]".
        "register" => {
            if let Some(id) = subject {
                b.text("audit_field.user_id", id);
            }
            if let Some(r) = after(d, "registrant") {
                b.field("audit_field.registrant", registrant(r));
            }
            if let Some(t) = after(d, "temp") {
                b.text("audit_field.temp_id", t);
            }
            if let Some(v) = after(d, "terms") {
                b.text("audit_field.terms", v);
            }
            if d.split_whitespace().any(|w| w == "counter_agreed") {
                b.field("audit_field.agreed", word("audit_value.at_counter"));
            }
            if after(d, "welcome_mail").is_some() {
                b.field("audit_field.welcome_mail", word("audit_value.queued"));
            }
            "audit.register"
        }
        // lockout.rs: subject = the lock key, detail "until TS".
        "lock" => {
            if let Some(id) = subject {
                b.text("audit_field.id", id);
            }
            if let Some(t) = after(d, "until") {
                b.field("audit_field.until", stamp(t));
            }
            "audit.lock"
        }
        "unlock" => {
            if let Some(id) = subject {
                b.text("audit_field.id", id);
            }
            match outcome {
                "ok" => "audit.unlock",
                "not_locked" => "audit.unlock_not_locked",
                _ => "audit.unlock_unknown",
            }
        }
        "logout" => {
            if let Some(id) = subject {
                b.text("audit_field.user_id", id);
            }
            if outcome == "idle" {
                "audit.logout_idle"
            } else {
                "audit.logout"
            }
        }
        // account.rs: "menu" | "forced age|expired|initial" | "wrong current password".
        "password_change" => {
            if let Some(id) = subject {
                b.text("audit_field.user_id", id);
            }
            if ok {
                let how = match d {
                    "forced age" => "audit_value.forced_age",
                    "forced expired" => "audit_value.forced_expired",
                    "forced initial" => "audit_value.forced_initial",
                    _ => "audit_value.menu",
                };
                b.field("audit_field.how", word(how));
                "audit.password_change"
            } else {
                "audit.password_change_failed"
            }
        }
        // reset.rs: outcome sent|unknown|no_email|mismatch|throttled|locked.
        "password_reset_request" => {
            if let Some(id) = subject {
                b.text("audit_field.user_id", id);
            }
            match outcome {
                "sent" => "audit.reset_code_sent",
                "no_email" => "audit.reset_no_email",
                "throttled" => "audit.reset_throttled",
                "locked" => "audit.reset_locked",
                _ => "audit.reset_mismatch",
            }
        }
        // reset.rs: ok, or failed with the reason as detail.
        "password_reset" => {
            if let Some(id) = subject {
                b.text("audit_field.user_id", id);
            }
            if ok {
                "audit.password_reset"
            } else {
                let why = match d {
                    "locked" => "audit_reason.locked",
                    "expired" => "audit_reason.code_expired",
                    "used" => "audit_reason.code_used",
                    "attempts" => "audit_reason.code_attempts",
                    "no_code" => "audit_reason.no_code",
                    "unknown" => "audit_reason.unknown_id",
                    _ => "audit_reason.wrong_code",
                };
                b.field("audit_field.reason", word(why));
                "audit.password_reset_failed"
            }
        }
        // account.rs: "email A -> B notify yes -> no" (addresses masked).
        "contact_change" => {
            if let Some(id) = subject {
                b.text("audit_field.user_id", id);
            }
            let words: Vec<&str> = d.split_whitespace().collect();
            if let [_, old, _, new, _, n_old, _, n_new] = words.as_slice() {
                b.field(
                    "audit_field.email",
                    Msg::new("audit_value.change")
                        .arg("old", old)
                        .arg("new", new),
                );
                if n_old != n_new {
                    let change = if *n_new == "yes" {
                        "audit_value.notify_on"
                    } else {
                        "audit_value.notify_off"
                    };
                    b.field("audit_field.notify", word(change));
                }
            }
            "audit.contact_change"
        }
        "expire_password" => {
            if let Some(id) = subject {
                b.text("audit_field.user_id", id);
            }
            "audit.expire_password"
        }
        "staff_add" => {
            if let Some(id) = subject {
                b.text("audit_field.staff_id", id);
            }
            "audit.staff_add"
        }
        // staff.rs: detail = the reason (ok, locked, unknown, bad_password, disabled).
        "staff_login" => {
            if let Some(id) = subject {
                b.text("audit_field.staff_id", id);
            }
            if ok {
                "audit.staff_login"
            } else {
                let why = match d {
                    "locked" => "audit_reason.locked",
                    "unknown" => "audit_reason.unknown_id",
                    "disabled" => "audit_reason.disabled",
                    _ => "audit_reason.bad_password",
                };
                b.field("audit_field.reason", word(why));
                "audit.staff_login_failed"
            }
        }
        "staff_logout" => match outcome {
            "idle" => "audit.staff_logout_idle",
            "hangup" => "audit.staff_logout_hangup",
            _ => "audit.staff_logout",
        },
        // households.rs: "by key X: n found" | "by name and birth date: n found".
        "household_lookup" => {
            let how = if d.starts_with("by key") {
                "audit_value.by_key"
            } else {
                "audit_value.by_name"
            };
            b.field("audit_field.found_by", word(how));
            if let Some(n) = tail(d).and_then(|t| t.split_whitespace().next()) {
                b.text("audit_field.found", n);
            }
            if outcome == "not_found" {
                "audit.lookup_not_found"
            } else {
                "audit.lookup"
            }
        }
        // credentials.rs / reissue.rs: "household X expires D[ previous revoked]".
        "issue_credential" | "reissue_credential" => {
            if let Some(id) = subject {
                b.text("audit_field.temp_id", id);
            }
            if let Some(e) = after(d, "expires") {
                b.text("audit_field.expires", e);
            }
            if d.contains("previous revoked") {
                b.field("audit_field.previous", word("audit_value.revoked"));
            }
            if event == "issue_credential" {
                "audit.issue_credential"
            } else {
                "audit.reissue_credential"
            }
        }
        // outbox.rs: "kind=K was=S attempts=N: reason" (earlier: "K after N attempts: reason").
        "mail_requeue" => {
            if let Some(s) = subject {
                b.text("audit_field.mail", s.trim_start_matches("mail "));
            }
            let kind = kv(d, "kind").or_else(|| d.split_whitespace().next());
            if let Some(k) = kind {
                b.field("audit_field.kind", mail_kind(k));
            }
            if let Some(n) = kv(d, "attempts").or_else(|| after(d, "after")) {
                b.text("audit_field.attempts", n);
            }
            if let Some(r) = tail(d) {
                b.field("audit_field.reason", reason_words(r));
            }
            if kv(d, "was") == Some("queued") {
                "audit.mail_send_now"
            } else {
                "audit.mail_requeue"
            }
        }
        // delivery/worker.rs: "K MESSAGE-ID attempt N[: reason]".
        "mail_sent" | "mail_dead" | "mail_deferred" => {
            if let Some(s) = subject {
                b.text("audit_field.mail", &s.replace("outbox:", "#"));
            }
            if let Some(k) = d.split_whitespace().next() {
                b.field("audit_field.kind", mail_kind(k));
            }
            if let Some(n) = after(d, "attempt") {
                b.text("audit_field.attempts", n.trim_end_matches(':'));
            }
            if let Some(r) = tail(d) {
                b.field("audit_field.reason", reason_words(r));
                b.text("audit_field.reply", r);
            }
            match event {
                "mail_sent" => "audit.mail_sent",
                "mail_dead" => "audit.mail_dead",
                _ => "audit.mail_deferred",
            }
        }
        // staff_reset.rs: "checks=card,birth_date[ lock=cleared][ mail=queued]".
        "staff_reset" => {
            if let Some(id) = subject {
                b.text("audit_field.user_id", id);
            }
            if kv(d, "checks").is_some() {
                b.field("audit_field.checks", word("audit_value.card_and_birth"));
            }
            if kv(d, "lock") == Some("cleared") {
                b.field("audit_field.lock", word("audit_value.cleared"));
            }
            if kv(d, "mail") == Some("queued") {
                b.field("audit_field.notice_mail", word("audit_value.queued"));
            }
            "audit.staff_reset"
        }
        // email_correction.rs: "old=A new=B start=S resent=#1,#2 replaced=#3".
        "email_correction" => {
            if let Some(id) = subject {
                b.text("audit_field.user_id", id);
            }
            if let (Some(old), Some(new)) = (kv(d, "old"), kv(d, "new")) {
                b.field(
                    "audit_field.email",
                    Msg::new("audit_value.change")
                        .arg("old", old)
                        .arg("new", new),
                );
            }
            if let Some(r) = kv(d, "resent") {
                b.text("audit_field.resent", r);
            }
            "audit.email_correction"
        }
        // Administrators' commands: the detail as written.
        "import_members" | "backup" | "restore" | "purge" => {
            b.text("audit_field.detail", d);
            match event {
                "import_members" => "audit.import_members",
                "backup" => "audit.backup",
                "restore" => "audit.restore",
                _ => "audit.purge",
            }
        }
        other => {
            if let Some(id) = subject {
                b.text("audit_field.id", id);
            }
            b.text("audit_field.detail", d);
            return AuditWords {
                sentence: Msg::new("audit.other")
                    .arg("event", other)
                    .arg("outcome", outcome),
                fields: b.fields,
                known: false,
            };
        }
    };
    AuditWords {
        sentence: Msg::new(key),
        fields: b.fields,
        known: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(w: &AuditWords) -> Vec<&str> {
        w.fields.iter().map(|(l, _)| l.key).collect()
    }

    #[test]
    fn registration_reads_as_a_sentence_with_fields() {
        let w = describe(
            "register",
            "ok",
            Some("sato1980"),
            Some(
                "household ******97-12-**02 registrant insured temp TEMPID0002 terms 2026-11-01 counter_agreed welcome_mail queued",
            ),
        );
        assert_eq!(w.sentence.key, "audit.register");
        assert_eq!(
            keys(&w),
            [
                "audit_field.user_id",
                "audit_field.registrant",
                "audit_field.temp_id",
                "audit_field.terms",
                "audit_field.agreed",
                "audit_field.welcome_mail"
            ]
        );
        assert_eq!(w.fields[1].1.key, "rel.insured");
    }

    #[test]
    fn failures_say_why() {
        let w = describe(
            "login",
            "failed",
            Some("TEMPID0002"),
            Some("temporary bad_password"),
        );
        assert_eq!(w.sentence.key, "audit.login_failed");
        assert_eq!(w.fields[1].1.key, "audit_reason.bad_password");
        let w = describe("login", "failed", None, Some("unknown bad_password"));
        assert_eq!(w.fields[0].1.key, "audit_reason.unknown_id");
        let w = describe(
            "login",
            "failed",
            None,
            Some("staff console: not a temporary ID"),
        );
        assert_eq!(w.fields[0].1.key, "audit_reason.not_temporary");
    }

    #[test]
    fn mail_rows_use_words_for_kind_and_reason() {
        let w = describe(
            "mail_dead",
            "failed",
            Some("outbox:3"),
            Some("welcome <a@kosmoweb.jp> attempt 1: permanent error (550): 5.1.1 User unknown"),
        );
        assert_eq!(w.sentence.key, "audit.mail_dead");
        let kinds: Vec<&str> = w.fields.iter().map(|(_, v)| v.key).collect();
        assert!(kinds.contains(&"mail_kind.welcome"), "{kinds:?}");
        assert!(kinds.contains(&"mail_reason.no_such_user"), "{kinds:?}");
        let w = describe(
            "mail_requeue",
            "ok",
            Some("mail #3"),
            Some("kind=welcome was=queued attempts=2: transient error (451): later"),
        );
        assert_eq!(w.sentence.key, "audit.mail_send_now");
        let w = describe(
            "mail_requeue",
            "ok",
            Some("mail #3"),
            Some("welcome after 7 attempts: 550 x"),
        );
        assert_eq!(w.sentence.key, "audit.mail_requeue");
        assert!(w.fields.iter().any(|(_, v)| v.key == "mail_kind.welcome"));
    }

    #[test]
    fn unknown_events_are_shown_as_stored() {
        let w = describe("import_expenses", "ok", None, Some("rows 3"));
        assert!(!w.known);
        assert_eq!(w.sentence.key, "audit.other");
        assert_eq!(w.fields[0].1.args[0].1, "rows 3");
    }

    /// Every catalogue key written in this file exists in both languages.
    #[test]
    fn every_key_exists() {
        let source = include_str!("audit_words.rs");
        let cat = crate::i18n::Catalogue::get();
        let mut checked = 0;
        for part in source.split('"').skip(1).step_by(2) {
            let is_key = [
                "audit.",
                "audit_who.",
                "audit_field.",
                "audit_reason.",
                "audit_value.",
                "rel.",
            ]
            .iter()
            .any(|p| part.starts_with(p))
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.');
            if is_key {
                checked += 1;
                for lang in crate::domain::Lang::ALL {
                    assert!(cat.lookup(lang, part).is_some(), "{part} missing in {lang}");
                }
            }
        }
        assert!(checked > 80, "only {checked} keys found");
    }
}
