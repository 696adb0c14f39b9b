//! Quick responses (canned responses) of the agent's tenant.

use super::AgentCall;
use crate::error::{ChatError, ChatResult};
use crate::ids::CannedResponseId;
use crate::protocol::envelopes::CannedList;
use crate::protocol::requests::CannedRequest;
use crate::protocol::views::CannedView;
use crate::protocol::ApiResponse;

/// `GET /v1/chat/canned-responses`.
pub(super) async fn list(call: &AgentCall<'_>) -> ChatResult<ApiResponse> {
    let list = call.service().list_canned_responses(call.agent).await?;
    let canned_responses = list.iter().map(CannedView::from).collect();
    Ok(ApiResponse::json(200, &CannedList { canned_responses }))
}

/// `POST /v1/chat/canned-responses`: `shortcut` and `text` are required.
pub(super) async fn create(call: &AgentCall<'_>) -> ChatResult<ApiResponse> {
    let body: CannedRequest = call.json()?;
    let shortcut = body
        .shortcut
        .as_deref()
        .ok_or_else(|| ChatError::invalid("shortcut", "is required"))?;
    let text = body
        .text
        .as_deref()
        .ok_or_else(|| ChatError::invalid("text", "is required"))?;
    let canned = call
        .service()
        .create_canned_response(call.agent, shortcut, text)
        .await?;
    Ok(ApiResponse::json(201, &CannedView::from(&canned)))
}

/// `PUT /v1/chat/canned-responses/{id}`: changes the fields given.
pub(super) async fn update(call: &AgentCall<'_>) -> ChatResult<ApiResponse> {
    let body: CannedRequest = call.json()?;
    let id: CannedResponseId = call.id();
    let canned = call
        .service()
        .update_canned_response(
            call.agent,
            &id,
            body.shortcut.as_deref(),
            body.text.as_deref(),
        )
        .await?;
    Ok(ApiResponse::json(200, &CannedView::from(&canned)))
}

/// `DELETE /v1/chat/canned-responses/{id}`.
pub(super) async fn delete(call: &AgentCall<'_>) -> ChatResult<ApiResponse> {
    let id: CannedResponseId = call.id();
    call.service()
        .delete_canned_response(call.agent, &id)
        .await?;
    Ok(ApiResponse::empty(204))
}
