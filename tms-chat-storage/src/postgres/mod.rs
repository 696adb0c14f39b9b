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
/// Prepared statements kept per connection. The append path's multi-row statements have one
/// text per batch size (up to the writer's batch limit of 128, for each of its four
/// statements); sqlx's default of 100 would re-prepare them under load.
const STATEMENT_CACHE: usize = 1024;

impl SqlStore<Postgres> {
    /// Connects to `url` (`postgres://…` or `postgresql://…`) and runs the migrations.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::backend("parse the PostgreSQL URL", e))?
            .statement_cache_capacity(STATEMENT_CACHE);
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .connect_with(options)
            .await
            .map_err(|e| StoreError::backend("connect to PostgreSQL", e))?;
        Self::from_pool(pool).await
    }
}
