//! The demo's medical expenses and benefit decisions: two years of a household's treatment as a
//! society's files would hold them, dated from the current month so that 医療費照会 and 支給決定通知
//! show data at once. The newest month is three months back (data appear about three months after
//! treatment). Imported through the same path as `admin import-expenses` / `import-benefits`.

use std::fmt::Write;

use crate::domain::expenses::YearMonth;

/// (household, patient) of the demo's members with treatment.
const PATIENTS: [(&str, &str); 6] = [
    ("33120015-21-1006", "田中 直子"),
    ("06139497-12-3401", "山田 太郎"),
    ("06139497-12-3401", "山田 花子"),
    ("06139497-12-3402", "佐藤 一郎"),
    ("01130012-7-88", "鈴木 美咲"),
    ("01130012-7-88", "鈴木 健"),
];

/// (months back, patient index, provider, category, days, total).
const ROWS: &[(u32, usize, &str, &str, u32, i64)] = &[
    (3, 0, "さくら内科クリニック", "outpatient", 2, 8_420),
    (3, 0, "みどり調剤薬局 駅前店", "pharmacy", 2, 5_730),
    (4, 0, "ひまわり歯科医院", "dental", 3, 21_960),
    (5, 0, "さくら内科クリニック", "outpatient", 1, 4_210),
    (5, 0, "みどり調剤薬局 駅前店", "pharmacy", 1, 2_860),
    (
        7,
        0,
        "医療法人社団 青葉会 青葉台記念病院 消化器内科・内視鏡センター",
        "inpatient",
        9,
        1_264_830,
    ),
    (
        7,
        0,
        "医療法人社団 青葉会 青葉台記念病院 消化器内科・内視鏡センター",
        "outpatient",
        2,
        38_400,
    ),
    (8, 0, "さくら内科クリニック", "outpatient", 1, 4_210),
    (
        10,
        0,
        "訪問看護ステーション こもれび",
        "visiting",
        4,
        46_800,
    ),
    (12, 0, "ひまわり歯科医院", "dental", 2, 12_380),
    (14, 0, "さくら内科クリニック", "outpatient", 1, 6_930),
    (14, 0, "みどり調剤薬局 駅前店", "pharmacy", 1, 3_320),
    (17, 0, "さくら内科クリニック", "outpatient", 2, 9_870),
    (20, 0, "ひまわり歯科医院", "dental", 1, 7_650),
    (23, 0, "さくら内科クリニック", "outpatient", 1, 4_210),
    (3, 1, "中央総合病院 循環器内科", "outpatient", 1, 15_640),
    (3, 2, "駅前ファミリー薬局", "pharmacy", 1, 4_870),
    (6, 1, "中央総合病院 循環器内科", "outpatient", 1, 15_640),
    (4, 3, "佐藤眼科", "outpatient", 1, 7_700),
    (5, 4, "すずかけ小児科・内科", "outpatient", 2, 11_280),
    (5, 5, "すずかけ小児科・内科", "outpatient", 2, 9_940),
];

/// The expenses file (`household,month,patient,provider,category,days,total,paid`); the members
/// pay 30 % (the child 20 %).
pub fn expenses_csv(current: YearMonth) -> String {
    let mut s = String::from("household,month,patient,provider,category,days,total,paid\n");
    for &(back, who, provider, category, days, total) in ROWS {
        let (household, patient) = PATIENTS[who];
        let share = if who == 5 { 20 } else { 30 };
        let _ = writeln!(
            s,
            "{household},{},{patient},{provider},{category},{days},{total},{}",
            current.minus(back),
            total * share / 100
        );
    }
    s
}

/// The decisions file: the high-cost benefit of the registered household's hospital stay, paid two
/// months later, and the society's additional benefit of the same month.
pub fn benefits_csv(current: YearMonth) -> String {
    let decided = current
        .minus(4)
        .first_day()
        .replace_day(15)
        .unwrap_or(current.minus(4).first_day());
    let paid = current
        .minus(3)
        .first_day()
        .replace_day(10)
        .unwrap_or(current.minus(3).first_day());
    format!(
        "household,decided_on,kind,amount,paid_on\n\
         {h},{decided},high_cost,282339,{paid}\n\
         {h},{decided},additional,20000,{paid}\n",
        h = PATIENTS[0].0
    )
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::FixedClock;
    use crate::config::Config;
    use crate::services::Services;
    use crate::services::members::parse_members_csv;
    use crate::store::{Actor, Store};

    #[test]
    fn the_demo_files_import_for_the_demo_households() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("k.db")).unwrap();
        let clock = Arc::new(FixedClock::new(
            time::macros::datetime!(2026-01-15 01:00 UTC),
        ));
        let svc = Services::with_clock(Arc::new(store), Arc::new(Config::default()), clock);
        let rows = parse_members_csv(super::super::demo::DEMO_MEMBERS, svc.clock.today()).unwrap();
        svc.import_rows(&Actor::admin(), &rows).unwrap();
        let current = svc.expense_window().current;
        let r = svc
            .import_expenses_from(&Actor::admin(), "demo", expenses_csv(current).as_bytes())
            .unwrap();
        assert_eq!((r.rows, r.skipped_old), (ROWS.len() as u64, 0));
        let r = svc
            .import_benefits_from(&Actor::admin(), "demo", benefits_csv(current).as_bytes())
            .unwrap();
        assert_eq!(r.rows, 2);
    }
}
