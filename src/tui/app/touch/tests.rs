//! Taps as touchscreens send them, and the on-screen keyboard in the running app.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

use super::*;
use crate::config::Config;
use crate::domain::Lang;
use crate::services::Services;
use crate::store::{Actor, Store};
use crate::tui::app::{AppEvent, AppOptions};
use crate::tui::screens::Screen;
use crate::tui::screens::identity::IdentityScreen;

fn app_with(mode: TouchKeyboard) -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("k.db")).unwrap();
    let mut config = Config::default();
    config.kiosk.touch_keyboard = mode;
    let opts = AppOptions::from_config(&config, Actor::kiosk());
    let app = App::new(Services::new(Arc::new(store), Arc::new(config)), opts);
    (dir, app)
}

fn app() -> (tempfile::TempDir, App) {
    app_with(TouchKeyboard::Auto)
}

/// The screen as drawn, one string per row, and for each row the column of every byte offset.
fn rows(app: &App) -> Vec<(String, Vec<u16>)> {
    let mut t = Terminal::new(TestBackend::new(app.size.width, app.size.height)).unwrap();
    t.draw(|f| app.draw(f)).unwrap();
    let buf = t.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            let (mut line, mut cols) = (String::new(), Vec::new());
            let mut x = 0;
            while x < buf.area.width {
                let sym = buf[(x, y)].symbol();
                for _ in 0..sym.len() {
                    cols.push(x);
                }
                line.push_str(sym);
                x += unicode_width::UnicodeWidthStr::width(sym).max(1) as u16;
            }
            (line, cols)
        })
        .collect()
}

fn screen(app: &App) -> String {
    rows(app).into_iter().map(|(l, _)| l + "\n").collect()
}

/// The cell where `text` first shows.
fn at(app: &App, text: &str) -> (u16, u16) {
    for (y, (line, cols)) in rows(app).into_iter().enumerate() {
        if let Some(i) = line.find(text) {
            return (cols[i], y as u16);
        }
    }
    panic!("{text:?} is not on the screen:\n{}", screen(app));
}

fn mouse(app: &mut App, kind: MouseEventKind, (column, row): (u16, u16), now: Instant) {
    let m = MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    };
    app.on_mouse_at(m, now);
}

const DOWN: MouseEventKind = MouseEventKind::Down(MouseButton::Left);
const UP: MouseEventKind = MouseEventKind::Up(MouseButton::Left);
const DRAG: MouseEventKind = MouseEventKind::Drag(MouseButton::Left);

/// A press and a release on `text`, at `now`.
fn tap(app: &mut App, text: &str, now: Instant) {
    let cell = at(app, text);
    mouse(app, DOWN, cell, now);
    mouse(app, UP, cell, now);
}

fn later(ms: u64) -> Instant {
    Instant::now() + Duration::from_millis(ms)
}

#[test]
fn a_tap_acts_when_the_finger_lifts_on_what_it_went_down_on() {
    let (_d, mut app) = app();
    let now = Instant::now();
    let english = at(&app, "English");
    mouse(&mut app, DOWN, english, now);
    assert_eq!(app.lang, Lang::Ja, "nothing happens on the press");
    mouse(&mut app, UP, english, now);
    assert_eq!(app.lang, Lang::En, "the release acts");
}

#[test]
fn a_drag_off_the_target_and_a_release_elsewhere_does_nothing() {
    let (_d, mut app) = app();
    let now = Instant::now();
    let english = at(&app, "English");
    let elsewhere = at(&app, "STEP5 登録完了");
    mouse(&mut app, DOWN, english, now);
    mouse(&mut app, DRAG, elsewhere, now);
    mouse(&mut app, UP, elsewhere, now);
    assert_eq!(app.lang, Lang::Ja, "the finger changed its mind");
    // Released on another control: not that one either.
    let login = at(&app, "[ ログイン ]");
    mouse(&mut app, DOWN, english, now);
    mouse(&mut app, UP, login, now);
    assert_eq!(app.lang, Lang::Ja);
    assert_eq!(app.page(), Page::Login);
    assert_eq!(app.screen().form().focused_name(), "user_id");
}

#[test]
fn release_only_and_drag_then_release_are_taps() {
    let (_d, mut app) = app();
    let english = at(&app, "English");
    // A driver that sends only the release.
    mouse(&mut app, UP, english, Instant::now());
    assert_eq!(app.lang, Lang::En);
    // One that sends a drag (a finger that wobbled) and then the release, on the same target.
    let japanese = at(&app, "日本語");
    let beside = (japanese.0 + 2, japanese.1);
    mouse(&mut app, DOWN, japanese, later(200));
    mouse(&mut app, DRAG, beside, later(200));
    mouse(&mut app, UP, beside, later(200));
    assert_eq!(app.lang, Lang::Ja);
    // And one that sends no press at all: a drag, then the release.
    let english = at(&app, "English");
    mouse(&mut app, DRAG, english, later(400));
    mouse(&mut app, UP, english, later(400));
    assert_eq!(app.lang, Lang::En);
}

#[test]
fn a_second_tap_on_the_same_key_within_150_ms_is_a_bounce() {
    let (_d, mut app) = app();
    let t0 = Instant::now();
    tap(&mut app, "ユーザID ", t0);
    assert!(app.pad().is_some(), "a tap on a field brings the keyboard");
    tap(&mut app, "[ 7 ]", t0);
    tap(&mut app, "[ 7 ]", t0 + Duration::from_millis(60));
    tap(&mut app, "[ 7 ]", t0 + BOUNCE - Duration::from_millis(1));
    assert_eq!(app.screen().form().value_named("user_id"), Some("7"));
    // A different key at once is no bounce; the same key after 150 ms is a second tap.
    tap(&mut app, "[ 8 ]", t0 + Duration::from_millis(10));
    tap(&mut app, "[ 7 ]", t0 + BOUNCE + Duration::from_millis(20));
    assert_eq!(app.screen().form().value_named("user_id"), Some("787"));
}

#[test]
fn the_keyboard_types_into_the_focused_field_with_every_rule() {
    let (_d, mut app) = app();
    tap(&mut app, "パスワード ", later(0));
    assert_eq!(app.screen().form().focused_name(), "password");
    tap(&mut app, "[ ABC ]", later(200));
    tap(&mut app, "[ K ]", later(400));
    tap(&mut app, "[ o ]", later(600)); // the shift was for one letter
    tap(&mut app, "[ 1 ]", later(800));
    tap(&mut app, "[ 1字消す ]", later(1000));
    tap(&mut app, "[ 2 ]", later(1200));
    let form = app.screen().form();
    assert_eq!(form.value_named("password"), Some("Ko2"));
    assert_eq!(
        form.focused_name(),
        "password",
        "the keyboard never takes the focus"
    );
    let text = screen(&app);
    assert!(text.contains("[***"), "masked as typed:\n{text}");
    assert!(!text.contains("Ko2"), "{text}");
    // 次へ: the next control (the login button): the keyboard goes, the buttons show.
    tap(&mut app, "[ 次へ ]", later(1400));
    assert_eq!(app.screen().form().focused_name(), "login");
    assert!(app.pad().is_none());
    assert!(screen(&app).contains("ログイン ]<"));
}

#[test]
fn the_keyboard_follows_next_and_scrolls_the_form_so_the_field_shows() {
    let (_d, mut app) = app();
    tap(&mut app, "ユーザID ", later(0));
    tap(&mut app, "[ 次へ ]", later(200));
    assert_eq!(app.screen().form().focused_name(), "password");
    assert!(app.pad().is_some(), "still there for the next field");
    let text = screen(&app);
    let field = text.lines().position(|l| l.starts_with("> パスワード"));
    let keys = text.lines().position(|l| l.contains("[ q ]"));
    assert!(
        matches!((field, keys), (Some(f), Some(k)) if f < k),
        "the focused field shows above the keyboard:\n{text}"
    );
}

#[test]
fn a_key_typed_puts_the_keyboard_away_and_close_closes_it() {
    let (_d, mut app) = app();
    tap(&mut app, "ユーザID ", later(0));
    assert!(app.pad().is_some());
    app.handle(AppEvent::Term(ratatui::crossterm::event::Event::Key(
        KeyEvent::new(KeyCode::Char('a'), KeyModifiers::NONE),
    )));
    assert!(app.pad().is_none(), "the member has a keyboard");
    assert_eq!(app.screen().form().value_named("user_id"), Some("a"));
    tap(&mut app, "パスワード ", later(200));
    assert!(
        app.pad().is_none(),
        "nor on the next tap: this member types"
    );
    let (_d2, mut app) = self::app();
    tap(&mut app, "ユーザID ", later(200));
    tap(&mut app, "[ 閉じる ]", later(400));
    assert!(app.pad().is_none());
    assert_eq!(
        app.screen().form().focused_name(),
        "user_id",
        "the focus stays"
    );
}

#[test]
fn a_member_who_types_never_sees_the_keyboard() {
    for mode in [TouchKeyboard::Auto, TouchKeyboard::Never] {
        let (_d, mut app) = app_with(mode);
        for c in "ABC".chars() {
            app.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
        app.on_key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE));
        assert!(app.pad().is_none(), "{mode:?}");
    }
    let (_d, mut app) = app_with(TouchKeyboard::Never);
    tap(&mut app, "ユーザID ", later(0));
    assert!(app.pad().is_none(), "never");
}

#[test]
fn always_shows_it_with_every_field_until_closed() {
    let (_d, mut app) = app_with(TouchKeyboard::Always);
    app.handle(AppEvent::Term(ratatui::crossterm::event::Event::Key(
        KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE),
    )));
    assert_eq!(app.screen().form().focused_name(), "password");
    assert!(
        app.pad().is_some(),
        "a key does not put it away with always"
    );
    tap(&mut app, "[ 閉じる ]", later(0));
    assert!(app.pad().is_none());
    tap(&mut app, "パスワード ", later(200));
    assert!(app.pad().is_some(), "a tap on the field brings it back");
}

#[test]
fn the_idle_wipe_takes_the_keyboard_too() {
    let (_d, mut app) = app();
    tap(&mut app, "ユーザID ", later(0));
    tap(&mut app, "[ ABC ]", later(200));
    tap(&mut app, "[ Z ]", later(400));
    assert!(app.pad().is_some());
    let deadline = app.idle_deadline().expect("something was entered");
    assert!(app.on_tick(deadline + Duration::from_millis(1)));
    assert!(app.pad().is_none());
    assert_eq!(app.screen().form().value_named("user_id"), Some(""));
    assert!(!screen(&app).contains("[ q ]"));
    // The next member may not type: a tap brings the keyboard again.
    app.on_key(KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE));
    let deadline = app.idle_deadline().expect("something was entered");
    app.on_tick(deadline + Duration::from_millis(1));
    tap(&mut app, "ユーザID ", later(600));
    assert!(app.pad().is_some());
}

#[test]
fn the_birth_date_picker_writes_the_date_and_reads_it_back() {
    let (_d, mut app) = app();
    app.screens = vec![Screen::Identity(IdentityScreen::new(), None)];
    let today = app.services.clock.today();
    tap(&mut app, "生年月日  ", later(0));
    let Some(Pad::Date(picker)) = app.pad() else {
        panic!("the picker, not the keyboard:\n{}", screen(&app));
    };
    assert_eq!(picker.date.year(), 1960);
    assert_eq!(
        app.screen().form().value_named("birth_date"),
        Some(""),
        "opening writes nothing"
    );
    tap(&mut app, "[ 平成 ]", later(200));
    assert_eq!(
        app.screen().form().value_named("birth_date"),
        Some("1989/01/08")
    );
    assert!(
        screen(&app).contains("1989年1月8日（平成元年）"),
        "{}",
        screen(&app)
    );
    // 決定: the date is checked as typed ones are, and read back under the field.
    tap(&mut app, "[ 決定 ]", later(400));
    assert!(
        app.pad().is_none(),
        "the focus left the fields (the checkbox)"
    );
    let text = screen(&app);
    assert!(text.contains("1989年1月8日（平成元年）"), "{text}");
    assert!(today.year() > 2020);
}
