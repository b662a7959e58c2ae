//! The forgotten password against a real SQLite file: a code by mail, its expiry and its limits,
//! refusals that never tell an unknown ID from a wrong code, and the shared lockout.

use kosmo_kiosk::domain::Lang;
use kosmo_kiosk::domain::Msg;
use kosmo_kiosk::services::lockout::lock_key;
use kosmo_kiosk::services::reset::{ResetError, ResetInput};
use kosmo_kiosk::store::{Actor, locks, reset_codes};
use time::Duration;
use zeroize::Zeroizing;

use super::account::{PW, is_locked, kiosk};
use crate::support::*;

fn reset(user_id: &str, code: &str, new: &str) -> ResetInput {
    ResetInput {
        user_id: user_id.into(),
        code: code.into(),
        new: Zeroizing::new(new.into()),
        confirm: Zeroizing::new(new.into()),
        lang: Lang::Ja,
    }
}

// ----- 5. パスワードを忘れた方 -----------------------------------------------------------------

#[test]
fn a_mailed_code_sets_a_new_password_once() {
    let f = Fixture::demo();
    f.register_account(YAMADA, "yamada2026", PW, Some("Taro@Example.jp"));
    f.svc
        .request_reset(&kiosk(), "YAMADA2026", "taro@example.JP", Lang::Ja)
        .unwrap();
    let mails = f.mails("reset_code");
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, "Taro@Example.jp");
    let code = code_in(&mails[0].body);
    // Stored hashed only.
    let account = f.account("yamada2026");
    let rows = f
        .svc
        .store
        .read(|c| reset_codes::for_account(c, account.id))
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].code_hash.starts_with("$argon2id$"));
    assert!(!rows[0].code_hash.contains(&code));
    assert_eq!(rows[0].expires_at, T0 + Duration::minutes(15));
    // Full-width digits and a space are fine.
    let typed: String = format!("{} {}", &code[..4], &code[4..])
        .chars()
        .map(|c| match c.to_digit(10) {
            Some(d) => char::from_u32('０' as u32 + d).unwrap(),
            None => c,
        })
        .collect();
    let done = f
        .svc
        .reset_password(&kiosk(), &reset("yamada2026", &typed, "Fresh2027cd"))
        .unwrap();
    assert_eq!(done.user_id, "yamada2026");
    assert!(f.logs_in("yamada2026", "Fresh2027cd"));
    assert!(!f.logs_in("yamada2026", PW), "the old password is refused");
    let rows = f
        .svc
        .store
        .read(|c| reset_codes::for_account(c, account.id))
        .unwrap();
    assert_eq!(rows[0].used_at, Some(T0));
    assert_eq!(f.mails("password_changed").len(), 1);
    assert_eq!(f.audits("password_reset", Some("ok")), 1);
    // A used code is refused.
    assert!(matches!(
        f.svc
            .reset_password(&kiosk(), &reset("yamada2026", &code, "Other2028ef")),
        Err(ResetError::Refused)
    ));
    assert!(f.logs_in("yamada2026", "Fresh2027cd"));
}

#[test]
fn an_expired_code_is_refused() {
    let f = Fixture::demo();
    f.register_account(YAMADA, "yamada2026", PW, Some("taro@example.jp"));
    f.svc
        .request_reset(&kiosk(), "yamada2026", "taro@example.jp", Lang::En)
        .unwrap();
    let mail = &f.mails("reset_code")[0];
    assert!(
        mail.body.contains("15 minutes"),
        "English mail: {}",
        mail.body
    );
    let code = code_in(&mail.body);
    f.advance(Duration::minutes(15));
    assert!(matches!(
        f.svc
            .reset_password(&kiosk(), &reset("yamada2026", &code, "Fresh2027cd")),
        Err(ResetError::Refused)
    ));
    assert!(f.logs_in("yamada2026", PW), "unchanged");
}

#[test]
fn a_code_works_until_just_before_it_expires() {
    let f = Fixture::demo();
    f.register_account(YAMADA, "yamada2026", PW, Some("taro@example.jp"));
    f.svc
        .request_reset(&kiosk(), "yamada2026", "taro@example.jp", Lang::Ja)
        .unwrap();
    let code = code_in(&f.mails("reset_code")[0].body);
    f.advance(Duration::minutes(15) - Duration::seconds(1));
    f.svc
        .reset_password(&kiosk(), &reset("yamada2026", &code, "Fresh2027cd"))
        .unwrap();
}

#[test]
fn a_code_dies_after_too_many_wrong_entries_and_a_new_request_replaces_it() {
    let f = Fixture::demo();
    f.register_account(YAMADA, "yamada2026", PW, Some("taro@example.jp"));
    f.svc
        .request_reset(&kiosk(), "yamada2026", "taro@example.jp", Lang::Ja)
        .unwrap();
    let code = code_in(&f.mails("reset_code")[0].body);
    let wrong = if code == "00000000" {
        "11111111"
    } else {
        "00000000"
    };
    for _ in 0..4 {
        assert!(matches!(
            f.svc
                .reset_password(&kiosk(), &reset("yamada2026", wrong, "Fresh2027cd")),
            Err(ResetError::Refused)
        ));
    }
    // The fifth wrong entry would lock the ID too; unlock to see that the code itself is dead.
    assert!(matches!(
        f.svc
            .reset_password(&kiosk(), &reset("yamada2026", wrong, "Fresh2027cd")),
        Err(ResetError::Refused)
    ));
    assert!(
        is_locked(&f, "yamada2026"),
        "wrong codes count toward the lockout"
    );
    f.svc.unlock(&Actor::admin(), "yamada2026").unwrap();
    assert!(matches!(
        f.svc
            .reset_password(&kiosk(), &reset("yamada2026", &code, "Fresh2027cd")),
        Err(ResetError::Refused)
    ));
    // A new code replaces the old one.
    f.svc.unlock(&Actor::admin(), "yamada2026").unwrap();
    f.svc
        .request_reset(&kiosk(), "yamada2026", "taro@example.jp", Lang::Ja)
        .unwrap();
    f.svc
        .request_reset(&kiosk(), "yamada2026", "taro@example.jp", Lang::Ja)
        .unwrap();
    let mails = f.mails("reset_code");
    assert_eq!(mails.len(), 3);
    let older = code_in(&mails[1].body);
    let newest = code_in(&mails[2].body);
    if older != newest {
        assert!(matches!(
            f.svc
                .reset_password(&kiosk(), &reset("yamada2026", &older, "Fresh2027cd")),
            Err(ResetError::Refused)
        ));
    }
    f.svc
        .reset_password(&kiosk(), &reset("yamada2026", &newest, "Fresh2027cd"))
        .unwrap();
}

#[test]
fn requests_answer_the_same_and_mail_only_on_a_match() {
    let f = Fixture::demo();
    f.register_account(YAMADA, "yamada2026", PW, Some("taro@example.jp"));
    f.register_account(SATO, "sato20260", PW, None);
    let before = f.outbox().len();
    // Unknown ID, wrong address, no address on file, a temporary-looking ID: the same Ok(()), no mail.
    for (id, email) in [
        ("nobody2026", "taro@example.jp"),
        ("yamada2026", "other@example.jp"),
        ("sato20260", "sato@example.jp"),
        ("ABCDEFGH23", "taro@example.jp"),
    ] {
        let r = f.svc.request_reset(&kiosk(), id, email, Lang::Ja);
        assert!(matches!(r, Ok(())), "{id}: {r:?}");
    }
    assert_eq!(f.outbox().len(), before);
    assert!(f.mails("reset_code").is_empty());
    f.svc
        .request_reset(&kiosk(), "yamada2026", "taro@example.jp", Lang::Ja)
        .unwrap();
    assert_eq!(f.mails("reset_code").len(), 1);
    // The audit trail tells them apart for staff; the member never sees it.
    for outcome in ["unknown", "mismatch", "no_email", "sent"] {
        assert!(
            f.audits("password_reset_request", Some(outcome)) >= 1,
            "{outcome}"
        );
    }
    // Unknown IDs are counted under a hashed key, like the login does.
    let hashed = lock_key("nobody2026", false);
    assert!(hashed.starts_with('?'));
    let state = f.svc.store.read(|c| locks::get(c, &hashed)).unwrap();
    assert_eq!(state.failures, 1);
}

#[test]
fn code_refusals_do_not_tell_an_unknown_id_from_a_wrong_code() {
    let f = Fixture::demo();
    f.register_account(YAMADA, "yamada2026", PW, Some("taro@example.jp"));
    f.register_account(SATO, "sato20260", PW, None);
    f.svc
        .request_reset(&kiosk(), "yamada2026", "taro@example.jp", Lang::Ja)
        .unwrap();
    let code = code_in(&f.mails("reset_code")[0].body);
    let wrong = if code == "12345678" {
        "87654321"
    } else {
        "12345678"
    };
    for (id, c) in [
        ("nobody2026", code.as_str()),
        ("sato20260", code.as_str()),
        ("yamada2026", wrong),
    ] {
        let r = f.svc.reset_password(&kiosk(), &reset(id, c, "Fresh2027cd"));
        assert!(matches!(r, Err(ResetError::Refused)), "{id}: {r:?}");
    }
    // A malformed code or a bad password is said as such, for any ID alike (nothing about the account).
    for id in ["nobody2026", "yamada2026"] {
        match f
            .svc
            .reset_password(&kiosk(), &reset(id, "1234", "Fresh2027cd"))
        {
            Err(ResetError::Invalid(v)) => {
                assert_eq!(v[0].msg, Msg::new("forgot_code.code_format"))
            }
            other => panic!("{other:?}"),
        }
        match f
            .svc
            .reset_password(&kiosk(), &reset(id, &code, "password1"))
        {
            Err(ResetError::Invalid(v)) => assert_eq!(v[0].msg, Msg::new("password.too_common")),
            other => panic!("{other:?}"),
        }
    }
    f.svc
        .reset_password(&kiosk(), &reset("yamada2026", &code, "Fresh2027cd"))
        .unwrap();
}

#[test]
fn mismatched_requests_count_toward_the_lockout_and_a_locked_id_gets_no_code() {
    let f = Fixture::demo();
    f.register_account(YAMADA, "yamada2026", PW, Some("taro@example.jp"));
    for _ in 0..5 {
        f.svc
            .request_reset(&kiosk(), "yamada2026", "guess@example.jp", Lang::Ja)
            .unwrap();
    }
    assert!(is_locked(&f, "yamada2026"));
    assert!(!f.logs_in("yamada2026", PW));
    f.svc
        .request_reset(&kiosk(), "yamada2026", "taro@example.jp", Lang::Ja)
        .unwrap();
    assert!(f.mails("reset_code").is_empty(), "no code while locked");
    assert_eq!(f.audits("password_reset_request", Some("locked")), 1);
    // After the lock runs out a code comes, and a successful reset clears the counter.
    f.advance(Duration::minutes(16));
    f.svc
        .request_reset(&kiosk(), "yamada2026", "taro@example.jp", Lang::Ja)
        .unwrap();
    let code = code_in(&f.mails("reset_code")[0].body);
    f.svc
        .reset_password(&kiosk(), &reset("yamada2026", &code, "Fresh2027cd"))
        .unwrap();
    let state = f
        .svc
        .store
        .read(|c| locks::get(c, &lock_key("yamada2026", true)))
        .unwrap();
    assert_eq!(state.failures, 0);
}

#[test]
fn requests_are_limited_per_hour() {
    let f = Fixture::demo();
    f.register_account(YAMADA, "yamada2026", PW, Some("taro@example.jp"));
    for _ in 0..5 {
        f.svc
            .request_reset(&kiosk(), "yamada2026", "taro@example.jp", Lang::Ja)
            .unwrap();
    }
    assert_eq!(f.mails("reset_code").len(), 3);
    assert_eq!(f.audits("password_reset_request", Some("throttled")), 2);
    f.advance(Duration::minutes(61));
    f.svc
        .request_reset(&kiosk(), "yamada2026", "taro@example.jp", Lang::Ja)
        .unwrap();
    assert_eq!(f.mails("reset_code").len(), 4);
}

#[test]
fn a_reset_refuses_the_current_password_and_clears_a_forced_change() {
    let f = Fixture::demo();
    f.register_account(YAMADA, "yamada2026", PW, Some("taro@example.jp"));
    f.svc
        .expire_password(&Actor::admin(), "yamada2026")
        .unwrap();
    f.svc
        .request_reset(&kiosk(), "yamada2026", "taro@example.jp", Lang::Ja)
        .unwrap();
    let code = code_in(&f.mails("reset_code")[0].body);
    match f
        .svc
        .reset_password(&kiosk(), &reset("yamada2026", &code, PW))
    {
        Err(ResetError::Invalid(v)) => assert_eq!(v[0].msg, Msg::new("password.same_as_current")),
        other => panic!("{other:?}"),
    }
    // The code was not used up by that.
    f.svc
        .reset_password(&kiosk(), &reset("yamada2026", &code, "Fresh2027cd"))
        .unwrap();
    assert_eq!(f.session("yamada2026", "Fresh2027cd").must_change, None);
}
