//! Time of [実行] (`Services::register`: argon2id hashing + the one `BEGIN IMMEDIATE` transaction with
//! `synchronous=FULL`, committed) and of `Services::login`, on a real store file in a temp dir; and every
//! kind of refusal of the login form, staff login and パスワードを忘れた方, in steady state
//! (`refusal_steady/<form>/<kind>`) and as the first call of a new process (`refusal_first_try/…`: each
//! iteration starts this program afresh, which times its one call; see `support/first_try.rs`). The
//! kinds of one form must lie within 10 % of each other in both: each refusal is answered no sooner
//! than `[lockout] refusal_floor_ms` after the request (`services::pace`), so these groups show the
//! floor holding; `scripts/first-try-timing.sh` gives the medians and the CPU time of the work side by
//! side with the verdict.
//!
//! `cargo bench --bench registration [-- refusal]`

#[path = "support/first_try.rs"]
mod first_try;

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, criterion_group};
use kosmo_kiosk::config::Config;
use kosmo_kiosk::domain::Lang;
use kosmo_kiosk::domain::household::Relationship;
use kosmo_kiosk::services::Services;
use kosmo_kiosk::services::auth::{LoginOutcome, RegistrationTicket};
use kosmo_kiosk::services::members::parse_members_csv;
use kosmo_kiosk::services::registration::{IdentityOutcome, RegistrationInput, terms};
use kosmo_kiosk::store::{Actor, Store, credentials};
use zeroize::Zeroizing;

const PASSWORD: &str = "Sakura2026bench";

fn services(db: &Path, config: Config) -> Services {
    Services::new(
        Arc::new(Store::open(db).expect("open the store")),
        Arc::new(config),
    )
}

/// Imports `n` new one-person households (numbers from `*next`) and issues their postcards; returns
/// the registration tickets (what a temporary login would hand over).
fn fresh_tickets(
    svc: &Services,
    dir: &Path,
    next: &mut usize,
    n: usize,
) -> Vec<RegistrationTicket> {
    let mut csv = String::from("insurer_number,symbol,number,name,birth_date,relationship\n");
    let first = *next;
    for i in first..first + n {
        csv.push_str(&format!(
            "06139497,B,{},会員 {i},1970-01-01,insured\n",
            1_000_000 + i
        ));
    }
    *next += n;
    let rows = parse_members_csv(&csv, svc.clock.today()).expect("CSV");
    svc.import_rows(&Actor::admin(), &rows).expect("import");
    let keys = rows.iter().map(|r| r.key.clone()).collect::<Vec<_>>();
    let out = dir.join(format!("notices-{first}.csv"));
    let report = svc
        .issue_credentials(&Actor::admin(), &out, &keys)
        .expect("issue");
    report
        .notices
        .iter()
        .map(|n| {
            let c = svc
                .store
                .read(|c| credentials::find_by_temp_id(c, &n.temp_user_id))
                .expect("read")
                .expect("the credential");
            let mut t = RegistrationTicket {
                credential_id: c.id,
                household_id: c.household_id,
                temp_id: c.temp_id,
                temp_password: n.temp_password.clone(),
                identity_token: None,
            };
            // STEP3, outside the timing: registration needs this session's identity check.
            let insurer = "06139497".parse().expect("insurer");
            let birth = time::macros::date!(1970 - 01 - 01);
            match svc
                .check_identity(&Actor::admin(), &t, &insurer, birth)
                .expect("identity")
            {
                IdentityOutcome::Confirmed(m) => t.confirm(&m),
                other => panic!("identity: {other:?}"),
            }
            t
        })
        .collect()
}

fn input(user_id: String) -> RegistrationInput {
    RegistrationInput {
        user_id,
        password: Zeroizing::new(PASSWORD.into()),
        password_confirm: Zeroizing::new(PASSWORD.into()),
        email: "member@example.jp".into(),
        notify_mail: true,
        registrant: Relationship::Insured,
        member_id: None,
        terms_version: terms(Lang::Ja).version.into(),
        lang: Lang::Ja,
        initial_password: false,
    }
}

fn bench_register(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let svc = services(&dir.path().join("kiosk.db"), Config::default());
    let kiosk = Actor::kiosk();
    let mut next = 0usize;
    let mut g = c.benchmark_group("register");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    g.bench_function("execute_with_welcome_mail", |b| {
        b.iter_custom(|iters| {
            // Postcards for this batch, prepared outside the timing.
            let tickets = fresh_tickets(&svc, dir.path(), &mut next, iters as usize);
            let inputs: Vec<RegistrationInput> = tickets
                .iter()
                .map(|t| input(format!("Bench{:06}", t.household_id)))
                .collect();
            let start = Instant::now();
            for (t, inp) in tickets.iter().zip(&inputs) {
                black_box(svc.register(&kiosk, t, inp).expect("register"));
            }
            start.elapsed()
        })
    });
    g.finish();
}

fn bench_login(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("kiosk.db");
    let svc = services(&db, Config::default());
    let kiosk = Actor::kiosk();
    let mut next = 0usize;
    let mut tickets = fresh_tickets(&svc, dir.path(), &mut next, 2);
    let registered = tickets.pop().expect("a ticket");
    svc.register(&kiosk, &registered, &input("BenchMember1".into()))
        .expect("register");
    let postcard = tickets.pop().expect("a ticket");
    // Refusals without the lockout, so that every attempt takes the full path.
    let mut no_lock = Config::default();
    no_lock.lockout.max_failures = u32::MAX;
    let refusing = services(&db, no_lock);

    let mut g = c.benchmark_group("login");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    g.bench_function("permanent_ok", |b| {
        b.iter(|| {
            let o = svc.login(&kiosk, "BenchMember1", PASSWORD).expect("login");
            assert!(matches!(o, LoginOutcome::Permanent(_)));
        })
    });
    g.bench_function("temporary_ok", |b| {
        b.iter(|| {
            let o = svc
                .login(&kiosk, &postcard.temp_id, &postcard.temp_password)
                .expect("login");
            assert!(matches!(o, LoginOutcome::Temporary(_)));
        })
    });
    g.bench_function("wrong_password_failed", |b| {
        b.iter(|| {
            let o = refusing
                .login(&kiosk, "BenchMember1", "Wrong2026pass")
                .expect("login");
            assert!(matches!(o, LoginOutcome::Failed));
        })
    });
    g.bench_function("unknown_id_failed", |b| {
        b.iter(|| {
            let o = refusing
                .login(&kiosk, "NoSuchMember9", PASSWORD)
                .expect("login");
            assert!(matches!(o, LoginOutcome::Failed));
        })
    });
    g.finish();

    let mut g = c.benchmark_group("argon2id");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    g.bench_function("hash_owasp_minimum", |b| {
        b.iter(|| black_box(svc.hasher.hash(PASSWORD).expect("hash")))
    });
    g.finish();
}

fn bench_refusals(c: &mut Criterion) {
    let p = first_try::prepare();
    let (temp, used) = first_try::ids(&p);
    let mut g = c.benchmark_group("refusal_steady");
    // Each refusal takes the floor (a quarter second): ten calls make a sample.
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for (form, kinds) in first_try::FORMS {
        for kind in kinds.iter() {
            let svc = first_try::services_for(&p, kind);
            g.bench_function(format!("{form}/{kind}"), |b| {
                b.iter_custom(|iters| {
                    (0..iters)
                        .map(|_| first_try::time_one(&svc, kind, temp, used).wall)
                        .sum()
                })
            });
        }
    }
    g.finish();

    let exe = std::env::current_exe().expect("this benchmark");
    let mut g = c.benchmark_group("refusal_first_try");
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    for (form, kinds) in first_try::FORMS {
        for kind in kinds.iter() {
            g.bench_function(format!("{form}/{kind}"), |b| {
                b.iter_custom(|iters| {
                    (0..iters)
                        .map(|_| first_try::spawn(&exe, &p, kind).wall)
                        .sum()
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench_register, bench_login, bench_refusals);

fn main() {
    // A fresh process started by `refusal_first_try`: time the one call and exit.
    first_try::child_main();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
