//! After a full flow with every kind of mistake, the store holds no password anywhere and the household
//! numbers only where they belong (the households table), masked everywhere else.

use kosmo_kiosk::services::auth::LoginOutcome;
use kosmo_kiosk::services::registration::IdentityOutcome;
use kosmo_kiosk::store::Actor;

use super::support::*;

#[test]
fn no_password_and_no_unmasked_number_is_stored_anywhere() {
    let f = Fixture::with_members();
    let cards = f.issue(&[]);
    let card = |k: &str| notice_for(&cards, k);
    let ito = card(ITO);
    let mut secrets: Vec<String> = cards.iter().map(|n| n.temp_password.to_string()).collect();
    let kiosk = Actor::kiosk();

    // Mistakes at the login screen: a wrong postcard password, the password typed into the ID field, a
    // password in the ID field for an ID that does not exist.
    secrets.push("wr0ngtemp7".into());
    assert!(matches!(
        f.login(&ito.temp_user_id, "wr0ngtemp7"),
        LoginOutcome::Failed
    ));
    assert!(matches!(
        f.login(&ito.temp_password, &ito.temp_user_id),
        LoginOutcome::Failed
    ));
    let mut t = f.ticket(&ito);
    // STEP3 with a wrong birth date, then the right one.
    f.svc
        .check_identity(&kiosk, &t, &insurer("06139497"), date("1971-01-01"))
        .unwrap();
    match f
        .svc
        .check_identity(&kiosk, &t, &insurer("06139497"), date("1970-05-05"))
        .unwrap()
    {
        IdentityOutcome::Confirmed(m) => t.confirm(&m),
        other => panic!("{other:?}"),
    }
    // STEP4 and [実行], then a second [実行] with the same ticket (refused).
    secrets.push("Sakura2026".into());
    assert!(
        f.register(&t, "Yamada2026", "Sakura2026", "taro@example.jp")
            .is_ok()
    );
    let _ = f.register(&t, "Yamada2027", "Sakura2027x", "taro@example.jp");
    secrets.push("Sakura2027x".into());
    // The permanent login, a wrong password, the password in the ID field, a staff-style unlock and an
    // administrator's expire-password.
    assert!(matches!(
        f.login("Yamada2026", "Sakura2026"),
        LoginOutcome::Permanent(_)
    ));
    secrets.push("Sakura2026q".into());
    assert!(matches!(
        f.login("Yamada2026", "Sakura2026q"),
        LoginOutcome::Failed
    ));
    assert!(matches!(
        f.login("Sakura2026", "Yamada2026"),
        LoginOutcome::Failed
    ));
    f.svc
        .unlock(&Actor::staff("staff01"), "Yamada2026")
        .unwrap();
    f.svc
        .expire_password(&Actor::admin(), "Yamada2026")
        .unwrap();
    // Another household registers; one postcard is reissued.
    f.register_household(WATANABE, "SatoJiro80", "Fuji2026yama", "jiro@example.jp");
    secrets.push("Fuji2026yama".into());
    let again = f.issue_one(NAKAMURA);
    secrets.push(again.temp_password.to_string());

    let all = f.svc.store.read(|c| Ok(every_text(c))).unwrap();
    assert!(
        all.len() > 50,
        "the scan sees the store: {} values",
        all.len()
    );
    for (table, col, v) in &all {
        let lower = v.to_lowercase();
        for s in &secrets {
            assert!(
                !lower.contains(&s.to_lowercase()),
                "{table}.{col} holds the password {s}: {v}"
            );
        }
        if table != "households" {
            for number in [
                "06139497", "4417203", "01130012", "5530871", "33120015", "6620934", "4417299",
            ] {
                assert!(
                    !v.contains(number),
                    "{table}.{col} holds the unmasked number {number}: {v}"
                );
            }
        }
    }
    // The file itself (and its WAL), byte for byte.
    let raw = raw_store_bytes(&f.db);
    for s in &secrets {
        assert!(!contains_bytes(&raw, s.as_bytes()), "the file holds {s}");
    }
    // Not vacuous: the audit trail has the masked forms and the events.
    let audit_details: Vec<String> = all
        .iter()
        .filter(|(t, c, _)| t == "audit" && c == "detail")
        .map(|(_, _, v)| v.clone())
        .collect();
    assert!(
        audit_details
            .iter()
            .any(|d| d.contains("******97-12-*****03")),
        "{audit_details:#?}"
    );
    for event in [
        "login",
        "identity_check",
        "register",
        "unlock",
        "expire_password",
        "issue_credential",
        "import_members",
    ] {
        assert!(
            f.count(&format!(
                "SELECT count(*) FROM audit WHERE event = '{event}'"
            )) > 0,
            "no {event} row"
        );
    }
    assert_eq!(
        f.count("SELECT count(*) FROM audit WHERE event = 'unlock' AND staff_id = 'staff01' AND channel = 'staff'"),
        1
    );
}
