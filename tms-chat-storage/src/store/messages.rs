//! Appending messages (group commit, gapless per-session sequence numbers, idempotent
//! `client_message_id` retries) and reading a session's history.
//!
//! A batch is one write transaction (`BEGIN IMMEDIATE` on SQLite). Each message runs inside
//! its own savepoint:
//!
//! 1. `UPDATE sessions SET last_seq = last_seq + 1 … RETURNING last_seq` — bumps the counter
//!    and, on PostgreSQL, locks the session row until commit, so concurrent appends to one
//!    session queue up here and every number is handed out once. No row: the session does
//!    not exist in the tenant, `NotFound` for this slot.
//! 2. With a `client_message_id`, look for the earlier message with the same
//!    `(session, sender_type, client_message_id)`. Found: roll back to the savepoint (undoing
//!    the bump, so no gap) and return it with `created: false`.
//! 3. Insert the message with the new number. Should the unique index on the client id still
//!    fire, roll back to the savepoint and return the row that won.
//!
//! Messages are processed grouped by session (in input order within a session) so that two
//! batches always lock sessions in the same order and cannot deadlock; results come back in
//! input order.

use tms_chat_core::clock::truncate_to_micros;
use tms_chat_core::domain::{Message, NewMessage};
use tms_chat_core::ids::{SessionId, TenantId};
use tms_chat_core::store::{Appended, HistoryQuery, StoreResult};
use tms_chat_core::StoreError;

use super::{page_size, SqlStore};
use crate::codec::{self, message_columns, micros};
use crate::error::{db, is_unique_violation};
use crate::sql::{self, Sql};

/// What step 1–3 found for one message.
enum Step<R> {
    /// Stored under this sequence number.
    Stored(i64),
    /// A message with the same client id was stored before (its row).
    Existing(R),
    /// No such session in the tenant.
    MissingSession,
}

impl<DB: Sql> SqlStore<DB> {
    pub(super) async fn append_batch(
        &self,
        messages: Vec<NewMessage>,
    ) -> StoreResult<Vec<StoreResult<Appended>>> {
        if messages.is_empty() {
            return Ok(Vec::new());
        }
        let mut order: Vec<usize> = (0..messages.len()).collect();
        // Stable: input order is kept within a session.
        order.sort_by(|&a, &b| messages[a].session_id.cmp(&messages[b].session_id));
        let mut pending: Vec<Option<NewMessage>> = messages.into_iter().map(Some).collect();
        let mut results: Vec<Option<StoreResult<Appended>>> =
            pending.iter().map(|_| None).collect();

        let mut tx = self
            .pool
            .begin_with(DB::BEGIN_WRITE)
            .await
            .map_err(db("append messages: begin"))?;
        for index in order {
            if let Some(message) = pending[index].take() {
                results[index] = Some(append_one::<DB>(&mut *tx, message).await?);
            }
        }
        tx.commit().await.map_err(db("append messages: commit"))?;

        Ok(results
            .into_iter()
            .map(|slot| {
                slot.unwrap_or_else(|| {
                    Err(StoreError::backend(
                        "append messages",
                        "message was not processed",
                    ))
                })
            })
            .collect())
    }

    pub(super) async fn history(
        &self,
        tenant: &TenantId,
        session: &SessionId,
        query: HistoryQuery,
    ) -> StoreResult<Vec<Message>> {
        let limit = page_size(query.limit);
        let rows = match (query.after_seq, query.before_seq) {
            // Only an upper bound: the newest `limit` before it.
            (None, Some(before)) => {
                let mut rows = sql::query::<DB>(concat!(
                    "SELECT ",
                    message_columns!(),
                    " FROM messages WHERE tenant_id = $1 AND session_id = $2 AND seq < $3 \
                     ORDER BY seq DESC LIMIT $4"
                ))
                .bind(tenant.as_str())
                .bind(session.as_str())
                .bind(before)
                .bind(limit)
                .fetch_all(&self.pool)
                .await
                .map_err(db("list messages"))?;
                rows.reverse();
                rows
            }
            // Otherwise the oldest `limit` after the lower bound (and below the upper one).
            (after, before) => sql::query::<DB>(concat!(
                "SELECT ",
                message_columns!(),
                " FROM messages WHERE tenant_id = $1 AND session_id = $2 AND seq > $3 AND seq < $4 \
                 ORDER BY seq LIMIT $5"
            ))
            .bind(tenant.as_str())
            .bind(session.as_str())
            .bind(after.unwrap_or(0))
            .bind(before.unwrap_or(i64::MAX))
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(db("list messages"))?,
        };
        codec::all(&rows, codec::message)
    }
}

/// Appends one message inside the batch transaction. The outer error fails the whole batch
/// (the transaction is unusable); the inner one is this message's result.
async fn append_one<DB: Sql>(
    conn: &mut DB::Connection,
    message: NewMessage,
) -> StoreResult<StoreResult<Appended>> {
    let attachment = match codec::opt_json(message.attachment.as_ref()) {
        Ok(json) => json,
        Err(err) => return Ok(Err(err)),
    };
    savepoint::<DB>(conn, "SAVEPOINT tms_append").await?;
    match try_append::<DB>(conn, &message, attachment).await {
        Ok(Step::Stored(seq)) => {
            savepoint::<DB>(conn, "RELEASE SAVEPOINT tms_append").await?;
            let mut stored = message.into_message(seq);
            // As a later read returns it: the database keeps microseconds.
            stored.created_at = truncate_to_micros(stored.created_at);
            Ok(Ok(Appended {
                message: stored,
                created: true,
            }))
        }
        Ok(Step::Existing(row)) => {
            undo::<DB>(conn).await?;
            Ok(codec::message(&row).map(|message| Appended {
                message,
                created: false,
            }))
        }
        Ok(Step::MissingSession) => {
            undo::<DB>(conn).await?;
            Ok(Err(StoreError::NotFound))
        }
        Err(err) => {
            undo::<DB>(conn).await?;
            if is_unique_violation(&err) && message.client_message_id.is_some() {
                // Another writer stored the same client id first: answer with its row.
                if let Ok(Some(row)) = find_by_client_id::<DB>(conn, &message).await {
                    return Ok(codec::message(&row).map(|message| Appended {
                        message,
                        created: false,
                    }));
                }
            }
            Ok(Err(db("append message")(err)))
        }
    }
}

async fn try_append<DB: Sql>(
    conn: &mut DB::Connection,
    message: &NewMessage,
    attachment: Option<String>,
) -> Result<Step<DB::Row>, sqlx::Error> {
    let created_at = micros(message.created_at);
    let bumped = sql::query::<DB>(
        "UPDATE sessions SET last_seq = last_seq + 1, \
         last_activity_at = CASE WHEN last_activity_at < $1 THEN $1 ELSE last_activity_at END \
         WHERE tenant_id = $2 AND id = $3 RETURNING last_seq",
    )
    .bind(created_at)
    .bind(message.tenant_id.as_str())
    .bind(message.session_id.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(bumped) = bumped else {
        return Ok(Step::MissingSession);
    };
    let seq = DB::int(&bumped, "last_seq")?;

    if message.client_message_id.is_some() {
        if let Some(existing) = find_by_client_id::<DB>(conn, message).await? {
            return Ok(Step::Existing(existing));
        }
    }

    sql::query::<DB>(concat!(
        "INSERT INTO messages (",
        message_columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    ))
    .bind(message.id.as_str())
    .bind(message.tenant_id.as_str())
    .bind(message.session_id.as_str())
    .bind(seq)
    .bind(message.sender_type.as_str())
    .bind(
        message
            .sender_agent_id
            .as_ref()
            .map(|a| a.as_str().to_owned()),
    )
    .bind(message.kind.as_str())
    .bind(message.content.as_str())
    .bind(attachment)
    .bind(message.system_event.map(|e| e.as_str().to_owned()))
    .bind(message.client_message_id.clone())
    .bind(created_at)
    .execute(&mut *conn)
    .await?;
    Ok(Step::Stored(seq))
}

/// The stored message with the same `(session, sender_type, client_message_id)`.
async fn find_by_client_id<DB: Sql>(
    conn: &mut DB::Connection,
    message: &NewMessage,
) -> Result<Option<DB::Row>, sqlx::Error> {
    sql::query::<DB>(concat!(
        "SELECT ",
        message_columns!(),
        " FROM messages WHERE tenant_id = $1 AND session_id = $2 AND sender_type = $3 \
         AND client_message_id = $4"
    ))
    .bind(message.tenant_id.as_str())
    .bind(message.session_id.as_str())
    .bind(message.sender_type.as_str())
    .bind(message.client_message_id.clone())
    .fetch_optional(&mut *conn)
    .await
}

/// Rolls the current message back to its savepoint and drops the savepoint.
async fn undo<DB: Sql>(conn: &mut DB::Connection) -> StoreResult<()> {
    savepoint::<DB>(conn, "ROLLBACK TO SAVEPOINT tms_append").await?;
    savepoint::<DB>(conn, "RELEASE SAVEPOINT tms_append").await
}

async fn savepoint<DB: Sql>(conn: &mut DB::Connection, statement: &'static str) -> StoreResult<()> {
    // Simple-query protocol: PostgreSQL accepts it even in a failed transaction.
    sql::run_script::<DB>(statement, &mut *conn)
        .await
        .map_err(db("append messages: savepoint"))?;
    Ok(())
}
