//! argon2id password hashing with the OWASP minimum parameters (m=19456 KiB, t=2, p=1).
//!
//! Every login path verifies exactly one hash (a dummy one when the ID is unknown or locked), so that
//! the answer takes the same time whatever the reason for a refusal. The dummy hash is a constant made
//! with the same parameters ([`DUMMY_PHC`]): nothing is built lazily, so the first refusal in a new
//! process (each SSH session is one) costs one argon2id run like every other.
//!
//! argon2id's 19 MiB of working memory is taken from a small process-wide pool and given back after
//! each hash, instead of being allocated and freed every time: glibc serves a freed block that size
//! by mapping fresh pages, so each hash paid ~4,900 page faults (~10 ms of system time, and issuance
//! ran at 0.6× the machine's raw argon2id rate), and a long-running kiosk's memory crept up as its
//! threads' arenas each kept one. The pool holds at most one block per core, so memory stays at
//! (hashes running at once) × 19 MiB.

use std::sync::Mutex;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

/// OWASP's minimum for argon2id: 19 MiB of memory, 2 passes, 1 lane.
pub const M_COST_KIB: u32 = 19_456;
pub const T_COST: u32 = 2;
pub const P_COST: u32 = 1;

/// Working memory blocks given back by finished hashes.
static POOL: Mutex<Vec<Vec<Block>>> = Mutex::new(Vec::new());

/// Runs `f` with `count` argon2 blocks of working memory: a pooled block when there is one.
fn with_memory<T>(count: usize, f: impl FnOnce(&mut [Block]) -> T) -> T {
    let pooled = POOL.lock().unwrap_or_else(|p| p.into_inner()).pop();
    let mut memory = match pooled {
        Some(m) if m.len() >= count => m,
        _ => vec![Block::default(); count],
    };
    let out = f(&mut memory[..count]);
    let keep = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut pool = POOL.lock().unwrap_or_else(|p| p.into_inner());
    if pool.len() < keep {
        pool.push(memory);
    }
    out
}

/// The hash that refusals without a real one verify against: argon2id with the parameters above, of a
/// password no one types (and [`Hasher::verify_or_burn`] answers `false` whatever matches). Public, like
/// any salt; a test checks that its parameters are the live ones.
pub const DUMMY_PHC: &str = "$argon2id$v=19$m=19456,t=2,p=1$chzuUtG/ysOak/fKBgFgvw$k74jNAgRHOaRB/zpBQ73Iz0Wbd8ZprbU3kz9wDkK9YI";

#[derive(Debug)]
pub struct Hasher {
    params: Params,
}

impl Default for Hasher {
    fn default() -> Self {
        Hasher {
            params: Params::new(M_COST_KIB, T_COST, P_COST, None).expect("valid argon2 parameters"),
        }
    }
}

impl Hasher {
    /// A hasher with other parameters, for benchmarks that time what happens around the hashing
    /// (tiny ones) — never the kiosk's.
    #[doc(hidden)]
    pub fn with_params(m_cost_kib: u32, t_cost: u32, p_cost: u32) -> Hasher {
        Hasher {
            params: Params::new(m_cost_kib, t_cost, p_cost, None).expect("valid argon2 parameters"),
        }
    }

    /// Hashes a password to a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
    pub fn hash(&self, password: &str) -> Result<String, super::ServiceError> {
        let err = |e: &dyn std::fmt::Display| super::ServiceError::Hash(e.to_string());
        let salt = SaltString::generate(&mut OsRng);
        let mut salt_bytes = [0u8; 64];
        let salt_bytes = salt
            .as_salt()
            .decode_b64(&mut salt_bytes)
            .map_err(|e| err(&e))?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone());
        let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
        with_memory(self.params.block_count(), |memory| {
            argon2.hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, memory)
        })
        .map_err(|e| err(&e))?;
        let phc = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&self.params).map_err(|e| err(&e))?,
            salt: Some(salt.as_salt()),
            hash: Some(Output::new(&out).map_err(|e| err(&e))?),
        };
        Ok(phc.to_string())
    }

    /// True when `password` matches the PHC string. A malformed hash never matches.
    pub fn verify(&self, password: &str, phc: &str) -> bool {
        match PasswordHash::new(phc) {
            Ok(parsed) => match Self::check(password, &parsed) {
                Some(matches) => matches,
                None => {
                    self.burn(password);
                    false
                }
            },
            Err(_) => {
                // Spend the same time as a real verification.
                self.burn(password);
                false
            }
        }
    }

    /// Recomputes the hash of `password` with the parameters and salt of `phc` and compares the
    /// outputs in constant time; `None` when `phc` is not an argon2 hash this crate can compute.
    fn check(password: &str, phc: &PasswordHash<'_>) -> Option<bool> {
        let (salt, expected) = (phc.salt?, phc.hash?);
        let algorithm = Algorithm::try_from(phc.algorithm).ok()?;
        let version = match phc.version {
            Some(v) => Version::try_from(v).ok()?,
            None => Version::default(),
        };
        let params = Params::try_from(phc).ok()?;
        let mut salt_bytes = [0u8; 64];
        let salt_bytes = salt.decode_b64(&mut salt_bytes).ok()?;
        let argon2 = Argon2::new(algorithm, version, params.clone());
        let mut out = vec![0u8; expected.len()];
        with_memory(params.block_count(), |memory| {
            argon2.hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, memory)
        })
        .ok()?;
        Some(Output::new(&out).ok()? == expected)
    }

    /// Verifies against `phc` when there is one, otherwise against a dummy hash, always returning false
    /// in the latter case. Either way one full argon2id computation is spent.
    pub fn verify_or_burn(&self, password: &str, phc: Option<&str>) -> bool {
        match phc {
            Some(phc) => self.verify(password, phc),
            None => {
                self.burn(password);
                false
            }
        }
    }

    fn burn(&self, password: &str) {
        if let Ok(parsed) = PasswordHash::new(DUMMY_PHC) {
            let _ = Self::check(password, &parsed);
        }
    }
}

#[cfg(test)]
mod tests {
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    use super::*;

    #[test]
    fn hash_is_argon2id_with_owasp_parameters_and_verifies() {
        let h = Hasher::default();
        let phc = h.hash("Sakura2026x").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(h.verify("Sakura2026x", &phc));
        assert!(!h.verify("sakura2026x", &phc));
        assert!(!h.verify("Sakura2026x", "not a hash"));
        assert!(!h.verify_or_burn("Sakura2026x", None));
        // Salted: the same password hashes differently each time.
        assert_ne!(phc, h.hash("Sakura2026x").unwrap());
    }

    #[test]
    fn hashes_are_those_of_the_argon2_crate_both_ways() {
        let h = Hasher::default();
        let ours = h.hash("Sakura2026x").unwrap();
        let argon2 = Argon2::default();
        assert!(
            argon2
                .verify_password(b"Sakura2026x", &PasswordHash::new(&ours).unwrap())
                .is_ok()
        );
        assert!(
            argon2
                .verify_password(b"Sakura2026y", &PasswordHash::new(&ours).unwrap())
                .is_err()
        );
        // A hash made by the crate itself, with other (smaller) parameters and a longer output.
        let small = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(1024, 1, 1, Some(48)).unwrap(),
        );
        let theirs = small
            .hash_password(b"Sakura2026x", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        assert!(h.verify("Sakura2026x", &theirs));
        assert!(!h.verify("Sakura2026y", &theirs));
        // argon2i is not argon2id, but it is computed all the same.
        let argon2i = Argon2::new(
            Algorithm::Argon2i,
            Version::V0x13,
            Params::new(1024, 1, 1, None).unwrap(),
        )
        .hash_password(b"Sakura2026x", &SaltString::generate(&mut OsRng))
        .unwrap()
        .to_string();
        assert!(h.verify("Sakura2026x", &argon2i));
    }

    #[test]
    fn working_memory_is_reused_and_bounded_by_the_cores() {
        let h = Hasher::default();
        std::thread::scope(|s| {
            for _ in 0..6 {
                s.spawn(|| h.hash("Sakura2026x").unwrap());
            }
        });
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let pool = POOL.lock().unwrap();
        // (Other tests hash meanwhile, some with smaller parameters, and may hold blocks out of the
        // pool.)
        assert!(pool.len() <= cores, "{} blocks kept", pool.len());
    }

    #[test]
    fn the_dummy_hash_has_the_live_parameters_and_is_ready_without_work() {
        let parsed = PasswordHash::new(DUMMY_PHC).expect("a PHC string");
        let live = Hasher::default().params;
        let dummy = Params::try_from(&parsed).expect("argon2 params");
        assert_eq!(
            (dummy.m_cost(), dummy.t_cost(), dummy.p_cost()),
            (live.m_cost(), live.t_cost(), live.p_cost())
        );
        // The output length of every hash this hasher makes (argon2's default).
        assert_eq!(dummy.output_len(), Some(argon2::Params::DEFAULT_OUTPUT_LEN));
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        // It verifies like any stored hash: one argon2id run, the answer no.
        assert!(!Hasher::default().verify_or_burn("anything", None));
    }
}
