//! SQLite, the embedded default: connecting with the settings the store relies on (file
//! created when missing, WAL journal, `synchronous=NORMAL`, foreign keys on, a 5 s busy
//! timeout, room for the append path's prepared statements, WAL checkpoints beside the
//! writer rather than in its way) and in-memory databases for tests.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::Sqlite;
use tms_chat_core::store::StoreResult;
use tms_chat_core::StoreError;

use crate::store::SqlStore;

mod checkpoint;

pub(crate) use checkpoint::Checkpointer;

/// The SQLite store.
pub type SqliteStore = SqlStore<Sqlite>;

/// Connections of a file database besides the append's own; SQLite runs one writer at a
/// time, readers alongside it.
const MAX_FILE_CONNECTIONS: u32 = 8;
/// The page cache of each pool connection, in KiB (SQLite's default is 2,000 per
/// connection). The pool's connections read sessions, history pages and search results
/// spread over the whole file, so each filled its own 2 MB with pages the OS page cache
/// holds anyway (about 1 KB per open socket at 15,000 sockets, with eight connections); the
/// append connection keeps the default for the hot ends of the message tables.
const READER_CACHE_KIB: u32 = 512;
/// How long a writer waits for the write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

impl SqlStore<Sqlite> {
    /// Opens `url` (`sqlite://path.db`, created when missing, or `sqlite::memory:`) and runs
    /// the migrations. An in-memory database lives in one connection that the pool never
    /// closes, so every query sees the same data.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = connect_options(url)?;
        if is_in_memory(url) {
            return Self::from_pool(single_connection(options).await?).await;
        }
        // Checkpoints run beside the writer (the `checkpoint` module); a connection's own
        // automatic checkpoint is the backstop.
        let options = options.pragma(
            "wal_autocheckpoint",
            checkpoint::AUTOCHECKPOINT_PAGES.to_string(),
        );
        let pool = SqlitePoolOptions::new()
            .max_connections(MAX_FILE_CONNECTIONS)
            .connect_with(
                options
                    .clone()
                    .pragma("cache_size", format!("-{READER_CACHE_KIB}")),
            )
            .await
            .map_err(|e| StoreError::backend("connect to SQLite", e))?;
        let store = Self::from_pool(pool).await?;
        // The append's own connection (SQLite has one writer at a time anyway).
        let writer = single_connection(options.clone()).await?;
        let path = options.get_filename().to_owned();
        let checkpointer = Checkpointer::start(single_connection(options).await?, &path);
        Ok(store.with_writer(writer).with_checkpointer(checkpointer))
    }
}

/// A pool of one connection that is never closed: an in-memory database's (every query then
/// sees the same data), or a file's append connection (its statements stay prepared).
async fn single_connection(options: SqliteConnectOptions) -> StoreResult<sqlx::Pool<Sqlite>> {
    SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_with(options)
        .await
        .map_err(|e| StoreError::backend("connect to SQLite", e))
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
