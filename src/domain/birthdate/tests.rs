use super::*;
use proptest::prelude::*;
use time::macros::date;

const TODAY: Date = date!(2026 - 06 - 30);

fn p(s: &str) -> Result<Date, BirthDateError> {
    parse_birth_date(s, TODAY)
}

#[test]
fn western_forms() {
    let d = date!(1980 - 01 - 01);
    for s in [
        "19800101",
        "1980/01/01",
        "1980/1/1",
        "1980-01-01",
        "1980-1-1",
        "1980.1.01",
        "1980年1月1日",
        "1980年01月01日",
        "1980年1月1",
        " 1980 / 1 / 1 ",
        "１９８０年１月１日",
        "１９８００１０１",
        "1980／01／01",
    ] {
        assert_eq!(p(s), Ok(d), "{s}");
    }
}

#[test]
fn era_forms() {
    let d = date!(1980 - 01 - 01);
    for s in [
        "S55.1.1",
        "s55/01/01",
        "S55-1-1",
        "昭和55年1月1日",
        "昭和55年1月1",
        "昭和55.1.1",
        "S55年1月1日",
        "Ｓ５５．１．１",
        "㍼55年1月1日",
        "S550101",
        "昭和 55年 1月 1日",
    ] {
        assert_eq!(p(s), Ok(d), "{s}");
    }
    assert_eq!(p("平成元年1月8日"), Ok(date!(1989 - 01 - 08)));
    assert_eq!(p("㍻元年1月8日"), Ok(date!(1989 - 01 - 08)));
    assert_eq!(p("H1.1.8"), Ok(date!(1989 - 01 - 08)));
    assert_eq!(p("h元.1.8"), Ok(date!(1989 - 01 - 08)));
    assert_eq!(p("R1.5.1"), Ok(date!(2019 - 05 - 01)));
    assert_eq!(p("令和2年2月29日"), Ok(date!(2020 - 02 - 29)));
    assert_eq!(p("T1.7.30"), Ok(date!(1912 - 07 - 30)));
    assert_eq!(p("大正15年12月24日"), Ok(date!(1926 - 12 - 24)));
    assert_eq!(p("M1.1.25"), Ok(date!(1868 - 01 - 25)));
    assert_eq!(p("明治45年7月29日"), Ok(date!(1912 - 07 - 29)));
    assert_eq!(p("昭和64年1月7日"), Ok(date!(1989 - 01 - 07)));
    assert_eq!(p("平成31年4月30日"), Ok(date!(2019 - 04 - 30)));
}

#[test]
fn ime_dashes_and_short_eras() {
    let d = date!(1980 - 01 - 01);
    for s in [
        "1980ー01ー01",
        "1980−01−01",
        "1980‐01‐01",
        "1980–01–01",
        "1980―01―01",
        "1980ｰ01ｰ01",
        "1980－01－01",
        "S55ー1ー1",
        "昭55.1.1",
        "昭55年1月1日",
        "55.1.1",
        "55年1月1日",
        "５５．１．１",
        "55ー1ー1",
    ] {
        assert_eq!(p(s), Ok(d), "{s}");
    }
    assert_eq!(p("平元.1.8"), Ok(date!(1989 - 01 - 08)));
    assert_eq!(p("大15.12.24"), Ok(date!(1926 - 12 - 24)));
    // No era: 昭和, said back with the other reading.
    assert!(era_assumed("55.1.1") && !era_assumed("S55.1.1") && !era_assumed("19800101"));
    let m = understood_input("55.1.1", d, Lang::Ja);
    assert_eq!(m.key, "birth.understood_showa");
    assert!(
        m.args.iter().any(|(k, v)| *k == "other" && v == "19550101"),
        "{m:?}"
    );
    assert_eq!(
        understood_input("S55.1.1", d, Lang::Ja).key,
        "birth.understood"
    );
    // Unclear: 6 bare digits, a 2-digit year past 昭和64.
    for s in [
        "800101",
        "550101",
        "198011",
        "80.1.1",
        "80/1/1",
        "65年1月1日",
    ] {
        assert_eq!(p(s), Err(BirthDateError::YearUnclear), "{s}");
    }
    // 昭和64年1月8日 does not exist, with or without the era.
    assert_eq!(p("64.1.8"), Err(BirthDateError::OutsideEra));
}

#[test]
fn outside_era() {
    for s in [
        "昭和65年1月1日",
        "平成31年5月1日",
        "昭和64年1月8日",
        "平成元年1月7日",
        "S0.1.1",
        "M1.1.1",
        "T1.7.29",
    ] {
        assert_eq!(p(s), Err(BirthDateError::OutsideEra), "{s}");
    }
}

#[test]
fn format_errors() {
    for s in [
        "1980",
        "1980/1",
        "1980/1/1/1",
        "1980/001/1",
        "1980年1/1",
        "1980年1月",
        "S.1.1",
        "S123.1.1",
        "X55.1.1",
        "yesterday",
        "1980/1/1日",
        "S5501011",
    ] {
        assert_eq!(p(s), Err(BirthDateError::Format), "{s}");
    }
}

#[test]
fn other_errors() {
    assert_eq!(p(""), Err(BirthDateError::Empty));
    assert_eq!(p(" \u{3000} "), Err(BirthDateError::Empty));
    assert_eq!(p("19800230"), Err(BirthDateError::NotADate));
    assert_eq!(p("2021/2/29"), Err(BirthDateError::NotADate));
    assert_eq!(p("1980/13/1"), Err(BirthDateError::NotADate));
    assert_eq!(p("1980/0/1"), Err(BirthDateError::NotADate));
    assert_eq!(p("1980/1/0"), Err(BirthDateError::NotADate));
    assert_eq!(p("S55.2.30"), Err(BirthDateError::NotADate));
    assert_eq!(p("20260701"), Err(BirthDateError::Future));
    assert_eq!(p("令和99年1月1日"), Err(BirthDateError::Future));
    assert_eq!(p("20260630"), Ok(TODAY));
    assert_eq!(p("18671231"), Err(BirthDateError::TooOld));
    assert_eq!(p("00010101"), Err(BirthDateError::TooOld));
    assert_eq!(p("18680101"), Ok(date!(1868 - 01 - 01)));
}

#[test]
fn long_format() {
    assert_eq!(
        format_long(date!(1980 - 01 - 01), Lang::Ja),
        "1980年1月1日（昭和55年）"
    );
    assert_eq!(
        format_long(date!(1989 - 01 - 08), Lang::Ja),
        "1989年1月8日（平成元年）"
    );
    assert_eq!(
        format_long(date!(1989 - 01 - 07), Lang::Ja),
        "1989年1月7日（昭和64年）"
    );
    assert_eq!(
        format_long(date!(2019 - 05 - 01), Lang::Ja),
        "2019年5月1日（令和元年）"
    );
    assert_eq!(format_long(date!(1868 - 01 - 01), Lang::Ja), "1868年1月1日");
    assert_eq!(
        format_long(date!(1980 - 01 - 01), Lang::En),
        "1 January 1980"
    );
    assert_eq!(
        format_long(date!(2000 - 12 - 31), Lang::En),
        "31 December 2000"
    );
    assert_eq!(
        format_era(date!(1989 - 01 - 08)).as_deref(),
        Some("平成元年1月8日")
    );
    assert_eq!(format_era(date!(1868 - 01 - 24)), None);
    assert_eq!(
        understood(date!(1980 - 01 - 01), Lang::Ja).args[0].1,
        "1980年1月1日（昭和55年）"
    );
}

#[test]
fn era_years() {
    assert_eq!(era_year(date!(1980 - 01 - 01)), Some(("昭和", 55)));
    assert_eq!(era_year(date!(1926 - 12 - 25)), Some(("昭和", 1)));
    assert_eq!(era_year(date!(1926 - 12 - 24)), Some(("大正", 15)));
    assert_eq!(era_year(date!(2019 - 04 - 30)), Some(("平成", 31)));
    assert_eq!(era_year(date!(2026 - 01 - 01)), Some(("令和", 8)));
    assert_eq!(era_year(date!(1868 - 01 - 24)), None);
    assert_eq!(Era::of(date!(1912 - 07 - 30)).unwrap().romaji, "Taisho");
}

#[test]
fn messages() {
    assert_eq!(
        BirthDateError::TooOld.msg(),
        Msg::new("birth.too_old").arg("year", 1868)
    );
    assert_eq!(BirthDateError::OutsideEra.msg().key, "birth.outside_era");
    assert!(!BirthDateError::Format.to_string().is_empty());
}

fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| {
            if ('!'..='~').contains(&c) {
                char::from_u32(c as u32 + 0xFEE0).unwrap()
            } else {
                c
            }
        })
        .collect()
}

fn any_date() -> impl Strategy<Value = Date> {
    let lo = date!(1868 - 01 - 25).to_julian_day();
    let hi = TODAY.to_julian_day();
    (lo..=hi).prop_map(|jd| Date::from_julian_day(jd).unwrap())
}

fn forms(d: Date) -> Vec<String> {
    let (y, m, day) = (d.year(), u8::from(d.month()), d.day());
    let era = Era::of(d).unwrap();
    let (_, ey) = era_year(d).unwrap();
    vec![
        format!("{y:04}{m:02}{day:02}"),
        format!("{y:04}/{m:02}/{day:02}"),
        format!("{y:04}-{m:02}-{day:02}"),
        format!("{y}/{m}/{day}"),
        format!("{y}年{m}月{day}日"),
        format!("{}{ey}.{m}.{day}", era.letter),
        format!("{}{ey:02}/{m:02}/{day:02}", era.letter.to_ascii_lowercase()),
        format!("{}{}年{m}月{day}日", era.kanji, era_year_text(ey)),
        format!("{}{ey}年{m}月{day}日", era.kanji),
        format_era(d).unwrap(),
    ]
}

proptest! {
    #[test]
    fn every_form_round_trips(d in any_date()) {
        for s in forms(d) {
            prop_assert_eq!(p(&s), Ok(d), "{}", s);
            let fw = full_width(&s);
            prop_assert_eq!(p(&fw), Ok(d), "{}", fw);
        }
    }

    #[test]
    fn era_long_form_names_the_right_era(d in any_date()) {
        let long = format_long(d, Lang::Ja);
        let (era, _) = era_year(d).unwrap();
        prop_assert!(long.contains(era));
    }

    #[test]
    fn never_panics(s in "\\PC{0,20}") {
        let _ = p(&s);
    }
}
