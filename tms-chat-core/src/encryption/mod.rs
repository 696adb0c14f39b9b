//! Encryption at rest: message content, note content and attachment bytes sealed with
//! AES-256-GCM before they reach the store or the blob store, each record tagged with the id
//! of the key that sealed it.
//!
//! A [`KeyRing`] holds one or more keys; the newest seals, any of them opens, so a key can be
//! rotated by adding a newer one while older records stay readable. Text is stored as
//! `tmsenc1:<key id>:<base64 of nonce ‖ ciphertext ‖ tag>`; bytes as the magic `TMSE1`, the
//! key id's length and the key id, then nonce ‖ ciphertext ‖ tag. Every record's associated
//! data is what it belongs to (the message or note id, the blob key), so a sealed value copied
//! onto another record does not open. A value without the prefix is read as it is: records
//! written before a key was configured stay readable.
//!
//! [`EncryptedStore`] and [`EncryptedBlobStore`] wrap a host's stores with a ring;
//! [`crate::service::ChatServiceBuilder::encryption`] installs both.

mod blobs;
mod store;

pub use blobs::EncryptedBlobStore;
pub use store::EncryptedStore;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;

/// The prefix of sealed text.
const TEXT_PREFIX: &str = "tmsenc1:";
/// Whether `stored` is text sealed by [`KeyRing::seal_text`] (what a store sees of an
/// encrypted message; a full-text index must not be fed it).
pub fn is_sealed_text(stored: &str) -> bool {
    stored.starts_with(TEXT_PREFIX)
}

/// The first bytes of sealed bytes.
const BYTES_MAGIC: &[u8] = b"TMSE1";
/// AES-GCM's nonce length.
const NONCE_BYTES: usize = 12;

/// Why a key ring could not be built or a record could not be opened.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EncryptionError {
    /// A key file line or key that is not usable.
    #[error("invalid key: {0}")]
    InvalidKey(String),
    /// A sealed record under a key id the ring does not hold.
    #[error("no key {0:?} in the key ring")]
    UnknownKey(String),
    /// A sealed record that does not open (tampered, truncated or moved to another record).
    #[error("a sealed record does not open")]
    Corrupt,
}

/// One key and its id.
struct Key {
    id: String,
    cipher: Aes256Gcm,
}

/// The keys records are sealed and opened with; the last one added seals.
pub struct KeyRing {
    keys: Vec<Key>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|k| k.id.as_str()).collect();
        f.debug_struct("KeyRing").field("key_ids", &ids).finish()
    }
}

impl KeyRing {
    /// A ring of `(id, 32-byte key)` pairs, oldest first. Ids are 1–32 characters of
    /// `[A-Za-z0-9_-]` and unique.
    pub fn new<I, S>(keys: I) -> Result<Self, EncryptionError>
    where
        I: IntoIterator<Item = (S, [u8; 32])>,
        S: Into<String>,
    {
        let mut ring = Vec::new();
        for (id, key) in keys {
            let id = id.into();
            let valid = (1..=32).contains(&id.len())
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            if !valid {
                return Err(EncryptionError::InvalidKey(format!(
                    "key id {id:?}: use 1-32 characters of A-Z a-z 0-9 _ -"
                )));
            }
            if ring.iter().any(|k: &Key| k.id == id) {
                return Err(EncryptionError::InvalidKey(format!("key id {id:?} twice")));
            }
            let cipher = Aes256Gcm::new_from_slice(&key)
                .map_err(|_| EncryptionError::InvalidKey(format!("key {id:?}")))?;
            ring.push(Key { id, cipher });
        }
        if ring.is_empty() {
            return Err(EncryptionError::InvalidKey("no key".into()));
        }
        Ok(KeyRing { keys: ring })
    }

    /// Reads a key file: one key per line, `<id> <base64 of 32 bytes>`, oldest first (the last
    /// line seals); blank lines and lines starting with `#` are skipped.
    pub fn parse(file: &str) -> Result<Self, EncryptionError> {
        let mut keys = Vec::new();
        for (number, line) in file.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad =
                |what: &str| EncryptionError::InvalidKey(format!("line {}: {what}", number + 1));
            let (id, encoded) = line
                .split_once(char::is_whitespace)
                .ok_or_else(|| bad("expected `<id> <base64 key>`"))?;
            let bytes = BASE64
                .decode(encoded.trim())
                .map_err(|_| bad("the key is not base64"))?;
            let key: [u8; 32] = bytes
                .try_into()
                .map_err(|_| bad("the key is not 32 bytes"))?;
            keys.push((id.to_owned(), key));
        }
        Self::new(keys)
    }

    /// The id of the key new records are sealed with.
    pub fn newest_key_id(&self) -> &str {
        &self.newest().id
    }

    fn newest(&self) -> &Key {
        // `new` refuses an empty ring.
        &self.keys[self.keys.len() - 1]
    }

    fn key(&self, id: &str) -> Result<&Key, EncryptionError> {
        self.keys
            .iter()
            .find(|k| k.id == id)
            .ok_or_else(|| EncryptionError::UnknownKey(id.to_owned()))
    }

    /// Seals `text` belonging to `record` under the newest key.
    pub fn seal_text(&self, record: &str, text: &str) -> String {
        let key = self.newest();
        let sealed = seal(key, record, text.as_bytes());
        format!("{TEXT_PREFIX}{}:{}", key.id, BASE64.encode(sealed))
    }

    /// Opens text sealed by [`KeyRing::seal_text`] for the same `record`; text without the
    /// prefix comes back as it is.
    pub fn open_text(&self, record: &str, stored: &str) -> Result<String, EncryptionError> {
        let Some(rest) = stored.strip_prefix(TEXT_PREFIX) else {
            return Ok(stored.to_owned());
        };
        let (id, encoded) = rest.split_once(':').ok_or(EncryptionError::Corrupt)?;
        let sealed = BASE64
            .decode(encoded)
            .map_err(|_| EncryptionError::Corrupt)?;
        let plain = open(self.key(id)?, record, &sealed)?;
        String::from_utf8(plain).map_err(|_| EncryptionError::Corrupt)
    }

    /// Whether `stored` is text sealed under a key other than the newest (to re-encrypt).
    pub fn is_sealed_under_older_key(&self, stored: &str) -> bool {
        stored
            .strip_prefix(TEXT_PREFIX)
            .and_then(|rest| rest.split_once(':'))
            .is_some_and(|(id, _)| id != self.newest_key_id())
    }

    /// Whether `stored` is bytes sealed under a key other than the newest (to re-encrypt).
    pub fn are_bytes_sealed_under_older_key(&self, stored: &[u8]) -> bool {
        let Some(rest) = stored.strip_prefix(BYTES_MAGIC) else {
            return false;
        };
        let Some((&id_len, rest)) = rest.split_first() else {
            return false;
        };
        rest.get(..usize::from(id_len))
            .is_some_and(|id| id != self.newest_key_id().as_bytes())
    }

    /// Seals `bytes` belonging to `record` under the newest key.
    pub fn seal_bytes(&self, record: &str, bytes: &[u8]) -> Vec<u8> {
        let key = self.newest();
        let sealed = seal(key, record, bytes);
        let mut out = Vec::with_capacity(BYTES_MAGIC.len() + 1 + key.id.len() + sealed.len());
        out.extend_from_slice(BYTES_MAGIC);
        // Ids are at most 32 bytes.
        out.push(key.id.len() as u8);
        out.extend_from_slice(key.id.as_bytes());
        out.extend_from_slice(&sealed);
        out
    }

    /// Opens bytes sealed by [`KeyRing::seal_bytes`]; bytes without the magic come back as
    /// they are.
    pub fn open_bytes(&self, record: &str, stored: Vec<u8>) -> Result<Vec<u8>, EncryptionError> {
        let Some(rest) = stored.strip_prefix(BYTES_MAGIC) else {
            return Ok(stored);
        };
        let (&id_len, rest) = rest.split_first().ok_or(EncryptionError::Corrupt)?;
        let id_len = usize::from(id_len);
        if rest.len() < id_len {
            return Err(EncryptionError::Corrupt);
        }
        let (id, sealed) = rest.split_at(id_len);
        let id = std::str::from_utf8(id).map_err(|_| EncryptionError::Corrupt)?;
        open(self.key(id)?, record, sealed)
    }
}

fn seal(key: &Key, record: &str, plain: &[u8]) -> Vec<u8> {
    let nonce_bytes: [u8; NONCE_BYTES] = rand::random();
    let payload = Payload {
        msg: plain,
        aad: record.as_bytes(),
    };
    // AES-GCM fails only for inputs beyond 64 GiB, far past every limit here.
    let sealed = key
        .cipher
        .encrypt(Nonce::from_slice(&nonce_bytes), payload)
        .unwrap_or_default();
    let mut out = Vec::with_capacity(NONCE_BYTES + sealed.len());
    out.extend_from_slice(&nonce_bytes);
    out.extend_from_slice(&sealed);
    out
}

fn open(key: &Key, record: &str, sealed: &[u8]) -> Result<Vec<u8>, EncryptionError> {
    if sealed.len() < NONCE_BYTES {
        return Err(EncryptionError::Corrupt);
    }
    let (nonce, ciphertext) = sealed.split_at(NONCE_BYTES);
    let payload = Payload {
        msg: ciphertext,
        aad: record.as_bytes(),
    };
    key.cipher
        .decrypt(Nonce::from_slice(nonce), payload)
        .map_err(|_| EncryptionError::Corrupt)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(ids: &[&str]) -> KeyRing {
        KeyRing::new(
            ids.iter()
                .enumerate()
                .map(|(i, id)| (id.to_string(), [i as u8 + 1; 32])),
        )
        .expect("ring")
    }

    #[test]
    fn text_round_trips_and_never_shows_the_plaintext() {
        let keys = ring(&["k1"]);
        let sealed = keys.seal_text("msg_1", "card 4242 4242");
        assert!(sealed.starts_with("tmsenc1:k1:"), "{sealed}");
        assert!(!sealed.contains("4242"));
        assert_ne!(
            sealed,
            keys.seal_text("msg_1", "card 4242 4242"),
            "fresh nonce"
        );
        assert_eq!(
            keys.open_text("msg_1", &sealed).as_deref(),
            Ok("card 4242 4242")
        );
    }

    #[test]
    fn a_sealed_value_moved_to_another_record_or_tampered_with_does_not_open() {
        let keys = ring(&["k1"]);
        let sealed = keys.seal_text("msg_1", "hello");
        assert_eq!(
            keys.open_text("msg_2", &sealed),
            Err(EncryptionError::Corrupt)
        );
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(
            keys.open_text("msg_1", &tampered),
            Err(EncryptionError::Corrupt)
        );
        let bytes = keys.seal_bytes("blob/a", b"file");
        assert_eq!(
            keys.open_bytes("blob/b", bytes),
            Err(EncryptionError::Corrupt)
        );
    }

    #[test]
    fn rotation_seals_with_the_newest_key_and_opens_older_records() {
        let old = ring(&["k1"]);
        let sealed_old = old.seal_text("n1", "old note");
        let bytes_old = old.seal_bytes("f1", b"old file");
        let rotated = ring(&["k1", "k2"]);
        assert_eq!(rotated.newest_key_id(), "k2");
        assert!(rotated.seal_text("n2", "x").starts_with("tmsenc1:k2:"));
        assert_eq!(
            rotated.open_text("n1", &sealed_old).as_deref(),
            Ok("old note")
        );
        assert_eq!(
            rotated.open_bytes("f1", bytes_old).as_deref(),
            Ok(&b"old file"[..])
        );
        assert!(rotated.is_sealed_under_older_key(&sealed_old));
        assert!(!rotated.is_sealed_under_older_key(&rotated.seal_text("n3", "y")));
        assert!(!rotated.is_sealed_under_older_key("plain text"));
        let only_new = ring(&["k2"]);
        assert_eq!(
            only_new.open_text("n1", &sealed_old),
            Err(EncryptionError::UnknownKey("k1".into()))
        );
    }

    #[test]
    fn plaintext_from_before_a_key_was_configured_reads_as_it_is() {
        let keys = ring(&["k1"]);
        assert_eq!(
            keys.open_text("m", "written in clear").as_deref(),
            Ok("written in clear")
        );
        assert_eq!(
            keys.open_bytes("f", b"raw".to_vec()).as_deref(),
            Ok(&b"raw"[..])
        );
    }

    #[test]
    fn key_files_are_parsed_oldest_first_and_bad_lines_are_named() {
        let key = BASE64.encode([7u8; 32]);
        let file = format!("# keys\nold {key}\n\nnew {key}\n");
        assert_eq!(KeyRing::parse(&file).expect("parse").newest_key_id(), "new");
        let short = BASE64.encode([7u8; 16]);
        let err = KeyRing::parse(&format!("k {short}")).expect_err("short key");
        assert_eq!(
            err,
            EncryptionError::InvalidKey("line 1: the key is not 32 bytes".into())
        );
        assert!(KeyRing::parse("").is_err());
        assert!(KeyRing::parse(&format!("a:b {key}")).is_err());
        assert!(KeyRing::parse(&format!("k {key}\nk {key}")).is_err());
    }
}
