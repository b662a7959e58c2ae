//! The scenarios the query-plan test records: every command, screen, login, the kiosk and mail delivery
//! (issue 16's imports and screens in [`super::expenses`]).

use super::*;

pub(super) fn cli(db: &Path, config: &Path, args: &[&str]) {
    let mut argv = vec![
        "kosmo-kiosk",
        "--db",
        db.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
    ];
    argv.extend_from_slice(args);
    let parsed = kosmo_kiosk::cli::Cli::try_parse_from(&argv).expect("a valid command line");
    let code = kosmo_kiosk::cli::run(parsed);
    assert!(
        code.is_ok(),
        "kosmo-kiosk {args:?} failed: {:?}",
        code.err()
    );
}

fn input(user_id: &str, password: &str) -> RegistrationInput {
    RegistrationInput {
        user_id: user_id.into(),
        password: Zeroizing::new(password.into()),
        password_confirm: Zeroizing::new(password.into()),
        email: format!("{user_id}@example.jp"),
        notify_mail: true,
        registrant: Relationship::Insured,
        member_id: None,
        terms_version: terms(Lang::Ja).version.into(),
        lang: Lang::Ja,
        initial_password: false,
    }
}

/// The kiosk's wizard for household `i` of the society (it holds a live postcard): STEP2 login with
/// the postcard, STEP3 identity, STEP4 [実行]. Returns the new user ID.
fn wizard(svc: &Services, actor: &Actor, i: usize, user_id: &str) -> String {
    let LoginOutcome::Temporary(mut ticket) = svc
        .login(actor, &society::temp_id(i), society::TEMP_PASSWORD)
        .unwrap()
    else {
        panic!("the postcard of household {i} logs in");
    };
    let insurer = society::insurer(i).parse().unwrap();
    let birth = kosmo_kiosk::store::households::parse_date(&society::insured_birth(i)).unwrap();
    let wrong = kosmo_kiosk::store::households::parse_date("1901-01-01").unwrap();
    assert!(matches!(
        svc.check_identity(actor, &ticket, &insurer, wrong).unwrap(),
        IdentityOutcome::Mismatch { .. }
    ));
    match svc.check_identity(actor, &ticket, &insurer, birth).unwrap() {
        IdentityOutcome::Confirmed(m) => ticket.confirm(&m),
        other => panic!("identity of household {i}: {other:?}"),
    }
    assert!(svc.user_id_available(user_id).unwrap());
    let inp = input(user_id, "Kosmo2026scan");
    assert!(svc.validate_details(&ticket, &inp).is_empty());
    svc.register(actor, &ticket, &inp).unwrap().user_id
}

/// Households in the store the commands run on (they print a line or more per household).
pub(super) const CLI_HOUSEHOLDS: usize = 4;

/// Everything a command, a screen, login, the kiosk and mail delivery do: the commands on the small
/// society in `cli_db`, the rest on the large one in `db`.
pub(super) fn scenarios(dir: &Path, db: &Path, cli_db: &Path, config: &Path) {
    let n = CLI_HOUSEHOLDS;
    let svc = Services::with_clock(
        Arc::new(Store::open(db).unwrap()),
        Arc::new(Config::load(Some(config)).unwrap()),
        Arc::new(SystemClock),
    );
    let kiosk = Actor::kiosk();
    let staff = Actor::staff("staff01");
    let admin = Actor::admin();

    // ----- admin commands (the real command-line code, in this process) -----
    let csv = dir.join("new-members.csv");
    let mut text = String::from("insurer_number,symbol,number,name,birth_date,relationship\n");
    for i in n + 1..=n + 3 {
        text.push_str(&society::csv_line(i));
    }
    // A new dependent in a household already there, and a row already present.
    text.push_str(&format!(
        "{},{},{},山田 7 次郎,2010-04-04,dependent\n",
        society::insurer(7),
        society::symbol(7),
        society::number(7),
    ));
    text.push_str(&society::csv_line(7));
    std::fs::write(&csv, text).unwrap();
    cli(
        cli_db,
        config,
        &["admin", "import-members", csv.to_str().unwrap()],
    );
    let notices = dir.join("notices-1.csv");
    cli(
        cli_db,
        config,
        &[
            "admin",
            "issue-credentials",
            "--out",
            notices.to_str().unwrap(),
        ],
    );
    let reissue = dir.join("notices-2.csv");
    let new_key = society::key(n + 1);
    cli(
        cli_db,
        config,
        &[
            "admin",
            "issue-credentials",
            "--out",
            reissue.to_str().unwrap(),
            "--household",
            &new_key,
        ],
    );
    cli(cli_db, config, &["admin", "members"]);
    cli(cli_db, config, &["admin", "members", "--json"]);
    cli(cli_db, config, &["admin", "unlock", &society::user_id(3)]);
    cli(
        cli_db,
        config,
        &["admin", "expire-password", &society::user_id(2)],
    );
    cli(cli_db, config, &["outbox", "list"]);
    cli(cli_db, config, &["outbox", "list", "--json"]);
    cli(cli_db, config, &["admin", "check"]);
    cli(cli_db, config, &["admin", "check", "--json"]);
    cli(cli_db, config, &["admin", "purge", "--dry-run"]);
    cli(cli_db, config, &["admin", "purge"]);
    let backup = dir.join("backup.db");
    cli(
        cli_db,
        config,
        &["admin", "backup", backup.to_str().unwrap()],
    );
    cli(
        cli_db,
        config,
        &["admin", "restore", backup.to_str().unwrap()],
    );
    // (On the small store: purging the large one would leave tables too small for ANALYZE to plan
    // them as the society's.)
    Services::new(
        Arc::new(Store::open(cli_db).unwrap()),
        Arc::new(Config::load(Some(config)).unwrap()),
    )
    .purge_if_due(&admin)
    .unwrap();
    svc.add_staff(&admin, "staff09", "Counter2026desk").unwrap();
    assert!(svc.staff_count().unwrap() >= 6);
    super::expenses::cli_imports(dir, &svc, cli_db, config);

    // ----- login: every outcome -----
    assert!(matches!(
        svc.login(&kiosk, &society::user_id(1), society::MEMBER_PASSWORD)
            .unwrap(),
        LoginOutcome::Permanent(_)
    ));
    assert!(matches!(
        svc.login(&kiosk, &society::user_id(2), society::MEMBER_PASSWORD)
            .unwrap(),
        LoginOutcome::Permanent(_)
    ));
    assert!(matches!(
        svc.login(&kiosk, &society::user_id(3), "Wrong2026pass")
            .unwrap(),
        LoginOutcome::Failed
    ));
    assert!(matches!(
        svc.login(&kiosk, "NoSuchMember9", "Wrong2026pass").unwrap(),
        LoginOutcome::Failed
    ));
    for _ in 0..6 {
        let _ = svc
            .login(&kiosk, &society::user_id(4), "Wrong2026pass")
            .unwrap();
    }
    assert!(matches!(
        svc.login(&kiosk, &society::user_id(4), society::MEMBER_PASSWORD)
            .unwrap(),
        LoginOutcome::Failed
    ));
    let _ = svc.lock_state(&society::user_id(4)).unwrap();

    // ----- the kiosk: the wizard, then the main menu's account screens -----
    let user = wizard(&svc, &kiosk, 6, "kioskscan06");
    let LoginOutcome::Permanent(session) = svc.login(&kiosk, &user, "Kosmo2026scan").unwrap()
    else {
        panic!("the new account logs in");
    };
    svc.account_profile(&session).unwrap();
    svc.update_contact(
        &kiosk,
        &session,
        &ContactInput {
            email: "new-address@example.jp".into(),
            notify_mail: true,
            lang: Lang::Ja,
        },
    )
    .unwrap();
    assert!(
        svc.validate_new_password(
            &user,
            Some("Kosmo2026scan"),
            "Fresh2027scan",
            "Fresh2027scan"
        )
        .is_empty()
    );
    svc.change_password(
        &kiosk,
        &session,
        &PasswordChangeInput {
            current: Zeroizing::new("Kosmo2026scan".into()),
            new: Zeroizing::new("Fresh2027scan".into()),
            confirm: Zeroizing::new("Fresh2027scan".into()),
            lang: Lang::Ja,
        },
    )
    .unwrap();
    svc.request_reset(&kiosk, &user, "new-address@example.jp", Lang::Ja)
        .unwrap();
    let code = svc
        .store
        .read(|c| outbox::list(c, None))
        .unwrap()
        .iter()
        .rev()
        .find(|m| m.kind == "reset_code")
        .map(|m| {
            m.body
                .lines()
                .filter(|l| l.contains("確認コード:") || l.contains("Confirmation code:"))
                .map(|l| l.chars().filter(char::is_ascii_digit).collect::<String>())
                .find(|d| d.len() == 8)
                .expect("a code in the mail")
        })
        .expect("a reset mail");
    svc.reset_password(
        &kiosk,
        &ResetInput {
            user_id: user.clone(),
            code,
            new: Zeroizing::new("Reset2028scan".into()),
            confirm: Zeroizing::new("Reset2028scan".into()),
            lang: Lang::Ja,
        },
    )
    .unwrap();
    // 医療費照会 (months, a month's detail, the year view) and 支給決定通知, on a society's data.
    super::expenses::member_screens(&svc, &session, 6);

    // ----- the staff console -----
    assert!(matches!(
        svc.staff_login(&staff, "staff01", society::MEMBER_PASSWORD)
            .unwrap(),
        StaffLoginOutcome::Ok(_)
    ));
    assert!(matches!(
        svc.staff_login(&staff, "staff02", "Wrong2026pass").unwrap(),
        StaffLoginOutcome::Failed
    ));
    let by_key = svc
        .find_households(
            &staff,
            &HouseholdQuery::Key(HouseholdKey::parse(&society::key(8)).unwrap()),
        )
        .unwrap();
    assert_eq!(by_key.len(), 1);
    let by_member = svc
        .find_households(
            &staff,
            &HouseholdQuery::Member {
                name: society::insured_name(9),
                birth_date: kosmo_kiosk::store::households::parse_date(&society::insured_birth(9))
                    .unwrap(),
            },
        )
        .unwrap();
    assert_eq!(by_member.len(), 1);
    svc.household_view(by_member[0].id).unwrap().unwrap();
    svc.reissue_credential(&staff, by_member[0].id, &dir.join("counter-notices.csv"))
        .unwrap();
    // Registering on a member's behalf: the postcard typed at the counter, then the same wizard.
    assert!(matches!(
        svc.staff_temp_login(&staff, &society::temp_id(16), society::TEMP_PASSWORD)
            .unwrap(),
        LoginOutcome::Temporary(_)
    ));
    wizard(&svc, &staff, 16, "counterscan16");
    // The counter's own tools: password reset with its checklist, address correction.
    let counter_household = svc
        .find_households(
            &staff,
            &HouseholdQuery::Key(HouseholdKey::parse(&society::key(16)).unwrap()),
        )
        .unwrap()[0]
        .id;
    svc.staff_reset(
        &staff,
        counter_household,
        IdentityChecklist {
            card_seen: true,
            birth_date_asked: true,
        },
    )
    .unwrap();
    svc.correct_email(
        &staff,
        CorrectionStart::Household(counter_household),
        "counterscan16b@example.jp",
    )
    .unwrap();
    svc.lock_overview(&society::user_id(100)).unwrap();
    svc.lock_overview("NoSuchMember9").unwrap();
    svc.lock_overview("staff02").unwrap();
    svc.lock_list().unwrap();
    svc.unlock(&staff, &society::user_id(4)).unwrap();
    svc.mail_list(None, 200).unwrap();
    for state in [
        MailState::Queued,
        MailState::Sending,
        MailState::Sent,
        MailState::Dead,
    ] {
        svc.mail_list(Some(state), 200).unwrap();
    }
    let dead = svc.mail_list(Some(MailState::Dead), 1).unwrap();
    svc.requeue_mail(&staff, dead[0].id).unwrap();
    for filter in [
        MailFilter::Undeliverable,
        MailFilter::Waiting,
        MailFilter::All,
    ] {
        svc.mail_overview(filter, 200).unwrap();
    }
    svc.audit_view(&AuditQuery::default(), 300).unwrap();
    for user_id in [
        society::user_id(100),
        "counterscan16".into(),
        "staff02".into(),
    ] {
        svc.audit_view(
            &AuditQuery {
                user_id: Some(user_id),
                ..Default::default()
            },
            300,
        )
        .unwrap();
    }
    svc.audit_view(
        &AuditQuery {
            name: Some(society::insured_name(9)),
            ..Default::default()
        },
        300,
    )
    .unwrap();
    svc.audit_view(
        &AuditQuery {
            household: Some(HouseholdKey::parse(&society::key(8)).unwrap()),
            ..Default::default()
        },
        300,
    )
    .unwrap();
    svc.audit_view(
        &AuditQuery {
            staff_id: Some("STAFF01".into()),
            ..Default::default()
        },
        300,
    )
    .unwrap();
    svc.staff_logout(&staff, "logout").unwrap();

    // ----- mail delivery (outbox sync and the kiosk's worker share this code) -----
    let worker = Worker {
        store: &svc.store,
        clock: svc.clock.as_ref(),
        actor: Actor::admin(),
        opts: DeliveryOptions::from_config(&svc.config.mail, "sync").unwrap(),
        control: Control::new(),
    };
    let mut eml = EmlTransport::new(dir.join("mail"));
    let round = worker.deliver_due(&mut eml).unwrap();
    assert!(round.sent > 0, "{round:?}");
    svc.store.read(outbox::waiting).unwrap();
    svc.store.read(|c| outbox::get(c, 1)).unwrap();
}
