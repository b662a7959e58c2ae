//! A society for the medical-expense import at scale (issue 16): `n` households of two members each,
//! keys `06139497-1201-{i}`, and expense files of every household's last months, written in one
//! pass. Used by `benches/expenses.rs` and the query-plan scenarios.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;

use kosmo_kiosk::domain::expenses::{Category, YearMonth};

/// The key of household `i` (1-based).
pub fn key(i: usize) -> String {
    format!("06139497-1201-{i}")
}

pub fn insured(i: usize) -> String {
    format!("加入 {i:06}")
}

pub fn dependent(i: usize) -> String {
    format!("家族 {i:06}")
}

/// The members CSV of households `1..=n`: an insured person and a dependent each.
pub fn write_members(out: &mut impl Write, n: usize) -> std::io::Result<()> {
    writeln!(
        out,
        "insurer_number,symbol,number,name,birth_date,relationship"
    )?;
    for i in 1..=n {
        writeln!(out, "06139497,1201,{i},{},1970-01-01,insured", insured(i))?;
        writeln!(
            out,
            "06139497,1201,{i},{},2000-01-01,dependent",
            dependent(i)
        )?;
    }
    Ok(())
}

const PROVIDERS: [&str; 6] = [
    "医療法人社団 青葉会 青葉台記念病院",
    "さくら内科クリニック",
    "みどり調剤薬局 駅前店",
    "ひまわり歯科医院",
    "訪問看護ステーション こもれび",
    "国立研究開発法人 国際医療研究センター病院",
];

/// Whether household `i` has a row in the month `back` months before the current one: 5 of every
/// 6 household-months, so that 50,000 households × 24 months make exactly 1,000,000 rows.
pub fn has_row(i: usize, back: u32) -> bool {
    (i + back as usize) % 6 != 0
}

/// The expenses CSV of households `1..=n` over the `months` months ending with `current`, household
/// by household (as a society's yearly export); returns the number of rows.
pub fn write_expenses(
    out: &mut impl Write,
    n: usize,
    months: u32,
    current: YearMonth,
) -> std::io::Result<u64> {
    writeln!(
        out,
        "household,month,patient,provider,category,days,total,paid"
    )?;
    let mut rows = 0;
    for i in 1..=n {
        for back in (0..months).rev() {
            if !has_row(i, back) {
                continue;
            }
            let month = current.minus(back);
            let who = if (i + back as usize) % 3 == 0 {
                dependent(i)
            } else {
                insured(i)
            };
            let c = (i + back as usize) % 6;
            let category = Category::ALL[c % 5].as_str();
            let total = 1_000 + ((i * 7919 + back as usize * 104_729) % 60_000) as i64 * 10;
            writeln!(
                out,
                "{},{month},{who},{},{category},{},{total},{}",
                key(i),
                PROVIDERS[c],
                1 + c % 4,
                total * 3 / 10
            )?;
            rows += 1;
        }
    }
    Ok(rows)
}

/// Writes both files into `dir`: `members-{n}.csv` and `expenses-{n}.csv`; returns their paths.
pub fn write_files(
    dir: &Path,
    n: usize,
    months: u32,
    current: YearMonth,
) -> std::io::Result<(std::path::PathBuf, std::path::PathBuf, u64)> {
    std::fs::create_dir_all(dir)?;
    let members = dir.join(format!("members-{n}.csv"));
    let mut w = std::io::BufWriter::new(std::fs::File::create(&members)?);
    write_members(&mut w, n)?;
    w.flush()?;
    let expenses = dir.join(format!("expenses-{n}.csv"));
    let mut w = std::io::BufWriter::new(std::fs::File::create(&expenses)?);
    let rows = write_expenses(&mut w, n, months, current)?;
    w.flush()?;
    Ok((members, expenses, rows))
}
