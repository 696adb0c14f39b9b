//! Messages in a session. Each stored message has a per-session sequence number assigned by
//! the store: gapless, strictly increasing, starting at 1. A sender's `client_message_id`
//! makes a retried send idempotent.

use crate::ids::{AgentId, AttachmentId, MessageId, SessionId, TenantId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Who sent a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SenderType {
    /// The customer, through the widget.
    Customer,
    /// An agent.
    Agent,
    /// The system (joined, assigned, transferred, ended).
    System,
}

impl SenderType {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            SenderType::Customer => "customer",
            SenderType::Agent => "agent",
            SenderType::System => "system",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "customer" => Some(SenderType::Customer),
            "agent" => Some(SenderType::Agent),
            "system" => Some(SenderType::System),
            _ => None,
        }
    }
}

/// What a message carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// Plain text.
    Text,
    /// A file (the attachment field is set; content is an optional caption).
    File,
    /// A system notice.
    System,
}

impl MessageKind {
    /// The wire name (`message_type`).
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Text => "text",
            MessageKind::File => "file",
            MessageKind::System => "system",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "text" => Some(MessageKind::Text),
            "file" => Some(MessageKind::File),
            "system" => Some(MessageKind::System),
            _ => None,
        }
    }
}

/// What a system message records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SystemEvent {
    /// An agent joined the conversation.
    Joined,
    /// The session was assigned.
    Assigned,
    /// The session was transferred.
    Transferred,
    /// The session ended.
    Ended,
}

impl SystemEvent {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            SystemEvent::Joined => "joined",
            SystemEvent::Assigned => "assigned",
            SystemEvent::Transferred => "transferred",
            SystemEvent::Ended => "ended",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "joined" => Some(SystemEvent::Joined),
            "assigned" => Some(SystemEvent::Assigned),
            "transferred" => Some(SystemEvent::Transferred),
            "ended" => Some(SystemEvent::Ended),
            _ => None,
        }
    }
}

/// Metadata of an uploaded file. The bytes live in a blob store under `storage_key`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// Attachment id.
    pub id: AttachmentId,
    /// Owning tenant.
    pub tenant_id: TenantId,
    /// The session it was uploaded to.
    pub session_id: SessionId,
    /// The file name as uploaded (shown as text, never trusted as a path).
    pub name: String,
    /// Size in bytes.
    pub size: i64,
    /// Media type, decided from the bytes.
    pub content_type: String,
    /// Key in the blob store.
    pub storage_key: String,
    /// Who uploaded it.
    pub uploaded_by: SenderType,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A message before the store gives it a sequence number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMessage {
    /// Id to store it under.
    pub id: MessageId,
    /// Owning tenant.
    pub tenant_id: TenantId,
    /// Target session.
    pub session_id: SessionId,
    /// Sender kind.
    pub sender_type: SenderType,
    /// The sending agent, when `sender_type` is agent.
    pub sender_agent_id: Option<AgentId>,
    /// Kind of message.
    pub kind: MessageKind,
    /// Text (or caption).
    pub content: String,
    /// The file, for file messages.
    pub attachment: Option<Attachment>,
    /// The system event, for system messages.
    pub system_event: Option<SystemEvent>,
    /// The sender's idempotency key.
    pub client_message_id: Option<String>,
    /// When it was sent.
    pub created_at: DateTime<Utc>,
}

/// A stored message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// Message id.
    pub id: MessageId,
    /// Owning tenant.
    pub tenant_id: TenantId,
    /// The session.
    pub session_id: SessionId,
    /// Per-session sequence number, from 1, gapless.
    pub seq: i64,
    /// Sender kind.
    pub sender_type: SenderType,
    /// The sending agent, when an agent sent it.
    pub sender_agent_id: Option<AgentId>,
    /// Kind of message.
    pub kind: MessageKind,
    /// Text (or caption).
    pub content: String,
    /// The file, for file messages.
    pub attachment: Option<Attachment>,
    /// The system event, for system messages.
    pub system_event: Option<SystemEvent>,
    /// The sender's idempotency key.
    pub client_message_id: Option<String>,
    /// When it was stored.
    pub created_at: DateTime<Utc>,
}

impl NewMessage {
    /// The stored form once the store assigned `seq`.
    pub fn into_message(self, seq: i64) -> Message {
        Message {
            id: self.id,
            tenant_id: self.tenant_id,
            session_id: self.session_id,
            seq,
            sender_type: self.sender_type,
            sender_agent_id: self.sender_agent_id,
            kind: self.kind,
            content: self.content,
            attachment: self.attachment,
            system_event: self.system_event,
            client_message_id: self.client_message_id,
            created_at: self.created_at,
        }
    }
}
