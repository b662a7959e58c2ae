//! [実行]: the one transaction, all or nothing; temporary IDs versus user IDs; one postcard, one use.

use std::cell::Cell;

use kosmo_kiosk::domain::Lang;
use kosmo_kiosk::domain::household::Relationship;
use kosmo_kiosk::services::ServiceError;
use kosmo_kiosk::services::auth::LoginOutcome;
use kosmo_kiosk::services::registration::{IdentityOutcome, RegisterError, terms};
use kosmo_kiosk::store::Actor;
use kosmo_kiosk::store::outbox::MailState;
use time::Duration;
use zeroize::Zeroizing;

use super::support::*;

const ARGON2ID_OWASP: &str = "$argon2id$v=19$m=19456,t=2,p=1$";

#[test]
fn register_writes_account_used_postcard_terms_audit_and_mail_together() {
    let f = Fixture::with_members();
    let card = f.issue_one(ITO);
    let mut t = f.ticket(&card);
    // 花子 (a dependent) registers for the household.
    let m = match f
        .svc
        .check_identity(
            &Actor::kiosk(),
            &t,
            &insurer("06139497"),
            date("1972-06-06"),
        )
        .unwrap()
    {
        IdentityOutcome::Confirmed(m) => m,
        other => panic!("{other:?}"),
    };
    assert_eq!(m.relationship, Relationship::Dependent);
    t.confirm(&m);
    let mut inp = input("Yamada2026", "Sakura2026x", "hanako@example.jp");
    inp.registrant = m.relationship;
    inp.member_id = Some(m.member_id);
    let now = f.svc.now();
    let r = f.svc.register(&Actor::kiosk(), &t, &inp).expect("register");
    assert_eq!(r.user_id, "Yamada2026");
    assert_eq!(r.email.as_deref(), Some("hanako@example.jp"));

    let st = f.state(ITO);
    st.assert_registered(&card.temp_user_id, "Yamada2026", Some("hanako@example.jp"));
    let a = st.account.as_ref().unwrap();
    assert_eq!(a.id, r.account_id);
    assert_eq!(a.registrant, Relationship::Dependent);
    assert_eq!(a.member_id, Some(m.member_id));
    assert!(a.notify_mail);
    assert_eq!(a.channel, "kiosk");
    assert_eq!((a.registered_at, a.password_set_at), (now, now));
    assert!(
        a.password_hash.starts_with(ARGON2ID_OWASP),
        "{}",
        a.password_hash
    );
    assert_eq!(st.terms, vec![terms(Lang::Ja).version.to_string()]);
    let (_, subject, detail) = &st.register_audits[0];
    assert_eq!(subject.as_deref(), Some("Yamada2026"));
    let detail = detail.as_deref().unwrap();
    assert!(detail.contains("******97-12-*****03"), "{detail}");
    assert!(detail.contains(terms(Lang::Ja).version), "{detail}");
    assert!(detail.contains("registrant dependent"), "{detail}");

    // The welcome mail: queued now, subject of SPEC §5, the user ID, never a password.
    let mail = &st.outbox[0];
    assert_eq!(Some(mail.id), r.mail_id);
    assert_eq!(mail.subject, "KOSMO Communication Web へようこそ");
    assert_eq!(
        (mail.state, mail.attempts, mail.last_error.as_deref()),
        (MailState::Queued, 0, None)
    );
    assert_eq!(mail.next_attempt_at, now);
    assert_eq!(mail.dedupe_key, format!("welcome:{}", a.id));
    assert!(
        mail.message_id.starts_with('<') && mail.message_id.ends_with("@kosmoweb.jp>"),
        "{}",
        mail.message_id
    );
    assert!(mail.body.contains("Yamada2026"), "{}", mail.body);
    assert!(mail.body.contains("******97-12-*****03"), "{}", mail.body);
    for secret in ["Sakura2026x", card.temp_password.as_str(), "4417203"] {
        assert!(!mail.body.contains(secret), "the mail holds {secret}");
        assert!(!mail.subject.contains(secret));
    }
}

#[test]
fn without_an_address_no_mail_and_in_english_an_english_mail() {
    let f = Fixture::with_members();
    let r = f.register_household(WATANABE, "SatoJiro80", "Fuji2026yama", "");
    assert_eq!(r.mail_id, None);
    let watanabe = f.state(WATANABE);
    let temp = watanabe.credentials[0].0.clone();
    watanabe.assert_registered(&temp, "SatoJiro80", None);

    let card = f.issue_one(NAKAMURA);
    let t = f.confirmed_ticket(&card);
    let mut inp = input("Suzuki1965", "Hakone2026x", "saburo@example.com");
    inp.lang = Lang::En;
    f.svc.register(&Actor::kiosk(), &t, &inp).unwrap();
    let st = f.state(NAKAMURA);
    st.assert_registered(&card.temp_user_id, "Suzuki1965", Some("saburo@example.com"));
    let mail = &st.outbox[0];
    assert_eq!(mail.subject, "Welcome to KOSMO Communication Web");
    assert_eq!(mail.lang, "en");
    assert!(mail.body.contains("Suzuki1965"));
    assert!(!mail.body.contains("Hakone2026x"));
    assert!(!mail.body.contains(card.temp_password.as_str()));
    assert_eq!(st.account.as_ref().unwrap().lang, Lang::En);
}

#[test]
fn a_taken_user_id_changes_nothing() {
    let f = Fixture::with_members();
    f.register_household(WATANABE, "SatoJiro80", "Fuji2026yama", "");
    let card = f.issue_one(ITO);
    let t = f.confirmed_ticket(&card);
    for taken in ["SatoJiro80", "satojiro80", "SATOJIRO80"] {
        assert!(!f.svc.user_id_available(taken).unwrap());
        let e = f
            .register(&t, taken, "Sakura2026x", "taro@example.jp")
            .unwrap_err();
        assert!(matches!(e, RegisterError::UserIdTaken), "{taken}: {e:?}");
        f.state(ITO).assert_untouched(&card.temp_user_id);
    }
    // The same ticket still registers with a free ID.
    f.register(&t, "Yamada2026", "Sakura2026x", "taro@example.jp")
        .unwrap();
    f.state(ITO)
        .assert_registered(&card.temp_user_id, "Yamada2026", Some("taro@example.jp"));
}

#[test]
fn a_postcard_revoked_or_expired_after_the_identity_check_changes_nothing() {
    let f = Fixture::with_members();
    // Revoked by a reissue between STEP3 and [実行]. The account row is inserted before the postcard is
    // marked used, so this also proves that a half-done transaction is rolled back.
    let card = f.issue_one(ITO);
    let t = f.confirmed_ticket(&card);
    let again = f.issue_one(ITO);
    let e = f
        .register(&t, "Yamada2026", "Sakura2026x", "taro@example.jp")
        .unwrap_err();
    assert!(matches!(e, RegisterError::CredentialInvalid), "{e:?}");
    let st = f.state(ITO);
    st.assert_untouched(&again.temp_user_id);
    assert_eq!(
        st.credentials,
        vec![
            (card.temp_user_id.clone(), "revoked".to_string()),
            (again.temp_user_id.clone(), "live".to_string())
        ]
    );
    assert_eq!(f.count("SELECT count(*) FROM accounts"), 0);

    // Expired while STEP4 was being filled in.
    let card = f.issue_one(WATANABE);
    let t = f.confirmed_ticket(&card);
    f.clock.advance(Duration::days(60));
    let e = f
        .register(&t, "SatoJiro80", "Fuji2026yama", "jiro@example.jp")
        .unwrap_err();
    assert!(matches!(e, RegisterError::CredentialInvalid), "{e:?}");
    f.state(WATANABE).assert_untouched(&card.temp_user_id);
}

#[test]
fn a_failure_at_any_later_step_rolls_everything_back() {
    let f = Fixture::with_members();
    let card = f.issue_one(ITO);
    let t = f.confirmed_ticket(&card);
    // A TEMP trigger lives only on this connection (the one the services use) and makes one step of the
    // transaction fail: the terms agreement, the mail, the audit row (the last write).
    for table in ["terms_agreements", "outbox", "audit"] {
        f.svc
            .store
            .read(|c| {
                c.execute_batch(&format!(
                    "CREATE TEMP TRIGGER inject_failure BEFORE INSERT ON main.{table}
                     WHEN (SELECT count(*) FROM main.accounts) > 0
                     BEGIN SELECT RAISE(ABORT, 'injected failure'); END;"
                ))?;
                Ok(())
            })
            .unwrap();
        let e = f
            .register(&t, "Yamada2026", "Sakura2026x", "taro@example.jp")
            .unwrap_err();
        assert!(
            matches!(&e, RegisterError::Service(ServiceError::Store(_))),
            "{table}: {e:?}"
        );
        assert!(e.to_string().contains("injected failure"), "{e}");
        f.svc
            .store
            .read(|c| Ok(c.execute_batch("DROP TRIGGER temp.inject_failure")?))
            .unwrap();
        f.state(ITO).assert_untouched(&card.temp_user_id);
        assert_eq!(f.count("SELECT count(*) FROM accounts"), 0, "{table}");
    }
    // Rule violations are refused before anything is written, with a plain message.
    let e = f.register(&t, "Yamada2026", "short1", "").unwrap_err();
    match &e {
        RegisterError::Invalid(v) => assert_eq!(v[0].field, "password"),
        other => panic!("{other:?}"),
    }
    assert!(
        e.to_string()
            .starts_with("password: The password is too short"),
        "{e}"
    );
    let mut same_as_temp = input("Yamada2026", "x", "");
    same_as_temp.password = Zeroizing::new(card.temp_password.to_string());
    same_as_temp.password_confirm = same_as_temp.password.clone();
    assert!(matches!(
        f.svc.register(&Actor::kiosk(), &t, &same_as_temp),
        Err(RegisterError::Invalid(_))
    ));
    f.state(ITO).assert_untouched(&card.temp_user_id);
    // And with every step allowed again, the same ticket registers.
    f.register(&t, "Yamada2026", "Sakura2026x", "taro@example.jp")
        .unwrap();
    f.state(ITO)
        .assert_registered(&card.temp_user_id, "Yamada2026", Some("taro@example.jp"));
}

#[test]
fn a_temporary_id_never_becomes_a_user_id() {
    let f = Fixture::with_members();
    let cards = f.issue(&[]);
    let card = |k: &str| notice_for(&cards, k);
    let (ito, watanabe, nakamura) = (card(ITO), card(WATANABE), card(NAKAMURA));
    // Nakamura's postcard is reissued: the old temporary ID is revoked, and still never a user ID.
    f.issue_one(NAKAMURA);
    let t = f.confirmed_ticket(&ito);
    let mixed: String = watanabe
        .temp_user_id
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i % 2 == 0 {
                c.to_ascii_lowercase()
            } else {
                c
            }
        })
        .collect();
    for id in [
        watanabe.temp_user_id.clone(),
        watanabe.temp_user_id.to_lowercase(),
        mixed,
        ito.temp_user_id.to_lowercase(),
        nakamura.temp_user_id.to_lowercase(),
    ] {
        assert!(!f.svc.user_id_available(&id).unwrap(), "{id}");
        let e = f.register(&t, &id, "Sakura2026x", "").unwrap_err();
        assert!(matches!(e, RegisterError::UserIdTaken), "{id}: {e:?}");
    }
    f.state(ITO).assert_untouched(&ito.temp_user_id);
}

#[test]
fn issuing_never_hands_out_an_id_that_is_a_user_id_or_an_earlier_temporary_id() {
    let f = Fixture::with_members();
    // A user ID that could have been a temporary ID (10 characters of the postcard alphabet).
    f.register_household(ITO, "Abcdefgh23", "Sakura2026x", "");
    let nakamura = f.issue_one(NAKAMURA);
    let offered = [
        "ABCDEFGH23".to_string(),
        "abcdefgh23".to_string(),
        nakamura.temp_user_id.to_lowercase(),
        "ZYXWVUTS98".to_string(),
    ];
    let calls = Cell::new(0);
    let report = f
        .svc
        .issue_credentials_with_ids(
            &Actor::admin(),
            &f.notices_path(),
            &[key(WATANABE)],
            &mut || {
                let i = calls.get();
                calls.set(i + 1);
                offered[i].clone()
            },
        )
        .unwrap();
    assert_eq!(calls.get(), 4, "three candidates skipped");
    assert_eq!(report.notices[0].temp_user_id, "ZYXWVUTS98");
    assert!(matches!(
        f.login("ZYXWVUTS98", &report.notices[0].temp_password),
        LoginOutcome::Temporary(_)
    ));
    assert!(matches!(
        f.login("Abcdefgh23", "Sakura2026x"),
        LoginOutcome::Permanent(_)
    ));
}

#[test]
fn the_same_postcard_cannot_be_used_twice() {
    let f = Fixture::with_members();
    let card = f.issue_one(ITO);
    // Two kiosks log in with the same postcard before either finishes.
    let first = f.confirmed_ticket(&card);
    let second = f.confirmed_ticket(&card);
    // Only the session that passed the identity check last may register.
    let e = f
        .register(&first, "Yamada2026", "Sakura2026x", "taro@example.jp")
        .unwrap_err();
    assert!(matches!(e, RegisterError::IdentityNotConfirmed), "{e:?}");
    assert_eq!(f.count("SELECT count(*) FROM accounts"), 0);
    f.register(&second, "Yamada2026", "Sakura2026x", "taro@example.jp")
        .unwrap();

    assert!(matches!(
        f.login(&card.temp_user_id, &card.temp_password),
        LoginOutcome::Failed
    ));
    for (t, id) in [(&second, "Yamada2027"), (&first, "Yamada2028")] {
        let e = f
            .register(t, id, "Sakura2026y", "hanako@example.jp")
            .unwrap_err();
        assert!(matches!(e, RegisterError::CredentialInvalid), "{e:?}");
    }
    let st = f.state(ITO);
    st.assert_registered(&card.temp_user_id, "Yamada2026", Some("taro@example.jp"));
    assert_eq!(f.count("SELECT count(*) FROM accounts"), 1);
    assert_eq!(f.count("SELECT count(*) FROM outbox"), 1);
    assert_eq!(f.count("SELECT count(*) FROM terms_agreements"), 1);
}

#[test]
fn registering_needs_this_sessions_identity_check() {
    let f = Fixture::with_members();
    let card = f.issue_one(ITO);
    // Logged in with the postcard but STEP3 skipped: refused, nothing written.
    let skipped = f.ticket(&card);
    let e = f
        .register(&skipped, "Yamada2026", "Sakura2026x", "taro@example.jp")
        .unwrap_err();
    assert!(matches!(e, RegisterError::IdentityNotConfirmed), "{e:?}");
    // A made-up token does not pass either.
    let mut forged = f.ticket(&card);
    forged.identity_token = Some(Zeroizing::new("0".repeat(32)));
    let e = f
        .register(&forged, "Yamada2026", "Sakura2026x", "taro@example.jp")
        .unwrap_err();
    assert!(matches!(e, RegisterError::IdentityNotConfirmed), "{e:?}");
    assert_eq!(f.count("SELECT count(*) FROM accounts"), 0);
    assert_eq!(f.count("SELECT count(*) FROM outbox"), 0);
    assert_eq!(
        f.count("SELECT count(*) FROM temp_credentials WHERE state = 'live'"),
        1
    );
    // With the check passed in this session it registers.
    let t = f.confirmed_ticket(&card);
    f.register(&t, "Yamada2026", "Sakura2026x", "taro@example.jp")
        .unwrap();
}
