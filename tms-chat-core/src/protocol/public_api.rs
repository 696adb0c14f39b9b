//! The customer (widget) endpoints under `/v1/chat/public/widgets/{widgetId}/...`: public
//! configuration, starting a session, the offline contact form, and the customer-token calls
//! on its own session. Every request must carry an `Origin` the widget allows; responses carry
//! CORS headers for that origin (see `cors`).

use super::agent_api::{file_response, history_query, upload_from, Read, Typing};
use super::body::{json_body, Query};
use super::cors::{preflight_granted, preflight_refused, with_cors};
use super::envelopes::{ContactReceived, CustomerStartedSession, MessageList};
use super::errors::{error_response, method_not_allowed, route_not_found};
use super::views::{
    AttachmentView, CustomerSessionView, MessageView, PublicAgentView, ReadMarkerView,
};
use super::{ApiRequest, ApiResponse, ChatApi};
use crate::auth::{Actor, CustomerPrincipal};
use crate::domain::{Session, Widget};
use crate::error::{ChatError, ChatResult};
use crate::ids::{AttachmentId, WidgetId};
use crate::service::{SendMessage, StartCustomerSession};
use serde::Deserialize;

pub(crate) fn widget_script(api: &ChatApi) -> ApiResponse {
    match &api.config().widget_script {
        Some(script) => ApiResponse {
            status: 200,
            headers: vec![
                (
                    "content-type".to_owned(),
                    "application/javascript; charset=utf-8".to_owned(),
                ),
                ("cache-control".to_owned(), "public, max-age=300".to_owned()),
                ("access-control-allow-origin".to_owned(), "*".to_owned()),
                ("x-content-type-options".to_owned(), "nosniff".to_owned()),
            ],
            body: bytes::Bytes::copy_from_slice(script.as_bytes()),
        },
        None => route_not_found(),
    }
}

fn allowed_methods(rest: &[&str]) -> Option<&'static str> {
    Some(match rest {
        [] => "GET",
        ["sessions"] | ["contact"] => "POST",
        ["session"] => "GET, PATCH",
        ["session", "messages"] => "GET, POST",
        ["session", "attachments" | "typing" | "read" | "end"] => "POST",
        ["attachments", _] => "GET",
        ["ws"] => "GET",
        _ => return None,
    })
}

/// The origin a widget request comes from: its `Origin` header; or, for a same-origin request
/// (browsers omit `Origin` on same-origin GETs but always send `Sec-Fetch-Site`, which pages
/// cannot set), the server's own origin. `Referer` is never used.
pub(crate) fn request_origin(api: &ChatApi, req: &ApiRequest) -> Option<String> {
    match req.header("origin") {
        Some(origin) => Some(origin.to_owned()),
        None if req
            .header("sec-fetch-site")
            .is_some_and(|s| s.eq_ignore_ascii_case("same-origin")) =>
        {
            Some(api.server_origin(req))
        }
        None => None,
    }
}

pub(crate) async fn dispatch(
    api: &ChatApi,
    req: ApiRequest,
    widget: &str,
    rest: &[&str],
) -> ApiResponse {
    let origin = req.header("origin").map(str::to_owned);
    let widget_id = WidgetId::from(widget);
    let Some(allowed) = allowed_methods(rest) else {
        return with_cors(route_not_found(), origin.as_deref());
    };
    if req.method == "OPTIONS" {
        return match api
            .service()
            .widget_for_origin(&widget_id, origin.as_deref())
            .await
        {
            Ok(_) => preflight_granted(origin.as_deref().unwrap_or_default()),
            Err(_) => preflight_refused(),
        };
    }
    if !allowed.split(", ").any(|m| m == req.method) {
        return with_cors(method_not_allowed(allowed), origin.as_deref());
    }
    if rest == ["ws"] {
        return with_cors(
            super::errors::protocol_error(
                426,
                "upgrade_required",
                "this endpoint speaks WebSocket",
            ),
            origin.as_deref(),
        );
    }
    let effective_origin = request_origin(api, &req);
    let response = match route(api, &req, &widget_id, effective_origin.as_deref(), rest).await {
        Ok(r) => r,
        Err(e) => error_response(&e),
    };
    with_cors(response, origin.as_deref())
}

async fn route(
    api: &ChatApi,
    req: &ApiRequest,
    widget_id: &WidgetId,
    origin: Option<&str>,
    rest: &[&str],
) -> ChatResult<ApiResponse> {
    let svc = api.service();
    let max = api.config().max_json_body_bytes;
    match (req.method.as_str(), rest) {
        ("GET", []) => {
            let config = svc.public_widget_config(widget_id, origin).await?;
            Ok(ApiResponse::json(200, &config))
        }
        ("POST", ["sessions"]) => {
            let body: StartCustomerSession = json_body(req, max)?;
            let started = svc.start_customer_session(widget_id, origin, body).await?;
            let widget = svc.widget_for_origin(widget_id, origin).await?;
            let view = api.customer_view(&started.session, &widget).await;
            Ok(ApiResponse::json(
                201,
                &CustomerStartedSession {
                    session: view,
                    customer_token: &started.customer_token,
                },
            ))
        }
        ("POST", ["contact"]) => {
            #[derive(Deserialize)]
            struct Contact {
                #[serde(default)]
                customer_name: Option<String>,
                #[serde(default)]
                customer_email: Option<String>,
                #[serde(default)]
                message: String,
            }
            let body: Contact = json_body(req, max)?;
            let session = svc
                .submit_offline_contact(
                    widget_id,
                    origin,
                    body.customer_name,
                    body.customer_email,
                    body.message,
                )
                .await?;
            Ok(ApiResponse::json(
                201,
                &ContactReceived {
                    session_id: &session.id,
                },
            ))
        }
        _ => {
            let (widget, customer) = api.customer_for(req, widget_id, origin).await?;
            let actor = Actor::Customer(&customer);
            customer_route(api, req, rest, &widget, &customer, &actor, max).await
        }
    }
}

async fn customer_route(
    api: &ChatApi,
    req: &ApiRequest,
    rest: &[&str],
    widget: &Widget,
    customer: &CustomerPrincipal,
    actor: &Actor<'_>,
    max: usize,
) -> ChatResult<ApiResponse> {
    let svc = api.service();
    let sid = &customer.session_id;
    match (req.method.as_str(), rest) {
        ("GET", ["session"]) => {
            let s = svc.get_session(actor, sid).await?;
            Ok(ApiResponse::json(200, &api.customer_view(&s, widget).await))
        }
        ("PATCH", ["session"]) => {
            #[derive(Deserialize)]
            struct Visitor {
                #[serde(default)]
                customer_name: Option<String>,
                #[serde(default)]
                customer_email: Option<String>,
            }
            let body: Visitor = json_body(req, max)?;
            let s = svc
                .update_customer(actor, sid, body.customer_name, body.customer_email)
                .await?;
            Ok(ApiResponse::json(200, &api.customer_view(&s, widget).await))
        }
        ("GET", ["session", "messages"]) => {
            let q = Query::parse(&req.query);
            let messages = svc.history(actor, sid, history_query(&q)?).await?;
            let views: Vec<MessageView> = messages.iter().map(MessageView::from).collect();
            Ok(ApiResponse::json(200, &MessageList { messages: views }))
        }
        ("POST", ["session", "messages"]) => {
            let body: SendMessage = json_body(req, max)?;
            let appended = svc.send_message(actor, sid, body).await?;
            Ok(ApiResponse::json(
                if appended.created { 201 } else { 200 },
                &MessageView::from(&appended.message),
            ))
        }
        ("POST", ["session", "attachments"]) => {
            let file = upload_from(req, api.config().max_upload_body_bytes).await?;
            let a = svc.upload_attachment(actor, sid, file).await?;
            Ok(ApiResponse::json(201, &AttachmentView::from(&a)))
        }
        ("POST", ["session", "typing"]) => {
            let body: Typing = json_body(req, max)?;
            svc.set_typing(actor, sid, body.is_typing).await?;
            Ok(ApiResponse::empty(204))
        }
        ("POST", ["session", "read"]) => {
            let body: Read = json_body(req, max)?;
            let marker = svc.mark_read(actor, sid, body.seq).await?;
            Ok(ApiResponse::json(200, &ReadMarkerView::from(&marker)))
        }
        ("POST", ["session", "end"]) => {
            let s = svc.end_session(actor, sid).await?;
            Ok(ApiResponse::json(200, &api.customer_view(&s, widget).await))
        }
        ("GET", ["attachments", id]) => {
            let (a, bytes) = svc
                .download_attachment(actor, &AttachmentId::from(*id))
                .await?;
            Ok(file_response(&a, bytes))
        }
        _ => Ok(route_not_found()),
    }
}

impl ChatApi {
    /// Checks the origin and the customer's bearer token, which must belong to a session of
    /// this widget.
    pub(crate) async fn customer_for(
        &self,
        req: &ApiRequest,
        widget_id: &WidgetId,
        origin: Option<&str>,
    ) -> ChatResult<(Widget, CustomerPrincipal)> {
        let widget = self.service().widget_for_origin(widget_id, origin).await?;
        let token = req
            .parts()
            .bearer_token()
            .map(str::to_owned)
            .or_else(|| Query::parse(&req.query).get("token").map(str::to_owned));
        let token = token.ok_or(ChatError::Unauthorized)?;
        let customer = self.service().authenticate_customer(&token).await?;
        if &customer.widget_id != widget_id {
            return Err(ChatError::Unauthorized);
        }
        Ok((widget, customer))
    }

    /// A session as its customer sees it, with the assigned agent's public profile.
    pub(crate) async fn customer_view<'a>(
        &self,
        session: &'a Session,
        widget: &Widget,
    ) -> CustomerSessionView<'a> {
        let agent = match &session.assigned_agent_id {
            Some(id) => self
                .inner
                .agents
                .profile(&session.tenant_id, id)
                .await
                .map(|a| PublicAgentView::of(&a, widget.show_agent_avatars)),
            None => None,
        };
        CustomerSessionView::new(session, agent)
    }
}
