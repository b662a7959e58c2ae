//! The outbox worker: one round claims due rows with a lease, hands them to the senders and records
//! what came back (see the folder's documentation); [`Worker::run`] repeats rounds until stopped.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::time::{Duration, Instant};

use lettre::message::Mailbox;
use rand::{RngCore, TryRngCore};

use super::queue::{Done, Job, Outcome, Queue, log_outcomes};
use super::{DeliveryError, SendError, Transport, borrow_all};
use crate::clock::Clock;
use crate::config::MailConfig;
use crate::domain::backoff::RetryPolicy;
use crate::domain::text::neutralize;
use crate::services::mail;
use crate::store::audit::{self, AuditEntry};
use crate::store::outbox;
use crate::store::{Actor, Store, StoreError};

/// How long finished messages may wait to be recorded together with those that follow.
const GATHER: Duration = Duration::from_millis(20);

/// The longest reason kept in `last_error` (characters).
pub(super) const MAX_ERROR_CHARS: usize = 500;

/// Stop and wake-up requests for a running worker (signals, the kiosk when a mail was queued).
#[derive(Debug, Default)]
pub struct Control {
    stop: AtomicBool,
    nudged: Mutex<bool>,
    cv: Condvar,
}

impl Control {
    pub fn new() -> Arc<Control> {
        Arc::new(Control::default())
    }

    /// Finish the message being sent, hand the rest back and leave.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        self.nudge();
    }

    pub fn is_stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Look for due mail now rather than at the next poll.
    pub fn nudge(&self) {
        *self.nudged.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.cv.notify_all();
    }

    /// Sleeps up to `timeout`, or until nudged or stopped.
    pub fn wait(&self, timeout: Duration) {
        let end = Instant::now() + timeout;
        let mut nudged = self.nudged.lock().unwrap_or_else(|p| p.into_inner());
        while !*nudged && !self.is_stopped() {
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            nudged = self
                .cv
                .wait_timeout(nudged, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        *nudged = false;
    }
}

/// The worker's settings, from `[mail]`.
#[derive(Debug, Clone)]
pub struct DeliveryOptions {
    pub policy: RetryPolicy,
    pub lease: Duration,
    pub batch_size: u32,
    pub poll: Duration,
    pub from: Mailbox,
    /// Who holds the leases: unique per worker (process id and random).
    pub owner: String,
}

impl DeliveryOptions {
    pub fn from_config(cfg: &MailConfig, role: &str) -> Result<Self, DeliveryError> {
        let from = mail::parse_from(&cfg.from).map_err(|e| DeliveryError::Config(e.0))?;
        if cfg.lease_secs < cfg.timeout_secs.saturating_mul(4) {
            tracing::warn!(
                lease_secs = cfg.lease_secs,
                timeout_secs = cfg.timeout_secs,
                "[mail] lease_secs is short next to timeout_secs; a slow server may see messages released and retried"
            );
        }
        Ok(DeliveryOptions {
            policy: cfg.retry_policy(),
            lease: Duration::from_secs(cfg.lease_secs.max(1)),
            batch_size: cfg.batch_size.max(1),
            poll: Duration::from_secs(cfg.poll_secs.max(1)),
            from,
            owner: new_owner(role),
        })
    }
}

/// A lease owner name: `role-pid-random`.
pub fn new_owner(role: &str) -> String {
    let mut bytes = [0u8; 4];
    rand::rngs::OsRng.unwrap_err().fill_bytes(&mut bytes);
    format!("{role}-{}-{}", std::process::id(), hex::encode(bytes))
}

/// What one round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Round {
    pub claimed: usize,
    pub sent: usize,
    /// Temporary failures, scheduled again.
    pub deferred: usize,
    pub dead: usize,
    /// Handed back untried (stopping, or too little lease left).
    pub released: usize,
    /// Marks refused because another worker had taken the row over.
    pub lost: usize,
    /// Why the server could not be reached, when it could not.
    pub unreachable: Option<String>,
}

impl Round {
    /// True when some row changed state.
    pub fn changed(&self) -> bool {
        self.claimed > 0
    }
}

impl std::ops::AddAssign for Round {
    fn add_assign(&mut self, o: Round) {
        self.claimed += o.claimed;
        self.sent += o.sent;
        self.deferred += o.deferred;
        self.dead += o.dead;
        self.released += o.released;
        self.lost += o.lost;
        if o.unreachable.is_some() {
            self.unreachable = o.unreachable;
        }
    }
}

/// The outbox worker: claims, sends, marks.
pub struct Worker<'a> {
    pub store: &'a Store,
    pub clock: &'a dyn Clock,
    pub actor: Actor,
    pub opts: DeliveryOptions,
    pub control: Arc<Control>,
}

pub(super) fn clip(reason: &str) -> String {
    let clean = neutralize(reason.trim());
    if clean.chars().count() <= MAX_ERROR_CHARS {
        clean.into_owned()
    } else {
        let mut s: String = clean.chars().take(MAX_ERROR_CHARS - 1).collect();
        s.push('…');
        s
    }
}

fn time_of(d: Duration) -> time::Duration {
    time::Duration::try_from(d).unwrap_or(time::Duration::MAX)
}

impl Worker<'_> {
    /// One round: delivers every row due when it starts (and rows whose lease expired), then closes the
    /// connection. A row that fails is scheduled for later, not retried in the same round.
    pub fn deliver_due(&self, transport: &mut dyn Transport) -> Result<Round, StoreError> {
        self.deliver_due_on(&mut [transport])
    }

    /// One round over several connections at once (`[mail] connections`): each transport gets its
    /// own sender thread, and the senders share the claimed rows (one row goes to one sender).
    pub fn deliver_due_on(
        &self,
        transports: &mut [&mut dyn Transport],
    ) -> Result<Round, StoreError> {
        if transports.is_empty() {
            return Ok(Round::default());
        }
        let start = self.clock.now();
        let queue = Queue::default();
        let (done_tx, done_rx) = mpsc::channel::<Vec<Done>>();
        let abort = AtomicBool::new(false);
        let result = std::thread::scope(|s| {
            for (i, transport) in transports.iter_mut().enumerate() {
                let done = done_tx.clone();
                let (queue, abort) = (&queue, &abort);
                let spawned = std::thread::Builder::new()
                    .name(format!("outbox-sender-{i}"))
                    .spawn_scoped(s, move || self.sender(&mut **transport, queue, done, abort));
                if let Err(e) = spawned {
                    if i == 0 {
                        return Err(StoreError::Corrupt(format!("cannot start a thread: {e}")));
                    }
                    // Fewer connections than asked for; the others share the work.
                    tracing::warn!(error = %e, "cannot start another sender");
                    break;
                }
            }
            drop(done_tx);
            let r = self.ledger(start, &queue, &done_rx);
            if r.is_err() {
                abort.store(true, Ordering::SeqCst);
            }
            queue.close();
            r
        });
        for t in transports.iter_mut() {
            t.close();
        }
        result
    }

    /// One sending side of a round. Outcomes go back to the ledger in groups (half a batch, or what
    /// finished within [`GATHER`], or everything before waiting for work), so that the threads wake
    /// each other a few times per batch, not for every message.
    fn sender(
        &self,
        transport: &mut dyn Transport,
        queue: &Queue,
        done: mpsc::Sender<Vec<Done>>,
        abort: &AtomicBool,
    ) {
        let safe_for = self.opts.lease / 2;
        let flush_at = (self.opts.batch_size as usize).div_ceil(2);
        let mut out: Vec<Done> = Vec::new();
        let mut out_since = Instant::now();
        loop {
            let job = match queue.try_pop() {
                Some(j) => j,
                None => {
                    // Out of work: report everything, then wait for the next claim (or the end).
                    if !out.is_empty() && done.send(std::mem::take(&mut out)).is_err() {
                        return;
                    }
                    match queue.pop() {
                        Some(j) => j,
                        None => return,
                    }
                }
            };
            let mut urgent = false;
            let unreachable = queue.lock().unreachable.clone();
            let outcome = if abort.load(Ordering::SeqCst)
                || self.control.is_stopped()
                || job.claimed_at.elapsed() >= safe_for
            {
                Outcome::Released
            } else if let Some(reason) = unreachable {
                Outcome::Failed(SendError::Unreachable(reason))
            } else {
                match mail::build_message(&job.row, &self.opts.from) {
                    Err(e) => Outcome::Failed(SendError::Permanent(e.0)),
                    Ok(message) => match transport.send(job.row.id, &message) {
                        Ok(()) => Outcome::Sent,
                        Err(e) => {
                            if let SendError::Unreachable(r) = &e {
                                tracing::warn!(transport = %transport.describe(), reason = %r, "mail server unreachable");
                                queue.lock().unreachable.get_or_insert_with(|| r.clone());
                                // The ledger stops claiming at once.
                                urgent = true;
                            }
                            Outcome::Failed(e)
                        }
                    },
                }
            };
            if out.is_empty() {
                out_since = Instant::now();
            }
            out.push(Done {
                row: job.row,
                outcome,
            });
            if (urgent || out.len() >= flush_at || out_since.elapsed() >= GATHER)
                && done.send(std::mem::take(&mut out)).is_err()
            {
                return;
            }
        }
    }

    /// The store side of a round: claims ahead of the senders and records outcomes in groups.
    fn ledger(
        &self,
        start: time::OffsetDateTime,
        queue: &Queue,
        done: &mpsc::Receiver<Vec<Done>>,
    ) -> Result<Round, StoreError> {
        let batch = self.opts.batch_size as usize;
        // Up to two batches are claimed and not yet marked at any time: the senders never wait for
        // the disk, and a crash resends at most this many.
        let window = 2 * batch;
        let lease = time_of(self.opts.lease);
        let mut round = Round::default();
        // Claimed and handed to the sender, not yet recorded (including `finished`).
        let mut outstanding = 0usize;
        let mut exhausted = false;
        let mut halt = false;
        let mut finished: Vec<Done> = Vec::new();
        loop {
            while let Ok(more) = done.try_recv() {
                finished.extend(more);
            }
            for d in &finished {
                if let Outcome::Failed(SendError::Unreachable(r)) = &d.outcome {
                    halt = true;
                    round.unreachable = Some(clip(r));
                }
            }
            if self.control.is_stopped() {
                halt = true;
            }
            let in_sender = outstanding - finished.len();
            // Top up as soon as half a batch is free, so that the sender has at least one and a
            // half batches to send while the transaction commits.
            let want = if !exhausted && !halt && in_sender + batch.div_ceil(2) <= window {
                window - in_sender
            } else {
                0
            };
            if want > 0 || !finished.is_empty() {
                // One transaction records what finished and claims what the sender needs next.
                let now = self.clock.now();
                let (recorded, rows) = self.store.write(|tx| {
                    let recorded = self.record(tx, &finished, now)?;
                    let rows = if want > 0 {
                        outbox::claim(tx, &self.opts.owner, now, start, lease, want as u32)?
                    } else {
                        Vec::new()
                    };
                    Ok::<_, StoreError>((recorded, rows))
                })?;
                round += recorded;
                log_outcomes(&finished);
                finished.clear();
                if rows.len() < want {
                    exhausted = true;
                }
                round.claimed += rows.len();
                outstanding = in_sender + rows.len();
                if !rows.is_empty() {
                    let claimed_at = Instant::now();
                    queue.push(
                        rows.into_iter()
                            .map(|row| Job { row, claimed_at })
                            .collect(),
                    );
                }
                continue;
            }
            if outstanding == 0 {
                // Nothing on its way and nothing more to claim.
                break;
            }
            match done.recv() {
                Ok(more) => finished.extend(more),
                // The senders are gone (they panicked): the leases run out and others retry.
                Err(_) => break,
            }
        }
        Ok(round)
    }

    /// Records finished messages (with their audit rows) in the caller's transaction; each mark
    /// checks that the lease is still ours.
    fn record(
        &self,
        tx: &rusqlite::Connection,
        finished: &[Done],
        now: time::OffsetDateTime,
    ) -> Result<Round, StoreError> {
        let owner = self.opts.owner.as_str();
        let policy = self.opts.policy;
        {
            let mut r = Round::default();
            for d in finished {
                let row = &d.row;
                let attempts = u32::try_from(row.attempts).unwrap_or(u32::MAX);
                let (ok, event, outcome, detail) = match &d.outcome {
                    Outcome::Released => {
                        let ok = outbox::release(tx, row.id, owner)?;
                        if ok {
                            r.released += 1;
                        }
                        (ok, None, "", String::new())
                    }
                    Outcome::Sent => {
                        let ok = outbox::mark_sent(tx, row.id, owner, now)?;
                        r.sent += 1;
                        (ok, Some("mail_sent"), "ok", String::new())
                    }
                    Outcome::Failed(SendError::Permanent(reason)) => {
                        let reason = clip(reason);
                        let ok = outbox::mark_dead(tx, row.id, owner, &reason)?;
                        r.dead += 1;
                        (ok, Some("mail_dead"), "failed", reason)
                    }
                    Outcome::Failed(e) => {
                        let reason = clip(e.reason());
                        if policy.should_give_up(attempts, row.created_at, now) {
                            let reason = clip(&format!(
                                "gave up after {attempts} attempts in {} h: {reason}",
                                (now - row.created_at).whole_hours()
                            ));
                            let ok = outbox::mark_dead(tx, row.id, owner, &reason)?;
                            r.dead += 1;
                            (ok, Some("mail_dead"), "failed", reason)
                        } else {
                            let next = policy.next_attempt_at(attempts, now);
                            let ok = outbox::mark_retry(tx, row.id, owner, next, &reason)?;
                            r.deferred += 1;
                            (ok, Some("mail_deferred"), "deferred", reason)
                        }
                    }
                };
                if !ok {
                    r.lost += 1;
                    tracing::warn!(
                        id = row.id,
                        "outbox row taken over by another worker before it was marked"
                    );
                    continue;
                }
                if let Some(event) = event {
                    audit::insert(
                        tx,
                        &self.actor,
                        &AuditEntry {
                            event,
                            outcome,
                            household_id: row.household_id,
                            subject: Some(&format!("outbox:{}", row.id)),
                            detail: Some(format!(
                                "{} {} attempt {attempts}{}{detail}",
                                row.kind,
                                row.message_id,
                                if detail.is_empty() { "" } else { ": " }
                            )),
                        },
                        now,
                    )?;
                }
            }
            Ok(r)
        }
    }

    /// How long to sleep before the next round: until the next row is due, at most the poll interval.
    pub fn idle_time(&self) -> Duration {
        let poll = self.opts.poll;
        match self.store.read(outbox::next_due) {
            Ok(Some(t)) => {
                let wait = t - self.clock.now();
                if wait.is_negative() {
                    Duration::ZERO
                } else {
                    Duration::try_from(wait).unwrap_or(poll).min(poll)
                }
            }
            Ok(None) => poll,
            Err(e) => {
                tracing::error!(error = %e, "cannot read the outbox");
                poll
            }
        }
    }

    /// Rounds until stopped, sleeping in between until mail is due, the poll interval passes or
    /// someone nudges. `on_round` hears of every round that changed something.
    pub fn run(&self, transports: &mut [Box<dyn Transport>], mut on_round: impl FnMut(&Round)) {
        let target = transports.first().map(|t| t.describe()).unwrap_or_default();
        tracing::info!(transport = %target, connections = transports.len(), owner = %self.opts.owner, "mail worker started");
        while !self.control.is_stopped() {
            let claimed = match self.deliver_due_on(&mut borrow_all(transports)) {
                Ok(r) => {
                    if r.changed() {
                        on_round(&r);
                    }
                    r.claimed
                }
                Err(e) => {
                    tracing::error!(error = %e, "mail delivery round failed");
                    0
                }
            };
            if self.control.is_stopped() {
                break;
            }
            let mut wait = self.idle_time();
            if claimed == 0 {
                // Nothing was claimable: never spin, even if the clock says something is due.
                wait = wait.max(Duration::from_millis(500).min(self.opts.poll));
            }
            if !wait.is_zero() {
                self.control.wait(wait);
            }
        }
        tracing::info!(owner = %self.opts.owner, "mail worker stopped");
    }
}
