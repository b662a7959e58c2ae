//! The one background worker of a kiosk or staff console: every task (argon2id hashing, store reads
//! and writes) runs on the same long-lived thread, one after another, so the screen never blocks on
//! them and a kiosk that runs for months does not grow: a new thread per task gave each its own
//! glibc arena (a long-running kiosk reached 51 MiB instead of 31 MiB in 2 runs of 8).
//!
//! The thread starts with the first task and ends when its [`TaskRunner`] is dropped (after the task
//! it is running, if any). A task that panics ends only itself (the caller reports it: `App::spawn`
//! catches its own); should the thread be gone anyway, the next task starts a new one.

use std::sync::mpsc::{Sender, channel};

pub type Task = Box<dyn FnOnce() + Send + 'static>;

#[derive(Default)]
pub struct TaskRunner {
    queue: Option<Sender<Task>>,
    /// Threads started so far (1 unless one died).
    started: u32,
}

impl TaskRunner {
    pub fn new() -> Self {
        Self::default()
    }

    /// Queues `task` behind those already queued.
    pub fn run(&mut self, task: Task) {
        let task = match &self.queue {
            Some(queue) => match queue.send(task) {
                Ok(()) => return,
                Err(returned) => returned.0,
            },
            None => task,
        };
        let (tx, rx) = channel::<Task>();
        self.started += 1;
        std::thread::Builder::new()
            .name("tasks".into())
            .spawn(move || {
                for task in rx {
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(task));
                }
            })
            .expect("start the task thread");
        let _ = tx.send(task);
        self.queue = Some(tx);
    }

    /// How many worker threads this runner has started.
    pub fn threads_started(&self) -> u32 {
        self.started
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc::channel;
    use std::time::Duration;

    use super::*;

    #[test]
    fn tasks_run_in_order_on_one_thread_which_ends_with_the_runner() {
        let mut runner = TaskRunner::new();
        let (tx, rx) = channel();
        for i in 0..50 {
            let tx = tx.clone();
            runner.run(Box::new(move || {
                let _ = tx.send((i, std::thread::current().id()));
            }));
        }
        let got: Vec<_> = (0..50)
            .map(|_| rx.recv_timeout(Duration::from_secs(10)).unwrap())
            .collect();
        assert_eq!(
            got.iter().map(|g| g.0).collect::<Vec<_>>(),
            (0..50).collect::<Vec<_>>()
        );
        assert!(
            got.iter().all(|g| g.1 == got[0].1),
            "one thread for every task"
        );
        assert_ne!(got[0].1, std::thread::current().id());
        assert_eq!(runner.threads_started(), 1);
        drop(runner);
        drop(tx);
        // The worker ended: nothing holds the task senders any more.
        assert!(rx.recv_timeout(Duration::from_secs(10)).is_err());
    }

    #[test]
    fn a_task_that_panics_ends_only_itself() {
        let mut runner = TaskRunner::new();
        runner.run(Box::new(|| panic!("a task that was not caught")));
        let (tx, rx) = channel();
        runner.run(Box::new(move || {
            let _ = tx.send(());
        }));
        assert!(rx.recv_timeout(Duration::from_secs(10)).is_ok());
        assert_eq!(runner.threads_started(), 1);
    }
}
