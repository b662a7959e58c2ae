//! Service-level proofs on real SQLite files in temp dirs: login and lockout, the identity check, the one
//! registration transaction, and what the store never holds.

#[path = "../store_support/mod.rs"]
mod support;

mod audit;
mod login;
mod registration;
