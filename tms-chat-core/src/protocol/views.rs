//! Wire shapes of domain objects: what agents see, and the narrower views customers get
#![allow(missing_docs)] // Field names are the documented wire names (docs/protocol.md).
//! (no tenant, project, notes, internal routing or other sessions).

use crate::domain::{
    Agent, Attachment, EndedBy, Message, Note, Presence, ReadMarker, Session, SessionStatus,
    TransferTarget, Widget, WidgetPosition, WidgetTheme,
};
use crate::domain::{BusinessHours, CannedResponse, RoutingSettings};
use crate::ids::{AgentId, AttachmentId, MessageId, ProjectId, SessionId, WidgetId};
use crate::service::{DepartmentSummary, QueueBoard, QueuePlace, TeamMember};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// A session as agents see it.
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct SessionView<'a> {
    pub id: &'a SessionId,
    pub widget_id: &'a WidgetId,
    pub project_id: &'a ProjectId,
    pub status: SessionStatus,
    pub customer_email: Option<&'a str>,
    pub customer_name: Option<&'a str>,
    pub customer_verified: bool,
    pub assigned_agent_id: Option<&'a AgentId>,
    pub unassigned: bool,
    pub transfer_target: Option<&'a TransferTarget>,
    pub department: Option<&'a str>,
    pub started_by_agent_id: Option<&'a AgentId>,
    pub ended_by: Option<EndedBy>,
    pub last_seq: i64,
    pub ticket_id: Option<&'a str>,
    #[serde(serialize_with = "super::timestamp::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "super::timestamp::rfc3339")]
    pub updated_at: DateTime<Utc>,
    #[serde(serialize_with = "super::timestamp::rfc3339")]
    pub last_activity_at: DateTime<Utc>,
    #[serde(serialize_with = "super::timestamp::rfc3339_opt")]
    pub ended_at: Option<DateTime<Utc>>,
    /// When the oldest customer message without a later agent reply was sent; `null` when
    /// every customer message has been answered.
    #[serde(serialize_with = "super::timestamp::rfc3339_opt")]
    pub awaiting_reply_since: Option<DateTime<Utc>>,
    /// Customer messages after the requesting agent's read marker: in the list and the read
    /// of a session; `null` where the view is not for one agent (events, other answers).
    pub unread_count: Option<u64>,
}

impl SessionView<'_> {
    /// The view with the requesting agent's unread count.
    pub fn with_unread(mut self, unread: u64) -> Self {
        self.unread_count = Some(unread);
        self
    }
}

impl<'a> From<&'a Session> for SessionView<'a> {
    fn from(s: &'a Session) -> Self {
        SessionView {
            id: &s.id,
            widget_id: &s.widget_id,
            project_id: &s.project_id,
            status: s.status,
            customer_email: s.customer_email.as_deref(),
            customer_name: s.customer_name.as_deref(),
            customer_verified: s.customer_verified,
            assigned_agent_id: s.assigned_agent_id.as_ref(),
            unassigned: s.is_unassigned(),
            transfer_target: s.transfer_target.as_ref(),
            department: s.department.as_deref(),
            started_by_agent_id: s.started_by_agent_id.as_ref(),
            ended_by: s.ended_by,
            last_seq: s.last_seq,
            ticket_id: s.ticket_id.as_deref(),
            created_at: s.created_at,
            updated_at: s.updated_at,
            last_activity_at: s.last_activity_at,
            ended_at: s.ended_at,
            awaiting_reply_since: s.awaiting_reply_since,
            unread_count: None,
        }
    }
}

/// The assigned agent as customers see them.
#[derive(Serialize, Debug, Clone)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct PublicAgentView {
    pub id: AgentId,
    pub display_name: String,
    pub avatar_url: Option<String>,
}

impl PublicAgentView {
    /// The view of `agent`; the avatar only when the widget shows avatars.
    pub fn of(agent: &Agent, show_avatar: bool) -> Self {
        PublicAgentView {
            id: agent.id.clone(),
            display_name: agent.display_name.clone(),
            avatar_url: if show_avatar {
                agent.avatar_url.clone()
            } else {
                None
            },
        }
    }
}

/// A session as its customer sees it.
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct CustomerSessionView<'a> {
    pub id: &'a SessionId,
    pub widget_id: &'a WidgetId,
    pub status: SessionStatus,
    pub customer_email: Option<&'a str>,
    pub customer_name: Option<&'a str>,
    pub last_seq: i64,
    #[serde(serialize_with = "super::timestamp::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "super::timestamp::rfc3339_opt")]
    pub ended_at: Option<DateTime<Utc>>,
    pub agent: Option<PublicAgentView>,
    /// 1 is next; `null` unless the session waits for an agent.
    pub queue_position: Option<u32>,
    /// `null` when unknown.
    pub estimated_wait_seconds: Option<u64>,
}

impl<'a> CustomerSessionView<'a> {
    /// The customer's view, with the assigned agent's public profile if known and the
    /// session's place in the queue while it waits.
    pub fn new(s: &'a Session, agent: Option<PublicAgentView>, queue: Option<QueuePlace>) -> Self {
        CustomerSessionView {
            id: &s.id,
            widget_id: &s.widget_id,
            status: s.status,
            customer_email: s.customer_email.as_deref(),
            customer_name: s.customer_name.as_deref(),
            last_seq: s.last_seq,
            created_at: s.created_at,
            ended_at: s.ended_at,
            agent,
            queue_position: queue.map(|q| q.queue_position),
            estimated_wait_seconds: queue.and_then(|q| q.estimated_wait_seconds),
        }
    }
}

/// An attachment's public metadata (never the storage key).
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct AttachmentView<'a> {
    pub id: &'a AttachmentId,
    pub session_id: &'a SessionId,
    pub name: &'a str,
    pub size: i64,
    pub content_type: &'a str,
    #[serde(serialize_with = "super::timestamp::rfc3339")]
    pub created_at: DateTime<Utc>,
}

impl<'a> From<&'a Attachment> for AttachmentView<'a> {
    fn from(a: &'a Attachment) -> Self {
        AttachmentView {
            id: &a.id,
            session_id: &a.session_id,
            name: &a.name,
            size: a.size,
            content_type: &a.content_type,
            created_at: a.created_at,
        }
    }
}

/// A message (the same for agents and customers).
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct MessageView<'a> {
    pub id: &'a MessageId,
    pub session_id: &'a SessionId,
    pub seq: i64,
    pub sender_type: crate::domain::SenderType,
    pub sender_agent_id: Option<&'a AgentId>,
    pub content: &'a str,
    pub message_type: crate::domain::MessageKind,
    pub attachment: Option<AttachmentView<'a>>,
    pub system_event: Option<crate::domain::SystemEvent>,
    pub client_message_id: Option<&'a str>,
    #[serde(serialize_with = "super::timestamp::rfc3339")]
    pub created_at: DateTime<Utc>,
}

impl<'a> From<&'a Message> for MessageView<'a> {
    fn from(m: &'a Message) -> Self {
        MessageView {
            id: &m.id,
            session_id: &m.session_id,
            seq: m.seq,
            sender_type: m.sender_type,
            sender_agent_id: m.sender_agent_id.as_ref(),
            content: &m.content,
            message_type: m.kind,
            attachment: m.attachment.as_ref().map(AttachmentView::from),
            system_event: m.system_event,
            client_message_id: m.client_message_id.as_deref(),
            created_at: m.created_at,
        }
    }
}

/// A widget as agents see it; the identity secret only for admins.
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct WidgetView<'a> {
    pub id: &'a WidgetId,
    pub project_id: &'a ProjectId,
    pub name: &'a str,
    pub domain: &'a str,
    pub allowed_domains: &'a [String],
    pub welcome_message: &'a str,
    pub offline_message: &'a str,
    pub primary_color: &'a str,
    pub secondary_color: &'a str,
    pub position: WidgetPosition,
    pub theme: WidgetTheme,
    pub typing_preview: bool,
    pub auto_open_delay: Option<u32>,
    pub show_agent_avatars: bool,
    pub allow_file_uploads: bool,
    pub require_email: bool,
    pub business_hours: Option<&'a BusinessHours>,
    pub max_upload_bytes: i64,
    pub auto_create_ticket: bool,
    pub routing: &'a RoutingSettings,
    pub auto_end_after_minutes: Option<u32>,
    pub retention_days: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub identity_secret: Option<&'a str>,
    #[serde(serialize_with = "super::timestamp::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "super::timestamp::rfc3339")]
    pub updated_at: DateTime<Utc>,
}

impl<'a> WidgetView<'a> {
    /// The view for `viewer`.
    pub fn new(w: &'a Widget, viewer: &Agent) -> Self {
        WidgetView {
            id: &w.id,
            project_id: &w.project_id,
            name: &w.name,
            domain: &w.domain,
            allowed_domains: &w.allowed_domains,
            welcome_message: &w.welcome_message,
            offline_message: &w.offline_message,
            primary_color: &w.primary_color,
            secondary_color: &w.secondary_color,
            position: w.position,
            theme: w.theme,
            typing_preview: w.typing_preview,
            auto_open_delay: w.auto_open_delay,
            show_agent_avatars: w.show_agent_avatars,
            allow_file_uploads: w.allow_file_uploads,
            require_email: w.require_email,
            business_hours: w.business_hours.as_ref(),
            max_upload_bytes: w.max_upload_bytes,
            auto_create_ticket: w.auto_create_ticket,
            routing: &w.routing,
            auto_end_after_minutes: w.auto_end_after_minutes,
            retention_days: w.retention_days,
            identity_secret: viewer.is_admin().then_some(w.identity_secret.as_str()),
            created_at: w.created_at,
            updated_at: w.updated_at,
        }
    }
}

/// An agent as colleagues see them.
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct AgentView<'a> {
    pub id: &'a AgentId,
    pub display_name: &'a str,
    pub avatar_url: Option<&'a str>,
    pub roles: &'a [crate::domain::Role],
    pub projects: &'a [ProjectId],
    pub departments: &'a [String],
    pub skills: &'a [String],
    pub max_concurrent_sessions: Option<u32>,
}

impl<'a> From<&'a Agent> for AgentView<'a> {
    fn from(a: &'a Agent) -> Self {
        AgentView {
            id: &a.id,
            display_name: &a.display_name,
            avatar_url: a.avatar_url.as_deref(),
            roles: &a.roles,
            projects: &a.projects,
            departments: &a.departments,
            skills: &a.skills,
            max_concurrent_sessions: a.max_concurrent_sessions,
        }
    }
}

/// An agent in the team list: the profile, presence and load.
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct TeamMemberView<'a> {
    #[serde(flatten)]
    #[cfg_attr(feature = "typescript", ts(flatten))]
    pub agent: AgentView<'a>,
    pub presence: Presence,
    pub active_sessions: u64,
}

impl<'a> From<&'a TeamMember> for TeamMemberView<'a> {
    fn from(m: &'a TeamMember) -> Self {
        TeamMemberView {
            agent: AgentView::from(&m.agent),
            presence: m.presence,
            active_sessions: m.active_sessions,
        }
    }
}

/// A department: its agents, how many are online, how many sessions wait in its pool.
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct DepartmentView<'a> {
    pub name: &'a str,
    pub agents: &'a [AgentId],
    pub online: u64,
    pub waiting: u64,
}

impl<'a> From<&'a DepartmentSummary> for DepartmentView<'a> {
    fn from(d: &'a DepartmentSummary) -> Self {
        DepartmentView {
            name: &d.name,
            agents: &d.agents,
            online: d.online,
            waiting: d.waiting,
        }
    }
}

/// `GET /v1/chat/queue`: the supervisors' queue board.
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct QueueBoardView<'a> {
    pub waiting: Vec<QueuedSessionView<'a>>,
    pub departments: Vec<QueuedDepartmentView<'a>>,
    pub agents: Vec<QueuedAgentView<'a>>,
}

/// A waiting session on the queue board.
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct QueuedSessionView<'a> {
    pub session: SessionView<'a>,
    pub waiting_seconds: i64,
}

/// A department's waiting count on the queue board.
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct QueuedDepartmentView<'a> {
    pub name: &'a str,
    pub waiting: u64,
}

/// An agent's presence and load on the queue board.
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct QueuedAgentView<'a> {
    pub agent_id: &'a AgentId,
    pub display_name: &'a str,
    pub presence: Presence,
    pub active_sessions: u64,
    pub max_concurrent_sessions: Option<u32>,
}

impl<'a> From<&'a QueueBoard> for QueueBoardView<'a> {
    fn from(b: &'a QueueBoard) -> Self {
        QueueBoardView {
            waiting: b
                .waiting
                .iter()
                .map(|(s, secs)| QueuedSessionView {
                    session: SessionView::from(s),
                    waiting_seconds: *secs,
                })
                .collect(),
            departments: b
                .departments
                .iter()
                .map(|(name, waiting)| QueuedDepartmentView {
                    name,
                    waiting: *waiting,
                })
                .collect(),
            agents: b
                .agents
                .iter()
                .map(|m| QueuedAgentView {
                    agent_id: &m.agent.id,
                    display_name: &m.agent.display_name,
                    presence: m.presence,
                    active_sessions: m.active_sessions,
                    max_concurrent_sessions: m.agent.max_concurrent_sessions,
                })
                .collect(),
        }
    }
}

/// `PUT /v1/chat/me/presence`'s answer.
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct PresenceView<'a> {
    pub agent_id: &'a AgentId,
    pub presence: Presence,
}

/// A note.
pub type NoteView<'a> = &'a Note;
/// A canned response.
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct CannedView<'a> {
    pub id: &'a crate::ids::CannedResponseId,
    pub shortcut: &'a str,
    pub text: &'a str,
    #[serde(serialize_with = "super::timestamp::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "super::timestamp::rfc3339")]
    pub updated_at: DateTime<Utc>,
}

impl<'a> From<&'a CannedResponse> for CannedView<'a> {
    fn from(c: &'a CannedResponse) -> Self {
        CannedView {
            id: &c.id,
            shortcut: &c.shortcut,
            text: &c.text,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// A read marker.
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct ReadMarkerView<'a> {
    pub session_id: &'a SessionId,
    pub participant: &'a str,
    pub last_read_seq: i64,
    #[serde(serialize_with = "super::timestamp::rfc3339")]
    pub updated_at: DateTime<Utc>,
}

impl<'a> From<&'a ReadMarker> for ReadMarkerView<'a> {
    fn from(m: &'a ReadMarker) -> Self {
        ReadMarkerView {
            session_id: &m.session_id,
            participant: &m.participant,
            last_read_seq: m.last_read_seq,
            updated_at: m.updated_at,
        }
    }
}
