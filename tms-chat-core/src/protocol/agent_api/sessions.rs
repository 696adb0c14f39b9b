//! Sessions: list and search, start (the console's New Chat), read, assign, transfer, end,
//! the customer panel's context, and conversion into a ticket.

use super::{limit, AgentCall};
use crate::domain::SessionStatus;
use crate::error::{ChatError, ChatResult};
use crate::ids::{AgentId, SessionId, WidgetId};
use crate::protocol::envelopes::{
    AgentStartedSession, CustomerContext, SessionList, TicketCreated,
};
use crate::protocol::requests::{AssignRequest, TicketRequestBody};
use crate::protocol::views::SessionView;
use crate::protocol::ApiResponse;
use crate::service::{StartAgentSession, TransferRequest};
use crate::store::{SessionCursor, SessionFilter};

/// `GET /v1/chat/sessions`: filters from the query, paged by cursor.
pub(super) async fn list(call: &AgentCall<'_>) -> ChatResult<ApiResponse> {
    let q = call.query();
    let status = q
        .get("status")
        .map(|s| {
            SessionStatus::parse(s).ok_or_else(|| {
                ChatError::invalid("status", "must be waiting, active, transferred or ended")
            })
        })
        .transpose()?;
    let cursor = q
        .get("cursor")
        .map(|c| {
            SessionCursor::decode(c)
                .ok_or_else(|| ChatError::invalid("cursor", "is not a cursor from this API"))
        })
        .transpose()?;
    let filter = SessionFilter {
        project_ids: None,
        status,
        assigned_agent_id: q.get("assigned_agent_id").map(AgentId::from),
        unassigned_only: q.flag("unassigned")?,
        awaiting_reply: q.flag("awaiting_reply")?,
        widget_id: q.get("widget_id").map(WidgetId::from),
        query: q.get("q").map(str::to_owned),
        cursor,
        limit: limit(&q, 50)?,
    };
    let page = call.service().list_sessions(call.agent, filter).await?;
    let unread = call
        .service()
        .unread_counts(call.agent, &page.sessions)
        .await?;
    let unread_of = |s: &crate::domain::Session| unread.get(&s.id).copied().unwrap_or(0);
    let body = SessionList {
        sessions: page
            .sessions
            .iter()
            .map(|s| SessionView::from(s).with_unread(unread_of(s)))
            .collect(),
        next_cursor: page.next_cursor.map(|c| c.encode()),
    };
    Ok(ApiResponse::json(200, &body))
}

/// `POST /v1/chat/sessions`: an agent starts a chat; answers the customer's token and link.
pub(super) async fn start(call: &AgentCall<'_>) -> ChatResult<ApiResponse> {
    let body: StartAgentSession = call.json()?;
    let started = call.service().start_agent_session(call.agent, body).await?;
    let customer_join_url = call
        .api
        .customer_join_url(call.req, &started.session, &started.customer_token)
        .await;
    let body = AgentStartedSession {
        session: SessionView::from(&started.session),
        customer_token: &started.customer_token,
        customer_join_url,
    };
    Ok(ApiResponse::json(201, &body))
}

/// `GET /v1/chat/sessions/{id}`.
pub(super) async fn get(call: &AgentCall<'_>) -> ChatResult<ApiResponse> {
    let session = call
        .service()
        .get_session(&call.actor(), &call.id())
        .await?;
    let unread = call
        .service()
        .unread_counts(call.agent, std::slice::from_ref(&session))
        .await?;
    let view = SessionView::from(&session).with_unread(unread.values().sum());
    Ok(ApiResponse::json(200, &view))
}

/// `POST /v1/chat/sessions/{id}/assign`.
pub(super) async fn assign(call: &AgentCall<'_>) -> ChatResult<ApiResponse> {
    let body: AssignRequest = call.json()?;
    let id: SessionId = call.id();
    let session = call
        .service()
        .assign_session(call.agent, &id, body.agent_id.as_ref())
        .await?;
    Ok(ApiResponse::json(200, &SessionView::from(&session)))
}

/// `POST /v1/chat/sessions/{id}/transfer`.
pub(super) async fn transfer(call: &AgentCall<'_>) -> ChatResult<ApiResponse> {
    let body: TransferRequest = call.json()?;
    let id: SessionId = call.id();
    let session = call
        .service()
        .transfer_session(call.agent, &id, body)
        .await?;
    Ok(ApiResponse::json(200, &SessionView::from(&session)))
}

/// `POST /v1/chat/sessions/{id}/end`.
pub(super) async fn end(call: &AgentCall<'_>) -> ChatResult<ApiResponse> {
    let session = call
        .service()
        .end_session(&call.actor(), &call.id())
        .await?;
    Ok(ApiResponse::json(200, &SessionView::from(&session)))
}

/// `GET /v1/chat/sessions/{id}/customer`: who the customer is and their earlier sessions.
pub(super) async fn customer_context(call: &AgentCall<'_>) -> ChatResult<ApiResponse> {
    let id: SessionId = call.id();
    let session = call.service().get_session(&call.actor(), &id).await?;
    let previous = call.service().customer_history(call.agent, &id).await?;
    let visit = call.service().visit_context(call.agent, &id).await?;
    let body = CustomerContext {
        customer_email: session.customer_email.as_deref(),
        customer_name: session.customer_name.as_deref(),
        customer_verified: session.customer_verified,
        previous_sessions: previous.iter().map(SessionView::from).collect(),
        context: visit.as_ref(),
    };
    Ok(ApiResponse::json(200, &body))
}

/// `POST /v1/chat/sessions/{id}/ticket`.
pub(super) async fn create_ticket(call: &AgentCall<'_>) -> ChatResult<ApiResponse> {
    let body: TicketRequestBody = call.json()?;
    let id: SessionId = call.id();
    let ticket = call
        .service()
        .create_ticket(call.agent, &id, body.subject)
        .await?;
    let body = TicketCreated {
        ticket_id: &ticket.id,
        url: ticket.url.as_deref(),
    };
    Ok(ApiResponse::json(201, &body))
}
