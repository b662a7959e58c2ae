//! Issue 16 on the real binary in an 80×24 pseudo-terminal: a registered member opens 医療費照会,
//! a month, goes back, opens the year view for 確定申告, goes back to the menu and logs out, with
//! keys alone (the data imported on the fixture's store, months counted from today).

use crate::support::pty::{self, Term, key};
use crate::support::*;
use kosmo_kiosk::domain::Lang;
use kosmo_kiosk::domain::expenses::YearMonth;
use kosmo_kiosk::store::Actor;

pub(crate) const PW: &str = "Kosmo2026ab";

/// The DEMO households with 山田 registered as `yamada2026` (password [`PW`]) and three expense rows
/// in two months (the newest three months back, two rows: 16,900円 / 5,072円); the fixture and the
/// newest month.
pub(crate) fn yamada_with_two_months(config_file: &str) -> (Fixture, YearMonth) {
    let f = Fixture::build()
        .households(&DEMO)
        .config_file(config_file)
        .open();
    f.register_account(YAMADA, "yamada2026", PW, Some("taro@example.jp"));
    let newest = f.svc.expense_window().current.minus(3);
    let older = newest.minus(1);
    let csv = format!(
        "household,month,patient,provider,category,days,total,paid\n\
         {YAMADA},{newest},山田 太郎,さくら内科クリニック,outpatient,2,12340,3702\n\
         {YAMADA},{newest},山田 花子,みどり調剤薬局,pharmacy,1,4560,1370\n\
         {YAMADA},{older},山田 太郎,さくら内科クリニック,outpatient,1,5000,1500\n"
    );
    f.svc
        .import_expenses_from(&Actor::admin(), "expenses.csv", csv.as_bytes())
        .expect("import");
    (f, newest)
}

#[test]
fn a_member_walks_from_the_menu_through_a_month_and_the_year_view_and_logs_out() {
    let (f, newest) = yamada_with_two_months("[kiosk]\nallow_exit = true\n");

    let mut cmd = pty::command(f.dir.path(), &[]);
    cmd.env("KOSMO_KIOSK_DB", &f.db);
    let mut k = Term::spawn("kiosk", cmd, 80, 24);
    k.wait_for(&["ユーザID", "パスワード"]);
    k.keys(&["yamada2026", key::TAB, PW, key::TAB, key::ENTER]);
    k.wait_for(&["メインメニュー", "医療費照会", "支給決定通知"]);
    k.keys(&[key::ENTER]); // 医療費照会 has the focus
    let month = newest.label(Lang::Ja);
    k.wait_for(&["診療年月", &month, "16,900円", "5,072円"]);
    k.keys(&[key::ENTER]); // the newest month has the focus
    k.wait_for(&["医療費照会（明細）", "みどり調剤薬局", "調剤", "合計"]);
    k.keys(&[key::ESC]);
    k.wait_gone("医療費照会（明細）");
    k.wait_for(&["年間の合計（確定申告）"]);
    k.keys(&[key::TAB, key::TAB, key::ENTER]); // past the two months
    k.wait_for(&["医療費控除", "世帯の合計", "KOSMO健康保険"]);
    k.keys(&[key::ENTER]); // 戻る
    k.wait_gone("世帯の合計");
    k.keys(&[key::ESC]);
    k.wait_for(&["メインメニュー"]);
    // 医療費照会 keeps the focus; ログアウト is the fifth button.
    k.keys(&[key::TAB, key::TAB, key::TAB, key::TAB, key::ENTER]);
    k.wait_for(&["STEP1", "ユーザID"]);
    k.keys(&[key::CTRL_C]);
    let (_, ok) = k
        .wait_exit(pty::WAIT)
        .unwrap_or_else(|| panic!("the kiosk did not exit; the screen:\n{}", k.screen()));
    assert!(ok, "the kiosk's exit status");
}
