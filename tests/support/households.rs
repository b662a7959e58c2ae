//! The one households fixture: every household any test imports, in one members CSV (the contract of
//! `admin import-members`), and one constant per household key. A test store imports the households
//! it names ([`csv`]); nothing else in `tests/` spells out a member list.
//!
//! Two groups:
//! - [`DEMO`]: the five households of the demo (`assets/demo/members.csv`), with short numbers, as a
//!   member or a staff member types them at the kiosk and the counter;
//! - [`PROOF`]: four households whose numbers are long enough that they cannot turn up by chance
//!   inside a timestamp or a hash, for the proofs that search every column and byte of the store.
//!
//! Insurer numbers carry valid check digits (06139497, 01130012, 33120015).
#![allow(dead_code)]

/// Every household of the tests. Order matters only for readers: [`csv`] keeps it.
pub const CSV: &str = "\
insurer_number,symbol,number,name,birth_date,relationship
06139497,12,3401,山田 太郎,1955-04-12,insured
06139497,12,3401,山田 花子,1958-09-30,dependent
06139497,12,3402,佐藤 一郎,1980-01-01,insured
01130012,7,88,鈴木 美咲,1990-07-15,insured
01130012,7,88,鈴木 健,2015-03-03,dependent
33120015,21,1005,高橋 清,1938-11-03,insured
33120015,21,1006,田中 直子,1972-02-29,insured
06139497,12,4417203,伊藤 太郎,1970-05-05,insured
06139497,12,4417203,伊藤 花子,1972-06-06,dependent
06139497,12,4417203,伊藤 一郎,2005-03-03,dependent
01130012,AB,5530871,渡辺 次郎,1980-01-01,insured
33120015,21,6620934,中村 三郎,1965-12-12,insured
06139497,12,4417299,伊藤 次郎,1990-09-09,insured
";

// ----- DEMO ----------------------------------------------------------------------------------------

/// 山田 太郎 (insured, 1955-04-12) and 山田 花子 (dependent, 1958-09-30).
pub const YAMADA: &str = "06139497-12-3401";
/// 佐藤 一郎 (1980-01-01).
pub const SATO: &str = "06139497-12-3402";
/// 鈴木 美咲 (insured, 1990-07-15) and 鈴木 健 (dependent, 2015-03-03).
pub const SUZUKI: &str = "01130012-7-88";
/// 高橋 清 (1938-11-03, 昭和13年).
pub const TAKAHASHI: &str = "33120015-21-1005";
/// 田中 直子 (1972-02-29, a leap day).
pub const TANAKA: &str = "33120015-21-1006";

/// The demo's households.
pub const DEMO: [&str; 5] = [YAMADA, SATO, SUZUKI, TAKAHASHI, TANAKA];

// ----- PROOF ---------------------------------------------------------------------------------------

/// 伊藤 太郎 (insured, 1970-05-05) with two dependents, 伊藤 花子 (1972-06-06) and 伊藤 一郎
/// (2005-03-03).
pub const ITO: &str = "06139497-12-4417203";
/// 渡辺 次郎 (1980-01-01), another insurer.
pub const WATANABE: &str = "01130012-AB-5530871";
/// 中村 三郎 (1965-12-12), a third insurer.
pub const NAKAMURA: &str = "33120015-21-6620934";
/// 伊藤 次郎 (1990-09-09): same insurer and symbol as [`ITO`], another number; a neighbour whose
/// birth date must not let an Ito postcard through.
pub const NEIGHBOUR: &str = "06139497-12-4417299";

/// The households of the store and services proofs.
pub const PROOF: [&str; 4] = [ITO, WATANABE, NAKAMURA, NEIGHBOUR];

// ----- selecting -----------------------------------------------------------------------------------

/// The household key of a CSV row (`insurer-symbol-number`).
fn key_of_row(row: &str) -> String {
    let f: Vec<&str> = row.split(',').collect();
    format!("{}-{}-{}", f[0], f[1], f[2])
}

/// The member rows of `households` (in the order of [`CSV`]), without the header.
pub fn rows(households: &[&str]) -> Vec<&'static str> {
    for h in households {
        assert!(
            CSV.lines().skip(1).any(|r| key_of_row(r) == *h),
            "{h} is not a household of tests/support/households.rs"
        );
    }
    CSV.lines()
        .skip(1)
        .filter(|r| households.contains(&key_of_row(r).as_str()))
        .collect()
}

/// A members CSV (header and rows) with exactly these households.
pub fn csv(households: &[&str]) -> String {
    let mut s = String::from(CSV.lines().next().expect("header"));
    s.push('\n');
    for r in rows(households) {
        s.push_str(r);
        s.push('\n');
    }
    s
}

/// One member of a household.
#[derive(Debug, Clone)]
pub struct Member {
    pub name: &'static str,
    /// `YYYY-MM-DD`.
    pub birth_date: &'static str,
    pub insured: bool,
}

/// The members of `household`, insured person first.
pub fn members(household: &str) -> Vec<Member> {
    let mut m: Vec<Member> = rows(&[household])
        .into_iter()
        .map(|r| {
            let f: Vec<&'static str> = r.split(',').collect();
            Member {
                name: f[3],
                birth_date: f[4],
                insured: f[5] == "insured",
            }
        })
        .collect();
    m.sort_by_key(|m| !m.insured);
    m
}

/// The insured person of `household`.
pub fn insured(household: &str) -> Member {
    members(household)
        .into_iter()
        .find(|m| m.insured)
        .expect("every household has an insured person")
}

/// The insurer number of a household key.
pub fn insurer_of(household: &str) -> &str {
    household.split('-').next().expect("a household key")
}

/// A postcard: the temporary ID and password printed for a household.
#[derive(Debug, Clone)]
pub struct Postcard {
    pub household: String,
    pub temp_id: String,
    pub password: String,
}

impl From<&kosmo_kiosk::services::credentials::Notice> for Postcard {
    fn from(n: &kosmo_kiosk::services::credentials::Notice) -> Postcard {
        Postcard {
            household: n.household.clone(),
            temp_id: n.temp_user_id.clone(),
            password: n.temp_password.to_string(),
        }
    }
}

// ----- many households -----------------------------------------------------------------------------

/// A members CSV with `n` one-person households under insurer 06139497, symbol `sym`, numbers
/// 7000001, 7000002, …; person `i` (0-based) is born on day `1 + i % 28` of month `1 + i % 12`, 1960 + i % 40.
pub fn many_households_csv(sym: &str, n: usize) -> String {
    let mut s = String::from("insurer_number,symbol,number,name,birth_date,relationship\n");
    for i in 0..n {
        s.push_str(&format!(
            "06139497,{sym},{},会員 {i},{},insured\n",
            7_000_001 + i,
            birth_of(i)
        ));
    }
    s
}

/// The key of household `i` of [`many_households_csv`].
pub fn key_of(sym: &str, i: usize) -> String {
    format!("06139497-{sym}-{}", 7_000_001 + i)
}

/// The birth date of person `i` of [`many_households_csv`].
pub fn birth_of(i: usize) -> String {
    format!("{}-{:02}-{:02}", 1960 + i % 40, 1 + i % 12, 1 + i % 28)
}
