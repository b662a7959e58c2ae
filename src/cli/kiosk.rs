//! `kosmo-kiosk` / `kosmo-kiosk kiosk`: the member kiosk, full screen, with its background mail worker.

use std::io::IsTerminal;
use std::process::ExitCode;

use super::{CliError, CliResult, Context, Global, open};
use crate::services::delivery::Background;
use crate::store::Actor;
use crate::tui::{App, AppEvent, AppOptions};

fn require_terminal() -> Result<(), CliError> {
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return Err(CliError(
            "the kiosk needs a terminal; run it in a terminal window, or over SSH with `ssh -t`"
                .into(),
        ));
    }
    Ok(())
}

pub(super) fn run(global: &Global) -> CliResult {
    require_terminal()?;
    let ctx = open(global, |_| {})?;
    if global.plain || ctx.config.kiosk.plain {
        return run_plain(&ctx, Actor::kiosk());
    }
    let opts = AppOptions::from_config(&ctx.config, Actor::kiosk());
    let mut app = App::new(ctx.services.clone(), opts);
    let worker = start_mail_worker(&ctx, &mut app);
    crate::tui::run(app)?;
    drop(worker);
    Ok(ExitCode::SUCCESS)
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

/// The kiosk (or, with a staff actor, the staff console) as line-by-line prompts; the kiosk with
/// the same background mail worker as the full screen.
pub fn run_plain(ctx: &Context, actor: Actor) -> CliResult {
    let staff = actor.channel == crate::store::Channel::Staff;
    let mut opts = crate::plain::Options::from_config(&ctx.config, actor.clone());
    if staff {
        opts.idle_timeout =
            std::time::Duration::from_secs(ctx.config.staff.idle_timeout_secs.max(30));
        crate::plain::run_staff(ctx.services.clone(), opts)?;
        return Ok(ExitCode::SUCCESS);
    }
    let worker = Background::spawn(
        &ctx.db_path,
        &ctx.config.mail,
        ctx.services.clock.clone(),
        actor,
        |_| {},
    )
    .unwrap_or_else(|e| {
        tracing::error!(error = %e, "the mail worker cannot start; mail waits in the outbox");
        None
    });
    crate::plain::run_kiosk(ctx.services.clone(), opts)?;
    drop(worker);
    Ok(ExitCode::SUCCESS)
}
