//! `kosmo-kiosk staff`: the staff console (what SSH runs for staff; see docs/staff.md).

use std::io::IsTerminal;
use std::process::ExitCode;

use super::{CliError, CliResult, Global, open};
use crate::store::{Actor, Channel};
use crate::tui::{App, AppOptions};

/// Runs the console for the staff member at the terminal; they log in with their own staff ID.
pub(super) fn run(global: &Global) -> CliResult {
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
        channel: Channel::Staff,
        staff_id: None,
        client_addr: crate::store::audit::ssh_client_addr(),
    };
    if global.plain || ctx.config.kiosk.plain {
        return super::kiosk::run_plain(&ctx, actor);
    }
    let mut opts = AppOptions::from_config(&ctx.config, actor);
    opts.idle_timeout = std::time::Duration::from_secs(ctx.config.staff.idle_timeout_secs.max(30));
    crate::tui::run(App::new(ctx.services.clone(), opts))?;
    Ok(ExitCode::SUCCESS)
}
