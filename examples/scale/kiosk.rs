//! The memory of a long-running kiosk: the release binary in an 80×24 pseudo-terminal registers
//! `n` households one after another through the five steps (keys only), as members at one kiosk
//! would; its resident memory is read from /proc every 10 registrations and its peak at the end.

use std::time::Duration;

use crate::households::Postcard;
use crate::procs;
use crate::pty::{Store, Term};
use crate::society;

/// Resident memory over the run: (registrations so far, VmRSS KiB), and VmHWM at the end.
pub struct Memory {
    pub samples: Vec<(usize, u64)>,
    pub peak_kib: u64,
}

/// One registration: STEP2 login with the postcard, STEP3 identity, STEP4 details, [実行], the done
/// screen, the main menu and ログアウト, back to the start screen.
fn register(k: &mut Term, card: &Postcard, i: usize) {
    let user_id = format!("memory{i:05}");
    k.wait_for(&["[ ログイン ]"]);
    k.send(b"\x15");
    k.type_text(&card.temp_id);
    k.tab();
    k.type_text(&card.password);
    k.enter();
    k.enter();
    k.wait_for(&["保険者番号（8桁）"]);
    k.type_text(society::insurer(i));
    k.tab();
    k.type_text(&society::insured_birth(i).replace('-', ""));
    k.tab();
    k.space();
    k.enter();
    k.enter();
    k.wait_for(&["個人情報入力画面", "ユーザーID（必須）"]);
    k.type_text(&user_id);
    k.tab();
    k.type_text("Kosmo2026pw");
    k.tab();
    k.type_text("Kosmo2026pw");
    k.tab();
    k.type_text(&format!("{user_id}@example.com"));
    k.tab();
    k.tab();
    k.tab();
    k.enter();
    k.wait_for(&["入力確認画面", ">[ 実行 ]<"]);
    k.enter();
    k.wait_until("the done screen", Duration::from_secs(60), |s| {
        s.contains("ご登録が完了しました") && s.contains(&user_id)
    });
    k.enter();
    k.wait_for(&["メインメニュー"]);
    // 医療費照会, 支給決定通知, 個人情報管理, パスワード変更, then ログアウト.
    for _ in 0..4 {
        k.tab();
    }
    k.enter();
}

pub fn long_run(n: usize) -> Memory {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("config.toml"), "").expect("config");
    let mut csv = String::from("insurer_number,symbol,number,name,birth_date,relationship\n");
    for i in 1..=n {
        csv.push_str(&society::csv_line(i));
    }
    std::fs::write(dir.path().join("members.csv"), csv).expect("members");
    let store = Store {
        dir,
        cards: Vec::new(),
    };
    store.cli(&["admin", "import-members", "members.csv"]);
    store.cli(&["admin", "issue-credentials", "--out", "notices.csv"]);
    let mut cards = std::collections::HashMap::new();
    let mut reader = csv::Reader::from_path(store.path("notices.csv")).expect("notices");
    for r in reader.records() {
        let r = r.expect("notice");
        cards.insert(
            r[0].to_string(),
            Postcard {
                household: r[0].to_string(),
                temp_id: r[2].to_string(),
                password: r[3].to_string(),
            },
        );
    }
    let mut k = store.kiosk(&[]);
    let mut samples = Vec::new();
    for i in 1..=n {
        register(&mut k, &cards[&society::key(i)], i);
        if i % 10 == 0 || i == 1 {
            k.wait_for(&["[ ログイン ]"]);
            samples.push((i, procs::status_kb(k.pid, "VmRSS").unwrap_or(0)));
        }
    }
    k.wait_for(&["[ ログイン ]"]);
    let peak_kib = procs::status_kb(k.pid, "VmHWM").unwrap_or(0);
    k.stop();
    Memory { samples, peak_kib }
}
