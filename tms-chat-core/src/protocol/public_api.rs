//! The customer (widget) endpoints under `/v1/chat/public/widgets/{widgetId}/...`: public
//! configuration, starting a session, the offline contact form, and the customer-token calls
//! on its own session. Every request must carry an `Origin` the widget allows; responses carry
//! CORS headers for that origin (see `cors`). Which endpoint a request reaches is decided by
//! the route table (`routes`).

use super::abuse::FrameKind;
use super::agent_api::{file_response, history_query, upload_from};
use super::body::{json_body, Query};
use super::cors::{preflight_granted, preflight_refused, with_cors};
use super::envelopes::{ContactReceived, CustomerStartedSession, MessageList};
use super::errors::{error_response, protocol_error};
use super::requests::{ContactRequest, ReadRequest, TypingRequest, VisitorRequest};
use super::routes::{Endpoint, Matched};
use super::views::{
    AttachmentView, CustomerSessionView, MessageView, PublicAgentView, ReadMarkerView,
};
use super::{ApiRequest, ApiResponse, ChatApi};
use crate::auth::{Actor, CustomerPrincipal};
use crate::domain::{Session, Widget};
use crate::error::{ChatError, ChatResult};
use crate::ids::{AttachmentId, WidgetId};
use crate::service::{SendMessage, StartCustomerSession};
use serde::de::DeserializeOwned;

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

/// A CORS preflight on a public path: granted for an origin the widget allows.
pub(crate) async fn preflight(api: &ChatApi, req: &ApiRequest, widget: &str) -> ApiResponse {
    let origin = req.header("origin");
    let widget_id = WidgetId::from(widget);
    match api.service().widget_for_origin(&widget_id, origin).await {
        Ok(_) => preflight_granted(origin.unwrap_or_default()),
        Err(_) => preflight_refused(),
    }
}

/// Answers a public endpoint, with CORS headers for the request's origin.
pub(crate) async fn handle(api: &ChatApi, req: &ApiRequest, route: &Matched<'_>) -> ApiResponse {
    let origin = req.header("origin");
    if route.endpoint == Endpoint::CustomerSocket {
        let refusal = protocol_error(426, "upgrade_required", "this endpoint speaks WebSocket");
        return with_cors(refusal, origin);
    }
    let effective_origin = request_origin(api, req);
    let call = PublicCall {
        api,
        req,
        widget_id: WidgetId::from(route.widget.unwrap_or_default()),
        origin: effective_origin.as_deref(),
        id: route.id.unwrap_or_default(),
    };
    let response = match answer(&call, route.endpoint).await {
        Ok(r) => r,
        Err(e) => error_response(&e),
    };
    with_cors(response, origin)
}

/// One public request: its widget, effective origin and route `{id}`.
struct PublicCall<'r> {
    api: &'r ChatApi,
    req: &'r ApiRequest,
    widget_id: WidgetId,
    origin: Option<&'r str>,
    id: &'r str,
}

impl PublicCall<'_> {
    fn json<T: DeserializeOwned>(&self) -> ChatResult<T> {
        json_body(self.req, self.api.config().max_json_body_bytes)
    }
}

async fn answer(call: &PublicCall<'_>, endpoint: Endpoint) -> ChatResult<ApiResponse> {
    let svc = call.api.service();
    let (widget_id, origin) = (&call.widget_id, call.origin);
    match endpoint {
        Endpoint::PublicConfig => {
            let config = svc.public_widget_config(widget_id, origin).await?;
            Ok(ApiResponse::json(200, &config))
        }
        Endpoint::PublicStartSession => start_session(call).await,
        Endpoint::PublicContact => {
            let body: ContactRequest = call.json()?;
            let session = svc
                .submit_offline_contact(
                    widget_id,
                    origin,
                    body.customer_name,
                    body.customer_email,
                    body.message,
                )
                .await?;
            let body = ContactReceived {
                session_id: &session.id,
            };
            Ok(ApiResponse::json(201, &body))
        }
        endpoint => {
            let (widget, customer) = call.api.customer_for(call.req, widget_id, origin).await?;
            let own = OwnSession {
                call,
                widget: &widget,
                customer: &customer,
            };
            own.answer(endpoint).await
        }
    }
}

async fn start_session(call: &PublicCall<'_>) -> ChatResult<ApiResponse> {
    let svc = call.api.service();
    let body: StartCustomerSession = call.json()?;
    let started = svc
        .start_customer_session(&call.widget_id, call.origin, body)
        .await?;
    let widget = svc.widget_for_origin(&call.widget_id, call.origin).await?;
    let view = call
        .api
        .customer_view(&started.session, widget.show_agent_avatars)
        .await;
    let body = CustomerStartedSession {
        session: view,
        customer_token: &started.customer_token,
    };
    Ok(ApiResponse::json(201, &body))
}

/// A customer's call on their own session (the token decided which).
struct OwnSession<'r> {
    call: &'r PublicCall<'r>,
    widget: &'r Widget,
    customer: &'r CustomerPrincipal,
}

impl OwnSession<'_> {
    async fn view(&self, session: &Session) -> ApiResponse {
        let view = self
            .call
            .api
            .customer_view(session, self.widget.show_agent_avatars)
            .await;
        ApiResponse::json(200, &view)
    }

    async fn answer(&self, endpoint: Endpoint) -> ChatResult<ApiResponse> {
        let svc = self.call.api.service();
        let actor = &Actor::Customer(self.customer);
        let sid = &self.customer.session_id;
        match endpoint {
            Endpoint::PublicGetSession => Ok(self.view(&svc.get_session(actor, sid).await?).await),
            Endpoint::PublicUpdateVisitor => {
                let body: VisitorRequest = self.call.json()?;
                let session = svc
                    .update_customer(actor, sid, body.customer_name, body.customer_email)
                    .await?;
                Ok(self.view(&session).await)
            }
            Endpoint::PublicHistory => {
                let query = history_query(&Query::parse(&self.call.req.query))?;
                let messages = svc.history(actor, sid, query).await?;
                let messages = messages.iter().map(MessageView::from).collect();
                Ok(ApiResponse::json(200, &MessageList { messages }))
            }
            Endpoint::PublicSendMessage => {
                self.call
                    .api
                    .inner
                    .abuse
                    .check_session(FrameKind::Message, sid.as_str())?;
                let body: SendMessage = self.call.json()?;
                let appended = svc.send_message(actor, sid, body).await?;
                let status = if appended.created { 201 } else { 200 };
                Ok(ApiResponse::json(
                    status,
                    &MessageView::from(&appended.message),
                ))
            }
            Endpoint::PublicUpload => {
                let limit = self.call.api.config().max_upload_body_bytes;
                let file = upload_from(self.call.req, limit).await?;
                let attachment = svc.upload_attachment(actor, sid, file).await?;
                Ok(ApiResponse::json(201, &AttachmentView::from(&attachment)))
            }
            Endpoint::PublicTyping => {
                self.call
                    .api
                    .inner
                    .abuse
                    .check_session(FrameKind::Typing, sid.as_str())?;
                let body: TypingRequest = self.call.json()?;
                svc.set_typing(actor, sid, body.is_typing, body.preview)
                    .await?;
                Ok(ApiResponse::empty(204))
            }
            Endpoint::PublicMarkRead => {
                let body: ReadRequest = self.call.json()?;
                let marker = svc.mark_read(actor, sid, body.seq).await?;
                Ok(ApiResponse::json(200, &ReadMarkerView::from(&marker)))
            }
            Endpoint::PublicEnd => Ok(self.view(&svc.end_session(actor, sid).await?).await),
            Endpoint::PublicDownload => {
                let id = AttachmentId::from(self.call.id);
                let (attachment, bytes) = svc.download_attachment(actor, &id).await?;
                Ok(file_response(&attachment, bytes))
            }
            other => Err(ChatError::Internal(
                format!("{other:?} is not a public endpoint").into(),
            )),
        }
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

    /// A session as its customer sees it, with the assigned agent's public profile (with
    /// the avatar when the widget shows avatars).
    pub(crate) async fn customer_view<'a>(
        &self,
        session: &'a Session,
        show_avatars: bool,
    ) -> CustomerSessionView<'a> {
        let agent = match &session.assigned_agent_id {
            Some(id) => self
                .inner
                .agents
                .profile(&session.tenant_id, id)
                .await
                .map(|a| PublicAgentView::of(&a, show_avatars)),
            None => None,
        };
        let queue = match self.service().queue_place(session).await {
            Ok(place) => place,
            Err(err) => {
                tracing::warn!(session_id = %session.id, error = %err, "reading the queue failed");
                None
            }
        };
        CustomerSessionView::new(session, agent, queue)
    }
}
