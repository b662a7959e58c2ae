//! The memory of a long-running kiosk: the release binary in an 80×24 pseudo-terminal registers
//! `n` households one after another through the five steps (keys only), as members at one kiosk
//! would; its resident memory is read from /proc every 10 registrations and its peak at the end.

use std::time::Duration;

use crate::households::Postcard;
use crate::procs;
use crate::pty::{Store, Term};
use crate::society;
use crate::wizard;

/// Resident memory over the run: (registrations so far, VmRSS KiB), and VmHWM at the end.
pub struct Memory {
    pub samples: Vec<(usize, u64)>,
    pub peak_kib: u64,
}

/// One registration: STEP2 login with the postcard, STEP3 identity, STEP4 details, [実行], the done
/// screen, the main menu and ログアウト, back to the start screen.
fn register(k: &mut Term, card: &Postcard, i: usize) {
    let user_id = format!("memory{i:05}");
    let birth = society::insured_birth(i).replace('-', "");
    wizard::to_confirm(k, card, society::insurer(i), &birth, &user_id);
    k.enter();
    k.wait_until("the done screen", Duration::from_secs(60), |s| {
        s.contains("ご登録が完了しました") && s.contains(&user_id)
    });
    wizard::log_out_after_done(k);
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
    let cards: std::collections::HashMap<String, Postcard> = store
        .postcards("notices.csv")
        .into_iter()
        .map(|c| (c.household.clone(), c))
        .collect();
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
