//! Issue 12: the checks that the snapshot hook (`support::looks::check`) runs on every screen find
//! what they look for, so a screen that breaks a rule fails.

use kosmo_kiosk::config::Theme;
use kosmo_kiosk::domain::Lang;
use kosmo_kiosk::tui::look::Look;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};

use crate::support::looks::{ambiguous_cells, coloured_cells, draw, low_contrast_cells, text};
use crate::support::rig::Rig;

#[test]
fn the_narrow_start_screen_holds_what_breaks_a_wide_terminal_and_the_wide_one_not() {
    let rig = Rig::new(Lang::Ja);
    let narrow = draw(&rig.app, Look::new(Theme::Auto, false), 80, 24);
    let bad: String = ambiguous_cells(&narrow).into_iter().map(|c| c.2).collect();
    assert!(bad.contains('─'), "the header rule: {bad:?}");
    assert!(
        bad.contains('↓') && bad.contains('↑'),
        "the key hints: {bad:?}"
    );

    let wide = draw(&rig.app, Look::new(Theme::Auto, true), 80, 24);
    assert_eq!(ambiguous_cells(&wide), Vec::new(), "{}", text(&wide));
    let shown = text(&wide);
    assert!(shown.contains("-----"), "{shown}");
    assert!(shown.contains("Tab/\u{FFEC}:次へ"), "{shown}");
    // The same words, only the marks differ.
    assert_eq!(
        text(&narrow).replace(['↓', '↑', '─'], ""),
        shown.replace(['\u{FFEC}', '\u{FFEA}', '-'], "")
    );
}

#[test]
fn colour_is_found_in_the_colour_themes_and_not_in_mono() {
    let rig = Rig::new(Lang::En);
    for theme in [Theme::Auto, Theme::Dark, Theme::Light, Theme::HighContrast] {
        let buf = draw(&rig.app, Look::new(theme, false), 80, 24);
        assert!(!coloured_cells(&buf).is_empty(), "{theme:?}");
    }
    let mono = draw(&rig.app, Look::new(Theme::Mono, false), 80, 24);
    assert_eq!(coloured_cells(&mono), Vec::new());
    // Focus is still told apart: the marker and the reversed box.
    let t = text(&mono);
    assert!(t.lines().any(|l| l.starts_with("> User ID")), "{t}");
}

#[test]
fn the_contrast_check_refuses_what_the_issue_found() {
    // The old theme: light yellow focus and white labels without a background.
    let mut buf = Buffer::empty(Rect::new(0, 0, 4, 1));
    buf.set_string(0, 0, "ab", Style::new().fg(Color::LightYellow));
    buf.set_string(2, 0, "cd", Style::new().fg(Color::White));
    let bad = low_contrast_cells(&buf, 4.5);
    assert_eq!(bad.len(), 4, "each on a white terminal: {bad:#?}");
    assert!(bad.iter().all(|b| b.contains("(255, 255, 255)")));
    // A background without a foreground: the terminal's own foreground may be white or black.
    let mut buf = Buffer::empty(Rect::new(0, 0, 2, 1));
    buf.set_string(0, 0, "x", Style::new().bg(Color::Indexed(25)));
    assert_eq!(low_contrast_cells(&buf, 4.5).len(), 1);
    // What the themes draw instead passes.
    buf.set_string(
        0,
        0,
        "x",
        Style::new().fg(Color::Indexed(231)).bg(Color::Indexed(25)),
    );
    assert!(low_contrast_cells(&buf, 4.5).is_empty());
}

/// Item 4: on a terminal larger than 80×24 the buttons are three rows tall (a tap on any of them
/// presses the button) and a blank row above a control is part of its tap target; at 80×24 the
/// same screen is as before.
#[test]
fn larger_screens_grow_buttons_and_tap_targets() {
    use crate::support::screen::{find, find_label};
    use kosmo_kiosk::tui::Page;

    let mut small = Rig::new(Lang::Ja);
    let s = small.draw();
    let (_, user_small) = find_label(&s, "ユーザID").unwrap();
    let (_, pass_small) = find_label(&s, "パスワード").unwrap();
    assert_eq!(pass_small - user_small, 1, "one field under the other\n{s}");

    let mut rig = Rig::with_options(crate::support::rig::options(Lang::Ja), 100, 30);
    let screen = rig.frame();
    let (_, user) = find_label(&screen, "ユーザID").unwrap();
    let (_, pass) = find_label(&screen, "パスワード").unwrap();
    assert_eq!(pass - user, 2, "a blank row between the fields\n{screen}");
    // The spacing row above パスワード focuses it.
    rig.tap_at(4, pass - 1);
    rig.type_text("x");
    let after = rig.draw();
    let line = after.lines().nth(pass as usize).unwrap();
    assert!(
        line.contains("[*"),
        "the password got the key: {line}\n{after}"
    );

    let (x, y) = find(&screen, "[ ログイン ]", 1).unwrap();
    let buf = crate::support::looks::draw(&rig.app, Look::new(Theme::Auto, false), 100, 30);
    for row in [y - 1, y, y + 1] {
        assert_eq!(
            buf[(x + 2, row)].bg,
            Color::Indexed(25),
            "row {row} of the button"
        );
    }
    assert_eq!(buf[(x + 2, y + 2)].bg, Color::Reset, "three rows, not more");
    // A tap on the button's top row presses it: an empty ID is asked for.
    rig.tap_at(x + 2, y - 1);
    rig.settle();
    rig.expect_page(Page::Login);
    let pressed = rig.draw();
    assert!(
        pressed.contains("ユーザIDとパスワードを入力してください"),
        "the login was tried\n{pressed}"
    );
}
