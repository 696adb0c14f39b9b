//! The signed-in agent and their presence, their tenant's agents, and one-time socket
//! tickets.

use super::AgentCall;
use crate::error::ChatResult;
use crate::protocol::envelopes::{AgentList, DepartmentList, SocketTicket};
use crate::protocol::requests::PresenceRequest;
use crate::protocol::views::{
    AgentView, DepartmentView, PresenceView, QueueBoardView, TeamMemberView,
};
use crate::protocol::ApiResponse;

/// `GET /v1/chat/me`.
pub(super) fn me(call: &AgentCall<'_>) -> ChatResult<ApiResponse> {
    Ok(ApiResponse::json(200, &AgentView::from(call.agent)))
}

/// `PUT /v1/chat/me/presence`: the agent chooses `online`, `away` or `offline`.
pub(super) async fn set_presence(call: &AgentCall<'_>) -> ChatResult<ApiResponse> {
    let request: PresenceRequest = call.json()?;
    let presence = call
        .service()
        .set_presence(call.agent, request.presence()?)
        .await?;
    let body = PresenceView {
        agent_id: &call.agent.id,
        presence,
    };
    Ok(ApiResponse::json(200, &body))
}

/// `GET /v1/chat/agents`: the agents of the tenant, with presence and load.
pub(super) async fn list_agents(call: &AgentCall<'_>) -> ChatResult<ApiResponse> {
    let team = call.service().team(call.agent).await?;
    let agents = team.iter().map(TeamMemberView::from).collect();
    Ok(ApiResponse::json(200, &AgentList { agents }))
}

/// `GET /v1/chat/departments`: the tenant's departments, their agents and queues.
pub(super) async fn list_departments(call: &AgentCall<'_>) -> ChatResult<ApiResponse> {
    let departments = call.service().departments(call.agent).await?;
    let departments = departments.iter().map(DepartmentView::from).collect();
    Ok(ApiResponse::json(200, &DepartmentList { departments }))
}

/// `GET /v1/chat/queue`: waiting sessions, departments and agents (supervisors and admins).
pub(super) async fn queue(call: &AgentCall<'_>) -> ChatResult<ApiResponse> {
    let board = call.service().queue_board(call.agent).await?;
    Ok(ApiResponse::json(200, &QueueBoardView::from(&board)))
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
