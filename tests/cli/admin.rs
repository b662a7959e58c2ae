//! The command line of SPEC §6 on the real binary: `admin import-members`, `issue-credentials`,
//! `members [--json]`, `unlock`, `expire-password`, `outbox list [--json]`. Errors: `errors.rs`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::support::bin::{Ops, mode};
use crate::support::{
    ITO, NAKAMURA, WATANABE, contains_bytes, date, input, insurer, raw_store_bytes, rows,
};
use kosmo_kiosk::clock::JST;
use kosmo_kiosk::config::Config;
use kosmo_kiosk::domain::credential::{TEMP_ID_ALPHABET, TEMP_PASSWORD_ALPHABET};
use kosmo_kiosk::services::Services;
use kosmo_kiosk::services::auth::{ChangeReason, LoginOutcome};
use kosmo_kiosk::services::registration::IdentityOutcome;
use kosmo_kiosk::store::{Actor, Store};
use serde_json::Value;

const ARGON2ID_OWASP: &str = "$argon2id$v=19$m=19456,t=2,p=1$";

/// ITO, WATANABE and NAKAMURA from the households fixture, with the columns in another order than
/// the contract's, one extra column (both allowed), and a household's rows not next to each other.
fn members_csv() -> String {
    let rows = rows(&[ITO, WATANABE, NAKAMURA]);
    let mut s = String::from("name,insurer_number,symbol,number,birth_date,relationship,memo\n");
    for (i, memo) in [(0, "x"), (1, "y"), (3, ""), (4, "z"), (2, "")] {
        let f: Vec<&str> = rows[i].split(',').collect();
        s.push_str(&format!(
            "{},{},{},{},{},{},{memo}\n",
            f[3], f[0], f[1], f[2], f[4], f[5]
        ));
    }
    s
}

/// The admin commands on a store of their own: the binary with a private environment (`Ops`).
pub(crate) struct Cli(Ops);

impl std::ops::Deref for Cli {
    type Target = Ops;

    fn deref(&self) -> &Ops {
        &self.0
    }
}

#[derive(Debug, Clone)]
struct NoticeRow {
    household: String,
    name: String,
    temp_user_id: String,
    temp_password: String,
    expires_on: String,
}

impl Cli {
    pub(crate) fn new() -> Cli {
        Cli(Ops::new())
    }

    fn services(&self) -> Services {
        let store = Store::open(&self.db).expect("open the store");
        Services::new(Arc::new(store), Arc::new(Config::default()))
    }

    fn import(&self) {
        let csv = self.write("members.csv", members_csv());
        self.ok(&["admin", "import-members", csv.to_str().unwrap()]);
    }

    fn issue(&self, out: &str, households: &[&str]) -> (String, Vec<NoticeRow>) {
        let out = self.path(out);
        let mut args = vec!["admin", "issue-credentials", "--out", out.to_str().unwrap()];
        for h in households {
            args.push("--household");
            args.push(h);
        }
        let stdout = self.ok(&args);
        (stdout, read_notices(&out))
    }

    fn members_json(&self) -> Vec<Value> {
        let out = self.ok(&["admin", "members", "--json"]);
        match serde_json::from_str(&out).expect("members --json is JSON") {
            Value::Array(a) => a,
            other => panic!("not an array: {other}"),
        }
    }
}

fn read_notices(path: &Path) -> Vec<NoticeRow> {
    let text = std::fs::read_to_string(path).expect("the notices file");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("household,name,temp_user_id,temp_password,expires_on")
    );
    let mut r = csv::Reader::from_path(path).expect("CSV");
    r.records()
        .map(|rec| {
            let rec = rec.expect("a CSV row");
            assert_eq!(rec.len(), 5, "{rec:?}");
            NoticeRow {
                household: rec[0].to_string(),
                name: rec[1].to_string(),
                temp_user_id: rec[2].to_string(),
                temp_password: rec[3].to_string(),
                expires_on: rec[4].to_string(),
            }
        })
        .collect()
}

/// Postcard → login → identity (the insured person's birth date) → register, through the library on the
/// same file.
fn register_via_library(
    svc: &Services,
    n: &NoticeRow,
    birth: &str,
    user_id: &str,
    password: &str,
    email: &str,
) {
    let kiosk = Actor::kiosk();
    let mut t = match svc
        .login(&kiosk, &n.temp_user_id, &n.temp_password)
        .unwrap()
    {
        LoginOutcome::Temporary(t) => t,
        other => panic!("{other:?}"),
    };
    let ins = &n.household[..8];
    match svc
        .check_identity(&kiosk, &t, &insurer(ins), date(birth))
        .unwrap()
    {
        IdentityOutcome::Confirmed(m) => t.confirm(&m),
        other => panic!("{other:?}"),
    }
    svc.register(&kiosk, &t, &input(user_id, password, email))
        .expect("register");
}

fn notice<'a>(rows: &'a [NoticeRow], household: &str) -> &'a NoticeRow {
    rows.iter()
        .find(|r| r.household == household)
        .unwrap_or_else(|| panic!("no notice for {household} in {rows:?}"))
}

#[test]
fn import_members_is_all_or_nothing_and_names_the_bad_line() {
    let cli = Cli::new();
    let good = cli.write("members.csv", members_csv());
    let out = cli.ok(&["admin", "import-members", good.to_str().unwrap()]);
    assert_eq!(
        out.trim().lines().last().unwrap(),
        "imported 5 rows: 3 new households, 5 new members, 0 already present"
    );
    let again = cli.ok(&["admin", "import-members", good.to_str().unwrap()]);
    assert_eq!(
        again.trim().lines().last().unwrap(),
        "imported 5 rows: 0 new households, 0 new members, 5 already present"
    );

    let header = "insurer_number,symbol,number,name,birth_date,relationship\n";
    let new1 = "01130012,CD,1234567,新規 一,1990-01-01,insured\n";
    let new2 = "33120015,EF,7654321,新規 二,1991-02-02,insured\n";
    let cases: Vec<(&str, String, &str, &str)> = vec![
        (
            "impossible date",
            format!("{header}{new1}{new2}01130012,GH,1111111,誤り,1972-13-06,insured\n"),
            "line 4:",
            "1972-13-06",
        ),
        (
            "check digit",
            format!("{header}{new1}06139498,12,4417203,誤り,1970-05-05,insured\n{new2}"),
            "line 3:",
            "insurer number",
        ),
        (
            "relationship",
            format!("{header}01130012,GH,1111111,誤り,1970-05-05,spouse\n{new1}"),
            "line 2:",
            "insured or dependent",
        ),
        (
            "missing column",
            "insurer_number,symbol,number,name,relationship\n01130012,GH,1111111,誤り,insured\n"
                .to_string(),
            "line 1:",
            "birth_date",
        ),
        (
            "second insured person",
            format!(
                "{header}{new1}{new2}01130012,CD,1234567,新規 三,1992-03-03,dependent\n01130012,CD,1234567,新規 四,1993-04-04,insured\n"
            ),
            "line 5:",
            "exactly one",
        ),
        (
            "birth date in the future",
            format!("{header}{new1}01130012,GH,1111111,誤り,2999-01-01,insured\n"),
            "line 3:",
            "future",
        ),
        (
            "empty name",
            format!("{header}{new1}{new2}01130012,GH,1111111,,1970-01-01,insured\n"),
            "line 4:",
            "name",
        ),
        (
            "bad symbol",
            format!("{header}{new1}01130012,G-H,1111111,誤り,1970-01-01,insured\n"),
            "line 3:",
            "symbol",
        ),
    ];
    for (why, csv, line, fragment) in &cases {
        let p = cli.write("bad.csv", csv);
        let err = cli.fails(&["admin", "import-members", p.to_str().unwrap()]);
        assert!(err.contains(line), "{why}: {err}");
        assert!(err.contains(fragment), "{why}: {err}");
        assert!(err.contains("nothing was imported"), "{why}: {err}");
        let members = cli.members_json();
        assert_eq!(members.len(), 3, "{why}: something was imported");
    }
    let missing = cli.path("no-such.csv");
    let err = cli.fails(&["admin", "import-members", missing.to_str().unwrap()]);
    assert!(err.contains("cannot read"), "{err}");
}

#[test]
fn issue_credentials_writes_a_private_notices_file_once_and_the_store_keeps_only_hashes() {
    let cli = Cli::new();
    cli.import();
    let before = time::OffsetDateTime::now_utc().to_offset(JST).date();
    let (stdout, rows) = cli.issue("notices.csv", &[]);
    let after = time::OffsetDateTime::now_utc().to_offset(JST).date();
    let notices = cli.path("notices.csv");
    assert!(stdout.starts_with("issued 3 credentials to "), "{stdout}");

    #[cfg(unix)]
    assert_eq!(mode(&notices), 0o600, "the notices file");
    let households: BTreeSet<&str> = rows.iter().map(|r| r.household.as_str()).collect();
    assert_eq!(households, BTreeSet::from([ITO, WATANABE, NAKAMURA]));
    assert_eq!(notice(&rows, ITO).name, "伊藤 太郎");
    let expected = [
        before + time::Duration::days(60),
        after + time::Duration::days(60),
    ];
    for r in &rows {
        assert_eq!(r.temp_user_id.len(), 10, "{r:?}");
        assert!(
            r.temp_user_id.chars().all(|c| TEMP_ID_ALPHABET.contains(c)),
            "{r:?}"
        );
        assert_eq!(r.temp_password.len(), 10, "{r:?}");
        assert!(
            r.temp_password
                .chars()
                .all(|c| TEMP_PASSWORD_ALPHABET.contains(c)),
            "{r:?}"
        );
        assert!(
            expected.iter().any(|d| d.to_string() == r.expires_on),
            "{r:?}"
        );
    }
    let ids: BTreeSet<&str> = rows.iter().map(|r| r.temp_user_id.as_str()).collect();
    assert_eq!(ids.len(), rows.len(), "temporary IDs are distinct");

    // Never overwritten.
    let bytes = std::fs::read(&notices).unwrap();
    let err = cli.fails(&[
        "admin",
        "issue-credentials",
        "--out",
        notices.to_str().unwrap(),
    ]);
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(std::fs::read(&notices).unwrap(), bytes);

    // Everyone has a live postcard now: nobody gets another.
    let (stdout, none) = cli.issue("notices-2.csv", &[]);
    assert!(stdout.starts_with("issued 0 credentials"), "{stdout}");
    assert!(none.is_empty());

    // The plaintext is only in the notices file: the store keeps argon2id hashes, the logs nothing.
    let svc = cli.services();
    let hashes: Vec<String> = svc
        .store
        .read(|c| {
            let mut st = c.prepare("SELECT password_hash FROM temp_credentials")?;
            Ok(st
                .query_map([], |r| r.get(0))?
                .collect::<Result<Vec<String>, _>>()?)
        })
        .unwrap();
    assert_eq!(hashes.len(), 3);
    for h in &hashes {
        assert!(h.starts_with(ARGON2ID_OWASP), "{h}");
    }
    let raw = raw_store_bytes(&cli.db);
    let mut logs = Vec::new();
    for e in std::fs::read_dir(cli.logs()).expect("the log folder exists") {
        logs.extend(std::fs::read(e.unwrap().path()).unwrap());
    }
    for r in &rows {
        assert!(!contains_bytes(&raw, r.temp_password.as_bytes()));
        assert!(!contains_bytes(&logs, r.temp_password.as_bytes()));
        assert!(matches!(
            svc.login(&Actor::kiosk(), &r.temp_user_id, &r.temp_password)
                .unwrap(),
            LoginOutcome::Temporary(_)
        ));
    }
    // The store and, while it is open and written to, its WAL and shared-memory files: owner only.
    #[cfg(unix)]
    for suffix in ["", "-wal", "-shm"] {
        let mut p = cli.db.as_os_str().to_owned();
        p.push(suffix);
        let p = PathBuf::from(p);
        assert!(p.exists(), "{}", p.display());
        assert_eq!(mode(&p), 0o600, "{}", p.display());
    }
}

#[test]
fn issue_credentials_picks_households_without_account_or_live_postcard_and_reissues_on_demand() {
    let cli = Cli::new();
    cli.import();
    let (_, first) = cli.issue("n1.csv", &[]);
    let svc = cli.services();
    // Watanabe registers; Ito's postcard runs out; a new household arrives.
    register_via_library(
        &svc,
        notice(&first, WATANABE),
        "1980-01-01",
        "SatoJiro80",
        "Fuji2026yama",
        "",
    );
    svc.store
        .read(|c| {
            c.execute(
                "UPDATE temp_credentials SET expires_at = '2000-01-01T00:00:00Z' WHERE temp_id = ?1",
                [&notice(&first, ITO).temp_user_id],
            )?;
            Ok(())
        })
        .unwrap();
    let more = cli.write(
        "more.csv",
        "insurer_number,symbol,number,name,birth_date,relationship\n01130012,CD,1234567,新規 一,1990-01-01,insured\n",
    );
    cli.ok(&["admin", "import-members", more.to_str().unwrap()]);

    let (_, second) = cli.issue("n2.csv", &[]);
    let got: BTreeSet<&str> = second.iter().map(|r| r.household.as_str()).collect();
    assert_eq!(got, BTreeSet::from([ITO, "01130012-CD-1234567"]));

    // --household: revoke the live postcard and issue a new one.
    let old = notice(&first, NAKAMURA).clone();
    let (stdout, third) = cli.issue("n3.csv", &[NAKAMURA]);
    assert!(
        stdout.contains("(1 earlier credential revoked)"),
        "{stdout}"
    );
    assert_eq!(third.len(), 1);
    assert_ne!(third[0].temp_user_id, old.temp_user_id);
    let kiosk = Actor::kiosk();
    assert!(matches!(
        svc.login(&kiosk, &old.temp_user_id, &old.temp_password)
            .unwrap(),
        LoginOutcome::Failed
    ));
    assert!(matches!(
        svc.login(&kiosk, &third[0].temp_user_id, &third[0].temp_password)
            .unwrap(),
        LoginOutcome::Temporary(_)
    ));

    // Refusals, and no notices file left behind by them.
    for (household, fragment) in [
        (WATANABE, "already registered"),
        ("06139497-99-1", "there is no household 06139497-99-1"),
        ("06139497-12", "insurer number-symbol-number"),
        ("06139498-12-1", "insurer number"),
    ] {
        let out = cli.path("refused.csv");
        let err = cli.fails(&[
            "admin",
            "issue-credentials",
            "--out",
            out.to_str().unwrap(),
            "--household",
            household,
        ]);
        assert!(err.contains(fragment), "{household}: {err}");
        assert!(!out.exists(), "{household}: a notices file was left");
    }
    let account_hash: String = svc
        .store
        .read(|c| Ok(c.query_row("SELECT password_hash FROM accounts", [], |r| r.get(0))?))
        .unwrap();
    assert!(account_hash.starts_with(ARGON2ID_OWASP), "{account_hash}");
}

#[test]
fn members_and_outbox_list_as_json() {
    let cli = Cli::new();
    let empty = cli.ok(&["outbox", "list", "--json"]);
    assert_eq!(
        serde_json::from_str::<Value>(&empty).unwrap(),
        Value::Array(vec![])
    );
    cli.import();
    let (_, rows) = cli.issue("n.csv", &[]);
    register_via_library(
        &cli.services(),
        notice(&rows, WATANABE),
        "1980-01-01",
        "SatoJiro80",
        "Fuji2026yama",
        "jiro@example.jp",
    );

    let members = cli.members_json();
    assert_eq!(members.len(), 3);
    for m in &members {
        let household = m["household"].as_str().expect("household is a string");
        assert!(m["name"].is_string(), "{m}");
        if household == WATANABE {
            assert_eq!(m["status"], "registered", "{m}");
            assert_eq!(m["user_id"], "SatoJiro80", "{m}");
            assert_eq!(m["name"], "渡辺 次郎", "{m}");
        } else {
            assert_eq!(m["status"], "pending", "{m}");
            assert!(m["user_id"].is_null(), "{m}");
        }
    }
    let text = cli.ok(&["admin", "members"]);
    assert!(text.starts_with("HOUSEHOLD"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.contains(WATANABE) && l.contains("registered") && l.contains("SatoJiro80")),
        "{text}"
    );

    let out = cli.ok(&["outbox", "list", "--json"]);
    let list: Vec<Value> = serde_json::from_str(&out).expect("outbox list --json is JSON");
    assert_eq!(list.len(), 1, "{out}");
    let m = &list[0];
    assert!(m["id"].is_i64(), "{m}");
    assert_eq!(m["to"], "jiro@example.jp");
    assert_eq!(m["subject"], "KOSMO Communication Web へようこそ");
    assert_eq!(m["kind"], "welcome");
    assert_eq!(m["state"], "queued");
    assert_eq!(m["attempts"], 0);
    assert!(m["last_error"].is_null(), "{m}");
    assert!(m.get("body").is_none(), "the body is not listed");
    let text = cli.ok(&["outbox", "list"]);
    assert!(
        text.lines().any(|l| l.contains("welcome")
            && l.contains("jiro@example.jp")
            && l.contains("queued")),
        "{text}"
    );
}

#[test]
fn unlock_and_expire_password_from_the_shell() {
    let cli = Cli::new();
    cli.import();
    let (_, rows) = cli.issue("n.csv", &[]);
    let svc = cli.services();
    let kiosk = Actor::kiosk();
    register_via_library(
        &svc,
        notice(&rows, WATANABE),
        "1980-01-01",
        "SatoJiro80",
        "Fuji2026yama",
        "",
    );
    let ito = notice(&rows, ITO);
    for _ in 0..5 {
        svc.login(&kiosk, "SatoJiro80", "Fuji2026yamX").unwrap();
        svc.login(&kiosk, &ito.temp_user_id, "wrongpass2").unwrap();
    }
    assert!(matches!(
        svc.login(&kiosk, "SatoJiro80", "Fuji2026yama").unwrap(),
        LoginOutcome::Failed
    ));
    assert!(svc.lock_state("SatoJiro80").unwrap().locked_until.is_some());

    assert_eq!(
        cli.ok(&["admin", "unlock", "SATOJIRO80"]).trim(),
        "unlocked SATOJIRO80"
    );
    let temp_lower = ito.temp_user_id.to_lowercase();
    assert_eq!(
        cli.ok(&["admin", "unlock", &temp_lower]).trim(),
        format!("unlocked {temp_lower}")
    );
    assert_eq!(
        cli.ok(&["admin", "unlock", "SatoJiro80"]).trim(),
        "SatoJiro80 was not locked"
    );
    // An ID nobody knows and nothing counts: said so, with a non-zero exit (a typo is not "done").
    let err = cli.fails(&["admin", "unlock", "SatoJir080"]);
    assert!(err.contains("SatoJir080 is not a known"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(matches!(
        svc.login(&kiosk, "SatoJiro80", "Fuji2026yama").unwrap(),
        LoginOutcome::Permanent(_)
    ));
    assert!(matches!(
        svc.login(&kiosk, &ito.temp_user_id, &ito.temp_password)
            .unwrap(),
        LoginOutcome::Temporary(_)
    ));
    let unlocks: i64 = svc
        .store
        .read(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM audit WHERE event = 'unlock' AND outcome = 'ok' AND channel = 'admin'",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(unlocks, 2);

    assert_eq!(
        cli.ok(&["admin", "expire-password", "satojiro80"]).trim(),
        "satojiro80 must change the password at the next login"
    );
    match svc.login(&kiosk, "SatoJiro80", "Fuji2026yama").unwrap() {
        LoginOutcome::Permanent(s) => assert_eq!(s.must_change, Some(ChangeReason::Expired)),
        other => panic!("{other:?}"),
    }
    let err = cli.fails(&["admin", "expire-password", "NoSuchUser1"]);
    assert_eq!(
        err.trim_end(),
        "kosmo-kiosk: there is no account with user ID NoSuchUser1"
    );
}
