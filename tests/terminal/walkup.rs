//! Walk-up polish (issue 10) with the real binary in a pseudo-terminal: a member who only knows
//! Enter registers from the postcard to the menu (and the keys are counted), and a member whose IME
//! types full-width letters, `ー` and era dates gets through login and STEP3.

use crate::kiosk::assert_registered;
use crate::support::SATO;
use crate::support::pty::{Store, Term, key};

/// Keys sent, split into typed characters and the keys between them.
#[derive(Default)]
struct Count {
    typed: usize,
    other: usize,
}

impl Count {
    fn text(&mut self, k: &mut Term, text: &str) {
        self.typed += text.chars().count();
        k.type_text(text);
    }

    fn key(&mut self, k: &mut Term, key: &str) {
        self.other += 1;
        k.keys(&[key]);
    }
}

/// The clean keyboard registration of `kiosk::registration_with_keys_only` (81 typed characters: the
/// postcard, 06139497, S55.1.1, sato1980, the password twice, an address) with Enter as the only
/// other key, up to the menu. Main took 98 keys (17 besides the characters) and could not do it
/// with Enter alone: Enter on the unticked agreement moved on without ticking and [確認] sent focus
/// back to it.
#[test]
fn enter_alone_registers_and_takes_fewer_keys() {
    let store = Store::prepare("");
    let card = store.card(SATO);
    let mut k = store.kiosk(&[]);
    let mut n = Count::default();
    k.wait_for(&["ログイン", "ユーザID", "パスワード"]);
    n.text(&mut k, &card.temp_id);
    n.key(&mut k, key::ENTER);
    n.text(&mut k, &card.password);
    n.key(&mut k, key::ENTER); // presses [ログイン]
    k.wait_for(&["本人確認", "保険者番号（8桁）"]);
    k.wait_focus("保険者番号");
    n.text(&mut k, "06139497");
    n.key(&mut k, key::ENTER);
    n.text(&mut k, "S55.1.1");
    n.key(&mut k, key::ENTER);
    k.wait_for(&["1980年1月1日（昭和55年）"]);
    n.key(&mut k, key::ENTER); // ticks 同意する and moves on
    k.wait_for(&["[x] 利用規約に同意する"]);
    n.key(&mut k, key::ENTER); // [確認]
    k.wait_for(&["個人情報入力画面"]);
    k.wait_focus("ユーザーID（必須）");
    n.text(&mut k, "sato1980");
    n.key(&mut k, key::ENTER);
    k.wait_for(&["このユーザーIDは使えます"]);
    n.text(&mut k, "Kosmo2026pw");
    n.key(&mut k, key::ENTER);
    n.text(&mut k, "Kosmo2026pw");
    n.key(&mut k, key::ENTER);
    n.text(&mut k, "sato@example.com");
    n.key(&mut k, key::ENTER); // 登録者
    n.key(&mut k, key::ENTER); // 医療費通知 (必要: an address was entered)
    n.key(&mut k, key::ENTER); // [入力内容確認]
    n.key(&mut k, key::ENTER); // pressed
    k.wait_for(&["入力確認画面", ">[ 実行 ]<"]);
    n.key(&mut k, key::ENTER);
    k.wait_for(&["ご登録が完了しました", "webmaster@kosmoweb.jp"]);
    n.key(&mut k, key::ENTER); // [メニューへ]
    k.wait_for(&["メインメニュー", "sato1980"]);
    k.stop();
    assert_registered(&store, SATO, "sato1980", Some("sato@example.com"));
    eprintln!(
        "keys: {} ({} typed characters + {} other keys; main: 98 = 81 + 17)",
        n.typed + n.other,
        n.typed,
        n.other
    );
    assert_eq!(n.typed, 81);
    assert_eq!(n.typed + n.other, 96);
}

/// Full-width letters and digits with `ー` between the postcard's groups, `−` in the password, and
/// 昭和５５年１月１日 typed as an IME commits them: read as meant, no lockout count, no
/// 「生年月日の形が読み取れません」. Then 55ー1ー1: read as 昭和, said with the other reading.
#[test]
fn ime_input_is_read_as_meant() {
    let store = Store::prepare("");
    let card = store.card(SATO);
    let mut k = store.kiosk(&[]);
    let wide = |s: &str| -> String {
        s.chars()
            .map(|c| char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap_or(c))
            .collect()
    };
    k.wait_for(&["ログイン", "ユーザID", "パスワード"]);
    k.type_text(&format!(
        "{}ー{}",
        wide(&card.temp_id[..5]),
        wide(&card.temp_id[5..])
    ));
    k.enter();
    k.type_text(&format!("{}−{}", &card.password[..5], &card.password[5..]));
    k.enter();
    k.wait_for(&["本人確認", "保険者番号（8桁）"]);
    k.wait_focus("保険者番号");
    k.type_text("０６１３９４９７");
    k.enter();
    k.type_text("昭和５５年１月１日");
    k.enter();
    k.wait_for(&["1980年1月1日（昭和55年） として受け付けました"]);
    k.keys(&[key::BACK_TAB, key::CTRL_U]);
    k.type_text("55ー1ー1");
    k.enter();
    let screen = k.wait_for(&["1980年1月1日（昭和55年）", "19550101"]);
    assert!(!screen.contains("読み取れません"), "{screen}");
    k.enter(); // ticks the agreement
    k.enter(); // [確認]
    k.wait_for(&["個人情報入力画面"]);
    k.stop();
    let failures: i64 = rusqlite::Connection::open(store.db())
        .expect("store")
        .query_row(
            "SELECT count(*) FROM audit WHERE outcome <> 'ok'",
            [],
            |r| r.get(0),
        )
        .expect("audit");
    assert_eq!(failures, 0, "nothing counted as a failed attempt");
}
