//! Request bodies of the REST endpoints that are not service inputs of their own (those —
//! `StartAgentSession`, `SendMessage`, `TransferRequest`, `WidgetInput`,
//! `StartCustomerSession` — live beside the service call that takes them). The field names
//! are the wire contract of `docs/protocol.md`; `widget/types/protocol.d.ts` declares them.

use crate::domain::Presence;
use crate::ids::AgentId;
use serde::Deserialize;

/// `POST /v1/chat/sessions/{id}/assign`.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(optional_fields = nullable))]
pub struct AssignRequest {
    /// Who gets the session; the acting agent when absent ("Assign to Me").
    #[serde(default)]
    pub agent_id: Option<AgentId>,
}

/// `PUT /v1/chat/me/presence`.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct PresenceRequest {
    /// `online`, `away` or `offline`.
    #[cfg_attr(feature = "typescript", ts(as = "Presence"))]
    pub status: String,
}

impl PresenceRequest {
    /// The chosen status; another word is `invalid_input` on `status` (422).
    pub fn presence(&self) -> crate::ChatResult<Presence> {
        Presence::parse(&self.status)
            .ok_or_else(|| crate::ChatError::invalid("status", "must be online, away or offline"))
    }
}

/// `POST /v1/chat/sessions/{id}/notes`.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct NoteRequest {
    /// The note's text (agents only).
    pub content: String,
}

/// `POST /v1/chat/sessions/{id}/ticket`.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(optional_fields = nullable))]
pub struct TicketRequestBody {
    /// The ticket's subject; the host's sink chooses one when absent.
    #[serde(default)]
    pub subject: Option<String>,
}

/// `POST /v1/chat/canned-responses` and `PUT /v1/chat/canned-responses/{id}`.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(optional_fields = nullable))]
pub struct CannedRequest {
    /// The shortcut typed after `/` (required when creating).
    #[serde(default)]
    pub shortcut: Option<String>,
    /// The text inserted (required when creating).
    #[serde(default)]
    pub text: Option<String>,
}

/// `POST …/typing` (agents and customers).
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(optional_fields = nullable))]
pub struct TypingRequest {
    /// Whether the sender is typing.
    pub is_typing: bool,
    /// A customer's draft so far (see the widget's `typing_preview`); dropped otherwise.
    #[serde(default)]
    pub preview: Option<String>,
}

/// `POST …/read` (agents and customers).
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct ReadRequest {
    /// The highest `seq` read.
    pub seq: i64,
}

/// `POST /v1/chat/public/widgets/{widget}/contact` (the offline form).
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(optional_fields = nullable))]
pub struct ContactRequest {
    /// The customer's name.
    #[serde(default)]
    pub customer_name: Option<String>,
    /// The customer's email (required by the service).
    #[serde(default)]
    pub customer_email: Option<String>,
    /// The message.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<String>", optional))]
    pub message: String,
}

/// `PATCH /v1/chat/public/widgets/{widget}/session` (the widget's `setVisitor`).
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(optional_fields = nullable))]
pub struct VisitorRequest {
    /// The customer's name.
    #[serde(default)]
    pub customer_name: Option<String>,
    /// The customer's email.
    #[serde(default)]
    pub customer_email: Option<String>,
}

/// `POST /v1/chat/customers/erase`.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct EraseCustomerRequest {
    /// The customer whose sessions are erased (compared case-insensitively).
    pub customer_email: String,
}
