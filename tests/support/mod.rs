//! The one test support tree. Every suite (`tests/<suite>/main.rs`) mounts it once as
//! `crate::support`; benchmarks and examples mount single files of it by `#[path]`, so a file here
//! reaches its siblings as `super::<name>`, never as `crate::…`.
#![allow(dead_code)]

pub mod accounts;
pub mod bin;
pub mod fixture;
pub mod looks;
pub mod mail;
pub mod notices;
pub mod pty;
pub mod rig;
pub mod screen;
pub mod staff;

#[allow(unused_imports)]
pub use fixture::*;
