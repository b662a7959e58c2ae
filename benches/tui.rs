//! How long the kiosk takes from a key press to the redrawn frame, and from [実行] to the done screen.
//!
//! `cargo bench --bench tui`. The real `App` on a real SQLite store in a temp dir (see
//! `tests/support/rig.rs`), drawn to a ratatui `TestBackend` at 80×24: what is measured is
//! `App::handle` of one key plus drawing the frame (layout, wrapping, widgets), the work the
//! runtime does per key before writing the changed cells to the terminal.

#[path = "../tests/support/fixture.rs"]
mod fixture;
#[path = "../tests/support/households.rs"]
mod households;
#[allow(dead_code)]
#[path = "../tests/support/looks.rs"]
mod looks;
#[path = "../tests/support/rig.rs"]
mod rig;
#[path = "../tests/support/screen.rs"]
mod screen;
#[path = "../tests/support/state.rs"]
mod state;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, SamplingMode, criterion_group, criterion_main};
use kosmo_kiosk::domain::Lang;
use kosmo_kiosk::tui::Page;
use kosmo_kiosk::tui::{App, AppEvent};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use rig::{Rig, SATO};

fn key(code: KeyCode) -> AppEvent {
    AppEvent::Term(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn terminal() -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(80, 24)).expect("terminal")
}

/// One key through the app and one frame drawn; returns the time taken.
fn press_and_draw(app: &mut App, term: &mut Terminal<TestBackend>, code: KeyCode) -> Duration {
    let start = Instant::now();
    let redraw = app.handle(key(code));
    if redraw {
        term.draw(|f| app.draw(f)).expect("draw");
    }
    start.elapsed()
}

fn login_rig() -> Rig {
    Rig::new(Lang::Ja)
}

fn identity_rig() -> Rig {
    let mut rig = Rig::new(Lang::Ja);
    let card = rig.card(SATO);
    let (id, pw) = (card.temp_id.clone(), card.password.clone());
    rig.type_text(&id);
    rig.key(KeyCode::Tab);
    rig.type_text(&pw);
    rig.keys(&[KeyCode::Enter, KeyCode::Enter]);
    rig.settle();
    rig.expect_page(Page::Identity);
    rig
}

fn details_rig() -> Rig {
    let mut rig = identity_rig();
    rig.type_text("06139497");
    rig.key(KeyCode::Tab);
    rig.type_text("S55.1.1");
    rig.key(KeyCode::Tab);
    rig.key(KeyCode::Char(' '));
    rig.keys(&[KeyCode::Enter, KeyCode::Enter]);
    rig.settle();
    rig.expect_page(Page::Details);
    rig
}

fn confirm_rig() -> Rig {
    let mut rig = details_rig();
    rig.type_text("sato1980");
    rig.key(KeyCode::Tab);
    rig.type_text("Kosmo2026pw");
    rig.key(KeyCode::Tab);
    rig.type_text("Kosmo2026pw");
    rig.key(KeyCode::Tab);
    rig.type_text("sato@example.com");
    rig.keys(&[KeyCode::Tab, KeyCode::Tab, KeyCode::Tab, KeyCode::Enter]);
    rig.expect_page(Page::Confirm);
    rig
}

/// Typing: a character into a text field and its frame (the Backspace that keeps the field from
/// filling up is not timed).
fn bench_typing(c: &mut Criterion, name: &str, mut rig: Rig) {
    let mut term = terminal();
    term.draw(|f| rig.app.draw(f)).expect("draw");
    c.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                total += press_and_draw(&mut rig.app, &mut term, KeyCode::Char('5'));
                black_box(press_and_draw(&mut rig.app, &mut term, KeyCode::Backspace));
            }
            total
        })
    });
}

/// Moving the focus: Tab (leaving a field validates it) and its frame.
fn bench_tab(c: &mut Criterion, name: &str, mut rig: Rig) {
    let mut term = terminal();
    term.draw(|f| rig.app.draw(f)).expect("draw");
    c.bench_function(name, |b| {
        b.iter(|| black_box(press_and_draw(&mut rig.app, &mut term, KeyCode::Tab)))
    });
}

fn keys(c: &mut Criterion) {
    bench_typing(c, "key_to_frame/login_type", login_rig());
    bench_tab(c, "key_to_frame/login_tab", login_rig());
    let mut identity = identity_rig();
    identity.key(KeyCode::Tab);
    bench_typing(c, "key_to_frame/identity_type_birth_date", identity);
    bench_tab(c, "key_to_frame/identity_tab", identity_rig());
    let mut scroll = identity_rig();
    let mut term = terminal();
    c.bench_function("key_to_frame/identity_page_down_up", |b| {
        b.iter(|| {
            black_box(press_and_draw(
                &mut scroll.app,
                &mut term,
                KeyCode::PageDown,
            ));
            black_box(press_and_draw(&mut scroll.app, &mut term, KeyCode::PageUp));
        })
    });
    bench_typing(c, "key_to_frame/details_type", details_rig());
    let mut details = details_rig();
    details.type_text("sato1980");
    bench_tab(c, "key_to_frame/details_tab", details);
}

/// [実行]: the key, argon2id hashing of the new password on the task thread, the one transaction,
/// and the done screen's frame.
fn execute(c: &mut Criterion) {
    let mut group = c.benchmark_group("execute_to_done");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    group.bench_function("ja_80x24", |b| {
        b.iter_batched(
            || (confirm_rig(), terminal()),
            |(mut rig, mut term)| {
                rig.app.handle(key(KeyCode::Enter));
                assert!(rig.app.wait_for_task(Duration::from_secs(30)));
                term.draw(|f| rig.app.draw(f)).expect("draw");
                assert_eq!(rig.app.page(), Page::Done);
                rig
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, keys, execute);
criterion_main!(benches);
