//! The app's own behaviour: the done screen's mail, a crashed task, the idle start screen.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::store::outbox::{self, MailState, NewMail};
use crate::store::{Store, StoreError};
use crate::tui::screens::done::DoneScreen;
use crate::tui::screens::{Action, Task};

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
    let mut done = DoneScreen::new(
        "yamada2026",
        Some("taro@example.com".into()),
        Some(MailState::Queued),
    );
    done.mail_id = Some(id);
    app.screens = vec![Screen::Done(done)];
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

fn mail_state(app: &App) -> Option<MailState> {
    app.find::<DoneScreen>().unwrap().mail_state
}

#[test]
fn the_done_screen_says_sent_when_the_worker_reports_progress() {
    let (_d, mut app, id) = app_on_done_screen();
    let text = words(&app);
    assert!(
        text.contains("送信の順番を待っている"),
        "{}",
        screen_text(&app)
    );
    deliver(&app, id);
    // The state is read on a task thread, quietly (no 処理中), and then drawn.
    assert!(app.handle(AppEvent::MailProgress), "a read is under way");
    assert!(!app.is_busy(), "the member is not held up");
    assert!(app.wait_for_background(Duration::from_secs(10)));
    assert_eq!(mail_state(&app), Some(MailState::Sent));
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
    assert!(app.wait_for_background(Duration::from_secs(10)));
    assert_eq!(mail_state(&app), Some(MailState::Queued));
    // Time to look: it sees the mail was sent (by whichever process) and redraws.
    assert!(app.on_tick(now + MAIL_REFRESH + Duration::from_millis(10)));
    assert!(app.wait_for_background(Duration::from_secs(10)));
    assert_eq!(mail_state(&app), Some(MailState::Sent));
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
    assert_eq!(app.page(), Page::Menu);
    assert!(app.find::<DoneScreen>().is_none());
    assert!(!app.handle(AppEvent::MailProgress));
    app.reset_to_start();
    assert!(app.wait_for_task(Duration::from_secs(10)));
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
    assert!(app.handle(AppEvent::Task(7, TaskDone::Crashed)));
    assert!(!app.is_busy(), "the 処理中 box goes");
    assert_eq!(app.page(), Page::Done, "nothing entered is lost");
    assert_eq!(app.flash, Some(Msg::new("common.system_error")));
    let backend = TestBackend::new(80, 24);
    let mut terminal = Terminal::new(backend).unwrap();
    terminal.draw(|f| app.draw(f)).unwrap();
    let text = terminal.backend().to_string();
    assert!(text.contains("システムエラー"), "{text}");
    app.on_key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE));
    assert_eq!(app.flash, None);
}

#[test]
fn a_stale_result_finds_no_screen_and_changes_nothing() {
    let (_dir, mut app, _) = app_on_done_screen();
    // A quiet lookup of a screen that is gone (the member moved on) is dropped.
    app.perform(Action::Task(
        Task::new(
            |_| 1,
            |_: &mut crate::tui::screens::details::DetailsScreen, _: i32, _| Action::Back,
        )
        .quiet(),
    ));
    assert!(app.wait_for_background(Duration::from_secs(10)));
    assert_eq!(app.pages(), vec![Page::Done]);
}

/// The navigation table binds the running app, not only its own tests: a move it does not list
/// (from the done screen straight to the forgotten password) is refused, and a debug build stops.
#[test]
#[should_panic(expected = "is not in the navigation table")]
fn a_move_outside_the_navigation_table_stops_a_debug_build() {
    let (_dir, mut app, _) = app_on_done_screen();
    let forgot = crate::tui::screens::forgot::ForgotScreen::new();
    app.perform(Action::Open(crate::tui::screens::Screen::Forgot(forgot)));
}

/// A move the table lists is made (the same app, the same kind of change).
#[test]
fn a_move_in_the_navigation_table_is_made() {
    let (_dir, mut app, _) = app_on_done_screen();
    let menu = crate::tui::screens::menu::MenuScreen::new("yamada2026");
    app.perform(Action::Open(crate::tui::screens::Screen::Menu(menu)));
    assert_eq!(app.pages(), vec![Page::Done, Page::Menu]);
}
