//! Services: the use cases (registration, credentials, import, login) on top of the store. Each write is
//! one `BEGIN IMMEDIATE` transaction; expensive hashing happens before it, outside any lock.

pub mod account;
pub mod audit;
pub mod auth;
pub mod credentials;
pub mod delivery;
pub mod email_correction;
pub mod encoding;
pub mod expenses;
pub mod hashing;
pub mod households;
pub mod imports;
pub mod lockout;
pub mod locks;
pub mod mail;
pub mod member_corrections;
pub mod members;
pub mod ops;
pub mod outbox;
mod pace;
pub mod registration;
pub mod reset;
pub mod staff;
pub mod staff_reset;
#[cfg(test)]
mod testing;

use std::sync::Arc;

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::domain::Msg;
use crate::store::{Store, StoreError};

pub use hashing::Hasher;

/// Everything a use case needs: the store, the configuration, the clock and the password hasher.
#[derive(Debug, Clone)]
pub struct Services {
    pub store: Arc<Store>,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    pub hasher: Arc<Hasher>,
}

impl Services {
    pub fn new(store: Arc<Store>, config: Arc<Config>) -> Services {
        Services::with_clock(store, config, Arc::new(SystemClock))
    }

    pub fn with_clock(store: Arc<Store>, config: Arc<Config>, clock: Arc<dyn Clock>) -> Services {
        Services {
            store,
            config,
            clock,
            hasher: Arc::new(Hasher::default()),
        }
    }

    pub fn now(&self) -> time::OffsetDateTime {
        self.clock.now()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A mistake of the person at the keyboard or the command line, said in one sentence.
    #[error("{0}")]
    User(String),
}

impl ServiceError {
    pub fn user(msg: impl Into<String>) -> Self {
        ServiceError::User(msg.into())
    }
}

/// A rule broken by input that reached a service (the TUI checks the same rules first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleViolation {
    pub field: &'static str,
    pub msg: Msg,
}
