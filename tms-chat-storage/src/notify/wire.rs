//! What travels on the bus. A NOTIFY payload is a JSON [`BusMessage`]: the publishing node's
//! id (so a node skips its own events, which it already delivered locally) and either the
//! whole [`Envelope`] or, when that would not fit in a NOTIFY payload, the id of a row of
//! `tms_chat_bus_events` holding the same message with the envelope inline.
//!
//! The table is PostgreSQL-only, UNLOGGED (its rows only matter for the few seconds until
//! every node read them; a crash may empty it, and the nodes then resync anyway) and created
//! by the notifier itself, so a host can run the notifier without the store's schema. Rows
//! older than [`STORED_EVENT_RETENTION`] are deleted by the publishers.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use sqlx::{PgPool, Postgres, Row};
use tms_chat_core::notify::Envelope;
use tms_chat_core::store::StoreResult;

use crate::backend::Backend;
use crate::error::db;

/// PostgreSQL refuses a NOTIFY payload of 8000 bytes or more (in a default build).
pub(super) const MAX_INLINE_PAYLOAD: usize = 7_999;

/// How long a stored large event stays readable. A node that reads one later than this has
/// been cut off far longer than any delivery takes; it resyncs its subscribers instead.
pub(super) const STORED_EVENT_RETENTION: Duration = Duration::from_secs(600);

/// One NOTIFY payload (or one stored row).
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct BusMessage<N, E> {
    /// The publishing node.
    pub(super) node: N,
    /// The event, or where it is.
    pub(super) body: Body<E>,
}

/// The event inline, or the id of the row that holds it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Body<E> {
    /// The whole envelope.
    Event(E),
    /// A `tms_chat_bus_events` row holding a [`BusMessage`] with the envelope inline.
    Stored(i64),
}

/// A message as a receiver reads it.
pub(super) type Received = BusMessage<String, Envelope>;

/// Creates the table large events travel through (idempotent; nodes may start together).
pub(super) async fn create_table(pool: &PgPool) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(db("bus: begin"))?;
    // The store's migration lock: no two nodes create tables at the same time.
    if let Some(lock) = <Postgres as Backend>::MIGRATION_LOCK {
        sqlx::query(lock)
            .execute(&mut *tx)
            .await
            .map_err(db("bus: lock"))?;
    }
    sqlx::query(
        "CREATE UNLOGGED TABLE IF NOT EXISTS tms_chat_bus_events (\
         id BIGSERIAL PRIMARY KEY, \
         payload TEXT NOT NULL, \
         created_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    )
    .execute(&mut *tx)
    .await
    .map_err(db("bus: create tms_chat_bus_events"))?;
    tx.commit().await.map_err(db("bus: commit"))
}

/// The stored message `id`, or `None` when it was already cleaned up.
pub(super) async fn read_stored(pool: &PgPool, id: i64) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query("SELECT payload FROM tms_chat_bus_events WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?;
    row.map(|row| row.try_get("payload")).transpose()
}
