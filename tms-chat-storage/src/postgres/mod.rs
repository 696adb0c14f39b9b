//! PostgreSQL, for deployments with several nodes: connecting. Migrations take an advisory
//! lock, so nodes may start at the same time.

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::Postgres;
use tms_chat_core::store::StoreResult;
use tms_chat_core::StoreError;

use crate::store::SqlStore;

/// The PostgreSQL store.
pub type PostgresStore = SqlStore<Postgres>;

/// Default pool size.
const MAX_CONNECTIONS: u32 = 10;
/// How long a statement waits for a connection before the store answers `Unavailable`
/// (503): a database that does not answer fails requests fast instead of holding them for
/// sqlx's default 30 s.
const ACQUIRE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

impl SqlStore<Postgres> {
    /// Connects to `url` (`postgres://…` or `postgresql://…`) and runs the migrations.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::backend("parse the PostgreSQL URL", e))?
            .statement_cache_capacity(crate::store::STATEMENT_CACHE);
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(|e| StoreError::backend("connect to PostgreSQL", e))?;
        Self::from_pool(pool).await
    }
}
