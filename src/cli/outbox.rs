//! `kosmo-kiosk outbox …`: the mail outbox from the shell (list it, deliver it).

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Subcommand;

use super::{CliError, CliResult, Context, Global, open};
use crate::domain::text::neutralize;
use crate::services::delivery::{self, Control, DeliveryOptions, Round, Worker};
use crate::store::Actor;

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

pub(super) fn run(global: &Global, cmd: OutboxCommand) -> CliResult {
    let ctx = match cmd {
        OutboxCommand::List { .. } => super::ops::open_read_only(global)?,
        OutboxCommand::Sync { .. } => open(global, |_| {})?,
    };
    super::ops::warn_if_not_logging(&ctx);
    let mut out = std::io::stdout().lock();
    match cmd {
        OutboxCommand::List { json } => {
            let rows = ctx.services.outbox_rows()?;
            if json {
                super::json::write_pretty(&mut out, &rows)?;
            } else {
                write_table(&mut out, &rows)?;
            }
        }
        OutboxCommand::Sync { once } => {
            drop(out);
            return run_sync(&ctx, once);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The outbox as a table whose columns stay aligned whatever the kinds, addresses and reasons (widths
/// measured in display columns after neutralising). The reason is last, so a long one only runs on.
fn write_table(
    out: &mut impl Write,
    rows: &[crate::store::outbox::OutboxRow],
) -> std::io::Result<()> {
    use unicode_width::UnicodeWidthStr;
    let header = [
        "ID",
        "STATE",
        "KIND",
        "ATTEMPTS",
        "NEXT_ATTEMPT",
        "TO",
        "LAST_ERROR",
    ];
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            [
                r.id.to_string(),
                r.state.as_str().to_string(),
                neutralize(&r.kind).into_owned(),
                r.attempts.to_string(),
                match r.state {
                    crate::store::outbox::MailState::Queued => crate::store::ts(r.next_attempt_at),
                    _ => "-".to_string(),
                },
                neutralize(&r.to).into_owned(),
                neutralize(r.last_error.as_deref().unwrap_or("-")).into_owned(),
            ]
        })
        .collect();
    let mut widths = header.map(UnicodeWidthStr::width);
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    // Numbers are right-aligned; the last column is not padded.
    let right = [true, false, false, true, false, false, false];
    let line = |cells: [&str; 7]| {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let pad = " ".repeat(widths[i].saturating_sub(cell.width()));
            if i > 0 {
                text.push_str("  ");
            }
            if i == cells.len() - 1 {
                text.push_str(cell);
            } else if right[i] {
                text.push_str(&pad);
                text.push_str(cell);
            } else {
                text.push_str(cell);
                text.push_str(&pad);
            }
        }
        text
    };
    writeln!(out, "{}", line(header))?;
    for row in &cells {
        writeln!(out, "{}", line(row.each_ref().map(String::as_str)))?;
    }
    Ok(())
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
    // Retention runs from here once a day (the audit row of the last purge says when).
    let purge = || super::ops::purge_if_due(ctx, !once);
    if once {
        let round = worker.deliver_due_on(&mut delivery::borrow_all(&mut transports))?;
        println!("{}", summary(&round));
        purge();
    } else {
        println!(
            "delivering to {} ({} connections); stop with Ctrl-C or SIGTERM",
            transports[0].describe(),
            transports.len()
        );
        super::ops::with_daily_purge(purge, || {
            worker.run(&mut transports, |r| {
                let now = crate::store::ts(worker.clock.now());
                println!("{now} {}", summary(r));
            })
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
