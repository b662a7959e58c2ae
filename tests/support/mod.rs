//! The one test support tree. Every suite (`tests/<suite>/main.rs`) mounts it once as
//! `crate::support`; benchmarks and examples mount the files they need by `#[path]` at their crate
//! root, so a file here reaches its siblings as `super::<name>`, never as `crate::…`.
//!
//! - `households.rs`: the one households fixture (one CSV, one constant per household, postcards);
//! - `fixture.rs`: the one store fixture (a store in a temp dir, services on a clock the test moves),
//!   with `state.rs` to read back what the store holds;
//! - `rig.rs`: the one in-process rig (the real `App` on a `TestBackend`, mirrored into vt100);
//! - `screen.rs`: the one screen-to-text, and finding labels, boxes and the cursor in it;
//!   `looks.rs`: every screen again in each theme, ambiguous characters narrow and wide (issue 12);
//! - `bin.rs`: the real binary with a private environment, run without a terminal;
//! - `pty.rs`: the one pseudo-terminal driver; `flows.rs`: whole registrations with keys over it;
//!   `procs.rs`: processes as /proc shows them;
//! - `expenses.rs`: a society's medical-expense files at scale (issue 16: benches, query plans);
//! - `mail/`: the one SMTP test server (`smtp.rs`), aiosmtpd beside it, mail on the fixture.
#![allow(dead_code)]

pub mod bin;
pub mod expenses;
pub mod fixture;
pub mod flows;
pub mod households;
pub mod looks;
pub mod mail;
pub mod notices;
pub mod procs;
pub mod pty;
pub mod rig;
pub mod screen;
pub mod state;
pub mod wait;

#[allow(unused_imports)]
pub use fixture::*;
