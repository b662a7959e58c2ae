//! A society of 100,000 households (tests/support/society.rs, kept in target/scale/ between runs):
//!
//! - `society/issue_credentials_sql`: `issue-credentials` of 10 new households, everything but the
//!   argon2id work (the hasher runs with 8 KiB and one pass): finding the households owed a
//!   postcard, the one transaction, the notices file; and the same for 10 named households.
//! - `society/members`, `society/staff_search`: `admin members` (its query, all 100,000 rows) and
//!   the staff search by name and birth date.
//! - `issuance`: 32 postcards in process against the raw argon2id rate of the same crate and
//!   parameters on all cores, alternately; prints both rates and the ratio (target ≥ 0.9).
//! - `import`: 20,000 rows in process against the plain Python `sqlite3` script on the same schema
//!   (its own timing, without the interpreter's start), alternately; prints the ratio (≥ 1.0).
//!
//! `cargo bench --bench scale`

#[path = "../tests/support/society.rs"]
mod society;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use argon2::{Algorithm, Argon2, Block, Params, Version};
use criterion::Criterion;
use kosmo_kiosk::config::Config;
use kosmo_kiosk::domain::household::HouseholdKey;
use kosmo_kiosk::services::hashing::{M_COST_KIB, P_COST, T_COST};
use kosmo_kiosk::services::households::HouseholdQuery;
use kosmo_kiosk::services::{Hasher, Services};
use kosmo_kiosk::store::{Actor, Store};

/// `cargo bench` passes `--bench`; `cargo test --all-targets` (CI) runs this binary without it, and
/// then the same code runs once on a society of 500 households (seconds instead of building 100,000).
fn full_scale() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// Households in the society of the `society` group.
fn society_size() -> usize {
    if full_scale() { 100_000 } else { 500 }
}

fn work() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/scale")
}

fn services(db: &Path) -> Services {
    Services::new(
        Arc::new(Store::open(db).expect("open")),
        Arc::new(Config::default()),
    )
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn society_benches(c: &mut Criterion) {
    let size = society_size();
    let db = society::copy_of(
        &work(),
        size,
        if full_scale() {
            "bench-society.db"
        } else {
            "bench-society-test.db"
        },
    );
    let mut svc = services(&db);
    svc.hasher = Arc::new(Hasher::with_params(8, 1, 1));
    let admin = Actor::admin();
    let dir = tempfile::tempdir().unwrap();
    let mut next = size + 1;
    let mut g = c.benchmark_group("society");
    g.sample_size(20).measurement_time(Duration::from_secs(5));
    g.bench_function("issue_credentials_sql/10_new_of_100k", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                society::add_new_households(&svc.store, next, 10).unwrap();
                next += 10;
                let out = dir.path().join(format!("notices-{next}.csv"));
                let t = Instant::now();
                let r = svc.issue_credentials(&admin, &out, &[]).unwrap();
                total += t.elapsed();
                assert_eq!(r.notices.len(), 10);
            }
            total
        })
    });
    g.bench_function("issue_credentials_sql/10_named_of_100k", |b| {
        let mut round = 0usize;
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                round += 1;
                // Ten pending households (6, 7, 8 of each ten), named, each reissued.
                let keys: Vec<HouseholdKey> = (0..10)
                    .map(|k| {
                        let i = (round * 7919 + k * 10) % (size - 10) / 10 * 10 + 6;
                        HouseholdKey::parse(&society::key(i)).unwrap()
                    })
                    .collect();
                let out = dir.path().join(format!("named-{round}.csv"));
                let t = Instant::now();
                let r = svc.issue_credentials(&admin, &out, &keys).unwrap();
                total += t.elapsed();
                assert_eq!(r.notices.len(), 10);
            }
            total
        })
    });
    g.bench_function("members/100k", |b| {
        b.iter(|| black_box(svc.household_summaries().unwrap().len()))
    });
    let staff = Actor::staff("staff01");
    let mut k = 0usize;
    g.bench_function("staff_search/100k", |b| {
        b.iter(|| {
            k += 7919;
            let i = 1 + k % size;
            let q = HouseholdQuery::Member {
                name: society::insured_name(i),
                birth_date: kosmo_kiosk::store::households::parse_date(&society::insured_birth(i))
                    .unwrap(),
            };
            assert_eq!(svc.find_households(&staff, &q).unwrap().len(), 1);
        })
    });
    g.finish();
}

/// `n` hashes on all cores with the kiosk's parameters, each thread reusing its memory.
fn raw_argon2(n: usize) -> Duration {
    let params = Params::new(M_COST_KIB, T_COST, P_COST, None).unwrap();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let t = Instant::now();
    std::thread::scope(|s| {
        for th in 0..threads {
            let count = n / threads + usize::from(th < n % threads);
            let params = params.clone();
            s.spawn(move || {
                let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
                let mut memory = vec![Block::default(); params.block_count()];
                let mut out = [0u8; 32];
                for _ in 0..count {
                    let salt: [u8; 16] = rand::random();
                    argon2
                        .hash_password_into_with_memory(b"kosmo2026p", &salt, &mut out, &mut memory)
                        .unwrap();
                    black_box(&out);
                }
            });
        }
    });
    t.elapsed()
}

fn issuance_bench(c: &mut Criterion) {
    const POSTCARDS: usize = 32;
    let dir = tempfile::tempdir().unwrap();
    let svc = services(&dir.path().join("issue.db"));
    let admin = Actor::admin();
    let mut next = 1usize;
    let mut pairs = Vec::new();
    let mut g = c.benchmark_group("issuance");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    g.bench_function("32_postcards", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for i in 0..iters {
                society::add_new_households(&svc.store, next, POSTCARDS).unwrap();
                next += POSTCARDS;
                let out = dir.path().join(format!("notices-{next}.csv"));
                let raw_first = i % 2 == 0;
                let raw_before = raw_first.then(|| raw_argon2(POSTCARDS));
                let t = Instant::now();
                let r = svc.issue_credentials(&admin, &out, &[]).unwrap();
                let took = t.elapsed();
                let raw = raw_before.unwrap_or_else(|| raw_argon2(POSTCARDS));
                assert_eq!(r.notices.len(), POSTCARDS);
                pairs.push((took.as_secs_f64(), raw.as_secs_f64()));
                total += took;
            }
            total
        })
    });
    g.finish();
    let ratio = median(pairs.iter().map(|p| p.1 / p.0).collect());
    let rate = median(pairs.iter().map(|p| POSTCARDS as f64 / p.0).collect());
    let raw = median(pairs.iter().map(|p| POSTCARDS as f64 / p.1).collect());
    println!(
        "issuance: {rate:.1} postcards/s, raw argon2id on all cores {raw:.1} hashes/s, ratio {ratio:.2} \
         (medians of {} paired runs; target ≥ 0.90)",
        pairs.len()
    );
}

fn import_bench(c: &mut Criterion) {
    let rows = if full_scale() { 20_000 } else { 2_000 };
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("members.csv");
    let mut text = String::from("insurer_number,symbol,number,name,birth_date,relationship\n");
    for i in 1..=rows {
        text.push_str(&society::csv_line(i));
    }
    std::fs::write(&csv, text).unwrap();
    let empty = dir.path().join("empty.db");
    drop(Store::open(&empty).unwrap());
    let fresh = |name: &str| {
        let db = dir.path().join(name);
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", db.display()));
        }
        std::fs::copy(&empty, &db).unwrap();
        db
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/anchors/import_members.py");
    let python = |db: &Path| -> f64 {
        let out = Command::new("python3")
            .arg(&script)
            .arg(db)
            .arg(&csv)
            .output()
            .expect("python3");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        text.split_whitespace()
            .skip_while(|w| *w != "seconds")
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("the script's time")
    };
    let admin = Actor::admin();
    let mut pairs = Vec::new();
    let mut g = c.benchmark_group("import");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    g.bench_function("20k_rows", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for i in 0..iters {
                let py_first = i % 2 == 0;
                let py_before = py_first.then(|| python(&fresh("python.db")));
                let svc = services(&fresh("rust.db"));
                let t = Instant::now();
                let r = svc
                    .import_members(&admin, &csv, Default::default())
                    .unwrap();
                let took = t.elapsed();
                drop(svc);
                let py = py_before.unwrap_or_else(|| python(&fresh("python.db")));
                assert_eq!(r.rows, rows);
                pairs.push((took.as_secs_f64(), py));
                total += took;
            }
            total
        })
    });
    g.finish();
    let ratio = median(pairs.iter().map(|p| p.1 / p.0).collect());
    let ours = median(pairs.iter().map(|p| p.0 * 1e6 / rows as f64).collect());
    let py = median(pairs.iter().map(|p| p.1 * 1e6 / rows as f64).collect());
    println!(
        "import: {ours:.1} µs/row, plain Python sqlite3 {py:.1} µs/row, ratio {ratio:.2} \
         (Python time / ours, medians of {} paired runs; target ≥ 1.00)",
        pairs.len()
    );
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    society_benches(&mut c);
    issuance_bench(&mut c);
    import_bench(&mut c);
    c.final_summary();
}
