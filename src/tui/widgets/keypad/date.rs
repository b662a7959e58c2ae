//! The birth-date picker: era (大正, 昭和, 平成, 令和, or 西暦), year, month and day by taps, with
//! the date read back as the identity screen reads it (「1980年1月1日（昭和55年）」). Every tap
//! writes the date into the field (`YYYY/MM/DD`, one of the forms the field accepts), so what the
//! member sees in the field is what is checked; typing still works.

use time::{Date, Month};

use super::{Item, PadInput, PadKey};
use crate::domain::Lang;
use crate::domain::birthdate::{self, EARLIEST, ERAS, Era, parse_birth_date};
use crate::tui::i18n::{tr, trf};

/// The eras offered, oldest first (indexes into [`ERAS`]), then 西暦 (`None`).
pub const CHOICES: [Option<usize>; 5] = [Some(1), Some(2), Some(3), Some(4), None];

/// Where the picker starts on an empty field: 昭和35年 (members are mostly born in 昭和).
const START: (i32, Month, u8) = (1960, Month::January, 1);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatePicker {
    /// The chosen era (an index into [`CHOICES`]).
    pub era: usize,
    pub date: Date,
    pub today: Date,
}

fn era_of(choice: usize) -> Option<&'static Era> {
    CHOICES.get(choice).copied().flatten().map(|i| &ERAS[i])
}

/// The day, or the last day of that month when it has fewer.
fn clamp_day(year: i32, month: Month, day: u8) -> Date {
    let last = time::util::days_in_month(month, year);
    Date::from_calendar_date(year, month, day.clamp(1, last)).unwrap_or(EARLIEST)
}

impl DatePicker {
    /// The picker on the field's value when it is a date, else on [`START`].
    pub fn from_value(value: &str, today: Date) -> DatePicker {
        let date = parse_birth_date(value, today)
            .unwrap_or_else(|_| clamp_day(START.0, START.1, START.2))
            .min(today);
        let era = Era::of(date)
            .and_then(|e| {
                CHOICES
                    .iter()
                    .position(|c| c.map(|i| ERAS[i].kanji) == Some(e.kanji))
            })
            .unwrap_or(CHOICES.len() - 1);
        DatePicker { era, date, today }
    }

    /// The first and last day of the chosen era (西暦: any birth date up to today).
    fn bounds(&self) -> (Date, Date) {
        match era_of(self.era) {
            Some(e) => (
                e.start,
                e.end_exclusive()
                    .and_then(|d| d.previous_day())
                    .unwrap_or(self.today)
                    .min(self.today),
            ),
            None => (EARLIEST, self.today),
        }
    }

    fn set(&mut self, year: i32, month: Month, day: u8) {
        let (lo, hi) = self.bounds();
        self.date = clamp_day(year, month, day).clamp(lo, hi);
    }

    /// The value written into the field.
    pub fn value(&self) -> String {
        format!(
            "{:04}/{:02}/{:02}",
            self.date.year(),
            u8::from(self.date.month()),
            self.date.day()
        )
    }

    pub fn tap(&mut self, key: PadKey) -> PadInput {
        let d = self.date;
        match key {
            PadKey::Era(e) if (e as usize) < CHOICES.len() => {
                self.era = e as usize;
                self.set(d.year(), d.month(), d.day());
            }
            PadKey::Year(n) => self.set(d.year() + n as i32, d.month(), d.day()),
            PadKey::Month(n) => {
                let m = (u8::from(d.month()) as i32 + n as i32).clamp(1, 12) as u8;
                self.set(d.year(), Month::try_from(m).unwrap_or(d.month()), d.day());
            }
            PadKey::Day(n) => {
                let day = (d.day() as i32 + n as i32).clamp(1, 31) as u8;
                self.set(d.year(), d.month(), day);
            }
            _ => return PadInput::None,
        }
        PadInput::Set(self.value())
    }

    /// The year as shown between its steppers: 「昭和55年（1980年）」, "Showa 55 (1980)".
    fn year_text(&self, lang: Lang) -> String {
        let western = self.date.year().to_string();
        match era_of(self.era) {
            Some(e) => {
                let n = self.date.year() - e.start.year() + 1;
                let year = if n == 1 && lang == Lang::Ja {
                    "元".to_owned()
                } else {
                    n.to_string()
                };
                let era = if lang == Lang::Ja { e.kanji } else { e.romaji };
                trf(
                    lang,
                    "pad.year_era",
                    &[("era", era), ("year", &year), ("western", &western)],
                )
            }
            None => trf(lang, "pad.year", &[("western", &western)]),
        }
    }

    pub fn items(&self, lang: Lang) -> Vec<Vec<Item>> {
        let key = |k: PadKey, caption: &str| Item::Key(k, caption.to_owned(), false);
        let eras = CHOICES
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let name = match c {
                    Some(e) if lang == Lang::Ja => ERAS[*e].kanji,
                    Some(e) => ERAS[*e].romaji,
                    None => tr(lang, "pad.western"),
                };
                Item::Key(PadKey::Era(i as u8), name.to_owned(), i == self.era)
            })
            .collect();
        // 「7月」; "July".
        let month = match lang {
            Lang::Ja => u8::from(self.date.month()).to_string(),
            Lang::En => self.date.month().to_string(),
        };
        let month_text = trf(lang, "pad.month", &[("month", &month)]);
        let day_text = trf(lang, "pad.day", &[("day", &self.date.day().to_string())]);
        vec![
            eras,
            vec![
                key(PadKey::Year(-10), "-10"),
                key(PadKey::Year(-1), "-1"),
                Item::Text(self.year_text(lang)),
                key(PadKey::Year(1), "+1"),
                key(PadKey::Year(10), "+10"),
            ],
            vec![
                key(PadKey::Month(-1), "-1"),
                Item::Text(month_text),
                key(PadKey::Month(1), "+1"),
            ],
            vec![
                key(PadKey::Day(-10), "-10"),
                key(PadKey::Day(-1), "-1"),
                Item::Text(day_text),
                key(PadKey::Day(1), "+1"),
                key(PadKey::Day(10), "+10"),
            ],
            vec![
                Item::Text(birthdate::format_long(self.date, lang)),
                key(PadKey::Next, tr(lang, "pad.done")),
                key(PadKey::Close, tr(lang, "pad.close")),
            ],
        ]
    }
}
