//! The deployment files agree: every systemd unit runs as the account the SSH snippet serves, with the
//! same binary, configuration and store, with a private umask; the example configuration names the same
//! store; the set-up in the docs creates that account with the store's folder as its home; the snippet
//! printed in docs/staff.md is the one shipped.

use std::path::{Path, PathBuf};

use kosmo_kiosk::config::Config;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// What the SSH snippet pins: the account, the binary, `--config` and `--db`.
#[derive(Debug, PartialEq, Eq)]
struct Pinned {
    user: String,
    bin: String,
    config: String,
    db: String,
}

fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// `… BIN --config C --db D <command…>` → (BIN, C, D).
fn invocation(cmd: &str) -> (String, String, String) {
    let words: Vec<&str> = cmd.split_whitespace().collect();
    let at = words
        .iter()
        .position(|w| w.ends_with("/kosmo-kiosk"))
        .unwrap_or_else(|| panic!("no kosmo-kiosk in {cmd:?}"));
    let opt = |name: &str| {
        let i = words
            .iter()
            .position(|w| *w == name)
            .unwrap_or_else(|| panic!("no {name} in {cmd:?}"));
        assert!(i > at, "{name} belongs to kosmo-kiosk in {cmd:?}");
        words[i + 1].to_string()
    };
    (words[at].to_string(), opt("--config"), opt("--db"))
}

fn snippet() -> Pinned {
    let text = read("assets/ssh/kosmo-staff.conf");
    let user = lines(&text)
        .find_map(|l| l.strip_prefix("Match User "))
        .expect("Match User")
        .trim()
        .to_string();
    let force = lines(&text)
        .find_map(|l| l.strip_prefix("ForceCommand "))
        .expect("ForceCommand");
    assert!(force.trim_end().ends_with(" staff"), "{force}");
    let (bin, config, db) = invocation(force);
    Pinned {
        user,
        bin,
        config,
        db,
    }
}

fn units() -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(root().join("assets/deploy"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "service"))
        .collect();
    found.sort();
    found
}

fn key<'a>(unit: &'a str, name: &str) -> Vec<&'a str> {
    lines(unit)
        .filter_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix('=')))
        .collect()
}

#[test]
fn every_unit_runs_as_the_ssh_account_with_the_same_paths() {
    let pinned = snippet();
    assert_eq!(pinned.user, "kosmo");
    let units = units();
    let names: Vec<String> = units
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for expected in [
        "kosmo-kiosk.service",
        "kosmo-kiosk-outbox.service",
        "kosmo-kiosk-backup.service",
        "kosmo-kiosk-check.service",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    for path in &units {
        let unit = std::fs::read_to_string(path).unwrap();
        let name = path.display();
        assert_eq!(key(&unit, "User"), [pinned.user.as_str()], "{name}");
        assert_eq!(key(&unit, "UMask"), ["0077"], "{name}");
        let exec = key(&unit, "ExecStart");
        assert_eq!(exec.len(), 1, "{name}");
        let (bin, config, db) = invocation(exec[0]);
        assert_eq!(
            Pinned {
                user: pinned.user.clone(),
                bin,
                config,
                db
            },
            pinned,
            "{name}"
        );
        // No environment that could point one program at another store or configuration.
        for env in key(&unit, "Environment") {
            assert!(
                !env.contains("KOSMO_KIOSK_DB") && !env.contains("KOSMO_KIOSK_CONFIG"),
                "{name}: {env}"
            );
        }
    }
    // A timer for each oneshot unit.
    for timer in ["kosmo-kiosk-backup.timer", "kosmo-kiosk-check.timer"] {
        let t = read(&format!("assets/deploy/{timer}"));
        assert!(
            t.contains("[Timer]") && t.contains("WantedBy=timers.target"),
            "{timer}"
        );
    }
}

#[test]
fn the_example_configuration_names_the_same_store_and_a_log_folder_the_account_owns() {
    let pinned = snippet();
    let config = Config::from_toml(&read("assets/deploy/config.example.toml"))
        .expect("the example configuration parses");
    assert_eq!(config.db.as_deref(), Some(Path::new(&pinned.db)));
    let home = Path::new(&pinned.db).parent().unwrap();
    let logs = config
        .log_dir
        .expect("log_dir is written out in the example");
    assert!(logs.starts_with(home), "{logs:?} outside {home:?}");
}

#[test]
fn the_documented_set_up_creates_that_account_at_the_store() {
    let pinned = snippet();
    let home = Path::new(&pinned.db)
        .parent()
        .unwrap()
        .display()
        .to_string();
    let config_dir = Path::new(&pinned.config)
        .parent()
        .unwrap()
        .display()
        .to_string();
    for doc in ["docs/staff.md", "docs/operations.md"] {
        let text = read(doc);
        let useradd = text
            .lines()
            .find(|l| l.contains("useradd"))
            .unwrap_or_else(|| panic!("{doc} creates the account"));
        assert!(
            useradd.trim_end().ends_with(&format!(" {}", pinned.user))
                && useradd.contains(&format!("--home-dir {home} ")),
            "{doc}: {useradd}"
        );
        assert!(
            text.lines().any(|l| l.contains("install -d")
                && l.contains(&format!("-o {0} -g {0}", pinned.user))
                && l.contains(&config_dir)),
            "{doc} creates {config_dir} for {}",
            pinned.user
        );
        assert!(!text.contains("User=kiosk"), "{doc}");
    }
    // The snippet printed in docs/staff.md is the file shipped.
    let shipped = read("assets/ssh/kosmo-staff.conf");
    let doc = read("docs/staff.md");
    assert!(
        doc.contains(shipped.trim_end()),
        "docs/staff.md shows a different snippet than assets/ssh/kosmo-staff.conf"
    );
}
