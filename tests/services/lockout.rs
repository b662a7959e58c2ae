//! The lockout shared by login and the identity check (issue 8 item 2): which success forgives
//! which failures, and the fifth attempt. Login itself: `login.rs`.

use kosmo_kiosk::domain::lockout::LockState;
use kosmo_kiosk::services::auth::LoginOutcome;
use kosmo_kiosk::services::registration::IdentityOutcome;
use kosmo_kiosk::store::Actor;

use super::login::is_failed;
use super::support::*;

/// Issue 8 item 2: a successful postcard login does not forgive wrong birth dates. Four wrong
/// identity checks, log in again (a fresh ticket), and the fifth wrong one locks; the count is not
/// back to 「あと4回」.
#[test]
fn a_new_login_does_not_reset_the_identity_check_count() {
    let f = Fixture::with_members();
    let card = f.issue_one(ITO);
    let id = card.temp_user_id.as_str();
    let kiosk = Actor::kiosk();
    let own = insurer("06139497");
    let wrong = date("1970-05-06");

    for round in 0..4u32 {
        // Each wrong birth date from a fresh login, as after Esc and logging in again.
        let t = f.ticket(&card);
        assert_eq!(
            f.svc.check_identity(&kiosk, &t, &own, wrong).unwrap(),
            IdentityOutcome::Mismatch {
                remaining: 4 - round
            },
            "round {round}"
        );
    }
    assert_eq!(f.svc.lock_state(id).unwrap().failures, 4);
    let t = f.ticket(&card);
    assert_eq!(
        f.svc.check_identity(&kiosk, &t, &own, wrong).unwrap(),
        IdentityOutcome::Locked
    );
    assert!(f.svc.lock_state(id).unwrap().locked_until.is_some());
    assert!(is_failed(&f.login(id, card.temp_password.as_str())));
}

/// The identity check's own success is what forgives its failures (and nothing else does: a right
/// password typed at the login form, or at a second kiosk meanwhile).
#[test]
fn only_the_identity_check_itself_forgives_its_failures() {
    let f = Fixture::with_members();
    let card = f.issue_one(ITO);
    let id = card.temp_user_id.as_str();
    let kiosk = Actor::kiosk();
    let own = insurer("06139497");
    let t = f.ticket(&card);
    for _ in 0..3 {
        f.svc
            .check_identity(&kiosk, &t, &own, date("1970-05-06"))
            .unwrap();
    }
    // Wrong then right passwords: the password failure is forgiven, the identity ones stay.
    assert!(is_failed(&f.login(id, "wrongpass9")));
    assert_eq!(f.svc.lock_state(id).unwrap().failures, 4);
    let t = f.ticket(&card);
    let s = f.svc.lock_state(id).unwrap();
    assert_eq!((s.failures, s.identity_failures), (3, 3));
    // The right birth date clears them.
    assert!(matches!(
        f.svc
            .check_identity(&kiosk, &t, &own, date("1970-05-05"))
            .unwrap(),
        IdentityOutcome::Confirmed(_)
    ));
    assert_eq!(f.svc.lock_state(id).unwrap(), LockState::default());
}

/// A lock set by the fifth attempt is lifted when that attempt was the right password (it is counted
/// before it is verified), but wrong birth dates before it still count.
#[test]
fn the_right_password_as_fifth_attempt_gets_in() {
    let f = Fixture::with_members();
    let card = f.issue_one(ITO);
    let id = card.temp_user_id.as_str();
    for _ in 0..4 {
        assert!(is_failed(&f.login(id, "wrongpass9")));
    }
    assert!(matches!(
        f.login(id, card.temp_password.as_str()),
        LoginOutcome::Temporary(_)
    ));
    assert_eq!(f.svc.lock_state(id).unwrap(), LockState::default());
    assert_eq!(
        f.count("SELECT count(*) FROM audit WHERE event = 'lock'"),
        0,
        "no lock was recorded for a right fifth attempt"
    );
}
