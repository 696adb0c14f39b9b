//! Key rotation's second half: re-sealing, under a ring's newest key, every message, note
//! and file that an older key sealed (core's `tms_chat_core::encryption` seals and opens;
//! this walks the tables). Records are visited in id order, a page at a time, and each is
//! rewritten only if it still holds the value that was read, so a pass may run while the
//! chat is in use and may be repeated; plaintext records (from before a key was configured)
//! are left as they are, and so are records that do not open with the ring (a key missing
//! from it, or a damaged value): they are counted in [`Reencrypted::skipped`] and logged.

use tms_chat_core::blob::BlobStore;
use tms_chat_core::encryption::KeyRing;
use tms_chat_core::store::StoreResult;
use tms_chat_core::StoreError;

use super::SqlStore;
use crate::error::db;
use crate::sql::{self, Sql};

/// Rows read per page.
const PAGE: i64 = 500;

/// What one pass re-sealed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Reencrypted {
    /// Messages whose content was re-sealed.
    pub messages: u64,
    /// Notes whose content was re-sealed.
    pub notes: u64,
    /// Attachment files whose bytes were re-sealed.
    pub files: u64,
    /// Records sealed under an older key that did not open with the ring (left unchanged).
    pub skipped: u64,
}

/// What a page visit did.
#[derive(Default)]
struct Tally {
    resealed: u64,
    skipped: u64,
}

/// The statements of one text table.
struct TextTable {
    page: &'static str,
    rewrite: &'static str,
}

const MESSAGES: TextTable = TextTable {
    page: "SELECT id, content FROM messages WHERE id > $1 AND content LIKE 'tmsenc1:%' \
           ORDER BY id LIMIT $2",
    rewrite: "UPDATE messages SET content = $1 WHERE id = $2 AND content = $3",
};

const NOTES: TextTable = TextTable {
    page: "SELECT id, content FROM notes WHERE id > $1 AND content LIKE 'tmsenc1:%' \
           ORDER BY id LIMIT $2",
    rewrite: "UPDATE notes SET content = $1 WHERE id = $2 AND content = $3",
};

impl<DB: Sql> SqlStore<DB> {
    /// Re-seals under `keys`' newest key every message, note and attachment sealed under an
    /// older key of `keys`. `files` is the blob store as given to the service builder (the
    /// stored, sealed bytes; not an encrypting wrapper).
    pub async fn reencrypt(
        &self,
        keys: &KeyRing,
        files: &dyn BlobStore,
    ) -> StoreResult<Reencrypted> {
        let messages = self.reencrypt_text(&MESSAGES, keys).await?;
        let notes = self.reencrypt_text(&NOTES, keys).await?;
        let files = self.reencrypt_files(keys, files).await?;
        Ok(Reencrypted {
            messages: messages.resealed,
            notes: notes.resealed,
            files: files.resealed,
            skipped: messages.skipped + notes.skipped + files.skipped,
        })
    }

    async fn reencrypt_text(&self, table: &TextTable, keys: &KeyRing) -> StoreResult<Tally> {
        let (mut after, mut count) = (String::new(), Tally::default());
        loop {
            let rows = sql::query::<DB>(table.page)
                .bind(after.as_str())
                .bind(PAGE)
                .fetch_all(&self.pool)
                .await
                .map_err(db("re-encrypt: read a page"))?;
            let Some(last) = rows.last() else {
                return Ok(count);
            };
            after = DB::text(last, "id").map_err(db("re-encrypt: read an id"))?;
            for row in &rows {
                let id = DB::text(row, "id").map_err(db("re-encrypt: read an id"))?;
                let old = DB::text(row, "content").map_err(db("re-encrypt: read content"))?;
                if !keys.is_sealed_under_older_key(&old) {
                    continue;
                }
                let plain = match keys.open_text(&id, &old) {
                    Ok(plain) => plain,
                    Err(err) => {
                        tracing::warn!(record = %id, error = %err, "re-encrypt: left as it is");
                        count.skipped += 1;
                        continue;
                    }
                };
                sql::query::<DB>(table.rewrite)
                    .bind(keys.seal_text(&id, &plain))
                    .bind(id.as_str())
                    .bind(old)
                    .execute(&self.pool)
                    .await
                    .map_err(db("re-encrypt: rewrite"))?;
                count.resealed += 1;
            }
        }
    }

    async fn reencrypt_files(&self, keys: &KeyRing, files: &dyn BlobStore) -> StoreResult<Tally> {
        let (mut after, mut count) = (String::new(), Tally::default());
        loop {
            let rows = sql::query::<DB>(
                "SELECT id, storage_key FROM attachments WHERE id > $1 ORDER BY id LIMIT $2",
            )
            .bind(after.as_str())
            .bind(PAGE)
            .fetch_all(&self.pool)
            .await
            .map_err(db("re-encrypt: read attachments"))?;
            let Some(last) = rows.last() else {
                return Ok(count);
            };
            after = DB::text(last, "id").map_err(db("re-encrypt: read an id"))?;
            for row in &rows {
                let key = DB::text(row, "storage_key").map_err(db("re-encrypt: read a key"))?;
                // A file whose bytes are gone (deleted, never written) has nothing to re-seal.
                let Ok(stored) = files.get(&key).await else {
                    continue;
                };
                if !keys.are_bytes_sealed_under_older_key(&stored) {
                    continue;
                }
                let plain = match keys.open_bytes(&key, stored) {
                    Ok(plain) => plain,
                    Err(err) => {
                        tracing::warn!(file = %key, error = %err, "re-encrypt: left as it is");
                        count.skipped += 1;
                        continue;
                    }
                };
                files
                    .put(&key, &keys.seal_bytes(&key, &plain))
                    .await
                    .map_err(|e| {
                        StoreError::backend("re-encrypt: rewrite a file", e.to_string())
                    })?;
                count.resealed += 1;
            }
        }
    }
}
