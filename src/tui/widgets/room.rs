//! Larger screens use their size: on a terminal taller than the 80×24 minimum (a kiosk runs a
//! large font at about 100×30 or 120×40) the rows left over go to the controls rather than to
//! empty space at the bottom: buttons three rows tall first, then a blank row above each control,
//! which also joins that control's tap target. At 80×24 nothing changes. A pure function of the
//! rows and the area, used by `page::layout`, so drawing and tapping agree.

use ratatui::layout::Rect;

use super::page::Row;

/// Body rows of the smallest terminal (80×24 less the header and the footer): no growth there.
pub const BASE_ROWS: u16 = 20;
/// Height of a button when there is room.
pub const TALL_BUTTON: u16 = 3;
/// Rows the terms panel keeps before anything else grows.
const PANEL_KEEPS: u16 = 10;

/// How the rows of a screen grow.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Growth {
    /// Height of each row of buttons (1, or [`TALL_BUTTON`]).
    pub button_rows: u16,
    /// Blank rows put above each row (a control's spacing).
    pub above: Vec<u16>,
}

impl Growth {
    fn none(rows: usize) -> Growth {
        Growth {
            button_rows: 1,
            above: vec![0; rows],
        }
    }
}

/// The growth of `rows` with `heights` (as fitted) in `area`.
pub fn grow(rows: &[Row], heights: &[u16], area: Rect) -> Growth {
    let mut g = Growth::none(rows.len());
    if area.height <= BASE_ROWS {
        return g;
    }
    let has_panel = rows.iter().any(|r| matches!(r, Row::Panel { .. }));
    let used: u16 = heights.iter().sum::<u16>() + if has_panel { PANEL_KEEPS } else { 0 };
    let mut spare = area.height.saturating_sub(used);
    let button_rows = rows
        .iter()
        .zip(heights)
        .filter(|(r, h)| matches!(r, Row::Buttons(_)) && **h > 0)
        .count() as u16;
    if button_rows > 0 && spare >= button_rows * (TALL_BUTTON - 1) {
        g.button_rows = TALL_BUTTON;
        spare -= button_rows * (TALL_BUTTON - 1);
    }
    // A blank row above every control that does not already follow a blank row or start the
    // screen; all of them or none, so the screen stays even.
    let spaced: Vec<usize> = (1..rows.len())
        .filter(|&k| matches!(rows[k], Row::Control(_)) && heights[k] > 0)
        .filter(|&k| {
            let prev = (0..k).rev().find(|&j| heights[j] > 0);
            prev.is_some_and(|j| !matches!(rows[j], Row::Blank))
        })
        .collect();
    if !spaced.is_empty() && spare >= spaced.len() as u16 {
        for k in spaced {
            g.above[k] = 1;
        }
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<Row> {
        vec![
            Row::Blank,
            Row::Control(0),
            Row::Note(0),
            Row::Control(1),
            Row::Note(1),
            Row::Blank,
            Row::Buttons(vec![2, 3]),
        ]
    }

    #[test]
    fn nothing_grows_at_the_minimum_size() {
        let r = rows();
        let h = vec![1; r.len()];
        assert_eq!(grow(&r, &h, Rect::new(0, 3, 80, 20)), Growth::none(r.len()));
    }

    #[test]
    fn buttons_first_then_spacing_all_or_nothing() {
        let mut r = rows();
        r.insert(0, Row::Text(String::new(), ratatui::style::Style::new()));
        let mut h = vec![1; r.len()];
        h[0] = 12; // 19 rows used
        let g = grow(&r, &h, Rect::new(0, 3, 80, 21));
        assert_eq!(g.button_rows, TALL_BUTTON, "2 spare rows: the buttons");
        assert_eq!(
            g.above.iter().sum::<u16>(),
            0,
            "no row left for the spacing"
        );
        let g = grow(&r, &h, Rect::new(0, 3, 80, 22));
        assert_eq!(g.button_rows, TALL_BUTTON);
        // One control follows a note; the first follows a blank row.
        assert_eq!(g.above, [0, 0, 0, 0, 1, 0, 0, 0]);
    }

    #[test]
    fn the_terms_panel_keeps_its_rows() {
        let mut r = rows();
        r.insert(
            1,
            Row::Panel {
                title: String::new(),
                lines: Vec::new(),
                scroll: 0,
            },
        );
        let mut h = vec![1; r.len()];
        h[1] = 0;
        h[0] = 3; // 9 rows and the panel's 10
        let g = grow(&r, &h, Rect::new(0, 3, 80, 21));
        assert_eq!(g.button_rows, TALL_BUTTON);
        assert_eq!(
            g.above.iter().sum::<u16>(),
            0,
            "the panel keeps its ten rows"
        );
        // The same rows without the panel would have had room for the spacing too.
        r.remove(1);
        h.remove(1);
        let g = grow(&r, &h, Rect::new(0, 3, 80, 21));
        assert_eq!(g.above.iter().sum::<u16>(), 1);
    }
}
