//! The command line (a contract: scripts and tests rely on it, see SPEC §6). Errors go to stderr in one
//! plain sentence with a non-zero exit code; logs go to a file.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};

use crate::config::Config;
use crate::domain::Lang;
use crate::domain::household::HouseholdKey;
use crate::domain::text::neutralize;
use crate::services::delivery::{self, Background, Control, DeliveryOptions, Round, Worker};
use crate::services::{ServiceError, Services};
use crate::store::{Actor, Store};
use crate::tui::{App, AppEvent, AppOptions};

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
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// The configuration file (TOML).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// The language the screens open in.
    #[arg(long, global = true, value_parser = parse_lang, value_name = "ja|en")]
    pub lang: Option<Lang>,
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::from_code(s).ok_or_else(|| format!("unknown language {s:?}; use ja or en"))
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

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Imports members (CSV: insurer_number,symbol,number,name,birth_date,relationship); all or nothing.
    ImportMembers { file: PathBuf },
    /// Issues postcard credentials and writes the notices file (mode 0600, never overwritten).
    IssueCredentials {
        #[arg(long, value_name = "FILE.csv")]
        out: PathBuf,
        /// Only these households (`insurer-symbol-number`); their live credential is revoked.
        #[arg(long = "household", value_name = "KEY")]
        households: Vec<String>,
    },
    /// Lists households and their registration status.
    Members {
        #[arg(long)]
        json: bool,
    },
    /// Adds a staff account.
    StaffAdd {
        staff_id: String,
        /// Read the password from standard input instead of asking.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Clears the lock of a temporary, permanent or staff ID.
    Unlock { id: String },
    /// Makes a member change the password at the next login.
    ExpirePassword { user_id: String },
}

#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// Delivers due mail over SMTP; runs until stopped unless --once.
    Sync {
        #[arg(long)]
        once: bool,
    },
    /// Lists the outbox.
    List {
        #[arg(long)]
        json: bool,
    },
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
            let _ = writeln!(err, "kosmo-kiosk: {}", neutralize(message.trim_end()));
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
}

pub fn open(global: &Global, adjust: impl FnOnce(&mut Config)) -> Result<Context, CliError> {
    let mut config = Config::load(global.config.as_deref())?;
    if let Some(lang) = global.lang {
        config.kiosk.lang = lang;
    }
    adjust(&mut config);
    config
        .password
        .validate()
        .map_err(|e| CliError(format!("the [password] configuration is not usable: {e}")))?;
    let db_path = config.db_path(global.db.as_deref())?;
    let logging = crate::logging::init(&config.log_dir(&db_path), config.log_keep_days);
    crate::process::log_problems();
    let store = Store::open(&db_path)?;
    let config = Arc::new(config);
    let services = Services::new(Arc::new(store), config.clone());
    Ok(Context {
        config,
        db_path,
        services,
        logging,
    })
}

pub fn run(cli: Cli) -> CliResult {
    let global = cli.global;
    match cli.command.unwrap_or(Command::Kiosk) {
        Command::Kiosk => run_kiosk(&global),
        Command::Demo { dir } => crate::cli_demo::run_demo(&global, dir),
        Command::Staff => run_staff(&global),
        Command::Admin(cmd) => run_admin(&global, cmd),
        Command::Outbox(cmd) => run_outbox(&global, cmd),
        Command::ConfigDefaults => {
            print!("{}", Config::defaults_toml());
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn require_terminal() -> Result<(), CliError> {
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return Err(CliError(
            "the kiosk needs a terminal; run it in a terminal window, or over SSH with `ssh -t`"
                .into(),
        ));
    }
    Ok(())
}

fn run_kiosk(global: &Global) -> CliResult {
    require_terminal()?;
    let ctx = open(global, |_| {})?;
    let opts = AppOptions::from_config(&ctx.config, Actor::kiosk());
    let mut app = App::new(ctx.services.clone(), opts);
    let worker = start_mail_worker(&ctx, &mut app);
    crate::tui::run(app)?;
    drop(worker);
    Ok(ExitCode::SUCCESS)
}

/// `kosmo-kiosk staff`: the staff console (what SSH runs for staff; see docs/staff.md).
fn run_staff(global: &Global) -> CliResult {
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return Err(CliError(
            "the staff console needs a terminal; connect with `ssh -t` (or run it in a terminal window)"
                .into(),
        ));
    }
    let ctx = open(global, |_| {})?;
    if ctx.services.staff_count()? == 0 {
        return Err(CliError(
            "no staff account exists yet; an administrator adds one with `kosmo-kiosk admin staff-add STAFF_ID`"
                .into(),
        ));
    }
    let actor = Actor {
        channel: crate::store::Channel::Staff,
        staff_id: None,
        client_addr: crate::store::audit::ssh_client_addr(),
    };
    let mut opts = AppOptions::from_config(&ctx.config, actor);
    opts.idle_timeout = std::time::Duration::from_secs(ctx.config.staff.idle_timeout_secs.max(30));
    crate::tui::run(App::new(ctx.services.clone(), opts))?;
    Ok(ExitCode::SUCCESS)
}

/// The new staff member's password: one line of standard input, or asked twice on the terminal
/// without echo.
fn staff_password(
    staff_id: &str,
    from_stdin: bool,
) -> Result<zeroize::Zeroizing<String>, CliError> {
    use std::io::BufRead;
    if from_stdin {
        let mut line = zeroize::Zeroizing::new(String::new());
        std::io::stdin().lock().read_line(&mut line)?;
        let pw = zeroize::Zeroizing::new(line.trim_end_matches(['\r', '\n']).to_string());
        if pw.is_empty() {
            return Err(CliError("no password on standard input".into()));
        }
        return Ok(pw);
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError(
            "there is no terminal to ask for the password; give it on standard input with --password-stdin"
                .into(),
        ));
    }
    let ask = |prompt: &str| {
        rpassword::prompt_password(prompt)
            .map(zeroize::Zeroizing::new)
            .map_err(|e| CliError(format!("cannot read the password: {e}")))
    };
    let pw = ask(&format!("Password for staff {}: ", neutralize(staff_id)))?;
    let again = ask("The same password again: ")?;
    if *pw != *again {
        return Err(CliError(
            "the two passwords differ; nothing was added".into(),
        ));
    }
    Ok(pw)
}

/// Commands run from a shell say when nothing can be logged (the screens cannot: `admin check` does).
fn warn_if_not_logging(ctx: &Context) {
    if let Some(problem) = &ctx.logging.problem {
        let _ = writeln!(
            std::io::stderr(),
            "kosmo-kiosk: warning: {}; nothing is logged",
            neutralize(problem)
        );
    }
}

fn run_admin(global: &Global, cmd: AdminCommand) -> CliResult {
    let ctx = open(global, |_| {})?;
    warn_if_not_logging(&ctx);
    let svc = &ctx.services;
    let actor = Actor::admin();
    let mut out = std::io::stdout().lock();
    match cmd {
        AdminCommand::ImportMembers { file } => {
            let r = svc.import_members(&actor, &file)?;
            writeln!(
                out,
                "imported {} rows: {} new households, {} new members, {} already present",
                r.rows, r.households_added, r.members_added, r.unchanged
            )?;
        }
        AdminCommand::IssueCredentials {
            out: path,
            households,
        } => {
            let keys = households
                .iter()
                .map(|k| {
                    HouseholdKey::parse(k).map_err(|e| CliError(format!("{}: {e}", neutralize(k))))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let r = svc.issue_credentials(&actor, &path, &keys)?;
            writeln!(
                out,
                "issued {} credentials to {}{}",
                r.notices.len(),
                r.out.display(),
                if r.revoked > 0 {
                    format!(" ({} earlier credentials revoked)", r.revoked)
                } else {
                    String::new()
                }
            )?;
        }
        AdminCommand::Members { json } => {
            let list = svc.household_summaries()?;
            if json {
                serde_json::to_writer_pretty(&mut out, &list)?;
                writeln!(out)?;
            } else {
                writeln!(
                    out,
                    "{:<24} {:<8} {:<11} {:<14} NAME",
                    "HOUSEHOLD", "MEMBERS", "STATUS", "USER_ID"
                )?;
                for h in &list {
                    writeln!(
                        out,
                        "{:<24} {:<8} {:<11} {:<14} {}",
                        neutralize(&h.household),
                        h.members,
                        h.status,
                        neutralize(h.user_id.as_deref().unwrap_or("-")),
                        neutralize(&h.name)
                    )?;
                }
            }
        }
        AdminCommand::StaffAdd {
            staff_id,
            password_stdin,
        } => {
            let password = staff_password(&staff_id, password_stdin)?;
            let id = svc.add_staff(&actor, &staff_id, &password)?;
            writeln!(out, "added staff account {}", neutralize(&id))?;
        }
        AdminCommand::Unlock { id } => {
            let any = svc.unlock(&actor, &id)?;
            if any {
                writeln!(out, "unlocked {}", neutralize(&id))?;
            } else {
                writeln!(out, "{} was not locked", neutralize(&id))?;
            }
        }
        AdminCommand::ExpirePassword { user_id } => {
            svc.expire_password(&actor, &user_id)?;
            writeln!(
                out,
                "{} must change the password at the next login",
                neutralize(&user_id)
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn run_outbox(global: &Global, cmd: OutboxCommand) -> CliResult {
    let ctx = open(global, |_| {})?;
    warn_if_not_logging(&ctx);
    let mut out = std::io::stdout().lock();
    match cmd {
        OutboxCommand::List { json } => {
            let rows = ctx
                .services
                .store
                .read(|c| crate::store::outbox::list(c, None))?;
            if json {
                serde_json::to_writer_pretty(&mut out, &rows)?;
                writeln!(out)?;
            } else {
                writeln!(
                    out,
                    "{:>5} {:<8} {:<9} {:>8} {:<20} {:<32} LAST_ERROR",
                    "ID", "STATE", "KIND", "ATTEMPTS", "NEXT_ATTEMPT", "TO"
                )?;
                for r in rows {
                    writeln!(
                        out,
                        "{:>5} {:<8} {:<9} {:>8} {:<20} {:<32} {}",
                        r.id,
                        r.state.as_str(),
                        neutralize(&r.kind),
                        r.attempts,
                        match r.state {
                            crate::store::outbox::MailState::Queued => {
                                crate::store::ts(r.next_attempt_at)
                            }
                            _ => "-".to_string(),
                        },
                        neutralize(&r.to),
                        neutralize(r.last_error.as_deref().unwrap_or(""))
                    )?;
                }
            }
        }
        OutboxCommand::Sync { once } => {
            drop(out);
            return run_sync(&ctx, once);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `outbox sync [--once]`: the worker, in the foreground. SIGTERM, SIGINT and SIGHUP stop it after
/// the message being sent (the rest is handed back to the outbox).
fn run_sync(ctx: &Context, once: bool) -> CliResult {
    let mail = &ctx.config.mail;
    let Some(mut transports) = delivery::transports_from_config(mail)? else {
        return Err(CliError(
            "no SMTP server is configured (set [mail] smtp_url or KOSMO_KIOSK_SMTP_URL); the mail waits in the outbox"
                .into(),
        ));
    };
    let control = Control::new();
    stop_on_signals(control.clone());
    let worker = Worker {
        store: &ctx.services.store,
        clock: ctx.services.clock.as_ref(),
        actor: Actor::admin(),
        opts: DeliveryOptions::from_config(mail, "sync")?,
        control,
    };
    let summary = |r: &Round| {
        let waiting = worker
            .store
            .read(crate::store::outbox::counts)
            .map(|c| c[0] + c[1])
            .unwrap_or(0);
        let mut line = format!(
            "sent {}, deferred {}, dead {}; {} waiting",
            r.sent, r.deferred, r.dead, waiting
        );
        if let Some(why) = &r.unreachable {
            line.push_str(&format!(" (the server could not be reached: {why})"));
        }
        line
    };
    if once {
        let round = worker.deliver_due_on(&mut delivery::borrow_all(&mut transports))?;
        println!("{}", summary(&round));
    } else {
        println!(
            "delivering to {} ({} connections); stop with Ctrl-C or SIGTERM",
            transports[0].describe(),
            transports.len()
        );
        worker.run(&mut transports, |r| {
            let now = crate::store::ts(worker.clock.now());
            println!("{now} {}", summary(r));
        });
    }
    Ok(ExitCode::SUCCESS)
}

fn stop_on_signals(control: Arc<Control>) {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    match signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP]) {
        Ok(mut signals) => {
            let _ = std::thread::Builder::new()
                .name("signals".into())
                .spawn(move || {
                    if signals.forever().next().is_some() {
                        control.stop();
                    }
                });
        }
        Err(e) => tracing::warn!(error = %e, "cannot watch signals"),
    }
}

/// Starts the kiosk's background mail worker when `[mail]` names a transport; the app hears of its
/// progress (to refresh the done screen) and nudges it when a mail is queued. A mail configuration
/// that cannot work is logged and the mail waits; the kiosk runs on.
pub fn start_mail_worker(ctx: &Context, app: &mut App) -> Option<Background> {
    let tx = app.sender();
    match Background::spawn(
        &ctx.db_path,
        &ctx.config.mail,
        ctx.services.clock.clone(),
        app.opts.actor.clone(),
        move |_| {
            let _ = tx.send(AppEvent::MailProgress);
        },
    ) {
        Ok(Some(bg)) => {
            app.mail = Some(bg.control());
            Some(bg)
        }
        Ok(None) => {
            tracing::info!("no SMTP server configured: mail waits in the outbox");
            None
        }
        Err(e) => {
            tracing::error!(error = %e, "the mail worker cannot start; mail waits in the outbox");
            None
        }
    }
}

/// Maps a service error to the one sentence for the command line.
pub fn service_error(e: ServiceError) -> CliError {
    CliError(e.to_string())
}

/// Creates a folder (and parents) readable only by its owner.
pub fn private_dir(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(path)
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(path)
}
