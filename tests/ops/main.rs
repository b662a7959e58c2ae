//! Running it for years (issue 15): backup and restore, `admin check`, retention, log files, the
//! operator's import paper cuts and the deployment files. The real binary on real SQLite files.

mod bin;
mod logs;
