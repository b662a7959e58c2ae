//! Suite `services`: the library on real SQLite files in temp dirs, with a clock the test moves.
//! Login and lockout, the identity check, the one registration transaction, what the store never
//! holds, the member's account area, many processes on one file (and SIGKILL in the middle of
//! [実行]), and outbox delivery against real SMTP servers on 127.0.0.1.

#[path = "../support/mod.rs"]
mod support;

mod account;
mod account_reset;
mod aiosmtpd;
mod audit;
mod corrections;
mod counter;
mod delivery;
mod delivery_scenarios;
mod expenses;
mod lockout;
mod login;
mod pace;
mod processes;
mod processes_worker;
mod query_plans;
mod registration;
mod retention;
mod security;
