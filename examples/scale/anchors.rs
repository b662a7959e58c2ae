//! The anchors, programs of this repository measured in the same run as the figures they judge:
//! the raw argon2id rate of the same crate with the same parameters on all cores, and the plain
//! Python `sqlite3` import (`scripts/anchors/import_members.py`).

use std::hint::black_box;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use argon2::{Algorithm, Argon2, Block, Params, Version};
use kosmo_kiosk::services::hashing::{M_COST_KIB, P_COST, T_COST};

use crate::timing::{self, Run};

/// Hashes per second of `count` argon2id hashes (m=19456 KiB, t=2, p=1, the kiosk's parameters)
/// spread over one thread per core, each hashing into one block of memory it reuses: the best the
/// crate can do on this machine. Also the CPU time spent per hash (seconds).
pub fn argon2_rate(count: usize) -> (f64, f64) {
    let cpu = timing::cpu_now(false);
    let params = Params::new(M_COST_KIB, T_COST, P_COST, None).expect("parameters");
    let threads = timing::cores();
    let started = Instant::now();
    std::thread::scope(|s| {
        for t in 0..threads {
            let n = count / threads + usize::from(t < count % threads);
            let params = params.clone();
            s.spawn(move || {
                let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
                let mut memory = vec![Block::default(); params.block_count()];
                let mut out = [0u8; 32];
                for _ in 0..n {
                    let salt: [u8; 16] = rand::random();
                    argon2
                        .hash_password_into_with_memory(b"kosmo2026p", &salt, &mut out, &mut memory)
                        .expect("hash");
                    black_box(&out);
                }
            });
        }
    });
    (
        count as f64 / started.elapsed().as_secs_f64(),
        (timing::cpu_now(false) - cpu).as_secs_f64() / count as f64,
    )
}

/// The Python import of `csv` into the store `db` (a copy of an empty store the kiosk created).
pub fn python_import(db: &Path, csv: &Path, err: &Path) -> Run {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/anchors/import_members.py");
    timing::run(Command::new("python3").arg(script).arg(db).arg(csv), err)
}
