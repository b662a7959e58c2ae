//! 医療費照会 (months, a month's rows, the year view) and 支給決定通知 at 80×24 in Japanese and
//! English, reached from the menu with keys and with taps as a member would, on a real store with
//! imported data: long names, large amounts (¥12,345,678), two pages of months, empty states.

use crate::support::rig::{self, Rig};
use crate::support::*;
use kosmo_kiosk::domain::Lang;
use kosmo_kiosk::store::Actor;
use kosmo_kiosk::tui::Page;
use ratatui::crossterm::event::{KeyCode, MouseEventKind};

const PW: &str = "Kosmo2026ab";
const LONG_PROVIDER: &str =
    "医療法人社団 とても長い名前の会 東京第一総合病院 附属 内科・外科クリニック";

/// 10 months (2025-04 to 2026-01; the fixture's clock is in 2026-04) for 山田 太郎 and 山田 花子, a
/// month with a long provider name and ¥12,345,678; two benefit decisions, one not paid yet.
fn with_data() -> Fixture {
    let f = Fixture::demo();
    f.register_account(YAMADA, "yamada2026", PW, Some("taro@example.jp"));
    f.register_account(SATO, "sato2026x", PW, None);
    let mut csv = String::from("household,month,patient,provider,category,days,total,paid\n");
    for (i, month) in [
        "2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09", "2025-10", "2025-11",
        "2025-12", "2026-01",
    ]
    .iter()
    .enumerate()
    {
        let total = 10_000 + 1_230 * i as i64;
        csv.push_str(&format!(
            "{YAMADA},{month},山田 太郎,さくら内科クリニック,outpatient,2,{total},{}\n",
            total * 3 / 10
        ));
    }
    csv.push_str(&format!(
        "{YAMADA},2026-01,山田 太郎,{LONG_PROVIDER},inpatient,31,12345678,86000\n\
         {YAMADA},2026-01,山田 花子,みどり調剤薬局,pharmacy,1,4560,1370\n\
         {YAMADA},2026-01,山田 花子,訪問看護ステーションあおば,visiting,8,64000,6400\n"
    ));
    f.svc
        .import_expenses_from(&Actor::admin(), "expenses.csv", csv.as_bytes())
        .expect("expenses");
    let benefits = format!(
        "household,decided_on,kind,amount,paid_on\n\
         {YAMADA},2026-03-10,高額療養費,12345678,\n\
         {YAMADA},2025-11-20,付加金,25000,2025-12-25\n"
    );
    f.svc
        .import_benefits_from(&Actor::admin(), "benefits.csv", benefits.as_bytes())
        .expect("benefits");
    f
}

fn ui(f: &Fixture, lang: Lang) -> Rig {
    Rig::on(&f.svc, rig::options(lang), 80, 24).settling()
}

fn focus(ui: &mut Rig, id: &str) {
    for _ in 0..30 {
        if ui.app.screen().form().focused_name() == id {
            return;
        }
        ui.key(KeyCode::Tab);
    }
    panic!("no control {id} on {:?}", ui.app.page());
}

fn press(ui: &mut Rig, id: &str) {
    focus(ui, id);
    ui.key(KeyCode::Enter);
}

fn login(ui: &mut Rig, id: &str) {
    focus(ui, "user_id");
    ui.type_text(id);
    focus(ui, "password");
    ui.type_text(PW);
    press(ui, "login");
    assert_eq!(ui.app.page(), Page::Menu);
}

fn snap(ui: &mut Rig, name: &str, lang: Lang) -> String {
    let screen = ui.draw();
    let cursor = match ui.cursor() {
        Some((x, y)) => format!("cursor: column {x}, row {y}"),
        None => "cursor: hidden".to_string(),
    };
    crate::support::looks::check(&ui.app, 80, 24);
    insta::assert_snapshot!(format!("{name}_{lang}"), format!("{screen}\n{cursor}\n"));
    screen
}

fn ja_en(lang: Lang, ja: &'static str, en: &'static str) -> &'static str {
    if lang == Lang::Ja { ja } else { en }
}

#[test]
fn months_a_month_and_the_year_view_by_keys() {
    for lang in Lang::ALL {
        let f = with_data();
        let mut ui = ui(&f, lang);
        login(&mut ui, "yamada2026");
        press(&mut ui, "expenses");
        assert_eq!(ui.app.page(), Page::Expenses);
        let s = snap(&mut ui, "expenses", lang);
        assert!(s.contains(ja_en(lang, "2026年1月", "Jan 2026")), "{s}");
        assert!(
            !s.contains(ja_en(lang, "2025年4月", "Apr 2025")),
            "page 1 of 2: {s}"
        );
        // PgDn turns to the older months, PgUp back; focus on the first month of the page.
        ui.key(KeyCode::PageDown);
        let s = snap(&mut ui, "expenses_page2", lang);
        assert!(s.contains(ja_en(lang, "2025年4月", "Apr 2025")), "{s}");
        assert_eq!(ui.app.screen().form().focused_name(), "month_0");
        ui.key(KeyCode::PageUp);
        assert!(ui.draw().contains(ja_en(lang, "2026年1月", "Jan 2026")));
        // Enter on the newest month opens its rows: long names cut, large amounts, the sum.
        press(&mut ui, "month_0");
        assert_eq!(ui.app.page(), Page::ExpenseMonth);
        let s = snap(&mut ui, "expense_month", lang);
        assert!(s.contains("…") && s.contains(&yen(12_345_678, lang)), "{s}");
        assert!(
            s.contains(&yen(12_345_678 + 21_070 + 4_560 + 64_000, lang)),
            "{s}"
        );
        // Esc: back to the list as it was.
        ui.key(KeyCode::Esc);
        assert_eq!(ui.app.page(), Page::Expenses);
        assert_eq!(ui.app.screen().form().focused_name(), "month_0");
        press(&mut ui, "years");
        assert_eq!(ui.app.page(), Page::ExpenseYears);
        let s = snap(&mut ui, "expense_years", lang);
        assert!(
            s.contains("KOSMO健康保険"),
            "the insurer from configuration: {s}"
        );
        press(&mut ui, "back");
        press(&mut ui, "back");
        assert_eq!(ui.app.page(), Page::Menu);
        press(&mut ui, "benefits");
        assert_eq!(ui.app.page(), Page::Benefits);
        let s = snap(&mut ui, "benefits", lang);
        assert!(s.contains(&yen(12_345_678, lang)), "{s}");
        assert!(s.contains(ja_en(lang, "未定", "not set yet")), "{s}");
        ui.key(KeyCode::Esc);
        assert_eq!(ui.app.page(), Page::Menu);
        press(&mut ui, "logout");
        assert_eq!(ui.app.page(), Page::Login);
    }
}

fn yen(n: i64, lang: Lang) -> String {
    kosmo_kiosk::domain::expenses::yen(n, lang)
}

/// A tap, then the work it started (a tap does not wait by itself, unlike a key in a settling rig).
fn tap(ui: &mut Rig, text: &str) {
    ui.tap(text);
    ui.settle();
}

#[test]
fn taps_and_the_wheel_alone() {
    for lang in Lang::ALL {
        let f = with_data();
        let mut ui = ui(&f, lang);
        login(&mut ui, "yamada2026");
        tap(&mut ui, ja_en(lang, "医療費照会", "Medical expenses"));
        assert_eq!(ui.app.page(), Page::Expenses);
        // The wheel turns pages; a tap on [新しい月] turns back.
        let s = ui.draw();
        let row = s.lines().position(|l| l.contains("[ ")).unwrap() as u16;
        ui.mouse(MouseEventKind::ScrollDown, 10, row);
        assert!(ui.draw().contains(ja_en(lang, "2025年4月", "Apr 2025")));
        tap(&mut ui, ja_en(lang, "新しい月", "Newer months"));
        assert!(ui.draw().contains(ja_en(lang, "2026年1月", "Jan 2026")));
        // A tap on a month opens it; [戻る] by tap returns.
        tap(&mut ui, ja_en(lang, "2025年12月", "Dec 2025"));
        assert_eq!(ui.app.page(), Page::ExpenseMonth);
        assert!(ui.draw().contains(ja_en(lang, "2025年12月", "Dec 2025")));
        tap(&mut ui, ja_en(lang, "戻る", "Back"));
        assert_eq!(ui.app.page(), Page::Expenses);
        tap(&mut ui, ja_en(lang, "年間の合計", "Yearly totals"));
        assert_eq!(ui.app.page(), Page::ExpenseYears);
        tap(&mut ui, ja_en(lang, "戻る", "Back"));
        tap(&mut ui, ja_en(lang, "戻る", "Back"));
        assert_eq!(ui.app.page(), Page::Menu);
        tap(&mut ui, ja_en(lang, "支給決定通知", "Benefit decisions"));
        assert_eq!(ui.app.page(), Page::Benefits);
        tap(&mut ui, ja_en(lang, "戻る", "Back"));
        assert_eq!(ui.app.page(), Page::Menu);
    }
}

#[test]
fn a_household_without_data_is_told_so() {
    for lang in Lang::ALL {
        let f = with_data();
        let mut ui = ui(&f, lang);
        login(&mut ui, "sato2026x");
        press(&mut ui, "expenses");
        let s = snap(&mut ui, "expenses_empty", lang);
        assert!(
            s.contains(ja_en(lang, "まだありません", "no medical expenses")),
            "{s}"
        );
        assert_eq!(ui.app.screen().form().focused_name(), "back");
        ui.key(KeyCode::Enter);
        press(&mut ui, "benefits");
        let s = snap(&mut ui, "benefits_empty", lang);
        assert!(
            s.contains(ja_en(
                lang,
                "支給決定はまだありません",
                "no benefit decisions"
            )),
            "{s}"
        );
    }
}
