//! SQLite, the embedded default: connecting with the settings the store relies on (file
//! created when missing, WAL journal, `synchronous=NORMAL`, foreign keys on, a 5 s busy
//! timeout, room for the append path's prepared statements) and in-memory databases for
//! tests.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::Sqlite;
use tms_chat_core::store::StoreResult;
use tms_chat_core::StoreError;

use crate::store::SqlStore;

/// The SQLite store.
pub type SqliteStore = SqlStore<Sqlite>;

/// Connections of a file database; SQLite runs one writer at a time, readers alongside it.
const MAX_FILE_CONNECTIONS: u32 = 8;
/// How long a writer waits for the write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

impl SqlStore<Sqlite> {
    /// Opens `url` (`sqlite://path.db`, created when missing, or `sqlite::memory:`) and runs
    /// the migrations. An in-memory database lives in one connection that the pool never
    /// closes, so every query sees the same data.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = connect_options(url)?;
        let pool = if is_in_memory(url) {
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
        } else {
            SqlitePoolOptions::new().max_connections(MAX_FILE_CONNECTIONS)
        }
        .connect_with(options)
        .await
        .map_err(|e| StoreError::backend("connect to SQLite", e))?;
        Self::from_pool(pool).await
    }
}

/// The connection options [`SqliteStore::connect`] uses for `url`, for hosts that build their
/// own pool (pass it to [`SqliteStore::from_pool`]).
pub fn connect_options(url: &str) -> StoreResult<SqliteConnectOptions> {
    Ok(SqliteConnectOptions::from_str(url)
        .map_err(|e| StoreError::backend("parse SQLite URL", e))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(BUSY_TIMEOUT)
        .statement_cache_capacity(crate::store::STATEMENT_CACHE))
}

fn is_in_memory(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}
