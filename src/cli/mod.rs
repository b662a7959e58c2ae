//! The command line (a contract: scripts and tests rely on it, see SPEC §6). Errors go to stderr in one
//! plain sentence with a non-zero exit code; logs go to a file.

//!
//! One file per command group: `admin.rs`, `outbox.rs`, `kiosk.rs` (the default), `staff.rs`,
//! `demo.rs`. This file holds the parser, the shared set-up ([`open`]) and the error sentence.

pub mod admin;
pub mod demo;
mod demo_expenses;
mod json;
pub mod kiosk;
pub mod ops;
pub mod outbox;
pub mod staff;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};

pub use admin::AdminCommand;
pub use outbox::OutboxCommand;

use crate::config::{Config, ENV_CONFIG, ENV_DB};
use crate::domain::Lang;
use crate::domain::text::neutralize;
use crate::services::Services;
use crate::store::Store;

const AFTER_HELP: &str = "\
The store: --db, else KOSMO_KIOSK_DB, else `db` in the config file, else
~/.local/share/kosmo-kiosk/kiosk.db. The config: --config, else KOSMO_KIOSK_CONFIG, else
~/.config/kosmo-kiosk/config.toml (TOML, every key optional). KOSMO_KIOSK_SMTP_URL overrides
[mail] smtp_url. Logs go to a file (logs/ beside the store, or KOSMO_KIOSK_LOG_DIR), never to
the terminal. `kosmo-kiosk config-defaults` prints every key with its default.";

#[derive(Debug, Parser)]
#[command(name = "kosmo-kiosk", version, about = "Registration kiosk for KOSMO Communication Web", after_help = AFTER_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args, Clone)]
pub struct Global {
    /// The SQLite store.
    #[arg(long, global = true, value_name = "PATH", env = ENV_DB, hide_env = true)]
    pub db: Option<PathBuf>,
    /// The configuration file (TOML).
    #[arg(long, global = true, value_name = "PATH", env = ENV_CONFIG, hide_env = true)]
    pub config: Option<PathBuf>,
    /// The language the screens open in.
    #[arg(long, global = true, value_parser = parse_lang, value_name = "ja|en")]
    pub lang: Option<Lang>,
    /// Line-by-line prompts for screen readers and braille displays instead of the full screen
    /// (the kiosk and the staff console; also `[kiosk] plain = true`).
    #[arg(long, global = true)]
    pub plain: bool,
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::from_code(s).ok_or_else(|| {
        format!(
            "unknown language {}; use ja or en",
            crate::domain::text::quoted(s)
        )
    })
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The member kiosk, full screen (the default).
    Kiosk,
    /// A fresh demo store with sample households; shows their postcard credentials and runs the kiosk.
    Demo {
        /// The folder for the demo store, notices and mail (default: a new temporary folder).
        #[arg(long, value_name = "PATH")]
        dir: Option<PathBuf>,
    },
    /// The staff console (what SSH runs for staff).
    Staff,
    /// Administration from the shell.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// The mail outbox.
    #[command(subcommand)]
    Outbox(OutboxCommand),
    /// Prints the configuration file with every key at its default.
    ConfigDefaults,
}

/// A failure to report in one sentence.
#[derive(Debug)]
pub struct CliError(pub String);

impl<E: std::fmt::Display> From<E> for CliError {
    fn from(e: E) -> Self {
        CliError(e.to_string())
    }
}

pub type CliResult = Result<ExitCode, CliError>;

/// The longest error sentence printed, in characters. Each value a message quotes is already cut
/// (`domain::text::quoted`, 80 characters); this bounds whatever else a message carries, so that no
/// input makes a line of megabytes on stderr (issue 8 item 10).
const MESSAGE_MAX_CHARS: usize = 1000;

/// An error sentence as printed: neutralised, and cut at [`MESSAGE_MAX_CHARS`] with `…`.
fn one_line(message: &str) -> String {
    let cut = crate::domain::text::truncate_chars(message, MESSAGE_MAX_CHARS);
    let more = if cut.len() < message.len() { "…" } else { "" };
    format!("{}{more}", neutralize(cut))
}

/// The process entry point.
pub fn main() -> ExitCode {
    // Before anything reads a password: no core file of this process, ever.
    crate::process::no_core_dumps();
    crate::logging::private_umask();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    match run(cli) {
        Ok(code) => code,
        Err(CliError(message)) => {
            let mut err = std::io::stderr();
            let _ = writeln!(err, "kosmo-kiosk: {}", one_line(message.trim_end()));
            ExitCode::FAILURE
        }
    }
}

/// `--help` and `--version` print as clap does; a usage mistake is one line on stderr (clap's first
/// line, its tip when it has one) and exit code 2.
fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        e.exit();
    }
    let text = e.render().to_string();
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
        .filter(|l| !l.is_empty())
        .collect();
    let first = lines
        .first()
        .copied()
        .unwrap_or("the command line is not valid");
    let mut message = first.strip_prefix("error: ").unwrap_or(first).to_string();
    let details: Vec<&str> = lines
        .iter()
        .skip(1)
        .filter(|l| !l.starts_with("tip: "))
        .copied()
        .collect();
    if !details.is_empty() {
        message = format!("{message} {}", details.join(", "));
    }
    if let Some(tip) = lines.iter().find_map(|l| l.strip_prefix("tip: ")) {
        message = format!("{message}; {tip}");
    }
    let _ = writeln!(
        std::io::stderr(),
        "kosmo-kiosk: {} (see kosmo-kiosk --help)",
        neutralize(&message)
    );
    ExitCode::from(2)
}

/// Configuration, store and services for a command.
pub struct Context {
    pub config: Arc<Config>,
    pub db_path: PathBuf,
    pub services: Services,
    pub logging: crate::logging::Logging,
    /// The store did not exist before this command (a failed command removes it again).
    pub created: bool,
}

/// An empty `--db`/`--config` (or an empty variable) counts as not given.
fn given(p: &Option<PathBuf>) -> Option<&std::path::Path> {
    p.as_deref().filter(|p| !p.as_os_str().is_empty())
}

/// The configuration, the store's path and logging, without opening the store.
pub fn prepare(global: &Global) -> Result<(Config, PathBuf, crate::logging::Logging), CliError> {
    prepare_with(global, |_| {})
}

fn prepare_with(
    global: &Global,
    adjust: impl FnOnce(&mut Config),
) -> Result<(Config, PathBuf, crate::logging::Logging), CliError> {
    let mut config = Config::load(given(&global.config))?;
    if let Some(lang) = global.lang {
        config.kiosk.lang = lang;
    }
    adjust(&mut config);
    config
        .password
        .validate()
        .map_err(|e| CliError(format!("the [password] configuration is not usable: {e}")))?;
    let db_path = config.db_path(given(&global.db))?;
    let logging = crate::logging::init(&config.log_dir(&db_path), config.log_keep_days);
    crate::process::log_problems();
    Ok((config, db_path, logging))
}

pub fn open(global: &Global, adjust: impl FnOnce(&mut Config)) -> Result<Context, CliError> {
    let (config, db_path, logging) = prepare_with(global, adjust)?;
    let created = !db_path.exists();
    let store = Store::open(&db_path)?;
    let config = Arc::new(config);
    let services = Services::new(Arc::new(store), config.clone());
    Ok(Context {
        config,
        db_path,
        services,
        logging,
        created,
    })
}

pub fn run(cli: Cli) -> CliResult {
    let global = cli.global;
    match cli.command.unwrap_or(Command::Kiosk) {
        Command::Kiosk => kiosk::run(&global),
        Command::Demo { dir } => demo::run(&global, dir),
        Command::Staff => staff::run(&global),
        Command::Admin(cmd) => admin::run(&global, cmd),
        Command::Outbox(cmd) => outbox::run(&global, cmd),
        Command::ConfigDefaults => {
            print!("{}", Config::defaults_toml());
            Ok(ExitCode::SUCCESS)
        }
    }
}
