//! One-time socket tickets in the database, so a ticket issued through one node opens a socket
//! on any node, exactly once: redeeming is one `DELETE … RETURNING`, which only one of several
//! concurrent redemptions can win.

use chrono::{DateTime, Utc};
use tms_chat_core::ids::{AgentId, TenantId};
use tms_chat_core::store::{SocketTicketRecord, StoreResult};

use super::SqlStore;
use crate::codec::{micros, Columns};
use crate::error::{db, db_conflict};
use crate::sql::{self, Sql};

impl<DB: Sql> SqlStore<DB> {
    pub(super) async fn insert_ticket_row(
        &self,
        ticket: &SocketTicketRecord,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        sql::query::<DB>("DELETE FROM socket_tickets WHERE expires_at < $1")
            .bind(micros(now))
            .execute(&self.pool)
            .await
            .map_err(db("forget expired socket tickets"))?;
        sql::query::<DB>(
            "INSERT INTO socket_tickets (ticket_hash, tenant_id, agent_id, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(ticket.ticket_hash.as_str())
        .bind(ticket.tenant_id.as_str())
        .bind(ticket.agent_id.as_str())
        .bind(micros(ticket.expires_at))
        .execute(&self.pool)
        .await
        .map_err(db_conflict(
            "insert socket ticket",
            "this socket ticket exists",
        ))?;
        Ok(())
    }

    pub(super) async fn redeem_ticket_row(
        &self,
        ticket_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<SocketTicketRecord>> {
        let row = sql::query::<DB>(
            "DELETE FROM socket_tickets WHERE ticket_hash = $1 \
             RETURNING ticket_hash, tenant_id, agent_id, expires_at",
        )
        .bind(ticket_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db("redeem socket ticket"))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let ticket = SocketTicketRecord {
            ticket_hash: row.text("ticket_hash")?,
            tenant_id: TenantId::from(row.text("tenant_id")?),
            agent_id: AgentId::from(row.text("agent_id")?),
            expires_at: row.time("expires_at")?,
        };
        Ok((ticket.expires_at > now).then_some(ticket))
    }
}
