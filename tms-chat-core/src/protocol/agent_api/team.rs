//! The signed-in agent, their tenant's agents, and one-time socket tickets.

use super::AgentCall;
use crate::error::ChatResult;
use crate::protocol::envelopes::{AgentList, SocketTicket};
use crate::protocol::views::AgentView;
use crate::protocol::ApiResponse;

/// `GET /v1/chat/me`.
pub(super) fn me(call: &AgentCall<'_>) -> ChatResult<ApiResponse> {
    Ok(ApiResponse::json(200, &AgentView::from(call.agent)))
}

/// `GET /v1/chat/agents`: the agents of the tenant.
pub(super) async fn list_agents(call: &AgentCall<'_>) -> ChatResult<ApiResponse> {
    let agents = call
        .service()
        .store()
        .list_agents(&call.agent.tenant_id)
        .await?;
    let agents = agents.iter().map(AgentView::from).collect();
    Ok(ApiResponse::json(200, &AgentList { agents }))
}

/// `POST /v1/chat/ws-ticket`: a one-time ticket for a browser's socket (which cannot send an
/// `Authorization` header).
pub(super) async fn socket_ticket(call: &AgentCall<'_>) -> ChatResult<ApiResponse> {
    let ttl = call.api.config().ws_ticket_ttl;
    let ticket = call.api.issue_socket_ticket(call.agent, ttl).await?;
    let body = SocketTicket {
        ticket,
        expires_in: ttl.as_secs(),
    };
    Ok(ApiResponse::json(201, &body))
}
