//! The focus colour leaves with the focus, in a terminal that erases a split wide character with the
//! current background (xterm does; so does the vt100 emulator these tests read).
//!
//! Where a frame writes over one half of a wide character the previous frame left on screen, the
//! terminal erases the other half itself, in the colours of that write. ratatui's diff skips the
//! erased cell when it is blank in both frames, so without the app's mending (`tui::redraw`) the
//! cell after 「保険者番号（8桁）」 on STEP3 (where the login screen had 「方」 one column further
//! right) kept the focused label's yellow after the focus left, on the kiosk and the staff console.

use vt100::Color;

use crate::support::pty::{Store, Term, key};
use crate::support::screen::find;

/// The focused label's background in the automatic theme (`theme::label_focused`, 256-colour 220).
const FOCUS_BG: Color = Color::Idx(220);

/// The cells (column, row) of the emulator's screen painted in the focus colour.
fn focus_cells(k: &Term) -> Vec<(u16, u16)> {
    let out = k.out.lock().unwrap();
    let screen = out.vt.screen();
    let (rows, cols) = screen.size();
    let mut found = Vec::new();
    for row in 0..rows.get() {
        for col in 0..cols.get() {
            if screen
                .cell(row, col)
                .is_some_and(|c| c.bgcolor() == FOCUS_BG)
            {
                found.push((col, row));
            }
        }
    }
    found
}

/// The kiosk on STEP3 with the focus moved from the insurer number to the birth date: only the
/// focused row shows the focus colour.
fn focus_leaves_the_insurer_label(config: &str) {
    let store = Store::prepare(config);
    let card = store.card("06139497-12-3402");
    let mut k = store.kiosk(&[]);
    k.wait_for(&["パスワードを忘れた方"]);
    k.keys(&[&card.temp_id, key::TAB, &card.password, key::ENTER]);
    k.wait_focus("保険者番号");
    k.keys(&[key::TAB]);
    let screen = k.wait_focus("生年月日");
    let focused_row = screen
        .lines()
        .position(|l| l.starts_with('>'))
        .expect("a focused row") as u16;
    let insurer_row = screen
        .lines()
        .position(|l| l.contains("保険者番号（8桁）"))
        .expect("the insurer row") as u16;
    let stale: Vec<_> = focus_cells(&k)
        .into_iter()
        .filter(|&(_, row)| row != focused_row)
        .collect();
    assert!(
        stale.is_empty(),
        "cells keep the focus colour after the focus left (row {insurer_row} is the insurer \
         number's): {stale:?}\n{screen}"
    );
    assert!(
        focus_cells(&k).iter().any(|&(_, row)| row == focused_row),
        "the focused row shows the focus colour"
    );
    k.stop();
}

#[test]
fn the_focus_colour_leaves_a_label_ending_in_a_wide_character_narrow() {
    focus_leaves_the_insurer_label("[kiosk]\nambiguous_width = \"narrow\"\n");
}

#[test]
fn the_focus_colour_leaves_a_label_ending_in_a_wide_character_wide() {
    focus_leaves_the_insurer_label("[kiosk]\nambiguous_width = \"wide\"\n");
}

/// The birth-date picker (`touch_keyboard = "always"`): a tap moves the lit era key from 昭和 to
/// 平成, and only the lit key and the focused field show the focus colour.
fn the_lit_era_key_moves(config: &str) {
    let store = Store::prepare(config);
    let card = store.card("06139497-12-3402");
    let mut k = store.kiosk(&[]);
    k.wait_for(&["ユーザID", "[ 閉じる ]"]);
    k.keys(&[&card.temp_id, key::TAB, &card.password, key::ENTER]);
    k.wait_focus("保険者番号");
    k.keys(&["06139497", key::TAB]);
    k.wait_for(&["> 昭和 <", "[ 平成 ]"]);
    k.tap("[ 平成 ]");
    let screen = k.wait_for(&["> 平成 <", "[ 昭和 ]"]);
    let (start, era_row) = find(&screen, "> 平成 <", 1).expect("the lit key");
    let end = start + 8;
    let focused_row = screen
        .lines()
        .position(|l| l.starts_with('>'))
        .expect("a focused row") as u16;
    let stale: Vec<_> = focus_cells(&k)
        .into_iter()
        .filter(|&(col, row)| {
            row != focused_row && !(row == era_row && (start..end).contains(&col))
        })
        .collect();
    assert!(
        stale.is_empty(),
        "cells keep the focus colour off the lit key (row {era_row}, columns {start}..{end}): \
         {stale:?}\n{screen}"
    );
    k.stop();
}

#[test]
fn the_focus_colour_leaves_the_unlit_era_key_narrow() {
    the_lit_era_key_moves("[kiosk]\nambiguous_width = \"narrow\"\ntouch_keyboard = \"always\"\n");
}

#[test]
fn the_focus_colour_leaves_the_unlit_era_key_wide() {
    the_lit_era_key_moves("[kiosk]\nambiguous_width = \"wide\"\ntouch_keyboard = \"always\"\n");
}
