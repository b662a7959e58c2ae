//! A store for the real binary in a pseudo-terminal ([`Store`], re-exported as `pty::Store`): the
//! demo's households imported and their postcards issued through the command line, as an operator
//! does, and the kiosk started on it in a [`Term`].
#![allow(dead_code)]

use std::path::PathBuf;

use super::households::Postcard;
use super::pty::{Term, command};

/// A temp dir with a store, a config file and the postcards, prepared through the command line.
pub struct Store {
    pub dir: tempfile::TempDir,
    pub cards: Vec<Postcard>,
}

impl Store {
    /// Imports the [`DEMO`](super::households::DEMO) households and issues credentials through the
    /// command line. `config` is the TOML of the kiosk's configuration file.
    pub fn prepare(config: &str) -> Store {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("config.toml"), config).expect("config");
        let members = super::households::csv(&super::households::DEMO);
        std::fs::write(dir.path().join("members.csv"), members).expect("members");
        let s = Store {
            dir,
            cards: Vec::new(),
        };
        s.cli(&["admin", "import-members", "members.csv"]);
        s.cli(&["admin", "issue-credentials", "--out", "notices.csv"]);
        let cards = s.postcards("notices.csv");
        Store { cards, ..s }
    }

    /// The postcards in the notices file `name` (written by `admin issue-credentials --out`).
    pub fn postcards(&self, name: &str) -> Vec<Postcard> {
        let mut reader = csv::Reader::from_path(self.path(name)).expect("notices file");
        reader
            .records()
            .map(|r| {
                let r = r.expect("notice row");
                Postcard {
                    household: r[0].to_string(),
                    temp_id: r[2].to_string(),
                    password: r[3].to_string(),
                }
            })
            .collect()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn db(&self) -> PathBuf {
        self.path("kiosk.db")
    }

    pub fn card(&self, household: &str) -> Postcard {
        self.cards
            .iter()
            .find(|c| c.household == household)
            .cloned()
            .unwrap_or_else(|| panic!("no postcard for {household}"))
    }

    /// Runs a command-line command (not in a terminal) and returns its standard output.
    pub fn cli(&self, args: &[&str]) -> String {
        let mut cmd = super::bin::command(self.dir.path());
        cmd.args(args)
            .current_dir(self.dir.path())
            .env("KOSMO_KIOSK_DB", self.db());
        let out = cmd.output().expect("run kosmo-kiosk");
        assert!(
            out.status.success(),
            "kosmo-kiosk {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 output")
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.cli(args)).expect("json output")
    }

    /// Starts the kiosk in an 80×24 pseudo-terminal.
    pub fn kiosk(&self, args: &[&str]) -> Term {
        self.kiosk_sized(args, 80, 24)
    }

    pub fn kiosk_sized(&self, args: &[&str], cols: u16, rows: u16) -> Term {
        self.kiosk_in(args, cols, rows, true)
    }

    /// The kiosk in a terminal that answers cursor position requests (`ESC [ 6 n`) as a real
    /// one does, from the emulator's cursor, or (`answer` false) one that leaves them to the test.
    pub fn kiosk_in(&self, args: &[&str], cols: u16, rows: u16, answer: bool) -> Term {
        let mut cmd = command(self.dir.path(), args);
        cmd.env("KOSMO_KIOSK_DB", self.db());
        Term::spawn_with("kiosk", cmd, cols, rows, answer)
    }
}
