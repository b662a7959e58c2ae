//! `admin check [--json]`: the store's health for monitoring (Nagios/Zabbix/systemd style exit codes:
//! 0 ok, 1 warning, 2 critical). It only reads: it works on a read-only store and never creates one.
//!
//! The `check` names, the `status` words and the keys of each `value` are stable (scripts rely on them);
//! the `message` is for people, in the operator's language.

use std::path::Path;

use rusqlite::Connection;
use serde::Serialize;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

use crate::config::Config;
use crate::domain::Lang;
use crate::store::retention::{self, PurgeCounts};
use crate::store::{Store, StoreError, ts};
use crate::tui::i18n::{tr, trf};

mod host;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warning,
    Critical,
}

impl Status {
    pub fn exit_code(self) -> u8 {
        self as u8
    }

    pub fn word(self, lang: Lang) -> &'static str {
        tr(
            lang,
            match self {
                Status::Ok => "check.ok",
                Status::Warning => "check.warning",
                Status::Critical => "check.critical",
            },
        )
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub check: &'static str,
    pub status: Status,
    pub message: String,
    pub value: Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub status: Status,
    pub exit_code: u8,
    pub store: String,
    pub checked_at: String,
    pub findings: Vec<Finding>,
}

impl Report {
    /// The first line: the overall state, as monitoring shows it.
    pub fn summary(&self, lang: Lang) -> String {
        let total = self.findings.len().to_string();
        let problems = self
            .findings
            .iter()
            .filter(|f| f.status != Status::Ok)
            .count()
            .to_string();
        if self.status == Status::Ok {
            trf(
                lang,
                "check.summary_ok",
                &[("total", &total), ("store", &self.store)],
            )
        } else {
            trf(
                lang,
                "check.summary",
                &[
                    ("status", self.status.word(lang)),
                    ("problems", &problems),
                    ("total", &total),
                    ("store", &self.store),
                ],
            )
        }
    }
}

/// "3 mails" / "1 mail" in English, "3 通" in Japanese.
pub fn count(lang: Lang, n: u64, one: &str, many: &str, ja_counter: &str) -> String {
    match lang {
        Lang::Ja => format!("{n} {ja_counter}"),
        Lang::En if n == 1 => format!("1 {one}"),
        Lang::En => format!("{n} {many}"),
    }
}

/// A duration as people say it: "45 min", "3 h 20 min", "2 d 4 h" (ja: 45分, 3時間20分, 2日4時間).
pub fn age(lang: Lang, d: Duration) -> String {
    let mins = d.whole_minutes().max(0);
    let (days, hours, m) = (mins / 1440, mins / 60 % 24, mins % 60);
    match (lang, days, hours) {
        (Lang::Ja, 0, 0) => format!("{m}分"),
        (Lang::Ja, 0, _) => format!("{hours}時間{m}分"),
        (Lang::Ja, _, _) => format!("{days}日{hours}時間"),
        (Lang::En, 0, 0) => format!("{m} min"),
        (Lang::En, 0, _) => format!("{hours} h {m} min"),
        (Lang::En, _, _) => format!("{days} d {hours} h"),
    }
}

struct Ctx<'a> {
    config: &'a Config,
    lang: Lang,
    now: OffsetDateTime,
    findings: Vec<Finding>,
}

impl Ctx<'_> {
    fn add(
        &mut self,
        check: &'static str,
        status: Status,
        key: &str,
        args: &[(&str, &str)],
        value: Value,
    ) {
        let message = trf(self.lang, &format!("check.{key}"), args);
        self.findings.push(Finding {
            check,
            status,
            message,
            value,
        });
    }

    fn count(&self, n: u64, one: &str, many: &str, ja: &str) -> String {
        count(self.lang, n, one, many, ja)
    }
}

/// Runs every check. `db` is the store path, `log_dir` the log folder.
pub fn run(config: &Config, db: &Path, log_dir: &Path, now: OffsetDateTime, lang: Lang) -> Report {
    let mut cx = Ctx {
        config,
        lang,
        now,
        findings: Vec::new(),
    };
    let path = db.display().to_string();
    match Store::open_read_only(db) {
        Err(StoreError::Missing(_)) => cx.add(
            "store",
            Status::Critical,
            "store_missing",
            &[("path", &path)],
            json!({ "path": path }),
        ),
        Err(e) => {
            let error = crate::domain::text::neutralize(&e.to_string()).into_owned();
            cx.add(
                "store",
                Status::Critical,
                "store_unreadable",
                &[("path", &path), ("error", &error)],
                json!({ "path": path, "error": error }),
            )
        }
        Ok(store) => store_checks(&mut cx, &store),
    }
    host::disk(&mut cx, db);
    host::log_folder(&mut cx, log_dir);
    host::refusal_pace(&mut cx);
    let status = cx
        .findings
        .iter()
        .map(|f| f.status)
        .max()
        .unwrap_or(Status::Ok);
    Report {
        status,
        exit_code: status.exit_code(),
        store: path,
        checked_at: ts(now),
        findings: cx.findings,
    }
}

fn store_checks(cx: &mut Ctx<'_>, store: &Store) {
    let quick = store.quick_check();
    match quick {
        Ok(lines) if lines == ["ok"] => cx.add(
            "quick_check",
            Status::Ok,
            "quick_check_ok",
            &[],
            json!({ "problems": 0 }),
        ),
        Ok(lines) => {
            let first = crate::domain::text::neutralize(&lines[0]).into_owned();
            let n = cx.count(lines.len() as u64, "problem", "problems", "件");
            cx.add(
                "quick_check",
                Status::Critical,
                "quick_check_bad",
                &[("count", &n), ("first", &first)],
                json!({ "problems": lines.len(), "first": first }),
            );
            // A damaged file can answer anything: the other store checks would mislead.
            return;
        }
        Err(e) => {
            let first = crate::domain::text::neutralize(&e.to_string()).into_owned();
            cx.add(
                "quick_check",
                Status::Critical,
                "quick_check_bad",
                &[("count", "?"), ("first", &first)],
                json!({ "problems": null, "first": first }),
            );
            return;
        }
    }
    let known = crate::store::ops::known_schema_version();
    let version = store.schema_version().unwrap_or(0);
    if version < known {
        cx.add(
            "schema_version",
            Status::Warning,
            "schema_old",
            &[
                ("version", &version.to_string()),
                ("known", &known.to_string()),
            ],
            json!({ "version": version, "known": known }),
        );
        // Queries below assume the current schema.
        return;
    }
    cx.add(
        "schema_version",
        Status::Ok,
        "schema_ok",
        &[("version", &version.to_string())],
        json!({ "version": version, "known": known }),
    );
    let r = store.read(|c| {
        mail(cx, c)?;
        locks_and_postcards(cx, c)?;
        backup(cx, c)?;
        overdue(cx, c)?;
        Ok(())
    });
    if let Err(e) = r {
        let first = crate::domain::text::neutralize(&e.to_string()).into_owned();
        cx.add(
            "store",
            Status::Critical,
            "store_unreadable",
            &[
                ("path", &store.path().display().to_string()),
                ("error", &first),
            ],
            json!({ "error": first }),
        );
    }
}

fn mail(cx: &mut Ctx<'_>, c: &Connection) -> crate::store::Result<()> {
    let (waiting, oldest): (i64, Option<String>) = c.query_row(
        "SELECT count(*), min(created_at) FROM outbox WHERE state IN ('queued', 'sending')",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let oldest = crate::store::opt_ts(oldest)?;
    let chk = &cx.config.check;
    if let Some(oldest) = oldest.filter(|_| waiting > 0) {
        let waited = cx.now - oldest;
        let status = if chk.mail_waiting_critical_hours > 0
            && waited >= Duration::hours(chk.mail_waiting_critical_hours as i64)
        {
            Status::Critical
        } else if chk.mail_waiting_warning_minutes > 0
            && waited >= Duration::minutes(chk.mail_waiting_warning_minutes as i64)
        {
            Status::Warning
        } else {
            Status::Ok
        };
        let n = cx.count(waiting as u64, "mail", "mails", "通");
        let a = age(cx.lang, waited);
        cx.add(
            "mail_waiting",
            status,
            if status == Status::Ok {
                "mail_waiting"
            } else {
                "mail_waiting_slow"
            },
            &[("count", &n), ("age", &a)],
            json!({ "count": waiting, "oldest_minutes": waited.whole_minutes() }),
        );
    } else {
        cx.add(
            "mail_waiting",
            Status::Ok,
            "mail_waiting_none",
            &[],
            json!({ "count": 0, "oldest_minutes": null }),
        );
    }
    let days = cx.config.check.dead_mail_days;
    let since = ts(cx.now - Duration::days(days.into()));
    let dead: i64 = c.query_row(
        "SELECT count(*) FROM outbox WHERE state = 'dead' AND created_at >= ?1",
        [since],
        |r| r.get(0),
    )?;
    let d = cx.count(days.into(), "day", "days", "日");
    if dead > 0 && days > 0 {
        let n = cx.count(dead as u64, "mail", "mails", "通");
        cx.add(
            "mail_dead",
            Status::Warning,
            "mail_dead",
            &[("count", &n), ("days", &d)],
            json!({ "count": dead, "days": days }),
        );
    } else {
        cx.add(
            "mail_dead",
            Status::Ok,
            "mail_dead_none",
            &[("days", &d)],
            json!({ "count": dead, "days": days }),
        );
    }
    Ok(())
}

fn locks_and_postcards(cx: &mut Ctx<'_>, c: &Connection) -> crate::store::Result<()> {
    let now = ts(cx.now);
    let locked: i64 = c.query_row(
        "SELECT count(*) FROM locks WHERE locked_until > ?1",
        [&now],
        |r| r.get(0),
    )?;
    let many = cx.config.check.locks_warning;
    let status = if many > 0 && locked >= i64::from(many) {
        Status::Warning
    } else {
        Status::Ok
    };
    let n = cx.count(locked as u64, "ID", "IDs", "件");
    cx.add(
        "locks",
        status,
        if status == Status::Ok {
            "locks"
        } else {
            "locks_many"
        },
        &[("count", &n)],
        json!({ "count": locked }),
    );
    let days = cx.config.check.expiring_days;
    let until = ts(cx.now + Duration::days(days.into()));
    let expiring: i64 = c.query_row(
        "SELECT count(*) FROM temp_credentials t
         WHERE t.state = 'live' AND t.expires_at > ?1 AND t.expires_at <= ?2
           AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.household_id = t.household_id)",
        [&now, &until],
        |r| r.get(0),
    )?;
    let n = cx.count(expiring as u64, "postcard", "postcards", "枚");
    let d = cx.count(days.into(), "day", "days", "日");
    cx.add(
        "postcards_expiring",
        Status::Ok,
        "expiring",
        &[("count", &n), ("days", &d)],
        json!({ "count": expiring, "days": days }),
    );
    Ok(())
}

fn backup(cx: &mut Ctx<'_>, c: &Connection) -> crate::store::Result<()> {
    let chk = &cx.config.check;
    let last = retention::last_event(c, "backup")?;
    let hours = |h: u64| Duration::hours(h as i64);
    match last {
        None => {
            let status = if chk.backup_warning_hours > 0 || chk.backup_critical_hours > 0 {
                Status::Warning
            } else {
                Status::Ok
            };
            cx.add(
                "backup",
                status,
                "backup_none",
                &[],
                json!({ "last": null, "age_hours": null }),
            )
        }
        Some(at) => {
            let old = cx.now - at;
            let status = if chk.backup_critical_hours > 0 && old >= hours(chk.backup_critical_hours)
            {
                Status::Critical
            } else if chk.backup_warning_hours > 0 && old >= hours(chk.backup_warning_hours) {
                Status::Warning
            } else {
                Status::Ok
            };
            let a = age(cx.lang, old);
            cx.add(
                "backup",
                status,
                if status == Status::Ok {
                    "backup_ok"
                } else {
                    "backup_old"
                },
                &[("age", &a)],
                json!({ "last": ts(at), "age_hours": old.whole_hours() }),
            )
        }
    }
    Ok(())
}

fn overdue(cx: &mut Ctx<'_>, c: &Connection) -> crate::store::Result<()> {
    let by_hours = cx.config.check.purge_overdue_hours;
    let counts = if by_hours == 0 {
        PurgeCounts::default()
    } else {
        let cut = super::retention::overdue_cutoffs(
            &cx.config.retention,
            cx.now,
            Duration::hours(by_hours as i64),
        );
        retention::due(c, cx.now, &cut)?
    };
    let value = json!({
        "count": counts.total(),
        "hours": by_hours,
        "credential_hashes": counts.credential_hashes,
        "reset_codes": counts.reset_codes,
        "mail_bodies": counts.mail_bodies,
        "audit_rows": counts.audit_rows,
    });
    if counts.total() == 0 {
        cx.add("retention", Status::Ok, "retention_ok", &[], value);
    } else {
        let detail = format!(
            "credential_hashes {}, reset_codes {}, mail_bodies {}, audit_rows {}",
            counts.credential_hashes, counts.reset_codes, counts.mail_bodies, counts.audit_rows
        );
        let n = cx.count(counts.total(), "item", "items", "件");
        cx.add(
            "retention",
            Status::Warning,
            "retention_overdue",
            &[
                ("count", &n),
                ("hours", &by_hours.to_string()),
                ("detail", &detail),
            ],
            value,
        );
    }
    Ok(())
}

/// Free space for this account on the file system that holds the store.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_ages_read_naturally() {
        assert_eq!(count(Lang::En, 1, "mail", "mails", "通"), "1 mail");
        assert_eq!(count(Lang::En, 2, "mail", "mails", "通"), "2 mails");
        assert_eq!(count(Lang::Ja, 2, "mail", "mails", "通"), "2 通");
        assert_eq!(age(Lang::En, Duration::minutes(45)), "45 min");
        assert_eq!(age(Lang::En, Duration::minutes(200)), "3 h 20 min");
        assert_eq!(age(Lang::En, Duration::hours(52)), "2 d 4 h");
        assert_eq!(age(Lang::Ja, Duration::minutes(200)), "3時間20分");
        assert_eq!(Status::Critical.exit_code(), 2);
        assert!(Status::Warning > Status::Ok);
    }
}
