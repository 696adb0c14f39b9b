//! A session's conversation: messages (history, send), internal notes, typing, read markers.

use super::{history_query, AgentCall};
use crate::error::ChatResult;
use crate::ids::SessionId;
use crate::protocol::envelopes::{MessageList, NoteList};
use crate::protocol::requests::{NoteRequest, ReadRequest, TypingRequest};
use crate::protocol::views::{MessageView, ReadMarkerView};
use crate::protocol::ApiResponse;
use crate::service::SendMessage;

/// `GET /v1/chat/sessions/{id}/messages`: a page of history.
pub(super) async fn history(call: &AgentCall<'_>) -> ChatResult<ApiResponse> {
    let query = history_query(&call.query())?;
    let messages = call
        .service()
        .history(&call.actor(), &call.id(), query)
        .await?;
    let messages = messages.iter().map(MessageView::from).collect();
    Ok(ApiResponse::json(200, &MessageList { messages }))
}

/// `POST /v1/chat/sessions/{id}/messages`: `201`, or `200` for a retried `client_message_id`.
pub(super) async fn send(call: &AgentCall<'_>) -> ChatResult<ApiResponse> {
    let body: SendMessage = call.json()?;
    let id: SessionId = call.id();
    let appended = call
        .service()
        .send_message(&call.actor(), &id, body)
        .await?;
    let status = if appended.created { 201 } else { 200 };
    Ok(ApiResponse::json(
        status,
        &MessageView::from(&appended.message),
    ))
}

/// `GET /v1/chat/sessions/{id}/notes`.
pub(super) async fn list_notes(call: &AgentCall<'_>) -> ChatResult<ApiResponse> {
    let notes = call.service().list_notes(&call.actor(), &call.id()).await?;
    Ok(ApiResponse::json(200, &NoteList { notes: &notes }))
}

/// `POST /v1/chat/sessions/{id}/notes`.
pub(super) async fn add_note(call: &AgentCall<'_>) -> ChatResult<ApiResponse> {
    let body: NoteRequest = call.json()?;
    let id: SessionId = call.id();
    let note = call
        .service()
        .add_note(call.agent, &id, &body.content)
        .await?;
    Ok(ApiResponse::json(201, &note))
}

/// `POST /v1/chat/sessions/{id}/typing`.
pub(super) async fn typing(call: &AgentCall<'_>) -> ChatResult<ApiResponse> {
    let body: TypingRequest = call.json()?;
    let id: SessionId = call.id();
    call.service()
        .set_typing(&call.actor(), &id, body.is_typing, body.preview)
        .await?;
    Ok(ApiResponse::empty(204))
}

/// `POST /v1/chat/sessions/{id}/read`.
pub(super) async fn mark_read(call: &AgentCall<'_>) -> ChatResult<ApiResponse> {
    let body: ReadRequest = call.json()?;
    let id: SessionId = call.id();
    let marker = call
        .service()
        .mark_read(&call.actor(), &id, body.seq)
        .await?;
    Ok(ApiResponse::json(200, &ReadMarkerView::from(&marker)))
}
