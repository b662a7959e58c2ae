//! Outbox delivery against aiosmtpd (Debian's python3-aiosmtpd, run by /usr/bin/python3), a mail
//! server not written by us. Skipped with a message when aiosmtpd is absent, unless
//! `KOSMO_TEST_AIOSMTPD=1` (set by `.ci/run`) says it must be there.

use crate::delivery_scenarios as scenarios;
use crate::support::mail::{AiosmtpdLauncher, aiosmtpd_available};

#[test]
fn welcome_mail_arrives() {
    if aiosmtpd_available() {
        scenarios::welcome_mail_arrives(&AiosmtpdLauncher);
    }
}

#[test]
fn temporary_failures_retry_then_deliver_once() {
    if aiosmtpd_available() {
        scenarios::temporary_failures_retry_then_deliver_once(&AiosmtpdLauncher);
    }
}

#[test]
fn permanent_failure_is_dead_with_reason() {
    if aiosmtpd_available() {
        scenarios::permanent_failure_is_dead_with_reason(&AiosmtpdLauncher);
    }
}

#[test]
fn server_down_then_up() {
    if aiosmtpd_available() {
        scenarios::server_down_then_up(&AiosmtpdLauncher);
    }
}

#[test]
fn starttls_with_test_certificate() {
    if aiosmtpd_available() {
        scenarios::starttls_with_test_certificate(&AiosmtpdLauncher);
    }
}

#[test]
fn implicit_tls_with_test_certificate() {
    if aiosmtpd_available() {
        scenarios::implicit_tls_with_test_certificate(&AiosmtpdLauncher);
    }
}

#[test]
fn two_workers_never_send_the_same_row() {
    if aiosmtpd_available() {
        scenarios::two_workers_never_send_the_same_row(&AiosmtpdLauncher);
    }
}
