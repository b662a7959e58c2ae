//! Colours and styles, one table per theme (`[kiosk] theme`). Every state is also shown by a mark or
//! bracket (`>`, `!`, `[x]`, `>[ … ]<`), so nothing depends on colour alone.
//!
//! The rule that keeps every theme legible on a white and on a black terminal (WCAG AA, 4.5:1, checked
//! by tests over the tables and over every drawn cell): text without a background uses the
//! terminal's own foreground, and whatever has a background sets its foreground too. The `dark`,
//! `light` and `high-contrast` themes paint their own background ([`base`]), so there the pairs are
//! fixed. Colours are indexes of the 256-colour cube and grey ramp (16–255), which terminals rarely
//! remap, unlike the 16 named colours that user palettes (Solarized…) change.

use ratatui::style::{Color, Modifier, Style};

use crate::config::Theme;
use crate::tui::look;

/// Every style the screens use, for one theme.
#[derive(Debug, Clone, Copy)]
pub struct Styles {
    /// Painted under everything (the themes with their own background); empty otherwise.
    pub base: Style,
    pub title: Style,
    pub brand: Style,
    pub dim: Style,
    pub label: Style,
    pub label_focused: Style,
    pub input: Style,
    pub input_focused: Style,
    pub error: Style,
    pub ok: Style,
    pub info: Style,
    pub button: Style,
    pub button_focused: Style,
    pub button_disabled: Style,
    pub step_done: Style,
    pub step_current: Style,
    pub step_future: Style,
    pub panel_border: Style,
    pub warning_banner: Style,
    pub busy: Style,
    pub key_hint: Style,
}

const fn ix(i: u8) -> Option<Color> {
    Some(Color::Indexed(i))
}

const fn st(fg: Option<Color>, bg: Option<Color>, m: Modifier) -> Style {
    Style {
        fg,
        bg,
        underline_color: None,
        add_modifier: m,
        sub_modifier: Modifier::empty(),
    }
}

const NONE: Modifier = Modifier::empty();
const BOLD: Modifier = Modifier::BOLD;
const BLACK: u8 = 16; // #000000
const WHITE: u8 = 231; // #ffffff
const BLUE: u8 = 25; // #005faf
const YELLOW: u8 = 220; // #ffd700
const DARK_RED: u8 = 124; // #af0000

/// The terminal's own colours: plain text in its foreground, coloured things as chips that set both
/// colours (white on blue, black on yellow, white on dark red).
const AUTO: Styles = Styles {
    base: st(None, None, NONE),
    title: st(None, None, BOLD),
    brand: st(ix(WHITE), ix(BLUE), BOLD),
    dim: st(None, None, NONE),
    label: st(None, None, NONE),
    label_focused: st(ix(BLACK), ix(YELLOW), BOLD),
    input: st(ix(BLACK), ix(252), NONE),
    input_focused: st(ix(BLACK), ix(YELLOW), NONE),
    error: st(ix(WHITE), ix(DARK_RED), BOLD),
    ok: st(ix(BLACK), ix(151), NONE),
    info: st(None, None, NONE),
    button: st(ix(WHITE), ix(BLUE), NONE),
    button_focused: st(ix(BLACK), ix(YELLOW), BOLD),
    button_disabled: st(ix(238), ix(250), NONE),
    step_done: st(None, None, NONE),
    step_current: st(ix(WHITE), ix(BLUE), BOLD),
    step_future: st(None, None, NONE),
    panel_border: st(None, None, NONE),
    warning_banner: st(ix(BLACK), ix(YELLOW), BOLD),
    busy: st(ix(WHITE), ix(BLUE), BOLD),
    key_hint: st(None, None, NONE),
};

/// Light text on a dark grey the kiosk paints itself.
const DARK: Styles = Styles {
    base: st(ix(255), ix(235), NONE),
    title: st(ix(WHITE), None, BOLD),
    brand: st(ix(117), None, BOLD),
    dim: st(ix(250), None, NONE),
    label: st(ix(255), None, NONE),
    label_focused: st(ix(YELLOW), None, BOLD),
    input: st(ix(255), ix(238), NONE),
    input_focused: st(ix(BLACK), ix(YELLOW), NONE),
    error: st(ix(210), None, BOLD),
    ok: st(ix(114), None, NONE),
    info: st(ix(250), None, NONE),
    button: st(ix(WHITE), ix(BLUE), NONE),
    button_focused: st(ix(BLACK), ix(YELLOW), BOLD),
    button_disabled: st(ix(250), ix(237), NONE),
    step_done: st(ix(114), None, NONE),
    step_current: st(ix(BLACK), ix(117), BOLD),
    step_future: st(ix(250), None, NONE),
    panel_border: st(ix(117), None, NONE),
    warning_banner: st(ix(BLACK), ix(YELLOW), BOLD),
    busy: st(ix(BLACK), ix(117), BOLD),
    key_hint: st(ix(250), None, NONE),
};

/// Black text on a white background the kiosk paints itself.
const LIGHT: Styles = Styles {
    base: st(ix(BLACK), ix(WHITE), NONE),
    title: st(ix(BLACK), None, BOLD),
    brand: st(ix(BLUE), None, BOLD),
    dim: st(ix(240), None, NONE),
    label: st(ix(BLACK), None, NONE),
    label_focused: st(ix(BLACK), ix(YELLOW), BOLD),
    input: st(ix(BLACK), ix(253), NONE),
    input_focused: st(ix(BLACK), ix(YELLOW), NONE),
    error: st(ix(DARK_RED), None, BOLD),
    ok: st(ix(22), None, NONE),
    info: st(ix(240), None, NONE),
    button: st(ix(WHITE), ix(BLUE), NONE),
    button_focused: st(ix(BLACK), ix(YELLOW), BOLD),
    button_disabled: st(ix(238), ix(250), NONE),
    step_done: st(ix(22), None, NONE),
    step_current: st(ix(WHITE), ix(BLUE), BOLD),
    step_future: st(ix(240), None, NONE),
    panel_border: st(ix(BLUE), None, NONE),
    warning_banner: st(ix(WHITE), ix(DARK_RED), BOLD),
    busy: st(ix(WHITE), ix(BLUE), BOLD),
    key_hint: st(ix(240), None, NONE),
};

/// White on black, yellow focus, no grey: 7:1 or more everywhere.
const HIGH_CONTRAST: Styles = Styles {
    base: st(ix(WHITE), ix(BLACK), NONE),
    title: st(ix(WHITE), None, BOLD),
    brand: st(ix(226), None, BOLD),
    dim: st(ix(WHITE), None, NONE),
    label: st(ix(WHITE), None, BOLD),
    label_focused: st(ix(BLACK), ix(226), BOLD),
    input: st(ix(BLACK), ix(WHITE), BOLD),
    input_focused: st(ix(BLACK), ix(226), BOLD),
    error: st(ix(WHITE), ix(88), BOLD),
    ok: st(ix(120), None, BOLD),
    info: st(ix(WHITE), None, NONE),
    button: st(ix(BLACK), ix(WHITE), BOLD),
    button_focused: st(ix(BLACK), ix(226), BOLD),
    button_disabled: st(ix(WHITE), ix(BLACK), NONE),
    step_done: st(ix(120), None, BOLD),
    step_current: st(ix(BLACK), ix(226), BOLD),
    step_future: st(ix(WHITE), None, NONE),
    panel_border: st(ix(WHITE), None, NONE),
    warning_banner: st(ix(BLACK), ix(226), BOLD),
    busy: st(ix(BLACK), ix(226), BOLD),
    key_hint: st(ix(WHITE), None, NONE),
};

/// No colour at all (`NO_COLOR`, `theme = "mono"`): bold, underline and reverse only. Focus is
/// reversed and marked `>`, errors bold after `!`, an enabled button reversed, a disabled one not.
const MONO: Styles = {
    const REV: Modifier = Modifier::REVERSED;
    const UNDER: Modifier = Modifier::UNDERLINED;
    Styles {
        base: st(None, None, NONE),
        title: st(None, None, BOLD),
        brand: st(None, None, BOLD.union(REV)),
        dim: st(None, None, NONE),
        label: st(None, None, NONE),
        label_focused: st(None, None, BOLD.union(UNDER)),
        input: st(None, None, UNDER),
        input_focused: st(None, None, REV),
        error: st(None, None, BOLD),
        ok: st(None, None, BOLD),
        info: st(None, None, NONE),
        button: st(None, None, REV),
        button_focused: st(None, None, REV.union(BOLD).union(UNDER)),
        button_disabled: st(None, None, NONE),
        step_done: st(None, None, NONE),
        step_current: st(None, None, REV.union(BOLD)),
        step_future: st(None, None, NONE),
        panel_border: st(None, None, NONE),
        warning_banner: st(None, None, REV.union(BOLD)),
        busy: st(None, None, REV.union(BOLD)),
        key_hint: st(None, None, NONE),
    }
};

/// The table of `theme`.
pub fn styles_of(theme: Theme) -> &'static Styles {
    match theme {
        Theme::Auto => &AUTO,
        Theme::Dark => &DARK,
        Theme::Light => &LIGHT,
        Theme::Mono => &MONO,
        Theme::HighContrast => &HIGH_CONTRAST,
    }
}

/// The table in force (see [`look::current`]).
pub fn styles() -> &'static Styles {
    styles_of(look::current().theme)
}

pub fn base() -> Style {
    styles().base
}
pub fn title() -> Style {
    styles().title
}
pub fn brand() -> Style {
    styles().brand
}
pub fn text() -> Style {
    Style::new()
}
pub fn dim() -> Style {
    styles().dim
}
pub fn label() -> Style {
    styles().label
}
pub fn label_focused() -> Style {
    styles().label_focused
}
pub fn input() -> Style {
    styles().input
}
pub fn input_focused() -> Style {
    styles().input_focused
}
pub fn error() -> Style {
    styles().error
}
pub fn ok() -> Style {
    styles().ok
}
pub fn info() -> Style {
    styles().info
}
pub fn button() -> Style {
    styles().button
}
pub fn button_focused() -> Style {
    styles().button_focused
}
pub fn button_disabled() -> Style {
    styles().button_disabled
}
pub fn step_done() -> Style {
    styles().step_done
}
pub fn step_current() -> Style {
    styles().step_current
}
pub fn step_future() -> Style {
    styles().step_future
}
pub fn panel_border() -> Style {
    styles().panel_border
}
pub fn warning_banner() -> Style {
    styles().warning_banner
}
pub fn busy() -> Style {
    styles().busy
}
pub fn key_hint() -> Style {
    styles().key_hint
}

/// Paints the theme's own background and foreground into every cell that left them to the
/// terminal (nothing for the themes that use the terminal's colours).
pub fn paint_base(buf: &mut ratatui::buffer::Buffer) {
    let base = base();
    if base.fg.is_none() && base.bg.is_none() {
        return;
    }
    for cell in &mut buf.content {
        if let Some(fg) = base.fg
            && cell.fg == Color::Reset
        {
            cell.fg = fg;
        }
        if let Some(bg) = base.bg
            && cell.bg == Color::Reset
        {
            cell.bg = bg;
        }
    }
}

/// Colour arithmetic for the contrast rule: xterm's default palette and WCAG 2 contrast ratios.
pub mod contrast {
    use ratatui::style::{Color, Modifier};

    /// The colour xterm shows for `c` by default (its 16 named colours, the 6×6×6 cube and the grey
    /// ramp); `None` for `Reset` (the terminal's own colour).
    pub fn rgb(c: Color) -> Option<(u8, u8, u8)> {
        const NAMED: [(u8, u8, u8); 16] = [
            (0x00, 0x00, 0x00),
            (0xcd, 0x00, 0x00),
            (0x00, 0xcd, 0x00),
            (0xcd, 0xcd, 0x00),
            (0x00, 0x00, 0xee),
            (0xcd, 0x00, 0xcd),
            (0x00, 0xcd, 0xcd),
            (0xe5, 0xe5, 0xe5),
            (0x7f, 0x7f, 0x7f),
            (0xff, 0x00, 0x00),
            (0x00, 0xff, 0x00),
            (0xff, 0xff, 0x00),
            (0x5c, 0x5c, 0xff),
            (0xff, 0x00, 0xff),
            (0x00, 0xff, 0xff),
            (0xff, 0xff, 0xff),
        ];
        let indexed = |i: u8| -> (u8, u8, u8) {
            match i {
                0..=15 => NAMED[i as usize],
                16..=231 => {
                    let level = |v: u8| if v == 0 { 0 } else { 55 + 40 * v };
                    let n = i - 16;
                    (level(n / 36), level((n / 6) % 6), level(n % 6))
                }
                _ => {
                    let v = 8 + 10 * (i - 232);
                    (v, v, v)
                }
            }
        };
        Some(match c {
            Color::Reset => return None,
            Color::Black => NAMED[0],
            Color::Red => NAMED[1],
            Color::Green => NAMED[2],
            Color::Yellow => NAMED[3],
            Color::Blue => NAMED[4],
            Color::Magenta => NAMED[5],
            Color::Cyan => NAMED[6],
            Color::Gray => NAMED[7],
            Color::DarkGray => NAMED[8],
            Color::LightRed => NAMED[9],
            Color::LightGreen => NAMED[10],
            Color::LightYellow => NAMED[11],
            Color::LightBlue => NAMED[12],
            Color::LightMagenta => NAMED[13],
            Color::LightCyan => NAMED[14],
            Color::White => NAMED[15],
            Color::Rgb(r, g, b) => (r, g, b),
            Color::Indexed(i) => indexed(i),
        })
    }

    /// WCAG 2 relative luminance.
    pub fn luminance((r, g, b): (u8, u8, u8)) -> f64 {
        let lin = |v: u8| {
            let s = f64::from(v) / 255.0;
            if s <= 0.03928 {
                s / 12.92
            } else {
                ((s + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    }

    /// WCAG 2 contrast ratio of two colours (1 to 21).
    pub fn ratio(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    /// The colours a cell shows on a terminal whose own colours are `default_fg` on `default_bg`:
    /// `Reset` takes the terminal's colour and reverse video swaps the two.
    pub fn shown(
        fg: Color,
        bg: Color,
        modifier: Modifier,
        default_fg: (u8, u8, u8),
        default_bg: (u8, u8, u8),
    ) -> ((u8, u8, u8), (u8, u8, u8)) {
        let f = rgb(fg).unwrap_or(default_fg);
        let b = rgb(bg).unwrap_or(default_bg);
        if modifier.contains(Modifier::REVERSED) {
            (b, f)
        } else {
            (f, b)
        }
    }

    /// A terminal's own colours: xterm's default (black on white) and a dark one (white on black).
    pub const WHITE_TERMINAL: ((u8, u8, u8), (u8, u8, u8)) = ((0, 0, 0), (255, 255, 255));
    pub const BLACK_TERMINAL: ((u8, u8, u8), (u8, u8, u8)) = ((255, 255, 255), (0, 0, 0));
}

#[cfg(test)]
mod tests {
    use super::contrast::*;
    use super::*;

    fn all(s: &Styles) -> Vec<(&'static str, Style)> {
        vec![
            ("title", s.title),
            ("brand", s.brand),
            ("dim", s.dim),
            ("label", s.label),
            ("label_focused", s.label_focused),
            ("input", s.input),
            ("input_focused", s.input_focused),
            ("error", s.error),
            ("ok", s.ok),
            ("info", s.info),
            ("button", s.button),
            ("button_focused", s.button_focused),
            ("button_disabled", s.button_disabled),
            ("step_done", s.step_done),
            ("step_current", s.step_current),
            ("step_future", s.step_future),
            ("panel_border", s.panel_border),
            ("warning_banner", s.warning_banner),
            ("busy", s.busy),
            ("key_hint", s.key_hint),
        ]
    }

    /// Every style of every theme, patched over the theme's base as drawing does, on a white and on
    /// a black terminal: at least 4.5:1 (7:1 for high contrast).
    #[test]
    fn every_pair_of_every_theme_is_legible_on_white_and_on_black() {
        for theme in look::THEMES {
            let s = styles_of(theme);
            let need = if theme == Theme::HighContrast {
                7.0
            } else {
                4.5
            };
            for (name, style) in all(s) {
                let patched = s.base.patch(style);
                for (dfg, dbg) in [WHITE_TERMINAL, BLACK_TERMINAL] {
                    let (f, b) = shown(
                        patched.fg.unwrap_or(Color::Reset),
                        patched.bg.unwrap_or(Color::Reset),
                        patched.add_modifier,
                        dfg,
                        dbg,
                    );
                    let r = ratio(f, b);
                    assert!(
                        r >= need,
                        "{theme:?} {name}: {f:?} on {b:?} is {r:.2}:1 on a terminal {dfg:?} on {dbg:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_coloured_background_always_sets_its_foreground() {
        for theme in look::THEMES {
            let s = styles_of(theme);
            for (name, style) in all(s) {
                let patched = s.base.patch(style);
                assert!(
                    patched.bg.is_none() || patched.fg.is_some(),
                    "{theme:?} {name} sets a background without a foreground"
                );
                assert!(
                    !patched.add_modifier.contains(Modifier::DIM),
                    "{theme:?} {name} uses faint text"
                );
            }
        }
    }

    #[test]
    fn mono_has_no_colour_and_tells_the_states_apart() {
        let s = styles_of(Theme::Mono);
        for (name, style) in all(s) {
            assert!(style.fg.is_none() && style.bg.is_none(), "mono {name}");
        }
        assert_ne!(s.button.add_modifier, s.button_disabled.add_modifier);
        assert_ne!(s.button.add_modifier, s.button_focused.add_modifier);
        assert_ne!(s.input.add_modifier, s.input_focused.add_modifier);
        assert_ne!(s.label.add_modifier, s.label_focused.add_modifier);
    }

    #[test]
    fn xterm_palette() {
        assert_eq!(rgb(Color::Indexed(16)), Some((0, 0, 0)));
        assert_eq!(rgb(Color::Indexed(25)), Some((0x00, 0x5f, 0xaf)));
        assert_eq!(rgb(Color::Indexed(231)), Some((255, 255, 255)));
        assert_eq!(rgb(Color::Indexed(232)), Some((8, 8, 8)));
        assert_eq!(rgb(Color::Indexed(255)), Some((0xee, 0xee, 0xee)));
        assert_eq!(rgb(Color::Reset), None);
        assert!((ratio((0, 0, 0), (255, 255, 255)) - 21.0).abs() < 1e-9);
        // The finding of the issue: yellow on white.
        assert!(ratio(rgb(Color::LightYellow).unwrap(), (255, 255, 255)) < 1.1);
    }
}
