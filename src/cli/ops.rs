//! The operator's commands: `admin backup DEST [--keep N]`, `admin restore SRC`, `admin check [--json]`,
//! `admin purge [--dry-run]`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;

use std::sync::Arc;

use super::{CliError, CliResult, Context, Global, open, prepare};
use crate::domain::Lang;
use crate::domain::text::neutralize;
use crate::services::Services;
use crate::services::delivery::Control;
use crate::services::ops::{backup, check};
use crate::store::{Actor, Store, StoreError};

#[derive(Debug, Subcommand)]
pub enum OpsCommand {
    /// A consistent copy of the store while it is in use (mode 0600, never over an existing file).
    Backup {
        /// A new file, or a folder in which the copy is named <store>-<UTC time>.db.
        dest: PathBuf,
        /// With a folder: keep only this many backups there (the oldest are deleted).
        #[arg(long, value_name = "N")]
        keep: Option<u32>,
    },
    /// Puts a checked backup in place of the store (refused while other processes use it); the
    /// replaced store is kept beside it.
    Restore { src: PathBuf },
    /// Health for monitoring: one line per finding; exit 0 ok, 1 warning, 2 critical.
    Check {
        #[arg(long)]
        json: bool,
    },
    /// Deletes what is past its retention window ([retention] in the configuration).
    Purge {
        /// Only count what would go.
        #[arg(long)]
        dry_run: bool,
    },
}

/// Runs an operator's command. Restore and check open the store themselves (or not at all).
pub fn run(global: &Global, cmd: OpsCommand) -> CliResult {
    match cmd {
        OpsCommand::Restore { src } => restore(global, &src),
        OpsCommand::Check { json } => check(global, json),
        OpsCommand::Backup { dest, keep } => {
            let ctx = open(global, |_| {})?;
            warn_if_not_logging(&ctx);
            backup(&ctx, &dest, keep)
        }
        OpsCommand::Purge { dry_run } => {
            let ctx = open(global, |_| {})?;
            warn_if_not_logging(&ctx);
            purge(&ctx, dry_run)
        }
    }
}

/// Runs `work` (the mail worker) with a thread beside it that calls `purge` now and every hour; the
/// thread has its own control, so it never takes the worker's nudges, and stops when `work` returns.
pub fn with_daily_purge<T>(purge: impl Fn() + Sync, work: impl FnOnce() -> T) -> T {
    let daily = Control::new();
    std::thread::scope(|scope| {
        let control = daily.clone();
        let purge = &purge;
        scope.spawn(move || {
            while !control.is_stopped() {
                purge();
                control.wait(std::time::Duration::from_secs(3600));
            }
        });
        let out = work();
        daily.stop();
        out
    })
}

/// "1 row", "3 rows": a count with its noun.
pub fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The operator's language for `admin check`: `--lang`, else the locale (`LC_ALL`, `LC_MESSAGES`,
/// `LANG`: Japanese when it starts with `ja`, English otherwise), else the kiosk's language.
pub fn operator_lang(global: &Global, fallback: Lang) -> Lang {
    if let Some(l) = global.lang {
        return l;
    }
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .map(|v| {
            if v.to_ascii_lowercase().starts_with("ja") {
                Lang::Ja
            } else {
                Lang::En
            }
        })
        .unwrap_or(fallback)
}

fn backup(ctx: &Context, dest: &Path, keep: Option<u32>) -> CliResult {
    let r = ctx.services.backup(&Actor::admin(), dest, keep)?;
    let mut out = std::io::stdout().lock();
    write!(
        out,
        "backed up to {} ({} bytes, integrity ok)",
        neutralize(&r.path.display().to_string()),
        r.bytes
    )?;
    if !r.removed.is_empty() {
        write!(
            out,
            "; removed {} older {}",
            r.removed.len(),
            if r.removed.len() == 1 {
                "backup"
            } else {
                "backups"
            }
        )?;
    }
    writeln!(out)?;
    Ok(ExitCode::SUCCESS)
}

/// Restore opens no store before the swap: this process must not hold the file it replaces.
fn restore(global: &Global, src: &Path) -> CliResult {
    let (_config, db, _logging) = prepare(global)?;
    let now = crate::clock::Clock::now(&crate::clock::SystemClock);
    let r = backup::restore(&db, src, &Actor::admin(), now)?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "restored {} from {} ({} {}, {} {}){}",
        neutralize(&db.display().to_string()),
        neutralize(&src.display().to_string()),
        r.households,
        if r.households == 1 {
            "household"
        } else {
            "households"
        },
        r.accounts,
        if r.accounts == 1 {
            "account"
        } else {
            "accounts"
        },
        match &r.replaced {
            Some(p) => format!(
                "; the replaced store is kept as {}",
                neutralize(&p.display().to_string())
            ),
            None => String::new(),
        }
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Never creates or changes the store; the exit code is the worst finding's (0, 1 or 2).
fn check(global: &Global, json: bool) -> CliResult {
    let (config, db, logging) = prepare(global)?;
    let lang = operator_lang(global, config.kiosk.lang);
    let now = crate::clock::Clock::now(&crate::clock::SystemClock);
    let report = check::run(&config, &db, &logging.dir, now, lang);
    let mut out = std::io::stdout().lock();
    if json {
        super::json::write_pretty(&mut out, &report)?;
    } else {
        writeln!(out, "{}", neutralize(&report.summary(lang)))?;
        for f in &report.findings {
            let word = f.status.word(lang);
            // Padded by display width: 正常 takes four columns, OK two.
            let pad = 9usize.saturating_sub(unicode_width::UnicodeWidthStr::width(word));
            writeln!(
                out,
                "{word}{:pad$}{:<19}{}",
                "",
                f.check,
                neutralize(&f.message)
            )?;
        }
    }
    Ok(ExitCode::from(report.exit_code))
}

fn purge(ctx: &Context, dry_run: bool) -> CliResult {
    let r = ctx.services.purge(&Actor::admin(), dry_run)?;
    let c = r.counts;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{}: {} postcard {}, {} reset {}, {} mail {}, {} audit {}{}",
        if dry_run { "would purge" } else { "purged" },
        c.credential_hashes,
        if c.credential_hashes == 1 {
            "hash"
        } else {
            "hashes"
        },
        c.reset_codes,
        if c.reset_codes == 1 { "code" } else { "codes" },
        c.mail_bodies,
        if c.mail_bodies == 1 { "body" } else { "bodies" },
        c.audit_rows,
        if c.audit_rows == 1 { "row" } else { "rows" },
        if dry_run {
            " (nothing was changed)"
        } else {
            ""
        }
    )?;
    Ok(ExitCode::SUCCESS)
}

/// For commands that only read (`admin members`, `outbox list`): the store is never created or
/// migrated, and a store this account can only read (a monitoring account, a read-only mount) works.
/// Where there is no store yet there is nothing to list: an empty store in memory stands in.
pub fn open_read_only(global: &Global) -> Result<Context, CliError> {
    let (config, db_path, logging) = prepare(global)?;
    let store = match Store::open_read_only(&db_path) {
        Ok(s) => s,
        Err(StoreError::Missing(_)) => Store::open_empty_in_memory()?,
        Err(e) => return Err(CliError(e.to_string())),
    };
    let config = Arc::new(config);
    let services = Services::new(Arc::new(store), config.clone());
    Ok(Context {
        config,
        db_path,
        services,
        logging,
        created: false,
    })
}

/// After a failed command: a store this command created (e.g. `import-members` of a file that is not
/// there) is removed again, rather than left behind empty. Only a store made in this run is touched.
pub fn forget_new_store(ctx: Context) {
    if !ctx.created {
        return;
    }
    let db = ctx.db_path.clone();
    drop(ctx);
    let _ = std::fs::remove_file(&db);
    for f in crate::store::ops::wal_files(&db) {
        let _ = std::fs::remove_file(f);
    }
}

/// `outbox sync` purges once a day (what is due is decided in the store: the last purge's audit row).
/// The purge is logged and is an audit row; a running worker also prints a line when something went,
/// `--once` keeps its one-line output.
pub fn purge_if_due(ctx: &Context, print: bool) {
    match ctx.services.purge_if_due(&Actor::admin()) {
        Ok(Some(c)) if !print || c.total() == 0 => tracing::info!(?c, "daily purge"),
        Ok(Some(c)) => {
            tracing::info!(?c, "daily purge");
            let now = crate::store::ts(ctx.services.clock.now());
            println!(
                "{now} purged {} postcard hashes, {} reset codes, {} mail bodies, {} audit rows",
                c.credential_hashes, c.reset_codes, c.mail_bodies, c.audit_rows
            );
        }
        Ok(None) => {}
        Err(e) => tracing::error!(error = %e, "the daily purge failed"),
    }
}

/// Commands run from a shell say when nothing can be logged (the screens cannot: `admin check` does).
pub fn warn_if_not_logging(ctx: &Context) {
    if let Some(problem) = &ctx.logging.problem {
        let _ = writeln!(
            std::io::stderr(),
            "kosmo-kiosk: warning: {}; nothing is logged",
            neutralize(problem)
        );
    }
}
