//! Suite `terminal`: the real binary in a pseudo-terminal read by a terminal emulator (vt100): the
//! kiosk, the account area and the staff console as a member or a staff member meets them, kiosk
//! mode and signals, a dropped terminal, and the staff console through a real sshd on 127.0.0.1.

#[path = "../support/mod.rs"]
mod support;

mod account;
mod expenses;
mod freeze;
mod kiosk;
mod lockout;
mod look;
mod plain;
mod plain_counter;
mod plain_member;
mod ssh;
mod staff;
mod touch;
mod vanish;
mod walkup;
