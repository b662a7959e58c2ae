//! Medical expenses (医療費) and benefit decisions (支給決定): the rules the import checks and the
//! screens show, without I/O. Months are calendar months of treatment (診療年月); members see those
//! within a window of the last N months (`[expenses] window_months`), the current month included.

use std::collections::BTreeMap;
use std::fmt;

use time::{Date, Month};

use super::Lang;

/// A calendar month, `YYYY-MM` as the import files and the store write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    pub year: i32,
    /// 1–12.
    pub month: u8,
}

impl YearMonth {
    pub fn new(year: i32, month: u8) -> Option<YearMonth> {
        ((1..=12).contains(&month) && (1000..=9999).contains(&year))
            .then_some(YearMonth { year, month })
    }

    /// The month `d` falls in.
    pub fn of(d: Date) -> YearMonth {
        YearMonth {
            year: d.year(),
            month: d.month() as u8,
        }
    }

    /// Reads `YYYY-MM` (exactly: four digits, a hyphen, two digits).
    pub fn parse(s: &str) -> Option<YearMonth> {
        let b = s.as_bytes();
        if b.len() != 7 || b[4] != b'-' || !b[..4].iter().chain(&b[5..]).all(u8::is_ascii_digit) {
            return None;
        }
        YearMonth::new(s[..4].parse().ok()?, s[5..].parse().ok()?)
    }

    fn index(self) -> i64 {
        i64::from(self.year) * 12 + i64::from(self.month) - 1
    }

    fn from_index(i: i64) -> YearMonth {
        YearMonth {
            year: i.div_euclid(12) as i32,
            month: (i.rem_euclid(12) + 1) as u8,
        }
    }

    /// The month `n` months before this one.
    pub fn minus(self, n: u32) -> YearMonth {
        YearMonth::from_index(self.index() - i64::from(n))
    }

    /// The first day of the month.
    pub fn first_day(self) -> Date {
        let month = Month::try_from(self.month).unwrap_or(Month::January);
        Date::from_calendar_date(self.year, month, 1).unwrap_or(Date::MIN)
    }

    /// `2026年4月` or `Apr 2026`.
    pub fn label(self, lang: Lang) -> String {
        match lang {
            Lang::Ja => format!("{}年{}月", self.year, self.month),
            Lang::En => {
                const NAMES: [&str; 12] = [
                    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                    "Dec",
                ];
                format!("{} {}", NAMES[usize::from(self.month - 1)], self.year)
            }
        }
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// The months members see: from the returned month to the current one, `months` in all (at least 1).
pub fn window_start(today: Date, months: u32) -> YearMonth {
    YearMonth::of(today).minus(months.max(1) - 1)
}

/// 区分: the kind of care of an expense row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    Inpatient,
    Outpatient,
    Pharmacy,
    Dental,
    Visiting,
}

impl Category {
    pub const ALL: [Category; 5] = [
        Category::Inpatient,
        Category::Outpatient,
        Category::Pharmacy,
        Category::Dental,
        Category::Visiting,
    ];

    /// The code in files and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Inpatient => "inpatient",
            Category::Outpatient => "outpatient",
            Category::Pharmacy => "pharmacy",
            Category::Dental => "dental",
            Category::Visiting => "visiting",
        }
    }

    /// The Japanese word on the society's notices (入院, 外来, 調剤, 歯科, 訪問看護).
    pub fn ja(self) -> &'static str {
        match self {
            Category::Inpatient => "入院",
            Category::Outpatient => "外来",
            Category::Pharmacy => "調剤",
            Category::Dental => "歯科",
            Category::Visiting => "訪問看護",
        }
    }

    /// Reads the code (any case) or the Japanese word.
    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL
            .into_iter()
            .find(|c| s.eq_ignore_ascii_case(c.as_str()) || s == c.ja())
    }

    /// The catalogue key of its label.
    pub fn label_key(self) -> &'static str {
        match self {
            Category::Inpatient => "expenses.cat_inpatient",
            Category::Outpatient => "expenses.cat_outpatient",
            Category::Pharmacy => "expenses.cat_pharmacy",
            Category::Dental => "expenses.cat_dental",
            Category::Visiting => "expenses.cat_visiting",
        }
    }
}

/// The largest amount one row may carry (yen): ten digits, so that the sums of millions of rows
/// stay far inside an `i64`.
pub const MAX_YEN: i64 = 9_999_999_999;

/// The most days one month's row may count (日数: days of care within the month).
pub const MAX_DAYS: i64 = 31;

/// Reads a whole number of yen or days: ASCII digits only (the caller has applied NFKC), at most
/// `max`.
pub fn parse_amount(s: &str, max: i64) -> Option<i64> {
    if s.is_empty() || s.len() > 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok().filter(|n| *n <= max)
}

/// `12,340` (groups of three digits).
pub fn group_digits(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if amount < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An amount as a member reads it: `12,340円` or `¥12,340`.
pub fn yen(amount: i64, lang: Lang) -> String {
    match lang {
        Lang::Ja => format!("{}円", group_digits(amount)),
        Lang::En => format!("¥{}", group_digits(amount)),
    }
}

/// One expense row as the year view needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charge {
    pub month: YearMonth,
    /// The member (stable across rows with the same name).
    pub member_id: i64,
    pub name: String,
    pub total: i64,
    pub paid: i64,
}

/// One person's sums in a year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonTotal {
    pub member_id: i64,
    pub name: String,
    pub rows: u32,
    pub total: i64,
    pub paid: i64,
}

/// A calendar year of the year view (確定申告 医療費控除): the sums per person and for the household
/// over the months of that year inside the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearTotals {
    pub year: i32,
    /// The first and last month of the year that the window covers.
    pub from: YearMonth,
    pub to: YearMonth,
    pub persons: Vec<PersonTotal>,
    pub total: i64,
    pub paid: i64,
}

impl YearTotals {
    /// True when the window covers January to December of the year.
    pub fn whole_year(&self) -> bool {
        self.from.month == 1 && self.to.month == 12
    }
}

/// The year view of `charges` (any order), newest year first; persons in the order of their first
/// member id (the insured person is imported first). `start`..=`current` is the window.
pub fn year_totals(charges: &[Charge], start: YearMonth, current: YearMonth) -> Vec<YearTotals> {
    let mut years: BTreeMap<i32, BTreeMap<i64, PersonTotal>> = BTreeMap::new();
    for c in charges {
        let p = years
            .entry(c.month.year)
            .or_default()
            .entry(c.member_id)
            .or_insert_with(|| PersonTotal {
                member_id: c.member_id,
                name: c.name.clone(),
                rows: 0,
                total: 0,
                paid: 0,
            });
        p.rows += 1;
        p.total += c.total;
        p.paid += c.paid;
    }
    years
        .into_iter()
        .rev()
        .map(|(year, persons)| {
            let persons: Vec<PersonTotal> = persons.into_values().collect();
            let from = if year == start.year {
                start
            } else {
                YearMonth { year, month: 1 }
            };
            let to = if year == current.year {
                current
            } else {
                YearMonth { year, month: 12 }
            };
            YearTotals {
                year,
                from,
                to,
                total: persons.iter().map(|p| p.total).sum(),
                paid: persons.iter().map(|p| p.paid).sum(),
                persons,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use time::macros::date;

    use super::*;

    #[test]
    fn months_parse_print_and_count_back() {
        let m = YearMonth::parse("2026-04").unwrap();
        assert_eq!(m.to_string(), "2026-04");
        assert_eq!(m.minus(3).to_string(), "2026-01");
        assert_eq!(m.minus(4).to_string(), "2025-12");
        assert_eq!(m.minus(23).to_string(), "2024-05");
        assert_eq!(m.first_day(), date!(2026 - 04 - 01));
        assert_eq!(m.label(Lang::Ja), "2026年4月");
        assert_eq!(m.label(Lang::En), "Apr 2026");
        for bad in [
            "2026-4",
            "2026/04",
            "202604",
            "2026-13",
            "2026-00",
            "26-04",
            "２０２６-04",
        ] {
            assert_eq!(YearMonth::parse(bad), None, "{bad}");
        }
        assert_eq!(
            window_start(date!(2026 - 04 - 30), 24).to_string(),
            "2024-05"
        );
        assert_eq!(
            window_start(date!(2026 - 04 - 01), 1).to_string(),
            "2026-04"
        );
        assert_eq!(
            window_start(date!(2026 - 04 - 01), 0).to_string(),
            "2026-04"
        );
    }

    #[test]
    fn categories_read_codes_and_japanese_words() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(c));
            assert_eq!(Category::parse(&c.as_str().to_uppercase()), Some(c));
            assert_eq!(Category::parse(c.ja()), Some(c));
        }
        assert_eq!(Category::parse("outpatients"), None);
        assert_eq!(Category::parse(""), None);
    }

    #[test]
    fn amounts_are_digits_within_the_limit() {
        assert_eq!(parse_amount("0", MAX_YEN), Some(0));
        assert_eq!(parse_amount("12345678", MAX_YEN), Some(12_345_678));
        assert_eq!(parse_amount("9999999999", MAX_YEN), Some(MAX_YEN));
        for bad in ["", "-1", "1.5", "12,340", "1e3", "10000000000", "+5", " 5"] {
            assert_eq!(parse_amount(bad, MAX_YEN), None, "{bad}");
        }
        assert_eq!(parse_amount("31", MAX_DAYS), Some(31));
        assert_eq!(parse_amount("32", MAX_DAYS), None);
    }

    #[test]
    fn yen_is_grouped_by_three() {
        assert_eq!(yen(0, Lang::Ja), "0円");
        assert_eq!(yen(999, Lang::En), "¥999");
        assert_eq!(yen(1000, Lang::Ja), "1,000円");
        assert_eq!(yen(12_345_678, Lang::En), "¥12,345,678");
        assert_eq!(yen(12_340, Lang::Ja), "12,340円");
        assert_eq!(group_digits(-1_234_567), "-1,234,567");
    }

    fn charge(month: &str, member_id: i64, total: i64, paid: i64) -> Charge {
        Charge {
            month: YearMonth::parse(month).unwrap(),
            member_id,
            name: format!("m{member_id}"),
            total,
            paid,
        }
    }

    #[test]
    fn the_year_view_groups_by_year_and_person() {
        let start = YearMonth::parse("2024-05").unwrap();
        let current = YearMonth::parse("2026-04").unwrap();
        let rows = [
            charge("2024-06", 1, 1000, 300),
            charge("2025-01", 2, 500, 150),
            charge("2025-12", 1, 2000, 600),
            charge("2025-12", 1, 100, 30),
        ];
        let years = year_totals(&rows, start, current);
        assert_eq!(
            years.iter().map(|y| y.year).collect::<Vec<_>>(),
            [2025, 2024]
        );
        let y25 = &years[0];
        assert!(y25.whole_year());
        assert_eq!((y25.total, y25.paid), (2600, 780));
        assert_eq!(y25.persons.len(), 2);
        assert_eq!((y25.persons[0].member_id, y25.persons[0].rows), (1, 2));
        assert_eq!(y25.persons[0].paid, 630);
        let y24 = &years[1];
        assert!(!y24.whole_year());
        assert_eq!(
            (y24.from.to_string(), y24.to.to_string()),
            ("2024-05".into(), "2024-12".into())
        );
        assert!(year_totals(&[], start, current).is_empty());
    }

    proptest! {
        /// The year view is the sum of the month rows: per year, the household's paid and total
        /// equal the sums of that year's rows, and the persons' sums add up to the household's.
        #[test]
        fn the_year_view_equals_the_sum_of_the_months(
            rows in proptest::collection::vec((0u32..36, 1i64..5, 0i64..MAX_YEN / 1000, 0u32..=100), 0..80)
        ) {
            let current = YearMonth::parse("2026-04").unwrap();
            let start = current.minus(35);
            let charges: Vec<Charge> = rows
                .iter()
                .map(|(back, member, total, pct)| Charge {
                    month: current.minus(*back),
                    member_id: *member,
                    name: format!("m{member}"),
                    total: *total,
                    paid: total * i64::from(*pct) / 100,
                })
                .collect();
            let years = year_totals(&charges, start, current);
            let mut rows_seen = 0;
            for y in &years {
                let of_year = charges.iter().filter(|c| c.month.year == y.year);
                let (t, p) = of_year.fold((0, 0), |(t, p), c| (t + c.total, p + c.paid));
                prop_assert_eq!((y.total, y.paid), (t, p));
                prop_assert_eq!(y.persons.iter().map(|p| p.paid).sum::<i64>(), y.paid);
                prop_assert!(y.from <= y.to && y.from.year == y.year && y.to.year == y.year);
                rows_seen += y.persons.iter().map(|p| p.rows as usize).sum::<usize>();
            }
            prop_assert_eq!(rows_seen, charges.len());
        }
    }
}
