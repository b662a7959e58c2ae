//! The application state: which screen is showing, the registration or login in progress, background
//! tasks (hashing never runs on the UI thread), the idle timer, and the routing of actions between
//! screens (the wizard's transitions come from `domain::wizard`).

use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::{Duration, Instant};

use ratatui::Frame;
use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Rect;

mod account;

pub use account::{AccountScreens, AccountTask};

use super::screens::confirm::ConfirmScreen;
use super::screens::details::DetailsScreen;
use super::screens::done::DoneScreen;
use super::screens::identity::IdentityScreen;
use super::screens::login::LoginScreen;
use super::screens::menu::MenuScreen;
use super::screens::{Action, Cx, Screen};
use super::widgets::chrome::{self, FOOTER_ROWS, HEADER_ROWS};
use super::widgets::form::FormEvent;
use super::widgets::page::{self, Placement, Row, Spec};
use crate::config::Config;
use crate::domain::wizard::{Event as WizardEvent, Page, transition};
use crate::domain::{Lang, Msg};
use crate::services::Services;
use crate::services::auth::{AccountSession, LoginOutcome, RegistrationTicket};
use crate::services::delivery::Control;
use crate::services::registration::{IdentityOutcome, RegisterError, Registered, terms};
use crate::store::Actor;
use crate::store::outbox::MailState;
use crate::tui::i18n::tr;

mod staff;

pub use staff::{StaffConsole, StaffTask};

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
    pub actor: Actor,
}

impl AppOptions {
    pub fn from_config(config: &Config, actor: Actor) -> Self {
        AppOptions {
            lang: config.kiosk.lang,
            idle_timeout: Duration::from_secs(config.kiosk.idle_timeout_secs.max(5)),
            countdown: Duration::from_secs(config.kiosk.countdown_secs),
            allow_exit: config.kiosk.allow_exit,
            actor,
        }
    }
}

/// Results of work done off the UI thread.
#[derive(Debug)]
pub enum TaskResult {
    Login(Result<LoginOutcome, String>),
    Identity(Result<IdentityOutcome, String>),
    Register(Result<Registered, RegisterError>),
    /// Work of the member's account area.
    Account(AccountTask),
    /// The staff console's tasks.
    Staff(StaffTask),
    /// The task panicked (a bug): the screen stays as it was and says a system error happened.
    Crashed,
}

/// Everything the event loop feeds the app.
#[derive(Debug)]
pub enum AppEvent {
    Term(Event),
    Task(u64, TaskResult),
    /// SIGTERM, SIGHUP, SIGINT or SIGQUIT: restore the terminal and leave.
    Signal(i32),
    /// The terminal went away (hang-up): leave at once.
    TerminalLost,
    /// The background mail worker finished a round that changed the outbox.
    MailProgress,
}

/// How often the done screen looks at its welcome mail again while it is still on its way (another
/// process, e.g. `outbox sync` from cron, may be the one delivering it).
pub const MAIL_REFRESH: Duration = Duration::from_secs(2);

pub struct App {
    pub services: Services,
    pub opts: AppOptions,
    pub lang: Lang,
    pub page: Page,
    pub login: LoginScreen,
    pub identity: Option<IdentityScreen>,
    pub details: Option<DetailsScreen>,
    pub confirm: Option<ConfirmScreen>,
    pub done: Option<DoneScreen>,
    pub menu: Option<MenuScreen>,
    /// The screens of the member's account area.
    pub account: AccountScreens,
    /// The staff console (`kosmo-kiosk staff`); `None` for the member kiosk.
    pub staff: Option<StaffConsole>,
    ticket: Option<RegistrationTicket>,
    session: Option<AccountSession>,
    /// The task being waited for, and since when (drives the 処理中 animation).
    busy: Option<(u64, Instant)>,
    next_task: u64,
    last_input: Instant,
    /// The terminal's size, as last drawn or resized.
    pub size: Rect,
    /// Where a drag on the panel started (row, scroll offset then).
    drag: Option<u16>,
    pub quit: bool,
    /// The runtime clears the screen and the scrollback before the next frame.
    pub clear_screen: bool,
    /// A message over the footer until the next key or tap (a system error no screen expected).
    pub flash: Option<Msg>,
    tx: Sender<AppEvent>,
    rx: Receiver<AppEvent>,
    /// The background mail worker, when one runs in this process: nudged when a mail is queued.
    pub mail: Option<Arc<Control>>,
    /// The welcome mail the done screen reports on, and when its state was last read.
    done_mail: Option<(i64, Instant)>,
}

impl App {
    pub fn new(services: Services, opts: AppOptions) -> Self {
        let (tx, rx) = channel();
        let mut app = App {
            lang: opts.lang,
            login: LoginScreen::new(opts.lang),
            services,
            opts,
            page: Page::Login,
            identity: None,
            details: None,
            confirm: None,
            done: None,
            menu: None,
            account: AccountScreens::default(),
            staff: None,
            ticket: None,
            session: None,
            busy: None,
            next_task: 1,
            last_input: Instant::now(),
            size: Rect::new(0, 0, MIN_WIDTH, MIN_HEIGHT),
            drag: None,
            quit: false,
            clear_screen: true,
            flash: None,
            tx,
            rx,
            mail: None,
            done_mail: None,
        };
        app.staff = app.new_staff_console();
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

    // ----- screens -------------------------------------------------------------------------------

    pub fn screen(&self) -> &dyn Screen {
        if let Some(s) = self.staff_screen() {
            return s;
        }
        match self.page {
            Page::Login => &self.login,
            Page::Identity => self
                .identity
                .as_ref()
                .map_or(&self.login as &dyn Screen, |s| s),
            Page::Details => self
                .details
                .as_ref()
                .map_or(&self.login as &dyn Screen, |s| s),
            Page::Confirm => self
                .confirm
                .as_ref()
                .map_or(&self.login as &dyn Screen, |s| s),
            Page::Done => self.done.as_ref().map_or(&self.login as &dyn Screen, |s| s),
            Page::Menu => self.menu.as_ref().map_or(&self.login as &dyn Screen, |s| s),
            Page::Account(p) => self.account.screen(p).unwrap_or(&self.login),
        }
    }

    pub fn screen_mut(&mut self) -> &mut dyn Screen {
        if self.staff_showing() {
            return self.staff_screen_mut();
        }
        let page = self.page;
        let fallback = matches!(
            (
                page,
                &self.identity,
                &self.details,
                &self.confirm,
                &self.done,
                &self.menu
            ),
            (Page::Identity, None, ..)
                | (Page::Details, _, None, ..)
                | (Page::Confirm, _, _, None, ..)
                | (Page::Done, _, _, _, None, _)
                | (Page::Menu, _, _, _, _, None)
        );
        let account_missing = matches!(page, Page::Account(p) if self.account.screen(p).is_none());
        if fallback || account_missing {
            self.page = Page::Login;
        }
        match self.page {
            Page::Login => &mut self.login,
            Page::Identity => self.identity.as_mut().expect("identity screen"),
            Page::Details => self.details.as_mut().expect("details screen"),
            Page::Confirm => self.confirm.as_mut().expect("confirm screen"),
            Page::Done => self.done.as_mut().expect("done screen"),
            Page::Menu => self.menu.as_mut().expect("menu screen"),
            Page::Account(p) => self.account.screen_mut(p).expect("account screen"),
        }
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

    fn go(&mut self, event: WizardEvent) {
        if let Some(next) = transition(self.page, event) {
            self.page = next;
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
        let config = self.config();
        let cx = self.cx(&config);
        let screen = self.screen();
        let rows = screen.rows(&cx);
        let form = screen.form();
        let spec = Spec {
            rows: &rows,
            form,
            lang: self.lang,
            label_width: page::label_width(form, self.lang),
        };
        let placement = page::layout(&spec, self.body_area());
        (rows, placement)
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
        let config = self.config();
        let cx = self.cx(&config);
        let screen = self.screen();
        chrome::header(
            frame,
            area,
            self.lang,
            tr(self.lang, screen.title_key()),
            screen.step(),
            self.staff_header(),
        );
        let rows = screen.rows(&cx);
        let spec = Spec {
            rows: &rows,
            form: screen.form(),
            lang: self.lang,
            label_width: page::label_width(screen.form(), self.lang),
        };
        let body = Rect::new(
            area.x,
            area.y + HEADER_ROWS,
            area.width,
            area.height.saturating_sub(HEADER_ROWS + FOOTER_ROWS),
        );
        let mut placement = page::layout(&spec, body);
        if self.busy.is_some() {
            placement.cursor = None;
        }
        page::render(frame, &spec, &placement);
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
        if self.staff.is_some() {
            return self.staff_idle_deadline();
        }
        if self.busy.is_some() {
            return None;
        }
        if self.page == Page::Login && self.login.pristine() && self.lang == self.opts.lang {
            return None;
        }
        Some(self.last_input + self.opts.idle_timeout)
    }

    /// When the loop must wake up without input: the countdown's start, each second of it, and the
    /// busy animation. None: sleep until the next event.
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
        if let Some(at) = self.mail_refresh_at() {
            wake = Some(wake.map_or(at, |w: Instant| w.min(at)));
        }
        wake
    }

    /// When the done screen should read its welcome mail's state again: only while it shows and the
    /// mail is still queued or being sent.
    fn mail_refresh_at(&self) -> Option<Instant> {
        let (_, checked) = self.done_mail?;
        let done = self.done.as_ref().filter(|_| self.page == Page::Done)?;
        matches!(
            done.mail_state,
            Some(MailState::Queued | MailState::Sending)
        )
        .then_some(checked + MAIL_REFRESH)
    }

    /// Reads the welcome mail's state from the store into the done screen. True when it changed.
    pub fn refresh_mail_state(&mut self) -> bool {
        let Some((id, _)) = self.done_mail else {
            return false;
        };
        self.done_mail = Some((id, Instant::now()));
        let state = match self.services.mail_state(id) {
            Ok(state) => state,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the welcome mail's state");
                return false;
            }
        };
        match self.done.as_mut() {
            Some(done) if state.is_some() && done.mail_state != state => {
                done.mail_state = state;
                true
            }
            _ => false,
        }
    }

    /// Applies the idle timer. Returns true when the screen changed.
    pub fn on_tick(&mut self, now: Instant) -> bool {
        let mail_changed = self
            .mail_refresh_at()
            .is_some_and(|at| now >= at && self.refresh_mail_state());
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
        mail_changed || idle_changed
    }

    /// The audit row of a member's logout (`ok` from the menu, `idle` by the timer), when logged in.
    fn audit_logout(&self, outcome: &str) {
        let Some(s) = &self.session else {
            return;
        };
        if let Err(e) = self.services.member_logout(&self.opts.actor, s, outcome) {
            tracing::error!(error = %e, "cannot write the logout audit row");
        }
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

    /// Waits (up to `limit`) for the running task to finish and applies its result (tests, shutdown).
    pub fn wait_for_task(&mut self, limit: Duration) -> bool {
        let end = Instant::now() + limit;
        while self.busy.is_some() {
            match self.next_event(Some(end)) {
                Some(ev) => {
                    self.handle(ev);
                }
                None => return false,
            }
        }
        true
    }

    /// Forgets the registration or member session in progress.
    fn wipe_wizard(&mut self) {
        self.ticket = None;
        self.session = None;
        self.identity = None;
        self.details = None;
        self.confirm = None;
        self.done = None;
        self.done_mail = None;
        self.menu = None;
        self.account = AccountScreens::default();
        self.busy = None;
        self.login = LoginScreen::new(self.lang);
        self.page = Page::Login;
        self.drag = None;
    }

    /// Everything entered is wiped and the start screen returns (idle, cancel, logout). In the staff
    /// console: the staff menu returns (the staff member stays logged in).
    pub fn reset_to_start(&mut self) {
        self.wipe_wizard();
        if self.staff.is_some() {
            self.staff_after_reset();
            return;
        }
        self.lang = self.opts.lang;
        self.login = LoginScreen::new(self.lang);
        self.page = Page::Login;
        self.drag = None;
        self.clear_screen = true;
        self.last_input = Instant::now();
    }

    // ----- events --------------------------------------------------------------------------------

    /// Handles one event. Returns true when the screen should be redrawn.
    pub fn handle(&mut self, ev: AppEvent) -> bool {
        let redraw = self.handle_event(ev);
        if self.staff.is_some() {
            self.staff_bridge_notices();
        }
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
                }
                true
            }
            AppEvent::Term(Event::Resize(w, h)) => {
                self.size = Rect::new(0, 0, w, h);
                true
            }
            AppEvent::Term(_) => false,
            AppEvent::Task(id, result) => {
                if self.busy.is_some_and(|(b, _)| b == id) {
                    self.busy = None;
                    self.last_input = Instant::now();
                    self.on_task(result);
                }
                true
            }
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
            AppEvent::MailProgress => self.page == Page::Done && self.refresh_mail_state(),
        }
    }

    pub fn on_key(&mut self, key: KeyEvent) -> bool {
        if key.kind == KeyEventKind::Release {
            return false;
        }
        self.last_input = Instant::now();
        self.flash = None;
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
            FormEvent::PageUp => self.scroll_panel(-1, true),
            FormEvent::PageDown => self.scroll_panel(1, true),
            other => self.dispatch(other),
        }
        true
    }

    pub fn on_mouse(&mut self, m: MouseEvent) -> bool {
        self.last_input = Instant::now();
        if self.busy.is_some() || self.too_small() {
            return true;
        }
        match m.kind {
            MouseEventKind::ScrollDown => self.scroll_panel(3, false),
            MouseEventKind::ScrollUp => self.scroll_panel(-3, false),
            MouseEventKind::Down(MouseButton::Left) => {
                self.flash = None;
                let (_, placement) = self.rows_and_placement();
                self.drag = Some(m.row);
                if let Some(h) = page::hit(&placement, m.column, m.row) {
                    let column = h
                        .field_box
                        .filter(|b| m.column > b.x)
                        .map(|b| ((m.column - b.x - 1) as usize, page::inner_width(b.width)));
                    let events = self
                        .screen_mut()
                        .form_mut()
                        .tap(h.control, h.option, column);
                    for ev in events {
                        self.dispatch(ev);
                        if self.page_changed_or_busy() {
                            break;
                        }
                    }
                }
            }
            MouseEventKind::Drag(MouseButton::Left) => {
                // Touch scrolling: dragging up shows later lines, from anywhere on the screen.
                if let Some(from) = self.drag {
                    let delta = from as i32 - m.row as i32;
                    if delta != 0 {
                        self.scroll_panel(delta, false);
                        self.drag = Some(m.row);
                    }
                }
            }
            MouseEventKind::Up(_) => self.drag = None,
            _ => return false,
        }
        true
    }

    fn page_changed_or_busy(&self) -> bool {
        self.busy.is_some()
    }

    /// Scrolls the screen's panel by `amount` lines, or pages when `pages`.
    fn scroll_panel(&mut self, amount: i32, pages: bool) {
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

    fn dispatch(&mut self, ev: FormEvent) {
        if ev == FormEvent::None {
            return;
        }
        let config = self.config();
        let cx = self.cx(&config);
        let action = self.screen_mut().on_event(ev, &cx);
        self.perform(action);
    }

    // ----- actions -------------------------------------------------------------------------------

    fn spawn(&mut self, work: impl FnOnce(Services, Actor) -> TaskResult + Send + 'static) {
        let id = self.next_task;
        self.next_task += 1;
        self.busy = Some((id, Instant::now()));
        let tx = self.tx.clone();
        let services = self.services.clone();
        let actor = self.opts.actor.clone();
        std::thread::Builder::new()
            .name(format!("task-{id}"))
            .spawn(move || {
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    work(services, actor)
                }));
                let result = result.unwrap_or_else(|_| {
                    tracing::error!(id, "a background task panicked");
                    TaskResult::Crashed
                });
                let _ = tx.send(AppEvent::Task(id, result));
            })
            .expect("spawn a task thread");
    }

    pub fn perform(&mut self, action: Action) {
        let config = self.config();
        match action {
            Action::None => {}
            Action::SetLang(lang) => self.lang = lang,
            Action::Login { id, password } => self.spawn(move |svc, actor| {
                TaskResult::Login(svc.login(&actor, &id, &password).map_err(|e| e.to_string()))
            }),
            Action::ForgotPassword => self.open_forgot(),
            Action::CheckIdentity {
                insurer,
                birth_date,
            } => {
                let Some(ticket) = self.ticket.clone() else {
                    self.reset_to_start();
                    return;
                };
                self.spawn(move |svc, actor| {
                    TaskResult::Identity(
                        svc.check_identity(&actor, &ticket, &insurer, birth_date)
                            .map_err(|e| e.to_string()),
                    )
                })
            }
            Action::CancelRegistration => self.reset_to_start(),
            Action::CheckUserId(uid) => {
                let free = self.services.user_id_available(&uid).unwrap_or_else(|e| {
                    tracing::error!(error = %e, "user ID availability check failed");
                    true
                });
                if let Some(d) = self.details.as_mut() {
                    d.set_availability(&uid, free);
                }
            }
            Action::ToConfirm => {
                let Some(d) = self.details.as_mut() else {
                    return;
                };
                let uid = crate::domain::user_id::validate_user_id(d.form.value("user_id"))
                    .unwrap_or_default();
                if d.known_free().is_none() {
                    let free = self.services.user_id_available(&uid).unwrap_or(true);
                    d.set_availability(&uid, free);
                }
                if d.known_free() == Some(false) {
                    d.user_id_taken();
                    return;
                }
                self.confirm = Some(ConfirmScreen::from_details(d));
                self.go(WizardEvent::DetailsValid);
            }
            Action::BackToIdentity => {
                if self.identity.is_none() {
                    self.identity = Some(IdentityScreen::new());
                }
                self.go(WizardEvent::Back);
            }
            Action::Execute => {
                let (Some(ticket), Some(d)) = (self.ticket.clone(), self.details.as_ref()) else {
                    self.reset_to_start();
                    return;
                };
                let cx = self.cx(&config);
                let mut input = d.input(&cx, terms(self.lang).version);
                if input.initial_password && !self.staff_fill_initial_password(&ticket, &mut input)
                {
                    if let Some(c) = self.confirm.as_mut() {
                        c.message = Some(Msg::new("common.system_error"));
                    }
                    return;
                }
                self.spawn(move |svc, actor| {
                    TaskResult::Register(svc.register(&actor, &ticket, &input))
                });
            }
            Action::BackToDetails => {
                self.confirm = None;
                self.go(WizardEvent::ConfirmBack);
            }
            Action::ToMenu if self.staff.is_some() => self.staff_registration_done(),
            Action::ToMenu => {
                if let Some(s) = &self.session {
                    self.menu = Some(MenuScreen::new(&s.user_id));
                    self.done = None;
                    self.done_mail = None;
                    self.go(WizardEvent::ToMenu);
                }
            }
            Action::Account(a) => self.perform_account(a),
            Action::Logout => {
                self.audit_logout("ok");
                self.reset_to_start();
            }
            Action::Notice(m) => {
                if self.page == Page::Login {
                    self.login.notice(m, false);
                }
            }
            Action::Staff(a) => self.perform_staff(a),
        }
    }

    fn on_task(&mut self, result: TaskResult) {
        let config = self.config();
        match result {
            TaskResult::Crashed => self.flash = Some(Msg::new("common.system_error")),
            TaskResult::Login(Ok(LoginOutcome::Temporary(ticket))) => {
                self.login.form.wipe();
                self.ticket = Some(ticket);
                self.identity = Some(IdentityScreen::new());
                self.details = None;
                self.go(WizardEvent::TemporaryLoginOk);
            }
            TaskResult::Login(Ok(LoginOutcome::Permanent(session)))
                if session.must_change.is_some() =>
            {
                self.login.form.wipe();
                self.open_forced_password(session);
            }
            TaskResult::Login(Ok(LoginOutcome::Permanent(session))) => {
                self.login.form.wipe();
                self.menu = Some(MenuScreen::new(&session.user_id));
                self.session = Some(session);
                self.go(WizardEvent::PermanentLoginOk);
            }
            TaskResult::Login(Ok(LoginOutcome::Failed)) => self.login.refused(),
            TaskResult::Login(Err(e)) => {
                tracing::error!(error = %e, "login failed with an error");
                self.login.notice(Msg::new("common.system_error"), true);
            }
            TaskResult::Identity(Ok(IdentityOutcome::Confirmed(m))) => {
                let Some(ticket) = self.ticket.as_mut() else {
                    return;
                };
                ticket.confirm(&m);
                let temp_password = ticket.temp_password.clone();
                if self.details.is_none() {
                    let cx = self.cx(&config);
                    let details =
                        DetailsScreen::new(&cx, m.relationship, Some(m.member_id), temp_password);
                    self.details = Some(if self.staff.is_some() {
                        details.assisted()
                    } else {
                        details
                    });
                } else if let Some(d) = self.details.as_mut() {
                    d.member_id = Some(m.member_id);
                }
                self.go(WizardEvent::IdentityConfirmed);
            }
            TaskResult::Identity(Ok(IdentityOutcome::Mismatch { remaining })) => {
                if let Some(s) = self.identity.as_mut() {
                    s.mismatch(remaining);
                }
            }
            TaskResult::Identity(Ok(IdentityOutcome::Locked)) => {
                self.reset_to_start();
                self.login.notice(Msg::new("identity.locked"), true);
            }
            TaskResult::Identity(Ok(IdentityOutcome::CredentialInvalid)) => {
                self.reset_to_start();
                self.login
                    .notice(Msg::new("identity.credential_invalid"), true);
            }
            TaskResult::Identity(Err(e)) => {
                tracing::error!(error = %e, "identity check failed with an error");
                if let Some(s) = self.identity.as_mut() {
                    s.message = Some(Msg::new("common.system_error"));
                }
            }
            TaskResult::Register(Ok(r)) => {
                let mail_state = r
                    .mail_id
                    .and_then(|id| self.services.mail_state(id).ok().flatten());
                let mut done = DoneScreen::new(&r.user_id, r.email.clone(), mail_state);
                done.initial_password = self.staff_take_initial_password();
                self.done = Some(done);
                self.done_mail = r.mail_id.map(|id| (id, Instant::now()));
                if r.mail_id.is_some() {
                    if let Some(worker) = &self.mail {
                        worker.nudge();
                    }
                }
                // Staff never become the member: an assisted registration opens no member session.
                if self.staff.is_none() {
                    self.session = Some(AccountSession {
                        account_id: r.account_id,
                        household_id: r.household_id,
                        user_id: r.user_id.clone(),
                        must_change: None,
                        login_password_set_at: None,
                    });
                }
                // The registration is over: nothing of it stays in memory.
                self.ticket = None;
                self.identity = None;
                self.details = None;
                self.confirm = None;
                self.go(WizardEvent::Executed);
            }
            TaskResult::Register(Err(RegisterError::UserIdTaken)) => {
                self.confirm = None;
                if let Some(d) = self.details.as_mut() {
                    d.user_id_taken();
                }
                self.go(WizardEvent::ConfirmBack);
            }
            TaskResult::Register(Err(RegisterError::Invalid(violations))) => {
                self.confirm = None;
                if let Some(d) = self.details.as_mut() {
                    // A field may be absent (an assisted registration's generated password).
                    let present: Vec<_> = violations
                        .iter()
                        .filter(|v| d.form.controls.iter().any(|c| c.id == v.field))
                        .collect();
                    for v in &present {
                        d.form.set_error(v.field, Some(v.msg.clone()));
                    }
                    if let Some(v) = present.first() {
                        d.form.focus_id(v.field);
                    }
                    d.message = Some(Msg::new("details.fix_errors"));
                }
                self.go(WizardEvent::ConfirmBack);
            }
            TaskResult::Account(task) => self.on_account_task(task),
            TaskResult::Register(Err(
                RegisterError::CredentialInvalid | RegisterError::IdentityNotConfirmed,
            )) => {
                self.reset_to_start();
                self.login
                    .notice(Msg::new("identity.credential_invalid"), true);
            }
            TaskResult::Register(Err(RegisterError::Service(e))) => {
                tracing::error!(error = %e, "registration failed with an error");
                if let Some(c) = self.confirm.as_mut() {
                    c.message = Some(Msg::new("common.system_error"));
                }
            }
            TaskResult::Staff(r) => self.on_staff_task(r),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::outbox::{self, NewMail};
    use crate::store::{Store, StoreError};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn app_on_done_screen() -> (tempfile::TempDir, App, i64) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("k.db")).unwrap();
        let now = time::OffsetDateTime::now_utc();
        let id = store
            .write(|tx| {
                outbox::enqueue(
                    tx,
                    &NewMail {
                        kind: "welcome",
                        to: "taro@example.com",
                        subject: "s",
                        body: "b",
                        lang: "ja",
                        message_id: "<1@kosmoweb.jp>",
                        dedupe_key: "welcome:1",
                        household_id: None,
                    },
                    now,
                )
            })
            .unwrap();
        let config = Config::default();
        let opts = AppOptions::from_config(&config, Actor::kiosk());
        let mut app = App::new(Services::new(Arc::new(store), Arc::new(config)), opts);
        app.done = Some(DoneScreen::new(
            "yamada2026",
            Some("taro@example.com".into()),
            Some(MailState::Queued),
        ));
        app.done_mail = Some((id, Instant::now()));
        app.page = Page::Done;
        (dir, app, id)
    }

    /// What another worker (this process's or `outbox sync` elsewhere) does when the server accepts.
    fn deliver(app: &App, id: i64) {
        let now = time::OffsetDateTime::now_utc();
        app.services
            .store
            .write(|tx| {
                outbox::claim(tx, "w", now, now, time::Duration::minutes(5), 10)?;
                assert!(outbox::mark_sent(tx, id, "w", now)?);
                Ok::<_, StoreError>(())
            })
            .unwrap();
    }

    fn screen_text(app: &App) -> String {
        let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
        t.draw(|f| app.draw(f)).unwrap();
        let buf = t.backend().buffer();
        let mut out = String::new();
        for y in 0..buf.area.height {
            let mut x = 0;
            while x < buf.area.width {
                let sym = buf[(x, y)].symbol();
                out.push_str(sym);
                // A wide character covers the next cell too.
                x += unicode_width::UnicodeWidthStr::width(sym).max(1) as u16;
            }
            out.push('\n');
        }
        out
    }

    /// The screen's words with line breaks and padding removed (wrapping may split a phrase).
    fn words(app: &App) -> String {
        screen_text(app).split_whitespace().collect()
    }

    #[test]
    fn the_done_screen_says_sent_when_the_worker_reports_progress() {
        let (_d, mut app, id) = app_on_done_screen();
        let text = words(&app);
        assert!(text.contains("（送信待ち）"), "{}", screen_text(&app));
        // Nothing changed yet: no redraw.
        assert!(!app.handle(AppEvent::MailProgress));
        deliver(&app, id);
        assert!(app.handle(AppEvent::MailProgress), "redraw");
        assert_eq!(app.done.as_ref().unwrap().mail_state, Some(MailState::Sent));
        let text = words(&app);
        assert!(
            text.contains("メールを送信しました"),
            "{}",
            screen_text(&app)
        );
        assert!(!text.contains("送信待ち"));
    }

    #[test]
    fn while_the_mail_is_queued_the_screen_looks_again_every_few_seconds_and_then_stops() {
        let (_d, mut app, id) = app_on_done_screen();
        let now = Instant::now();
        let wake = app.next_wakeup(now).expect("a wake-up while queued");
        assert!(wake <= now + MAIL_REFRESH, "wakes for the mail");
        // Not yet time: the tick reads nothing.
        deliver(&app, id);
        assert!(!app.on_tick(now));
        assert_eq!(
            app.done.as_ref().unwrap().mail_state,
            Some(MailState::Queued)
        );
        // Time to look: it sees the mail was sent (by whichever process) and redraws.
        assert!(app.on_tick(now + MAIL_REFRESH + Duration::from_millis(10)));
        assert_eq!(app.done.as_ref().unwrap().mail_state, Some(MailState::Sent));
        // Sent: no more mail wake-ups; only the idle countdown remains, far away.
        let later = Instant::now();
        let wake = app.next_wakeup(later).expect("the idle countdown");
        assert!(
            wake > later + Duration::from_secs(60),
            "no polling once sent"
        );
    }

    #[test]
    fn no_mail_wake_ups_off_the_done_screen() {
        let (_d, mut app, _) = app_on_done_screen();
        app.session = Some(AccountSession {
            account_id: 1,
            household_id: 1,
            user_id: "yamada2026".into(),
            must_change: None,
            login_password_set_at: None,
        });
        app.perform(Action::ToMenu);
        assert_eq!(app.page, Page::Menu);
        assert_eq!(app.done_mail, None);
        assert!(!app.handle(AppEvent::MailProgress));
        app.reset_to_start();
        assert_eq!(
            app.next_wakeup(Instant::now()),
            None,
            "the start screen sleeps"
        );
    }

    #[test]
    fn a_crashed_task_leaves_the_screen_and_says_so_until_the_next_key() {
        let (_dir, mut app, _) = app_on_done_screen();
        app.busy = Some((7, Instant::now()));
        assert!(app.handle(AppEvent::Task(7, TaskResult::Crashed)));
        assert!(!app.is_busy(), "the 処理中 box goes");
        assert_eq!(app.page, Page::Done, "nothing entered is lost");
        assert_eq!(app.flash, Some(Msg::new("common.system_error")));
        let backend = TestBackend::new(80, 24);
        let mut terminal = Terminal::new(backend).unwrap();
        terminal.draw(|f| app.draw(f)).unwrap();
        let text = terminal.backend().to_string();
        assert!(text.contains("システムエラー"), "{text}");
        app.on_key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE));
        assert_eq!(app.flash, None);
    }
}
