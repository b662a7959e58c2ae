//! `--plain` after a member's login: 医療費照会 (the months, a month's rows, the year view for
//! 確定申告) and 支給決定通知, said line by line with the full screen's words: what the list is, how
//! many, the items, then the choices. The real binary in a pseudo-terminal, ja and en.

use std::time::Duration;

use super::plain::answer;
use crate::support::pty::{self, Term};
use crate::support::*;
use kosmo_kiosk::domain::Lang;
use kosmo_kiosk::domain::expenses::YearMonth;
use kosmo_kiosk::store::Actor;

use super::expenses::{PW, yamada_with_two_months};

/// A registered household with two months of expenses and a benefit decision; returns the
/// fixture and the newest month.
fn member_with_data() -> (Fixture, YearMonth) {
    let (f, newest) = yamada_with_two_months("");
    let decided = newest.first_day();
    let benefits = format!(
        "household,decided_on,kind,amount,paid_on\n\
         {YAMADA},{decided},高額療養費,12345,\n"
    );
    f.svc
        .import_benefits_from(&Actor::admin(), "benefits.csv", benefits.as_bytes())
        .expect("benefits");
    (f, newest)
}

fn plain_kiosk(f: &Fixture, lang: &str) -> Term {
    let mut cmd = pty::command(f.dir.path(), &["--lang", lang, "--plain"]);
    cmd.env("KOSMO_KIOSK_DB", &f.db);
    Term::spawn_with("plain-member", cmd, 80, 24, false)
}

#[test]
fn a_member_reads_expenses_a_month_the_year_view_and_benefits_in_plain_lines() {
    let (f, newest) = member_with_data();
    let month = newest.label(Lang::Ja);
    let mut k = plain_kiosk(&f, "ja");
    answer(&mut k, "ユーザID:", "yamada2026");
    answer(&mut k, "（入力した文字は表示されません）:", PW);
    let s = answer(&mut k, "（Enter のみで 4）:", "1"); // 医療費照会
    assert!(
        s.contains("1 医療費照会、2 支給決定通知、3 パスワード変更、4 ログアウト"),
        "the menu as the full screen names it\n{s}"
    );
    // The list: its title, what and how many, one line per month, then the choices.
    let s = answer(&mut k, "（Enter のみで 4）:", "1");
    let want = [
        "医療費照会",
        "データは診療のおよそ3か月後に反映されます。",
        "診療月の一覧（新しい順）：2か月",
        &format!("1 {month}、医療費総額：16,900円、自己負担額：5,072円"),
        "2 ",
        "1〜2 その月の明細、3 年間の合計（確定申告）、4 戻る",
    ];
    assert_in_order(&s, &want);
    // The month: its rows, every value named, and the sum.
    let s = answer(&mut k, "Enter を押すと「医療費照会」に戻ります:", "");
    assert_in_order(
        &s,
        &[
            "医療費照会（明細）",
            &format!("診療年月：{month}"),
            "明細 2件",
            "1 受診者：山田 太郎、医療機関・薬局：さくら内科クリニック、区分：外来、日数：2日、医療費総額：12,340円、自己負担額：3,702円",
            "2 受診者：山田 花子、医療機関・薬局：みどり調剤薬局、区分：調剤",
            "合計、医療費総額：16,900円、自己負担額：5,072円",
        ],
    );
    // Back in the list, as it was; then the year view.
    let s = answer(&mut k, "（Enter のみで 4）:", "3");
    assert!(s.contains("診療月の一覧（新しい順）：2か月"), "{s}");
    let s = answer(&mut k, "Enter を押すと「医療費照会」に戻ります:", "戻る");
    assert_in_order(
        &s,
        &[
            "年間の医療費（確定申告 医療費控除）",
            "保険者の名称（KOSMO健康保険",
            "年ごとの合計：",
            "療養を受けた者：山田 花子、医療費総額：4,560円、支払った額：1,370円",
            "世帯の合計、医療費総額：",
        ],
    );
    answer(&mut k, "（Enter のみで 4）:", ""); // 戻る: the menu
    let s = answer(&mut k, "（Enter のみで 4）:", "2"); // 支給決定通知
    assert!(s.contains("メインメニュー"), "{s}");
    let decided = kosmo_kiosk::dates::long_date(newest.first_day(), Lang::Ja);
    let s = answer(&mut k, "Enter を押すと「メインメニュー」に戻ります:", "");
    assert_in_order(
        &s,
        &[
            "支給決定通知",
            "支給決定 1件",
            &format!("1 決定日：{decided}、給付の種類：高額療養費、支給額：12,345円、支払日：未定"),
        ],
    );
    answer(&mut k, "（Enter のみで 4）:", "4"); // ログアウト
    k.wait_until("the start again", Duration::from_secs(10), |s| {
        s.contains("STEP1 アクセス") && s.trim_end().ends_with("ユーザID:")
    });
    k.stop();
}

#[test]
fn english_plain_lines_use_the_full_screens_words_and_say_when_a_list_is_empty() {
    let f = Fixture::build().households(&DEMO).config_file("").open();
    f.register_account(YAMADA, "yamada2026", PW, None);
    let mut k = plain_kiosk(&f, "en");
    answer(&mut k, "User ID:", "yamada2026");
    answer(&mut k, "(what you type is not shown):", PW);
    let s = answer(&mut k, "(Enter alone: 4):", "1");
    assert!(
        s.contains("1 Medical expenses, 2 Benefit decisions, 3 Change password, 4 Log out"),
        "{s}"
    );
    let s = answer(&mut k, "Press Enter to return to Main menu:", "");
    assert_in_order(
        &s,
        &[
            "Medical expenses",
            "Data appear about three months after treatment.",
            "There are no medical expenses to show yet.",
        ],
    );
    let s = answer(&mut k, "(Enter alone: 4):", "2");
    assert!(s.contains("Main menu"), "{s}");
    let s = answer(&mut k, "Press Enter to return to Main menu:", "");
    assert_in_order(
        &s,
        &[
            "Benefit decisions",
            "0 decisions",
            "There are no benefit decisions yet.",
        ],
    );
    answer(&mut k, "(Enter alone: 4):", "4");
    k.wait_until("the start again", Duration::from_secs(10), |s| {
        s.trim_end().ends_with("User ID:")
    });
    k.stop();
}

#[test]
fn english_month_lines_name_every_value() {
    let (f, newest) = member_with_data();
    let mut k = plain_kiosk(&f, "en");
    answer(&mut k, "User ID:", "yamada2026");
    answer(&mut k, "(what you type is not shown):", PW);
    answer(&mut k, "(Enter alone: 4):", "1");
    let s = answer(&mut k, "(Enter alone: 4):", "1");
    let month = newest.label(Lang::En);
    assert_in_order(
        &s,
        &[
            "Months, newest first: 2",
            &format!("1 {month}, Total cost: ¥16,900, You paid: ¥5,072"),
            "1 to 2 that month's details, 3 Yearly totals (tax return), 4 Back",
        ],
    );
    let s = answer(&mut k, "Press Enter to return to Medical expenses:", "");
    assert!(
        s.contains("1 Patient: 山田 太郎, Provider: さくら内科クリニック, Type: Outpatient, Days: 2, Total cost: ¥12,340, You paid: ¥3,702"),
        "{s}"
    );
    assert!(
        s.contains("Total, Total cost: ¥16,900, You paid: ¥5,072"),
        "{s}"
    );
    answer(&mut k, "(Enter alone: 4):", "4");
    answer(&mut k, "(Enter alone: 4):", "4");
    k.wait_until("the start again", Duration::from_secs(10), |s| {
        s.trim_end().ends_with("User ID:")
    });
    k.stop();
}

/// Every one of `want` is in `s`, in this order.
fn assert_in_order(s: &str, want: &[&str]) {
    let mut from = 0;
    for w in want {
        match s[from..].find(w) {
            Some(i) => from += i + w.len(),
            None => panic!("{w:?} is missing (or out of order) in:\n{s}"),
        }
    }
}
