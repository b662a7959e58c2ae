//! The application: the screens (a stack of [`Screen`] values: the last is in view, those under it
//! are what [戻る] returns to), the member's session or registration in progress, background tasks
//! (hashing and the store never run on the UI thread), the idle timer, and input.
//!
//! A key, a paste or a tap goes to the screen in view, which answers with an [`Action`];
//! `perform.rs` carries actions out (navigation, checked against [`crate::tui::nav`], and what only
//! the app holds: the session, the ticket, the staff console). A task's result goes back to the
//! screen that asked for it. The staff console's session lives in `staff.rs`.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::{Duration, Instant};

use ratatui::Frame;
use ratatui::crossterm::event::Event;
use ratatui::layout::Rect;

mod input;
mod perform;
mod staff;
mod touch;

pub use staff::StaffConsole;
pub use touch::{BOUNCE, Target};

use super::screens::Delivery;
use super::screens::login::LoginScreen;
use super::screens::{Component, Cx, Page, Screen};
use super::widgets::chrome::{self, FOOTER_ROWS, HEADER_ROWS};
use super::widgets::page::{self, Placement, Row, Spec};
use crate::config::Config;
use crate::domain::{Lang, Msg};
use crate::services::Services;
use crate::services::auth::{AccountSession, RegistrationTicket};
use crate::services::delivery::Control;
use crate::store::Actor;
use crate::tui::i18n::tr;
use crate::tui::nav;

pub use super::screens::done::MAIL_REFRESH;

pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// How the app behaves: the kiosk's settings and who is acting.
#[derive(Debug, Clone)]
pub struct AppOptions {
    pub lang: Lang,
    pub idle_timeout: Duration,
    pub countdown: Duration,
    /// Ctrl-C leaves (demo, development). A kiosk keeps every key inside.
    pub allow_exit: bool,
    /// When the on-screen keyboard shows.
    pub touch_keyboard: crate::config::TouchKeyboard,
    pub actor: Actor,
}

impl AppOptions {
    pub fn from_config(config: &Config, actor: Actor) -> Self {
        AppOptions {
            lang: config.kiosk.lang,
            idle_timeout: Duration::from_secs(config.kiosk.idle_timeout_secs.max(5)),
            countdown: Duration::from_secs(config.kiosk.countdown_secs),
            allow_exit: config.kiosk.allow_exit,
            touch_keyboard: config.kiosk.touch_keyboard,
            actor,
        }
    }
}

/// A task's end.
pub enum TaskDone {
    /// Its result, on its way to the screen that asked.
    Delivered(Delivery),
    /// The task panicked (a bug): the screen stays as it was and says a system error happened.
    Crashed,
}

impl std::fmt::Debug for TaskDone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TaskDone::Delivered(_) => "Delivered",
            TaskDone::Crashed => "Crashed",
        })
    }
}

/// Everything the event loop feeds the app.
#[derive(Debug)]
pub enum AppEvent {
    Term(Event),
    Task(u64, TaskDone),
    /// SIGTERM, SIGHUP, SIGINT or SIGQUIT: restore the terminal and leave.
    Signal(i32),
    /// The terminal went away (hang-up): leave at once.
    TerminalLost,
    /// The background mail worker finished a round that changed the outbox.
    MailProgress,
}

pub struct App {
    pub services: Services,
    pub opts: AppOptions,
    pub lang: Lang,
    /// The screen in view is the last; under it, what [戻る] returns to. Never empty.
    screens: Vec<Screen>,
    /// The member logged in at the kiosk.
    session: Option<AccountSession>,
    /// The registration in progress (the postcard login, then the identity check).
    ticket: Option<RegistrationTicket>,
    /// The staff console (`kosmo-kiosk staff`); `None` for the member kiosk.
    pub staff: Option<StaffConsole>,
    /// The task being waited for, and since when (drives the 処理中 animation).
    busy: Option<(u64, Instant)>,
    /// Quiet tasks still running (lookups while the member types on, audit rows of a logout).
    quiet: Vec<u64>,
    next_task: u64,
    last_input: Instant,
    /// The terminal's size, as last drawn or resized.
    pub size: Rect,
    /// The finger on the screen, the last tap (bounce) and the on-screen keyboard.
    touch: touch::Touch,
    pub quit: bool,
    /// The runtime clears the screen and the scrollback before the next frame.
    pub clear_screen: bool,
    /// A message over the footer until the next key or tap (a system error no screen expected).
    pub flash: Option<Msg>,
    tx: Sender<AppEvent>,
    rx: Receiver<AppEvent>,
    /// The background mail worker, when one runs in this process: nudged when a mail is queued.
    pub mail: Option<Arc<Control>>,
}

impl App {
    pub fn new(services: Services, opts: AppOptions) -> Self {
        let (tx, rx) = channel();
        let staff = StaffConsole::for_actor(&opts.actor);
        let first = match staff {
            Some(_) => StaffConsole::login_screen(opts.lang),
            None => Screen::Login(LoginScreen::new(opts.lang)),
        };
        let mut app = App {
            lang: opts.lang,
            services,
            opts,
            screens: vec![first],
            session: None,
            ticket: None,
            staff,
            busy: None,
            quiet: Vec::new(),
            next_task: 1,
            last_input: Instant::now(),
            size: Rect::new(0, 0, MIN_WIDTH, MIN_HEIGHT),
            touch: touch::Touch::default(),
            quit: false,
            clear_screen: true,
            flash: None,
            tx,
            rx,
            mail: None,
        };
        // With `always`, the start screen's first field has its keyboard.
        app.sync_pad();
        app
    }

    /// A sender for the event loop's input and signal threads.
    pub fn sender(&self) -> Sender<AppEvent> {
        self.tx.clone()
    }

    pub fn is_busy(&self) -> bool {
        self.busy.is_some()
    }

    pub fn session(&self) -> Option<&AccountSession> {
        self.session.as_ref()
    }

    /// True for the staff console (the actor's channel is `staff`).
    pub fn staff_mode(&self) -> bool {
        self.staff.is_some()
    }

    // ----- screens -------------------------------------------------------------------------------

    /// The screen in view.
    pub fn current(&self) -> &Screen {
        self.screens.last().expect("a screen")
    }

    fn current_mut(&mut self) -> &mut Screen {
        self.screens.last_mut().expect("a screen")
    }

    /// The screen in view, as every screen looks to the app.
    pub fn screen(&self) -> &dyn Component {
        self.current().view()
    }

    fn screen_mut(&mut self) -> &mut dyn Component {
        self.current_mut().view_mut()
    }

    /// The page in view.
    pub fn page(&self) -> Page {
        self.current().page()
    }

    /// Every page held, from the bottom of the stack to the one in view.
    pub fn pages(&self) -> Vec<Page> {
        self.screens.iter().map(Screen::page).collect()
    }

    /// The topmost screen of type `C`, if one is held.
    pub fn find<C: std::any::Any>(&self) -> Option<&C> {
        self.screens.iter().rev().find_map(|s| s.get::<C>())
    }

    fn config(&self) -> Arc<Config> {
        self.services.config.clone()
    }

    fn cx<'a>(&self, config: &'a Config) -> Cx<'a> {
        Cx {
            lang: self.lang,
            config,
            today: self.services.clock.today(),
            width: self.size.width,
        }
    }

    // ----- layout and drawing --------------------------------------------------------------------

    pub fn too_small(&self) -> bool {
        self.size.width < MIN_WIDTH || self.size.height < MIN_HEIGHT
    }

    pub fn body_area(&self) -> Rect {
        let a = self.size;
        Rect::new(
            a.x,
            a.y + HEADER_ROWS,
            a.width,
            a.height.saturating_sub(HEADER_ROWS + FOOTER_ROWS),
        )
    }

    fn rows_and_placement(&self) -> (Vec<Row>, Placement) {
        let layout = self.body_layout();
        (layout.rows, layout.placement)
    }

    /// Seconds left before the idle reset, while the countdown shows.
    pub fn countdown_secs(&self, now: Instant) -> Option<u64> {
        let deadline = self.idle_deadline()?;
        let left = deadline.saturating_duration_since(now);
        (left <= self.opts.countdown).then(|| left.as_secs_f64().ceil() as u64)
    }

    pub fn draw(&self, frame: &mut Frame<'_>) {
        self.draw_screen(frame);
        // The theme's own background and, on a wide terminal, the measured letters' second cells.
        crate::tui::look::finish(frame.buffer_mut());
    }

    fn draw_screen(&self, frame: &mut Frame<'_>) {
        let area = frame.area();
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            chrome::too_small(frame, area, self.lang);
            return;
        }
        let screen = self.screen();
        chrome::header(
            frame,
            area,
            self.lang,
            tr(self.lang, screen.title_key()),
            nav::step_of(self.page()),
            self.staff_header(),
        );
        let layout = self.body_layout();
        let spec = Spec {
            rows: &layout.rows,
            form: screen.form(),
            lang: self.lang,
            label_width: page::label_width(screen.form(), self.lang),
        };
        let mut placement = layout.placement;
        if self.busy.is_some() {
            placement.cursor = None;
        }
        page::render(frame, &spec, &placement);
        if let (Some((pad_area, _)), Some(pad)) = (layout.pad, self.pad()) {
            pad.render(frame, self.lang, pad_area);
        }
        chrome::footer(frame, area, self.lang, screen.hints_key());
        let now = Instant::now();
        if let Some(m) = &self.flash {
            chrome::flash(frame, area, &crate::tui::i18n::msg(self.lang, m));
        }
        if let Some(secs) = self.countdown_secs(now) {
            chrome::countdown(frame, area, self.lang, secs);
        }
        if let Some((_, since)) = self.busy {
            let dots = (now.duration_since(since).as_millis() / 400) as usize;
            chrome::busy(frame, area, self.lang, dots);
        }
    }

    // ----- time ----------------------------------------------------------------------------------

    /// When the idle reset fires, if anything would be wiped.
    pub fn idle_deadline(&self) -> Option<Instant> {
        if self.busy.is_some() {
            return None;
        }
        // Nothing entered on the start screen (and, at the kiosk, its language as it starts).
        let start = match &self.staff {
            Some(s) => s.session.is_none() && self.page() == Page::StaffLogin,
            None => self.page() == Page::Login && self.lang == self.opts.lang,
        };
        if start && self.screens.len() == 1 && self.screen().pristine() {
            return None;
        }
        Some(self.last_input + self.opts.idle_timeout)
    }

    /// When the loop must wake up without input: the countdown's start, each second of it, the
    /// busy animation and a screen that looks at something again. None: sleep until the next event.
    pub fn next_wakeup(&self, now: Instant) -> Option<Instant> {
        let mut wake = None;
        if let Some(deadline) = self.idle_deadline() {
            let countdown_start = deadline
                .checked_sub(self.opts.countdown)
                .unwrap_or(deadline);
            wake = Some(if now < countdown_start {
                countdown_start
            } else {
                // Wake on the next whole second of the countdown (and at the deadline).
                let left = deadline.saturating_duration_since(now);
                let frac = Duration::from_nanos((left.as_nanos() % 1_000_000_000) as u64);
                now + if frac.is_zero() {
                    Duration::from_secs(1).min(left)
                } else {
                    frac
                }
            });
        }
        if self.busy.is_some() {
            let anim = now + Duration::from_millis(400);
            wake = Some(wake.map_or(anim, |w: Instant| w.min(anim)));
        }
        if let Some(at) = self.screen().wake_at() {
            wake = Some(wake.map_or(at, |w: Instant| w.min(at)));
        }
        wake
    }

    /// Applies the idle timer and a screen's own wake-up. Returns true when the screen changed.
    pub fn on_tick(&mut self, now: Instant) -> bool {
        let woke = self.screen().wake_at().is_some_and(|at| now >= at);
        if woke {
            let action = self.screen_mut().on_wake(now);
            self.perform(action);
        }
        let idle_changed = match self.idle_deadline() {
            Some(deadline) if now >= deadline => {
                tracing::info!("idle timeout: wiping and returning to the start screen");
                if self.staff.is_some() {
                    self.staff_idle_logout();
                } else {
                    self.audit_logout("idle");
                    self.reset_to_start();
                }
                true
            }
            _ => self.busy.is_some() || self.countdown_secs(now).is_some(),
        };
        self.sync_pad();
        woke || idle_changed
    }

    /// Waits for the next event until `deadline` (None: forever).
    pub fn next_event(&self, deadline: Option<Instant>) -> Option<AppEvent> {
        match deadline {
            None => self.rx.recv().ok(),
            Some(d) => match self
                .rx
                .recv_timeout(d.saturating_duration_since(Instant::now()))
            {
                Ok(ev) => Some(ev),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => None,
            },
        }
    }

    /// Waits (up to `limit`) for every running task, quiet ones too, and applies their results
    /// (tests, shutdown).
    pub fn wait_for_task(&mut self, limit: Duration) -> bool {
        self.wait_while(limit, |app| app.busy.is_some() || !app.quiet.is_empty())
    }

    /// Waits (up to `limit`) for the quiet tasks only (a lookup started as a field was left): what a
    /// member typing at human speed always meets. Tests call it after every key.
    pub fn wait_for_background(&mut self, limit: Duration) -> bool {
        self.wait_while(limit, |app| !app.quiet.is_empty())
    }

    fn wait_while(&mut self, limit: Duration, pending: impl Fn(&App) -> bool) -> bool {
        let end = Instant::now() + limit;
        while pending(self) {
            match self.next_event(Some(end)) {
                Some(ev) => {
                    self.handle(ev);
                }
                None => return false,
            }
        }
        true
    }
}

#[cfg(test)]
mod tests;
