//! `kosmo-kiosk admin …`: the member list, postcard credentials, staff accounts, locks and password
//! expiry, from the shell.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use super::{CliError, CliResult, Context, Global, open};
use crate::domain::household::HouseholdKey;
use crate::domain::text::{clipped, neutralize};
use crate::services::encoding::CsvEncoding;
use crate::services::lockout::UnlockOutcome;
use crate::services::member_corrections::{Change, MemberChange, Person};
use crate::services::members::{ImportOptions, ImportReport};
use crate::store::Actor;

fn parse_encoding(s: &str) -> Result<CsvEncoding, String> {
    CsvEncoding::parse(s)
        .ok_or_else(|| format!("{} is not utf-8 or cp932", crate::domain::text::quoted(s)))
}

/// One member as the operator reads it: name (birth date, relationship).
fn person(p: &Person) -> String {
    format!(
        "{} ({}, {})",
        neutralize(&p.name),
        crate::dates::iso_date(p.birth_date),
        p.relationship.as_str()
    )
}

/// What a correction changed: "name A → B, birth_date x → y".
fn corrected(was: &Person, now: &Person) -> String {
    let mut parts = Vec::new();
    if was.name != now.name {
        parts.push(format!(
            "name {} → {}",
            neutralize(&was.name),
            neutralize(&now.name)
        ));
    }
    if was.birth_date != now.birth_date {
        parts.push(format!(
            "birth_date {} → {}",
            crate::dates::iso_date(was.birth_date),
            crate::dates::iso_date(now.birth_date)
        ));
    }
    if was.relationship != now.relationship {
        parts.push(format!(
            "relationship {} → {}",
            was.relationship.as_str(),
            now.relationship.as_str()
        ));
    }
    parts.join(", ")
}

fn change_line(c: &MemberChange) -> String {
    match &c.change {
        Change::Corrected { was, now, line } => format!(
            "  corrected {} {}: {} (line {line})",
            c.household,
            neutralize(&was.name),
            corrected(was, now)
        ),
        Change::Removed(p) => format!("  removed {} {}: not in the file", c.household, person(p)),
        Change::Kept(p) => format!(
            "  kept {} {}: not in the file, but the household's account was registered by them",
            c.household,
            person(p)
        ),
    }
}

/// `read FILE as CP932 (Shift_JIS)`: the encoding an import read its file as.
fn read_as(
    out: &mut impl Write,
    file: &std::path::Path,
    encoding: Option<CsvEncoding>,
) -> std::io::Result<()> {
    match encoding {
        Some(e) => writeln!(out, "read {} as {}", file.display(), e.label()),
        None => Ok(()),
    }
}

fn import_report(out: &mut impl Write, file: &std::path::Path, r: &ImportReport) -> CliResult {
    use super::ops::counted as n;
    read_as(out, file, r.encoding)?;
    let mut line = format!(
        "imported {}: {}, {}, {} already present",
        n(r.rows, "row", "rows"),
        n(r.households_added, "new household", "new households"),
        n(r.members_added, "new member", "new members"),
        r.unchanged
    );
    if !r.changes.is_empty() {
        line.push_str(&format!(
            ", {} corrected, {} removed",
            r.corrected(),
            r.removed()
        ));
    }
    writeln!(out, "{line}")?;
    for c in &r.changes {
        writeln!(out, "{}", change_line(c))?;
    }
    if r.unlisted_count > 0 {
        let named: Vec<String> = r.unlisted.iter().map(|k| k.to_string()).collect();
        writeln!(
            out,
            "note: {} {} members this file does not list ({}{}); nothing was removed or corrected. If the file corrects them, import it again with --replace (docs/operations.md).",
            n(r.unlisted_count, "household", "households"),
            if r.unlisted_count == 1 { "has" } else { "have" },
            named.join(", "),
            if r.unlisted_count > named.len() {
                ", …"
            } else {
                ""
            }
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Imports members (CSV: insurer_number,symbol,number,name,birth_date,relationship); all or nothing.
    ImportMembers {
        file: PathBuf,
        /// The file's encoding: utf-8 or cp932 (Shift_JIS, Excel's "CSV" in Japanese); detected when
        /// left out.
        #[arg(long, value_name = "ENCODING", value_parser = parse_encoding)]
        encoding: Option<CsvEncoding>,
        /// The file is the whole member list of every household it names: members are corrected in
        /// place (same name or same birth date), added, or removed when the file leaves them out.
        #[arg(long)]
        replace: bool,
    },
    /// Imports medical expenses (CSV: household,month,patient,provider,category,days,total,paid); all or
    /// nothing; replaces the household-months the file holds.
    ImportExpenses {
        file: PathBuf,
        /// The file's encoding: utf-8 or cp932 (Shift_JIS, Excel's "CSV" in Japanese); detected when
        /// left out.
        #[arg(long, value_name = "ENCODING", value_parser = parse_encoding)]
        encoding: Option<CsvEncoding>,
    },
    /// Imports benefit decisions (CSV: household,decided_on,kind,amount,paid_on); all or nothing;
    /// replaces the household-dates the file holds.
    ImportBenefits {
        file: PathBuf,
        /// The file's encoding, as for import-expenses.
        #[arg(long, value_name = "ENCODING", value_parser = parse_encoding)]
        encoding: Option<CsvEncoding>,
    },
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
    #[command(flatten)]
    Ops(super::ops::OpsCommand),
}

/// One line for an expenses or decisions import: `1 row` / `2 rows`, and only the parts that are
/// not zero after the groups.
fn report_import(
    out: &mut impl Write,
    groups: &str,
    r: &crate::services::imports::ImportReport,
) -> std::io::Result<()> {
    let n = |count: u64, one: &str, many: &str| {
        format!("{count} {}", if count == 1 { one } else { many })
    };
    let mut parts = vec![format!(
        "{} new, {} changed, {} unchanged",
        r.groups_new, r.groups_changed, r.groups_unchanged
    )];
    if r.skipped_old > 0 {
        parts.push(format!(
            "{} before the window skipped",
            n(r.skipped_old, "row", "rows")
        ));
    }
    if r.purged_rows > 0 {
        parts.push(format!(
            "{} before the window deleted",
            n(r.purged_rows, "stored row", "stored rows")
        ));
    }
    parts.push(format!(
        "{} queued",
        n(r.mails, "notice mail", "notice mails")
    ));
    writeln!(
        out,
        "imported {} for {} (batch {}): {groups} {}",
        n(r.rows, "row", "rows"),
        n(r.households, "household", "households"),
        r.batch_id,
        parts.join("; ")
    )
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

pub(super) fn run(global: &Global, cmd: AdminCommand) -> CliResult {
    if let AdminCommand::Ops(cmd) = cmd {
        return super::ops::run(global, cmd);
    }
    let ctx = match cmd {
        AdminCommand::Members { .. } => super::ops::open_read_only(global)?,
        _ => open(global, |_| {})?,
    };
    super::ops::warn_if_not_logging(&ctx);
    let result = command(&ctx, cmd);
    if result.is_err() {
        super::ops::forget_new_store(ctx);
    }
    result
}

fn command(ctx: &Context, cmd: AdminCommand) -> CliResult {
    let svc = &ctx.services;
    let actor = Actor::admin();
    let mut out = std::io::stdout().lock();
    match cmd {
        AdminCommand::ImportMembers {
            file,
            encoding,
            replace,
        } => {
            let r = svc.import_members(&actor, &file, ImportOptions { encoding, replace })?;
            import_report(&mut out, &file, &r)?;
        }
        AdminCommand::ImportExpenses { file, encoding } => {
            let r = svc.import_expenses(&actor, &file, encoding)?;
            read_as(&mut out, &file, r.encoding)?;
            report_import(&mut out, "household-months", &r)?;
        }
        AdminCommand::ImportBenefits { file, encoding } => {
            let r = svc.import_benefits(&actor, &file, encoding)?;
            read_as(&mut out, &file, r.encoding)?;
            report_import(&mut out, "household-dates", &r)?;
        }
        AdminCommand::IssueCredentials {
            out: path,
            households,
        } => {
            let keys = households
                .iter()
                .map(|k| {
                    HouseholdKey::parse(k).map_err(|e| CliError(format!("{}: {e}", clipped(k))))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let r = svc.issue_credentials(&actor, &path, &keys)?;
            writeln!(
                out,
                "issued {} to {}{}",
                super::ops::counted(r.notices.len(), "credential", "credentials"),
                r.out.display(),
                if r.revoked > 0 {
                    format!(
                        " ({} revoked)",
                        super::ops::counted(r.revoked, "earlier credential", "earlier credentials")
                    )
                } else {
                    String::new()
                }
            )?;
        }
        AdminCommand::Members { json } => {
            let list = svc.household_summaries()?;
            if json {
                super::json::write_pretty(&mut out, &list)?;
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
        AdminCommand::Unlock { id } => match svc.unlock(&actor, &id)? {
            UnlockOutcome::Unlocked => writeln!(out, "unlocked {}", clipped(&id))?,
            UnlockOutcome::NotLocked => writeln!(out, "{} was not locked", clipped(&id))?,
            UnlockOutcome::Unknown => {
                return Err(CliError(format!(
                    "{} is not a known temporary, user or staff ID, and nothing is counted under it; nothing was unlocked",
                    clipped(&id)
                )));
            }
        },
        AdminCommand::ExpirePassword { user_id } => {
            svc.expire_password(&actor, &user_id)?;
            writeln!(
                out,
                "{} must change the password at the next login",
                clipped(&user_id)
            )?;
        }
        AdminCommand::Ops(_) => {}
    }
    Ok(ExitCode::SUCCESS)
}
