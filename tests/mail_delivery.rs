//! Outbox delivery against the Rust test SMTP server on 127.0.0.1 (no other software needed).
//! The same scenarios run against aiosmtpd in `mail_aiosmtpd.rs`.

#[path = "support/mail/mod.rs"]
mod mail_support;

use mail_support::RustLauncher;
use mail_support::scenarios;

#[test]
fn welcome_mail_arrives() {
    scenarios::welcome_mail_arrives(&RustLauncher);
}

#[test]
fn temporary_failures_retry_then_deliver_once() {
    scenarios::temporary_failures_retry_then_deliver_once(&RustLauncher);
}

#[test]
fn permanent_failure_is_dead_with_reason() {
    scenarios::permanent_failure_is_dead_with_reason(&RustLauncher);
}

#[test]
fn server_down_then_up() {
    scenarios::server_down_then_up(&RustLauncher);
}

#[test]
fn starttls_with_test_certificate() {
    scenarios::starttls_with_test_certificate(&RustLauncher);
}

#[test]
fn two_workers_never_send_the_same_row() {
    scenarios::two_workers_never_send_the_same_row(&RustLauncher);
}
