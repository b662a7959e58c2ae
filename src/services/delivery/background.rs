//! The kiosk's background mail worker: a thread running [`Worker::run`] on its own store connection.

use std::path::Path;
use std::sync::{Arc, mpsc};
use std::time::Duration;

use super::worker::{Control, DeliveryOptions, Round, Worker};
use super::{DeliveryError, transports_from_config};
use crate::clock::Clock;
use crate::config::MailConfig;
use crate::store::{Actor, Store};

/// A worker thread inside the kiosk. Stopped (and waited for, briefly) when dropped.
pub struct Background {
    control: Arc<Control>,
    finished: mpsc::Receiver<()>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for Background {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Background").finish_non_exhaustive()
    }
}

impl Background {
    /// Starts the worker when `[mail]` names a transport; None when mail is to wait. The worker opens
    /// its own connection to the store file; `on_round` is called from its thread after every round
    /// that changed something.
    pub fn spawn(
        db_path: &Path,
        config: &MailConfig,
        clock: Arc<dyn Clock>,
        actor: Actor,
        on_round: impl FnMut(&Round) + Send + 'static,
    ) -> Result<Option<Background>, DeliveryError> {
        let Some(mut transports) = transports_from_config(config)? else {
            return Ok(None);
        };
        let opts = DeliveryOptions::from_config(config, "kiosk")?;
        let store = Store::open(db_path)?;
        let control = Control::new();
        let (tx, finished) = mpsc::channel();
        let c = control.clone();
        let handle = std::thread::Builder::new()
            .name("mail-worker".into())
            .spawn(move || {
                let worker = Worker {
                    store: &store,
                    clock: clock.as_ref(),
                    actor,
                    opts,
                    control: c,
                };
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    worker.run(&mut transports, on_round)
                }));
                if r.is_err() {
                    tracing::error!("the mail worker panicked; mail waits in the outbox");
                }
                let _ = tx.send(());
            })
            .map_err(|e| DeliveryError::Config(format!("cannot start the mail worker: {e}")))?;
        Ok(Some(Background {
            control,
            finished,
            handle: Some(handle),
        }))
    }

    pub fn control(&self) -> Arc<Control> {
        self.control.clone()
    }

    /// Stops the worker and waits up to `limit` for it (a message being sent is finished first).
    pub fn stop(&mut self, limit: Duration) {
        self.control.stop();
        if self.finished.recv_timeout(limit).is_ok() {
            if let Some(h) = self.handle.take() {
                let _ = h.join();
            }
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        self.stop(Duration::from_secs(3));
    }
}
