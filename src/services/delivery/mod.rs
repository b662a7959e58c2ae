//! Delivery of the outbox (SPEC §5): `outbox sync`, `outbox sync --once` and the kiosk's background
//! worker all run [`Worker`].
//!
//! One round ([`Worker::deliver_due_on`]) runs on several threads:
//! - the **ledger** (the calling thread) owns the store: in one `BEGIN IMMEDIATE` transaction at a
//!   time it records the outcomes that came back (each mark checking that the lease is still ours)
//!   and claims the next due rows with a lease (so two workers never hold the same row), keeping up
//!   to two batches ahead of the senders;
//! - one **sender** per connection (`[mail] connections`) takes claimed rows from a shared queue,
//!   builds each message and gives it to its [`Transport`] (SMTP through lettre, or `.eml` files),
//!   outside any transaction, on a connection reused for the whole round, and reports outcomes in
//!   groups.
//!
//! A row is sent only while at least half of its lease is left, so a lease never runs out under a
//! send in progress and another worker never sends the same row at the same time. A crash between the
//! server's acceptance and the mark leaves the row `sending`; when its lease expires another round
//! claims it and sends it again, with the same Message-ID (at-least-once; nothing is dropped).
//!
//! Failures: a 5xx reply to the message makes it `dead` with the server's reason; a 4xx reply, a
//! network error or a timeout schedules a retry with [`RetryPolicy`](crate::domain::backoff::RetryPolicy) (doubling from a floor to a cap),
//! until too many attempts or too old a message make it `dead` too. When the server cannot be reached
//! at all, the rest of the round is deferred the same way without knocking on a closed door again.
//!
//! The folder: [`smtp`] (the SMTP session, through lettre's connection), [`eml`] (the demo's `.eml`
//! files), [`queue`] (the claimed rows shared by the senders of a round), [`worker`] (the round and the
//! loop of `outbox sync`) and [`background`] (the worker thread inside the kiosk).

pub mod background;
pub mod eml;
pub mod queue;
pub mod smtp;
pub mod worker;

#[cfg(test)]
mod tests;

pub use background::Background;
pub use eml::EmlTransport;
pub use smtp::{Security, SmtpSettings, SmtpTransport};
pub use worker::{Control, DeliveryOptions, Round, Worker, new_owner};

use super::mail::Outgoing;
use crate::config::MailConfig;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// The `[mail]` configuration cannot work; said in one sentence.
    #[error("{0}")]
    Config(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why one message was not delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// A 4xx reply, a network error, a timeout: try again later.
    Temporary(String),
    /// A 5xx reply to this message, or a message that cannot be built: give up.
    Permanent(String),
    /// The server could not be reached or refused the session (connect, greeting, TLS, login): this
    /// message and the rest of the round are tried again later.
    Unreachable(String),
}

impl SendError {
    pub fn reason(&self) -> &str {
        match self {
            SendError::Temporary(r) | SendError::Permanent(r) | SendError::Unreachable(r) => r,
        }
    }
}

/// Where messages go: SMTP, or `.eml` files for the demo. Used from one thread at a time.
pub trait Transport: Send {
    /// What the transport delivers to, for logs and the command line (no password).
    fn describe(&self) -> String;
    /// Delivers one message; `Ok` only once the server (or the file system) has accepted it.
    fn send(&mut self, id: i64, message: &Outgoing) -> Result<(), SendError>;
    /// Ends the round: closes an open connection.
    fn close(&mut self) {}
}

/// The transports `[mail]` asks for: one writer of `.eml` files when `eml_dir` is set (the demo),
/// else `connections` SMTP connections when `smtp_url` is set, else none (mail waits in the outbox).
pub fn transports_from_config(
    cfg: &MailConfig,
) -> Result<Option<Vec<Box<dyn Transport>>>, DeliveryError> {
    let n = if cfg.eml_dir.is_some() {
        1
    } else {
        cfg.connections.clamp(1, 64)
    };
    let mut out = Vec::new();
    for _ in 0..n {
        match transport_from_config(cfg)? {
            Some(t) => out.push(t),
            None => return Ok(None),
        }
    }
    Ok(Some(out))
}

/// Borrows boxed transports for [`Worker::deliver_due_on`].
pub fn borrow_all(transports: &mut [Box<dyn Transport>]) -> Vec<&mut dyn Transport> {
    transports
        .iter_mut()
        .map(|t| {
            let r: &mut dyn Transport = t.as_mut();
            r
        })
        .collect()
}

/// One transport of those `[mail]` asks for: `.eml` files when `eml_dir` is set (the demo), else
/// SMTP when `smtp_url` is set, else none (mail waits in the outbox).
pub fn transport_from_config(
    cfg: &MailConfig,
) -> Result<Option<Box<dyn Transport>>, DeliveryError> {
    if let Some(dir) = &cfg.eml_dir {
        return Ok(Some(Box::new(EmlTransport::new(dir.clone()))));
    }
    match cfg
        .smtp_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
    {
        Some(url) => Ok(Some(Box::new(SmtpTransport::new(
            SmtpSettings::from_config(url, cfg)?,
        )))),
        None => Ok(None),
    }
}
