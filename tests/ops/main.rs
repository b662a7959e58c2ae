//! Running it for years (issue 15): backup and restore, `admin check`, retention, log files, the
//! operator's import paper cuts and the deployment files. The real binary on real SQLite files.

#[path = "../support/pty.rs"]
mod pty;
#[path = "../support/screen_text.rs"]
mod screen_text;
#[path = "../support/mail/smtp.rs"]
mod smtp;
#[path = "../store_support/mod.rs"]
mod store_support;

mod backup;
mod bin;
mod check;
mod deploy;
mod logs;
mod retention;
