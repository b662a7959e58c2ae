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

/// Every row the product writes reads as a sentence: the flows of the kiosk, the counter and the mail
/// worker are driven, then each stored row goes through the one reader of `domain::audit_words`. The
/// counter's initial password is nowhere in the store either.
#[test]
fn every_row_the_product_writes_reads_as_a_sentence() {
    use kosmo_kiosk::clock::Clock;
    use kosmo_kiosk::domain::Lang;
    use kosmo_kiosk::domain::audit_words::describe;
    use kosmo_kiosk::services::account::{ContactInput, PasswordChangeInput};
    use kosmo_kiosk::services::email_correction::CorrectionStart;
    use kosmo_kiosk::services::households::HouseholdQuery;
    use kosmo_kiosk::services::staff_reset::IdentityChecklist;
    use kosmo_kiosk::store::audit::{AuditFilter, recent};
    use kosmo_kiosk::store::outbox;
    use zeroize::Zeroizing;

    let f = Fixture::build()
        .households(&DEMO)
        .postcards()
        .staff(&["alice"])
        .open();
    let staff = Actor::staff("alice");
    let kiosk = Actor::kiosk();
    // Staff log in (once wrongly), look a household up, reissue its postcard.
    f.svc.staff_login(&staff, "alice", "wrong").unwrap();
    f.svc.staff_login(&staff, "alice", STAFF_PASSWORD).unwrap();
    let found = f
        .svc
        .find_households(&staff, &HouseholdQuery::Key(key(SATO)))
        .unwrap();
    f.svc
        .reissue_credential(&staff, found[0].id, &f.path("staff-notices.csv"))
        .unwrap();
    f.svc
        .find_households(
            &staff,
            &HouseholdQuery::Member {
                name: "誰でもない".into(),
                birth_date: date("1900-01-01"),
            },
        )
        .unwrap();
    // Kiosk: a wrong postcard password, an unknown ID, STEP3 wrong then right, registration.
    let card = f.card(YAMADA).clone();
    f.login(&card.temp_id, "wrongpass2");
    f.login("nosuchid77", "whatever1");
    let s = f.register_account(
        TANAKA,
        "tanaka1972",
        "Naoko2026pw",
        Some("naoko@example.jp"),
    );
    // Locks: five failures lock the user ID; staff unlock it, twice, and an unknown one.
    for _ in 0..5 {
        f.login("tanaka1972", "Wrong2026pw");
    }
    f.svc.unlock(&staff, "tanaka1972").unwrap();
    f.svc.unlock(&staff, "tanaka1972").unwrap();
    f.svc.unlock(&staff, "neverseen01").unwrap();
    // The account area: a contact change, a wrong and a right password change, a logout.
    f.svc
        .update_contact(
            &kiosk,
            &s,
            &ContactInput {
                email: "naoko2@example.jp".into(),
                notify_mail: false,
                lang: Lang::Ja,
            },
        )
        .unwrap();
    let pw = |current: &str, new: &str| PasswordChangeInput {
        current: Zeroizing::new(current.into()),
        new: Zeroizing::new(new.into()),
        confirm: Zeroizing::new(new.into()),
        lang: Lang::Ja,
    };
    let _ = f
        .svc
        .change_password(&kiosk, &s, &pw("Wrong2026pw", "Naoko2027pw"));
    f.svc
        .change_password(&kiosk, &s, &pw("Naoko2026pw", "Naoko2027pw"))
        .unwrap();
    f.svc.member_logout(&kiosk, &s, "ok").unwrap();
    // Forgotten password: a code, a wrong code; the administrator expires the password.
    f.svc
        .request_reset(&kiosk, "tanaka1972", "naoko2@example.jp", Lang::Ja)
        .unwrap();
    let _ = f.svc.reset_password(
        &kiosk,
        &kosmo_kiosk::services::reset::ResetInput {
            user_id: "tanaka1972".into(),
            code: "00000000".into(),
            new: Zeroizing::new("Naoko2028pw".into()),
            confirm: Zeroizing::new("Naoko2028pw".into()),
            lang: Lang::Ja,
        },
    );
    f.svc
        .expire_password(&Actor::admin(), "tanaka1972")
        .unwrap();
    // The counter: reset with an initial password, correct the address, requeue a dead mail.
    let reset = f
        .svc
        .staff_reset(
            &staff,
            s.household_id,
            IdentityChecklist {
                card_seen: true,
                birth_date_asked: true,
            },
        )
        .unwrap();
    let dead = f.mails("welcome")[0].id;
    f.store()
        .write(|tx| {
            tx.execute(
                "UPDATE outbox SET state = 'dead', last_error = '550 5.1.1 user unknown' WHERE id = ?1",
                [dead],
            )?;
            Ok::<_, kosmo_kiosk::store::StoreError>(())
        })
        .unwrap();
    f.svc.requeue_mail(&staff, dead).unwrap();
    f.svc
        .correct_email(
            &staff,
            CorrectionStart::Household(s.household_id),
            "naoko3@example.jp",
        )
        .unwrap();
    // The mail worker: one sent, one deferred, one dead (outcomes recorded as the worker records them).
    let now = f.clock.now();
    let claimed = f
        .store()
        .write(|tx| outbox::claim(tx, "w", now, now, time::Duration::minutes(1), 3))
        .unwrap();
    assert_eq!(claimed.len(), 3);
    let worker_rows = [
        ("mail_sent", "ok", String::new()),
        (
            "mail_deferred",
            "deferred",
            ": transient error (451): 4.3.0 later".to_string(),
        ),
        (
            "mail_dead",
            "failed",
            ": permanent error (550): 5.1.1 User unknown".to_string(),
        ),
    ];
    f.store()
        .write(|tx| {
            for (row, (event, outcome, why)) in claimed.iter().zip(&worker_rows) {
                kosmo_kiosk::store::audit::insert(
                    tx,
                    &Actor::admin(),
                    &kosmo_kiosk::store::audit::AuditEntry {
                        event,
                        outcome,
                        household_id: row.household_id,
                        subject: Some(&format!("outbox:{}", row.id)),
                        detail: Some(format!("{} {} attempt 1{why}", row.kind, row.message_id)),
                    },
                    now,
                )?;
            }
            Ok::<_, kosmo_kiosk::store::StoreError>(())
        })
        .unwrap();
    f.svc.staff_logout(&staff, "ok").unwrap();

    let rows = f
        .store()
        .read(|c| recent(c, &AuditFilter::default(), 10_000))
        .unwrap();
    let mut events: Vec<&str> = rows.iter().map(|r| r.event.as_str()).collect();
    events.sort_unstable();
    events.dedup();
    for expected in [
        "staff_login",
        "household_lookup",
        "reissue_credential",
        "login",
        "identity_check",
        "register",
        "lock",
        "unlock",
        "contact_change",
        "password_change",
        "logout",
        "password_reset_request",
        "password_reset",
        "expire_password",
        "staff_reset",
        "mail_requeue",
        "email_correction",
        "mail_sent",
        "mail_deferred",
        "mail_dead",
        "staff_logout",
        "issue_credential",
        "import_members",
        "staff_add",
    ] {
        assert!(events.contains(&expected), "no {expected} row: {events:?}");
    }
    let cat = kosmo_kiosk::i18n::Catalogue::get();
    for r in &rows {
        let w = describe(
            &r.event,
            &r.outcome,
            r.subject.as_deref(),
            r.detail.as_deref(),
        );
        assert!(
            w.known,
            "{} {} {:?} reads as no sentence",
            r.event, r.outcome, r.detail
        );
        for m in std::iter::once(&w.sentence).chain(w.fields.iter().flat_map(|(l, v)| [l, v])) {
            for lang in Lang::ALL {
                assert!(cat.lookup(lang, m.key).is_some(), "{} in {lang}", m.key);
            }
        }
        // Details appear as fields, not as the raw text the services wrote.
        if let Some(d) = r.detail.as_deref().filter(|d| d.contains(' ')) {
            let raw = w
                .fields
                .iter()
                .any(|(_, v)| v.args.iter().any(|(_, a)| a == d));
            let admin = matches!(
                r.event.as_str(),
                "import_members" | "purge" | "backup" | "restore"
            );
            assert!(!raw || admin, "{} shows its detail raw: {d}", r.event);
        }
    }
    let texts = f.svc.store.read(|c| Ok(every_text(c))).unwrap();
    for (table, col, v) in &texts {
        assert!(
            !v.contains(reset.initial_password.as_str()),
            "{table}.{col} holds the initial password"
        );
    }
}

/// The audit screen's filters: by user ID (or a postcard's temporary ID), by part of a name, by
/// household and staff ID together; rows name their household so neighbours are told apart.
#[test]
fn audit_filters_by_user_id_and_name() {
    use kosmo_kiosk::services::audit::AuditQuery;
    use kosmo_kiosk::services::households::HouseholdQuery;

    let f = Fixture::build()
        .households(&DEMO)
        .postcards()
        .staff(&["alice", "bob"])
        .open();
    let alice = Actor::staff("alice");
    let bob = Actor::staff("bob");
    f.register_account(YAMADA, "yamada1955", "Kosmo2026pass", None);
    for k in [YAMADA, SATO] {
        f.svc
            .find_households(&alice, &HouseholdQuery::Key(key(k)))
            .unwrap();
    }
    f.svc
        .find_households(&bob, &HouseholdQuery::Key(key(SATO)))
        .unwrap();
    let q = |q: AuditQuery| f.svc.audit_view(&q, 500).unwrap();

    // By user ID, any case: the household's rows, from the postcard to the registration.
    let yamada = q(AuditQuery {
        user_id: Some("YAMADA1955".into()),
        ..Default::default()
    });
    assert!(yamada.rows.len() >= 4, "{:?}", yamada.rows);
    assert!(
        yamada
            .rows
            .iter()
            .all(|r| r.name.as_deref() == Some("山田 太郎"))
    );
    assert!(yamada.rows.iter().any(|r| r.event == "register"));
    assert!(yamada.rows.iter().any(|r| r.event == "issue_credential"));
    // By a postcard's temporary ID: the same household.
    let card = f.card(SATO).clone();
    let sato = q(AuditQuery {
        user_id: Some(card.temp_id.to_lowercase()),
        ..Default::default()
    });
    assert!(!sato.rows.is_empty());
    assert!(
        sato.rows
            .iter()
            .all(|r| r.name.as_deref() == Some("佐藤 一郎"))
    );
    // 山田 (3401) and 佐藤 (3402) share insurer and symbol: masked keys differ only in the last digits,
    // and the name tells them apart.
    assert_ne!(yamada.rows[0].household, sato.rows[0].household);
    // By part of a name (spaces ignored), combined with a staff ID.
    let by_name = q(AuditQuery {
        name: Some("佐藤".into()),
        staff_id: Some("bob".into()),
        ..Default::default()
    });
    assert_eq!(by_name.rows.len(), 1, "{:?}", by_name.rows);
    assert_eq!(by_name.rows[0].event, "household_lookup");
    let full = q(AuditQuery {
        name: Some("山田　花子".into()),
        ..Default::default()
    });
    assert!(full.name_found && !full.rows.is_empty());
    let nobody = q(AuditQuery {
        name: Some("存在しない人".into()),
        ..Default::default()
    });
    assert!(!nobody.name_found && nobody.rows.is_empty());
    // An ID that names no household is matched as written (a staff ID, an unknown ID).
    let staff_rows = q(AuditQuery {
        user_id: Some("ALICE".into()),
        ..Default::default()
    });
    assert!(
        staff_rows
            .rows
            .iter()
            .all(|r| r.subject.as_deref() == Some("alice"))
    );
    // Household and user ID that disagree: nothing.
    let none = q(AuditQuery {
        household: Some(key(SATO)),
        user_id: Some("yamada1955".into()),
        ..Default::default()
    });
    assert!(none.rows.is_empty());
}
