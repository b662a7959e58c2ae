//! The checks of the machine rather than the store: free disk beside the store, the log folder, and
//! whether the pace of refusals (`[lockout] refusal_floor_ms`) is above what this machine's argon2id
//! takes.

use std::path::Path;
use std::time::Duration;

use serde_json::json;

use super::{Ctx, Status};
use crate::process::thread_cpu_time;
use crate::services::hashing::Hasher;

fn free_bytes(dir: &Path) -> std::io::Result<u64> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let c = std::ffi::CString::new(dir.as_os_str().as_bytes())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        // SAFETY: statvfs writes into the zeroed struct; the path is NUL-terminated.
        let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
        // SAFETY: see above.
        if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(st.f_bavail as u64 * st.f_frsize as u64)
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Err(std::io::Error::other("not supported on this platform"))
    }
}

pub(super) fn disk(cx: &mut Ctx<'_>, db: &Path) {
    let dir = db
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let chk = &cx.config.check;
    match free_bytes(dir) {
        Ok(bytes) => {
            let mib = bytes / (1024 * 1024);
            let status = if chk.disk_critical_mib > 0 && mib < chk.disk_critical_mib {
                Status::Critical
            } else if chk.disk_warning_mib > 0 && mib < chk.disk_warning_mib {
                Status::Warning
            } else {
                Status::Ok
            };
            cx.add(
                "disk_free",
                status,
                if status == Status::Ok {
                    "disk_ok"
                } else {
                    "disk_low"
                },
                &[("free", &mib.to_string())],
                json!({ "free_mib": mib, "path": dir.display().to_string() }),
            );
        }
        Err(e) => {
            let error = e.to_string();
            cx.add(
                "disk_free",
                Status::Warning,
                "disk_unknown",
                &[("error", &error)],
                json!({ "free_mib": null, "path": dir.display().to_string() }),
            );
        }
    }
}

pub(super) fn log_folder(cx: &mut Ctx<'_>, dir: &Path) {
    let path = dir.display().to_string();
    match crate::logging::writable(dir) {
        Ok(()) => cx.add(
            "log_folder",
            Status::Ok,
            "log_ok",
            &[("path", &path)],
            json!({ "path": path, "writable": true }),
        ),
        Err(e) => {
            let error = crate::domain::text::neutralize(&e).into_owned();
            cx.add(
                "log_folder",
                Status::Warning,
                "log_bad",
                &[("path", &path), ("error", &error)],
                json!({ "path": path, "writable": false }),
            )
        }
    }
}

/// The pace of refusals holds only while a refusal's work (one argon2id run, a few reads and writes)
/// fits under the floor: warned when the slowest of three argon2id runs here (CPU time) takes more than
/// [`PACE_SHARE`] of it (or the floor is 0), so that the operator raises `refusal_floor_ms`.
pub(super) fn refusal_pace(cx: &mut Ctx<'_>) {
    let floor_ms = cx.config.lockout.refusal_floor_ms;
    let hasher = Hasher::default();
    let slowest = (0..3)
        .map(|_| {
            let start = thread_cpu_time();
            hasher.verify_or_burn("admin check", None);
            thread_cpu_time().saturating_sub(start)
        })
        .max()
        .unwrap_or(Duration::ZERO);
    let argon2id_ms = slowest.as_millis() as u64;
    let (floor, took) = (floor_ms.to_string(), argon2id_ms.to_string());
    let args = [("floor", floor.as_str()), ("took", took.as_str())];
    let value = json!({ "floor_ms": floor_ms, "argon2id_ms": argon2id_ms });
    let (status, key) = if floor_ms == 0 {
        (Status::Warning, "pace_off")
    } else if slowest.as_secs_f64() * 1e3 > f64::from(floor_ms) * PACE_SHARE {
        (Status::Warning, "pace_low")
    } else {
        (Status::Ok, "pace_ok")
    };
    cx.add("refusal_pace", status, key, &args, value);
}

/// The share of the floor an argon2id run may take; the rest is for the store and a busy machine.
const PACE_SHARE: f64 = 0.6;
