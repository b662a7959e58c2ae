//! Security properties of files and command-line output (issue 8), on the real binary and real files:
//! no live formula in a notices file, the staff notices file never followed through a link nor
//! appended to when others can read it, no raw control or bidi character in JSON output, error
//! messages that quote at most ~80 characters of a value, and one live postcard per household when
//! two `issue-credentials` race.

#[path = "store_support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use kosmo_kiosk::services::ServiceError;
use kosmo_kiosk::services::staff::ReissueError;
use support::*;

/// The binary with a private environment in a temp dir.
struct Cli {
    dir: tempfile::TempDir,
}

impl Cli {
    fn new() -> Cli {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("config.toml"), "").expect("config");
        Cli { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kosmo-kiosk"));
        c.current_dir(self.dir.path())
            .arg("--db")
            .arg(self.path("kiosk.db"))
            .env("KOSMO_KIOSK_LOG_DIR", self.path("logs"))
            .env("KOSMO_KIOSK_CONFIG", self.path("config.toml"))
            .env("HOME", self.dir.path())
            .env_remove("KOSMO_KIOSK_DB")
            .env_remove("KOSMO_KIOSK_SMTP_URL")
            .stdin(std::process::Stdio::null());
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().expect("run kosmo-kiosk")
    }

    fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(
            o.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).expect("UTF-8 stdout")
    }

    fn import(&self, csv: &str) {
        std::fs::write(self.path("members.csv"), csv).expect("members");
        self.ok(&["admin", "import-members", "members.csv"]);
    }
}

/// Names that a spreadsheet would run as formulas (OWASP's examples and the issue's).
const FORMULA_NAMES: [&str; 6] = [
    "=HYPERLINK(\"http://evil.example/\",\"click\")",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\tTAB=1+1",
    "＝1+1",
];

fn formula_members_csv() -> String {
    let mut csv = String::from("insurer_number,symbol,number,name,birth_date,relationship\n");
    for (i, name) in FORMULA_NAMES.iter().enumerate() {
        let name = name.replace('"', "\"\"");
        csv.push_str(&format!(
            "06139497,12,{},\"{name}\",1970-05-0{},insured\n",
            7000 + i,
            i + 1
        ));
    }
    csv
}

/// Every cell of a notices file as a spreadsheet reads it: none may start a formula.
#[track_caller]
fn assert_no_formula_cell(path: &Path, expected_rows: usize) {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(path)
        .expect("CSV");
    let mut rows = 0;
    for rec in r.records() {
        let rec = rec.expect("a CSV row");
        rows += 1;
        for cell in rec.iter() {
            let first = cell.chars().next();
            assert!(
                !matches!(
                    first,
                    Some('=' | '+' | '-' | '@' | '\t' | '\r' | '＝' | '＋' | '－' | '＠')
                ),
                "a cell starts a formula: {cell:?} in {}",
                path.display()
            );
        }
        // The name is kept (as the import stored it: trimmed, NFKC), behind the quote when needed.
        let kept = rec[1].strip_prefix('\'').unwrap_or(&rec[1]);
        assert!(
            FORMULA_NAMES.iter().any(|n| n.trim() == kept
                || n.replace('＝', "=") == kept
                || n.trim_start_matches('\t') == kept),
            "{:?}",
            &rec[1]
        );
    }
    assert_eq!(rows, expected_rows);
}

/// Issue 8 item 5: `issue-credentials` writes member names that look like formulas as text.
#[test]
fn notices_file_cells_never_start_a_formula() {
    let cli = Cli::new();
    cli.import(&formula_members_csv());
    cli.ok(&["admin", "issue-credentials", "--out", "notices.csv"]);
    assert_no_formula_cell(&cli.path("notices.csv"), FORMULA_NAMES.len());
}

/// Issue 8 item 5, the staff console's file: the reissue appends formula names as text too.
#[test]
fn staff_notices_cells_never_start_a_formula() {
    let f = Fixture::new();
    f.import(&formula_members_csv());
    let path = f.dir.path().join("staff-notices.csv");
    for i in 0..FORMULA_NAMES.len() {
        let id = f.household_id(&format!("06139497-12-{}", 7000 + i));
        f.svc
            .reissue_credential(&kosmo_kiosk::store::Actor::staff("staff01"), id, &path)
            .expect("reissue");
    }
    assert_no_formula_cell(&path, FORMULA_NAMES.len());
}

fn reissue_into(f: &Fixture, path: &Path) -> Result<(), String> {
    let id = f.household_id(YAMADA);
    match f
        .svc
        .reissue_credential(&kosmo_kiosk::store::Actor::staff("staff01"), id, path)
    {
        Ok(_) => Ok(()),
        Err(ReissueError::Service(ServiceError::User(msg))) => Err(msg),
        Err(e) => panic!("unexpected error {e:?}"),
    }
}

#[cfg(unix)]
fn chmod(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// Issue 8 item 8: the staff notices file is never followed through a symbolic link, never appended to
/// when others may read or write it or when it is a second name of another file; each refusal says why,
/// and nothing reaches the target.
#[cfg(unix)]
#[test]
fn staff_notices_file_refuses_links_and_wide_modes() {
    let f = Fixture::with_members();
    let dir = f.dir.path();

    // A symbolic link to somewhere else: refused, the target untouched.
    let target = dir.join("target.txt");
    std::fs::write(&target, "precious\n").unwrap();
    chmod(&target, 0o600);
    let link = dir.join("staff-notices.csv");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let err = reissue_into(&f, &link).expect_err("a symlink is refused");
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious\n");
    // A dangling link is not created through either.
    let dangling = dir.join("dangling.csv");
    std::os::unix::fs::symlink(dir.join("nowhere.csv"), &dangling).unwrap();
    assert!(reissue_into(&f, &dangling).is_err());
    assert!(!dir.join("nowhere.csv").exists());

    // An existing file others can read (0644, as an editor or `cp` may leave it): refused.
    let wide = dir.join("wide.csv");
    std::fs::write(
        &wide,
        "household,name,temp_user_id,temp_password,expires_on\n",
    )
    .unwrap();
    chmod(&wide, 0o644);
    let err = reissue_into(&f, &wide).expect_err("0644 is refused");
    assert!(err.contains("0644") && err.contains("chmod 600"), "{err}");
    assert_eq!(std::fs::read_to_string(&wide).unwrap().lines().count(), 1);

    // A hard link to another file.
    let hard = dir.join("hard.csv");
    std::fs::hard_link(&target, &hard).unwrap();
    let err = reissue_into(&f, &hard).expect_err("a hard link is refused");
    assert!(err.contains("hard link"), "{err}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious\n");

    // Nothing was issued by any refusal; a proper file works, and stays 0600.
    assert_eq!(
        f.count("SELECT count(*) FROM audit WHERE event = 'reissue_credential'"),
        0
    );
    let good = dir.join("good.csv");
    reissue_into(&f, &good).expect("a new file");
    reissue_into(&f, &good).expect("appended");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&good).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(std::fs::read_to_string(&good).unwrap().lines().count(), 3);
}

/// `issue-credentials --out` refuses a symbolic link (dangling or not) as it refuses any existing name.
#[cfg(unix)]
#[test]
fn issue_credentials_never_writes_through_a_link() {
    let cli = Cli::new();
    cli.import(MEMBERS_CSV);
    std::os::unix::fs::symlink(cli.path("elsewhere.csv"), cli.path("notices.csv")).unwrap();
    let o = cli.run(&["admin", "issue-credentials", "--out", "notices.csv"]);
    assert!(!o.status.success());
    assert!(!cli.path("elsewhere.csv").exists());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("notices.csv"), "{err}");
}
