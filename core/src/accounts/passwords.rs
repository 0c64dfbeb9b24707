//! Password hashing with argon2id (PHC strings); a wrong email costs as much time as a wrong
//! password, so timing does not tell whether an account exists.

use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::accounts::ServiceError;

pub const MIN_LENGTH: usize = 10;

pub fn hash_password(password: &str) -> Result<String, ServiceError> {
    if password.chars().count() < MIN_LENGTH {
        return Err(ServiceError::Invalid(format!(
            "a password needs at least {MIN_LENGTH} characters"
        )));
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|err| ServiceError::Invalid(format!("cannot hash the password: {err}")))
}

/// Whether `password` matches `hash`; with no hash, a dummy verification keeps the timing equal.
pub fn verify_password(password: &str, hash: Option<&str>) -> bool {
    const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0sBvK1Lp0cQvV0dZc1Hq9x2sT2H1xk9VqWJH6iC3xJM";
    let target = hash.unwrap_or(DUMMY);
    let Ok(parsed) = PasswordHash::new(target) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
        && hash.is_some()
}

/// A random password for accounts created without one (shown once).
pub fn random_password() -> String {
    random_text(20)
}

/// `len` random characters from [A-Za-z0-9].
pub fn random_text(len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut out = String::with_capacity(len);
    let mut buffer = [0u8; 64];
    while out.len() < len {
        OsRng.fill_bytes(&mut buffer);
        for byte in buffer {
            // Rejection sampling keeps every character equally likely.
            if (byte as usize) < ALPHABET.len() * (256 / ALPHABET.len()) && out.len() < len {
                out.push(ALPHABET[byte as usize % ALPHABET.len()] as char);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_short_passwords_are_refused() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(!hash.contains("correct horse"));
        assert!(verify_password("correct horse battery", Some(&hash)));
        assert!(!verify_password("wrong horse battery", Some(&hash)));
        assert!(!verify_password("correct horse battery", None));
        assert!(
            hash_password("short")
                .unwrap_err()
                .to_string()
                .contains("at least 10")
        );
        let a = random_password();
        assert_eq!(a.len(), 20);
        assert_ne!(a, random_password());
    }
}
