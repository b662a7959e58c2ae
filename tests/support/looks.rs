//! Every look of a screen: the app's current state drawn again in each theme, with East Asian
//! Ambiguous characters narrow and wide, and checked for what issue 12 promises. The snapshot
//! helpers of the `screens` suite call [`check`] for every screen they record, so every screen of
//! the member wizard, the account area and the staff console is checked in every look.
//!
//! * Wide: no cell holds an East Asian Ambiguous character (`unicode-width`'s `width` ≠
//!   `width_cjk`, or East Asian Width `A` in the Unicode data), except a measured letter the
//!   layout counted as two cells (its cell is marked `ForcedWidth(2)`).
//! * Mono: no cell has a colour.
//! * Contrast: every cell that shows a character, on a white and on a black terminal (xterm's
//!   palette for indexed colours), at least 4.5:1 (7:1 for high contrast).

use kosmo_kiosk::config::Theme;
use kosmo_kiosk::tui::App;
use kosmo_kiosk::tui::look::{self, Look, THEMES};
use kosmo_kiosk::tui::symbols::has_ambiguous;
use kosmo_kiosk::tui::theme::contrast::{self, BLACK_TERMINAL, WHITE_TERMINAL};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::{Buffer, CellDiffOption};
use ratatui::style::Color;
use unicode_width::UnicodeWidthStr;

/// Draws `app` as it is now in `look` at `width`×`height`.
pub fn draw(app: &App, look: Look, width: u16, height: u16) -> Buffer {
    let mut term = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    look::with(look, || {
        term.draw(|f| app.draw(f)).expect("draw");
    });
    term.backend().buffer().clone()
}

/// The buffer as text, for failure messages.
pub fn text(buf: &Buffer) -> String {
    super::screen::text(buf)
}

/// Cells that would break the row on a terminal drawing ambiguous characters two cells wide.
pub fn ambiguous_cells(buf: &Buffer) -> Vec<(u16, u16, String)> {
    let w = buf.area.width;
    let mut bad = Vec::new();
    for (i, c) in buf.content.iter().enumerate() {
        let s = c.symbol();
        let ambiguous =
            UnicodeWidthStr::width(s) != UnicodeWidthStr::width_cjk(s) || has_ambiguous(s);
        let counted_two = matches!(c.diff_option, CellDiffOption::ForcedWidth(n) if n.get() == 2);
        if ambiguous && !counted_two {
            bad.push((i as u16 % w, i as u16 / w, s.to_string()));
        }
    }
    bad
}

/// Cells with a colour (for the monochrome themes).
pub fn coloured_cells(buf: &Buffer) -> Vec<(u16, u16, Color, Color)> {
    let w = buf.area.width;
    buf.content
        .iter()
        .enumerate()
        .filter(|(_, c)| c.fg != Color::Reset || c.bg != Color::Reset)
        .map(|(i, c)| (i as u16 % w, i as u16 / w, c.fg, c.bg))
        .collect()
}

/// Cells showing a character whose contrast is below `need` on a white or a black terminal.
pub fn low_contrast_cells(buf: &Buffer, need: f64) -> Vec<String> {
    let w = buf.area.width;
    let mut bad = Vec::new();
    for (i, c) in buf.content.iter().enumerate() {
        if c.symbol().trim().is_empty() {
            continue;
        }
        for (dfg, dbg) in [WHITE_TERMINAL, BLACK_TERMINAL] {
            let (f, b) = contrast::shown(c.fg, c.bg, c.modifier, dfg, dbg);
            let r = contrast::ratio(f, b);
            if r < need {
                bad.push(format!(
                    "({}, {}) {:?}: {:?} on {:?} = {r:.2}:1 on a terminal {dfg:?} on {dbg:?}",
                    i as u16 % w,
                    i as u16 / w,
                    c.symbol(),
                    c.fg,
                    c.bg
                ));
            }
        }
    }
    bad
}

/// Draws `app` in every theme, narrow and wide, and checks each frame (see the module notes).
pub fn check(app: &App, width: u16, height: u16) {
    for theme in THEMES {
        for wide in [false, true] {
            let look = Look::new(theme, wide);
            let buf = draw(app, look, width, height);
            let fail = |what: String| -> ! {
                panic!("{look:?}: {what}\n{}", text(&buf));
            };
            if wide {
                let bad = ambiguous_cells(&buf);
                if !bad.is_empty() {
                    fail(format!(
                        "ambiguous characters a wide terminal draws in two cells: {bad:?}"
                    ));
                }
            }
            if theme == Theme::Mono {
                let bad = coloured_cells(&buf);
                if !bad.is_empty() {
                    fail(format!(
                        "colour in the monochrome theme: {:?}",
                        &bad[..bad.len().min(5)]
                    ));
                }
            }
            let need = if theme == Theme::HighContrast {
                7.0
            } else {
                4.5
            };
            let bad = low_contrast_cells(&buf, need);
            if !bad.is_empty() {
                fail(format!(
                    "text below {need}:1: {:?}",
                    &bad[..bad.len().min(5)]
                ));
            }
        }
    }
}
