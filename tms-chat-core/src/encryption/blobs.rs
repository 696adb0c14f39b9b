//! [`EncryptedBlobStore`]: a [`BlobStore`] that seals file bytes under their key.

use std::sync::Arc;

use async_trait::async_trait;

use super::KeyRing;
use crate::blob::BlobStore;
use crate::error::{ChatError, ChatResult};

/// A blob store whose bytes are sealed with a [`KeyRing`] (the blob key is the associated
/// data, so bytes copied under another key do not open).
pub struct EncryptedBlobStore {
    inner: Arc<dyn BlobStore>,
    keys: Arc<KeyRing>,
}

impl EncryptedBlobStore {
    /// Wraps `inner`.
    pub fn new(inner: Arc<dyn BlobStore>, keys: Arc<KeyRing>) -> Self {
        EncryptedBlobStore { inner, keys }
    }
}

#[async_trait]
impl BlobStore for EncryptedBlobStore {
    async fn put(&self, key: &str, bytes: &[u8]) -> ChatResult<()> {
        self.inner.put(key, &self.keys.seal_bytes(key, bytes)).await
    }

    async fn get(&self, key: &str) -> ChatResult<Vec<u8>> {
        let stored = self.inner.get(key).await?;
        self.keys.open_bytes(key, stored).map_err(|err| {
            tracing::error!(key, error = %err, "an encrypted file does not open");
            ChatError::internal("an encrypted file does not open")
        })
    }

    async fn delete(&self, key: &str) -> ChatResult<()> {
        self.inner.delete(key).await
    }
}
