//! Login with both kinds of credential, the one generic refusal, and the shared lockout.

use kosmo_kiosk::domain::household::Relationship;
use kosmo_kiosk::domain::lockout::LockState;
use kosmo_kiosk::services::auth::{ChangeReason, LoginOutcome, RegistrationTicket};
use kosmo_kiosk::services::registration::IdentityOutcome;
use kosmo_kiosk::store::{Actor, credentials};
use time::Duration;

use super::support::*;

/// ASCII as typed with an IME on (full-width forms).
fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

pub(crate) fn is_failed(o: &LoginOutcome) -> bool {
    matches!(o, LoginOutcome::Failed)
}

/// The `detail` of the newest `login` audit row: how the service classified the attempt internally.
fn last_login_detail(f: &Fixture) -> String {
    f.svc
        .store
        .read(|c| {
            Ok(c.query_row(
                "SELECT detail FROM audit WHERE event = 'login' ORDER BY id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )?)
        })
        .expect("a login audit row")
}

#[test]
fn a_postcard_gives_a_ticket_and_a_user_id_a_session() {
    let f = Fixture::with_members();
    let card = f.issue_one(ITO);

    let t = f.ticket(&card);
    assert_eq!(t.household_id, f.household_id(ITO));
    assert_eq!(t.temp_id, card.temp_user_id);
    assert_eq!(t.temp_password.as_str(), card.temp_password.as_str());
    // Typed in the other case, and with the IME on: the same postcard.
    for (id, pw) in [
        (
            card.temp_user_id.to_lowercase(),
            card.temp_password.to_uppercase(),
        ),
        (
            full_width(&card.temp_user_id),
            full_width(&card.temp_password),
        ),
    ] {
        match f.login(&id, &pw) {
            LoginOutcome::Temporary(t2) => assert_eq!(t2.credential_id, t.credential_id),
            other => panic!("{id}/{pw}: {other:?}"),
        }
    }

    let t = f.confirmed_ticket(&card);
    f.register(&t, "Yamada2026", "Sakura2026x", "")
        .expect("register");

    for typed in [
        "Yamada2026",
        "yamada2026",
        "YAMADA2026",
        &full_width("Yamada2026"),
    ] {
        match f.login(typed, "Sakura2026x") {
            LoginOutcome::Permanent(s) => {
                assert_eq!(s.user_id, "Yamada2026");
                assert_eq!(s.household_id, f.household_id(ITO));
                assert_eq!(s.must_change, None);
            }
            other => panic!("{typed}: {other:?}"),
        }
    }
    // Passwords are case-sensitive.
    assert!(is_failed(&f.login("Yamada2026", "sakura2026x")));

    // After the policy's maximum age (default 1095 days) the password must be changed first.
    f.clock.advance(Duration::days(1096));
    match f.login("Yamada2026", "Sakura2026x") {
        LoginOutcome::Permanent(s) => assert_eq!(s.must_change, Some(ChangeReason::Age)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn expire_password_makes_the_next_login_change_it() {
    let f = Fixture::with_members();
    f.register_household(WATANABE, "SatoJiro80", "Fuji2026yama", "");
    f.svc
        .expire_password(&Actor::admin(), "satojiro80")
        .expect("expire");
    match f.login("SatoJiro80", "Fuji2026yama") {
        LoginOutcome::Permanent(s) => assert_eq!(s.must_change, Some(ChangeReason::Expired)),
        other => panic!("{other:?}"),
    }
    let err = f
        .svc
        .expire_password(&Actor::admin(), "NoSuchUser1")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "there is no account with user ID NoSuchUser1"
    );
}

#[test]
fn every_refusal_is_the_one_generic_failed() {
    let f = Fixture::with_members();
    let cards = f.issue(&[]);
    let card = |k: &str| notice_for(&cards, k);
    let (ito, watanabe, nakamura, neighbour) =
        (card(ITO), card(WATANABE), card(NAKAMURA), card(NEIGHBOUR));

    // Watanabe registers: his postcard is used now.
    let t = f.confirmed_ticket(&watanabe);
    f.register(&t, "SatoJiro80", "Fuji2026yama", "")
        .expect("register");
    // Nakamura's postcard is reissued: the first one is revoked.
    let nakamura_new = f.issue_one(NAKAMURA);
    // A live postcard for a household that already has an account (e.g. printed by another tool).
    let hid = f.household_id(WATANABE);
    let hash = f.svc.hasher.hash("qrstuvwxyz").unwrap();
    let now = f.svc.now();
    f.svc
        .store
        .write(|tx| {
            credentials::insert(
                tx,
                hid,
                "HASACCT234",
                &hash,
                now,
                now + Duration::days(60),
                "admin",
            )
        })
        .unwrap();

    let wrong_temp = if ito.temp_password.as_str() == "abcdefghjk" {
        "bcdefghjka"
    } else {
        "abcdefghjk"
    };
    let cases: Vec<(&str, String, String, &str)> = vec![
        (
            "unknown ID",
            "NoSuchUser99".into(),
            "Sakura2026x".into(),
            "unknown bad_password",
        ),
        (
            "wrong temporary password",
            ito.temp_user_id.clone(),
            wrong_temp.into(),
            "temporary bad_password",
        ),
        (
            "wrong permanent password",
            "SatoJiro80".into(),
            "Fuji2026yamX".into(),
            "permanent bad_password",
        ),
        (
            "used postcard",
            watanabe.temp_user_id.clone(),
            watanabe.temp_password.to_string(),
            "temporary credential_not_usable",
        ),
        (
            "revoked postcard",
            nakamura.temp_user_id.clone(),
            nakamura.temp_password.to_string(),
            "temporary credential_not_usable",
        ),
        (
            "household already has an account",
            "HASACCT234".into(),
            "qrstuvwxyz".into(),
            "temporary credential_not_usable",
        ),
    ];
    for (why, id, pw, detail) in &cases {
        let o = f.login(id, pw);
        assert!(is_failed(&o), "{why}: {o:?}");
        assert_eq!(&last_login_detail(&f), detail, "{why}");
    }

    // Locked: five wrong passwords, then the right one.
    for _ in 0..5 {
        assert!(is_failed(&f.login(&nakamura_new.temp_user_id, wrong_temp)));
    }
    let o = f.login(&nakamura_new.temp_user_id, &nakamura_new.temp_password);
    assert!(is_failed(&o), "locked: {o:?}");
    assert_eq!(last_login_detail(&f), "temporary locked");

    // Expired: the right password after the postcard's 60 days.
    assert!(matches!(
        f.login(&neighbour.temp_user_id, &neighbour.temp_password),
        LoginOutcome::Temporary(_)
    ));
    f.clock.advance(Duration::days(60));
    let o = f.login(&neighbour.temp_user_id, &neighbour.temp_password);
    assert!(is_failed(&o), "expired: {o:?}");
    assert_eq!(last_login_detail(&f), "temporary credential_not_usable");
}

#[test]
fn five_failures_lock_for_15_minutes_and_repeat_locks_grow() {
    let f = Fixture::with_members();
    let card = f.issue_one(ITO);
    let id = card.temp_user_id.as_str();
    let right = card.temp_password.as_str();
    let wrong = "wrongpass2";
    let state = |f: &Fixture| f.svc.lock_state(id).unwrap();

    for i in 1..=4 {
        assert!(is_failed(&f.login(id, wrong)));
        let s = state(&f);
        assert_eq!((s.failures, s.locked_until), (i, None), "after {i}");
    }
    let t_lock = f.svc.now();
    assert!(is_failed(&f.login(id, wrong)));
    let s = state(&f);
    assert_eq!(s.locked_until, Some(t_lock + Duration::minutes(15)));
    assert_eq!(s.lock_count, 1);
    assert_eq!(
        f.count("SELECT count(*) FROM audit WHERE event = 'lock' AND outcome = 'locked'"),
        1
    );

    // While locked nothing gets in and nothing moves the lock.
    f.clock
        .advance(Duration::minutes(15) - Duration::seconds(1));
    assert!(is_failed(&f.login(id, right)));
    assert!(is_failed(&f.login(id, wrong)));
    assert_eq!(state(&f), s);

    // At 15 minutes the lock is over.
    f.clock.advance(Duration::seconds(1));
    assert!(matches!(f.login(id, right), LoginOutcome::Temporary(_)));
    assert_eq!(state(&f), LockState::default(), "a success resets");

    // Repeat locks without a success in between: 15, then 30, then 60 minutes.
    let mut expected = 15;
    for round in 0..3 {
        let t = f.svc.now();
        for _ in 0..5 {
            assert!(is_failed(&f.login(id, wrong)));
        }
        let s = state(&f);
        assert_eq!(
            s.locked_until,
            Some(t + Duration::minutes(expected)),
            "round {round}"
        );
        f.clock
            .advance(Duration::minutes(expected) - Duration::seconds(1));
        assert!(is_failed(&f.login(id, right)), "round {round}");
        f.clock.advance(Duration::seconds(1));
        expected *= 2;
    }
    assert!(matches!(f.login(id, right), LoginOutcome::Temporary(_)));
    assert_eq!(
        f.count("SELECT count(*) FROM audit WHERE event = 'lock' AND outcome = 'locked'"),
        4
    );
}

#[test]
fn login_and_identity_check_share_one_counter() {
    let f = Fixture::with_members();
    let card = f.issue_one(ITO);
    let id = card.temp_user_id.as_str();
    let right = card.temp_password.as_str();
    let kiosk = Actor::kiosk();
    let t = f.ticket(&card);
    let own = insurer("06139497");
    let other = insurer("01130012");
    let birth = date("1970-05-05");

    // Two identity failures, then three login failures: the fifth locks.
    let check = |ins, b| f.svc.check_identity(&kiosk, &t, ins, b).unwrap();
    assert_eq!(
        check(&other, birth),
        IdentityOutcome::Mismatch { remaining: 4 }
    );
    assert_eq!(
        check(&own, date("1970-05-06")),
        IdentityOutcome::Mismatch { remaining: 3 }
    );
    assert!(is_failed(&f.login(id, "wrongpass2")));
    assert!(is_failed(&f.login(id, "wrongpass3")));
    assert_eq!(f.svc.lock_state(id).unwrap().failures, 4);
    assert!(is_failed(&f.login(id, "wrongpass4")));
    assert!(f.svc.lock_state(id).unwrap().locked_until.is_some());
    // Now neither the right password nor the right identity gets through.
    assert!(is_failed(&f.login(id, right)));
    assert_eq!(check(&own, birth), IdentityOutcome::Locked);

    // Staff unlock (the ID typed in another case).
    assert!(
        f.svc
            .unlock(&Actor::admin(), &id.to_lowercase())
            .unwrap()
            .cleared()
    );
    assert_eq!(f.svc.lock_state(id).unwrap(), LockState::default());
    assert!(matches!(check(&own, birth), IdentityOutcome::Confirmed(_)));

    // The other way round: four login failures, then one identity failure locks.
    for _ in 0..4 {
        assert!(is_failed(&f.login(id, "wrongpass5")));
    }
    assert_eq!(check(&other, birth), IdentityOutcome::Locked);
    assert!(is_failed(&f.login(id, right)));
    assert_eq!(
        f.count("SELECT count(*) FROM audit WHERE event = 'lock' AND outcome = 'locked'"),
        2
    );
    assert_eq!(
        f.count("SELECT count(*) FROM audit WHERE event = 'unlock' AND outcome = 'ok' AND channel = 'admin'"),
        1
    );
}

#[test]
fn permanent_ids_lock_too_and_unlock_clears_them() {
    let f = Fixture::with_members();
    f.register_household(WATANABE, "SatoJiro80", "Fuji2026yama", "");
    for _ in 0..5 {
        assert!(is_failed(&f.login("satojiro80", "Fuji2026yamX")));
    }
    assert!(is_failed(&f.login("SatoJiro80", "Fuji2026yama")));
    let s = f.svc.lock_state("SATOJIRO80").unwrap();
    assert_eq!(s.failures, 5);
    assert!(s.locked_until.is_some());

    assert!(
        f.svc
            .unlock(&Actor::admin(), "SATOJIRO80")
            .unwrap()
            .cleared()
    );
    assert!(matches!(
        f.login("SatoJiro80", "Fuji2026yama"),
        LoginOutcome::Permanent(_)
    ));
    assert!(
        !f.svc
            .unlock(&Actor::admin(), "SatoJiro80")
            .unwrap()
            .cleared(),
        "nothing left to unlock"
    );
    assert_eq!(
        f.count("SELECT count(*) FROM audit WHERE event = 'unlock' AND outcome = 'not_locked'"),
        1
    );
}

#[test]
fn unknown_ids_are_throttled_and_stored_only_hashed() {
    let f = Fixture::with_members();
    let typed = "Ghost2026Xq";
    for _ in 0..5 {
        assert!(is_failed(&f.login(typed, "whatever12")));
    }
    let s = f.svc.lock_state(typed).unwrap();
    assert_eq!(s.locked_until, Some(f.svc.now() + Duration::minutes(15)));
    assert_eq!(
        f.svc.lock_state("GHOST2026XQ").unwrap(),
        s,
        "case-insensitive"
    );

    let subjects: Vec<String> = f
        .svc
        .store
        .read(|c| {
            let mut st = c.prepare("SELECT subject FROM locks")?;
            Ok(st
                .query_map([], |r| r.get(0))?
                .collect::<Result<Vec<String>, _>>()?)
        })
        .unwrap();
    assert_eq!(subjects.len(), 1, "{subjects:?}");
    assert!(
        subjects[0].starts_with('?') && subjects[0].len() == 9,
        "{subjects:?}"
    );
    // The typed text is nowhere in the store, in any case.
    let all = f.svc.store.read(|c| Ok(every_text(c))).unwrap();
    for (table, col, v) in &all {
        assert!(
            !v.to_lowercase().contains("ghost2026xq"),
            "{table}.{col} holds the typed unknown ID: {v}"
        );
    }
    assert!(f.svc.unlock(&Actor::admin(), typed).unwrap().cleared());
    assert_eq!(f.svc.lock_state(typed).unwrap(), LockState::default());
}

#[test]
fn identity_needs_the_households_insurer_number_and_a_members_birth_date() {
    let f = Fixture::with_members();
    let card = f.issue_one(ITO);
    let mut t = f.ticket(&card);
    let kiosk = Actor::kiosk();
    // The outcome with the session token left out (it is random), and the ticket confirmed on a match.
    let check_with = |t: &mut RegistrationTicket, ins: &str, b: &str| {
        let out = f
            .svc
            .check_identity(&kiosk, t, &insurer(ins), date(b))
            .unwrap();
        match out {
            IdentityOutcome::Confirmed(m) => {
                assert_eq!(m.token.len(), 32, "a 128-bit session token");
                t.confirm(&m);
                Ok((m.member_id, m.relationship))
            }
            other => Err(other),
        }
    };
    let probe = t.clone();
    let check = |ins: &str, b: &str| check_with(&mut probe.clone(), ins, b);
    let member_id = |name: &str| f.count(&format!("SELECT id FROM members WHERE name = '{name}'"));

    // Another household's birth date: Watanabe's (other insurer) and the neighbour's (same insurer).
    assert_eq!(
        check("06139497", "1980-01-01"),
        Err(IdentityOutcome::Mismatch { remaining: 4 })
    );
    assert_eq!(
        check("06139497", "1990-09-09"),
        Err(IdentityOutcome::Mismatch { remaining: 3 })
    );
    // The right birth date with another (valid) insurer number.
    assert_eq!(
        check("01130012", "1970-05-05"),
        Err(IdentityOutcome::Mismatch { remaining: 2 })
    );
    // A dependent's birth date matches and presets Dependent; a match resets the counter.
    assert_eq!(
        check("06139497", "1972-06-06"),
        Ok((member_id("伊藤 花子"), Relationship::Dependent))
    );
    assert_eq!(f.svc.lock_state(&card.temp_user_id).unwrap().failures, 0);
    assert_eq!(
        check("06139497", "2005-03-03"),
        Ok((member_id("伊藤 一郎"), Relationship::Dependent))
    );
    assert_eq!(
        check("06139497", "1970-05-05"),
        Ok((member_id("伊藤 太郎"), Relationship::Insured))
    );
    assert_eq!(
        f.count("SELECT count(*) FROM audit WHERE event = 'identity_check' AND outcome = 'failed'"),
        3
    );
    assert_eq!(
        f.count("SELECT count(*) FROM audit WHERE event = 'identity_check' AND outcome = 'ok'"),
        3
    );

    // Once the postcard is used, the identity check says so.
    check_with(&mut t, "06139497", "1970-05-05").unwrap();
    f.register(&t, "Yamada2026", "Sakura2026x", "").unwrap();
    assert_eq!(
        check("06139497", "1970-05-05"),
        Err(IdentityOutcome::CredentialInvalid)
    );
}

#[test]
fn a_temporary_id_typed_in_groups_or_lower_case_is_one_id_for_login_and_lockout() {
    let f = Fixture::with_members();
    let card = f.issue_one(ITO);
    let id = card.temp_user_id.clone();
    let grouped = format!("{}-{} ", id[..5].to_lowercase(), &id[5..]);
    assert!(matches!(
        f.login(&grouped, &card.temp_password),
        LoginOutcome::Temporary(_)
    ));
    // Failures typed in different forms all count against the one postcard.
    for typed in [
        id.to_lowercase(),
        format!("{} {}", &id[..5], &id[5..]),
        grouped.clone(),
    ] {
        assert!(matches!(
            f.login(&typed, "wr0ngtemp7"),
            LoginOutcome::Failed
        ));
    }
    assert_eq!(f.svc.lock_state(&id).unwrap().failures, 3);
    assert_eq!(f.svc.lock_state(&grouped).unwrap().failures, 3);
    assert_eq!(
        f.count(&format!(
            "SELECT count(*) FROM locks WHERE subject = '{}'",
            id.to_lowercase()
        )),
        1
    );
}

#[test]
fn an_unknown_id_is_throttled_under_a_32_bit_key_only() {
    let f = Fixture::with_members();
    for _ in 0..2 {
        assert!(matches!(
            f.login("Sakura2026secret", "whatever1"),
            LoginOutcome::Failed
        ));
    }
    assert_eq!(f.svc.lock_state("sakura2026SECRET").unwrap().failures, 2);
    assert_eq!(
        f.count("SELECT count(*) FROM locks WHERE subject LIKE '?%' AND length(subject) = 9"),
        1,
        "'?' and 8 hex digits: too little to recover what was typed"
    );
}
