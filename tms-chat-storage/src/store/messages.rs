//! Reading a session's history. Appending lives in [`super::append`].

use tms_chat_core::domain::Message;
use tms_chat_core::ids::{SessionId, TenantId};
use tms_chat_core::store::{HistoryQuery, StoreResult};

use super::{page_size, SqlStore};
use crate::codec::{self, message_columns};
use crate::error::db;
use crate::sql::{self, Sql};

impl<DB: Sql> SqlStore<DB> {
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
