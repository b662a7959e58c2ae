//! Suite `cli`: the real binary run as a script or an operator runs it (no terminal): the admin
//! commands and the outbox commands of SPEC §6, plain one-sentence errors, and `outbox sync` killed
//! with SIGKILL while it sends.

#[path = "../support/mod.rs"]
mod support;

mod admin;
mod outbox;
mod outbox_crash;
