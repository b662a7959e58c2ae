//! 生年月日 (birth date): Western and Japanese-era input forms, and the long form shown back to the member.
//!
//! Accepted, after [`text::normalize`] and trimming (whitespace inside is ignored too):
//!
//! * `YYYYMMDD` (as on the real site);
//! * `YYYY/MM/DD`, `YYYY-MM-DD`, `YYYY.MM.DD` with 1- or 2-digit month and day;
//! * `YYYY年M月D日` (the final 日 may be left out);
//! * era forms: an era letter `M T S H R` (either case) or the era name 明治 大正 昭和 平成 令和 (also the one-character
//!   ligatures ㍾ ㍽ ㍼ ㍻ ㋿, which NFKC expands), a 1–2 digit year or 元 (元年 = year 1), then `.`, `/`, `-` or
//!   年月日 as separators: `S55.1.1`, `s55/01/01`, `昭和55年1月1日`, `平成元年1月8日`, `R1.5.1`, `Ｓ５５．１．１`;
//!   also the compact `S550101` (era letter or name followed by exactly 6 digits YYMMDD); the era may also be its
//!   first kanji alone: `昭55.1.1`, `平元.1.8`;
//! * a year of 1–2 digits with no era (`55.1.1`, `55年1月1日`): read as 昭和, the era of most members who type
//!   it so, and said back with the Western year and how to write 1955 instead ([`understood_input`]); a
//!   2-digit year past 昭和64 (`80.1.1`) and 6 bare digits (`800101`) are refused as unclear
//!   ([`BirthDateError::YearUnclear`]), with the forms that are accepted.
//!
//! Every dash an IME types (`ー`, `−`, `‐`, `–`, `―`, `ｰ`, see [`text::is_dash`]) is read as `-`.

use time::{Date, Month};

use super::text::{self, impl_rule_error};
use super::{Lang, Msg};

/// Longest text the input field accepts while typing.
pub const INPUT_MAX_CHARS: usize = 16;

/// The earliest birth date accepted at all.
pub const EARLIEST: Date = match Date::from_calendar_date(1868, Month::January, 1) {
    Ok(d) => d,
    Err(_) => panic!("invalid constant date"),
};

/// A Japanese era (元号) since 明治.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Era {
    /// The era name, e.g. `"昭和"`.
    pub kanji: &'static str,
    /// The upper-case letter used in short forms, e.g. `'S'`.
    pub letter: char,
    /// The English (Hepburn) name, e.g. `"Showa"`.
    pub romaji: &'static str,
    /// The first day of the era (元年 of the era starts here).
    pub start: Date,
}

const fn ymd(year: i32, month: Month, day: u8) -> Date {
    match Date::from_calendar_date(year, month, day) {
        Ok(d) => d,
        Err(_) => panic!("invalid constant date"),
    }
}

/// The eras in chronological order, with the start dates this kiosk uses.
pub const ERAS: [Era; 5] = [
    Era {
        kanji: "明治",
        letter: 'M',
        romaji: "Meiji",
        start: ymd(1868, Month::January, 25),
    },
    Era {
        kanji: "大正",
        letter: 'T',
        romaji: "Taisho",
        start: ymd(1912, Month::July, 30),
    },
    Era {
        kanji: "昭和",
        letter: 'S',
        romaji: "Showa",
        start: ymd(1926, Month::December, 25),
    },
    Era {
        kanji: "平成",
        letter: 'H',
        romaji: "Heisei",
        start: ymd(1989, Month::January, 8),
    },
    Era {
        kanji: "令和",
        letter: 'R',
        romaji: "Reiwa",
        start: ymd(2019, Month::May, 1),
    },
];

impl Era {
    /// The era containing `date`, or `None` before 明治 began.
    pub fn of(date: Date) -> Option<&'static Era> {
        ERAS.iter().rev().find(|e| date >= e.start)
    }

    /// The first day of the following era (`None` for the current era).
    pub fn end_exclusive(&self) -> Option<Date> {
        let idx = ERAS.iter().position(|e| e.kanji == self.kanji)?;
        ERAS.get(idx + 1).map(|e| e.start)
    }

    /// True if `date` lies inside this era.
    pub fn contains(&self, date: Date) -> bool {
        date >= self.start && self.end_exclusive().is_none_or(|end| date < end)
    }

    fn by_letter(c: char) -> Option<&'static Era> {
        let upper = c.to_ascii_uppercase();
        ERAS.iter().find(|e| e.letter == upper)
    }
}

/// Why a birth date was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BirthDateError {
    /// Nothing was entered.
    Empty,
    /// A year that could be read two ways: 6 bare digits (`800101`: 1980 or 昭和80?) or a 2-digit
    /// year with no era past 昭和64.
    YearUnclear,
    /// Not one of the accepted forms.
    Format,
    /// Looks like a date but does not exist (month 13, 30 February, …).
    NotADate,
    /// An era date outside its era (昭和65年, 平成31年5月1日, 昭和64年1月8日, 平成元年1月7日).
    OutsideEra,
    /// After today.
    Future,
    /// Before 1868-01-01.
    TooOld,
}

impl BirthDateError {
    pub fn msg(&self) -> Msg {
        match self {
            BirthDateError::Empty => Msg::new("birth.empty"),
            BirthDateError::Format => Msg::new("birth.format"),
            BirthDateError::YearUnclear => Msg::new("birth.year_unclear"),
            BirthDateError::NotADate => Msg::new("birth.not_a_date"),
            BirthDateError::OutsideEra => Msg::new("birth.outside_era"),
            BirthDateError::Future => Msg::new("birth.future"),
            BirthDateError::TooOld => Msg::new("birth.too_old").arg("year", EARLIEST.year()),
        }
    }
}

impl_rule_error!(BirthDateError);

/// How the year was given.
#[derive(Debug, Clone, Copy)]
enum YearSpec {
    Western(i32),
    Era(&'static Era, i32),
    /// 1–2 digits with no era.
    Bare(i32),
}

/// 昭和, the era a year without one is read in.
const SHOWA: &Era = &ERAS[2];

/// The last year of 昭和 (64, 1989-01-07).
const SHOWA_LAST_YEAR: i32 = 64;

/// A tiny cursor over the normalised input.
struct Cursor<'a> {
    rest: &'a str,
}

impl<'a> Cursor<'a> {
    fn eat(&mut self, prefix: &str) -> bool {
        match self.rest.strip_prefix(prefix) {
            Some(r) => {
                self.rest = r;
                true
            }
            None => false,
        }
    }

    fn eat_char(&mut self, pred: impl Fn(char) -> bool) -> Option<char> {
        let c = self.rest.chars().next()?;
        if pred(c) {
            self.rest = &self.rest[c.len_utf8()..];
            Some(c)
        } else {
            None
        }
    }

    /// A run of ASCII digits of length `min..=max` (the whole run must fit).
    fn digits(&mut self, min: usize, max: usize) -> Option<&'a str> {
        let len = self.rest.bytes().take_while(u8::is_ascii_digit).count();
        if len < min || len > max {
            return None;
        }
        let (d, r) = self.rest.split_at(len);
        self.rest = r;
        Some(d)
    }

    fn done(&self) -> bool {
        self.rest.is_empty()
    }
}

fn num(digits: &str) -> i32 {
    digits
        .bytes()
        .fold(0i32, |acc, b| acc * 10 + i32::from(b - b'0'))
}

fn is_punct_sep(c: char) -> bool {
    matches!(c, '.' | '/' | '-')
}

/// Parses the text into (year spec, month, day) without checking that the date exists.
fn parse_parts(s: &str) -> Option<(YearSpec, i32, i32)> {
    let mut cur = Cursor { rest: s };

    // Era prefix? The letter, the name, or the name's first kanji alone (昭55.1.1).
    let era = if let Some(c) = cur.eat_char(|c| Era::by_letter(c).is_some()) {
        Era::by_letter(c)
    } else {
        ERAS.iter().find(|e| cur.eat(e.kanji)).or_else(|| {
            ERAS.iter().find(|e| {
                let first = e.kanji.chars().next().map(String::from).unwrap_or_default();
                cur.eat(&first)
            })
        })
    };

    let year = match era {
        None => {
            // YYYYMMDD
            if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
                return Some((YearSpec::Western(num(&s[..4])), num(&s[4..6]), num(&s[6..])));
            }
            match cur.digits(4, 4) {
                Some(y) => YearSpec::Western(num(y)),
                None => YearSpec::Bare(num(cur.digits(1, 2)?)),
            }
        }
        Some(era) => {
            // compact S550101
            if cur.rest.len() == 6 && cur.rest.bytes().all(|b| b.is_ascii_digit()) {
                let r = cur.rest;
                return Some((
                    YearSpec::Era(era, num(&r[..2])),
                    num(&r[2..4]),
                    num(&r[4..]),
                ));
            }
            if cur.eat("元") {
                YearSpec::Era(era, 1)
            } else {
                YearSpec::Era(era, num(cur.digits(1, 2)?))
            }
        }
    };

    let (month, day);
    if cur.eat("年") {
        month = num(cur.digits(1, 2)?);
        if !cur.eat("月") {
            return None;
        }
        day = num(cur.digits(1, 2)?);
        cur.eat("日");
    } else {
        cur.eat_char(is_punct_sep)?;
        month = num(cur.digits(1, 2)?);
        cur.eat_char(is_punct_sep)?;
        day = num(cur.digits(1, 2)?);
    }
    cur.done().then_some((year, month, day))
}

/// Parses a typed birth date. See the module documentation for the accepted forms.
///
/// Checks, in this order: not empty; an accepted form; a real calendar date; for era forms, inside the era; not
/// before 1868-01-01; not after `today`.
pub fn parse_birth_date(input: &str, today: Date) -> Result<Date, BirthDateError> {
    let normalized = text::ascii_dashes(&text::normalize(input));
    let compact: String = normalized.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() {
        return Err(BirthDateError::Empty);
    }
    if compact.len() == 6 && compact.bytes().all(|b| b.is_ascii_digit()) {
        return Err(BirthDateError::YearUnclear);
    }
    let (year, month, day) = parse_parts(&compact).ok_or(BirthDateError::Format)?;
    let (gregorian_year, era) = match year {
        YearSpec::Western(y) => (y, None),
        YearSpec::Era(era, y) => (era.start.year() + y - 1, Some((era, y))),
        YearSpec::Bare(y) if y <= SHOWA_LAST_YEAR => (SHOWA.start.year() + y - 1, Some((SHOWA, y))),
        YearSpec::Bare(_) => return Err(BirthDateError::YearUnclear),
    };
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or(BirthDateError::NotADate)?;
    let day = u8::try_from(day).map_err(|_| BirthDateError::NotADate)?;
    let date = Date::from_calendar_date(gregorian_year, month, day)
        .map_err(|_| BirthDateError::NotADate)?;
    if era.is_some_and(|(era, y)| y < 1 || !era.contains(date)) {
        return Err(BirthDateError::OutsideEra);
    }
    if date < EARLIEST {
        return Err(BirthDateError::TooOld);
    }
    if date > today {
        return Err(BirthDateError::Future);
    }
    Ok(date)
}

/// The era name and era year of `date` (`None` before 明治 began), e.g. `("昭和", 55)` for 1980-01-01.
pub fn era_year(date: Date) -> Option<(&'static str, i32)> {
    Era::of(date).map(|e| (e.kanji, date.year() - e.start.year() + 1))
}

fn era_year_text(year: i32) -> String {
    if year == 1 {
        "元".to_owned()
    } else {
        year.to_string()
    }
}

/// The date in the Japanese era form, e.g. `昭和55年1月1日`, `平成元年1月8日` (`None` before 明治).
pub fn format_era(date: Date) -> Option<String> {
    let (era, year) = era_year(date)?;
    Some(format!(
        "{era}{}年{}月{}日",
        era_year_text(year),
        u8::from(date.month()),
        date.day()
    ))
}

/// The date as shown back to the member: ja `1980年1月1日（昭和55年）`, `1989年1月8日（平成元年）`; en `1 January 1980`.
pub fn format_long(date: Date, lang: Lang) -> String {
    let western = crate::dates::long_date(date, lang);
    match (lang, era_year(date)) {
        (Lang::Ja, Some((era, year))) => format!("{western}（{era}{}年）", era_year_text(year)),
        _ => western,
    }
}

/// True when `input` has a year with no era, read as 昭和 (`55.1.1`).
pub fn era_assumed(input: &str) -> bool {
    let compact: String = text::ascii_dashes(&text::normalize(input))
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    matches!(parse_parts(&compact), Some((YearSpec::Bare(_), _, _)))
}

/// The confirmation for what the member typed: [`understood`], or, when the year had no era, the
/// date read as 昭和 with the Western year beside it and how to write the other reading
/// (`55.1.1` → 「1980年1月1日（昭和55年）として受け付けました。1955年のことでしたら 19550101 と…」).
pub fn understood_input(input: &str, date: Date, lang: Lang) -> Msg {
    if !era_assumed(input) {
        return understood(date, lang);
    }
    let (_, year) = era_year(date).unwrap_or(("", 0));
    let other = 1900 + year;
    Msg::new("birth.understood_showa")
        .arg("date", format_long(date, lang))
        .arg(
            "other",
            format!("{other}{:02}{:02}", u8::from(date.month()), date.day()),
        )
        .arg("year", other)
}

/// The confirmation shown under the field once a date was understood: "{date} として受け付けました" / "Read as {date}".
pub fn understood(date: Date, lang: Lang) -> Msg {
    Msg::new("birth.understood").arg("date", format_long(date, lang))
}

#[cfg(test)]
mod tests;
