//! Random tokens, their hashes, and password hashing (argon2id).

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// 32 random bytes, URL-safe base64: session cookies, CSRF tokens, API tokens.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// How a token is stored: its SHA-256, hex. A token has 256 random bits, so a fast hash is
/// enough; the database never holds anything that can be presented back.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// argon2id with the crate's default (OWASP-recommended) parameters.
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashes any input")
        .to_string()
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash to verify against when the user does not exist, so that an unknown user takes as
/// long to refuse as a wrong password.
pub fn decoy_hash() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| hash_password(&random_token()))
}

/// A readable one-time password for an administrator to hand over (must be changed at first
/// login): 14 characters from all four classes.
pub fn temporary_password() -> String {
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
    const DIGIT: &[u8] = b"23456789";
    const OTHER: &[u8] = b"-_+=#%";
    let mut rng = rand::rngs::OsRng;
    let pick = |set: &[u8], rng: &mut rand::rngs::OsRng| {
        set[(rng.next_u32() as usize) % set.len()] as char
    };
    let mut out = String::new();
    for i in 0..14 {
        let set = match i % 4 {
            0 => UPPER,
            1 => LOWER,
            2 => DIGIT,
            _ => OTHER,
        };
        out.push(pick(set, &mut rng));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_hash() {
        let h = hash_password("Zhichan-2026!");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("Zhichan-2026!", &h));
        assert!(!verify_password("zhichan-2026!", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn temporary_passwords_meet_the_rules() {
        for _ in 0..20 {
            let p = temporary_password();
            zhichan_domain::accounts::check_password("someone", &p).unwrap();
        }
    }

    #[test]
    fn tokens_are_long_and_distinct() {
        let a = random_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_token());
        assert_eq!(token_hash(&a).len(), 64);
        // SHA-256 of "abc" (FIPS 180-2), as lowercase hex: stored hashes stay valid.
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
