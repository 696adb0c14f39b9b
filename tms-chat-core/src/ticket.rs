//! Ticket hand-off: the host TMS turns a chat session and its transcript into a ticket.
//! The service calls [`TicketSink`] when an agent converts a chat manually, and when a session
//! ends on a widget with `auto_create_ticket`.

use crate::domain::{Message, Note, Session};
use crate::error::ChatResult;
use crate::ids::AgentId;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// Why a ticket is being created.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketReason {
    /// An agent converted the chat.
    Manual,
    /// The session ended on a widget that creates tickets automatically.
    SessionEnded,
}

/// Everything the host needs to open a ticket.
#[derive(Clone, Debug, Serialize)]
pub struct TicketRequest {
    /// The session (customer email and name, widget, project, tenant).
    pub session: Session,
    /// The whole conversation in sequence order.
    pub transcript: Vec<Message>,
    /// Internal notes (for the host to keep internal).
    pub notes: Vec<Note>,
    /// Why.
    pub reason: TicketReason,
    /// The agent who asked, for manual conversion.
    pub requested_by: Option<AgentId>,
    /// Optional subject given by the agent.
    pub subject: Option<String>,
}

/// The ticket the host created.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketRef {
    /// The host's ticket id.
    pub id: String,
    /// Where agents can open it, if the host has a URL for it.
    pub url: Option<String>,
}

/// Creates tickets in the host TMS.
#[async_trait]
pub trait TicketSink: Send + Sync + 'static {
    /// Creates a ticket (or links to the customer's existing records) and returns it.
    async fn create_ticket(&self, request: TicketRequest) -> ChatResult<TicketRef>;
}
