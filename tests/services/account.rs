//! The member's account area against a real SQLite file: permanent login, contact change, password
//! change, forced change (age and `expire-password`). The forgotten password: `account_reset.rs`.

use crate::support::*;
use kosmo_kiosk::config::Config;
use kosmo_kiosk::domain::Lang;
use kosmo_kiosk::domain::Msg;
use kosmo_kiosk::services::account::{
    ContactError, ContactInput, PasswordChangeError, PasswordChangeInput,
};
use kosmo_kiosk::services::auth::{ChangeReason, LoginOutcome};
use kosmo_kiosk::services::lockout::lock_key_for;
use kosmo_kiosk::store::{Actor, locks};
use time::Duration;
use zeroize::Zeroizing;

pub(crate) const PW: &str = "Kosmo2026ab";

pub(crate) fn kiosk() -> Actor {
    Actor::kiosk()
}

fn contact(email: &str, notify: bool) -> ContactInput {
    ContactInput {
        email: email.into(),
        notify_mail: notify,
        lang: Lang::Ja,
    }
}

fn change(current: &str, new: &str) -> PasswordChangeInput {
    PasswordChangeInput {
        current: Zeroizing::new(current.into()),
        new: Zeroizing::new(new.into()),
        confirm: Zeroizing::new(new.into()),
        lang: Lang::Ja,
    }
}

pub(crate) fn is_locked(f: &Fixture, id: &str) -> bool {
    let key = f
        .svc
        .store
        .read(|c| Ok(lock_key_for(c, id).unwrap()))
        .unwrap();
    let state = f.svc.store.read(|c| locks::get(c, &key)).unwrap();
    f.svc.config.lockout.policy().is_locked(&state, f.svc.now())
}

// ----- 1. permanent login ---------------------------------------------------------------------

#[test]
fn permanent_login_shares_the_generic_refusal_and_the_lockout() {
    let f = Fixture::demo();
    f.register_account(YAMADA, "yamada2026", PW, Some("taro@example.jp"));
    let s = f.session("YAMADA2026", PW);
    assert_eq!(s.user_id, "yamada2026", "the ID is found in any case");
    assert_eq!(s.must_change, None);
    assert!(matches!(
        f.login("yamada2026", "Wrong2026ab"),
        LoginOutcome::Failed
    ));
    assert!(matches!(f.login("nobody2026", PW), LoginOutcome::Failed));
    for _ in 0..4 {
        assert!(matches!(
            f.login("yamada2026", "Wrong2026ab"),
            LoginOutcome::Failed
        ));
    }
    assert!(is_locked(&f, "yamada2026"));
    assert!(
        matches!(f.login("yamada2026", PW), LoginOutcome::Failed),
        "locked: even the right password gets the one generic refusal"
    );
    assert!(
        f.svc
            .unlock(&Actor::admin(), "yamada2026")
            .unwrap()
            .cleared()
    );
    assert!(f.logs_in("yamada2026", PW));
}

// ----- 2. 個人情報管理 --------------------------------------------------------------------------

#[test]
fn profile_shows_masked_household_and_the_settings() {
    let f = Fixture::demo();
    let s = f.register_account(YAMADA, "yamada2026", PW, Some("taro@example.jp"));
    let p = f.svc.account_profile(&s).unwrap();
    assert_eq!(p.user_id, "yamada2026");
    assert_eq!(p.household_masked, "******97-12-**01");
    assert!(!p.household_masked.contains("06139497"));
    assert_eq!(p.email.as_deref(), Some("taro@example.jp"));
    assert!(p.notify_mail);
    assert_eq!(p.password_set_at, T0);
    assert_eq!(p.password_expires_at, Some(T0 + Duration::days(1095)));
}

#[test]
fn a_new_address_gets_a_confirmation_and_the_old_one_a_notice() {
    let f = Fixture::demo();
    let s = f.register_account(YAMADA, "yamada2026", PW, Some("taro@example.jp"));
    let before = f.outbox().len();
    let c = f
        .svc
        .update_contact(
            &kiosk(),
            &s,
            &contact("ｔａｒｏ２＠ｅｘａｍｐｌｅ．ｊｐ", false),
        )
        .unwrap();
    assert_eq!(c.old_email.as_deref(), Some("taro@example.jp"));
    assert_eq!(c.new_email.as_deref(), Some("taro2@example.jp"));
    let a = f.account("yamada2026");
    assert_eq!(
        a.email.as_deref(),
        Some("taro2@example.jp"),
        "stored normalised"
    );
    assert!(!a.notify_mail);
    let mails = f.outbox();
    assert_eq!(mails.len(), before + 2);
    let new = &f.mails("contact_changed")[0];
    assert_eq!(new.to, "taro2@example.jp");
    assert_eq!(Some(new.id), c.mail_to_new);
    assert!(new.body.contains("yamada2026") && new.body.contains("不要"));
    let old = &f.mails("email_changed_old")[0];
    assert_eq!(old.to, "taro@example.jp");
    assert_eq!(Some(old.id), c.mail_to_old);
    assert!(
        !old.body.contains("taro2@example.jp"),
        "the old address sees it masked"
    );
    assert!(old.body.contains("t***@example.jp"));
    for m in [new, old] {
        assert!(!m.body.contains(PW));
        assert_eq!(m.household_id, Some(s.household_id));
    }
    assert_eq!(f.audits("contact_change", Some("ok")), 1);
}

#[test]
fn each_kind_of_contact_change_sends_the_right_mails() {
    let f = Fixture::demo();
    let s = f.register_account(YAMADA, "yamada2026", PW, Some("taro@example.jp"));
    // Only the setting: a confirmation to the same address, no notice.
    let c = f
        .svc
        .update_contact(&kiosk(), &s, &contact("taro@example.jp", false))
        .unwrap();
    assert!(c.mail_to_new.is_some() && c.mail_to_old.is_none());
    assert_eq!(
        f.mails("contact_changed").last().unwrap().to,
        "taro@example.jp"
    );
    // Removing the address: only the notice to the old one.
    let c = f
        .svc
        .update_contact(&kiosk(), &s, &contact("", false))
        .unwrap();
    assert_eq!((c.mail_to_new, c.mail_to_old.is_some()), (None, true));
    assert_eq!(f.account("yamada2026").email, None);
    // Adding one where there was none: only the confirmation.
    let c = f
        .svc
        .update_contact(&kiosk(), &s, &contact("new@example.jp", true))
        .unwrap();
    assert!(c.mail_to_new.is_some() && c.mail_to_old.is_none());
    assert_eq!(f.mails("contact_changed").len(), 2);
    assert_eq!(f.mails("email_changed_old").len(), 1);
    assert_eq!(f.audits("contact_change", Some("ok")), 3);
}

#[test]
fn contact_rules_are_those_of_registration_and_nothing_is_written_when_broken() {
    let f = Fixture::demo();
    let s = f.register_account(YAMADA, "yamada2026", PW, Some("taro@example.jp"));
    let before = f.outbox().len();
    match f.svc.update_contact(&kiosk(), &s, &contact("", true)) {
        Err(ContactError::Invalid(v)) => assert_eq!(v[0].msg, Msg::new("email.required")),
        other => panic!("{other:?}"),
    }
    match f
        .svc
        .update_contact(&kiosk(), &s, &contact("taro@@example", false))
    {
        Err(ContactError::Invalid(v)) => assert_eq!(v[0].msg, Msg::new("email.invalid")),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        f.svc
            .update_contact(&kiosk(), &s, &contact("taro@example.jp", true)),
        Err(ContactError::Unchanged)
    ));
    assert_eq!(f.outbox().len(), before);
    assert_eq!(
        f.account("yamada2026").email.as_deref(),
        Some("taro@example.jp")
    );
    assert_eq!(f.audits("contact_change", None), 0);
}

#[test]
fn the_change_and_its_mails_are_one_transaction() {
    let f = Fixture::demo();
    let s = f.register_account(YAMADA, "yamada2026", PW, Some("taro@example.jp"));
    // Make the second mail of the change fail: the whole change must roll back.
    f.svc
        .store
        .write(|tx| {
            tx.execute_batch(
                "CREATE TRIGGER no_notice BEFORE INSERT ON outbox WHEN NEW.kind = 'email_changed_old'
                 BEGIN SELECT RAISE(ABORT, 'refused by test'); END;",
            )?;
            Ok::<_, kosmo_kiosk::store::StoreError>(())
        })
        .unwrap();
    let before = f.outbox().len();
    let r = f
        .svc
        .update_contact(&kiosk(), &s, &contact("other@example.jp", true));
    assert!(matches!(r, Err(ContactError::Service(_))), "{r:?}");
    assert_eq!(
        f.account("yamada2026").email.as_deref(),
        Some("taro@example.jp")
    );
    assert_eq!(
        f.outbox().len(),
        before,
        "no confirmation without its notice"
    );
    assert_eq!(f.audits("contact_change", None), 0);
}

// ----- 3. パスワード変更 ------------------------------------------------------------------------

#[test]
fn password_change_checks_the_current_one_and_sends_a_notice() {
    let f = Fixture::demo();
    let s = f.register_account(YAMADA, "yamada2026", PW, Some("taro@example.jp"));
    match f
        .svc
        .change_password(&kiosk(), &s, &change("Wrong2026ab", "Fresh2027cd"))
    {
        Err(PasswordChangeError::WrongCurrent { remaining }) => assert_eq!(remaining, 4),
        other => panic!("{other:?}"),
    }
    assert_eq!(f.audits("password_change", Some("failed")), 1);
    match f.svc.change_password(&kiosk(), &s, &change(PW, PW)) {
        Err(PasswordChangeError::Invalid(v)) => {
            assert_eq!(v[0].field, "new");
            assert_eq!(v[0].msg, Msg::new("password.same_as_current"));
        }
        other => panic!("{other:?}"),
    }
    match f.svc.change_password(&kiosk(), &s, &change(PW, "short1")) {
        Err(PasswordChangeError::Invalid(v)) => {
            assert_eq!(v[0].msg, Msg::new("password.too_short").arg("min", 8))
        }
        other => panic!("{other:?}"),
    }
    f.advance(Duration::days(10));
    let r = f
        .svc
        .change_password(&kiosk(), &s, &change(PW, "Fresh2027cd"))
        .unwrap();
    assert_eq!(r.mail_to.as_deref(), Some("taro@example.jp"));
    assert_eq!(r.expires_at, Some(f.svc.now() + Duration::days(1095)));
    assert!(f.logs_in("yamada2026", "Fresh2027cd"));
    assert!(!f.logs_in("yamada2026", PW), "the old password is refused");
    let a = f.account("yamada2026");
    assert_eq!(a.password_set_at, T0 + Duration::days(10));
    let notice = &f.mails("password_changed")[0];
    assert_eq!(Some(notice.id), r.mail_id);
    assert!(!notice.body.contains("Fresh2027cd") && !notice.body.contains(PW));
    assert_eq!(f.audits("password_change", Some("ok")), 1);
    // The old password cannot come back as the new one: it is no longer the current one, so the
    // current-password check refuses it first.
    let s = f.session("yamada2026", "Fresh2027cd");
    assert!(matches!(
        f.svc
            .change_password(&kiosk(), &s, &change(PW, "Again2028ef")),
        Err(PasswordChangeError::WrongCurrent { .. })
    ));
}

#[test]
fn no_address_no_notice() {
    let f = Fixture::demo();
    let s = f.register_account(SATO, "sato20260", PW, None);
    let r = f
        .svc
        .change_password(&kiosk(), &s, &change(PW, "Fresh2027cd"))
        .unwrap();
    assert_eq!((r.mail_to, r.mail_id), (None, None));
    assert!(f.mails("password_changed").is_empty());
}

#[test]
fn wrong_current_passwords_lock_the_user_id() {
    let f = Fixture::demo();
    let s = f.register_account(YAMADA, "yamada2026", PW, None);
    for expected in (1..=4).rev() {
        match f
            .svc
            .change_password(&kiosk(), &s, &change("Wrong2026ab", "Fresh2027cd"))
        {
            Err(PasswordChangeError::WrongCurrent { remaining }) => assert_eq!(remaining, expected),
            other => panic!("{other:?}"),
        }
    }
    assert!(matches!(
        f.svc
            .change_password(&kiosk(), &s, &change("Wrong2026ab", "Fresh2027cd")),
        Err(PasswordChangeError::Locked)
    ));
    assert!(matches!(
        f.svc
            .change_password(&kiosk(), &s, &change(PW, "Fresh2027cd")),
        Err(PasswordChangeError::Locked)
    ));
    assert!(!f.logs_in("yamada2026", PW), "the login is locked too");
    assert_eq!(f.audits("lock", Some("locked")), 1);
}

// ----- 4. forced change ------------------------------------------------------------------------

#[test]
fn the_password_expires_after_the_maximum_age() {
    let f = Fixture::demo();
    f.register_account(YAMADA, "yamada2026", PW, Some("taro@example.jp"));
    f.advance(Duration::days(1095) - Duration::minutes(1));
    assert_eq!(f.session("yamada2026", PW).must_change, None);
    f.advance(Duration::minutes(1));
    let s = f.session("yamada2026", PW);
    assert_eq!(s.must_change, Some(ChangeReason::Age));
    // Nothing else works until it is changed.
    assert!(matches!(
        f.svc
            .update_contact(&kiosk(), &s, &contact("new@example.jp", true)),
        Err(ContactError::MustChangePassword)
    ));
    f.svc
        .change_password(&kiosk(), &s, &change(PW, "Fresh2027cd"))
        .unwrap();
    assert_eq!(f.session("yamada2026", "Fresh2027cd").must_change, None);
    let body = &f.mails("password_changed")[0].body;
    assert!(body.contains("ログイン時のパスワード変更"), "{body}");
    let detail: String = f
        .svc
        .store
        .read(|c| {
            Ok(c.query_row(
                "SELECT detail FROM audit WHERE event = 'password_change' AND outcome = 'ok'",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(detail, "forced age");
}

#[test]
fn a_maximum_age_of_zero_never_expires() {
    let mut config = Config::default();
    config.password.max_age_days = 0;
    let f = Fixture::demo_with(config);
    let s = f.register_account(YAMADA, "yamada2026", PW, None);
    assert_eq!(f.svc.account_profile(&s).unwrap().password_expires_at, None);
    f.advance(Duration::days(365 * 30));
    assert_eq!(f.session("yamada2026", PW).must_change, None);
}

#[test]
fn expire_password_forces_a_change_at_the_next_login() {
    let f = Fixture::demo();
    f.register_account(YAMADA, "yamada2026", PW, None);
    f.svc
        .expire_password(&Actor::admin(), "YAMADA2026")
        .unwrap();
    let s = f.session("yamada2026", PW);
    assert_eq!(s.must_change, Some(ChangeReason::Expired));
    assert_eq!(
        f.session("yamada2026", PW).must_change,
        Some(ChangeReason::Expired),
        "still, until changed"
    );
    f.svc
        .change_password(&kiosk(), &s, &change(PW, "Fresh2027cd"))
        .unwrap();
    assert_eq!(f.account("yamada2026").must_change, None);
    assert_eq!(f.session("yamada2026", "Fresh2027cd").must_change, None);
    assert!(
        f.svc
            .expire_password(&Actor::admin(), "nobody2026")
            .is_err()
    );
}
