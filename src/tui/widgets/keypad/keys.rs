//! The on-screen keyboard: its layouts (letters and digits, digits only, email) and its shift.

use super::{Item, Keypad, PadInput, PadKey};
use crate::domain::Lang;
use crate::tui::i18n::tr;

const DIGITS: &str = "1234567890";
const LETTERS: [&str; 3] = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];
/// What an email address needs besides letters and digits (on the last row of letters).
pub const EMAIL_MARKS: &str = "@.-_+";

/// The keyboard's state: its layout and the shift (one capital letter, then back to small ones).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyboard {
    pub layout: Keypad,
    pub shift: bool,
}

impl Keyboard {
    pub fn new(layout: Keypad) -> Keyboard {
        Keyboard {
            layout,
            shift: false,
        }
    }

    /// Every character this layout can type (tests: no key puts a character a field refuses).
    pub fn chars(&self) -> Vec<char> {
        let mut out: Vec<char> = DIGITS.chars().collect();
        if self.layout != Keypad::Digits {
            for row in LETTERS {
                out.extend(row.chars());
                out.extend(row.chars().map(|c| c.to_ascii_uppercase()));
            }
        }
        if self.layout == Keypad::Email {
            out.extend(EMAIL_MARKS.chars());
        }
        out
    }

    pub fn items(&self, lang: Lang) -> Vec<Vec<Item>> {
        let chars = |s: &str| -> Vec<Item> {
            s.chars()
                .map(|c| {
                    let c = if self.shift {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    };
                    Item::Key(PadKey::Char(c), c.to_string(), false)
                })
                .collect()
        };
        let mut rows = vec![chars(DIGITS)];
        let mut last = vec![];
        if self.layout != Keypad::Digits {
            rows.push(chars(LETTERS[0]));
            rows.push(chars(LETTERS[1]));
            let mut z = chars(LETTERS[2]);
            if self.layout == Keypad::Email {
                z.extend(
                    EMAIL_MARKS
                        .chars()
                        .map(|c| Item::Key(PadKey::Char(c), c.to_string(), false)),
                );
            }
            rows.push(z);
            let caption = if self.shift { "abc" } else { "ABC" };
            last.push(Item::Key(PadKey::Shift, caption.into(), self.shift));
        }
        last.extend([
            Item::Key(PadKey::Backspace, tr(lang, "pad.backspace").into(), false),
            Item::Key(PadKey::Next, tr(lang, "pad.next").into(), false),
            Item::Key(PadKey::Close, tr(lang, "pad.close").into(), false),
        ]);
        rows.push(last);
        rows
    }

    pub fn tap(&mut self, key: PadKey) -> PadInput {
        match key {
            PadKey::Char(c) if self.chars().contains(&c) => {
                // One capital, then back to small letters (as a phone's shift).
                if c.is_ascii_alphabetic() {
                    self.shift = false;
                }
                PadInput::Char(c)
            }
            PadKey::Shift if self.layout != Keypad::Digits => {
                self.shift = !self.shift;
                PadInput::None
            }
            PadKey::Backspace => PadInput::Backspace,
            _ => PadInput::None,
        }
    }
}
