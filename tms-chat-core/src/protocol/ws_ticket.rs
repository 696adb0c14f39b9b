//! One-time WebSocket tickets: browsers cannot set an `Authorization` header on a WebSocket,
//! so the console fetches a short-lived ticket over REST and passes it as `?ticket=`. A ticket
//! works once, until it expires, on any node: tickets live in the store (only their hash),
//! and redeeming removes the row, which one redemption alone can do. The agent is read back
//! from the store (where signing in mirrored it), so a ticket carries no copy of the agent.

use super::ChatApi;
use crate::domain::Agent;
use crate::error::{ChatError, ChatResult};
use crate::store::SocketTicketRecord;
use crate::token::{hash_token, random_token};
use std::time::Duration;

impl ChatApi {
    /// Issues a ticket for `agent`, valid for `ttl`.
    pub(crate) async fn issue_socket_ticket(
        &self,
        agent: &Agent,
        ttl: Duration,
    ) -> ChatResult<String> {
        let ticket = random_token();
        let now = self.service().clock().now();
        let ttl = chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::seconds(60));
        let record = SocketTicketRecord {
            ticket_hash: hash_token(&ticket),
            tenant_id: agent.tenant_id.clone(),
            agent_id: agent.id.clone(),
            expires_at: now + ttl,
        };
        self.service()
            .store()
            .insert_socket_ticket(&record, now)
            .await?;
        Ok(ticket)
    }

    /// Redeems a ticket once: its agent, or `unauthorized` for an unknown, used or expired one.
    /// The host is asked again whether it still accepts the agent (a ticket issued before a
    /// revocation opens nothing).
    pub(crate) async fn redeem_socket_ticket(&self, ticket: &str) -> ChatResult<Agent> {
        let store = self.service().store();
        let record = store
            .redeem_socket_ticket(&hash_token(ticket), self.service().clock().now())
            .await?
            .ok_or(ChatError::Unauthorized)?;
        let agent = store
            .get_agent(&record.tenant_id, &record.agent_id)
            .await
            .map_err(|_| ChatError::Unauthorized)?;
        self.inner.agents.recheck(&agent).await
    }
}
