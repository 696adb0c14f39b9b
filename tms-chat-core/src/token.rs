//! Secrets: random tokens (customer session tokens, widget secrets, WebSocket tickets), their
//! storage hashes, constant-time comparison, and identity-hash verification (HMAC-SHA256).

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A fresh 256-bit random token, hex-encoded (64 characters).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The SHA-256 of a token, hex-encoded; stores keep only this, never the token.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The identity hash a host computes for a visitor: hex HMAC-SHA256 of `value` keyed by the
/// widget's identity secret.
pub fn identity_hash(secret: &str, value: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(value.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Checks an identity hash in constant time.
pub fn verify_identity_hash(secret: &str, value: &str, hash: &str) -> bool {
    let Ok(given) = hex::decode(hash.trim()) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(value.as_bytes());
    mac.verify_slice(&given).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_long() {
        let a = random_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, random_token());
    }

    #[test]
    fn identity_hash_verifies_only_with_the_right_secret_and_value() {
        let h = identity_hash("s3cret", "ann@example.com");
        assert!(verify_identity_hash("s3cret", "ann@example.com", &h));
        assert!(!verify_identity_hash("other", "ann@example.com", &h));
        assert!(!verify_identity_hash("s3cret", "bob@example.com", &h));
        assert!(!verify_identity_hash("s3cret", "ann@example.com", "zz"));
    }
}
