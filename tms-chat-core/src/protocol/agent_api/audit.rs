//! The audit log (`GET /v1/chat/audit`) and a customer's rights: export
//! (`GET /v1/chat/customers/export`) and erasure (`POST /v1/chat/customers/erase`). Admins
//! only: anyone else is refused (`403`) before their input is looked at, and the service
//! checks again.

use super::{limit, AgentCall};
use crate::error::{ChatError, ChatResult};
use crate::ids::{AgentId, SessionId};
use crate::protocol::body::Query;
use crate::protocol::envelopes::{AuditList, CustomerErased, CustomerExport, ExportedSession};
use crate::protocol::requests::EraseCustomerRequest;
use crate::protocol::views::{MessageView, SessionView};
use crate::protocol::ApiResponse;
use crate::service::ChatService;
use crate::store::{AuditCursor, AuditFilter};
use chrono::{DateTime, Utc};

/// `GET /v1/chat/audit`: `from`, `to` (RFC 3339), `actor`, `session_id`, paged by cursor.
pub(super) async fn list(call: &AgentCall<'_>) -> ChatResult<ApiResponse> {
    ChatService::require_admin(call.agent)?;
    let q = call.query();
    let cursor = q
        .get("cursor")
        .map(|c| {
            AuditCursor::decode(c)
                .ok_or_else(|| ChatError::invalid("cursor", "is not a cursor from this API"))
        })
        .transpose()?;
    let filter = AuditFilter {
        from: time(&q, "from")?,
        to: time(&q, "to")?,
        actor_id: q.get("actor").map(AgentId::from),
        session_id: q.get("session_id").map(SessionId::from),
        cursor,
        limit: limit(&q, 50)?,
    };
    let page = call.service().audit_log(call.agent, filter).await?;
    let body = AuditList {
        entries: &page.entries,
        next_cursor: page.next_cursor.map(|c| c.encode()),
    };
    Ok(ApiResponse::json(200, &body))
}

/// `POST /v1/chat/customers/erase` `{"customer_email"}`.
pub(super) async fn erase(call: &AgentCall<'_>) -> ChatResult<ApiResponse> {
    ChatService::require_admin(call.agent)?;
    let body: EraseCustomerRequest = call.json()?;
    let erased_sessions = call
        .service()
        .erase_customer(call.agent, &body.customer_email)
        .await?;
    Ok(ApiResponse::json(200, &CustomerErased { erased_sessions }))
}

/// `GET /v1/chat/customers/export?customer_email=`.
pub(super) async fn export(call: &AgentCall<'_>) -> ChatResult<ApiResponse> {
    ChatService::require_admin(call.agent)?;
    let q = call.query();
    let email = q
        .get("customer_email")
        .ok_or_else(|| ChatError::invalid("customer_email", "is required"))?;
    let data = call.service().export_customer(call.agent, email).await?;
    let body = CustomerExport {
        customer_email: email.trim(),
        sessions: data
            .sessions
            .iter()
            .map(|(session, messages)| ExportedSession {
                session: SessionView::from(session),
                messages: messages.iter().map(MessageView::from).collect(),
                context: data.contexts.get(&session.id),
            })
            .collect(),
    };
    Ok(ApiResponse::json(200, &body))
}

/// An optional RFC 3339 time parameter.
fn time(q: &Query, name: &str) -> ChatResult<Option<DateTime<Utc>>> {
    q.get(name)
        .map(|v| {
            DateTime::parse_from_rfc3339(v)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| ChatError::invalid(name, "must be an RFC 3339 time"))
        })
        .transpose()
}
