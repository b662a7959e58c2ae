//! Incremental redraws that leave nothing behind where a wide character was split.
//!
//! ratatui sends only the cells that changed since the previous frame (`Buffer::diff`), and it keeps
//! a wide character in its first cell with a blank, default-styled cell after it. When a frame
//! writes over one half of a wide character that the previous frame left on screen (a new wide
//! character one column to its left, or a narrow one over its first half), the terminal erases the
//! other half itself: xterm (and the vt100 emulator the tests read) in the colours of that write,
//! other terminals in their default colours or not at all. If that cell is blank in both frames,
//! the diff skips it, and the terminal keeps whatever the erase left: on STEP3 the cell after
//! 「保険者番号（8桁）」 (where the login screen had 「方」 one column further right) kept the
//! focused label's yellow after the focus left. tmux erases with the default colours, so its copy
//! of the screen looked right.
//!
//! ratatui 0.30.2 mends only the case of a styled wide character replaced by a narrower one in the
//! same cell (ratatui#2585, fixed by #2587), judged by the old character's background, not the
//! colours of the write that splits it; ratatui#2652 (style-only changes, fixed by #2743, after
//! 0.30.2) and ratatui#2738 (stale ink after CJK scrolling) are the same family. Until a release
//! covers this, [`mend`] marks each half the terminal will erase by itself `AlwaysUpdate`, so the
//! diff sends it again after the write; [`Frames`] keeps the previous frame for it. Drop both once
//! ratatui's diff sends these cells itself.

use ratatui::Frame;
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::buffer::{Buffer, CellDiffOption, CellWidth};

/// Marks in `next` every cell that held the right part of a wide character in `prev` whose first
/// cell `next` changes, so the diff sends it even though it is blank in both frames. Cells the
/// diff already treats specially (a measured letter's skipped second cell, see
/// [`crate::tui::symbols::reserve_wide`]) are left as they are. Frames of different areas (a
/// resize clears the screen) need nothing.
pub fn mend(prev: &Buffer, next: &mut Buffer) {
    if prev.area != next.area || prev.area.width == 0 {
        return;
    }
    let width = prev.area.width as usize;
    for (old, new) in prev
        .content
        .chunks(width)
        .zip(next.content.chunks_mut(width))
    {
        let mut x = 0;
        while x < width {
            let cell = &old[x];
            let span = match cell.diff_option {
                CellDiffOption::Skip => 1,
                _ => usize::from(cell.cell_width()).max(1),
            };
            if span > 1 && new[x] != *cell {
                for tail in &mut new[x + 1..(x + span).min(width)] {
                    if tail.diff_option == CellDiffOption::None {
                        tail.set_diff_option(CellDiffOption::AlwaysUpdate);
                    }
                }
            }
            x += span;
        }
    }
}

/// The frame on screen, for [`mend`]ing the next one.
#[derive(Default)]
pub struct Frames {
    shown: Option<Buffer>,
}

impl Frames {
    /// Draws a frame with `render`, mended against the one on screen.
    pub fn draw<B: Backend>(
        &mut self,
        terminal: &mut Terminal<B>,
        render: impl FnOnce(&mut Frame<'_>),
    ) -> Result<(), B::Error> {
        let shown = self.shown.take();
        let done = terminal.draw(|f| {
            render(f);
            if let Some(prev) = &shown {
                mend(prev, f.buffer_mut());
            }
        })?;
        let mut kept = shown.unwrap_or_default();
        kept.clone_from(done.buffer);
        self.shown = Some(kept);
        Ok(())
    }

    /// The screen was cleared (and ratatui's back buffer reset): nothing is left to split.
    pub fn forget(&mut self) {
        self.shown = None;
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use ratatui::backend::CrosstermBackend;
    use ratatui::layout::Rect;
    use ratatui::style::{Color, Style};
    use ratatui::{TerminalOptions, Viewport};

    use super::*;

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    const YELLOW: Style = Style::new().bg(Color::Indexed(220));

    /// Draws `frames` (text and style from column 0, each on a blank row) incrementally, as the
    /// runtime does, into an emulator that erases a split wide character in the current colours
    /// (as xterm does); returns the emulator's background of each column of the row.
    fn shown(frames: &[(&str, Style)], mended: bool) -> Vec<vt100::Color> {
        let area = Rect::new(0, 0, 8, 1);
        let out = Shared::default();
        let mut term = Terminal::with_options(
            CrosstermBackend::new(out.clone()),
            TerminalOptions {
                viewport: Viewport::Fixed(area),
            },
        )
        .unwrap();
        let mut frames_kept = Frames::default();
        for (text, style) in frames {
            let render = |f: &mut Frame<'_>| {
                f.buffer_mut().set_string(0, 0, text, *style);
            };
            if mended {
                frames_kept.draw(&mut term, render).unwrap();
            } else {
                term.draw(render).unwrap();
            }
        }
        let mut vt = vt100::Parser::new(1.try_into().unwrap(), 8.try_into().unwrap(), 0);
        vt.process(&out.0.lock().unwrap());
        (0..8)
            .map(|x| vt.screen().cell(0, x).unwrap().bgcolor())
            .collect()
    }

    const DEFAULT: vt100::Color = vt100::Color::Default;

    #[test]
    fn a_wide_character_one_column_left_of_an_old_one_leaves_no_colour_behind() {
        // 「ab方」 then the focused 「a）」 (its second half over 方's first), then 「a）」 unfocused.
        let frames = [
            ("ab方", Style::new()),
            ("a）", YELLOW),
            ("a）", Style::new()),
        ];
        let unmended = shown(&frames, false);
        assert_eq!(
            unmended[3],
            vt100::Color::Idx(220),
            "the emulator models xterm's erase"
        );
        assert_eq!(shown(&frames, true), vec![DEFAULT; 8]);
    }

    #[test]
    fn a_narrow_character_over_a_wide_one_leaves_no_colour_behind() {
        // A lit key 「x」 written over the first half of 「和」, then unlit.
        let frames = [("a和", Style::new()), ("ax", YELLOW), ("ax", Style::new())];
        assert_eq!(shown(&frames, false)[2], vt100::Color::Idx(220));
        assert_eq!(shown(&frames, true), vec![DEFAULT; 8]);
    }

    #[test]
    fn unchanged_and_restyled_wide_characters_send_nothing_more() {
        let area = Rect::new(0, 0, 6, 1);
        let mut prev = Buffer::empty(area);
        prev.set_string(0, 0, "方方", Style::new());
        let mut next = prev.clone();
        mend(&prev, &mut next);
        assert_eq!(
            prev.diff(&next).len(),
            0,
            "an unchanged frame sends nothing"
        );
        let mut next = Buffer::empty(area);
        next.set_string(0, 0, "方方", YELLOW);
        mend(&prev, &mut next);
        // The restyled characters only: their second cells are covered by them.
        let xs: Vec<u16> = prev.diff(&next).iter().map(|(x, _, _)| *x).collect();
        assert_eq!(xs, vec![0, 2]);
    }

    #[test]
    fn a_measured_letters_second_cell_stays_skipped() {
        let area = Rect::new(0, 0, 4, 1);
        let mut prev = Buffer::empty(area);
        prev.set_string(0, 0, "方", Style::new());
        let mut next = Buffer::empty(area);
        next.set_string(0, 0, "αx", Style::new());
        next[(0, 0)].set_diff_option(CellDiffOption::ForcedWidth(2.try_into().unwrap()));
        next[(1, 0)].set_diff_option(CellDiffOption::Skip);
        mend(&prev, &mut next);
        assert_eq!(next[(1, 0)].diff_option, CellDiffOption::Skip);
    }
}
