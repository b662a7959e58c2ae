//! argon2id password hashing with the OWASP minimum parameters (m=19456 KiB, t=2, p=1).
//!
//! Every login path verifies exactly one hash (a dummy one when the ID is unknown or locked), so that
//! the answer takes the same time whatever the reason for a refusal.

use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// OWASP's minimum for argon2id: 19 MiB of memory, 2 passes, 1 lane.
pub const M_COST_KIB: u32 = 19_456;
pub const T_COST: u32 = 2;
pub const P_COST: u32 = 1;

#[derive(Debug)]
pub struct Hasher {
    params: Params,
    dummy: OnceLock<String>,
}

impl Default for Hasher {
    fn default() -> Self {
        Hasher {
            params: Params::new(M_COST_KIB, T_COST, P_COST, None).expect("valid argon2 parameters"),
            dummy: OnceLock::new(),
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
        let dummy = self.dummy.get_or_init(|| {
            self.hash("kosmo-kiosk dummy password for constant-time refusals")
                .unwrap_or_default()
        });
        if let Ok(parsed) = PasswordHash::new(dummy) {
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
}
