//! Suite `cli`: the real binary run as a script or an operator runs it (no terminal), on real SQLite
//! files: the admin and outbox commands of SPEC §6, plain one-sentence errors, `outbox sync` killed
//! with SIGKILL while it sends, and running it for years (issue 15: backup and restore, `admin check`,
//! retention, log files, the operator's imports, the deployment files); and the repository's own
//! shape (`layout`: no source file over 600 lines).

#[path = "../support/mod.rs"]
mod support;

mod admin;
mod backup;
mod check;
mod deploy;
mod errors;
mod expenses;
mod expenses_encoding;
mod import;
mod layout;
mod logs;
mod operator;
mod outbox;
mod outbox_crash;
mod security;
