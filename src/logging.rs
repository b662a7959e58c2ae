//! Logging to a file, never to the terminal the TUI owns.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Sends `tracing` output to `dir/kosmo-kiosk.log` (daily files). Keep the guard alive for the
/// process's life so buffered lines are written at exit. When the folder cannot be created, logging is
/// off rather than on the terminal.
pub fn init(dir: &Path) -> Option<WorkerGuard> {
    let _ = crate::files::private_dir(dir);
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("kosmo-kiosk")
        .filename_suffix("log")
        .max_log_files(30)
        .build(dir)
        .ok()?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter =
        EnvFilter::try_from_env("KOSMO_KIOSK_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}
