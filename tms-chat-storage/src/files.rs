//! [`DatabaseBlobStore`]: uploaded files' bytes in the chat database (`files` table), so every
//! node on one database reaches every upload with no shared directory. Use it with
//! PostgreSQL when several nodes serve one chat system; a single node is as well served by
//! core's `LocalDiskBlobStore` (files on disk, the database stays small).

use async_trait::async_trait;
use chrono::Utc;
use sqlx::Pool;
use tms_chat_core::blob::BlobStore;
use tms_chat_core::{ChatError, ChatResult};

use crate::codec::{micros, Columns};
use crate::error::db;
use crate::sql::{self, Sql};
use crate::store::SqlStore;

/// File bytes in the `files` table of a [`SqlStore`]'s database, sharing its pool.
#[derive(Debug)]
pub struct DatabaseBlobStore<DB: sqlx::Database> {
    pool: Pool<DB>,
}

impl<DB: Sql> SqlStore<DB> {
    /// A blob store on this store's database (and connection pool).
    pub fn files(&self) -> DatabaseBlobStore<DB> {
        DatabaseBlobStore {
            pool: self.pool().clone(),
        }
    }
}

fn store_error(err: tms_chat_core::StoreError) -> ChatError {
    ChatError::from(err)
}

#[async_trait]
impl<DB: Sql> BlobStore for DatabaseBlobStore<DB> {
    async fn put(&self, key: &str, bytes: &[u8]) -> ChatResult<()> {
        // A key is written once (keys are generated per upload); a retry rewrites the bytes.
        sql::query::<DB>(
            "INSERT INTO files (storage_key, bytes, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (storage_key) DO UPDATE SET bytes = excluded.bytes",
        )
        .bind(key)
        .bind(bytes)
        .bind(micros(Utc::now()))
        .execute(&self.pool)
        .await
        .map_err(db("store file"))
        .map_err(store_error)
    }

    async fn get(&self, key: &str) -> ChatResult<Vec<u8>> {
        let row = sql::query::<DB>("SELECT bytes FROM files WHERE storage_key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(db("read file"))
            .map_err(store_error)?;
        match row {
            Some(row) => row.bytes("bytes").map_err(store_error),
            None => Err(ChatError::NotFound("file")),
        }
    }

    async fn delete(&self, key: &str) -> ChatResult<()> {
        sql::query::<DB>("DELETE FROM files WHERE storage_key = $1")
            .bind(key)
            .execute(&self.pool)
            .await
            .map_err(db("delete file"))
            .map_err(store_error)
    }
}
