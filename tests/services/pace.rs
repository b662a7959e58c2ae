//! Issue 8 item 4: every refusal of the login form, staff login and パスワードを忘れた方 is answered no
//! sooner than `[lockout] refusal_floor_ms` after the request, with the program's default
//! configuration, so that no kind of refusal can be told from another by its time — on the first try
//! of a new process (each SSH session is one) as much as later. Uses the store and the calls of the
//! `refusal_*` benchmark groups (`benches/support/first_try.rs`), which measure the spread.

#[path = "../../benches/support/first_try.rs"]
mod first_try;

use std::time::Duration;

use kosmo_kiosk::config::Config;
use kosmo_kiosk::services::auth::LoginOutcome;
use kosmo_kiosk::store::Actor;

#[test]
fn the_floor_is_on_by_default() {
    let floor = Config::default().lockout.refusal_floor_ms;
    assert!(
        floor >= 100,
        "the default floor ({floor} ms) must exceed an argon2id run on a slow kiosk"
    );
    assert_eq!(first_try::floor(), Duration::from_millis(u64::from(floor)));
}

#[test]
fn every_refusal_kind_takes_the_floor_in_this_process_and_in_a_new_one() {
    let p = first_try::prepare();
    let floor = first_try::floor();
    let (temp, used) = first_try::ids(&p);
    let exe = std::env::current_exe().expect("this test");
    for (form, kinds) in first_try::FORMS {
        for kind in kinds.iter() {
            let svc = first_try::services_for(&p, kind);
            let here = first_try::time_one(&svc, kind, temp, used);
            assert!(
                here.wall >= floor,
                "{form}/{kind} answered after {:?}, before the floor {floor:?}",
                here.wall
            );
            let fresh = first_try::spawn_with(
                &exe,
                &[
                    "--ignored",
                    "--exact",
                    "pace::first_try_child",
                    "--nocapture",
                ],
                &p,
                kind,
            );
            assert!(
                fresh.wall >= floor,
                "{form}/{kind} answered after {:?} on the first try of a new process, before the \
                 floor {floor:?}",
                fresh.wall
            );
        }
    }
}

/// What a new process started by the test above runs (the environment names the kind): the one call,
/// timed, then exit. Does nothing when started otherwise.
#[test]
#[ignore = "entry point of the processes started by every_refusal_kind_takes_the_floor_…"]
fn first_try_child() {
    first_try::child_main();
}

#[test]
fn a_staff_console_postcard_login_with_an_id_that_is_no_postcard_takes_the_floor() {
    let p = first_try::prepare();
    let svc = first_try::services_for(&p, "unknown_id");
    let start = std::time::Instant::now();
    let out = svc
        .staff_temp_login(&Actor::kiosk(), "NoSuchCard99", "Wrong2026pass")
        .expect("answer");
    assert!(matches!(out, LoginOutcome::Failed));
    assert!(
        start.elapsed() >= first_try::floor(),
        "{:?}",
        start.elapsed()
    );
}
