//! The persistence contract. [`ChatStore`] is what a host (or `tms-chat-storage`) implements;
//! the chat service is its only caller and has already checked access, so the store's duties
//! are: keep tenants apart at the query level (every lookup takes the tenant), hand out
//! gapless per-session message sequence numbers atomically, make `client_message_id` retries
//! idempotent, and answer the list filters with indexes.
//!
//! The generic conformance suite every implementation must pass lives in
//! [`crate::store::conformance`] (behind the `test-utils` feature), one file per section; the
//! in-memory `test_utils::MemoryStore` core's own tests run on passes it too.

mod audit;
#[cfg(any(test, feature = "test-utils"))]
pub mod conformance;
pub mod search;

pub use audit::{AuditCursor, AuditFilter, AuditPage, AuditedWrite, Removed, Written};

use crate::domain::{
    Agent, AgentPresence, Attachment, AuditEntry, CannedResponse, Message, NewMessage, Note,
    PresenceChange, Project, ReadMarker, Session, SessionStatus, Tenant, VisitContext, Widget,
};
use crate::error::StoreError;
use crate::ids::{
    AgentId, AttachmentId, CannedResponseId, ProjectId, SessionId, TenantId, WidgetId,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Result alias for store operations.
pub type StoreResult<T> = Result<T, StoreError>;

/// Largest page a list call returns.
pub const MAX_PAGE_SIZE: u32 = 200;

/// Filters of the sessions list (the console's All / Unassigned / Active, search, paging).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SessionFilter {
    /// Only sessions of these projects; `None` for every project of the tenant.
    pub project_ids: Option<Vec<ProjectId>>,
    /// Only sessions in this status.
    pub status: Option<SessionStatus>,
    /// Only sessions assigned to this agent.
    pub assigned_agent_id: Option<AgentId>,
    /// Only sessions without an assigned agent that are not ended.
    pub unassigned_only: bool,
    /// Only sessions of this widget.
    pub widget_id: Option<WidgetId>,
    /// Case-insensitive substring of the customer's email or name, the session id itself,
    /// or words of the session's message text (every [`search::words`] of it in one
    /// message, not sealed; see [`search`]).
    pub query: Option<String>,
    /// Only sessions whose customer waits for an agent's reply (`awaiting_reply_since` set),
    /// ordered by that time, oldest first (then by id), instead of newest activity first.
    pub awaiting_reply: bool,
    /// Continue after this position (from a previous page's `next_cursor`).
    pub cursor: Option<SessionCursor>,
    /// Page size, 1..=[`MAX_PAGE_SIZE`].
    pub limit: u32,
}

/// A position in the sessions list, ordered by `last_activity_at` descending, then id
/// descending (with [`SessionFilter::awaiting_reply`]: by `awaiting_reply_since`
/// ascending, then id ascending).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionCursor {
    /// The last row's sort time: its activity time, or with
    /// [`SessionFilter::awaiting_reply`] its `awaiting_reply_since`.
    pub last_activity_at: DateTime<Utc>,
    /// The last row's id.
    pub id: SessionId,
}

impl SessionCursor {
    /// Opaque string form: `<micros>.<id>` base64url-encoded.
    pub fn encode(&self) -> String {
        use base64::Engine;
        let raw = format!("{}.{}", self.last_activity_at.timestamp_micros(), self.id);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
    }

    /// Parses [`SessionCursor::encode`]'s output; `None` when malformed.
    pub fn decode(s: &str) -> Option<Self> {
        use base64::Engine;
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s.as_bytes())
            .ok()?;
        let raw = String::from_utf8(raw).ok()?;
        let (micros, id) = raw.split_once('.')?;
        let micros: i64 = micros.parse().ok()?;
        if id.is_empty() {
            return None;
        }
        Some(SessionCursor {
            last_activity_at: DateTime::from_timestamp_micros(micros)?,
            id: SessionId::new(id),
        })
    }

    /// The cursor that continues after `session`.
    pub fn after(session: &Session) -> Self {
        SessionCursor {
            last_activity_at: session.last_activity_at,
            id: session.id.clone(),
        }
    }
}

impl SessionFilter {
    /// The cursor that continues this list after `session` (in the list's order).
    pub fn cursor_after(&self, session: &Session) -> SessionCursor {
        match (self.awaiting_reply, session.awaiting_reply_since) {
            (true, Some(since)) => SessionCursor {
                last_activity_at: since,
                id: session.id.clone(),
            },
            _ => SessionCursor::after(session),
        }
    }
}

/// One page of sessions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SessionPage {
    /// The sessions, newest activity first.
    pub sessions: Vec<Session>,
    /// Where the next page starts, if there is one.
    pub next_cursor: Option<SessionCursor>,
}

/// Which slice of a session's history to read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HistoryQuery {
    /// Only messages with `seq > after_seq`.
    pub after_seq: Option<i64>,
    /// Only messages with `seq < before_seq`.
    pub before_seq: Option<i64>,
    /// At most this many, 1..=[`MAX_PAGE_SIZE`]. With only `before_seq`, the newest `limit`
    /// before it; otherwise the oldest `limit` after `after_seq` (or from the start).
    pub limit: u32,
}

/// The outcome of appending one message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Appended {
    /// The stored message (the earlier one, for a retried `client_message_id`).
    pub message: Message,
    /// `false` when the `client_message_id` was seen before and nothing new was stored.
    pub created: bool,
}

/// Persistence for the chat system. Every method is scoped by tenant; an object of another
/// tenant is `StoreError::NotFound`.
#[async_trait]
pub trait ChatStore: Send + Sync + 'static {
    /// Checks the database answers (for readiness probes).
    async fn ping(&self) -> StoreResult<()>;

    // --- tenants, projects, agents (owned by the host, mirrored here) ---

    /// Creates or updates a tenant.
    async fn upsert_tenant(&self, tenant: &Tenant) -> StoreResult<()>;
    /// Reads a tenant.
    async fn get_tenant(&self, id: &TenantId) -> StoreResult<Tenant>;
    /// Creates or updates a project.
    async fn upsert_project(&self, project: &Project) -> StoreResult<()>;
    /// The tenant's projects, by id.
    async fn list_projects(&self, tenant: &TenantId) -> StoreResult<Vec<Project>>;
    /// Creates or updates an agent.
    async fn upsert_agent(&self, agent: &Agent) -> StoreResult<()>;
    /// Reads an agent.
    async fn get_agent(&self, tenant: &TenantId, id: &AgentId) -> StoreResult<Agent>;
    /// The tenant's agents, by id.
    async fn list_agents(&self, tenant: &TenantId) -> StoreResult<Vec<Agent>>;

    // --- widgets ---

    /// Stores a new widget; `Conflict` when the id exists.
    async fn insert_widget(&self, widget: &Widget) -> StoreResult<()>;
    /// Reads a widget of a tenant.
    async fn get_widget(&self, tenant: &TenantId, id: &WidgetId) -> StoreResult<Widget>;
    /// Reads a widget by id alone (the public widget endpoints know no tenant).
    async fn find_widget(&self, id: &WidgetId) -> StoreResult<Widget>;
    /// Replaces a widget's stored fields.
    async fn update_widget(&self, widget: &Widget) -> StoreResult<()>;
    /// Deletes a widget; its sessions and messages stay.
    async fn delete_widget(&self, tenant: &TenantId, id: &WidgetId) -> StoreResult<()>;
    /// The tenant's widgets (optionally of some projects only), oldest first.
    async fn list_widgets(
        &self,
        tenant: &TenantId,
        projects: Option<&[ProjectId]>,
    ) -> StoreResult<Vec<Widget>>;

    // --- sessions ---

    /// Stores a new session with the hash of its customer token.
    async fn insert_session(&self, session: &Session, customer_token_hash: &str)
        -> StoreResult<()>;
    /// Reads a session of a tenant.
    async fn get_session(&self, tenant: &TenantId, id: &SessionId) -> StoreResult<Session>;
    /// Finds the session a customer token (by its hash) belongs to.
    async fn find_session_by_token_hash(&self, token_hash: &str) -> StoreResult<Session>;
    /// Writes a session's mutable fields if its stored `version` still equals
    /// `session.version`, and returns it with the version bumped; `Conflict` when another
    /// update came first. `last_seq` is owned by [`ChatStore::append_messages`] and is not
    /// written here.
    async fn update_session(&self, session: &Session) -> StoreResult<Session>;
    /// Lists sessions of a tenant with filters, newest activity first.
    async fn list_sessions(
        &self,
        tenant: &TenantId,
        filter: &SessionFilter,
    ) -> StoreResult<SessionPage>;
    /// Other sessions of the same customer email in the tenant, newest first (at most `limit`).
    async fn customer_sessions(
        &self,
        tenant: &TenantId,
        customer_email: &str,
        exclude: Option<&SessionId>,
        limit: u32,
    ) -> StoreResult<Vec<Session>>;
    /// How many non-ended sessions are assigned to an agent.
    async fn count_open_sessions_for_agent(
        &self,
        tenant: &TenantId,
        agent: &AgentId,
    ) -> StoreResult<u64>;
    /// [`ChatStore::update_session`] for a session given to an agent with a session limit:
    /// in the same atomic step, refuses ([`LimitedUpdate::AtLimit`], nothing written) when
    /// the session's `assigned_agent_id` already holds `max_open` non-ended sessions other
    /// than this one. Of concurrent limited updates for one agent, from any node, never more
    /// than `max_open` end up stored: the database serialises them per agent. A session
    /// without an assignee is written as by `update_session`.
    async fn update_session_within_limit(
        &self,
        session: &Session,
        max_open: u32,
    ) -> StoreResult<LimitedUpdate>;
    /// [`ChatStore::insert_session`] for a new session already given to an agent with a
    /// session limit: refuses ([`LimitedUpdate::AtLimit`], nothing stored) when the assignee
    /// already holds `max_open` non-ended sessions, in the same atomic step and serialised
    /// per agent with [`ChatStore::update_session_within_limit`]. A session without an
    /// assignee is inserted as by `insert_session`. Answers the session as stored.
    async fn insert_session_within_limit(
        &self,
        session: &Session,
        customer_token_hash: &str,
        max_open: u32,
    ) -> StoreResult<LimitedUpdate>;
    /// How many customer messages of each of `sessions` (of the tenant) come after `agent`'s
    /// read marker (all of them without a marker), in one query. Sessions with none, or of
    /// another tenant, are left out.
    async fn unread_counts(
        &self,
        tenant: &TenantId,
        agent: &AgentId,
        sessions: &[SessionId],
    ) -> StoreResult<Vec<(SessionId, u64)>>;
    /// Open sessions, of every tenant, with an assignee and a customer waiting for a reply,
    /// whose widget has `routing.reassign_after_seconds` and whose
    /// [`Session::reply_overdue_at`] is at or before `now`; longest overdue first, at most
    /// `limit`. (The service moves each with a compare-and-swap, so of several nodes'
    /// timers one moves it.)
    async fn list_reply_overdue_sessions(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Session>>;
    /// The tenant's sessions that have left the queue (`first_assigned_at` set), the most
    /// recently assigned first, at most `limit`: the recent waits queue estimates use.
    async fn recently_assigned_sessions(
        &self,
        tenant: &TenantId,
        limit: u32,
    ) -> StoreResult<Vec<Session>>;

    // --- messages ---

    /// Appends messages, each getting its session's next sequence number, in one
    /// transaction where possible (group commit). Results are in input order; a message
    /// whose `(session, sender_type, client_message_id)` was stored before is not stored
    /// again and its earlier row is returned with `created: false`. Each append also moves
    /// the session's `last_seq`, `last_activity_at` and reply tracking
    /// ([`crate::domain::ReplyClock::after`], in sequence order), and a new agent message
    /// moves its sender's read marker to it (never back). A message for a missing session is
    /// `Err(NotFound)` in its slot without failing the others.
    async fn append_messages(
        &self,
        messages: Vec<NewMessage>,
    ) -> StoreResult<Vec<StoreResult<Appended>>>;
    /// How many [`append_messages`](Self::append_messages) calls the service's message
    /// writer may have in flight at once; their results are still handled in call order.
    /// `1` (the default) where a second call would only wait for the first's write lock; more
    /// where the database runs them side by side, which a store may allow only if a later
    /// call that shares a session with an earlier one waits for that call's commit and
    /// numbers after it (so `seq` still follows call order), and sees its messages when
    /// looking up retries.
    fn append_pipeline_depth(&self) -> usize {
        1
    }
    /// Reads a slice of a session's history in sequence order.
    async fn list_messages(
        &self,
        tenant: &TenantId,
        session: &SessionId,
        query: HistoryQuery,
    ) -> StoreResult<Vec<Message>>;

    // --- attachments ---

    /// Records an uploaded file's metadata.
    async fn insert_attachment(&self, attachment: &Attachment) -> StoreResult<()>;
    /// Reads an attachment's metadata.
    async fn get_attachment(&self, tenant: &TenantId, id: &AttachmentId)
        -> StoreResult<Attachment>;

    // --- agent tools ---

    /// Stores an internal note.
    async fn insert_note(&self, note: &Note) -> StoreResult<()>;
    /// A session's notes, oldest first.
    async fn list_notes(&self, tenant: &TenantId, session: &SessionId) -> StoreResult<Vec<Note>>;
    /// Stores a canned response; `Conflict` when the tenant already has the shortcut.
    async fn insert_canned_response(&self, canned: &CannedResponse) -> StoreResult<()>;
    /// Replaces a canned response; `Conflict` on a duplicate shortcut.
    async fn update_canned_response(&self, canned: &CannedResponse) -> StoreResult<()>;
    /// Deletes a canned response.
    async fn delete_canned_response(
        &self,
        tenant: &TenantId,
        id: &CannedResponseId,
    ) -> StoreResult<()>;
    /// Reads a canned response.
    async fn get_canned_response(
        &self,
        tenant: &TenantId,
        id: &CannedResponseId,
    ) -> StoreResult<CannedResponse>;
    /// The tenant's canned responses, by shortcut.
    async fn list_canned_responses(&self, tenant: &TenantId) -> StoreResult<Vec<CannedResponse>>;
    /// Moves a participant's read marker forward (never backward); returns the stored marker.
    async fn advance_read_marker(
        &self,
        tenant: &TenantId,
        marker: &ReadMarker,
    ) -> StoreResult<ReadMarker>;
    /// A session's read markers.
    async fn list_read_markers(
        &self,
        tenant: &TenantId,
        session: &SessionId,
    ) -> StoreResult<Vec<ReadMarker>>;
    /// Stores a session's customer context (what the widget reported last), replacing the
    /// one before; `NotFound` when the session is not in the tenant. Erasing or expiring the
    /// session deletes it.
    async fn put_visit_context(
        &self,
        tenant: &TenantId,
        session: &SessionId,
        context: &VisitContext,
    ) -> StoreResult<()>;
    /// A session's customer context, `None` when the widget reported none.
    async fn get_visit_context(
        &self,
        tenant: &TenantId,
        session: &SessionId,
    ) -> StoreResult<Option<VisitContext>>;

    /// The tenant's sessions waiting for an agent: `waiting`, or transferred to a department
    /// and not taken yet; oldest first (by `created_at`, then id), at most `limit`.
    async fn list_waiting_sessions(
        &self,
        tenant: &TenantId,
        limit: u32,
    ) -> StoreResult<Vec<Session>>;
    /// Open sessions, of every tenant, whose widget has `auto_end_after_minutes` and whose
    /// `last_activity_at` is at least that long before `now`; longest idle first, at most
    /// `limit`. (The service ends each with a compare-and-swap, so of several nodes' timers
    /// one ends it.)
    async fn list_idle_sessions(&self, now: DateTime<Utc>, limit: u32)
        -> StoreResult<Vec<Session>>;
    /// How many non-ended sessions each agent of the tenant holds (agents holding none are
    /// left out).
    async fn open_sessions_by_agent(&self, tenant: &TenantId) -> StoreResult<Vec<(AgentId, u64)>>;

    // ----- presence (shared by every node on the database) -----

    /// Applies `change` at `now` to an agent's presence ([`AgentPresence::apply`]; an agent
    /// without a row starts from [`AgentPresence::unseen`]) and stores it, atomically: of
    /// concurrent changes for one agent, on any node, each sees the one before. Answers the
    /// presence before and after.
    async fn change_presence(
        &self,
        tenant: &TenantId,
        agent: &AgentId,
        change: PresenceChange,
        now: DateTime<Utc>,
    ) -> StoreResult<(AgentPresence, AgentPresence)>;
    /// The stored presence of the tenant's agents (agents never seen have none).
    async fn list_presence(&self, tenant: &TenantId) -> StoreResult<Vec<AgentPresence>>;
    /// Applies [`PresenceChange::GraceExpired`] to at most `limit` agents, of every tenant,
    /// whose grace period is over at `now` (no socket, `grace_until <= now`, not yet
    /// `offline`), and answers them as stored. Each such agent is answered to exactly one of
    /// concurrent callers, on any node.
    async fn expire_presence_grace(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<AgentPresence>>;

    // ----- one-time socket tickets (shared by every node on the database) -----

    /// Records a socket ticket (its hash) for an agent until `expires_at`, and forgets the
    /// tickets that expired before `now`.
    async fn insert_socket_ticket(
        &self,
        ticket: &SocketTicketRecord,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Removes the ticket with this hash and answers it if it had not expired at `now`. Of
    /// concurrent redemptions of one ticket, on any node, exactly one gets it.
    async fn redeem_socket_ticket(
        &self,
        ticket_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<SocketTicketRecord>>;

    // ----- audit log, retention and erasure -----

    /// Applies `write` exactly as its plain method does and stores `entry`, in one
    /// transaction: both are stored or neither is (an error, or a session write refused
    /// with [`LimitedUpdate::AtLimit`], stores no entry).
    async fn write_audited(
        &self,
        write: AuditedWrite<'_>,
        entry: &AuditEntry,
    ) -> StoreResult<Written>;
    /// A page of the tenant's audit log, newest first (by `created_at`, then id).
    async fn list_audit(&self, tenant: &TenantId, filter: &AuditFilter) -> StoreResult<AuditPage>;
    /// Deletes at most `limit` ended sessions, of every tenant, whose widget has
    /// `retention_days` and that ended at least that long before `now`, with their
    /// messages, notes, read markers and attachment rows. Each deleted session (and its
    /// files) is answered to exactly one of concurrent callers, on any node.
    async fn delete_expired_sessions(&self, now: DateTime<Utc>, limit: u32)
        -> StoreResult<Removed>;
}

/// The outcome of [`ChatStore::update_session_within_limit`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)] // One per update, moved once: boxing would buy nothing.
pub enum LimitedUpdate {
    /// Written; the session as stored, its version bumped.
    Stored(Session),
    /// The assignee already holds `max_open` other open sessions; nothing was written.
    AtLimit,
}

/// A one-time socket ticket as stored: the hash of the ticket, never the ticket itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SocketTicketRecord {
    /// SHA-256 of the ticket (hex).
    pub ticket_hash: String,
    /// The agent's tenant.
    pub tenant_id: TenantId,
    /// The agent the ticket signs in.
    pub agent_id: AgentId,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}
