//! Shared by the staff console's integration tests: a store with households, postcards and staff
//! accounts, and a pseudo-terminal driver (portable-pty + vt100) for the real binary.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kosmo_kiosk::config::Config;
use kosmo_kiosk::services::Services;
use kosmo_kiosk::services::members::parse_members_csv;
use kosmo_kiosk::store::{Actor, Store};
use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

pub const BIN: &str = env!("CARGO_BIN_EXE_kosmo-kiosk");

/// Households of the tests: key, the member used at STEP3 (insurer number, birth date as typed).
pub const MEMBERS: &str = "insurer_number,symbol,number,name,birth_date,relationship
06139497,12,3401,山田 太郎,1955-04-12,insured
06139497,12,3401,山田 花子,1958-09-30,dependent
06139497,12,3402,佐藤 一郎,1980-01-01,insured
01130012,7,88,鈴木 美咲,1990-07-15,insured
33120015,21,1005,高橋 清,1938-11-03,insured
33120015,21,1006,田中 直子,1972-02-29,insured
";

pub const STAFF_PASSWORD: &str = "Counter2026x";

/// A store on disk with the households above, a postcard for each, and staff accounts.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    /// Household key → (temporary ID, temporary password).
    pub postcards: HashMap<String, (String, String)>,
}

impl Fixture {
    pub fn new(staff: &[&str]) -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("kiosk.db");
        std::fs::write(dir.path().join("config.toml"), "").expect("config");
        let svc = Self::services_at(&db);
        let admin = Actor::admin();
        let rows = parse_members_csv(MEMBERS, svc.clock.today()).expect("members");
        svc.import_rows(&admin, &rows).expect("import");
        let report = svc
            .issue_credentials(&admin, &dir.path().join("notices.csv"), &[])
            .expect("postcards");
        let postcards = report
            .notices
            .iter()
            .map(|n| {
                (
                    n.household.clone(),
                    (n.temp_user_id.clone(), n.temp_password.to_string()),
                )
            })
            .collect();
        for id in staff {
            svc.add_staff(&admin, id, STAFF_PASSWORD).expect("staff");
        }
        Fixture { dir, db, postcards }
    }

    fn services_at(db: &Path) -> Services {
        Services::new(
            Arc::new(Store::open(db).expect("store")),
            Arc::new(Config::default()),
        )
    }

    /// A fresh connection to the store (as another process would have).
    pub fn services(&self) -> Services {
        Self::services_at(&self.db)
    }

    pub fn postcard(&self, household: &str) -> (String, String) {
        self.postcards[household].clone()
    }

    /// One value of the store.
    pub fn query<T: rusqlite::types::FromSql>(
        &self,
        sql: &str,
        params: &[&dyn rusqlite::ToSql],
    ) -> T {
        let c = rusqlite::Connection::open(&self.db).expect("open");
        c.query_row(sql, params, |r| r.get(0)).expect(sql)
    }
}

/// Keys as a terminal sends them.
pub mod key {
    pub const TAB: &str = "\t";
    pub const ENTER: &str = "\r";
    pub const ESC: &str = "\x1b";
    pub const SPACE: &str = " ";
    pub const RIGHT: &str = "\x1b[C";
    pub const LEFT: &str = "\x1b[D";
    pub const DOWN: &str = "\x1b[B";
}

/// A program running in a pseudo-terminal, its screen kept by a vt100 parser.
pub struct Pty {
    pub child: Box<dyn Child + Send + Sync>,
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    parser: Arc<Mutex<vt100::Parser>>,
    /// Everything the program wrote, for failure messages.
    pub name: String,
}

fn nz(n: u16) -> NonZeroU16 {
    NonZeroU16::new(n.max(1)).expect("non-zero")
}

impl Pty {
    pub fn spawn(name: &str, cmd: CommandBuilder, cols: u16, rows: u16) -> Pty {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let child = pair.slave.spawn_command(cmd).expect("spawn");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let writer = pair.master.take_writer().expect("writer");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(nz(rows), nz(cols), 0)));
        let p = parser.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => p
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .process(&buf[..n]),
                }
            }
        });
        Pty {
            child,
            master: pair.master,
            writer,
            parser,
            name: name.to_string(),
        }
    }

    /// The kosmo-kiosk binary with `args`, logs in the fixture's folder, no SSH variables.
    pub fn kiosk_command(fx: &Fixture, args: &[&str]) -> CommandBuilder {
        let mut cmd = CommandBuilder::new(BIN);
        cmd.arg("--db");
        cmd.arg(&fx.db);
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env("KOSMO_KIOSK_LOG_DIR", fx.dir.path().join("logs"));
        cmd.env("KOSMO_KIOSK_CONFIG", fx.dir.path().join("config.toml"));
        cmd.env_remove("SSH_CLIENT");
        cmd.env_remove("SSH_CONNECTION");
        cmd.env_remove("KOSMO_KIOSK_DB");
        cmd
    }

    pub fn screen(&self) -> String {
        self.parser
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .screen()
            .contents()
    }

    /// The screen's rows (trailing spaces trimmed).
    pub fn rows(&self) -> Vec<String> {
        let p = self.parser.lock().unwrap_or_else(|e| e.into_inner());
        let (_, cols) = p.screen().size();
        p.screen()
            .rows(0, cols.get())
            .map(|r| r.trim_end().to_string())
            .collect()
    }

    /// Waits until `text` shows; panics with the screen after `secs`.
    pub fn wait_for(&self, text: &str, secs: u64) {
        let end = Instant::now() + Duration::from_secs(secs);
        loop {
            if self.screen().contains(text) {
                return;
            }
            if Instant::now() > end {
                panic!(
                    "[{}] {text:?} did not show within {secs} s; the screen:\n{}",
                    self.name,
                    self.screen()
                );
            }
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    pub fn send(&mut self, s: &str) {
        self.writer.write_all(s.as_bytes()).expect("write to pty");
        self.writer.flush().expect("flush pty");
        // Let the program read the keys as separate events, as typing does.
        std::thread::sleep(Duration::from_millis(30));
    }

    /// Sends keys and text in order.
    pub fn keys(&mut self, parts: &[&str]) {
        for p in parts {
            self.send(p);
        }
    }

    pub fn resize(&mut self, cols: u16, rows: u16) {
        self.parser
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .set_size(nz(rows), nz(cols));
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize");
    }

    /// Waits up to `secs` for the program to end; its exit status.
    pub fn wait_exit(&mut self, secs: u64) -> Option<portable_pty::ExitStatus> {
        let end = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if Instant::now() > end {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            if let Some(pid) = self.child.process_id() {
                // SAFETY: plain kill(2) of our own child.
                unsafe {
                    libc::kill(pid as i32, libc::SIGKILL);
                }
            }
            let _ = self.child.wait();
        }
    }
}

/// Logs a staff member in on the staff console's login screen and waits for the menu.
pub fn staff_login(p: &mut Pty, staff_id: &str) {
    p.wait_for("係員ID", 20);
    p.keys(&[staff_id, key::TAB, STAFF_PASSWORD, key::ENTER, key::ENTER]);
    p.wait_for("係員メニュー", 20);
}

/// From the staff menu (focus on 代理登録) through STEP2 and STEP3 to STEP4.
pub fn staff_to_step4(p: &mut Pty, temp: &(String, String), insurer: &str, birth: &str) {
    p.send(key::ENTER);
    p.wait_for("仮パスワード", 10);
    p.keys(&[&temp.0, key::TAB, &temp.1, key::ENTER, key::ENTER]);
    p.wait_for("利用規約に同意する", 20);
    p.keys(&[
        insurer,
        key::TAB,
        birth,
        key::TAB,
        key::SPACE,
        key::TAB,
        key::ENTER,
    ]);
    p.wait_for("個人情報入力画面", 20);
}

/// STEP4 of an assisted registration with a password the member types, then confirm and execute.
pub fn staff_finish(p: &mut Pty, user_id: &str, password: &str) {
    // user ID, [pw_mode], password, confirm, email, registrant, notify (→ 不要), [入力内容確認]
    p.keys(&[
        user_id,
        key::TAB,
        key::TAB,
        password,
        key::TAB,
        password,
        key::TAB,
        key::TAB,
        key::TAB,
        key::RIGHT,
        key::TAB,
        key::ENTER,
    ]);
    p.wait_for("入力確認画面", 10);
    p.send(key::ENTER);
    p.wait_for("ご登録が完了しました", 20);
}

/// The member kiosk: the postcard, STEP3, STEP4, confirm, execute.
pub fn kiosk_register(
    p: &mut Pty,
    temp: &(String, String),
    insurer: &str,
    birth: &str,
    user_id: &str,
    password: &str,
) {
    p.wait_for("パスワードを忘れた方", 20);
    p.keys(&[&temp.0, key::TAB, &temp.1, key::ENTER, key::ENTER]);
    p.wait_for("利用規約に同意する", 20);
    p.keys(&[
        insurer,
        key::TAB,
        birth,
        key::TAB,
        key::SPACE,
        key::TAB,
        key::ENTER,
    ]);
    p.wait_for("個人情報入力画面", 20);
    p.keys(&[
        user_id,
        key::TAB,
        password,
        key::TAB,
        password,
        key::TAB,
        key::TAB,
        key::TAB,
        key::RIGHT,
        key::TAB,
        key::ENTER,
    ]);
    p.wait_for("入力確認画面", 10);
    p.send(key::ENTER);
    p.wait_for("ご登録が完了しました", 20);
}

/// Processes whose command line contains `needle` (Linux /proc), other than this test process.
pub fn pids_with(needle: &str) -> Vec<i32> {
    let me = std::process::id() as i32;
    let mut out = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for entry in dir.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        if pid == me {
            continue;
        }
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let text = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if text.contains(needle) && is_running(pid) {
            out.push(pid);
        }
    }
    out
}

/// True while the process exists and is not a zombie.
pub fn is_running(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X"),
        Err(_) => false,
    }
}

/// CPU time used so far by a process, in clock ticks (utime + stime).
pub fn cpu_ticks(pid: i32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, rest) = stat.rsplit_once(')')?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the command: state is field 3, utime 14, stime 15 (1-based in proc(5)).
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}
