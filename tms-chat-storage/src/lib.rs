//! # tms-chat-storage
//!
//! [`ChatStore`] implementations on [sqlx]: [`SqliteStore`], the embedded default, and
//! [`PostgresStore`] for clustered deployments. Both are one generic implementation,
//! [`SqlStore`], over the two databases: the SQL is written once (portable, `$N` parameters)
//! and only the few real differences (how a write transaction starts, the migration lock, the
//! schema files) live in [`Backend`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), tms_chat_core::StoreError> {
//! use tms_chat_storage::{connect_any, SqliteStore};
//!
//! // The embedded default: creates the file and the schema when missing.
//! let store = SqliteStore::connect("sqlite://chat.db").await?;
//!
//! // Or pick the database from configuration.
//! let store = connect_any("postgres://chat@db.internal/chat").await?;
//! # let _ = store; Ok(()) }
//! ```
//!
//! Start-up runs the embedded migrations, recorded in the store's own
//! `tms_chat_migrations` table (not sqlx's `_sqlx_migrations`, which belongs to the host).
//!
//! [`PgNotifier`] carries chat events between nodes on one PostgreSQL database (LISTEN/NOTIFY),
//! so several server processes form one chat system.
//!
//! Modules: [`store`] (the generic store and its queries), [`backend`] (what differs per
//! database), [`sqlite`] and [`postgres`] (connecting), [`notify`] (the PostgreSQL notifier), `migrate` (the migration runner),
//! `codec` (row ⇄ domain conversions) and `error` (sqlx error mapping).

mod codec;
mod error;
mod files;
mod migrate;
mod sql;

pub mod backend;
pub mod notify;
pub mod postgres;
pub mod sqlite;
pub mod store;

use std::sync::Arc;

use std::path::PathBuf;

use tms_chat_core::blob::{BlobStore, LocalDiskBlobStore};
use tms_chat_core::store::ChatStore;
use tms_chat_core::StoreError;

pub use backend::Backend;
pub use files::DatabaseBlobStore;
#[cfg(feature = "nats")]
pub use notify::NatsNotifier;
pub use notify::{PgNotifier, PgNotifierOptions};
pub use postgres::PostgresStore;
pub use sql::Sql;
pub use sqlite::SqliteStore;
pub use store::{Reencrypted, SqlStore};

/// Connects to the database named by `url`, picking the store by its scheme: `sqlite:` for
/// [`SqliteStore`], `postgres:` or `postgresql:` for [`PostgresStore`]. Runs the migrations.
pub async fn connect_any(url: &str) -> Result<Arc<dyn ChatStore>, StoreError> {
    match Scheme::of(url)? {
        Scheme::Sqlite => Ok(Arc::new(SqliteStore::connect(url).await?)),
        Scheme::Postgres => Ok(Arc::new(PostgresStore::connect(url).await?)),
    }
}

/// Whether `url` names a PostgreSQL database (`postgres:` or `postgresql:`, any case): the
/// databases on which several nodes can share a [`PgNotifier`].
pub fn is_postgres_url(url: &str) -> bool {
    matches!(Scheme::of(url), Ok(Scheme::Postgres))
}

/// What a server node gets from its database: the chat store, and where uploaded files live.
pub struct NodeStorage {
    /// The chat store.
    pub store: Arc<dyn ChatStore>,
    /// Uploaded files' bytes.
    pub files: Arc<dyn BlobStore>,
    sql: NodeStore,
}

/// The concrete store behind [`NodeStorage::store`], for maintenance passes.
enum NodeStore {
    Sqlite(Arc<SqliteStore>),
    Postgres(Arc<PostgresStore>),
}

impl NodeStorage {
    /// Re-seals under `keys`' newest key everything an older key of `keys` sealed (see
    /// [`SqlStore::reencrypt`]).
    pub async fn reencrypt(
        &self,
        keys: &tms_chat_core::encryption::KeyRing,
    ) -> Result<Reencrypted, StoreError> {
        match &self.sql {
            NodeStore::Sqlite(store) => store.reencrypt(keys, &*self.files).await,
            NodeStore::Postgres(store) => store.reencrypt(keys, &*self.files).await,
        }
    }
}

/// Connects like [`connect_any`] and picks the file store that fits the database:
/// PostgreSQL keeps files in the database ([`DatabaseBlobStore`]), so every node on it reaches
/// every upload with no further set-up; SQLite (one node) keeps them under `files_dir`.
pub async fn connect_node(
    url: &str,
    files_dir: impl Into<PathBuf>,
) -> Result<NodeStorage, StoreError> {
    match Scheme::of(url)? {
        Scheme::Sqlite => {
            let store = Arc::new(SqliteStore::connect(url).await?);
            Ok(NodeStorage {
                store: store.clone(),
                files: Arc::new(LocalDiskBlobStore::new(files_dir)),
                sql: NodeStore::Sqlite(store),
            })
        }
        Scheme::Postgres => {
            let store = Arc::new(PostgresStore::connect(url).await?);
            let files = Arc::new(store.files());
            Ok(NodeStorage {
                store: store.clone(),
                files,
                sql: NodeStore::Postgres(store),
            })
        }
    }
}

/// The databases [`connect_any`] knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    Sqlite,
    Postgres,
}

impl Scheme {
    /// The scheme of a database URL; the error names only the scheme, never the URL (which may
    /// hold a password).
    fn of(url: &str) -> Result<Scheme, StoreError> {
        let scheme = url
            .split_once(':')
            .map(|(scheme, _)| scheme.to_ascii_lowercase())
            .unwrap_or_default();
        match scheme.as_str() {
            "sqlite" => Ok(Scheme::Sqlite),
            "postgres" | "postgresql" => Ok(Scheme::Postgres),
            "" => Err(StoreError::backend(
                "connect",
                "the database URL has no scheme: expected sqlite:, postgres: or postgresql:",
            )),
            other => Err(StoreError::backend(
                "connect",
                format!(
                    "unsupported database URL scheme `{other}:`: expected sqlite:, postgres: or postgresql:"
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_are_recognised_case_insensitively() {
        assert_eq!(Scheme::of("sqlite::memory:").ok(), Some(Scheme::Sqlite));
        assert_eq!(Scheme::of("sqlite://chat.db").ok(), Some(Scheme::Sqlite));
        assert_eq!(Scheme::of("postgres://u@h/db").ok(), Some(Scheme::Postgres));
        assert_eq!(
            Scheme::of("PostgreSQL://u@h/db").ok(),
            Some(Scheme::Postgres)
        );
    }

    #[test]
    fn unknown_scheme_is_a_clear_error_without_the_url() {
        let Err(err) = Scheme::of("mysql://user:secret@host/db") else {
            panic!("mysql: must be refused");
        };
        let text = format!(
            "{err}: {}",
            std::error::Error::source(&err)
                .map(ToString::to_string)
                .unwrap_or_default()
        );
        assert!(text.contains("mysql:"), "{text}");
        assert!(!text.contains("secret"), "{text}");
        assert!(Scheme::of("chat.db").is_err());
    }
}
