//! `admin check [--json]` through the binary: one finding per line, Nagios-style exit codes (0 ok,
//! 1 warning, 2 critical), stable JSON, never a store created or changed.

use rusqlite::{Connection, params};
use serde_json::Value;
use time::{Duration, OffsetDateTime};

use crate::support::bin::Ops;

const MEMBERS: &str = "\
insurer_number,symbol,number,name,birth_date,relationship
06139497,12,4417203,山田 太郎,1970-05-05,insured
01130012,AB,5530871,佐藤 次郎,1980-01-01,insured
";

fn ts(t: OffsetDateTime) -> String {
    kosmo_kiosk::store::ts(t)
}

/// A store with members and a fresh backup: every check passes.
fn healthy() -> Ops {
    let ops = Ops::new();
    let csv = ops.write("members.csv", MEMBERS);
    ops.ok(&["admin", "import-members", csv.to_str().unwrap()]);
    let dest = ops.path("first-backup.db");
    ops.ok(&["admin", "backup", dest.to_str().unwrap()]);
    ops
}

fn sql(ops: &Ops, statement: &str, args: impl rusqlite::Params) {
    let c = Connection::open(&ops.db).unwrap();
    c.execute(statement, args).unwrap();
}

fn add_mail(ops: &Ops, state: &str, created: OffsetDateTime) {
    let n: i64 = Connection::open(&ops.db)
        .unwrap()
        .query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))
        .unwrap();
    sql(
        ops,
        "INSERT INTO outbox (kind, recipient, subject, body, message_id, dedupe_key, state, attempts,
                             created_at, next_attempt_at, last_error)
         VALUES ('welcome', 'm@example.jp', 's', 'b', ?1, ?1, ?2, 3, ?3, ?3, ?4)",
        params![
            format!("<{n}@test>"),
            state,
            ts(created),
            (state == "dead").then_some("550 5.1.1 no such user")
        ],
    );
}

/// Runs `admin check --json`; returns the exit code and the parsed report.
fn check_json(ops: &Ops) -> (i32, Value) {
    let o = ops.run(&["admin", "check", "--json"]);
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    (o.status.code().expect("an exit code"), v)
}

fn finding<'a>(report: &'a Value, check: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == check)
        .unwrap_or_else(|| panic!("no {check} finding in {report:#}"))
}

/// Every other finding is ok.
fn only_problem(report: &Value, check: &str) {
    for f in report["findings"].as_array().unwrap() {
        if f["check"] != check {
            assert_eq!(f["status"], "ok", "{f:#}");
        }
    }
}

#[test]
fn a_healthy_store_is_ok_with_stable_json_fields() {
    let ops = healthy();
    let (code, r) = check_json(&ops);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(r["status"], "ok");
    assert_eq!(r["exit_code"], 0);
    assert!(r["store"].as_str().unwrap().ends_with("kiosk.db"));
    assert!(r["checked_at"].as_str().unwrap().ends_with('Z'));
    let checks: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            assert!(f["message"].as_str().is_some_and(|m| !m.is_empty()), "{f}");
            assert!(f["value"].is_object(), "{f}");
            f["check"].as_str().unwrap()
        })
        .collect();
    assert_eq!(
        checks,
        [
            "quick_check",
            "schema_version",
            "mail_waiting",
            "mail_dead",
            "locks",
            "postcards_expiring",
            "backup",
            "retention",
            "disk_free",
            "log_folder",
            "refusal_pace"
        ]
    );
    only_problem(&r, "");
    assert!(finding(&r, "backup")["value"]["age_hours"] == 0);

    // The text form: a summary, then one line per finding.
    let o = ops.run(&["admin", "check"]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.starts_with("kosmo-kiosk OK: all 11 checks passed"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 12, "{text}");
    let o = ops.run(&["--lang", "ja", "admin", "check"]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.starts_with("kosmo-kiosk 正常"), "{text}");
    assert!(text.contains("ストアのファイルは健全です"), "{text}");
}

#[test]
fn a_dead_mail_is_a_warning() {
    let ops = healthy();
    add_mail(&ops, "dead", OffsetDateTime::now_utc() - Duration::hours(3));
    let (code, r) = check_json(&ops);
    assert_eq!(code, 1, "{r:#}");
    assert_eq!(r["status"], "warning");
    let f = finding(&r, "mail_dead");
    assert_eq!(f["status"], "warning");
    assert_eq!(f["value"]["count"], 1);
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .starts_with("1 mail could not"),
        "{f}"
    );
    only_problem(&r, "mail_dead");
    // One that died long ago is history, not a warning.
    let ops = healthy();
    add_mail(&ops, "dead", OffsetDateTime::now_utc() - Duration::days(30));
    assert_eq!(check_json(&ops).0, 0);
}

#[test]
fn mail_waiting_long_is_a_warning_then_critical() {
    let ops = healthy();
    add_mail(
        &ops,
        "queued",
        OffsetDateTime::now_utc() - Duration::minutes(5),
    );
    let (code, r) = check_json(&ops);
    assert_eq!(code, 0, "a few minutes is normal: {r:#}");
    assert_eq!(finding(&r, "mail_waiting")["value"]["count"], 1);
    add_mail(
        &ops,
        "queued",
        OffsetDateTime::now_utc() - Duration::minutes(90),
    );
    let (code, r) = check_json(&ops);
    assert_eq!(code, 1);
    let f = finding(&r, "mail_waiting");
    assert_eq!(f["status"], "warning");
    assert_eq!(f["value"]["count"], 2);
    assert!(f["value"]["oldest_minutes"].as_i64().unwrap() >= 90);
    add_mail(
        &ops,
        "sending",
        OffsetDateTime::now_utc() - Duration::hours(25),
    );
    let (code, r) = check_json(&ops);
    assert_eq!(code, 2);
    assert_eq!(finding(&r, "mail_waiting")["status"], "critical");
}

#[test]
fn no_backup_for_two_days_is_a_warning_and_a_week_critical() {
    let ops = Ops::new();
    let csv = ops.write("members.csv", MEMBERS);
    ops.ok(&["admin", "import-members", csv.to_str().unwrap()]);
    let (code, r) = check_json(&ops);
    assert_eq!(code, 1);
    let f = finding(&r, "backup");
    assert_eq!(f["status"], "warning");
    assert_eq!(f["value"]["last"], Value::Null);
    let backup_at = |ago: Duration| {
        sql(
            &ops,
            "INSERT INTO audit (at, channel, event, outcome, detail) VALUES (?1, 'admin', 'backup', 'ok', 'x')",
            [ts(OffsetDateTime::now_utc() - ago)],
        )
    };
    backup_at(Duration::days(8));
    assert_eq!(check_json(&ops).0, 2);
    backup_at(Duration::hours(49));
    let (code, r) = check_json(&ops);
    assert_eq!(code, 1);
    let f = finding(&r, "backup");
    assert_eq!(f["status"], "warning");
    assert_eq!(f["value"]["age_hours"], 49);
    assert!(f["message"].as_str().unwrap().contains("2 d 1 h"), "{f}");
    backup_at(Duration::hours(2));
    assert_eq!(check_json(&ops).0, 0);
    // A failed backup does not count.
    let ops2 = Ops::new();
    let csv = ops2.write("members.csv", MEMBERS);
    ops2.ok(&["admin", "import-members", csv.to_str().unwrap()]);
    sql(
        &ops2,
        "INSERT INTO audit (at, channel, event, outcome) VALUES (?1, 'admin', 'backup', 'failed')",
        [ts(OffsetDateTime::now_utc())],
    );
    assert_eq!(check_json(&ops2).0, 1);
}

#[test]
fn a_corrupt_page_is_critical() {
    let ops = healthy();
    // Enough rows for several pages, then one page of the members table overwritten.
    let many: String =
        std::iter::once("insurer_number,symbol,number,name,birth_date,relationship\n".to_string())
            .chain((0..400).map(|i| {
                format!(
                    "06139497,C,{},会員 {i} さん の 名前,1970-01-01,insured\n",
                    8_000_000 + i
                )
            }))
            .collect();
    let csv = ops.write("many.csv", many);
    ops.ok(&["admin", "import-members", csv.to_str().unwrap()]);
    ops.ok(&["admin", "backup", ops.path("b.db").to_str().unwrap()]);
    {
        use std::io::{Seek, SeekFrom, Write};
        let c = Connection::open(&ops.db).unwrap();
        c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
        let pages: i64 = c.query_row("PRAGMA page_count", [], |r| r.get(0)).unwrap();
        // A page of a table, not of an index: `VACUUM INTO` (the backup) rebuilds indexes from
        // the tables, so a damaged index page is repaired by a copy rather than refused. The
        // members table's root is an interior page above its 400 rows.
        let root: i64 = c
            .query_row(
                "SELECT rootpage FROM sqlite_schema WHERE type = 'table' AND name = 'members'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        drop(c);
        assert!(pages > 6, "{pages} pages");
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(&ops.db)
            .unwrap();
        f.seek(SeekFrom::Start(4096 * (root as u64 - 1))).unwrap();
        f.write_all(&[0xA5; 4096]).unwrap();
    }
    let (code, r) = check_json(&ops);
    assert_eq!(code, 2, "{r:#}");
    assert_eq!(r["status"], "critical");
    let f = finding(&r, "quick_check");
    assert_eq!(f["status"], "critical");
    assert!(f["value"]["problems"] != 0, "{f:#}");
    assert!(
        f["message"].as_str().unwrap().contains("admin restore"),
        "{f}"
    );

    // The damaged store cannot be backed up as if it were sound…
    let o = ops.run(&["admin", "backup", ops.path("c.db").to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(!ops.path("c.db").exists());
    // …and the last good copy brings it back.
    ops.ok(&["admin", "restore", ops.path("b.db").to_str().unwrap()]);
    let (code, r) = check_json(&ops);
    assert_eq!(code, 0, "{r:#}");
}

#[test]
fn a_missing_store_is_critical_and_not_created() {
    let ops = Ops::new();
    let (code, r) = check_json(&ops);
    assert_eq!(code, 2);
    assert_eq!(finding(&r, "store")["status"], "critical");
    assert!(!ops.db.exists(), "check never creates a store");
}

#[test]
fn a_log_folder_that_cannot_be_written_is_a_warning() {
    let ops = healthy();
    std::fs::remove_dir_all(ops.logs()).unwrap();
    ops.write("logs", "a file where the folder should be");
    let o = ops.run(&["admin", "check", "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    let f = finding(&r, "log_folder");
    assert_eq!(f["status"], "warning");
    assert_eq!(f["value"]["writable"], false);
    only_problem(&r, "log_folder");
}

#[test]
fn a_refusal_floor_under_this_machines_argon2id_or_none_is_a_warning() {
    let ops = healthy();
    let (_, r) = check_json(&ops);
    let f = finding(&r, "refusal_pace");
    assert_eq!(f["value"]["floor_ms"], 250);
    assert!(
        f["value"]["argon2id_ms"].as_u64().is_some_and(|ms| ms > 0),
        "{f}"
    );
    for floor in [1, 0] {
        ops.config(&format!("[lockout]\nrefusal_floor_ms = {floor}\n"));
        let (code, r) = check_json(&ops);
        assert_eq!(code, 1, "floor {floor}");
        let f = finding(&r, "refusal_pace");
        assert_eq!(f["status"], "warning");
        assert_eq!(f["value"]["floor_ms"], floor);
        only_problem(&r, "refusal_pace");
    }
}

#[test]
fn many_locks_and_expiring_postcards_are_counted() {
    let ops = healthy();
    ops.config("[check]\nlocks_warning = 3\n");
    let until = ts(OffsetDateTime::now_utc() + Duration::minutes(10));
    for id in ["a", "b"] {
        sql(
            &ops,
            "INSERT INTO locks (subject, failures, lock_count, locked_until) VALUES (?1, 5, 1, ?2)",
            params![id, until],
        );
    }
    let out = ops.path("notices.csv");
    ops.ok(&["admin", "issue-credentials", "--out", out.to_str().unwrap()]);
    sql(
        &ops,
        "UPDATE temp_credentials SET expires_at = ?1 WHERE id = 1",
        [ts(OffsetDateTime::now_utc() + Duration::days(3))],
    );
    let (code, r) = check_json(&ops);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(finding(&r, "locks")["value"]["count"], 2);
    assert_eq!(finding(&r, "postcards_expiring")["value"]["count"], 1);
    sql(
        &ops,
        "INSERT INTO locks (subject, failures, lock_count, locked_until) VALUES ('c', 5, 1, ?1)",
        [until],
    );
    let (code, r) = check_json(&ops);
    assert_eq!(code, 1);
    assert_eq!(finding(&r, "locks")["status"], "warning");
}

#[test]
fn data_kept_past_its_window_is_a_warning_until_purged() {
    let ops = healthy();
    // Sent 40 days ago: its body should have been emptied 10 days ago (the window is 30 days).
    add_mail(&ops, "sent", OffsetDateTime::now_utc() - Duration::days(40));
    sql(
        &ops,
        "UPDATE outbox SET sent_at = created_at WHERE state = 'sent'",
        [],
    );
    let (code, r) = check_json(&ops);
    assert_eq!(code, 1, "{r:#}");
    let f = finding(&r, "retention");
    assert_eq!(f["status"], "warning");
    assert_eq!(f["value"]["mail_bodies"], 1);
    only_problem(&r, "retention");
    ops.ok(&["admin", "purge"]);
    assert_eq!(check_json(&ops).0, 0);
}
