//! Retention with a fixed clock: what is kept, what goes, the audit row of each purge; a property test
//! that no purge removes anything inside its window (and that everything outside it goes).

use std::sync::Arc;

use kosmo_kiosk::clock::FixedClock;
use kosmo_kiosk::config::{Config, RetentionConfig};
use kosmo_kiosk::services::Services;
use kosmo_kiosk::store::{Actor, Store, ts};
use proptest::prelude::*;
use rusqlite::{Connection, params};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use crate::support::bin::Ops;

const NOW: OffsetDateTime = datetime!(2030-06-15 03:00:00 UTC);

struct Rig {
    _dir: tempfile::TempDir,
    svc: Services,
    clock: Arc<FixedClock>,
}

impl Rig {
    fn new(retention: RetentionConfig) -> Rig {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("kiosk.db")).unwrap();
        let clock = Arc::new(FixedClock::new(NOW));
        let config = Config {
            retention,
            ..Config::default()
        };
        let svc = Services::with_clock(Arc::new(store), Arc::new(config), clock.clone());
        let rig = Rig {
            _dir: dir,
            svc,
            clock,
        };
        rig.exec(
            "INSERT INTO households (id, insurer_number, symbol, number, created_at)
             VALUES (1, '06139497', '1', '1', '2020-01-01T00:00:00Z')",
            [],
        );
        rig.exec(
            "INSERT INTO accounts (id, household_id, user_id, password_hash, password_set_at, notify_mail,
                                   registrant, registered_at, channel)
             VALUES (1, 1, 'member2030', '$argon2id$x', '2020-01-01T00:00:00Z', 0, 'insured',
                     '2020-01-01T00:00:00Z', 'kiosk')",
            [],
        );
        rig
    }

    fn exec(&self, sql: &str, p: impl rusqlite::Params) {
        self.svc
            .store
            .read(|c| {
                c.execute(sql, p)?;
                Ok(())
            })
            .unwrap();
    }

    fn query<T: rusqlite::types::FromSql>(&self, sql: &str) -> Vec<T> {
        self.svc
            .store
            .read(|c: &Connection| {
                let mut st = c.prepare(sql)?;
                let rows = st.query_map([], |r| r.get(0))?;
                Ok(rows.collect::<rusqlite::Result<Vec<T>>>()?)
            })
            .unwrap()
    }

    /// A postcard in `state`; `ended` is when it was used/revoked (state_at) or expired (expires_at).
    fn postcard(&self, id: i64, state: &str, ended: OffsetDateTime) {
        let (state_at, expires) = match state {
            "used" | "revoked" => (Some(ts(ended)), ts(ended + Duration::days(30))),
            "expired" => (Some(ts(ended + Duration::days(2))), ts(ended)),
            _ => (None, ts(ended)),
        };
        // Its own household: a household has at most one live postcard.
        self.exec(
            "INSERT INTO households (id, insurer_number, symbol, number, created_at)
             VALUES (?1 + 1000, '06139497', 'P', ?1, '2020-01-01T00:00:00Z')",
            [id],
        );
        self.exec(
            "INSERT INTO temp_credentials (id, household_id, temp_id, password_hash, issued_at, expires_at,
                                           state, state_at, identity_token_hash)
             VALUES (?1, ?1 + 1000, ?2, '$argon2id$hash', '2020-01-01T00:00:00Z', ?3, ?4, ?5, 'tok')",
            params![id, format!("T{id:06}"), expires, state, state_at],
        );
    }

    fn reset_code(&self, id: i64, created: OffsetDateTime, used: bool) {
        self.exec(
            "INSERT INTO reset_codes (id, account_id, code_hash, created_at, expires_at, used_at)
             VALUES (?1, 1, 'h', ?2, ?3, ?4)",
            params![
                id,
                ts(created),
                ts(created + Duration::minutes(15)),
                used.then(|| ts(created + Duration::minutes(1)))
            ],
        );
    }

    fn mail(&self, id: i64, state: &str, at: OffsetDateTime) {
        self.exec(
            "INSERT INTO outbox (id, kind, recipient, subject, body, message_id, dedupe_key, state,
                                 created_at, next_attempt_at, sent_at)
             VALUES (?1, 'welcome', 'm@example.jp', 's', 'the body', ?2, ?2, ?3, ?4, ?4, ?5)",
            params![
                id,
                format!("<{id}@t>"),
                state,
                ts(at),
                (state == "sent").then(|| ts(at))
            ],
        );
    }

    fn audit(&self, id: i64, at: OffsetDateTime) {
        self.exec(
            "INSERT INTO audit (id, at, channel, event, outcome) VALUES (?1, ?2, 'kiosk', 'login', 'ok')",
            params![id, ts(at)],
        );
    }

    fn hashes_left(&self) -> Vec<i64> {
        self.query("SELECT id FROM temp_credentials WHERE password_hash <> '' ORDER BY id")
    }
}

fn defaults() -> RetentionConfig {
    RetentionConfig::default()
}

#[test]
fn what_is_kept_and_what_goes_with_the_defaults() {
    let rig = Rig::new(defaults());
    let day = Duration::days(1);
    // Postcards: hashes of those that stopped working more than 30 days ago go.
    rig.postcard(1, "used", NOW - 31 * day);
    rig.postcard(2, "used", NOW - 29 * day);
    rig.postcard(3, "revoked", NOW - 40 * day);
    rig.postcard(4, "expired", NOW - 31 * day);
    rig.postcard(5, "live", NOW - 31 * day); // past its date, never marked
    rig.postcard(6, "live", NOW + 10 * day); // still valid, whatever its age
    // Reset codes: used or expired ones older than 24 hours go.
    rig.reset_code(1, NOW - Duration::hours(25), true);
    rig.reset_code(2, NOW - Duration::hours(25), false); // expired
    rig.reset_code(3, NOW - Duration::hours(2), true); // inside the hour count's window
    // Mail: bodies of mail sent more than 30 days ago are emptied; rows stay.
    rig.mail(1, "sent", NOW - 31 * day);
    rig.mail(2, "sent", NOW - 29 * day);
    rig.mail(3, "queued", NOW - 60 * day);
    rig.mail(4, "dead", NOW - 60 * day);
    // Audit: rows older than five years go.
    rig.audit(1, NOW - Duration::days(5 * 366));
    rig.audit(2, NOW - Duration::days(5 * 365 - 10));

    let dry = rig.svc.purge(&Actor::admin(), true).unwrap();
    assert!(dry.dry_run);
    assert_eq!(
        (
            dry.counts.credential_hashes,
            dry.counts.reset_codes,
            dry.counts.mail_bodies,
            dry.counts.audit_rows
        ),
        (4, 2, 1, 1)
    );
    assert_eq!(
        rig.hashes_left(),
        [1, 2, 3, 4, 5, 6],
        "a dry run changes nothing"
    );
    assert!(
        rig.query::<i64>("SELECT id FROM audit WHERE event = 'purge'")
            .is_empty()
    );

    let done = rig.svc.purge(&Actor::admin(), false).unwrap();
    assert_eq!(done.counts, dry.counts);
    assert_eq!(rig.hashes_left(), [2, 6]);
    assert_eq!(
        rig.query::<i64>("SELECT id FROM temp_credentials ORDER BY id"),
        [1, 2, 3, 4, 5, 6],
        "the rows (and their temporary IDs) stay"
    );
    assert_eq!(
        rig.query::<String>("SELECT state FROM temp_credentials WHERE id = 5"),
        ["expired"]
    );
    assert!(
        rig.query::<Option<String>>(
            "SELECT identity_token_hash FROM temp_credentials WHERE id IN (1, 3, 4, 5)"
        )
        .iter()
        .all(Option::is_none)
    );
    assert_eq!(rig.query::<i64>("SELECT id FROM reset_codes"), [3]);
    assert_eq!(
        rig.query::<String>("SELECT body FROM outbox ORDER BY id"),
        ["", "the body", "the body", "the body"]
    );
    assert_eq!(
        rig.query::<String>("SELECT message_id FROM outbox WHERE id = 1"),
        ["<1@t>"]
    );
    assert_eq!(
        rig.query::<i64>("SELECT id FROM audit WHERE event = 'login'"),
        [2]
    );
    // The purge is an audit row with its counts, written by the admin channel at the clock's time.
    let rows: Vec<String> = rig.query(
        "SELECT at || ' ' || channel || ' ' || detail FROM audit WHERE event = 'purge' AND outcome = 'ok'",
    );
    assert_eq!(
        rows,
        [format!(
            "{} admin credential_hashes 4 reset_codes 2 mail_bodies 1 audit_rows 1",
            ts(NOW)
        )]
    );
    // Again: nothing left to do, and that purge is a row too.
    let again = rig.svc.purge(&Actor::admin(), false).unwrap();
    assert_eq!(again.counts.total(), 0);
    assert_eq!(
        rig.query::<i64>("SELECT count(*) FROM audit WHERE event = 'purge'"),
        [2]
    );
}

#[test]
fn the_daily_purge_runs_once_a_day() {
    let rig = Rig::new(defaults());
    rig.mail(1, "sent", NOW - Duration::days(40));
    assert!(rig.svc.purge_if_due(&Actor::admin()).unwrap().is_some());
    rig.mail(2, "sent", NOW - Duration::days(40));
    rig.clock.advance(Duration::hours(23));
    assert_eq!(rig.svc.purge_if_due(&Actor::admin()).unwrap(), None);
    assert_eq!(
        rig.query::<String>("SELECT body FROM outbox WHERE id = 2"),
        ["the body"]
    );
    rig.clock.advance(Duration::hours(1));
    let c = rig.svc.purge_if_due(&Actor::admin()).unwrap().unwrap();
    assert_eq!(c.mail_bodies, 1);
}

#[test]
fn zero_keeps_that_kind_forever() {
    let rig = Rig::new(RetentionConfig {
        credential_hash_days: 0,
        reset_code_hours: 0,
        sent_mail_body_days: 0,
        audit_years: 0,
    });
    rig.postcard(1, "used", NOW - Duration::days(5000));
    rig.reset_code(1, NOW - Duration::days(5000), true);
    rig.mail(1, "sent", NOW - Duration::days(5000));
    rig.audit(1, NOW - Duration::days(5000));
    assert_eq!(
        rig.svc
            .purge(&Actor::admin(), false)
            .unwrap()
            .counts
            .total(),
        0
    );
    assert_eq!(rig.hashes_left(), [1]);
}

#[test]
fn purge_through_the_binary_and_a_dry_run_says_so() {
    let ops = Ops::new();
    ops.config("[retention]\nsent_mail_body_days = 1\n");
    let csv = ops.write(
        "members.csv",
        "insurer_number,symbol,number,name,birth_date,relationship\n06139497,12,4417203,山田 太郎,1970-05-05,insured\n",
    );
    ops.ok(&["admin", "import-members", csv.to_str().unwrap()]);
    let two_days_ago = ts(OffsetDateTime::now_utc() - Duration::days(2));
    Connection::open(&ops.db)
        .unwrap()
        .execute(
            "INSERT INTO outbox (kind, recipient, subject, body, message_id, dedupe_key, state, created_at,
                                 next_attempt_at, sent_at)
             VALUES ('welcome', 'm@example.jp', 's', 'b', '<1@t>', 'k', 'sent', ?1, ?1, ?1)",
            [&two_days_ago],
        )
        .unwrap();
    let out = ops.ok(&["admin", "purge", "--dry-run"]);
    assert_eq!(
        out.trim(),
        "would purge: 0 postcard hashes, 0 reset codes, 1 mail body, 0 audit rows (nothing was changed)"
    );
    let out = ops.ok(&["admin", "purge"]);
    assert_eq!(
        out.trim(),
        "purged: 0 postcard hashes, 0 reset codes, 1 mail body, 0 audit rows"
    );
    let body: String = Connection::open(&ops.db)
        .unwrap()
        .query_row("SELECT body FROM outbox", [], |r| r.get(0))
        .unwrap();
    assert_eq!(body, "");
}

#[derive(Debug, Clone)]
enum Item {
    Postcard(&'static str, i64),
    ResetCode(bool, i64),
    Mail(&'static str, i64),
    Audit(i64),
}

fn item() -> impl Strategy<Value = Item> {
    // Ages in minutes, from the future (a valid postcard) to ~12 years back, clustered around the
    // windows' edges as well as spread out.
    let age = prop_oneof![
        -100_000i64..6_500_000,
        (0i64..3).prop_flat_map(|k| {
            let edge: i64 = [1440 * 30, 60 * 24, 1440 * 365 * 5][k as usize];
            (edge - 3)..(edge + 3)
        }),
    ];
    prop_oneof![
        (
            prop_oneof![Just("used"), Just("revoked"), Just("expired"), Just("live")],
            age.clone()
        )
            .prop_map(|(s, a)| Item::Postcard(s, a)),
        (any::<bool>(), age.clone()).prop_map(|(u, a)| Item::ResetCode(u, a)),
        (
            prop_oneof![Just("sent"), Just("queued"), Just("dead")],
            age.clone()
        )
            .prop_map(|(s, a)| Item::Mail(s, a)),
        age.prop_map(Item::Audit),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Whatever the windows and the data, a purge removes exactly what ended before its window: nothing
    /// inside it, everything outside it.
    #[test]
    fn no_purge_removes_anything_inside_its_window(
        items in prop::collection::vec(item(), 1..40),
        days in 0u32..60,
        hours in 0u32..72,
        mail_days in 0u32..60,
        years in 0u32..8,
    ) {
        let r = RetentionConfig {
            credential_hash_days: days,
            reset_code_hours: hours,
            sent_mail_body_days: mail_days,
            audit_years: years,
        };
        let rig = Rig::new(r.clone());
        let mut expect_gone = Vec::new();
        for (i, it) in items.iter().enumerate() {
            let id = i as i64 + 1;
            let at = |mins: i64| NOW - Duration::minutes(mins);
            let outside = |mins: i64, window: Option<Duration>| window.is_some_and(|w| Duration::minutes(mins) >= w);
            let gone = match *it {
                Item::Postcard(state, mins) => {
                    rig.postcard(id, state, at(mins));
                    // A live postcard still valid (ends in the future) is never touched.
                    mins >= 0 && outside(mins, (days > 0).then(|| Duration::days(days.into())))
                }
                Item::ResetCode(used, mins) => {
                    rig.reset_code(id, at(mins), used);
                    let finished = used || mins >= 15;
                    finished && outside(mins, (hours > 0).then(|| Duration::hours(hours.into())))
                }
                Item::Mail(state, mins) => {
                    rig.mail(id, state, at(mins));
                    state == "sent" && outside(mins, (mail_days > 0).then(|| Duration::days(mail_days.into())))
                }
                Item::Audit(mins) => {
                    rig.audit(id, at(mins));
                    // Calendar years: check against the same arithmetic the store uses.
                    years > 0 && at(mins) < NOW.replace_year(NOW.year() - years as i32).unwrap()
                }
            };
            expect_gone.push((id, it.clone(), gone));
        }
        let report = rig.svc.purge(&Actor::admin(), false).unwrap();
        let mut removed = 0;
        for (id, it, gone) in &expect_gone {
            let still = match it {
                Item::Postcard(..) => !rig.query::<i64>(&format!("SELECT id FROM temp_credentials WHERE id = {id} AND password_hash <> ''")).is_empty(),
                Item::ResetCode(..) => !rig.query::<i64>(&format!("SELECT id FROM reset_codes WHERE id = {id}")).is_empty(),
                Item::Mail(..) => !rig.query::<i64>(&format!("SELECT id FROM outbox WHERE id = {id} AND body <> ''")).is_empty(),
                Item::Audit(..) => !rig.query::<i64>(&format!("SELECT id FROM audit WHERE id = {id} AND event = 'login'")).is_empty(),
            };
            prop_assert_eq!(still, !gone, "item {} {:?} with {:?}", id, it, r);
            removed += u64::from(*gone);
        }
        prop_assert_eq!(report.counts.total(), removed);
    }
}
