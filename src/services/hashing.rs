//! argon2id password hashing with the OWASP minimum parameters (m=19456 KiB, t=2, p=1).
//!
//! Every login path verifies exactly one hash (a dummy one when the ID is unknown or locked), so that
//! the answer takes the same time whatever the reason for a refusal. The dummy hash is a constant made
//! with the same parameters ([`DUMMY_PHC`]): nothing is built lazily, so the first refusal in a new
//! process (each SSH session is one) costs one argon2id run like every other.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// OWASP's minimum for argon2id: 19 MiB of memory, 2 passes, 1 lane.
pub const M_COST_KIB: u32 = 19_456;
pub const T_COST: u32 = 2;
pub const P_COST: u32 = 1;

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
    fn argon2(&self) -> Argon2<'_> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// Hashes a password to a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
    pub fn hash(&self, password: &str) -> Result<String, super::ServiceError> {
        let salt = SaltString::generate(&mut OsRng);
        self.argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| super::ServiceError::Hash(e.to_string()))
    }

    /// True when `password` matches the PHC string. A malformed hash never matches.
    pub fn verify(&self, password: &str, phc: &str) -> bool {
        match PasswordHash::new(phc) {
            Ok(parsed) => self
                .argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
            Err(_) => {
                // Spend the same time as a real verification.
                self.burn(password);
                false
            }
        }
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
            let _ = self.argon2().verify_password(password.as_bytes(), &parsed);
        }
    }
}

#[cfg(test)]
mod tests {
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
