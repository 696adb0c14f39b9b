//! The agent REST endpoints (`/v1/chat/...`, bearer-authenticated by the host's
//! authenticator), plus the health probes.

use super::body::{json_body, Query};
use super::envelopes::{
    AgentList, AgentStartedSession, CannedList, CustomerContext, EmbedCode, MessageList, NoteList,
    ProbeStatus, SessionList, SocketTicket, TicketCreated, WidgetList,
};
use super::errors::{error_response, method_not_allowed, route_not_found};
use super::views::{
    AgentView, AttachmentView, CannedView, MessageView, ReadMarkerView, SessionView, WidgetView,
};
use super::{ApiRequest, ApiResponse, ChatApi};
use crate::auth::Actor;
use crate::domain::{Agent, SessionStatus, WidgetDefaults, WidgetInput};
use crate::error::{ChatError, ChatResult};
use crate::ids::{AgentId, AttachmentId, CannedResponseId, SessionId, WidgetId};
use crate::service::{SendMessage, StartAgentSession, TransferRequest, UploadedFile};
use crate::store::{HistoryQuery, SessionCursor, SessionFilter};
use serde::Deserialize;

pub(crate) fn healthz() -> ApiResponse {
    ApiResponse::json(200, &ProbeStatus { status: "ok" })
}

pub(crate) async fn readyz(api: &ChatApi) -> ApiResponse {
    match api.service().store().ping().await {
        Ok(()) => ApiResponse::json(200, &ProbeStatus { status: "ready" }),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            ApiResponse::json(
                503,
                &ProbeStatus {
                    status: "unavailable",
                },
            )
        }
    }
}

pub(crate) async fn dispatch(api: &ChatApi, req: &ApiRequest, rest: &[&str]) -> ApiResponse {
    let allowed = match allowed_methods(rest) {
        Some(allowed) => allowed,
        None => return route_not_found(),
    };
    if !allowed.split(", ").any(|m| m == req.method) {
        return method_not_allowed(allowed);
    }
    let agent = match api.inner.agents.authenticate(&req.parts()).await {
        Ok(agent) => agent,
        Err(e) => return error_response(&e),
    };
    match route(api, req, rest, &agent).await {
        Ok(response) => response,
        Err(e) => error_response(&e),
    }
}

/// The methods each agent path takes; `None` for unknown paths.
fn allowed_methods(rest: &[&str]) -> Option<&'static str> {
    Some(match rest {
        ["sessions"] => "GET, POST",
        ["sessions", _] => "GET",
        ["sessions", _, "messages"] | ["sessions", _, "notes"] => "GET, POST",
        ["sessions", _, "assign" | "transfer" | "end" | "typing" | "read" | "ticket" | "attachments"] => {
            "POST"
        }
        ["sessions", _, "customer"] => "GET",
        ["attachments", _] => "GET",
        ["canned-responses"] => "GET, POST",
        ["canned-responses", _] => "PUT, DELETE",
        ["widgets"] => "GET, POST",
        ["widgets", _] => "GET, PUT, DELETE",
        ["widgets", _, "embed"] => "GET",
        ["me"] | ["agents"] => "GET",
        ["ws-ticket"] => "POST",
        _ => return None,
    })
}

async fn route(
    api: &ChatApi,
    req: &ApiRequest,
    rest: &[&str],
    agent: &Agent,
) -> ChatResult<ApiResponse> {
    let svc = api.service();
    let max = api.config().max_json_body_bytes;
    let actor = Actor::Agent(agent);
    let m = req.method.as_str();
    match (m, rest) {
        ("GET", ["sessions"]) => {
            let q = Query::parse(&req.query);
            let filter = SessionFilter {
                project_ids: None,
                status: q
                    .get("status")
                    .map(|s| {
                        SessionStatus::parse(s).ok_or_else(|| {
                            ChatError::invalid(
                                "status",
                                "must be waiting, active, transferred or ended",
                            )
                        })
                    })
                    .transpose()?,
                assigned_agent_id: q.get("assigned_agent_id").map(AgentId::from),
                unassigned_only: q.flag("unassigned")?,
                widget_id: q.get("widget_id").map(WidgetId::from),
                query: q.get("q").map(str::to_owned),
                cursor: q
                    .get("cursor")
                    .map(|c| {
                        SessionCursor::decode(c).ok_or_else(|| {
                            ChatError::invalid("cursor", "is not a cursor from this API")
                        })
                    })
                    .transpose()?,
                limit: limit(&q, 50)?,
            };
            let page = svc.list_sessions(agent, filter).await?;
            let sessions: Vec<SessionView> = page.sessions.iter().map(SessionView::from).collect();
            Ok(ApiResponse::json(
                200,
                &SessionList {
                    sessions,
                    next_cursor: page.next_cursor.map(|c| c.encode()),
                },
            ))
        }
        ("POST", ["sessions"]) => {
            let body: StartAgentSession = json_body(req, max)?;
            let started = svc.start_agent_session(agent, body).await?;
            let customer_join_url = api
                .customer_join_url(req, &started.session, &started.customer_token)
                .await;
            let body = AgentStartedSession {
                session: SessionView::from(&started.session),
                customer_token: &started.customer_token,
                customer_join_url,
            };
            Ok(ApiResponse::json(201, &body))
        }
        ("GET", ["sessions", id]) => {
            let s = svc.get_session(&actor, &SessionId::from(*id)).await?;
            Ok(ApiResponse::json(200, &SessionView::from(&s)))
        }
        ("POST", ["sessions", id, "messages"]) => {
            let body: SendMessage = json_body(req, max)?;
            let appended = svc
                .send_message(&actor, &SessionId::from(*id), body)
                .await?;
            Ok(ApiResponse::json(
                if appended.created { 201 } else { 200 },
                &MessageView::from(&appended.message),
            ))
        }
        ("GET", ["sessions", id, "messages"]) => {
            let q = Query::parse(&req.query);
            let messages = svc
                .history(&actor, &SessionId::from(*id), history_query(&q)?)
                .await?;
            let views: Vec<MessageView> = messages.iter().map(MessageView::from).collect();
            Ok(ApiResponse::json(200, &MessageList { messages: views }))
        }
        ("POST", ["sessions", id, "assign"]) => {
            #[derive(Deserialize)]
            struct Assign {
                #[serde(default)]
                agent_id: Option<AgentId>,
            }
            let body: Assign = json_body(req, max)?;
            let s = svc
                .assign_session(agent, &SessionId::from(*id), body.agent_id.as_ref())
                .await?;
            Ok(ApiResponse::json(200, &SessionView::from(&s)))
        }
        ("POST", ["sessions", id, "transfer"]) => {
            let body: TransferRequest = json_body(req, max)?;
            let s = svc
                .transfer_session(agent, &SessionId::from(*id), body)
                .await?;
            Ok(ApiResponse::json(200, &SessionView::from(&s)))
        }
        ("POST", ["sessions", id, "end"]) => {
            let s = svc.end_session(&actor, &SessionId::from(*id)).await?;
            Ok(ApiResponse::json(200, &SessionView::from(&s)))
        }
        ("GET", ["sessions", id, "notes"]) => {
            let notes = svc.list_notes(&actor, &SessionId::from(*id)).await?;
            Ok(ApiResponse::json(200, &NoteList { notes: &notes }))
        }
        ("POST", ["sessions", id, "notes"]) => {
            #[derive(Deserialize)]
            struct NewNote {
                content: String,
            }
            let body: NewNote = json_body(req, max)?;
            let note = svc
                .add_note(agent, &SessionId::from(*id), &body.content)
                .await?;
            Ok(ApiResponse::json(201, &note))
        }
        ("GET", ["sessions", id, "customer"]) => {
            let id = SessionId::from(*id);
            let s = svc.get_session(&actor, &id).await?;
            let previous = svc.customer_history(agent, &id).await?;
            let views: Vec<SessionView> = previous.iter().map(SessionView::from).collect();
            Ok(ApiResponse::json(
                200,
                &CustomerContext {
                    customer_email: s.customer_email.as_deref(),
                    customer_name: s.customer_name.as_deref(),
                    customer_verified: s.customer_verified,
                    previous_sessions: views,
                },
            ))
        }
        ("POST", ["sessions", id, "typing"]) => {
            let body: Typing = json_body(req, max)?;
            svc.set_typing(&actor, &SessionId::from(*id), body.is_typing)
                .await?;
            Ok(ApiResponse::empty(204))
        }
        ("POST", ["sessions", id, "read"]) => {
            let body: Read = json_body(req, max)?;
            let marker = svc
                .mark_read(&actor, &SessionId::from(*id), body.seq)
                .await?;
            Ok(ApiResponse::json(200, &ReadMarkerView::from(&marker)))
        }
        ("POST", ["sessions", id, "ticket"]) => {
            #[derive(Deserialize)]
            struct Ticket {
                #[serde(default)]
                subject: Option<String>,
            }
            let body: Ticket = json_body(req, max)?;
            let t = svc
                .create_ticket(agent, &SessionId::from(*id), body.subject)
                .await?;
            Ok(ApiResponse::json(
                201,
                &TicketCreated {
                    ticket_id: &t.id,
                    url: t.url.as_deref(),
                },
            ))
        }
        ("POST", ["sessions", id, "attachments"]) => {
            let file = upload_from(req, api.config().max_upload_body_bytes).await?;
            let a = svc
                .upload_attachment(&actor, &SessionId::from(*id), file)
                .await?;
            Ok(ApiResponse::json(201, &AttachmentView::from(&a)))
        }
        ("GET", ["attachments", id]) => {
            let (a, bytes) = svc
                .download_attachment(&actor, &AttachmentId::from(*id))
                .await?;
            Ok(file_response(&a, bytes))
        }
        ("GET", ["canned-responses"]) => {
            let list = svc.list_canned_responses(agent).await?;
            let views: Vec<CannedView> = list.iter().map(CannedView::from).collect();
            Ok(ApiResponse::json(
                200,
                &CannedList {
                    canned_responses: views,
                },
            ))
        }
        ("POST", ["canned-responses"]) => {
            let body: CannedBody = json_body(req, max)?;
            let c = svc
                .create_canned_response(
                    agent,
                    body.shortcut
                        .as_deref()
                        .ok_or_else(|| ChatError::invalid("shortcut", "is required"))?,
                    body.text
                        .as_deref()
                        .ok_or_else(|| ChatError::invalid("text", "is required"))?,
                )
                .await?;
            Ok(ApiResponse::json(201, &CannedView::from(&c)))
        }
        ("PUT", ["canned-responses", id]) => {
            let body: CannedBody = json_body(req, max)?;
            let c = svc
                .update_canned_response(
                    agent,
                    &CannedResponseId::from(*id),
                    body.shortcut.as_deref(),
                    body.text.as_deref(),
                )
                .await?;
            Ok(ApiResponse::json(200, &CannedView::from(&c)))
        }
        ("DELETE", ["canned-responses", id]) => {
            svc.delete_canned_response(agent, &CannedResponseId::from(*id))
                .await?;
            Ok(ApiResponse::empty(204))
        }
        ("GET", ["widgets"]) => {
            let widgets = svc.list_widgets(agent).await?;
            let views: Vec<WidgetView> =
                widgets.iter().map(|w| WidgetView::new(w, agent)).collect();
            Ok(ApiResponse::json(
                200,
                &WidgetList {
                    widgets: views,
                    defaults: WidgetDefaults::NEW_WIDGET,
                },
            ))
        }
        ("POST", ["widgets"]) => {
            let input: WidgetInput = json_body(req, max)?;
            let w = svc.create_widget(agent, input).await?;
            Ok(ApiResponse::json(201, &WidgetView::new(&w, agent)))
        }
        ("GET", ["widgets", id]) => {
            let w = svc.get_widget(agent, &WidgetId::from(*id)).await?;
            Ok(ApiResponse::json(200, &WidgetView::new(&w, agent)))
        }
        ("PUT", ["widgets", id]) => {
            let input: WidgetInput = json_body(req, max)?;
            let w = svc
                .update_widget(agent, &WidgetId::from(*id), input)
                .await?;
            Ok(ApiResponse::json(200, &WidgetView::new(&w, agent)))
        }
        ("DELETE", ["widgets", id]) => {
            svc.delete_widget(agent, &WidgetId::from(*id)).await?;
            Ok(ApiResponse::empty(204))
        }
        ("GET", ["widgets", id, "embed"]) => {
            let w = svc.get_widget(agent, &WidgetId::from(*id)).await?;
            let script_url = format!("{}/chat-widget.js", api.base_url(req));
            Ok(ApiResponse::json(
                200,
                &EmbedCode {
                    embed_code: super::embed::embed_snippet(&script_url, w.id.as_str(), &w.domain),
                    script_url,
                },
            ))
        }
        ("GET", ["me"]) => Ok(ApiResponse::json(200, &AgentView::from(agent))),
        ("GET", ["agents"]) => {
            let agents = svc.store().list_agents(&agent.tenant_id).await?;
            let views: Vec<AgentView> = agents.iter().map(AgentView::from).collect();
            Ok(ApiResponse::json(200, &AgentList { agents: views }))
        }
        ("POST", ["ws-ticket"]) => {
            let ttl = api.config().ws_ticket_ttl;
            let ticket = api.inner.tickets.issue(agent.clone(), ttl);
            Ok(ApiResponse::json(
                201,
                &SocketTicket {
                    ticket,
                    expires_in: ttl.as_secs(),
                },
            ))
        }
        _ => Ok(route_not_found()),
    }
}

#[derive(Deserialize)]
pub(crate) struct Typing {
    pub(crate) is_typing: bool,
}

#[derive(Deserialize)]
pub(crate) struct Read {
    pub(crate) seq: i64,
}

#[derive(Deserialize)]
struct CannedBody {
    #[serde(default)]
    shortcut: Option<String>,
    #[serde(default)]
    text: Option<String>,
}

pub(crate) fn limit(q: &Query, default: u32) -> ChatResult<u32> {
    match q.int("limit")? {
        None => Ok(default),
        Some(n) if (1..=i64::from(crate::store::MAX_PAGE_SIZE)).contains(&n) => Ok(n as u32),
        Some(_) => Err(ChatError::invalid(
            "limit",
            format!("must be between 1 and {}", crate::store::MAX_PAGE_SIZE),
        )),
    }
}

pub(crate) fn history_query(q: &Query) -> ChatResult<HistoryQuery> {
    Ok(HistoryQuery {
        after_seq: q.int("after_seq")?,
        before_seq: q.int("before_seq")?,
        limit: limit(q, 100)?,
    })
}

/// Reads an upload: `multipart/form-data` with a `file` part, or the raw body with
/// `?filename=`.
pub(crate) async fn upload_from(req: &ApiRequest, max_bytes: usize) -> ChatResult<UploadedFile> {
    if req.body.len() > max_bytes {
        return Err(ChatError::PayloadTooLarge("upload too large".into()));
    }
    let content_type = req.header("content-type").unwrap_or("");
    if content_type
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        let boundary = multer::parse_boundary(content_type)
            .map_err(|_| ChatError::invalid("file", "multipart body without a boundary"))?;
        let body = req.body.clone();
        let stream =
            futures::stream::once(async move { Ok::<_, std::io::Error>(bytes::Bytes::from(body)) });
        let mut multipart = multer::Multipart::new(stream, boundary);
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|e| ChatError::invalid("file", format!("malformed multipart body: {e}")))?
        {
            if field.name() == Some("file") {
                let file_name = field.file_name().unwrap_or("file").to_owned();
                let bytes = field.bytes().await.map_err(|e| {
                    ChatError::invalid("file", format!("malformed multipart body: {e}"))
                })?;
                return Ok(UploadedFile {
                    file_name,
                    bytes: bytes.to_vec(),
                });
            }
        }
        return Err(ChatError::invalid(
            "file",
            "the multipart body has no `file` part",
        ));
    }
    let q = Query::parse(&req.query);
    Ok(UploadedFile {
        file_name: q.get("filename").unwrap_or("file").to_owned(),
        bytes: req.body.clone(),
    })
}

/// Serves a stored file: `nosniff` always; inline only for safe images.
pub(crate) fn file_response(a: &crate::domain::Attachment, bytes: Vec<u8>) -> ApiResponse {
    let disposition_kind = if crate::upload::is_inline_image(&a.content_type) {
        "inline"
    } else {
        "attachment"
    };
    let ascii_name: String = a
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = url::form_urlencoded::byte_serialize(a.name.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    ApiResponse {
        status: 200,
        headers: vec![
            ("content-type".to_owned(), a.content_type.clone()),
            ("x-content-type-options".to_owned(), "nosniff".to_owned()),
            (
                "content-disposition".to_owned(),
                format!(
                    "{disposition_kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{encoded}"
                ),
            ),
            (
                "cache-control".to_owned(),
                "private, max-age=300".to_owned(),
            ),
            (
                "content-security-policy".to_owned(),
                "default-src 'none'; sandbox".to_owned(),
            ),
        ],
        body: bytes,
    }
}

impl ChatApi {
    /// The externally visible URL of the mount point: configured (it then includes any
    /// prefix), or from `Host` / `X-Forwarded-Proto` and the request's mount prefix.
    pub(crate) fn base_url(&self, req: &ApiRequest) -> String {
        if let Some(base) = &self.config().public_base_url {
            return base.trim_end_matches('/').to_owned();
        }
        format!("{}{}", self.server_origin(req), req.mount_prefix)
    }

    /// The server's own origin (`scheme://host[:port]`, no path): of the configured base URL,
    /// or from `Host` / `X-Forwarded-Proto`.
    pub(crate) fn server_origin(&self, req: &ApiRequest) -> String {
        if let Some(base) = &self.config().public_base_url {
            if let Ok(url) = url::Url::parse(base) {
                return url.origin().ascii_serialization();
            }
        }
        let host = req.header("host").unwrap_or("localhost");
        let proto = req.header("x-forwarded-proto").unwrap_or("http");
        let proto = if proto == "https" { "https" } else { "http" };
        format!("{proto}://{host}")
    }

    /// The join link of an agent-started session.
    pub(crate) async fn customer_join_url(
        &self,
        req: &ApiRequest,
        session: &crate::domain::Session,
        token: &str,
    ) -> String {
        let domain = self
            .service()
            .store()
            .get_widget(&session.tenant_id, &session.widget_id)
            .await
            .map(|w| w.domain)
            .unwrap_or_default();
        let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        self.config()
            .customer_join_url_template
            .replace("{base}", &self.base_url(req))
            .replace("{domain}", &domain)
            .replace("{widget_id}", &enc(session.widget_id.as_str()))
            .replace("{token}", &enc(token))
    }
}
