//! `staff --plain`: the counter's tools of issue 11 in plain lines, on the real binary in a
//! pseudo-terminal. 登録済み会員の相談 finds a household and resets the password (the checklist as
//! yes/no questions, the initial password said once), after which the member must change it at the
//! plain kiosk; or corrects the address. メール送信状況 sends a message now or corrects its member's
//! address by the message's number.

use std::time::Duration;

use super::plain::{answer, next_program};
use crate::support::pty::{self, Term};
use crate::support::*;
use kosmo_kiosk::store::Actor;
use kosmo_kiosk::store::outbox::MailState;

const PW: &str = "Sakura2026x";

fn staff_console(fx: &Fixture, lang: &str) -> Term {
    let db = fx.db.display().to_string();
    let cmd = pty::command(
        fx.dir.path(),
        &["--db", &db, "--lang", lang, "staff", "--plain"],
    );
    Term::spawn_with("staff-plain", cmd, 80, 24, false)
}

fn logged_in(fx: &Fixture, lang: &str) -> Term {
    let mut k = staff_console(fx, lang);
    let (id, pw) = match lang {
        "ja" => ("係員ID:", "（入力した文字は表示されません）:"),
        _ => ("Staff ID:", "(what you type is not shown):"),
    };
    answer(&mut k, id, "alice");
    answer(&mut k, pw, STAFF_PASSWORD);
    k
}

/// The value after `label` on its line of `s`.
fn value_after(s: &str, label: &str) -> String {
    let line = s
        .lines()
        .find_map(|l| l.trim().strip_prefix(label))
        .unwrap_or_else(|| panic!("no {label:?} in:\n{s}"));
    line.trim().to_string()
}

#[test]
fn staff_reset_a_password_in_plain_lines_and_the_member_must_change_it_at_the_kiosk() {
    let fx = Fixture::counter(&["alice"]);
    fx.register_account(YAMADA, "yamada1955", PW, Some("hanako@example.jp"));
    let mut k = logged_in(&fx, "ja");
    let s = answer(&mut k, "（Enter のみで 1）:", "2");
    assert!(
        s.contains(
            "1 代理登録、2 登録済み会員の相談、3 ロック解除、4 メール送信状況、5 ログアウト"
        ),
        "{s}"
    );
    // By name and birth date, as the full screen searches.
    let s = answer(&mut k, "氏名と生年月日で探します）:", "");
    assert!(
        s.contains("登録済み会員の相談\r\n登録済みの会員の世帯を"),
        "{s}"
    );
    answer(&mut k, "氏名:", "山田 太郎");
    answer(&mut k, "生年月日:", "昭30.4.12");
    let s = answer(&mut k, "（Enter のみで 3）:", "1"); // パスワード再設定
    // The date is said back as it was read, as at the kiosk.
    assert!(s.contains("1955年4月12日（昭和30年）"), "{s}");
    for want in [
        &format!("世帯：{YAMADA}"),
        "登録状況：",
        "メールアドレス：h***@example.jp",
        "1 パスワード再設定、2 メールアドレスを訂正して送り直す、3 別の世帯を探す、4 戻る",
    ] {
        assert!(s.contains(want), "{want:?} missing in:\n{s}");
    }
    // The checklist incomplete: nothing happens, and it says why.
    answer(&mut k, "（Enter のみで 2）:", "1"); // 保険証を確認した: はい
    answer(&mut k, "（Enter のみで 2）:", ""); // 生年月日: いいえ
    let s = answer(&mut k, "（Enter のみで 3）:", "1");
    assert!(
        s.contains("エラー：パスワード再設定の前に、保険証の確認と生年月日の確認の両方に"),
        "{s}"
    );
    assert_eq!(fx.audits("staff_reset", Some("ok")), 0);
    answer(&mut k, "（Enter のみで 2）:", "1");
    let s = answer(&mut k, "（Enter のみで 2）:", "1");
    assert!(s.contains("生年月日を会員に聞き、一致した"), "{s}");
    let s = answer(&mut k, "Enter を押すと「係員メニュー」に戻ります:", "");
    assert!(s.contains("パスワードを再設定しました。"), "{s}");
    assert!(s.contains("ユーザーID：yamada1955"), "{s}");
    assert!(
        s.contains("お知らせメールを h***@example.jp に送ります"),
        "{s}"
    );
    let initial = value_after(&s, "初期パスワード：");
    assert!(initial.len() >= 8, "{initial:?}");
    answer(&mut k, "（Enter のみで 1）:", "5"); // ログアウト
    k.wait_until("the staff login again", Duration::from_secs(10), |s| {
        s.trim_end().ends_with("係員ID:")
    });
    k.stop();
    assert_eq!(fx.audits("staff_reset", Some("ok")), 1);
    let old = fx
        .services()
        .login(&Actor::kiosk(), "yamada1955", PW)
        .expect("login");
    assert!(
        matches!(old, kosmo_kiosk::services::auth::LoginOutcome::Failed),
        "the old password no longer works"
    );

    // The member at the plain kiosk: the initial password, then the change comes first.
    let db = fx.db.display().to_string();
    let cmd = pty::command(fx.dir.path(), &["--db", &db, "--plain"]);
    let mut m = Term::spawn_with("plain-kiosk", cmd, 80, 24, false);
    next_program();
    answer(&mut m, "ユーザID:", "yamada1955");
    answer(&mut m, "（入力した文字は表示されません）:", &initial);
    let s = answer(
        &mut m,
        "新しいパスワード（入力した文字は表示されません）:",
        "Sakura2027y",
    );
    assert!(s.contains("パスワード変更のお願い"), "{s}");
    assert!(
        s.contains("係員が設定したパスワードでログインしました"),
        "{s}"
    );
    answer(
        &mut m,
        "（確認用）（入力した文字は表示されません）:",
        "Sakura2027y",
    );
    let s = answer(&mut m, "（Enter のみで 4）:", "4");
    assert!(s.contains("パスワードを変更しました。"), "{s}");
    m.wait_until("the start again", Duration::from_secs(10), |s| {
        s.trim_end().ends_with("ユーザID:")
    });
    m.stop();
}

#[test]
fn staff_send_a_mail_now_and_correct_addresses_in_plain_lines() {
    let fx = Fixture::counter(&["alice"]);
    // Another household's mail first: message numbers and household numbers differ.
    fx.register_account(SATO, "sato1980", PW, Some("ichiro@example.jp"));
    fx.register_account(YAMADA, "yamada1955", PW, Some("hanako@example.jp"));
    let welcome = fx.outbox().last().expect("the welcome mail").id;
    fx.svc
        .store
        .write(|tx| {
            tx.execute(
                "UPDATE outbox SET state = 'dead', attempts = 20, last_error = ?1 WHERE id = ?2",
                rusqlite::params!["550 5.1.1 <hanako@example.jp>: User unknown", welcome],
            )?;
            Ok::<_, kosmo_kiosk::store::StoreError>(())
        })
        .expect("a dead mail");
    let mut k = logged_in(&fx, "ja");
    answer(&mut k, "（Enter のみで 1）:", "4"); // メール送信状況
    let s = answer(&mut k, "（Enter のみで 3）:", "1"); // 今すぐ再送
    for want in [
        "送信不能：1 件（新しい順）",
        "送信待ち：1 件（新しい順）",
        &format!("#{welcome} "),
        "1 今すぐ再送、2 アドレスを訂正して再送、3 戻る",
    ] {
        assert!(s.contains(want), "{want:?} missing in:\n{s}");
    }
    answer(&mut k, "メールの番号:", "x");
    let s = answer(&mut k, "メールの番号:", &welcome.to_string());
    assert!(
        s.contains("エラー："),
        "a bad number, then the question again\n{s}"
    );
    // Said, then the lists again: the mail now waits.
    let s = answer(&mut k, "（Enter のみで 3）:", "2"); // アドレスを訂正して再送
    assert!(
        s.contains(&format!("#{welcome} をすぐ送るようにしました。")),
        "{s}"
    );
    assert!(s.contains("送信不能：0 件"), "{s}");
    assert_eq!(fx.outbox().last().unwrap().state, MailState::Queued);
    answer(&mut k, "メールの番号:", &welcome.to_string());
    answer(&mut k, "訂正後のアドレス:", "hanako.yamada@example.jp");
    let s = answer(&mut k, "（Enter のみで 3）:", "3"); // 戻る
    assert!(
        s.contains(&format!(
            "#{welcome} の会員（yamada1955）のアドレスを h***@example.jp に訂正し"
        )),
        "{s}"
    );
    // From the household, found by its key: a wrong address is refused, then corrected.
    answer(&mut k, "（Enter のみで 1）:", "2");
    answer(&mut k, "氏名と生年月日で探します）:", YAMADA);
    answer(&mut k, "（Enter のみで 3）:", "2");
    answer(&mut k, "正しいメールアドレス:", "taro@");
    let s = answer(&mut k, "正しいメールアドレス:", "taro.yamada@example.jp");
    assert!(s.contains("エラー："), "{s}");
    let s = answer(&mut k, "Enter を押すと「係員メニュー」に戻ります:", "");
    assert!(
        s.contains("yamada1955 のメールアドレスを taro.yamada@example.jp に訂正しました。"),
        "{s}"
    );
    answer(&mut k, "（Enter のみで 1）:", "5");
    k.wait_until("the staff login again", Duration::from_secs(10), |s| {
        s.trim_end().ends_with("係員ID:")
    });
    k.stop();
    assert_eq!(
        fx.account("yamada1955").email.as_deref(),
        Some("taro.yamada@example.jp")
    );
    let stale: Vec<_> = fx
        .outbox()
        .into_iter()
        .filter(|r| r.to.starts_with("hanako") && r.state != MailState::Sent)
        .collect();
    assert!(
        stale.is_empty(),
        "only the last address gets mail: {stale:?}"
    );
    assert_eq!(
        fx.account("sato1980").email.as_deref(),
        Some("ichiro@example.jp")
    );
    assert_eq!(fx.audits("email_correction", Some("ok")), 2);
}

#[test]
fn english_staff_reset_a_password_in_plain_lines() {
    let fx = Fixture::counter(&["alice"]);
    fx.register_account(YAMADA, "yamada1955", PW, None);
    let mut k = logged_in(&fx, "en");
    let s = answer(&mut k, "(Enter alone: 1):", "2");
    assert!(
        s.contains("2 Registered member help, 3 Unlock, 4 Mail delivery, 5 Log out"),
        "{s}"
    );
    answer(&mut k, "search by name and date of birth):", YAMADA);
    let s = answer(&mut k, "(Enter alone: 3):", "1");
    assert!(s.contains("Email address: none"), "{s}");
    answer(&mut k, "(Enter alone: 2):", "1");
    answer(&mut k, "(Enter alone: 2):", "1");
    let s = answer(&mut k, "Press Enter to return to Staff menu:", "");
    assert!(s.contains("The password is reset"), "{s}");
    assert!(s.contains("User ID: yamada1955"), "{s}");
    assert!(s.contains("Household: 06139497-12-3401  山田 太郎"), "{s}");
    assert!(
        s.contains("No email address on file: no notice is sent."),
        "{s}"
    );
    assert!(!value_after(&s, "Initial password:").is_empty());
    answer(&mut k, "(Enter alone: 1):", "5");
    k.wait_until("the staff login again", Duration::from_secs(10), |s| {
        s.trim_end().ends_with("Staff ID:")
    });
    k.stop();
    assert_eq!(fx.audits("staff_reset", Some("ok")), 1);
}
