//! The REST response bodies that are not a single view: list envelopes, the answers of the
//! actions that return more than one object, health probes and the error body. Each is a type,
//! so a renamed field is a compile error here rather than a broken browser.

use super::views::{
    CannedView, CustomerSessionView, DepartmentView, MessageView, SessionView, TeamMemberView,
    WidgetView,
};
use crate::domain::{Note, WidgetDefaults};
use crate::ids::SessionId;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// `{"error": {...}}`: every error answer.
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct ErrorBody<'a> {
    /// What went wrong.
    pub error: ErrorDetail<'a>,
}

/// The inside of an error answer.
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct ErrorDetail<'a> {
    /// The stable error code (`docs/protocol.md`).
    #[cfg_attr(feature = "typescript", ts(as = "crate::error::ErrorCode"))]
    pub code: &'a str,
    /// A human-readable message.
    pub message: &'a str,
    /// The offending field, for validation errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub field: Option<&'a str>,
    /// When chat opens next, for `outside_business_hours`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub next_open_at: Option<Option<DateTime<Utc>>>,
}

/// `GET /healthz` and `GET /readyz`.
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct ProbeStatus {
    /// `ok`, `ready` or `unavailable`.
    #[cfg_attr(feature = "typescript", ts(type = r#""ok" | "ready" | "unavailable""#))]
    pub status: &'static str,
}

/// `GET /v1/chat/sessions`.
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct SessionList<'a> {
    /// One page of sessions, newest activity first.
    pub sessions: Vec<SessionView<'a>>,
    /// The cursor of the next page, `null` on the last.
    pub next_cursor: Option<String>,
}

/// `POST /v1/chat/sessions` (agent-started): the session plus what reaches the customer.
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct AgentStartedSession<'a> {
    /// The new session.
    #[serde(flatten)]
    pub session: SessionView<'a>,
    /// The customer's bearer token.
    pub customer_token: &'a str,
    /// The link that opens the session in the widget for the customer.
    pub customer_join_url: String,
}

/// `POST /v1/chat/public/widgets/{id}/sessions` (customer-started).
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct CustomerStartedSession<'a> {
    /// The session as its customer sees it.
    pub session: CustomerSessionView<'a>,
    /// The customer's bearer token.
    pub customer_token: &'a str,
}

/// `POST /v1/chat/public/widgets/{id}/contact`.
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct ContactReceived<'a> {
    /// The ended session that records the contact request.
    pub session_id: &'a SessionId,
}

/// A page of a session's messages (agent and customer history).
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct MessageList<'a> {
    /// Messages in `seq` order.
    pub messages: Vec<MessageView<'a>>,
}

/// `GET /v1/chat/sessions/{id}/notes`.
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct NoteList<'a> {
    /// The session's internal notes, oldest first.
    pub notes: &'a [Note],
}

/// `GET /v1/chat/sessions/{id}/customer`.
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct CustomerContext<'a> {
    /// The customer's email, if known.
    pub customer_email: Option<&'a str>,
    /// The customer's name, if known.
    pub customer_name: Option<&'a str>,
    /// Whether the identity was verified by the host's signature.
    pub customer_verified: bool,
    /// The customer's other sessions in the agent's scope.
    pub previous_sessions: Vec<SessionView<'a>>,
    /// What the widget reported last about the visit (page, browser, language, time zone);
    /// `null` when it reported nothing.
    pub context: Option<&'a crate::domain::VisitContext>,
}

/// `POST /v1/chat/sessions/{id}/ticket`.
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct TicketCreated<'a> {
    /// The host's ticket id.
    pub ticket_id: &'a str,
    /// Where the ticket is shown, if the host has a URL for it.
    pub url: Option<&'a str>,
}

/// `GET /v1/chat/canned-responses`.
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct CannedList<'a> {
    /// The tenant's quick responses.
    pub canned_responses: Vec<CannedView<'a>>,
}

/// `GET /v1/chat/widgets`.
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct WidgetList<'a> {
    /// The widgets the agent may see.
    pub widgets: Vec<WidgetView<'a>>,
    /// What a new widget starts with (the console's "Create Widget" form).
    pub defaults: WidgetDefaults,
}

/// `GET /v1/chat/widgets/{id}/embed`.
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct EmbedCode {
    /// The HTML snippet to paste before `</body>`.
    pub embed_code: String,
    /// Where the widget script is served.
    pub script_url: String,
}

/// `GET /v1/chat/agents`.
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct AgentList<'a> {
    /// The tenant's agents.
    pub agents: Vec<TeamMemberView<'a>>,
}

/// `GET /v1/chat/departments`.
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct DepartmentList<'a> {
    /// The tenant's departments, by name.
    pub departments: Vec<DepartmentView<'a>>,
}

/// `POST /v1/chat/ws-ticket`.
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct SocketTicket {
    /// The one-time ticket for `/v1/chat/ws?ticket=…`.
    pub ticket: String,
    /// Seconds until it expires.
    pub expires_in: u64,
}

/// `GET /v1/chat/audit`.
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct AuditList<'a> {
    /// One page of the tenant's audit log, newest first.
    pub entries: &'a [crate::domain::AuditEntry],
    /// The cursor of the next page, `null` on the last.
    pub next_cursor: Option<String>,
}

/// `POST /v1/chat/customers/erase`.
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct CustomerErased {
    /// How many sessions were deleted.
    pub erased_sessions: usize,
}

/// `GET /v1/chat/customers/export`: everything stored about one customer in the tenant.
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct CustomerExport<'a> {
    /// The email asked for.
    pub customer_email: &'a str,
    /// Their sessions, newest first.
    pub sessions: Vec<ExportedSession<'a>>,
}

/// One session of a [`CustomerExport`].
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct ExportedSession<'a> {
    /// The session.
    pub session: SessionView<'a>,
    /// Its whole conversation in `seq` order (attachments' metadata inside).
    pub messages: Vec<MessageView<'a>>,
    /// What the widget reported about the visit, `null` when nothing.
    pub context: Option<&'a crate::domain::VisitContext>,
}
