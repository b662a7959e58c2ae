//! Issue 16 on real SQLite files and real SMTP servers on 127.0.0.1 (the Rust test server, and
//! aiosmtpd when present): the 医療費 and 支給決定 notice mails. Members who registered through the
//! real path with 必要 and an address get exactly one mail per import that changed their data; 不要
//! and address-less households none; a re-import of the same data none; a failing import queues
//! nothing. The mail never carries an amount, a name or a provider.

use std::time::Duration;

use kosmo_kiosk::services::imports::ImportReport;
use kosmo_kiosk::store::Actor;

use crate::support::mail::outbox::{parse, test_config};
use crate::support::mail::{AiosmtpdLauncher, Launcher, RustLauncher, Spec, aiosmtpd_available};
use crate::support::{DEMO, Fixture, SATO, SUZUKI, TAKAHASHI, TANAKA, YAMADA, input};

const WAIT: Duration = Duration::from_secs(15);

fn import(f: &Fixture, csv: &str) -> Result<ImportReport, String> {
    let text = format!("household,month,patient,provider,category,days,total,paid\n{csv}");
    f.svc
        .import_expenses_from(&Actor::admin(), "expenses.csv", text.as_bytes())
        .map_err(|e| e.to_string())
}

/// Registers `household` through the real path (postcard, STEP3, [実行]) with this address and
/// setting.
fn register(f: &Fixture, household: &str, user: &str, email: &str, notify: bool) {
    let n = f.issue_one(household);
    let t = f.confirmed_ticket(&n);
    let mut i = input(user, "Kosmo2026pass", email);
    i.notify_mail = notify;
    f.svc.register(&Actor::kiosk(), &t, &i).expect("register");
}

fn notices(f: &Fixture) -> Vec<(String, String)> {
    f.rows()
        .into_iter()
        .filter(|r| r.kind != "welcome")
        .map(|r| (r.kind, r.to))
        .collect()
}

fn scenario(l: &dyn Launcher) {
    let dir = tempfile::tempdir().unwrap();
    let server = l.launch(&Spec::default(), 0, dir.path());
    let f = Fixture::build()
        .config(test_config(Some(server.url())))
        .households(&DEMO)
        .open();
    register(&f, YAMADA, "yamada2026", "taro@example.jp", true);
    register(&f, SUZUKI, "suzuki2026", "misaki@example.jp", false);
    register(&f, SATO, "sato2026", "", false);
    register(&f, TAKAHASHI, "takahashi26", "kiyoshi@example.jp", true);
    // TANAKA has data but no account.
    let welcome = f.deliver().sent;
    assert_eq!(welcome, 3, "the welcome mails of the three with an address");
    assert!(server.wait_for(3, WAIT));

    let m = f.svc.expense_window().current.minus(3);
    let m2 = m.minus(1);
    // YAMADA's rows are spread over the file (two months, two patients); TAKAHASHI has none.
    let first = format!(
        "{YAMADA},{m},山田 太郎,中央総合病院,inpatient,12,1234560,370368\n\
         {SUZUKI},{m},鈴木 美咲,みどり歯科,dental,2,18230,5469\n\
         {YAMADA},{m2},山田 花子,駅前薬局,pharmacy,1,4870,1461\n\
         {SATO},{m},佐藤 一郎,佐藤内科,outpatient,1,7700,2310\n\
         {TANAKA},{m},田中 直子,田中眼科,outpatient,1,5400,1620\n\
         {YAMADA},{m},山田 花子,中央総合病院,outpatient,3,23450,7035\n"
    );
    let r = import(&f, &first).unwrap();
    assert_eq!((r.rows, r.households, r.mails), (6, 4, 1), "{r:?}");
    assert_eq!(
        notices(&f),
        [("expenses_updated".into(), "taro@example.jp".into())]
    );
    let round = f.deliver();
    assert_eq!((round.sent, round.deferred, round.dead), (1, 0, 0));
    assert!(server.wait_for(welcome + 1, WAIT));
    let got = server.received();
    let mail = parse(&got[welcome].data);
    assert_eq!(got[welcome].to, ["taro@example.jp"]);
    assert_eq!(
        mail.subject,
        "【KOSMO Communication Web】医療費のお知らせを更新しました"
    );
    assert!(mail.body.contains("「医療費照会」"), "{}", mail.body);
    for secret in [
        "1234560",
        "1,234,560",
        "370368",
        "370,368",
        "円",
        "山田",
        "中央総合病院",
        "7035",
    ] {
        assert!(
            !mail.raw.contains(secret) && !mail.body.contains(secret),
            "{secret} in the mail"
        );
    }

    // The same file again: nothing changed, nothing queued.
    let r = import(&f, &first).unwrap();
    assert_eq!((r.groups_unchanged, r.mails), (4 + 1, 0));
    assert_eq!(f.deliver().sent, 0);

    // A correction for YAMADA and a first row for TAKAHASHI (English): one mail each.
    let fix = format!(
        "{YAMADA},{m2},山田 花子,駅前薬局,pharmacy,1,4870,1460\n\
         {TAKAHASHI},{m},高橋 清,高橋整形外科,outpatient,4,31200,3120\n"
    );
    let r = import(&f, &fix).unwrap();
    assert_eq!((r.groups_changed, r.groups_new, r.mails), (1, 1, 2));
    assert_eq!(f.deliver().sent, 2);
    assert!(server.wait_for(welcome + 3, WAIT));

    // A failing import that would have changed YAMADA's data: nothing at all is queued.
    let before = f.rows().len();
    let err = import(
        &f,
        &format!("{YAMADA},{m},山田 太郎,中央総合病院,inpatient,12,1,1\n{YAMADA},{m},山田 三郎,x,dental,1,1,1\n"),
    )
    .unwrap_err();
    assert!(err.starts_with("line 3:"), "{err}");
    assert_eq!(f.rows().len(), before);
    assert_eq!(f.deliver().sent, 0);

    // A decision: 支給決定のお知らせ, once.
    let day = m.first_day().replace_day(20).unwrap();
    let decisions =
        format!("household,decided_on,kind,amount,paid_on\n{YAMADA},{day},高額療養費,282330,\n");
    for expect in [1, 0] {
        let r = f
            .svc
            .import_benefits_from(&Actor::admin(), "d.csv", decisions.as_bytes())
            .unwrap();
        assert_eq!(r.mails, expect);
    }
    assert_eq!(f.deliver().sent, 1);
    assert!(server.wait_for(welcome + 4, WAIT));
    let got = server.received();
    assert_eq!(got.len(), welcome + 4, "{}: exactly these mails", l.name());
    let last = parse(&got[welcome + 3].data);
    assert_eq!(
        last.subject,
        "【KOSMO Communication Web】支給決定のお知らせ"
    );
    assert!(!last.raw.contains("282330") && !last.body.contains("282,330"));
    let mut to: Vec<&str> = got[welcome..].iter().map(|r| r.to[0].as_str()).collect();
    to.sort();
    assert_eq!(
        to,
        [
            "kiyoshi@example.jp",
            "taro@example.jp",
            "taro@example.jp",
            "taro@example.jp"
        ],
        "only the households with 必要 and an address, once per import that changed their data"
    );
}

#[test]
fn notice_mails_over_the_rust_test_server() {
    scenario(&RustLauncher);
}

#[test]
fn notice_mails_over_aiosmtpd() {
    if aiosmtpd_available() {
        scenario(&AiosmtpdLauncher);
    }
}
