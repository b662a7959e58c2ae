//! Suite `screens`: the real `App` in-process, drawn to a ratatui `TestBackend` and snapshotted with
//! insta (ja and en): the member wizard, the member's account area and the staff console, reached by
//! keys and taps through `App::handle` on a real store.

#[path = "../support/mod.rs"]
mod support;

mod account;
mod counter;
mod expenses;
mod finish;
mod looks;
mod staff;
mod touch;
mod walkup;
mod wizard;
