//! Widgets: settings (list, create, read, update, delete) and the embed code.

use super::AgentCall;
use crate::domain::{WidgetDefaults, WidgetInput};
use crate::error::ChatResult;
use crate::ids::WidgetId;
use crate::protocol::embed::embed_snippet;
use crate::protocol::envelopes::{EmbedCode, WidgetList};
use crate::protocol::views::WidgetView;
use crate::protocol::ApiResponse;

/// `GET /v1/chat/widgets`.
pub(super) async fn list(call: &AgentCall<'_>) -> ChatResult<ApiResponse> {
    let widgets = call.service().list_widgets(call.agent).await?;
    let widgets = widgets
        .iter()
        .map(|w| WidgetView::new(w, call.agent))
        .collect();
    let body = WidgetList {
        widgets,
        defaults: WidgetDefaults::NEW_WIDGET,
    };
    Ok(ApiResponse::json(200, &body))
}

/// `POST /v1/chat/widgets` (admins).
pub(super) async fn create(call: &AgentCall<'_>) -> ChatResult<ApiResponse> {
    let input: WidgetInput = call.json()?;
    let widget = call.service().create_widget(call.agent, input).await?;
    Ok(ApiResponse::json(
        201,
        &WidgetView::new(&widget, call.agent),
    ))
}

/// `GET /v1/chat/widgets/{id}`.
pub(super) async fn get(call: &AgentCall<'_>) -> ChatResult<ApiResponse> {
    let id: WidgetId = call.id();
    let widget = call.service().get_widget(call.agent, &id).await?;
    Ok(ApiResponse::json(
        200,
        &WidgetView::new(&widget, call.agent),
    ))
}

/// `PUT /v1/chat/widgets/{id}` (admins).
pub(super) async fn update(call: &AgentCall<'_>) -> ChatResult<ApiResponse> {
    let input: WidgetInput = call.json()?;
    let id: WidgetId = call.id();
    let widget = call.service().update_widget(call.agent, &id, input).await?;
    Ok(ApiResponse::json(
        200,
        &WidgetView::new(&widget, call.agent),
    ))
}

/// `DELETE /v1/chat/widgets/{id}` (admins).
pub(super) async fn delete(call: &AgentCall<'_>) -> ChatResult<ApiResponse> {
    let id: WidgetId = call.id();
    call.service().delete_widget(call.agent, &id).await?;
    Ok(ApiResponse::empty(204))
}

/// `GET /v1/chat/widgets/{id}/embed`: the snippet, loading the script below the mount point.
pub(super) async fn embed_code(call: &AgentCall<'_>) -> ChatResult<ApiResponse> {
    let id: WidgetId = call.id();
    let widget = call.service().get_widget(call.agent, &id).await?;
    let script_url = format!("{}/chat-widget.js", call.api.base_url(call.req));
    let body = EmbedCode {
        embed_code: embed_snippet(&script_url, widget.id.as_str(), &widget.domain),
        script_url,
    };
    Ok(ApiResponse::json(200, &body))
}
