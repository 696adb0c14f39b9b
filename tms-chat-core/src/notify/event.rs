//! The events the chat service publishes, and the envelope that routes them.

use crate::domain::{
    Message, Note, Presence, ReadMarker, SenderType, Session, TransferTarget, VisitContext,
};
use crate::ids::{AgentId, ProjectId, SessionId, TenantId, WidgetId};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, OnceLock};

/// The JSON of a `new_message` event's message, encoded by the first connection that needs it
/// (the sender's `message_ack` or a subscriber's `new_message`) and shared by the rest: the
/// view is the same for agents and customers, so a message is serialised once per node.
pub type EncodedMessage = Arc<OnceLock<Box<serde_json::value::RawValue>>>;

/// Where an event goes.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Topic {
    /// Every agent connection of a tenant (each filters by its project scope).
    Tenant(TenantId),
    /// Everyone in one session: its customer and every console that opened it.
    Session(SessionId),
    /// One agent's connections (its assigned sessions' messages arrive here).
    Agent(TenantId, AgentId),
    /// Every customer connection of one widget (its deletion closes them).
    Widget(WidgetId),
}

/// Who may see an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Agents and the session's customer.
    Everyone,
    /// Agents only (internal notes, agent-side details).
    AgentsOnly,
}

/// A change in the chat system.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChatEvent {
    /// A session was started.
    SessionCreated {
        /// The new session.
        session: Session,
    },
    /// A session was assigned (taken, reassigned, or a transfer accepted).
    SessionAssigned {
        /// The session after the change.
        session: Session,
        /// The new assignee.
        agent_id: AgentId,
        /// The previous assignee.
        previous_agent_id: Option<AgentId>,
        /// Who assigned it.
        assigned_by: AgentId,
    },
    /// A session was transferred.
    SessionTransferred {
        /// The session after the change.
        session: Session,
        /// Where it went.
        target: TransferTarget,
        /// The previous assignee.
        previous_agent_id: Option<AgentId>,
        /// Who transferred it.
        transferred_by: AgentId,
    },
    /// Some other field of a session changed (customer details, ticket link).
    SessionUpdated {
        /// The session after the change.
        session: Session,
    },
    /// A session ended.
    SessionEnded {
        /// The session after the change.
        session: Session,
    },
    /// A message was stored.
    NewMessage {
        /// The message.
        message: Message,
    },
    /// Someone started or stopped typing.
    TypingIndicator {
        /// The session.
        session_id: SessionId,
        /// Customer or agent.
        sender_type: SenderType,
        /// The typing agent.
        agent_id: Option<AgentId>,
        /// Started (`true`) or stopped.
        is_typing: bool,
        /// The customer's draft so far (a widget with `typing_preview` on); published to
        /// agents only.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        preview: Option<String>,
    },
    /// A participant's read marker moved.
    ReadMarker {
        /// The marker.
        marker: ReadMarker,
    },
    /// An internal note was added (agents only).
    NoteAdded {
        /// The note.
        note: Note,
    },
    /// The widget reported a page view: the session's customer context (agents only).
    VisitUpdated {
        /// The session.
        session_id: SessionId,
        /// The context now.
        context: VisitContext,
    },
    /// A waiting session's place in its queue changed.
    QueueUpdated {
        /// The waiting session.
        session_id: SessionId,
        /// 1 is next.
        queue_position: u32,
        /// `None` when unknown.
        estimated_wait_seconds: Option<u64>,
    },
    /// An agent's presence changed (agents of the tenant only).
    PresenceChanged {
        /// The agent.
        agent_id: AgentId,
        /// Their presence now.
        presence: Presence,
    },
    /// Access was withdrawn: the named connections close (never a frame of its own).
    AccessRevoked {
        /// Whose.
        revoked: Revoked,
    },
}

/// Whose access an [`ChatEvent::AccessRevoked`] withdraws.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Revoked {
    /// The host stopped accepting this agent (of the envelope's tenant): their sockets close.
    Agent(AgentId),
    /// The widget was deleted: its customers' sockets close.
    Widget(WidgetId),
}

/// An event with its routing.
#[derive(Debug, Serialize, Deserialize)]
pub struct Envelope {
    /// The tenant the event belongs to.
    pub tenant_id: TenantId,
    /// The project, for filtering by agents' project scope.
    pub project_id: Option<ProjectId>,
    /// The session the event is about, if any.
    pub session_id: Option<SessionId>,
    /// Who may see it.
    pub audience: Audience,
    /// Where it goes.
    pub topics: Vec<Topic>,
    /// The event.
    pub event: ChatEvent,
    /// The agent frame of the event, encoded by the first agent connection that delivers it
    /// and shared by the rest of the fan-out. (Customer frames are per session: not cached.)
    #[serde(skip)]
    pub agent_frame: OnceLock<std::sync::Arc<str>>,
    /// A `new_message` event's message, encoded once ([`EncodedMessage`]); the append queue
    /// hands the same slot to the sender's acknowledgement.
    #[serde(skip)]
    pub message_json: EncodedMessage,
}

impl Envelope {
    /// Wraps an event for `topics`.
    pub fn new(
        tenant_id: TenantId,
        project_id: Option<ProjectId>,
        session_id: Option<SessionId>,
        audience: Audience,
        topics: Vec<Topic>,
        event: ChatEvent,
    ) -> Self {
        Envelope {
            tenant_id,
            project_id,
            session_id,
            audience,
            topics,
            event,
            agent_frame: OnceLock::new(),
            message_json: EncodedMessage::default(),
        }
    }
}
