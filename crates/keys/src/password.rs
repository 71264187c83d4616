//! Password hashes: argon2id with 19 MiB of memory, 2 passes, 1 lane (OWASP's minimum
//! recommendation), in PHC string form. An unknown user is checked against a dummy hash so
//! that the answer takes as long as for a known one.
//!
//! The sign-in back-off is kept under a digest of the name ([`sign_in_name_digest`]), here so
//! that the server and the command line (`safeconduct user unlock`) name it alike.
//!
//! Knows nothing of users, the store or HTTP; never logs a password or a hash.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// The key the sign-in back-off is kept under: a digest of the name as typed, normalised, so
/// that a password typed into the name field is never stored.
pub fn sign_in_name_digest(username: &str) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(b"safeconduct sign-in name|");
    h.update(username.trim().to_lowercase().as_bytes());
    h.finalize().to_vec()
}

/// A password could not be hashed: the random source or the hasher failed.
#[derive(Debug, thiserror::Error)]
#[error("could not hash the password: {0}")]
pub struct HashError(String);

/// argon2id with 19 MiB of memory, 2 passes, 1 lane (OWASP's minimum recommendation).
fn argon2() -> Argon2<'static> {
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters"),
    )
}

/// Hashes a password into PHC string form.
pub fn hash_password(password: &str) -> Result<String, HashError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| HashError(format!("random source: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| HashError(e.to_string()))?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError(e.to_string()))
}

/// Checks a password against a stored hash. An unknown user is checked against a fixed hash
/// so that the answer takes as long as for a known one.
pub fn verify_password(stored: Option<&str>, password: &str) -> bool {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("not a password").unwrap_or_default());
    let hash = stored.unwrap_or(dummy);
    let ok = PasswordHash::new(hash)
        .map(|h| argon2().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false);
    ok && stored.is_some()
}
