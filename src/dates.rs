//! Dates and times as text, in one place, on `time`'s `format_description!`: the store's UTC stamps,
//! ISO dates (CSV files, the notices file), and dates and times as a member or staff member reads them
//! in Japan (JST).

use time::format_description::BorrowedFormatItem;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, UtcOffset};

use crate::clock::JST;
use crate::i18n::Lang;

type Format = &'static [BorrowedFormatItem<'static>];

const STAMP: Format = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
const ISO_DATE: Format = format_description!("[year]-[month]-[day]");
const MINUTE: Format = format_description!("[year]-[month]-[day] [hour]:[minute]");
const LONG_DATE_JA: Format =
    format_description!("[year]年[month padding:none]月[day padding:none]日");
const LONG_DATE_EN: Format = format_description!("[day padding:none] [month repr:long] [year]");
const LONG_TIME_JA: Format =
    format_description!("[year]年[month padding:none]月[day padding:none]日 [hour]:[minute]");
const LONG_TIME_EN: Format =
    format_description!("[day padding:none] [month repr:long] [year] [hour]:[minute] (JST)");

fn format_date(d: Date, f: Format) -> String {
    d.format(f).unwrap_or_default()
}

fn format_time(t: OffsetDateTime, f: Format) -> String {
    t.format(f).unwrap_or_default()
}

/// The store's time stamp: UTC, `YYYY-MM-DDTHH:MM:SSZ` (sorts as text).
pub fn stamp(t: OffsetDateTime) -> String {
    format_time(t.to_offset(UtcOffset::UTC), STAMP)
}

/// Reads a stamp written by [`stamp`] (any RFC 3339 time is accepted).
pub fn parse_stamp(s: &str) -> Result<OffsetDateTime, time::error::Parse> {
    OffsetDateTime::parse(s, &Rfc3339)
}

/// `YYYY-MM-DD`.
pub fn iso_date(d: Date) -> String {
    format_date(d, ISO_DATE)
}

/// Reads `YYYY-MM-DD`.
pub fn parse_iso_date(s: &str) -> Result<Date, time::error::Parse> {
    Date::parse(s, ISO_DATE)
}

/// The day in Japan of `t`, as `YYYY-MM-DD` (a postcard's expiry).
pub fn jst_iso_date(t: OffsetDateTime) -> String {
    iso_date(t.to_offset(JST).date())
}

/// A time for the staff screens: Japan time, to the minute (`2026-04-01 10:00`).
pub fn jst_minute(t: OffsetDateTime) -> String {
    format_time(t.to_offset(JST), MINUTE)
}

/// A date as a member reads it: `2026年1月2日` or `2 January 2026`.
pub fn long_date(d: Date, lang: Lang) -> String {
    match lang {
        Lang::Ja => format_date(d, LONG_DATE_JA),
        Lang::En => format_date(d, LONG_DATE_EN),
    }
}

/// The day in Japan of `t`, as a member reads it.
pub fn jst_long_date(t: OffsetDateTime, lang: Lang) -> String {
    long_date(t.to_offset(JST).date(), lang)
}

/// A date and time in Japan as a member reads it: `2026年1月2日 09:05` or
/// `2 January 2026 09:05 (JST)`.
pub fn jst_long_time(t: OffsetDateTime, lang: Lang) -> String {
    let t = t.to_offset(JST);
    match lang {
        Lang::Ja => format_time(t, LONG_TIME_JA),
        Lang::En => format_time(t, LONG_TIME_EN),
    }
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    #[test]
    fn every_shape() {
        let t = datetime!(2026-01-01 16:05:09 UTC);
        assert_eq!(stamp(t), "2026-01-01T16:05:09Z");
        assert_eq!(
            stamp(datetime!(2026-01-02 01:05:09 +9)),
            "2026-01-01T16:05:09Z"
        );
        assert_eq!(parse_stamp("2026-01-01T16:05:09Z").unwrap(), t);
        assert_eq!(iso_date(date!(2026 - 03 - 04)), "2026-03-04");
        assert_eq!(parse_iso_date("2026-03-04").unwrap(), date!(2026 - 03 - 04));
        assert!(parse_iso_date("2026-3-4").is_err());
        assert_eq!(jst_iso_date(t), "2026-01-02");
        assert_eq!(jst_minute(t), "2026-01-02 01:05");
        assert_eq!(long_date(date!(1980 - 01 - 01), Lang::Ja), "1980年1月1日");
        assert_eq!(long_date(date!(1980 - 01 - 01), Lang::En), "1 January 1980");
        assert_eq!(jst_long_date(t, Lang::Ja), "2026年1月2日");
        assert_eq!(jst_long_date(t, Lang::En), "2 January 2026");
        assert_eq!(jst_long_time(t, Lang::Ja), "2026年1月2日 01:05");
        assert_eq!(jst_long_time(t, Lang::En), "2 January 2026 01:05 (JST)");
    }
}
