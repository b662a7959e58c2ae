//! Issue 11 at the staff console, by taps as on a touchscreen: an undeliverable mail chosen in the
//! list and its address corrected (the mail goes to the new address only), a lock chosen in the list
//! and unlocked, both in Japanese and English.

use kosmo_kiosk::domain::Lang;
use kosmo_kiosk::store::outbox::MailState;
use kosmo_kiosk::tui::Page;
use kosmo_kiosk::tui::screens::staff::mail::MailScreen;
use kosmo_kiosk::tui::screens::staff::unlock::UnlockScreen;
use ratatui::crossterm::event::KeyCode;

use super::staff::{Ui, ui};
use crate::support::*;

fn logged_in(lang: Lang) -> Ui {
    let mut ui = ui(lang);
    ui.text("alice");
    ui.key(KeyCode::Tab);
    ui.text(STAFF_PASSWORD);
    ui.keys(&[KeyCode::Enter, KeyCode::Enter]);
    assert_eq!(ui.app.page(), Page::StaffMenu);
    ui
}

fn correct_from_a_dead_mail(lang: Lang) {
    let mut ui = logged_in(lang);
    // 山田 registered with an address that bounces; the fixture's mail #1 (dead, 550 User unknown)
    // is theirs, and their welcome mail is queued to the same bad address.
    ui.fx.register_account(
        "06139497-12-3401",
        "yamada1955",
        "Sakura2026x",
        Some("hanako@example.jp"),
    );
    ui.menu("mail");
    // A tap on the message in the list puts its number in the field.
    ui.tap("#1 ");
    let chosen = ui.app.find::<MailScreen>().unwrap().form.value_named("id");
    assert_eq!(chosen, Some("1"));
    let (label, button) = match lang {
        Lang::Ja => ("訂正後のアドレス", "アドレスを訂正して再送"),
        Lang::En => ("Corrected address", "Correct address and resend"),
    };
    ui.tap_label(label);
    ui.text("hanako.yamada@example.jp");
    ui.tap(&format!("[ {button}"));
    ui.settle();
    ui.snap("staff_mail_corrected", lang);
    let rows = ui.fx.outbox();
    let to_old: Vec<_> = rows
        .iter()
        .filter(|r| r.to == "hanako@example.jp" && r.state != MailState::Sent)
        .collect();
    assert!(
        to_old.is_empty(),
        "nothing is left for the old address: {to_old:?}"
    );
    let first = rows.iter().find(|r| r.id == 1).unwrap();
    assert_eq!(first.to, "hanako.yamada@example.jp");
    assert_eq!(first.state, MailState::Queued);
    assert_eq!(
        ui.fx.account("yamada1955").email.as_deref(),
        Some("hanako.yamada@example.jp")
    );
    assert_eq!(ui.fx.audits("email_correction", Some("ok")), 1);
}

#[test]
fn address_corrected_from_a_dead_mail_by_taps_ja() {
    correct_from_a_dead_mail(Lang::Ja);
}

#[test]
fn address_corrected_from_a_dead_mail_by_taps_en() {
    correct_from_a_dead_mail(Lang::En);
}

#[test]
fn a_lock_is_chosen_in_the_list_by_a_tap_and_unlocked() {
    let mut ui = logged_in(Lang::Ja);
    let suzuki = ui.fx.card("01130012-7-88").temp_id.clone();
    ui.menu("unlock");
    // The list says whose ID it is (household masked, name) and the ID as on the postcard.
    let screen = ui.render();
    assert!(screen.contains("鈴木"), "{screen}");
    ui.tap(&suzuki);
    let picked = ui
        .app
        .find::<UnlockScreen>()
        .unwrap()
        .form
        .value_named("id")
        .map(str::to_string);
    assert_eq!(picked.as_deref(), Some(suzuki.as_str()));
    assert_eq!(
        ui.app.find::<UnlockScreen>().unwrap().form.focused_name(),
        "unlock"
    );
    ui.tap("ロック解除 ]");
    ui.settle();
    let svc = ui.app.services.clone();
    assert!(!svc.lock_overview(&suzuki).unwrap()[0].locked);
    let screen = ui.render();
    assert!(
        screen.contains("ロック中・失敗のあるIDはありません"),
        "{screen}"
    );
}
