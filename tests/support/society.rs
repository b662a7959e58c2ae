//! A synthetic society: `n` households written straight into a store with prepared statements, fast
//! enough for 200,000 households (about 2 million rows) in seconds, for the scale harness
//! (`examples/scale`), the benchmarks and the query-plan test.
//!
//! Household `i` (1-based) has the key `{insurer}-S{i % 500}-{10000000 + i}`, an insured person
//! `山田 {i}` born on [`insured_birth`]`(i)`, one dependent unless `i % 3 == 0` and a second one when
//! `i % 5 == 0`. Six in ten households are registered ([`is_registered`]: a used postcard, an account
//! `member{i:07}` with [`MEMBER_PASSWORD`], its terms agreement, a welcome mail already sent when it
//! gave an address, one in twenty a used password-reset code); the others hold a live postcard [`temp_id`]`(i)` with [`TEMP_PASSWORD`] that
//! expires in 60 days, and one in ten of those an older expired one too. So no household is owed a
//! postcard: `issue-credentials` without `--household` finds only the households added later
//! ([`add_new_households`]). The audit has three to five rows per household; one household in fifty
//! has a few failed logins in `locks`; five staff accounts `staff01`…`staff05` use [`MEMBER_PASSWORD`].
//!
//! Every password hash is one argon2id PHC string computed once (the store cannot tell).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use kosmo_kiosk::services::Hasher;
use kosmo_kiosk::store::{Store, StoreError, ts};
use rusqlite::params;
use time::{Duration, OffsetDateTime};

/// Bumped when the society changes, so that stores kept by the scale harness are built again.
pub const VERSION: u32 = 1;

pub const MEMBER_PASSWORD: &str = "Sakura2026scale";
/// Drawn from the postcard alphabet, with a letter and a digit, as a real one is.
pub const TEMP_PASSWORD: &str = "kosmo2026p";

const INSURERS: [&str; 3] = ["06139497", "01130012", "33120015"];

pub fn insurer(i: usize) -> &'static str {
    INSURERS[i % 3]
}

pub fn symbol(i: usize) -> String {
    format!("S{}", i % 500)
}

pub fn number(i: usize) -> String {
    (10_000_000 + i).to_string()
}

pub fn key(i: usize) -> String {
    format!("{}-{}-{}", insurer(i), symbol(i), number(i))
}

/// Household `i`'s insured person as a line of a members CSV (with its newline).
pub fn csv_line(i: usize) -> String {
    format!(
        "{},{},{},{},{},insured\n",
        insurer(i),
        symbol(i),
        number(i),
        insured_name(i),
        insured_birth(i)
    )
}

pub fn insured_name(i: usize) -> String {
    format!("山田 {i}")
}

/// `YYYY-MM-DD`, spread over 1940–2008.
pub fn insured_birth(i: usize) -> String {
    let d = time::macros::date!(1940 - 01 - 01) + Duration::days(((i * 7919) % 25_000) as i64);
    d.to_string()
}

fn dependent_birth(i: usize, k: usize) -> String {
    let d = time::macros::date!(1960 - 01 - 01)
        + Duration::days(((i * 104_729 + k * 31) % 20_000) as i64);
    d.to_string()
}

pub fn is_registered(i: usize) -> bool {
    i % 10 < 6
}

pub fn user_id(i: usize) -> String {
    format!("member{i:07}")
}

/// A temporary ID of the postcard alphabet, unique per household: `Z` and nine base-31 digits.
pub fn temp_id(i: usize) -> String {
    temp_id_n(2 * i)
}

fn old_temp_id(i: usize) -> String {
    temp_id_n(2 * i + 1)
}

fn temp_id_n(mut n: usize) -> String {
    let alphabet = kosmo_kiosk::domain::credential::TEMP_ID_ALPHABET.as_bytes();
    let mut digits = [b'A'; 9];
    for d in digits.iter_mut().rev() {
        *d = alphabet[n % alphabet.len()];
        n /= alphabet.len();
    }
    format!("Z{}", String::from_utf8_lossy(&digits))
}

/// Fills an empty store with households `1..=n`. Returns the PHC string used for every password.
pub fn build(store: &Store, n: usize) -> Result<String, StoreError> {
    let phc = Hasher::default()
        .hash(MEMBER_PASSWORD)
        .expect("hash the member password");
    let temp_phc = Hasher::default()
        .hash(TEMP_PASSWORD)
        .expect("hash the postcard password");
    let now = OffsetDateTime::now_utc();
    let at = |days: i64| ts(now - Duration::days(days));
    let expires = ts(now + Duration::days(60));
    let body = "KOSMO Communication Web へのご登録ありがとうございます。ログイン用のユーザIDは…";
    store.write(|tx| {
        let mut household = tx.prepare(
            "INSERT INTO households (id, insurer_number, symbol, number, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        let mut member = tx.prepare(
            "INSERT INTO members (household_id, name, birth_date, relationship) VALUES (?1, ?2, ?3, ?4)",
        )?;
        let mut credential = tx.prepare(
            "INSERT INTO temp_credentials (household_id, temp_id, password_hash, issued_at, expires_at, state, state_at, issued_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'admin')",
        )?;
        let mut account = tx.prepare(
            "INSERT INTO accounts (id, household_id, user_id, password_hash, password_set_at, email, notify_mail,
                 registrant, lang, registered_at, channel, staff_id)
             VALUES (?1, ?1, ?2, ?3, ?4, ?5, ?6, 'insured', 'ja', ?4, ?7, ?8)",
        )?;
        let mut terms = tx.prepare(
            "INSERT INTO terms_agreements (household_id, account_id, terms_version, lang, agreed_at, channel)
             VALUES (?1, ?1, '2026-01', 'ja', ?2, ?3)",
        )?;
        let mut audit = tx.prepare(
            "INSERT INTO audit (at, channel, staff_id, event, outcome, household_id, subject, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL)",
        )?;
        let mut mail = tx.prepare(
            "INSERT INTO outbox (kind, recipient, subject, body, lang, message_id, dedupe_key, household_id, state,
                 attempts, created_at, next_attempt_at, sent_at, last_error)
             VALUES ('welcome', ?1, 'KOSMO Communication Web へようこそ', ?2, 'ja', ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9, ?10)",
        )?;
        let mut reset = tx.prepare(
            "INSERT INTO reset_codes (account_id, code_hash, created_at, expires_at, used_at, attempts)
             VALUES (?1, ?2, ?3, ?3, ?3, 1)",
        )?;
        let mut lock = tx.prepare(
            "INSERT INTO locks (subject, failures, lock_count, locked_until, last_failure_at) VALUES (?1, 2, 0, NULL, ?2)",
        )?;
        for s in 1..=5 {
            tx.execute(
                "INSERT INTO staff (staff_id, password_hash, password_set_at, created_at) VALUES (?1, ?2, ?3, ?3)",
                params![format!("staff{s:02}"), phc, at(400)],
            )?;
        }
        for i in 1..=n {
            let id = i as i64;
            let age = (i % 300) as i64 + 1;
            household.execute(params![id, insurer(i), symbol(i), number(i), at(age + 30)])?;
            member.execute(params![id, insured_name(i), insured_birth(i), "insured"])?;
            if i % 3 != 0 {
                member.execute(params![id, format!("山田 {i} 花子"), dependent_birth(i, 1), "dependent"])?;
            }
            if i % 5 == 0 {
                member.execute(params![id, format!("山田 {i} 一郎"), dependent_birth(i, 2), "dependent"])?;
            }
            let channel = if i % 7 == 0 { "staff" } else { "kiosk" };
            let staff = (i % 7 == 0).then(|| format!("staff{:02}", 1 + i % 5));
            audit.execute(params![at(age + 20), "admin", None::<String>, "issue_credential", "ok", id, temp_id(i)])?;
            if i % 10 == 9 {
                credential.execute(params![id, old_temp_id(i), temp_phc, at(age + 120), at(age + 60), "expired", at(age + 60)])?;
            }
            if is_registered(i) {
                credential.execute(params![id, temp_id(i), temp_phc, at(age + 20), at(age - 40), "used", at(age)])?;
                let email = (i % 10 < 4).then(|| format!("m{i}@example.jp"));
                account.execute(params![id, user_id(i), phc, at(age), email, i64::from(email.is_some()), channel, staff])?;
                terms.execute(params![id, at(age), channel])?;
                if i % 20 == 1 {
                    reset.execute(params![id, temp_phc, at(age / 2)])?;
                }
                audit.execute(params![at(age), channel, staff, "login", "ok", id, temp_id(i)])?;
                audit.execute(params![at(age), channel, staff, "identity_check", "ok", id, temp_id(i)])?;
                audit.execute(params![at(age), channel, staff, "registration", "ok", id, user_id(i)])?;
                if let Some(to) = &email {
                    let (state, attempts, sent, error) = match i % 1000 {
                        3 => ("dead", 7, None, Some("550 5.1.1 user unknown")),
                        13 => ("queued", 1, None, Some("421 try again later")),
                        _ => ("sent", 1, Some(at(age)), None),
                    };
                    mail.execute(params![
                        to,
                        body,
                        format!("<{i}.scale@kosmoweb.jp>"),
                        format!("welcome:{i}"),
                        id,
                        state,
                        attempts,
                        at(age),
                        sent,
                        error
                    ])?;
                }
            } else {
                credential.execute(params![id, temp_id(i), temp_phc, at(age), expires, "live", None::<String>])?;
                if i % 4 == 0 {
                    audit.execute(params![at(age), "kiosk", None::<String>, "login", "failed", None::<i64>, temp_id(i)])?;
                }
            }
            if i % 50 == 0 {
                let subject = if is_registered(i) { user_id(i) } else { temp_id(i) };
                lock.execute(params![subject, at(age)])?;
            }
        }
        Ok::<_, StoreError>(())
    })?;
    Ok(phc)
}

/// Adds `count` households numbered from `first` (beyond the society's `n`) with their insured person
/// only: what `import-members` of new members leaves, so `issue-credentials` owes each a postcard.
pub fn add_new_households(store: &Store, first: usize, count: usize) -> Result<(), StoreError> {
    let now = ts(OffsetDateTime::now_utc());
    store.write(|tx| {
        for i in first..first + count {
            tx.execute(
                "INSERT INTO households (id, insurer_number, symbol, number, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![i as i64, insurer(i), symbol(i), number(i), now],
            )?;
            tx.execute(
                "INSERT INTO members (household_id, name, birth_date, relationship) VALUES (?1, ?2, ?3, 'insured')",
                params![i as i64, insured_name(i), insured_birth(i)],
            )?;
        }
        Ok::<_, StoreError>(())
    })
}

fn remove_store(db: &Path) {
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", db.display()));
    }
}

/// A fresh copy, `work/copy`, of the society of `n` households. The society itself is built once
/// per schema and generator version and kept in `work` (the harness and the benchmarks share it).
pub fn copy_of(work: &Path, n: usize, copy: &str) -> PathBuf {
    std::fs::create_dir_all(work).expect("the work folder");
    let schema = {
        let probe = work.join("probe.db");
        remove_store(&probe);
        let v = Store::open(&probe)
            .and_then(|s| s.schema_version())
            .expect("a store");
        remove_store(&probe);
        v
    };
    let template = work.join(format!("society-s{schema}-g{VERSION}-{n}.db"));
    if !template.exists() {
        let started = std::time::Instant::now();
        let tmp = work.join(format!("building-{n}.db"));
        remove_store(&tmp);
        let store = Store::open(&tmp).expect("open");
        build(&store, n).expect("build the society");
        drop(store);
        std::fs::rename(&tmp, &template).expect("keep the society");
        eprintln!(
            "built the society of {n} households in {:.1} s ({} MiB)",
            started.elapsed().as_secs_f64(),
            std::fs::metadata(&template).map_or(0, |m| m.len() >> 20)
        );
    }
    let db = work.join(copy);
    remove_store(&db);
    std::fs::copy(&template, &db).expect("copy the society");
    db
}
