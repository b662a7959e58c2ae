//! The counter's tools on real SQLite: パスワード再設定 (an initial password drawn by the service, the old
//! one dead at once, the forced change at the next login that does not ask for it again) and
//! メールアドレス訂正 (undelivered mail re-addressed, the old address gets nothing — checked against a
//! real SMTP server), each one transaction: a failure injected after the first write leaves nothing.

use kosmo_kiosk::clock::Clock;
use kosmo_kiosk::domain::Lang;
use kosmo_kiosk::services::account::{PasswordChangeError, PasswordChangeInput};
use kosmo_kiosk::services::auth::{ChangeReason, LoginOutcome};
use kosmo_kiosk::services::email_correction::{CorrectionError, CorrectionStart};
use kosmo_kiosk::services::staff_reset::{IdentityChecklist, StaffResetError};
use kosmo_kiosk::store::accounts::MustChange;
use kosmo_kiosk::store::outbox::{self, MailState, NewMail};
use kosmo_kiosk::store::{Actor, Channel};
use zeroize::Zeroizing;

use super::support::mail::outbox::test_config;
use super::support::mail::smtp::{Behaviour, TestSmtp};
use super::support::*;

const PASSWORD: &str = "Kosmo2026pass";
const BOTH: IdentityChecklist = IdentityChecklist {
    card_seen: true,
    birth_date_asked: true,
};

fn counter() -> Actor {
    Actor {
        channel: Channel::Staff,
        staff_id: Some("alice".into()),
        client_addr: Some("192.0.2.10".into()),
    }
}

fn change(new: &str, current: &str) -> PasswordChangeInput {
    PasswordChangeInput {
        current: Zeroizing::new(current.into()),
        new: Zeroizing::new(new.into()),
        confirm: Zeroizing::new(new.into()),
        lang: Lang::Ja,
    }
}

/// Makes every insert into `table` that matches `when` fail inside the transaction that tries it.
fn inject_failure(f: &Fixture, table: &str, when: &str) {
    f.store()
        .write(|tx| {
            tx.execute_batch(&format!(
                "CREATE TRIGGER inject_failure BEFORE INSERT ON {table} WHEN {when}
                 BEGIN SELECT RAISE(ABORT, 'injected failure'); END;"
            ))?;
            Ok::<_, kosmo_kiosk::store::StoreError>(())
        })
        .unwrap();
}

fn remove_injection(f: &Fixture) {
    f.store()
        .write(|tx| {
            tx.execute_batch("DROP TRIGGER inject_failure")?;
            Ok::<_, kosmo_kiosk::store::StoreError>(())
        })
        .unwrap();
}

#[test]
fn staff_reset_kills_the_old_password_and_forces_a_change() {
    let f = Fixture::build().at(T0).households(&DEMO).open();
    f.register_account(YAMADA, "yamada1955", PASSWORD, Some("taro@example.jp"));
    let hid = f.household_id(YAMADA);
    // The member also asked for a code by mail before coming to the counter, and has failures.
    for _ in 0..3 {
        assert!(!f.logs_in("yamada1955", "Wrong2026pass"));
    }
    let before = f.outbox().len();

    // Nothing happens until both boxes of the checklist are ticked.
    for half in [
        IdentityChecklist {
            card_seen: true,
            birth_date_asked: false,
        },
        IdentityChecklist::default(),
    ] {
        assert!(matches!(
            f.svc.staff_reset(&counter(), hid, half),
            Err(StaffResetError::Unconfirmed)
        ));
    }
    assert!(f.logs_in("yamada1955", PASSWORD));

    let r = f.svc.staff_reset(&counter(), hid, BOTH).expect("reset");
    assert_eq!(r.user_id, "yamada1955");
    assert_eq!(r.name, "山田 太郎");
    assert_eq!(r.mail_to.as_deref(), Some("taro@example.jp"));
    let initial = r.initial_password.to_string();
    assert_eq!(initial.len(), 12);
    assert!(
        f.config
            .password
            .check(&initial, &Default::default())
            .is_ok()
    );

    // The old password is refused at once; the initial one forces a change.
    assert!(!f.logs_in("yamada1955", PASSWORD));
    let session = match f.login("yamada1955", &initial) {
        LoginOutcome::Permanent(s) => s,
        other => panic!("{other:?}"),
    };
    assert_eq!(session.must_change, Some(ChangeReason::Initial));
    let a = f.account("yamada1955");
    assert_eq!(a.must_change, Some(MustChange::Initial));
    assert!(a.password_hash.starts_with("$argon2id$"));

    // The audit row: channel staff, staff ID, SSH client address, the checklist; no password.
    assert_eq!(
        f.query::<String>(
            "SELECT channel || '|' || staff_id || '|' || client_addr || '|' || subject || '|' || detail
             FROM audit WHERE event = 'staff_reset'",
            &[]
        ),
        "staff|alice|192.0.2.10|yamada1955|checks=card,birth_date mail=queued"
    );
    // The notice went to the address on file, without the password.
    let mails = f.mails("staff_reset");
    assert_eq!(mails.len(), 1);
    assert_eq!(f.outbox().len(), before + 1);
    assert_eq!(mails[0].to, "taro@example.jp");
    assert!(mails[0].body.contains("yamada1955"));
    assert!(!mails[0].body.contains(&initial));
    assert!(!mails[0].subject.contains(&initial));

    // The forced change does not ask for the initial password again: the login proved it…
    let same = f
        .svc
        .change_password(&Actor::kiosk(), &session, &change(&initial, ""))
        .unwrap_err();
    assert!(
        matches!(&same, PasswordChangeError::Invalid(v) if v[0].field == "new"),
        "{same:?}"
    );
    let done = f
        .svc
        .change_password(&Actor::kiosk(), &session, &change("Mine2026pass", ""))
        .expect("forced change without the current password");
    assert_eq!(done.mail_to.as_deref(), Some("taro@example.jp"));
    assert_eq!(f.account("yamada1955").must_change, None);
    assert!(f.logs_in("yamada1955", "Mine2026pass"));
    assert!(!f.logs_in("yamada1955", &initial));
    assert_eq!(
        f.query::<String>(
            "SELECT detail FROM audit WHERE event = 'password_change' AND outcome = 'ok'",
            &[]
        ),
        "forced initial"
    );
    // …but a change from the menu still asks for it.
    let menu = match f.login("yamada1955", "Mine2026pass") {
        LoginOutcome::Permanent(s) => s,
        other => panic!("{other:?}"),
    };
    assert!(matches!(
        f.svc
            .change_password(&Actor::kiosk(), &menu, &change("Other2026pass", "")),
        Err(PasswordChangeError::Invalid(v)) if v[0].field == "current"
    ));
}

#[test]
fn a_forced_change_is_refused_once_the_password_was_reset_again() {
    let f = Fixture::build().at(T0).households(&DEMO).open();
    f.register_account(SATO, "sato1980x", PASSWORD, None);
    let hid = f.household_id(SATO);
    let first = f.svc.staff_reset(&counter(), hid, BOTH).unwrap();
    assert_eq!(first.mail_id, None, "no address, no mail");
    let session = f.session("sato1980x", &first.initial_password);
    // A second reset at the counter while that session waits on the forced change.
    f.advance(time::Duration::seconds(5));
    let second = f.svc.staff_reset(&counter(), hid, BOTH).unwrap();
    assert!(matches!(
        f.svc
            .change_password(&Actor::kiosk(), &session, &change("Mine2026pass", "")),
        Err(PasswordChangeError::Replaced)
    ));
    assert!(f.logs_in("sato1980x", &second.initial_password));
    assert!(!f.logs_in("sato1980x", &first.initial_password));
}

#[test]
fn staff_reset_lifts_the_lock_and_retires_mailed_codes() {
    let f = Fixture::build().at(T0).households(&DEMO).open();
    f.register_account(YAMADA, "yamada1955", PASSWORD, Some("taro@example.jp"));
    f.svc
        .request_reset(&Actor::kiosk(), "yamada1955", "taro@example.jp", Lang::Ja)
        .unwrap();
    let code = code_in(&f.mails("reset_code")[0].body);
    for _ in 0..5 {
        f.login("yamada1955", "Wrong2026pass");
    }
    assert!(
        f.svc
            .lock_state("yamada1955")
            .unwrap()
            .locked_until
            .is_some()
    );
    let r = f
        .svc
        .staff_reset(&counter(), f.household_id(YAMADA), BOTH)
        .unwrap();
    assert!(f.logs_in("yamada1955", &r.initial_password), "lock cleared");
    let detail: String = f.query("SELECT detail FROM audit WHERE event = 'staff_reset'", &[]);
    assert!(detail.contains("lock=cleared"), "{detail}");
    // The code mailed before the reset no longer sets a password.
    let used = f.svc.reset_password(
        &Actor::kiosk(),
        &kosmo_kiosk::services::reset::ResetInput {
            user_id: "yamada1955".into(),
            code,
            new: Zeroizing::new("Mine2026pass".into()),
            confirm: Zeroizing::new("Mine2026pass".into()),
            lang: Lang::Ja,
        },
    );
    assert!(used.is_err());
    assert!(f.logs_in("yamada1955", &r.initial_password));
}

#[test]
fn staff_reset_refuses_what_it_cannot_reset() {
    let f = Fixture::build().at(T0).households(&DEMO).open();
    assert!(matches!(
        f.svc.staff_reset(&counter(), f.household_id(TANAKA), BOTH),
        Err(StaffResetError::NotRegistered)
    ));
    assert!(matches!(
        f.svc.staff_reset(&counter(), 99_999, BOTH),
        Err(StaffResetError::NotFound)
    ));
    assert_eq!(f.audits("staff_reset", None), 0);
}

#[test]
fn a_failed_reset_leaves_nothing() {
    let f = Fixture::build().at(T0).households(&DEMO).open();
    f.register_account(YAMADA, "yamada1955", PASSWORD, Some("taro@example.jp"));
    let hid = f.household_id(YAMADA);
    let before_outbox = f.outbox().len();
    // After the password (the first write): the audit row fails; then, separately, the mail.
    for (table, when) in [
        ("audit", "NEW.event = 'staff_reset'"),
        ("outbox", "NEW.kind = 'staff_reset'"),
    ] {
        inject_failure(&f, table, when);
        assert!(f.svc.staff_reset(&counter(), hid, BOTH).is_err());
        remove_injection(&f);
        assert!(
            f.logs_in("yamada1955", PASSWORD),
            "{table}: old password kept"
        );
        assert_eq!(f.account("yamada1955").must_change, None, "{table}");
        assert_eq!(f.outbox().len(), before_outbox, "{table}");
        assert_eq!(f.audits("staff_reset", None), 0, "{table}");
    }
}

/// 山田 registered with a wrong address; the welcome mail died at the server, a password notice
/// waits for a retry, a 個人情報管理 confirmation quoting the wrong address waits too, and an earlier
/// address has its own notice (not the wrong address: it must stay as it is).
fn bounced(f: &Fixture) -> (i64, i64, i64, i64) {
    let s = f.register_account(YAMADA, "yamada1955", PASSWORD, Some("hanako@exmaple.jp"));
    let hid = s.household_id;
    let welcome = f.mails("welcome")[0].id;
    let now = f.clock.now();
    f.store()
        .write(|tx| {
            let claimed = outbox::claim(tx, "w", now, now, time::Duration::minutes(1), 10)?;
            assert_eq!(claimed.len(), 1);
            outbox::mark_dead(
                tx,
                welcome,
                "w",
                "permanent error (550): 5.1.1 <hanako@exmaple.jp>: Recipient address rejected: User unknown",
            )?;
            let mut ids = Vec::new();
            for (kind, to) in [
                ("password_changed", "hanako@exmaple.jp"),
                ("contact_changed", "hanako@exmaple.jp"),
                ("email_changed_old", "old@example.jp"),
            ] {
                ids.push(outbox::enqueue(
                    tx,
                    &NewMail {
                        kind,
                        to,
                        subject: "s",
                        body: "body hanako@exmaple.jp",
                        lang: "ja",
                        message_id: &kosmo_kiosk::services::mail::new_message_id("a@kosmoweb.jp"),
                        dedupe_key: &format!("{kind}:test"),
                        household_id: Some(hid),
                    },
                    now,
                )?);
            }
            Ok::<_, kosmo_kiosk::store::StoreError>((welcome, ids[0], ids[1], ids[2]))
        })
        .unwrap()
}

#[test]
fn a_correction_never_sends_to_the_old_address() {
    let server = TestSmtp::start(Behaviour::default());
    let f = Fixture::build()
        .at(T0)
        .households(&DEMO)
        .config(test_config(Some(server.url())))
        .open();
    let (welcome, notice, confirmation, previous) = bounced(&f);
    let old_message_id = f.row(welcome).message_id;

    // The kiosk's rule: a bad address is refused and nothing changes.
    for bad in ["", "hanako@", "hana ko@example.jp"] {
        assert!(matches!(
            f.svc
                .correct_email(&counter(), CorrectionStart::Mail(welcome), bad),
            Err(CorrectionError::Invalid(_))
        ));
    }
    assert_eq!(f.row(welcome).state, MailState::Dead);

    let c = f
        .svc
        .correct_email(
            &counter(),
            CorrectionStart::Mail(welcome),
            "ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐ",
        )
        .expect("correction");
    assert_eq!(
        c.new_email, "hanako@example.jp",
        "typed full-width, stored ASCII"
    );
    assert_eq!(c.old_email.as_deref(), Some("hanako@exmaple.jp"));
    assert_eq!(c.resent, vec![welcome, notice]);
    assert_eq!(
        f.account("yamada1955").email.as_deref(),
        Some("hanako@example.jp")
    );
    let w = f.row(welcome);
    assert_eq!(
        (w.to.as_str(), w.state, w.attempts, w.last_error.as_deref()),
        ("hanako@example.jp", MailState::Queued, 0, None)
    );
    assert_ne!(
        w.message_id, old_message_id,
        "another delivery, another Message-ID"
    );
    // The confirmation quoting the wrong address is replaced by the correction notice.
    assert!(f.rows().iter().all(|r| r.id != confirmation));
    let n = f.row(c.notice_id);
    assert_eq!(
        (n.kind.as_str(), n.to.as_str()),
        ("email_correction", "hanako@example.jp")
    );
    assert!(
        n.body.contains("yamada1955") && n.body.contains('2'),
        "{}",
        n.body
    );
    assert_eq!(
        f.row(previous).to,
        "old@example.jp",
        "another address is not touched"
    );
    let detail: String = f.query(
        "SELECT detail FROM audit WHERE event = 'email_correction'",
        &[],
    );
    assert_eq!(
        detail,
        format!(
            "old=h***@exmaple.jp new=h***@example.jp start=mail#{welcome} resent=#{welcome},#{notice} replaced=#{confirmation}"
        )
    );

    // Deliver everything due: the server never hears of the old address.
    let round = f.deliver();
    assert_eq!(round.sent, 4, "{round:?}");
    let received = server.received();
    let rcpts: Vec<&str> = received
        .iter()
        .flat_map(|r| r.to.iter().map(String::as_str))
        .collect();
    assert!(!rcpts.contains(&"hanako@exmaple.jp"), "{rcpts:?}");
    assert_eq!(
        rcpts.iter().filter(|t| **t == "hanako@example.jp").count(),
        3,
        "{rcpts:?}"
    );
    assert!(rcpts.contains(&"old@example.jp"));

    // The same address again, with nothing waiting: nothing to correct.
    assert!(matches!(
        f.svc.correct_email(
            &counter(),
            CorrectionStart::Household(c.household_id),
            "hanako@example.jp"
        ),
        Err(CorrectionError::Unchanged)
    ));
    // A delivered mail cannot be the start of a correction.
    assert!(matches!(
        f.svc
            .correct_email(&counter(), CorrectionStart::Mail(welcome), "x@example.jp"),
        Err(CorrectionError::AlreadySent)
    ));
}

#[test]
fn a_correction_takes_a_message_from_a_worker_that_holds_it() {
    let f = Fixture::build().at(T0).households(&DEMO).open();
    let (welcome, _, _, _) = bounced(&f);
    // Another worker has just claimed the waiting notice (to the wrong address).
    let now = f.clock.now();
    let claimed = f
        .store()
        .write(|tx| outbox::claim(tx, "w2", now, now, time::Duration::minutes(5), 10))
        .unwrap();
    let held = claimed
        .iter()
        .find(|r| r.to == "hanako@exmaple.jp")
        .expect("a held message")
        .id;
    f.svc
        .correct_email(
            &counter(),
            CorrectionStart::Mail(welcome),
            "hanako@example.jp",
        )
        .unwrap();
    // That worker can no longer mark it, nor retry it to the old address.
    let (sent, retried) = f
        .store()
        .write(|tx| {
            Ok::<_, kosmo_kiosk::store::StoreError>((
                outbox::mark_sent(tx, held, "w2", now)?,
                outbox::mark_retry(tx, held, "w2", now, "451 later")?,
            ))
        })
        .unwrap();
    assert!(!sent && !retried);
    let r = f.row(held);
    assert_eq!(
        (r.to.as_str(), r.state),
        ("hanako@example.jp", MailState::Queued)
    );
}

#[test]
fn a_correction_from_a_household_and_what_it_refuses() {
    let f = Fixture::build().at(T0).households(&DEMO).open();
    f.register_account(SATO, "sato1980x", PASSWORD, None);
    let hid = f.household_id(SATO);
    // No address yet: the counter adds one; only the notice goes out.
    let c = f
        .svc
        .correct_email(
            &counter(),
            CorrectionStart::Household(hid),
            "ichiro@example.jp",
        )
        .unwrap();
    assert!(c.resent.is_empty());
    assert_eq!(c.old_email, None);
    let n = f.row(c.notice_id);
    assert_eq!(n.to, "ichiro@example.jp");
    assert!(
        !n.body.contains("通）"),
        "no count line when nothing is re-sent"
    );
    assert!(f.account("sato1980x").email.is_some());
    // A household without an account has no address to correct; an unknown one is not found.
    assert!(matches!(
        f.svc.correct_email(
            &counter(),
            CorrectionStart::Household(f.household_id(TANAKA)),
            "a@example.jp"
        ),
        Err(CorrectionError::NoAccount)
    ));
    assert!(matches!(
        f.svc.correct_email(
            &counter(),
            CorrectionStart::Household(99_999),
            "a@example.jp"
        ),
        Err(CorrectionError::NotFound)
    ));
    assert!(matches!(
        f.svc
            .correct_email(&counter(), CorrectionStart::Mail(99_999), "a@example.jp"),
        Err(CorrectionError::NotFound)
    ));
}

#[test]
fn a_failed_correction_leaves_nothing() {
    let f = Fixture::build().at(T0).households(&DEMO).open();
    let (welcome, notice, confirmation, _) = bounced(&f);
    let before = f.rows();
    // The address and the re-addressed rows are written first; the notice (last) fails.
    inject_failure(&f, "outbox", "NEW.kind = 'email_correction'");
    assert!(
        f.svc
            .correct_email(
                &counter(),
                CorrectionStart::Mail(welcome),
                "hanako@example.jp"
            )
            .is_err()
    );
    remove_injection(&f);
    assert_eq!(f.rows(), before);
    assert_eq!(
        f.account("yamada1955").email.as_deref(),
        Some("hanako@exmaple.jp")
    );
    assert_eq!(f.row(welcome).state, MailState::Dead);
    assert_eq!(f.row(notice).to, "hanako@exmaple.jp");
    assert_eq!(f.row(confirmation).kind, "contact_changed");
    assert_eq!(f.audits("email_correction", None), 0);
}
