//! PostgreSQL, for deployments with several nodes: connecting. Migrations take an advisory
//! lock, so nodes may start at the same time.

use sqlx::postgres::PgPoolOptions;
use sqlx::Postgres;
use tms_chat_core::store::StoreResult;
use tms_chat_core::StoreError;

use crate::store::SqlStore;

/// The PostgreSQL store.
pub type PostgresStore = SqlStore<Postgres>;

/// Default pool size.
const MAX_CONNECTIONS: u32 = 10;

impl SqlStore<Postgres> {
    /// Connects to `url` (`postgres://…` or `postgresql://…`) and runs the migrations.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .connect(url)
            .await
            .map_err(|e| StoreError::backend("connect to PostgreSQL", e))?;
        Self::from_pool(pool).await
    }
}
