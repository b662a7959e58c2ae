//! The one in-process rig: the real [`App`] on a real SQLite store in a temp dir, drawn to a
//! ratatui `TestBackend`. Keys, typing and taps go through `App::handle` exactly as the terminal
//! runtime feeds them; background work (argon2id, the store) runs on the app's task threads and is
//! awaited with `App::wait_for_task`. Every frame is also drawn incrementally into a terminal
//! emulator, which must show the same text and cursor.
//!
//! [`Rig::new`] is the member kiosk on its own wizard [`store`]; [`Rig::on`] runs the app (kiosk or
//! staff console, by its options) on a test's own [`Fixture`].
#![allow(dead_code)]

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kosmo_kiosk::config::TouchKeyboard;
use kosmo_kiosk::domain::Lang;
use kosmo_kiosk::domain::household::Relationship;
use kosmo_kiosk::services::Services;
use kosmo_kiosk::services::auth::LoginOutcome;
use kosmo_kiosk::services::registration::{IdentityOutcome, RegistrationInput, terms};
use kosmo_kiosk::store::Actor;
use kosmo_kiosk::tui::{App, AppEvent, AppOptions, BOUNCE, Target};
use ratatui::backend::{CrosstermBackend, TestBackend};
use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use zeroize::Zeroizing;

#[allow(unused_imports)]
pub use super::fixture::{Fixture, Postcard, T0};
#[allow(unused_imports)]
pub use super::households::{DEMO, SATO, SUZUKI, TAKAHASHI, TANAKA, YAMADA};
#[allow(unused_imports)]
pub use super::screen::{find, find_label, focused_box};

/// The user ID already registered (by TANAKA) in every wizard store, for the "taken" states.
pub const TAKEN_ID: &str = "tanaka1972";

pub struct Rig {
    pub svc: Services,
    pub app: App,
    /// Every frame drawn in full (a fresh buffer), for snapshots and the cursor.
    pub term: Terminal<TestBackend>,
    /// The same frames drawn incrementally (as the runtime does: only the changed cells) through
    /// crossterm's escape sequences into a terminal emulator, which must show the same text: on for
    /// the wizard's rig, [`Rig::mirrored`] for a rig [`Rig::on`] a test's store. (vt100 drops U+FFFD,
    /// which the staff console shows for neutralised characters.)
    pub mirror: Option<Mirror>,
    /// The store the rig made for itself ([`Rig::new`], [`Rig::with_options`]); None on a test's
    /// own [`Fixture`] ([`Rig::on`]).
    pub fx: Option<Fixture>,
    /// Every key waits for the background task it started ([`Rig::settling`]).
    pub settle_each_key: bool,
    /// The last tap's target and time: a second tap on the same target waits out the touch
    /// bounce (as a finger does), so it counts.
    pub last_tap: Option<(Target, Instant)>,
}

/// Bytes written by a `CrosstermBackend`, shared with the test.
#[derive(Clone, Default)]
pub struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub struct Mirror {
    pub term: Terminal<CrosstermBackend<Shared>>,
    pub out: Shared,
    pub vt: vt100::Parser,
    /// The frame on screen, mended against as the runtime does (`tui::redraw`).
    pub frames: kosmo_kiosk::tui::redraw::Frames,
}

impl Mirror {
    fn new(width: u16, height: u16) -> Mirror {
        let out = Shared::default();
        let term = Terminal::with_options(
            CrosstermBackend::new(out.clone()),
            TerminalOptions {
                viewport: Viewport::Fixed(Rect::new(0, 0, width, height)),
            },
        )
        .expect("mirror terminal");
        Mirror {
            term,
            out,
            vt: vt100::Parser::new(nz(height), nz(width), 0),
            frames: Default::default(),
        }
    }

    fn resize(&mut self, width: u16, height: u16) {
        self.term
            .resize(Rect::new(0, 0, width, height))
            .expect("resize mirror");
        self.frames.forget();
        self.vt.set_size(nz(height), nz(width));
    }

    /// Draws a frame (the cells and cursor the app drew) incrementally and returns what the
    /// emulator shows, and its cursor.
    fn draw(
        &mut self,
        frame: &ratatui::buffer::Buffer,
        cursor: Option<(u16, u16)>,
    ) -> (String, Option<(u16, u16)>) {
        self.frames
            .draw(&mut self.term, |f| {
                f.buffer_mut().clone_from(frame);
                if let Some(c) = cursor {
                    f.set_cursor_position(c);
                }
            })
            .expect("mirror draw");
        let bytes = std::mem::take(&mut *self.out.0.lock().unwrap());
        self.vt.process(&bytes);
        let screen = self.vt.screen();
        (
            super::screen::vt_text(screen),
            super::screen::vt_cursor(screen),
        )
    }
}

fn nz(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n.max(1)).expect("non-zero")
}

/// The wizard's store: the [`DEMO`] households with a postcard each, TANAKA registered as
/// [`TAKEN_ID`] (so TANAKA's postcard is spent), the clock at [`T0`] (2026-04-01 10:00 JST).
pub fn store() -> Fixture {
    let fx = Fixture::build().at(T0).households(&DEMO).postcards().open();
    register_directly(
        &fx.svc,
        fx.card(TANAKA),
        "33120015",
        time::macros::date!(1972 - 02 - 29),
        TAKEN_ID,
    )
    .expect("tanaka registers");
    fx
}

/// A whole registration through the services (another kiosk, or the set-up of a test).
pub fn register_directly(
    svc: &Services,
    card: &Postcard,
    insurer: &str,
    birth: time::Date,
    user_id: &str,
) -> Result<(), String> {
    let actor = Actor::kiosk();
    let mut ticket = match svc
        .login(&actor, &card.temp_id, &card.password)
        .map_err(|e| e.to_string())?
    {
        LoginOutcome::Temporary(t) => t,
        other => return Err(format!("login: {other:?}")),
    };
    let insurer = kosmo_kiosk::domain::insurer::parse(insurer).map_err(|e| format!("{e:?}"))?;
    let member = match svc
        .check_identity(&actor, &ticket, &insurer, birth)
        .map_err(|e| e.to_string())?
    {
        IdentityOutcome::Confirmed(m) => m,
        other => return Err(format!("identity: {other:?}")),
    };
    ticket.confirm(&member);
    let input = RegistrationInput {
        user_id: user_id.into(),
        password: Zeroizing::new("Another9pass".into()),
        password_confirm: Zeroizing::new("Another9pass".into()),
        email: String::new(),
        notify_mail: false,
        registrant: Relationship::Insured,
        member_id: Some(member.member_id),
        terms_version: terms(Lang::Ja).version.into(),
        lang: Lang::Ja,
        initial_password: false,
    };
    svc.register(&actor, &ticket, &input)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

pub fn options(lang: Lang) -> AppOptions {
    AppOptions {
        lang,
        idle_timeout: Duration::from_secs(120),
        countdown: Duration::from_secs(15),
        allow_exit: false,
        touch_keyboard: TouchKeyboard::Auto,
        actor: Actor::kiosk(),
    }
}

impl Rig {
    /// The member kiosk at 80×24 on its own wizard [`store`].
    pub fn new(lang: Lang) -> Rig {
        Rig::with_options(options(lang), 80, 24)
    }

    pub fn with_options(opts: AppOptions, width: u16, height: u16) -> Rig {
        let fx = store();
        let mut rig = Rig::on(&fx.svc, opts, width, height).mirrored();
        rig.fx = Some(fx);
        rig
    }

    /// The app on a test's own services (its [`Fixture`]).
    pub fn on(svc: &Services, opts: AppOptions, width: u16, height: u16) -> Rig {
        let mut app = App::new(svc.clone(), opts);
        app.size = Rect::new(0, 0, width, height);
        let term = Terminal::new(TestBackend::new(width, height)).expect("terminal");
        Rig {
            svc: svc.clone(),
            app,
            term,
            mirror: None,
            fx: None,
            settle_each_key: false,
            last_tap: None,
        }
    }

    /// Every frame is also drawn incrementally into a terminal emulator and compared.
    pub fn mirrored(mut self) -> Rig {
        let area = self.term.backend().buffer().area;
        self.mirror = Some(Mirror::new(area.width, area.height));
        self
    }

    /// Every key waits for the background task it started (as a member waits for 処理中 to go), so
    /// that the next key and the next frame meet the task's result.
    pub fn settling(mut self) -> Rig {
        self.settle_each_key = true;
        self
    }

    /// The postcard of `household` in the rig's own store.
    pub fn card(&self, household: &str) -> &Postcard {
        self.fx
            .as_ref()
            .expect("the rig's own store")
            .card(household)
    }

    pub fn resize(&mut self, width: u16, height: u16) {
        self.term.backend_mut().resize(width, height);
        if let Some(m) = &mut self.mirror {
            m.resize(width, height);
        }
        self.app
            .handle(AppEvent::Term(Event::Resize(width, height)));
    }

    // ----- input ---------------------------------------------------------------------------------

    pub fn press(&mut self, code: KeyCode, modifiers: KeyModifiers) {
        self.app
            .handle(AppEvent::Term(Event::Key(KeyEvent::new(code, modifiers))));
        self.background();
        if self.settle_each_key {
            self.settle();
        }
    }

    pub fn key(&mut self, code: KeyCode) {
        self.press(code, KeyModifiers::NONE);
    }

    pub fn keys(&mut self, codes: &[KeyCode]) {
        for c in codes {
            self.key(*c);
        }
    }

    pub fn back_tab(&mut self) {
        self.press(KeyCode::BackTab, KeyModifiers::SHIFT);
    }

    pub fn type_text(&mut self, text: &str) {
        for ch in text.chars() {
            self.key(KeyCode::Char(ch));
        }
    }

    /// Text pasted (bracketed paste), as a terminal delivers it.
    pub fn paste(&mut self, text: &str) {
        self.app
            .handle(AppEvent::Term(Event::Paste(text.to_string())));
        self.background();
        if self.settle_each_key {
            self.settle();
        }
    }

    /// Empties the focused text field (Ctrl-U: everything before the cursor, which is at the end).
    pub fn clear_field(&mut self) {
        self.press(KeyCode::End, KeyModifiers::NONE);
        self.press(KeyCode::Char('u'), KeyModifiers::CONTROL);
    }

    pub fn mouse(&mut self, kind: MouseEventKind, column: u16, row: u16) {
        self.app.handle(AppEvent::Term(Event::Mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        })));
        self.background();
    }

    /// A tap (press and release) at a 0-based cell.
    pub fn tap_at(&mut self, column: u16, row: u16) {
        let target = self.app.target_at(column, row);
        if let (Some(target), Some((last, at))) = (target, self.last_tap) {
            let wait = (BOUNCE + Duration::from_millis(5)).saturating_sub(at.elapsed());
            if last == target && !wait.is_zero() {
                std::thread::sleep(wait);
            }
        }
        self.mouse(MouseEventKind::Down(MouseButton::Left), column, row);
        self.mouse(MouseEventKind::Up(MouseButton::Left), column, row);
        // From after the release: the app's clock for the bounce started no earlier.
        self.last_tap = target.map(|t| (t, Instant::now()));
    }

    /// A tap on the first cell of the `nth` (1-based) place where `text` shows on the screen as it
    /// is drawn now. Panics (with the screen) when it is not there.
    pub fn tap_nth(&mut self, text: &str, nth: usize) {
        let screen = self.draw();
        let (col, row) = find(&screen, text, nth)
            .unwrap_or_else(|| panic!("{text:?} (#{nth}) is not on the screen:\n{screen}"));
        self.tap_at(col, row);
    }

    pub fn tap(&mut self, text: &str) {
        self.tap_nth(text, 1);
    }

    /// A tap on a control's label: `text` where it starts a row of the body (after the margin),
    /// not where the same words appear inside a sentence.
    pub fn tap_label(&mut self, text: &str) {
        let screen = self.draw();
        let (col, row) = find_label(&screen, text)
            .unwrap_or_else(|| panic!("no label {text:?} on the screen:\n{screen}"));
        self.tap_at(col, row);
    }

    /// Lets the quiet lookups an input started finish (a user ID's availability when its field is
    /// left): a member typing at human speed always meets their answers.
    pub fn background(&mut self) {
        assert!(
            self.app.wait_for_background(Duration::from_secs(60)),
            "the background lookup did not finish"
        );
    }

    /// Waits for the background task (hashing, the store) and applies its result.
    pub fn settle(&mut self) {
        assert!(
            self.app.wait_for_task(Duration::from_secs(60)),
            "the background task did not finish"
        );
    }

    /// The app shows `page`; else the test fails with the screen.
    #[track_caller]
    pub fn expect_page(&mut self, page: kosmo_kiosk::tui::Page) {
        let now = self.app.page();
        if now != page {
            let screen = self.draw();
            panic!("expected {page:?}, showing {now:?}:\n{screen}");
        }
    }

    // ----- output --------------------------------------------------------------------------------

    /// Draws a frame and returns it as text: one line per row, wide characters once, trailing
    /// blanks cut.
    ///
    /// With a mirror, also draws the frame incrementally and checks that a terminal emulator shows
    /// exactly the same text and cursor (no stale cells left by wide characters).
    pub fn draw(&mut self) -> String {
        let app = &self.app;
        self.term.clear().expect("clear");
        let frame = self
            .term
            .draw(|f| app.draw(f))
            .expect("draw")
            .buffer
            .clone();
        let full = super::screen::text(self.term.backend().buffer());
        let cursor = self.cursor();
        if let Some(mirror) = &mut self.mirror {
            let (shown, shown_cursor) = mirror.draw(&frame, cursor);
            assert_eq!(
                shown, full,
                "the incrementally redrawn terminal differs from the full frame"
            );
            assert_eq!(shown_cursor, cursor, "the terminal's cursor differs");
        }
        full
    }

    /// Where the terminal cursor is after the last frame, or None when it is hidden.
    pub fn cursor(&mut self) -> Option<(u16, u16)> {
        let visible = self.term.backend().cursor_visible();
        let pos = self.term.get_cursor_position().expect("cursor position");
        visible.then_some((pos.x, pos.y))
    }

    /// The frame and the cursor, as snapshots record them.
    pub fn frame(&mut self) -> String {
        let screen = self.draw();
        // The same screen in every theme, narrow and wide (issue 12).
        let area = self.term.backend().buffer().area;
        super::looks::check(&self.app, area.width, area.height);
        let cursor = match self.cursor() {
            Some((x, y)) => format!("cursor: column {x}, row {y}"),
            None => "cursor: hidden".to_string(),
        };
        format!("{screen}\n----\n{cursor}\n")
    }
}
