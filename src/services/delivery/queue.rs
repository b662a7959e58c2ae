//! The rows a round has claimed, waiting for a sender: a queue shared by the senders of one round
//! (one per connection), and what each send came to.

use std::sync::{Condvar, Mutex};
use std::time::Instant;

use super::SendError;
use crate::domain::text::neutralize;
use crate::store::outbox::OutboxRow;

pub(super) enum Outcome {
    Sent,
    Failed(SendError),
    Released,
}

pub(super) struct Job {
    pub(super) row: OutboxRow,
    pub(super) claimed_at: Instant,
}

pub(super) struct Done {
    pub(super) row: OutboxRow,
    pub(super) outcome: Outcome,
}

/// The claimed rows waiting for a sender, shared by the senders of a round.
#[derive(Default)]
pub(super) struct Queue {
    state: Mutex<QueueState>,
    cv: Condvar,
}

#[derive(Default)]
pub(super) struct QueueState {
    pub(super) jobs: std::collections::VecDeque<Job>,
    /// No more jobs will come: senders leave once the queue is empty.
    pub(super) closed: bool,
    /// Why the server could not be reached, when one sender found out: the others do not try.
    pub(super) unreachable: Option<String>,
}

impl Queue {
    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, QueueState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn push(&self, jobs: Vec<Job>) {
        self.lock().jobs.extend(jobs);
        self.cv.notify_all();
    }

    pub(super) fn close(&self) {
        self.lock().closed = true;
        self.cv.notify_all();
    }

    /// The next job without waiting; None when the queue is empty.
    pub(super) fn try_pop(&self) -> Option<Job> {
        self.lock().jobs.pop_front()
    }

    /// The next job, waiting for one; None once the queue is closed and empty.
    pub(super) fn pop(&self) -> Option<Job> {
        let mut st = self.lock();
        loop {
            if let Some(j) = st.jobs.pop_front() {
                return Some(j);
            }
            if st.closed {
                return None;
            }
            st = self.cv.wait(st).unwrap_or_else(|p| p.into_inner());
        }
    }
}

pub(super) fn log_outcomes(finished: &[Done]) {
    for d in finished {
        match &d.outcome {
            Outcome::Sent => tracing::info!(id = d.row.id, kind = %d.row.kind, "mail sent"),
            Outcome::Failed(e) => {
                tracing::warn!(id = d.row.id, reason = %neutralize(e.reason()), "mail not delivered")
            }
            Outcome::Released => {}
        }
    }
}
