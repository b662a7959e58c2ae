//! Input and results: keys, pastes and taps go to the screen in view (the keyboard grammar is the
//! form's), and a task's result goes to the screen that asked for it.

use std::time::Instant;

use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent};
use ratatui::layout::Rect;

use super::{App, AppEvent, TaskDone};
use crate::domain::Msg;
use crate::tui::screens::Task;
use crate::tui::screens::TaskCx;
use crate::tui::widgets::form::FormEvent;
use crate::tui::widgets::page::Row;

impl App {
    // ----- events --------------------------------------------------------------------------------

    /// Handles one event. Returns true when the screen should be redrawn.
    pub fn handle(&mut self, ev: AppEvent) -> bool {
        let redraw = self.handle_event(ev);
        // A result or a key may have moved the focus or changed the screen: the pad follows.
        self.sync_pad();
        redraw
    }

    fn handle_event(&mut self, ev: AppEvent) -> bool {
        match ev {
            AppEvent::Term(Event::Key(key)) => self.on_key(key),
            AppEvent::Term(Event::Mouse(m)) => {
                // Any input keeps the session; when it ends the countdown, the banner must go.
                let counting = self.countdown_secs(Instant::now()).is_some();
                self.on_mouse(m) || counting
            }
            AppEvent::Term(Event::Paste(text)) => {
                self.last_input = Instant::now();
                if self.busy.is_none() {
                    let ev = self.screen_mut().form_mut().paste(&text);
                    self.dispatch(ev);
                    self.sync_pad();
                }
                true
            }
            AppEvent::Term(Event::Resize(w, h)) => {
                self.size = Rect::new(0, 0, w, h);
                true
            }
            AppEvent::Term(_) => false,
            AppEvent::Task(id, done) => self.on_task(id, done),
            AppEvent::Signal(sig) => {
                tracing::info!(sig, "signal: leaving");
                self.quit = true;
                self.staff_hangup();
                false
            }
            AppEvent::TerminalLost => {
                tracing::info!("terminal lost: leaving");
                self.quit = true;
                self.staff_hangup();
                false
            }
            AppEvent::MailProgress => {
                let action = self.screen_mut().on_mail_progress();
                let changed = !action.is_none();
                self.perform(action);
                changed
            }
        }
    }

    pub fn on_key(&mut self, key: KeyEvent) -> bool {
        if key.kind == KeyEventKind::Release {
            return false;
        }
        self.last_input = Instant::now();
        self.flash = None;
        self.key_typed();
        if key.modifiers.contains(KeyModifiers::CONTROL) {
            match key.code {
                KeyCode::Char('c') if self.opts.allow_exit => {
                    self.quit = true;
                    return false;
                }
                // Kiosk mode: no key leaves the program.
                KeyCode::Char('c' | 'z' | '\\' | 'd' | 'q' | 's') => return true,
                _ => {}
            }
        }
        if self.busy.is_some() || self.too_small() {
            return true;
        }
        let ev = self.screen_mut().form_mut().handle_key(&key);
        match ev {
            FormEvent::PageUp => self.page_or_scroll(false, 1, true),
            FormEvent::PageDown => self.page_or_scroll(true, 1, true),
            other => self.dispatch(other),
        }
        self.sync_pad();
        true
    }

    pub fn on_mouse(&mut self, m: MouseEvent) -> bool {
        self.on_mouse_at(m, Instant::now())
    }

    /// PgUp/PgDn or the wheel: the screen's own pages when it has them, else its panel by
    /// `amount` lines (pages when `pages`) forward or back.
    pub(super) fn page_or_scroll(&mut self, forward: bool, amount: i32, pages: bool) {
        if !self.screen_mut().turn_page(forward) {
            self.scroll_panel(if forward { amount } else { -amount }, pages);
        }
    }

    /// Scrolls the screen's panel by `amount` lines, or pages when `pages`.
    pub(super) fn scroll_panel(&mut self, amount: i32, pages: bool) {
        let (rows, placement) = self.rows_and_placement();
        let Some(panel) = placement.panel else {
            return;
        };
        let total = rows
            .iter()
            .find_map(|r| match r {
                Row::Panel { lines, .. } => Some(lines.len()),
                _ => None,
            })
            .unwrap_or(0);
        let visible = panel.height.saturating_sub(2).max(1) as usize;
        let max = total.saturating_sub(visible);
        let lines = if pages {
            amount * (visible.saturating_sub(1).max(1) as i32)
        } else {
            amount
        };
        self.screen_mut().scroll(lines, max);
    }

    pub(super) fn dispatch(&mut self, ev: FormEvent) {
        if ev == FormEvent::None {
            return;
        }
        let config = self.config();
        let cx = self.cx(&config);
        let action = self.screen_mut().on_event(ev, &cx);
        self.perform(action);
    }

    // ----- tasks ---------------------------------------------------------------------------------

    /// Runs `task` on the task thread (after those queued); its result comes back as
    /// [`AppEvent::Task`].
    pub(super) fn spawn(&mut self, task: Task) {
        let id = self.next_task;
        self.next_task += 1;
        if task.quiet {
            self.quiet.push(id);
        } else {
            self.busy = Some((id, Instant::now()));
        }
        let tx = self.tx.clone();
        let cx = TaskCx {
            svc: self.services.clone(),
            actor: self.opts.actor.clone(),
            session: self.session.clone(),
            ticket: self.ticket.clone(),
        };
        self.tasks.run(Box::new(move || {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| task.run(&cx)));
            let done = match result {
                Ok(delivery) => TaskDone::Delivered(delivery),
                Err(_) => {
                    tracing::error!(id, "a background task panicked");
                    TaskDone::Crashed
                }
            };
            let _ = tx.send(AppEvent::Task(id, done));
        }));
    }

    /// A task ended: its result goes to the screen that asked (a stale one is dropped).
    pub(super) fn on_task(&mut self, id: u64, done: TaskDone) -> bool {
        let was_busy = self.busy.is_some_and(|(b, _)| b == id);
        let was_quiet = self.quiet.contains(&id);
        if !was_busy && !was_quiet {
            return true;
        }
        if was_busy {
            self.busy = None;
            self.last_input = Instant::now();
        }
        self.quiet.retain(|q| *q != id);
        match done {
            TaskDone::Crashed => self.flash = Some(Msg::new("common.system_error")),
            TaskDone::Delivered(deliver) => {
                let config = self.config();
                let cx = self.cx(&config);
                let action = deliver(&mut self.screens, &cx);
                self.perform(action);
            }
        }
        true
    }
}
