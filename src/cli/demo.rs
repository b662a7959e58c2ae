//! `kosmo-kiosk demo`: a fresh store with sample households, their postcards shown on the terminal, and
//! the kiosk (Ctrl-C leaves). Mail goes to `.eml` files in the demo folder.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use zeroize::Zeroizing;

use super::{CliError, CliResult, Global, open};
use crate::domain::Lang;
use crate::files::private_dir;
use crate::services::auth::LoginOutcome;
use crate::services::members::parse_members_csv;
use crate::services::registration::{IdentityOutcome, RegistrationInput, terms};
use crate::store::{Actor, households};
use crate::tui::{App, AppOptions};

pub const DEMO_MEMBERS: &str = include_str!("../../assets/demo/members.csv");
/// The household registered in advance, to try a permanent login.
pub const DEMO_REGISTERED_HOUSEHOLD: &str = "33120015-21-1006";
pub const DEMO_USER_ID: &str = "tanaka1972";
pub const DEMO_PASSWORD: &str = "KosmoDemo2026";
/// A staff account, to try `kosmo-kiosk staff --db <dir>/kiosk.db` beside the demo.
pub const DEMO_STAFF_ID: &str = "staff01";
pub const DEMO_STAFF_PASSWORD: &str = "Counter2026demo";

fn default_dir() -> PathBuf {
    let stamp = time::OffsetDateTime::now_utc().unix_timestamp();
    std::env::temp_dir().join(format!("kosmo-kiosk-demo-{stamp}-{}", std::process::id()))
}

pub(super) fn run(global: &Global, dir: Option<PathBuf>) -> CliResult {
    let dir = dir.unwrap_or_else(default_dir);
    let db = dir.join("kiosk.db");
    if db.exists() {
        return Err(CliError(format!(
            "{} already holds a demo store; give an empty folder with --dir",
            dir.display()
        )));
    }
    private_dir(&dir).map_err(|e| CliError(format!("cannot create {}: {e}", dir.display())))?;
    let mail_dir = dir.join("mail");
    let mut global = global.clone();
    global.db = Some(db.clone());
    let ctx = open(&global, |c| {
        c.kiosk.allow_exit = true;
        c.log_dir = Some(dir.join("logs"));
        c.mail.eml_dir = Some(mail_dir.clone());
    })?;
    let svc = &ctx.services;
    let admin = Actor::admin();

    let rows = parse_members_csv(DEMO_MEMBERS, svc.clock.today())?;
    svc.import_rows(&admin, &rows)?;
    // One household is registered already, to try a permanent login.
    register_demo_account(svc, &admin)?;
    // Two years of medical expenses and two benefit decisions, so that 医療費照会 and 支給決定通知
    // show data at once (the registered household is notified by mail, as after a real import).
    let current = svc.expense_window().current;
    let expenses = super::demo_expenses::expenses_csv(current);
    svc.import_expenses_from(&admin, "demo-expenses.csv", expenses.as_bytes())?;
    let benefits = super::demo_expenses::benefits_csv(current);
    svc.import_benefits_from(&admin, "demo-benefits.csv", benefits.as_bytes())?;
    svc.add_staff(&admin, DEMO_STAFF_ID, DEMO_STAFF_PASSWORD)?;
    let notices_path = dir.join("notices.csv");
    let report = svc.issue_credentials(&admin, &notices_path, &[])?;

    let lang = ctx.config.kiosk.lang;
    let mut out = std::io::stdout().lock();
    let ja = lang == Lang::Ja;
    writeln!(
        out,
        "KOSMO Communication Web {}",
        if ja { "（デモ）" } else { "(demo)" }
    )?;
    writeln!(out, "  store:   {}", db.display())?;
    writeln!(out, "  notices: {}", notices_path.display())?;
    writeln!(out, "  mail:    {} (.eml)", mail_dir.display())?;
    writeln!(out)?;
    // A table that fits 80 columns, padded by display width (names are wide characters).
    let expires = report
        .notices
        .first()
        .map(|n| n.expires_on.clone())
        .unwrap_or_default();
    writeln!(
        out,
        "{}",
        if ja {
            format!("ハガキ（仮ユーザID・仮パスワード、有効期限 {expires}）:")
        } else {
            format!("Postcards (temporary user ID and password, valid until {expires}):")
        }
    )?;
    let head: [&str; 4] = if ja {
        [
            "世帯",
            "仮ユーザID",
            "仮パスワード",
            "本人確認に使える生年月日",
        ]
    } else {
        ["household", "temp. ID", "password", "birth date for STEP3"]
    };
    writeln!(
        out,
        "  {}  {}  {}  {}",
        pad(head[0], 17),
        pad(head[1], 11),
        pad(head[2], 12),
        head[3]
    )?;
    for n in &report.notices {
        let members = svc.store.read(|c| {
            let h = households::find_by_key(c, &n.household.parse().expect("demo household key"))?;
            match h {
                Some(h) => households::members_of(c, h.id),
                None => Ok(Vec::new()),
            }
        })?;
        for (i, m) in members.iter().enumerate() {
            let rel = match (ja, m.relationship.as_str()) {
                (true, "insured") => "（被保険者）",
                (true, _) => "（被扶養者）",
                (false, "insured") => " (insured)",
                (false, _) => " (dependent)",
            };
            let who = format!("{} {}{rel}", m.name, m.birth_date);
            if i == 0 {
                writeln!(
                    out,
                    "  {}  {}  {}  {who}",
                    pad(&n.household, 17),
                    pad(&n.temp_user_id, 11),
                    pad(n.temp_password.as_str(), 12),
                )?;
            } else {
                writeln!(out, "  {}  {who}", " ".repeat(17 + 2 + 11 + 2 + 12))?;
            }
        }
    }
    let insurer_hint = if ja {
        "保険者番号は世帯キーの最初の8桁です。"
    } else {
        "The insurer number is the first 8 digits of the household key."
    };
    writeln!(out, "  {insurer_hint}")?;
    writeln!(out)?;
    writeln!(
        out,
        "{} {DEMO_USER_ID} / {DEMO_PASSWORD}",
        if ja {
            "登録済みの会員・医療費あり（ID / パスワード）:"
        } else {
            "Registered member with expenses (ID / password):"
        }
    )?;
    // The staff console's command whole, on a line of its own, ready to copy (a long path may wrap).
    writeln!(
        out,
        "{} {DEMO_STAFF_ID} / {DEMO_STAFF_PASSWORD}\n  {} staff --db {}",
        if ja {
            "係員（ID / パスワード、別の端末で次のコマンド）:"
        } else {
            "Staff (ID / password; in another terminal run):"
        },
        std::env::current_exe().map_or_else(|_| "kosmo-kiosk".into(), |p| p.display().to_string()),
        db.display()
    )?;
    writeln!(out)?;
    if std::io::stdin().is_terminal() {
        write!(
            out,
            "{}",
            if ja {
                "Enter キーでキオスクを開始します（Ctrl-C で終了）。"
            } else {
                "Press Enter to start the kiosk (Ctrl-C leaves)."
            }
        )?;
        out.flush()?;
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
    } else {
        return Err(CliError(
            "the demo needs a terminal to run the kiosk; the store above is ready".into(),
        ));
    }
    drop(out);
    if global.plain || ctx.config.kiosk.plain {
        // The screen-reader front end, with the same mail worker.
        super::kiosk::run_plain(&ctx, Actor::kiosk())?;
    } else {
        let opts = AppOptions::from_config(&ctx.config, Actor::kiosk());
        let mut app = App::new(ctx.services.clone(), opts);
        // The same worker as a kiosk's, delivering to .eml files in the demo folder.
        let worker = super::kiosk::start_mail_worker(&ctx, &mut app);
        crate::tui::run(app)?;
        drop(worker);
    }
    println!(
        "{} {}",
        if ja {
            "デモを終了しました。ストア:"
        } else {
            "Demo finished. Store:"
        },
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Registers the demo's pre-registered household through the same path as the kiosk.
fn register_demo_account(svc: &crate::services::Services, admin: &Actor) -> Result<(), CliError> {
    let key: crate::domain::household::HouseholdKey = DEMO_REGISTERED_HOUSEHOLD
        .parse()
        .expect("demo household key");
    // Its postcard is used at once and never shown: the notices file goes with its folder.
    let tmp = tempfile::tempdir()?;
    let report = svc.issue_credentials(
        admin,
        &tmp.path().join("notice.csv"),
        std::slice::from_ref(&key),
    )?;
    let notice = report
        .notices
        .first()
        .ok_or_else(|| CliError("demo credential missing".into()))?;
    let mut ticket = match svc.login(admin, &notice.temp_user_id, &notice.temp_password)? {
        LoginOutcome::Temporary(t) => t,
        _ => return Err(CliError("the demo credential did not log in".into())),
    };
    // STEP3 with the insured person's birth date, as at the kiosk.
    let insurer = key.insurer.parse().map_err(|e| CliError(format!("{e}")))?;
    let birth = time::macros::date!(1972 - 02 - 29);
    match svc.check_identity(admin, &ticket, &insurer, birth)? {
        IdentityOutcome::Confirmed(m) => ticket.confirm(&m),
        other => {
            return Err(CliError(format!(
                "the demo identity check failed: {other:?}"
            )));
        }
    }
    let input = RegistrationInput {
        user_id: DEMO_USER_ID.into(),
        password: Zeroizing::new(DEMO_PASSWORD.into()),
        password_confirm: Zeroizing::new(DEMO_PASSWORD.into()),
        email: "tanaka@example.com".into(),
        notify_mail: true,
        registrant: crate::domain::household::Relationship::Insured,
        member_id: None,
        terms_version: terms(Lang::Ja).version.into(),
        lang: Lang::Ja,
        initial_password: false,
    };
    svc.register(admin, &ticket, &input)
        .map_err(|e| CliError(format!("demo registration failed: {e}")))?;
    Ok(())
}

/// `s` padded with spaces to `width` display columns.
fn pad(s: &str, width: usize) -> String {
    let w = crate::domain::text::display_width(s);
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}
