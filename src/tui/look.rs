//! How the screens look on this terminal: the colour theme and whether East Asian Ambiguous
//! characters take two cells. Decided once at start ([`install`]: configuration, `NO_COLOR` and
//! the terminal's answer to the width probe) and read by the theme, the symbol table and the
//! widgets while they draw. A test renders the same screen in another look with [`with`], which
//! changes it for the calling thread only.

use std::cell::Cell;
use std::sync::atomic::{AtomicU8, Ordering};

use serde::{Deserialize, Serialize};

/// The colour scheme of the screens (`[kiosk] theme`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Theme {
    /// The terminal's own foreground and background; whatever is coloured sets both colours.
    #[default]
    Auto,
    /// A dark background painted by the kiosk.
    Dark,
    /// A white background painted by the kiosk.
    Light,
    /// No colour at all: focus, errors and disabled buttons told apart by marks, bold and reverse.
    Mono,
    /// White on black, contrast 7:1 or more, no grey text.
    HighContrast,
}

/// How many cells the terminal gives an East Asian Ambiguous character (`[kiosk] ambiguous_width`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AmbiguousWidth {
    /// Ask the terminal at start (one character and a cursor position report); no answer: narrow.
    #[default]
    Auto,
    Narrow,
    Wide,
}

/// The resolved look: a concrete theme (never `Auto` resolved to nothing) and a concrete width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Look {
    pub theme: Theme,
    /// East Asian Ambiguous characters take two cells on this terminal.
    pub wide: bool,
}

impl Default for Look {
    fn default() -> Self {
        Look {
            theme: Theme::Auto,
            wide: false,
        }
    }
}

impl Look {
    pub const fn new(theme: Theme, wide: bool) -> Look {
        Look { theme, wide }
    }

    /// The theme configured, with `NO_COLOR` (no-color.org) applied: it turns the automatic theme
    /// into `mono`; a theme chosen explicitly in the configuration wins over it.
    pub fn theme_from(configured: Theme, no_color: Option<&std::ffi::OsStr>) -> Theme {
        match (configured, no_color) {
            (Theme::Auto, Some(v)) if !v.is_empty() => Theme::Mono,
            (t, _) => t,
        }
    }

    fn pack(self) -> u8 {
        let t = match self.theme {
            Theme::Auto => 0,
            Theme::Dark => 1,
            Theme::Light => 2,
            Theme::Mono => 3,
            Theme::HighContrast => 4,
        };
        t | if self.wide { 0x10 } else { 0 }
    }

    fn unpack(v: u8) -> Look {
        let theme = match v & 0x0f {
            1 => Theme::Dark,
            2 => Theme::Light,
            3 => Theme::Mono,
            4 => Theme::HighContrast,
            _ => Theme::Auto,
        };
        Look {
            theme,
            wide: v & 0x10 != 0,
        }
    }
}

/// Every theme, for tests and the screenshot script.
pub const THEMES: [Theme; 5] = [
    Theme::Auto,
    Theme::Dark,
    Theme::Light,
    Theme::Mono,
    Theme::HighContrast,
];

/// The ambiguous-width setting as a fixed answer, or `None` when the terminal must be asked.
pub fn fixed_width(setting: AmbiguousWidth) -> Option<bool> {
    match setting {
        AmbiguousWidth::Auto => None,
        AmbiguousWidth::Narrow => Some(false),
        AmbiguousWidth::Wide => Some(true),
    }
}

static GLOBAL: AtomicU8 = AtomicU8::new(0);

thread_local! {
    static OVERRIDE: Cell<Option<Look>> = const { Cell::new(None) };
}

/// Sets the look of the whole process (the runtime does this once at start).
pub fn install(look: Look) {
    GLOBAL.store(look.pack(), Ordering::Relaxed);
}

/// The look in force on this thread.
pub fn current() -> Look {
    OVERRIDE
        .with(Cell::get)
        .unwrap_or_else(|| Look::unpack(GLOBAL.load(Ordering::Relaxed)))
}

/// Runs `f` with `look` in force on this thread (drawing a screen in another look for a test).
pub fn with<R>(look: Look, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Look>);
    impl Drop for Restore {
        fn drop(&mut self) {
            OVERRIDE.with(|o| o.set(self.0));
        }
    }
    let _restore = Restore(OVERRIDE.with(|o| o.replace(Some(look))));
    f()
}

/// Decides the look at start and installs it for the process: the configured theme (with
/// `NO_COLOR`), the configured width, or for `auto` the terminal's answer to `ask` (see
/// `tui::probe`), which runs only then. The decision is logged.
pub fn start(
    theme: Theme,
    width: AmbiguousWidth,
    ask: impl FnOnce() -> crate::tui::probe::Answer,
) -> Look {
    let theme = Look::theme_from(theme, std::env::var_os("NO_COLOR").as_deref());
    let (wide, source) = match fixed_width(width) {
        Some(w) => (w, "configured".to_string()),
        None => {
            let answer = ask();
            (
                answer.is_wide(),
                format!("asked the terminal: {}", answer.as_str()),
            )
        }
    };
    let look = Look::new(theme, wide);
    tracing::info!(
        theme = ?look.theme,
        ambiguous_width = if wide { "wide" } else { "narrow" },
        source,
        "terminal look"
    );
    install(look);
    look
}

/// The last step of drawing a frame: the theme's own background painted, and (wide mode) the
/// measured letters given their second cell.
pub fn finish(buf: &mut ratatui::buffer::Buffer) {
    crate::tui::theme::paint_base(buf);
    if current().wide {
        crate::tui::symbols::reserve_wide(buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_round_trips() {
        for theme in THEMES {
            for wide in [false, true] {
                let l = Look::new(theme, wide);
                assert_eq!(Look::unpack(l.pack()), l);
            }
        }
    }

    #[test]
    fn no_color_turns_only_the_automatic_theme_mono() {
        let set = Some(std::ffi::OsStr::new("1"));
        let empty = Some(std::ffi::OsStr::new(""));
        assert_eq!(Look::theme_from(Theme::Auto, set), Theme::Mono);
        assert_eq!(Look::theme_from(Theme::Auto, empty), Theme::Auto);
        assert_eq!(Look::theme_from(Theme::Auto, None), Theme::Auto);
        assert_eq!(Look::theme_from(Theme::Dark, set), Theme::Dark);
        assert_eq!(
            Look::theme_from(Theme::HighContrast, set),
            Theme::HighContrast
        );
    }

    #[test]
    fn an_override_is_this_threads_only_and_ends_with_the_call() {
        let wide = Look::new(Theme::Mono, true);
        with(wide, || {
            assert_eq!(current(), wide);
            let other = std::thread::spawn(current).join().unwrap();
            assert_eq!(other, Look::unpack(GLOBAL.load(Ordering::Relaxed)));
        });
        assert_eq!(current(), Look::unpack(GLOBAL.load(Ordering::Relaxed)));
    }
}
