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
