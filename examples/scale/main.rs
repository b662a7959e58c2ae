//! The scale harness (issue 14): each figure of a society of 1,000 to 200,000 households next to its
//! anchor, measured in the same run, alternately, and printed as a table. Run it through
//! `scripts/scale.sh`, which builds the release binary and passes it in `KOSMO_KIOSK_BIN`.
//!
//! - Issuance: `admin issue-credentials` of `--postcards` new households, in postcards per second,
//!   against the raw argon2id rate of the same crate and parameters on all cores (target ≥ 0.9×),
//!   with the command's peak memory (target ≤ cores × 19 MiB + 32 MiB).
//! - Import: `admin import-members` of `--import-rows` rows into an empty store, against the plain
//!   Python `sqlite3` script on the same schema (target ≥ 1.0×, Python time / Rust time).
//! - Flatness: at each size, `admin members --json` (per household), `issue-credentials` for 10 new
//!   households (the whole command, its 10 hashes included), staff search by name and birth date,
//!   the staff audit screen of one household and a member's login, each against the same figure of
//!   the 1,000-household store measured alternately with it (target ≤ 2×).
//! - The kiosk's memory over `--registrations` registrations in one process (target ≤ 48 MiB).
//!
//! Stores are built straight in SQL (tests/support/society.rs) and kept in `--work` for the next run.

#[path = "../../tests/support/bin.rs"]
mod bin;
#[path = "../../tests/support/households.rs"]
mod households;
#[path = "../../tests/support/procs.rs"]
mod procs;
#[path = "../../tests/support/pty.rs"]
mod pty;
#[path = "../../tests/support/pty_store.rs"]
mod pty_store;
#[path = "../../tests/support/screen.rs"]
mod screen;
#[path = "../../tests/support/society.rs"]
mod society;
#[path = "../support/wizard.rs"]
mod wizard;

mod anchors;
mod kiosk;
mod timing;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use clap::Parser;
use kosmo_kiosk::config::Config;
use kosmo_kiosk::domain::household::HouseholdKey;
use kosmo_kiosk::services::Services;
use kosmo_kiosk::services::audit::AuditQuery;
use kosmo_kiosk::services::households::HouseholdQuery;
use kosmo_kiosk::store::{Actor, Store};
use timing::{alternate, median, ms, summary};

#[derive(Parser)]
struct Opts {
    /// Society sizes; the first is the anchor of the others.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "1000,10000,100000,200000"
    )]
    sizes: Vec<usize>,
    /// Pairs (figure, anchor) per figure.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Postcards per issuance run.
    #[arg(long, default_value_t = 200)]
    postcards: usize,
    /// Rows of the import.
    #[arg(long, default_value_t = 100_000)]
    import_rows: usize,
    /// Registrations in the kiosk memory run (0: skip).
    #[arg(long, default_value_t = 200)]
    registrations: usize,
    /// Parts to leave out: issuance, import, sizes, kiosk; or, of the sizes, members, issue10,
    /// search, audit, login.
    #[arg(long, value_delimiter = ',')]
    skip: Vec<String>,
    #[arg(long, default_value = "target/scale")]
    work: PathBuf,
}

/// One line of the table.
struct Line {
    figure: String,
    value: String,
    anchor: String,
    ratio: String,
    target: &'static str,
    load: f64,
}

fn bin() -> PathBuf {
    bin::path()
}

/// The command line of the binary on the store `db`.
fn kiosk_cmd(work: &Path, db: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(bin());
    cmd.arg("--db")
        .arg(db)
        .arg("--config")
        .arg(work.join("config.toml"))
        .args(args)
        .env("KOSMO_KIOSK_LOG_DIR", work.join("logs"))
        .env_remove("KOSMO_KIOSK_SMTP_URL");
    cmd
}

fn remove_store(db: &Path) {
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", db.display()));
    }
}

fn society_store(work: &Path, n: usize, copy: &str) -> PathBuf {
    society::copy_of(work, n, copy)
}

fn services(db: &Path) -> Services {
    Services::new(
        Arc::new(Store::open(db).expect("open")),
        Arc::new(Config::default()),
    )
}

fn issuance(o: &Opts, out: &mut Vec<Line>) {
    let work = &o.work;
    let csv = work.join("issue-members.csv");
    let mut text = String::from("insurer_number,symbol,number,name,birth_date,relationship\n");
    let mut next = 0usize;
    let (pairs, load) = alternate(o.runs, |is_figure, run| {
        if !is_figure {
            let (rate, cpu) = anchors::argon2_rate(o.postcards);
            return (rate, cpu, 0.0);
        }
        {
            // A fresh store with `postcards` households owed a postcard; only issuing is timed.
            let db = work.join("issue.db");
            remove_store(&db);
            text.truncate(text.find('\n').unwrap() + 1);
            for i in next..next + o.postcards {
                text.push_str(&society::csv_line(1 + i));
            }
            next += o.postcards;
            std::fs::write(&csv, &text).unwrap();
            timing::run(
                &mut kiosk_cmd(
                    work,
                    &db,
                    &["admin", "import-members", csv.to_str().unwrap()],
                ),
                &work.join("err.txt"),
            );
            let notices = work.join(format!("notices-{run}.csv"));
            let _ = std::fs::remove_file(&notices);
            let r = timing::run(
                &mut kiosk_cmd(
                    work,
                    &db,
                    &[
                        "admin",
                        "issue-credentials",
                        "--out",
                        notices.to_str().unwrap(),
                    ],
                ),
                &work.join("err.txt"),
            );
            (
                o.postcards as f64 / r.wall.as_secs_f64(),
                r.cpu.as_secs_f64() / o.postcards as f64,
                r.max_rss_kib as f64 / 1024.0,
            )
        }
    });
    let rates: Vec<f64> = pairs.iter().map(|p| p.0.0).collect();
    let raw: Vec<f64> = pairs.iter().map(|p| p.1.0).collect();
    let ratios: Vec<f64> = pairs.iter().map(|p| p.0.0 / p.1.0).collect();
    let cpu: Vec<f64> = pairs.iter().map(|p| p.0.1 * 1000.0).collect();
    let raw_cpu: Vec<f64> = pairs.iter().map(|p| p.1.1 * 1000.0).collect();
    let cpu_ratios: Vec<f64> = pairs.iter().map(|p| p.1.1 / p.0.1).collect();
    let peak: Vec<f64> = pairs.iter().map(|p| p.0.2).collect();
    let cores = timing::cores();
    out.push(Line {
        figure: format!("issue-credentials, {} postcards: rate", o.postcards),
        value: format!(
            "{} postcards/s; peak {} MiB",
            summary(&rates, |v| format!("{v:.1}")),
            summary(&peak, |v| format!("{v:.0}"))
        ),
        anchor: format!(
            "raw argon2id, {cores} threads: {} hashes/s",
            summary(&raw, |v| format!("{v:.1}"))
        ),
        ratio: summary(&ratios, |v| format!("{v:.2}")),
        target: "≥ 0.90; peak ≤ cores×19+32 MiB",
        load,
    });
    out.push(Line {
        figure: format!(
            "issue-credentials, {} postcards: CPU per postcard",
            o.postcards
        ),
        value: format!("{} ms", summary(&cpu, |v| format!("{v:.1}"))),
        anchor: format!(
            "raw argon2id: {} ms per hash",
            summary(&raw_cpu, |v| format!("{v:.1}"))
        ),
        ratio: summary(&cpu_ratios, |v| format!("{v:.2}")),
        target: "≥ 0.90 (anchor CPU / ours)",
        load,
    });
}

fn import(o: &Opts, out: &mut Vec<Line>) {
    let work = &o.work;
    let csv = work.join("import-members.csv");
    {
        let mut text = String::from("insurer_number,symbol,number,name,birth_date,relationship\n");
        let (mut rows, mut i) = (0, 0);
        while rows < o.import_rows {
            i += 1;
            text.push_str(&society::csv_line(i));
            rows += 1;
            if i % 3 != 0 && rows < o.import_rows {
                text.push_str(&format!(
                    "{},{},{},山田 {i} 花子,1975-05-05,dependent\n",
                    society::insurer(i),
                    society::symbol(i),
                    society::number(i)
                ));
                rows += 1;
            }
        }
        std::fs::write(&csv, text).unwrap();
    }
    let empty = work.join("empty.db");
    remove_store(&empty);
    drop(Store::open(&empty).expect("an empty store"));
    let fresh = |name: &str| {
        let db = work.join(name);
        remove_store(&db);
        std::fs::copy(&empty, &db).unwrap();
        db
    };
    let (pairs, load) = alternate(o.runs, |is_figure, _| {
        if is_figure {
            let db = fresh("import-rust.db");
            timing::run(
                &mut kiosk_cmd(
                    work,
                    &db,
                    &["admin", "import-members", csv.to_str().unwrap()],
                ),
                &work.join("err.txt"),
            )
        } else {
            let db = fresh("import-python.db");
            anchors::python_import(&db, &csv, &work.join("err-python.txt"))
        }
    });
    let per_row = |d: std::time::Duration| d.as_secs_f64() * 1e6 / o.import_rows as f64;
    let rust: Vec<f64> = pairs.iter().map(|p| per_row(p.0.wall)).collect();
    let python: Vec<f64> = pairs.iter().map(|p| per_row(p.1.wall)).collect();
    let ratios: Vec<f64> = pairs
        .iter()
        .map(|p| p.1.wall.as_secs_f64() / p.0.wall.as_secs_f64())
        .collect();
    let rust_cpu: Vec<f64> = pairs.iter().map(|p| per_row(p.0.cpu)).collect();
    let python_cpu: Vec<f64> = pairs.iter().map(|p| per_row(p.1.cpu)).collect();
    let cpu_ratios: Vec<f64> = pairs
        .iter()
        .map(|p| p.1.cpu.as_secs_f64() / p.0.cpu.as_secs_f64())
        .collect();
    let peak: Vec<f64> = pairs
        .iter()
        .map(|p| p.0.max_rss_kib as f64 / 1024.0)
        .collect();
    out.push(Line {
        figure: format!("import-members, {} rows, empty store: wall", o.import_rows),
        value: format!(
            "{} µs/row; peak {} MiB",
            summary(&rust, |v| format!("{v:.1}")),
            summary(&peak, |v| format!("{v:.0}"))
        ),
        anchor: format!(
            "Python sqlite3: {} µs/row",
            summary(&python, |v| format!("{v:.1}"))
        ),
        ratio: summary(&ratios, |v| format!("{v:.2}")),
        target: "≥ 1.00 (Python time / ours)",
        load,
    });
    out.push(Line {
        figure: format!("import-members, {} rows, empty store: CPU", o.import_rows),
        value: format!("{} µs/row", summary(&rust_cpu, |v| format!("{v:.1}"))),
        anchor: format!(
            "Python sqlite3: {} µs/row",
            summary(&python_cpu, |v| format!("{v:.1}"))
        ),
        ratio: summary(&cpu_ratios, |v| format!("{v:.2}")),
        target: "≥ 1.00 (Python CPU / ours)",
        load,
    });
}

/// One flatness figure (`name` for --skip) at size `n` against the first size:
/// `measure(on_size_n, pair)`.
#[allow(clippy::too_many_arguments)]
fn flat(
    out: &mut Vec<Line>,
    o: &Opts,
    name: &str,
    figure: &str,
    unit: &str,
    n: usize,
    measure: impl FnMut(bool, usize) -> f64,
) {
    if o.skip.iter().any(|s| s == name) {
        return;
    }
    let base = o.sizes[0];
    let (pairs, load) = alternate(o.runs, measure);
    let big: Vec<f64> = pairs.iter().map(|p| p.0).collect();
    let small: Vec<f64> = pairs.iter().map(|p| p.1).collect();
    let ratios: Vec<f64> = pairs.iter().map(|p| p.0 / p.1).collect();
    let show = |v: f64| {
        if v >= 100.0 {
            format!("{v:.0}")
        } else {
            format!("{v:.2}")
        }
    };
    out.push(Line {
        figure: format!("{figure}, {n} households"),
        value: format!("{} {unit}", summary(&big, show)),
        anchor: format!("{base} households: {} {unit}", summary(&small, show)),
        ratio: summary(&ratios, |v| format!("{v:.2}")),
        target: "≤ 2.00",
        load,
    });
}

fn sizes(o: &Opts, out: &mut Vec<Line>) {
    let work = &o.work;
    let base = o.sizes[0];
    let base_db = society_store(work, base, "base.db");
    let base_svc = services(&base_db);
    let mut added = [0usize; 2];
    for &n in &o.sizes[1..] {
        let db = society_store(work, n, "size.db");
        let svc = services(&db);
        let pick = |big: bool, run: usize, k: usize| {
            let size = if big { n } else { base };
            // Households spread over the store, a different one each time.
            1 + (run * 7919 + k * 104_729 + size / 3) % size
        };
        let store_of = |big: bool| if big { &db } else { &base_db };
        let svc_of = |big: bool| if big { &svc } else { &base_svc };
        flat(
            out,
            o,
            "members",
            "admin members --json (CPU)",
            "µs/household",
            n,
            |big, _| {
                let r = timing::run(
                    &mut kiosk_cmd(work, store_of(big), &["admin", "members", "--json"]),
                    &work.join("err.txt"),
                );
                r.cpu.as_secs_f64() * 1e6 / if big { n } else { base } as f64
            },
        );
        flat(
            out,
            o,
            "issue10",
            "issue-credentials, 10 new households (CPU)",
            "ms",
            n,
            |big, run| {
                let size = if big { n } else { base };
                let first = size + 1 + added[usize::from(big)];
                added[usize::from(big)] += 10;
                let store = Store::open(store_of(big)).unwrap();
                society::add_new_households(&store, first, 10).unwrap();
                drop(store);
                let notices = work.join(format!("notices-{n}-{big}-{run}.csv"));
                let _ = std::fs::remove_file(&notices);
                let r = timing::run(
                    &mut kiosk_cmd(
                        work,
                        store_of(big),
                        &[
                            "admin",
                            "issue-credentials",
                            "--out",
                            notices.to_str().unwrap(),
                        ],
                    ),
                    &work.join("err.txt"),
                );
                ms(r.cpu)
            },
        );
        let staff = Actor::staff("staff01");
        flat(
            out,
            o,
            "search",
            "staff search by name and birth date",
            "ms",
            n,
            |big, run| {
                let times: Vec<f64> = (0..20)
                    .map(|k| {
                        let i = pick(big, run, k);
                        let birth =
                            kosmo_kiosk::store::households::parse_date(&society::insured_birth(i))
                                .unwrap();
                        let q = HouseholdQuery::Member {
                            name: society::insured_name(i),
                            birth_date: birth,
                        };
                        let t = Instant::now();
                        let found = svc_of(big).find_households(&staff, &q).unwrap();
                        assert_eq!(found.len(), 1);
                        ms(t.elapsed())
                    })
                    .collect();
                median(times)
            },
        );
        flat(
            out,
            o,
            "audit",
            "staff audit screen of a household",
            "ms",
            n,
            |big, run| {
                let times: Vec<f64> = (0..20)
                    .map(|k| {
                        let q = AuditQuery {
                            household: Some(
                                HouseholdKey::parse(&society::key(pick(big, run, k))).unwrap(),
                            ),
                            ..Default::default()
                        };
                        let t = Instant::now();
                        svc_of(big).audit_view(&q, 300).unwrap();
                        ms(t.elapsed())
                    })
                    .collect();
                median(times)
            },
        );
        flat(
            out,
            o,
            "login",
            "member login (permanent ID)",
            "ms",
            n,
            |big, run| {
                let times: Vec<f64> = (0..5)
                    .map(|k| {
                        let mut i = pick(big, run, k);
                        while !society::is_registered(i) {
                            i = i % if big { n } else { base } + 1;
                        }
                        let t = Instant::now();
                        svc_of(big)
                            .login(
                                &Actor::kiosk(),
                                &society::user_id(i),
                                society::MEMBER_PASSWORD,
                            )
                            .unwrap();
                        ms(t.elapsed())
                    })
                    .collect();
                median(times)
            },
        );
        // Issue 16: the medical-expense screens (months, a month's detail, yearly totals) add their
        // figure here, with `flat(out, o, "expenses", "expenses: …", "ms", n, |big, run| …)`, once the
        // society generator writes expense rows.
    }
}

fn kiosk_memory(o: &Opts, out: &mut Vec<Line>) {
    let load_before = timing::load();
    let m = kiosk::long_run(o.registrations);
    let mib = |k: u64| k as f64 / 1024.0;
    let first = m.samples.first().map_or(0, |s| s.1);
    let last = m.samples.last().map_or(0, |s| s.1);
    out.push(Line {
        figure: format!(
            "kiosk memory over {} registrations, one process",
            o.registrations
        ),
        value: format!(
            "peak {:.1} MiB; VmRSS {:.1} MiB after 1, {:.1} MiB after {}",
            mib(m.peak_kib),
            mib(first),
            mib(last),
            m.samples.last().map_or(0, |s| s.0)
        ),
        anchor: "budget 48 MiB".into(),
        ratio: format!("{:.2}", mib(m.peak_kib) / 48.0),
        target: "≤ 1.00",
        load: load_before.max(timing::load()),
    });
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{cpu}, {} cores", timing::cores())
}

fn main() {
    let o = Opts::parse();
    std::fs::create_dir_all(&o.work).expect("the work folder");
    std::fs::write(o.work.join("config.toml"), "").expect("config");
    let skip = |part: &str| o.skip.iter().any(|s| s == part);
    let date = time::OffsetDateTime::now_utc();
    println!(
        "scale harness: {} UTC; {}; binary {}",
        date.date(),
        machine(),
        bin().display()
    );
    let mut lines = Vec::new();
    if !skip("issuance") {
        issuance(&o, &mut lines);
    }
    if !skip("import") {
        import(&o, &mut lines);
    }
    if !skip("sizes") && o.sizes.len() > 1 {
        sizes(&o, &mut lines);
    }
    if !skip("kiosk") && o.registrations > 0 {
        kiosk_memory(&o, &mut lines);
    }
    let cores = timing::cores() as f64;
    println!();
    println!("| figure | value, median (min–max) | anchor, same run | ratio | target | load |");
    println!("|---|---|---|---|---|---|");
    for l in &lines {
        println!(
            "| {} | {} | {} | {} | {} | {:.1}{} |",
            l.figure,
            l.value,
            l.anchor,
            l.ratio,
            l.target,
            l.load,
            if l.load > cores { " (loaded)" } else { "" }
        );
    }
    println!();
    println!(
        "{} pair(s) per figure, figure and anchor alternately; load = the highest 1-minute load \
         average seen during the figure ({cores} cores: above that, other work shared the machine).",
        o.runs
    );
}
