//! Running the store for years: backup and restore, the health check, retention.

pub mod backup;
pub mod check;
pub mod retention;
