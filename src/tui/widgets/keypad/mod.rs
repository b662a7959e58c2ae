//! The on-screen keyboard and the birth-date picker: what a member with a touchscreen and no
//! keyboard types with (issue 13). It is shown under the form while a text field that a tap focused
//! has the focus (`[kiosk] touch_keyboard`), never takes the focus itself, and feeds the focused
//! field exactly as typed keys would (so the maximum length, NFKC and masking still apply).
//!
//! One pure function, [`Pad::items`], says what the pad shows; [`Pad::place`] lays it out and
//! both drawing ([`Pad::render`]) and tapping ([`hit`]) use that placement.
//!
//! * state: [`Pad`] (the keyboard's shift, or the picker's date);
//! * update: [`Pad::tap`] turns a tapped [`PadKey`] into a [`PadInput`] for the form;
//! * view: [`Pad::render`].

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};
use time::Date;

use crate::domain::Lang;
use crate::domain::text::display_width;
use crate::tui::symbols::{border_set, shown};
use crate::tui::theme;

pub mod date;
pub mod keys;

pub use date::DatePicker;
pub use keys::Keyboard;

/// Which pad suits a text field (set by the screen that owns the field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Keypad {
    /// Letters (lower and upper case with a shift key) and digits: IDs and passwords.
    #[default]
    Letters,
    /// Digits only: 保険者番号, the reset code.
    Digits,
    /// Letters, digits and `@ . - _ +`: an email address.
    Email,
    /// The birth-date picker: era, year, month and day by taps.
    Date,
}

/// A key of the pad (what a tap landed on).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PadKey {
    Char(char),
    Shift,
    Backspace,
    /// 次へ: the next field (the picker's 決定).
    Next,
    /// 閉じる: the pad goes away until a field is tapped again.
    Close,
    /// The picker's era (an index into [`date::CHOICES`]).
    Era(u8),
    Year(i8),
    Month(i8),
    Day(i8),
}

/// What a tapped key asks of the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PadInput {
    None,
    /// Type this character into the focused field.
    Char(char),
    Backspace,
    Next,
    Close,
    /// Replace the focused field's value (the picker's date).
    Set(String),
    /// The picker's 決定: its date into the field, then the next field.
    SetNext(String),
}

/// One thing shown in a row of the pad.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A key: its caption, and whether it is lit (shift on, the era chosen).
    Key(PadKey, String, bool),
    /// Text between keys (the picker's values, its read-back).
    Text(String),
}

/// The pad in view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pad {
    Keys(Keyboard),
    Date(DatePicker),
}

/// Where one key was placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PadHit {
    pub rect: Rect,
    pub key: PadKey,
}

/// Columns between two keys: a tap there hits neither.
const GAP: u16 = 2;
/// Rows a form keeps above a tall-keyed pad before the keys grow.
const FORM_KEEPS: u16 = 14;
/// Height of a key when there is room (a terminal larger than 80×24).
pub const TALL_KEY: u16 = 3;

impl Pad {
    /// The pad for a field with `keypad` holding `value`.
    pub fn for_field(keypad: Keypad, value: &str, today: Date) -> Pad {
        match keypad {
            Keypad::Date => Pad::Date(DatePicker::from_value(value, today)),
            other => Pad::Keys(Keyboard::new(other)),
        }
    }

    /// Which kind of pad this is.
    pub fn keypad(&self) -> Keypad {
        match self {
            Pad::Keys(k) => k.layout,
            Pad::Date(_) => Keypad::Date,
        }
    }

    /// The rows of the pad, top to bottom.
    pub fn items(&self, lang: Lang) -> Vec<Vec<Item>> {
        match self {
            Pad::Keys(k) => k.items(lang),
            Pad::Date(d) => d.items(lang),
        }
    }

    /// A tap on `key`.
    pub fn tap(&mut self, key: PadKey) -> PadInput {
        match (key, &*self) {
            (PadKey::Next, Pad::Date(d)) => PadInput::SetNext(d.value()),
            (PadKey::Next, _) => PadInput::Next,
            (PadKey::Close, _) => PadInput::Close,
            _ => match self {
                Pad::Keys(k) => k.tap(key),
                Pad::Date(d) => d.tap(key),
            },
        }
    }

    /// The height of each key in a body `body_height` rows tall: a full row, three when the form
    /// keeps [`FORM_KEEPS`] rows above.
    fn key_height(rows: u16, body_height: u16) -> u16 {
        let tall = 1 + rows * TALL_KEY + rows.saturating_sub(1);
        if body_height >= tall + FORM_KEEPS {
            TALL_KEY
        } else {
            1
        }
    }

    /// Rows the pad takes at the bottom of a body `body_height` rows tall: a rule, then the key
    /// rows with a blank row between two of them.
    pub fn height(&self, lang: Lang, body_height: u16) -> u16 {
        let rows = self.items(lang).len() as u16;
        let key_h = Pad::key_height(rows, body_height);
        1 + rows * key_h + rows.saturating_sub(1)
    }

    /// Where each item goes in `area` (the pad's own rows): rows centred, keys `[ x ]` at least 5
    /// columns wide with [`GAP`] columns between (1 when a row would not fit otherwise).
    fn layout(&self, lang: Lang, area: Rect) -> Vec<(Rect, Item)> {
        let items = self.items(lang);
        let rows = items.len() as u16;
        let key_h = if 1 + rows * TALL_KEY + rows.saturating_sub(1) <= area.height {
            TALL_KEY
        } else {
            1
        };
        let mut out = Vec::new();
        let mut y = area.y + 1;
        for row in items {
            let widths: Vec<u16> = row.iter().map(item_width).collect();
            let sum: u16 = widths.iter().sum();
            let n = widths.len() as u16;
            let gap = if sum + GAP * n.saturating_sub(1) <= area.width {
                GAP
            } else {
                1
            };
            let total = sum + gap * n.saturating_sub(1);
            let mut x = area.x + area.width.saturating_sub(total) / 2;
            for (item, w) in row.into_iter().zip(widths) {
                let w = w.min((area.x + area.width).saturating_sub(x));
                let h = key_h.min((area.y + area.height).saturating_sub(y));
                out.push((Rect::new(x, y, w, h), item));
                x += w + gap;
            }
            y += key_h + 1;
        }
        out
    }

    /// The keys and where they are, for tapping.
    pub fn place(&self, lang: Lang, area: Rect) -> Vec<PadHit> {
        self.layout(lang, area)
            .into_iter()
            .filter_map(|(rect, item)| match item {
                Item::Key(key, ..) if rect.width > 0 && rect.height > 0 => {
                    Some(PadHit { rect, key })
                }
                _ => None,
            })
            .collect()
    }

    pub fn render(&self, frame: &mut Frame<'_>, lang: Lang, area: Rect) {
        frame.render_widget(Clear, area);
        let rule = border_set().horizontal_top.repeat(area.width as usize);
        frame.render_widget(
            Paragraph::new(Line::styled(rule, theme::panel_border())),
            Rect::new(area.x, area.y, area.width, 1.min(area.height)),
        );
        for (rect, item) in self.layout(lang, area) {
            if rect.width == 0 || rect.height == 0 {
                continue;
            }
            let (text, style) = match item {
                Item::Key(_, caption, lit) => (
                    key_text(&caption, lit, rect.width),
                    if lit {
                        theme::button_focused()
                    } else {
                        theme::button()
                    },
                ),
                Item::Text(t) => (shown(&t).into_owned(), theme::label()),
            };
            let mut lines = vec![Line::raw(""); (rect.height.saturating_sub(1) / 2) as usize];
            lines.push(Line::raw(text));
            frame.render_widget(Paragraph::new(lines).style(style), rect);
        }
    }
}

/// A key's face, `width` columns: `[ a ]`, or `> 昭和 <` when lit (seen without colour too).
fn key_text(caption: &str, lit: bool, width: u16) -> String {
    let caption = shown(caption);
    let inner = (width as usize).saturating_sub(2);
    let room = inner.saturating_sub(display_width(&caption));
    let (l, r) = (room / 2, room - room / 2);
    let (open, close) = if lit { ('>', '<') } else { ('[', ']') };
    format!("{open}{}{caption}{}{close}", " ".repeat(l), " ".repeat(r))
}

fn item_width(item: &Item) -> u16 {
    match item {
        Item::Key(_, caption, _) => (display_width(&shown(caption)) as u16 + 4).max(5),
        Item::Text(t) => display_width(&shown(t)) as u16,
    }
}

/// The key under a tap at (`col`, `row`), if any.
pub fn hit(hits: &[PadHit], col: u16, row: u16) -> Option<PadKey> {
    hits.iter()
        .find(|h| {
            col >= h.rect.x
                && col < h.rect.x + h.rect.width
                && row >= h.rect.y
                && row < h.rect.y + h.rect.height
        })
        .map(|h| h.key)
}

#[cfg(test)]
mod tests;
