//! The staff console as a program: it refuses to run without a terminal or without staff accounts,
//! `admin staff-add`, two staff sessions and a kiosk registering at once on one store, and redrawing on
//! window resizes. (Over a real sshd: tests/staff_ssh.rs.)

use std::process::{Command, Stdio};
use std::thread;

use crate::support::staff::{
    Fixture, Pty, key, kiosk_register, staff_finish, staff_login, staff_to_step4,
};

fn run(fx: &Fixture, args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(crate::support::staff::BIN)
        .arg("--db")
        .arg(&fx.db)
        .args(args)
        .env("KOSMO_KIOSK_LOG_DIR", fx.dir.path().join("logs"))
        .env("KOSMO_KIOSK_CONFIG", fx.dir.path().join("config.toml"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kosmo-kiosk");
    {
        use std::io::Write;
        let mut input = child.stdin.take().expect("stdin");
        input.write_all(stdin.as_bytes()).expect("write stdin");
    }
    let out = child.wait_with_output().expect("wait");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_console_needs_a_terminal_and_a_staff_account() {
    let fx = Fixture::new(&["alice"]);
    let (code, _, err) = run(&fx, &["staff"], "");
    assert_ne!(code, 0);
    assert!(err.contains("ssh -t"), "{err}");
    assert!(err.lines().count() == 1, "one sentence: {err}");

    // With a terminal but no staff account yet, the console says how to add one.
    let empty = tempfile::tempdir().unwrap();
    let db = empty.path().join("kiosk.db");
    let mut cmd = portable_pty::CommandBuilder::new(crate::support::staff::BIN);
    cmd.args(["--db", db.to_str().unwrap(), "staff"]);
    cmd.env("KOSMO_KIOSK_LOG_DIR", empty.path().join("logs"));
    std::fs::write(empty.path().join("config.toml"), "").unwrap();
    cmd.env("KOSMO_KIOSK_CONFIG", empty.path().join("config.toml"));
    let mut p = Pty::spawn("no-staff", cmd, 80, 24);
    let status = p.wait_exit(10).expect("the console ends");
    assert!(!status.success());
    p.wait_for("admin staff-add", 5);
}

#[test]
fn staff_add_from_stdin_with_the_password_policy() {
    let fx = Fixture::new(&[]);
    let (code, out, err) = run(
        &fx,
        &["admin", "staff-add", "sato.k", "--password-stdin"],
        "Madoguchi2026\n",
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "added staff account sato.k");
    let hash: String = fx.query(
        "SELECT password_hash FROM staff WHERE staff_id = 'sato.k'",
        &[],
    );
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    let audit: i64 = fx.query(
        "SELECT count(*) FROM audit WHERE event = 'staff_add' AND channel = 'admin' AND subject = 'sato.k'",
        &[],
    );
    assert_eq!(audit, 1);

    for (id, input, says) in [
        ("sato.k", "Another2026x\n", "already exists"),
        ("SATO.K", "Another2026x\n", "already exists"),
        ("tanaka", "short1\n", "at least 8"),
        ("tanaka", "onlyletters\n", "digit"),
        ("tanaka", "xtanaka2026\n", "user ID"),
        ("tanaka", "\n", "no password"),
        ("a b", "Another2026x\n", "staff ID"),
    ] {
        let (code, _, err) = run(&fx, &["admin", "staff-add", id, "--password-stdin"], input);
        assert_ne!(code, 0, "{id} {input:?}");
        assert!(err.contains(says), "{id} {input:?}: {err}");
    }
    // Without --password-stdin and without a terminal there is nobody to ask.
    let (code, _, err) = run(&fx, &["admin", "staff-add", "tanaka"], "Another2026x\n");
    assert_ne!(code, 0);
    assert!(err.contains("--password-stdin"), "{err}");
    let n: i64 = fx.query("SELECT count(*) FROM staff", &[]);
    assert_eq!(n, 1);
}

#[test]
fn two_staff_sessions_and_a_kiosk_register_at_once() {
    let fx = Fixture::new(&["alice", "bob"]);
    let mut alice_cmd = Pty::kiosk_command(&fx, &["staff"]);
    alice_cmd.env("SSH_CLIENT", "198.51.100.7 50022 22");
    let mut alice = Pty::spawn("alice", alice_cmd, 80, 24);
    let mut bob = Pty::spawn("bob", Pty::kiosk_command(&fx, &["staff"]), 80, 24);
    let mut kiosk = Pty::spawn("kiosk", Pty::kiosk_command(&fx, &["kiosk"]), 80, 24);
    let pa = fx.postcard("06139497-12-3401");
    let pb = fx.postcard("01130012-7-88");
    let pk = fx.postcard("33120015-21-1005");

    thread::scope(|s| {
        s.spawn(|| {
            staff_login(&mut alice, "alice");
            // The dependent's birth date: she registers for the household.
            staff_to_step4(&mut alice, &pa, "06139497", "19580930");
            staff_finish(&mut alice, "yamada1958", "Hanako2026x");
            alice.send(key::ENTER);
            alice.wait_for("yamada1958", 10);
            alice.wait_for("係員メニュー", 10);
        });
        s.spawn(|| {
            staff_login(&mut bob, "bob");
            staff_to_step4(&mut bob, &pb, "01130012", "1990/7/15");
            staff_finish(&mut bob, "suzuki1990", "Misaki2026x");
        });
        s.spawn(|| {
            kiosk_register(
                &mut kiosk,
                &pk,
                "33120015",
                "S13.11.3",
                "takahashi38",
                "Kiyoshi1938x",
            );
        });
    });
    for p in [&alice, &bob, &kiosk] {
        let screen = p.screen();
        assert!(!screen.contains("システムエラー"), "[{}]\n{screen}", p.name);
    }

    let account = |uid: &str| -> (String, Option<String>, i64) {
        let c = rusqlite::Connection::open(&fx.db).unwrap();
        c.query_row(
            "SELECT a.channel, a.staff_id, a.household_id FROM accounts a WHERE a.user_id = ?1",
            [uid],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
    };
    let (ch, staff, hid_a) = account("yamada1958");
    assert_eq!((ch.as_str(), staff.as_deref()), ("staff", Some("alice")));
    let (ch, staff, _) = account("suzuki1990");
    assert_eq!((ch.as_str(), staff.as_deref()), ("staff", Some("bob")));
    let (ch, staff, _) = account("takahashi38");
    assert_eq!((ch.as_str(), staff), ("kiosk", None));
    // Alice registered the dependent: the registrant preset follows the matched member.
    let registrant: String = fx.query(
        "SELECT registrant FROM accounts WHERE user_id = 'yamada1958'",
        &[],
    );
    assert_eq!(registrant, "dependent");

    // Every audit row of Alice's registration carries channel, staff ID and the SSH client address.
    let c = rusqlite::Connection::open(&fx.db).unwrap();
    let mut stmt = c
        .prepare(
            "SELECT channel, staff_id, client_addr, event FROM audit
             WHERE household_id = ?1 AND event IN ('login', 'identity_check', 'register')",
        )
        .unwrap();
    let rows: Vec<(String, Option<String>, Option<String>, String)> = stmt
        .query_map([hid_a], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 3, "{rows:?}");
    for (ch, staff, addr, event) in &rows {
        assert_eq!(ch, "staff", "{event}");
        assert_eq!(staff.as_deref(), Some("alice"), "{event}");
        assert_eq!(addr.as_deref(), Some("198.51.100.7"), "{event}");
    }
    let used: i64 = fx.query(
        "SELECT count(*) FROM temp_credentials WHERE state = 'used'",
        &[],
    );
    assert_eq!(used, 3);
    let check: String = fx.query("PRAGMA integrity_check", &[]);
    assert_eq!(check, "ok");
    // Nothing went wrong behind the screens either: no error or warning in the three processes' log.
    for entry in std::fs::read_dir(fx.dir.path().join("logs")).expect("logs") {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert!(text.contains("kiosk started"), "{text}");
        for line in text.lines() {
            assert!(
                !line.contains(" ERROR ") && !line.contains(" WARN "),
                "{line}"
            );
        }
    }
}

#[test]
fn window_resizes_redraw_the_console() {
    let fx = Fixture::new(&["alice"]);
    let mut p = Pty::spawn("resize", Pty::kiosk_command(&fx, &["staff"]), 80, 24);
    staff_login(&mut p, "alice");
    p.resize(110, 32);
    p.wait_for("監査ログ", 5);
    // The footer moved to the new last row, the header's right edge to the new width.
    let end = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let rows = p.rows();
        let footer_last = rows.len() == 32 && rows[31].contains("Tab/↓:次へ");
        let header_wide = rows[0].ends_with("係員: alice") && rows[0].chars().count() > 90;
        if footer_last && header_wide {
            break;
        }
        assert!(
            std::time::Instant::now() < end,
            "not redrawn at 110x32:\n{}",
            p.screen()
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    p.resize(70, 20);
    p.wait_for("画面が小さすぎます", 5);
    p.resize(80, 24);
    p.wait_for("係員メニュー", 5);
    let rows = p.rows();
    assert!(rows[23].contains("Tab/↓:次へ"), "{}", p.screen());
    assert!(!p.screen().contains("画面が小さすぎます"));
    // The console still answers keys after all that.
    p.keys(&[key::ENTER]);
    p.wait_for("仮パスワード", 5);
}

#[test]
fn staff_add_asks_twice_on_the_terminal_without_echo() {
    let fx = Fixture::new(&[]);
    let mut p = Pty::spawn(
        "staff-add",
        Pty::kiosk_command(&fx, &["admin", "staff-add", "bob"]),
        80,
        24,
    );
    p.wait_for("Password for staff bob:", 10);
    p.keys(&["Madoguchi2026", key::ENTER]);
    p.wait_for("The same password again:", 10);
    p.keys(&["Madoguchi2026", key::ENTER]);
    p.wait_for("added staff account bob", 10);
    assert!(p.wait_exit(10).expect("ends").success());
    assert!(
        !p.screen().contains("Madoguchi2026"),
        "no echo:\n{}",
        p.screen()
    );

    let mut p = Pty::spawn(
        "staff-add-mismatch",
        Pty::kiosk_command(&fx, &["admin", "staff-add", "carol"]),
        80,
        24,
    );
    p.wait_for("Password for staff carol:", 10);
    p.keys(&["Madoguchi2026", key::ENTER]);
    p.wait_for("The same password again:", 10);
    p.keys(&["Madoguchi2027", key::ENTER]);
    p.wait_for("the two passwords differ", 10);
    assert!(!p.wait_exit(10).expect("ends").success());
    let n: i64 = fx.query("SELECT count(*) FROM staff", &[]);
    assert_eq!(n, 1);
}
