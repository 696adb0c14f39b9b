//! The migration runner. The schema lives in `migrations/<database>/` and is embedded with
//! `include_str!` ([`Backend::MIGRATIONS`]). Applied versions are recorded in the store's own
//! `tms_chat_migrations` table, so a host's sqlx migrations (`_sqlx_migrations`) and ours never
//! meet. Each migration runs in its own write transaction that first takes the backend's lock
//! ([`Backend::MIGRATION_LOCK`]) and then re-checks whether it was applied, so nodes starting
//! at the same time apply it exactly once.

use chrono::Utc;
use sqlx::Pool;
use tms_chat_core::store::StoreResult;

use crate::backend::Migration;
use crate::codec::{micros, Columns};
use crate::error::db;
use crate::sql::{self, Sql};

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS tms_chat_migrations (\
     version BIGINT PRIMARY KEY NOT NULL, \
     description TEXT NOT NULL, \
     applied_at BIGINT NOT NULL)";

/// Applies every pending migration, then tries the optional steps.
pub(crate) async fn run<DB: Sql>(pool: &Pool<DB>) -> StoreResult<()> {
    for migration in DB::MIGRATIONS {
        apply(pool, migration).await?;
    }
    for step in DB::OPTIONAL_STEPS {
        if let Err(err) = try_optional(pool, step.sql).await {
            tracing::info!(
                database = <DB as sqlx::Database>::NAME,
                step = step.description,
                error = %err,
                "optional schema step skipped"
            );
        }
    }
    Ok(())
}

async fn apply<DB: Sql>(pool: &Pool<DB>, migration: &Migration) -> StoreResult<()> {
    let mut tx = pool
        .begin_with(DB::BEGIN_WRITE)
        .await
        .map_err(db("migrate: begin"))?;
    if let Some(lock) = DB::MIGRATION_LOCK {
        sql::query::<DB>(lock)
            .execute(&mut *tx)
            .await
            .map_err(db("migrate: lock"))?;
    }
    sql::query::<DB>(CREATE_TABLE)
        .execute(&mut *tx)
        .await
        .map_err(db("migrate: create tms_chat_migrations"))?;
    let applied = sql::query::<DB>("SELECT version FROM tms_chat_migrations WHERE version = $1")
        .bind(migration.version)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db("migrate: read applied versions"))?;
    if applied.is_some() {
        return tx.commit().await.map_err(db("migrate: commit"));
    }
    tracing::info!(
        database = <DB as sqlx::Database>::NAME,
        version = migration.version,
        description = migration.description,
        "applying tms-chat migration"
    );
    sql::run_script::<DB>(migration.sql, &mut *tx)
        .await
        .map_err(db("migrate: apply"))?;
    sql::query::<DB>(
        "INSERT INTO tms_chat_migrations (version, description, applied_at) VALUES ($1, $2, $3)",
    )
    .bind(migration.version)
    .bind(migration.description)
    .bind(micros(Utc::now()))
    .execute(&mut *tx)
    .await
    .map_err(db("migrate: record version"))?;
    tx.commit().await.map_err(db("migrate: commit"))
}

async fn try_optional<DB: Sql>(pool: &Pool<DB>, sql: &'static str) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin_with(DB::BEGIN_WRITE).await?;
    if let Some(lock) = DB::MIGRATION_LOCK {
        sql::query::<DB>(lock).execute(&mut *tx).await?;
    }
    sql::run_script::<DB>(sql, &mut *tx).await?;
    tx.commit().await
}

/// The highest applied version, for diagnostics and tests.
pub(crate) async fn current_version<DB: Sql>(pool: &Pool<DB>) -> StoreResult<Option<i64>> {
    let row = sql::query::<DB>("SELECT MAX(version) AS version FROM tms_chat_migrations")
        .fetch_one(pool)
        .await
        .map_err(db("read schema version"))?;
    row.opt_int("version")
}
