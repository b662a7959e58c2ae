//! Security properties of the services' files (issue 8): the staff console's notices file holds no live
//! formula, and is never written through a link or when others may read it.

use std::path::Path;

use kosmo_kiosk::services::ServiceError;
use kosmo_kiosk::services::credentials::ReissueError;
use kosmo_kiosk::store::Actor;

use crate::support::bin::set_mode;
use crate::support::notices::{FORMULA_NAMES, assert_no_formula_cell, formula_members_csv};
use crate::support::*;

/// Issue 8 item 5, the staff console's file: the reissue appends formula names as text too.
#[test]
fn staff_notices_cells_never_start_a_formula() {
    let f = Fixture::new();
    f.import(&formula_members_csv());
    let path = f.dir.path().join("staff-notices.csv");
    for i in 0..FORMULA_NAMES.len() {
        let id = f.household_id(&format!("06139497-12-{}", 7000 + i));
        f.svc
            .reissue_credential(&Actor::staff("staff01"), id, &path)
            .expect("reissue");
    }
    assert_no_formula_cell(&path, FORMULA_NAMES.len());
}

fn reissue_into(f: &Fixture, path: &Path) -> Result<(), String> {
    let id = f.household_id(ITO);
    match f.svc.reissue_credential(&Actor::staff("staff01"), id, path) {
        Ok(_) => Ok(()),
        Err(ReissueError::Service(ServiceError::User(msg))) => Err(msg),
        Err(e) => panic!("unexpected error {e:?}"),
    }
}

/// Issue 8 item 8: the staff notices file is never followed through a symbolic link, never appended to
/// when others may read or write it or when it is a second name of another file; each refusal says why,
/// and nothing reaches the target.
#[cfg(unix)]
#[test]
fn staff_notices_file_refuses_links_and_wide_modes() {
    let f = Fixture::with_members();
    let dir = f.dir.path();

    // A symbolic link to somewhere else: refused, the target untouched.
    let target = dir.join("target.txt");
    std::fs::write(&target, "precious\n").unwrap();
    set_mode(&target, 0o600);
    let link = dir.join("staff-notices.csv");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let err = reissue_into(&f, &link).expect_err("a symlink is refused");
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious\n");
    // A dangling link is not created through either.
    let dangling = dir.join("dangling.csv");
    std::os::unix::fs::symlink(dir.join("nowhere.csv"), &dangling).unwrap();
    assert!(reissue_into(&f, &dangling).is_err());
    assert!(!dir.join("nowhere.csv").exists());

    // An existing file others can read (0644, as an editor or `cp` may leave it): refused.
    let wide = dir.join("wide.csv");
    std::fs::write(
        &wide,
        "household,name,temp_user_id,temp_password,expires_on\n",
    )
    .unwrap();
    set_mode(&wide, 0o644);
    let err = reissue_into(&f, &wide).expect_err("0644 is refused");
    assert!(err.contains("0644") && err.contains("chmod 600"), "{err}");
    assert_eq!(std::fs::read_to_string(&wide).unwrap().lines().count(), 1);

    // A hard link to another file.
    let hard = dir.join("hard.csv");
    std::fs::hard_link(&target, &hard).unwrap();
    let err = reissue_into(&f, &hard).expect_err("a hard link is refused");
    assert!(err.contains("hard link"), "{err}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious\n");

    // Nothing was issued by any refusal; a proper file works, and stays 0600.
    assert_eq!(
        f.count("SELECT count(*) FROM audit WHERE event = 'reissue_credential'"),
        0
    );
    let good = dir.join("good.csv");
    reissue_into(&f, &good).expect("a new file");
    reissue_into(&f, &good).expect("appended");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&good).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(std::fs::read_to_string(&good).unwrap().lines().count(), 3);
}

/// Issue 8 item 11, made deterministic: run A (this thread) is held inside its write transaction (in
/// the one callback the service makes there, drawing a temporary ID) while run B, on its own
/// connection as another process has, reads the household and writes its notices file. Then A
/// commits, and B, getting the write lock, must see A's postcard: it refuses with a plain sentence
/// and leaves no file, so the only notices file holds the one live postcard. (Two processes of the
/// binary cannot be held at this point without a hook: each takes the write lock at open.)
#[test]
fn a_postcard_issued_while_another_run_hashes_is_seen_and_not_revoked() {
    let f = Fixture::with_members();
    let key = kosmo_kiosk::domain::household::HouseholdKey::parse(ITO).unwrap();
    let (a_out, b_out) = (f.path("a.csv"), f.path("b.csv"));
    let mut b_svc = Some(f.services());
    let (b_key, b_path) = (key.clone(), b_out.clone());
    let mut b = None;
    let mut a_id = String::new();
    let a = f.svc.issue_credentials_with_ids(
        &Actor::admin(),
        &a_out,
        std::slice::from_ref(&key),
        &mut || {
            if b.is_none() {
                let (k, p, svc) = (b_key.clone(), b_path.clone(), b_svc.take().unwrap());
                b = Some(std::thread::spawn(move || {
                    svc.issue_credentials(&Actor::admin(), &p, &[k])
                }));
                crate::support::wait::until(
                    "run B's notices file (made after it read the household)",
                    std::time::Duration::from_secs(20),
                    || b_out.exists(),
                );
            }
            a_id = "AAAAAAAAAA".to_string();
            a_id.clone()
        },
    );
    let a = a.expect("run A issues");
    assert_eq!(a.notices.len(), 1);
    let b = b.expect("run B started").join().unwrap();
    match b {
        Err(ServiceError::User(msg)) => assert!(msg.contains("a moment ago"), "{msg}"),
        other => panic!("run B must refuse, got {other:?}"),
    }
    assert!(!b_out.exists(), "run B left its file");
    let live = f
        .store()
        .read(|c| {
            Ok(c.query_row(
                "SELECT temp_id FROM temp_credentials WHERE state = 'live' AND household_id =
                 (SELECT household_id FROM temp_credentials WHERE temp_id = ?1)",
                [&a_id],
                |r| r.get::<_, String>(0),
            )?)
        })
        .unwrap();
    assert_eq!(live, a_id);
}
