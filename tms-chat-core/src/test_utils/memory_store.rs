//! [`MemoryStore`]: a [`ChatStore`] in process memory, for the service, API and socket tests.
//! It owns no business rule: what a store may be asked is decided by the chat service.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::clock::truncate_to_micros;
use crate::domain::{
    Agent, AgentPresence, Attachment, AuditEntry, CannedResponse, Message, NewMessage, Note,
    Presence, PresenceChange, Project, ReadMarker, SenderType, Session, SessionStatus, Tenant,
    VisitContext, Widget,
};
use crate::error::StoreError;
use crate::ids::{
    AgentId, AttachmentId, CannedResponseId, MessageId, NoteId, ProjectId, SessionId, TenantId,
    WidgetId,
};
use crate::store::{
    Appended, AuditCursor, AuditFilter, AuditPage, AuditedWrite, ChatStore, HistoryQuery,
    LimitedUpdate, Removed, SessionFilter, SessionPage, SocketTicketRecord, StoreResult, Written,
    MAX_PAGE_SIZE,
};

const DUPLICATE_SHORTCUT: &str = "a canned response with this shortcut already exists";

/// A [`ChatStore`] in process memory. It passes the same conformance suite as the SQL
/// stores, so it keeps their rules rather than a simpler version of them:
///
/// - Every lookup is scoped by tenant; an object of another tenant is `NotFound`. Only
///   `find_widget` and `find_session_by_token_hash` go by a globally unique key.
/// - Ids are unique across tenants (widgets, sessions, messages, attachments, notes, canned
///   responses), as are customer token hashes; a duplicate is `Conflict`.
/// - A child row (message, attachment, note, read marker) needs its session in the same
///   tenant, otherwise `NotFound` (the SQL stores' foreign keys).
/// - Timestamps are kept at microsecond precision, as the databases keep them.
/// - `update_session` is a compare-and-swap on `version`; it never writes `last_seq`, and
///   `last_activity_at` only moves forward.
/// - An audited write applies its change as the plain method does and stores the entry only
///   when the change succeeded (no failure can come between the two in memory).
/// - An append batch runs under one lock (one transaction): each message gets its session's
///   next number, a retried `client_message_id` returns the stored message without using up a
///   number.
///
/// `MemoryStore::default()` is an empty store; every instance is independent.
#[derive(Debug, Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

/// A session row: the session and the hash of its customer token.
#[derive(Debug)]
struct SessionRow {
    session: Session,
    token_hash: String,
}

#[derive(Debug, Default)]
struct State {
    tenants: BTreeMap<TenantId, Tenant>,
    projects: BTreeMap<(TenantId, ProjectId), Project>,
    agents: BTreeMap<(TenantId, AgentId), Agent>,
    widgets: BTreeMap<WidgetId, Widget>,
    sessions: BTreeMap<SessionId, SessionRow>,
    /// Keyed by session and sequence number, so a session's history is one range.
    messages: BTreeMap<(SessionId, i64), Message>,
    message_ids: HashSet<MessageId>,
    attachments: BTreeMap<AttachmentId, Attachment>,
    notes: BTreeMap<NoteId, Note>,
    canned: BTreeMap<CannedResponseId, CannedResponse>,
    read_markers: BTreeMap<(TenantId, SessionId, String), ReadMarker>,
    visit_contexts: BTreeMap<(TenantId, SessionId), VisitContext>,
    socket_tickets: BTreeMap<String, SocketTicketRecord>,
    presence: BTreeMap<(TenantId, AgentId), AgentPresence>,
    audit: Vec<AuditEntry>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A test that panicked while holding the lock left consistent rows behind: every
        // change below is applied after its checks.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The answer of an audited write that answers nothing.
fn done(_: ()) -> Written {
    Written::Done
}

fn conflict(message: &str) -> StoreError {
    StoreError::Conflict(message.to_owned())
}

/// A page size within 1..=[`MAX_PAGE_SIZE`].
fn page_size(limit: u32) -> usize {
    limit.clamp(1, MAX_PAGE_SIZE) as usize
}

/// An instant as a database keeps it.
fn stored_at(at: DateTime<Utc>) -> DateTime<Utc> {
    truncate_to_micros(at)
}

impl State {
    /// The session `id` of `tenant`.
    fn session(&self, tenant: &TenantId, id: &SessionId) -> StoreResult<&SessionRow> {
        self.sessions
            .get(id)
            .filter(|row| &row.session.tenant_id == tenant)
            .ok_or(StoreError::NotFound)
    }

    /// `NotFound` unless the session exists in the tenant (the child rows' foreign key).
    fn require_session(&self, tenant: &TenantId, id: &SessionId) -> StoreResult<()> {
        self.session(tenant, id).map(|_| ())
    }

    fn sessions_of<'a>(&'a self, tenant: &'a TenantId) -> impl Iterator<Item = &'a Session> {
        self.sessions
            .values()
            .map(|row| &row.session)
            .filter(move |s| &s.tenant_id == tenant)
    }

    /// The stored message with the same `(session, sender_type, client_message_id)`.
    fn message_by_client_id(&self, message: &NewMessage) -> Option<&Message> {
        let client_id = message.client_message_id.as_deref()?;
        self.session_messages(&message.session_id).find(|m| {
            m.sender_type == message.sender_type
                && m.client_message_id.as_deref() == Some(client_id)
        })
    }

    fn session_messages<'a>(&'a self, session: &SessionId) -> impl Iterator<Item = &'a Message> {
        self.messages
            .range((session.clone(), i64::MIN)..=(session.clone(), i64::MAX))
            .map(|(_, m)| m)
    }

    /// Steps 1–3 of an append (see `ChatStore::append_messages`) for one message.
    fn append(&mut self, message: NewMessage) -> StoreResult<Appended> {
        self.require_session(&message.tenant_id, &message.session_id)?;
        if let Some(existing) = self.message_by_client_id(&message) {
            return Ok(Appended {
                message: existing.clone(),
                created: false,
            });
        }
        if self.message_ids.contains(&message.id) {
            return Err(conflict("append message: the object already exists"));
        }
        let created_at = stored_at(message.created_at);
        let row = self
            .sessions
            .get_mut(&message.session_id)
            .ok_or(StoreError::NotFound)?;
        row.session.last_seq += 1;
        row.session.last_activity_at = row.session.last_activity_at.max(created_at);
        let reply = row
            .session
            .reply_clock()
            .after(message.sender_type, created_at);
        row.session.awaiting_reply_since = reply.awaiting_reply_since;
        row.session.last_customer_message_at = reply.last_customer_message_at;
        let mut stored = message.into_message(row.session.last_seq);
        stored.created_at = created_at;
        if let (SenderType::Agent, Some(agent)) = (stored.sender_type, &stored.sender_agent_id) {
            let key = (
                stored.tenant_id.clone(),
                stored.session_id.clone(),
                ReadMarker::agent_key(agent),
            );
            let marker = self.read_markers.entry(key).or_insert_with(|| ReadMarker {
                session_id: stored.session_id.clone(),
                participant: ReadMarker::agent_key(agent),
                last_read_seq: 0,
                updated_at: created_at,
            });
            if stored.seq > marker.last_read_seq {
                marker.last_read_seq = stored.seq;
                marker.updated_at = created_at;
            }
        }
        self.message_ids.insert(stored.id.clone());
        self.messages
            .insert((stored.session_id.clone(), stored.seq), stored.clone());
        Ok(Appended {
            message: stored,
            created: true,
        })
    }

    /// Stores a new session (see `ChatStore::insert_session`).
    fn insert_session(&mut self, session: &Session, token_hash: &str) -> StoreResult<()> {
        let token_taken = self
            .sessions
            .values()
            .any(|row| row.token_hash == token_hash);
        if token_taken || self.sessions.contains_key(&session.id) {
            return Err(conflict(
                "a session with this id or customer token already exists",
            ));
        }
        let row = SessionRow {
            session: stored_session(session),
            token_hash: token_hash.to_owned(),
        };
        self.sessions.insert(session.id.clone(), row);
        Ok(())
    }

    /// Writes a session's mutable fields if its version still matches (see
    /// `ChatStore::update_session`).
    fn update_session(&mut self, update: &Session) -> StoreResult<Session> {
        let row = self
            .sessions
            .get_mut(&update.id)
            .filter(|row| row.session.tenant_id == update.tenant_id)
            .ok_or(StoreError::NotFound)?;
        let stored = &mut row.session;
        if stored.version != update.version {
            return Err(conflict("session was modified concurrently"));
        }
        let activity = stored
            .last_activity_at
            .max(stored_at(update.last_activity_at));
        *stored = Session {
            id: stored.id.clone(),
            tenant_id: stored.tenant_id.clone(),
            last_seq: stored.last_seq,
            awaiting_reply_since: stored.awaiting_reply_since,
            last_customer_message_at: stored.last_customer_message_at,
            created_at: stored.created_at,
            assigned_at: update.assigned_at.map(stored_at),
            first_assigned_at: update.first_assigned_at.map(stored_at),
            version: stored.version + 1,
            last_activity_at: activity,
            updated_at: stored_at(update.updated_at),
            ended_at: update.ended_at.map(stored_at),
            ..update.clone()
        };
        Ok(stored.clone())
    }

    /// Deletes sessions with their messages, attachments, notes and read markers.
    fn remove_sessions(&mut self, ids: Vec<SessionId>) -> Removed {
        let mut removed = Removed::default();
        for id in ids {
            if self.sessions.remove(&id).is_none() {
                continue;
            }
            let seqs: Vec<(SessionId, i64)> = self
                .session_messages(&id)
                .map(|m| (m.session_id.clone(), m.seq))
                .collect();
            for key in seqs {
                if let Some(message) = self.messages.remove(&key) {
                    self.message_ids.remove(&message.id);
                }
            }
            self.attachments.retain(|_, a| {
                let keep = a.session_id != id;
                if !keep {
                    removed.storage_keys.push(a.storage_key.clone());
                }
                keep
            });
            self.notes.retain(|_, n| n.session_id != id);
            self.read_markers.retain(|(_, s, _), _| s != &id);
            self.visit_contexts.retain(|(_, s), _| s != &id);
            removed.sessions.push(id);
        }
        removed
    }

    fn audit_page(&self, tenant: &TenantId, filter: &AuditFilter) -> AuditPage {
        let mut entries: Vec<AuditEntry> = self
            .audit
            .iter()
            .filter(|e| &e.tenant_id == tenant && audited_by(filter, e))
            .cloned()
            .collect();
        entries.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then_with(|| b.id.cmp(&a.id))
        });
        let limit = page_size(filter.limit);
        let next_cursor = if entries.len() > limit {
            entries.truncate(limit);
            entries.last().map(AuditCursor::after)
        } else {
            None
        };
        AuditPage {
            entries,
            next_cursor,
        }
    }

    fn session_page(&self, tenant: &TenantId, filter: &SessionFilter) -> SessionPage {
        let limit = page_size(filter.limit);
        let search = filter
            .query
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_lowercase);
        let raw = filter.query.as_deref().map(str::trim).unwrap_or_default();
        let words = crate::store::search::words(raw);
        // The session id itself, or the words in one of its messages.
        let found_otherwise = |s: &Session| {
            s.id.as_str() == raw
                || self
                    .session_messages(&s.id)
                    .filter(|m| &m.tenant_id == tenant)
                    .any(|m| crate::store::search::content_matches(&m.content, &words))
        };
        let mut sessions: Vec<Session> = self
            .sessions_of(tenant)
            .filter(|s| listed_by(filter, search.as_deref(), s, found_otherwise(s)))
            .cloned()
            .collect();
        if filter.awaiting_reply {
            sessions.sort_by(|a, b| {
                a.awaiting_reply_since
                    .cmp(&b.awaiting_reply_since)
                    .then_with(|| a.id.cmp(&b.id))
            });
        } else {
            sessions.sort_by(|a, b| {
                b.last_activity_at
                    .cmp(&a.last_activity_at)
                    .then_with(|| b.id.cmp(&a.id))
            });
        }
        let next_cursor = if sessions.len() > limit {
            sessions.truncate(limit);
            sessions.last().map(|s| filter.cursor_after(s))
        } else {
            None
        };
        SessionPage {
            sessions,
            next_cursor,
        }
    }
}

/// Whether `session` passes the list `filter` (`search` is the trimmed, lowercased query;
/// `found_otherwise` whether the query matches its id or message text).
fn listed_by(
    filter: &SessionFilter,
    search: Option<&str>,
    session: &Session,
    found_otherwise: bool,
) -> bool {
    let in_projects = filter
        .project_ids
        .as_ref()
        .is_none_or(|projects| projects.contains(&session.project_id));
    let unassigned = session.assigned_agent_id.is_none() && session.status != SessionStatus::Ended;
    let matches_text = |value: &Option<String>| {
        value
            .as_deref()
            .is_some_and(|v| search.is_some_and(|q| v.to_lowercase().contains(q)))
    };
    let after_cursor = filter.cursor.as_ref().is_none_or(|c| {
        if filter.awaiting_reply {
            session
                .awaiting_reply_since
                .is_some_and(|since| (since, &session.id) > (c.last_activity_at, &c.id))
        } else {
            (session.last_activity_at, &session.id) < (c.last_activity_at, &c.id)
        }
    });
    in_projects
        && filter.status.is_none_or(|s| s == session.status)
        && filter
            .assigned_agent_id
            .as_ref()
            .is_none_or(|a| session.assigned_agent_id.as_ref() == Some(a))
        && (!filter.unassigned_only || unassigned)
        && (!filter.awaiting_reply || session.awaiting_reply_since.is_some())
        && filter
            .widget_id
            .as_ref()
            .is_none_or(|w| w == &session.widget_id)
        && (search.is_none()
            || found_otherwise
            || matches_text(&session.customer_email)
            || matches_text(&session.customer_name))
        && after_cursor
}

/// Whether `entry` passes the audit log's `filter`.
fn audited_by(filter: &AuditFilter, entry: &AuditEntry) -> bool {
    filter.from.is_none_or(|from| entry.created_at >= from)
        && filter.to.is_none_or(|to| entry.created_at < to)
        && filter
            .actor_id
            .as_ref()
            .is_none_or(|a| a == &entry.actor_id)
        && filter
            .session_id
            .as_ref()
            .is_none_or(|s| entry.session_id.as_ref() == Some(s))
        && filter
            .cursor
            .as_ref()
            .is_none_or(|c| (entry.created_at, &entry.id) < (c.created_at, &c.id))
}

/// A widget as stored.
fn stored_widget(widget: &Widget) -> Widget {
    Widget {
        created_at: stored_at(widget.created_at),
        updated_at: stored_at(widget.updated_at),
        ..widget.clone()
    }
}

/// A session as stored.
fn stored_session(session: &Session) -> Session {
    Session {
        created_at: stored_at(session.created_at),
        updated_at: stored_at(session.updated_at),
        last_activity_at: stored_at(session.last_activity_at),
        ended_at: session.ended_at.map(stored_at),
        assigned_at: session.assigned_at.map(stored_at),
        first_assigned_at: session.first_assigned_at.map(stored_at),
        ..session.clone()
    }
}

/// A canned response as stored.
fn stored_canned(canned: &CannedResponse) -> CannedResponse {
    CannedResponse {
        created_at: stored_at(canned.created_at),
        updated_at: stored_at(canned.updated_at),
        ..canned.clone()
    }
}

/// Whether another canned response of the tenant already has the shortcut.
fn shortcut_taken(state: &State, canned: &CannedResponse) -> bool {
    state.canned.values().any(|c| {
        c.tenant_id == canned.tenant_id && c.shortcut == canned.shortcut && c.id != canned.id
    })
}

#[async_trait]
impl ChatStore for MemoryStore {
    async fn ping(&self) -> StoreResult<()> {
        Ok(())
    }

    // --- tenants, projects, agents ---

    async fn upsert_tenant(&self, tenant: &Tenant) -> StoreResult<()> {
        self.state()
            .tenants
            .insert(tenant.id.clone(), tenant.clone());
        Ok(())
    }

    async fn get_tenant(&self, id: &TenantId) -> StoreResult<Tenant> {
        self.state()
            .tenants
            .get(id)
            .cloned()
            .ok_or(StoreError::NotFound)
    }

    async fn upsert_project(&self, project: &Project) -> StoreResult<()> {
        let key = (project.tenant_id.clone(), project.id.clone());
        self.state().projects.insert(key, project.clone());
        Ok(())
    }

    async fn list_projects(&self, tenant: &TenantId) -> StoreResult<Vec<Project>> {
        let state = self.state();
        Ok(state
            .projects
            .values()
            .filter(|p| &p.tenant_id == tenant)
            .cloned()
            .collect())
    }

    async fn upsert_agent(&self, agent: &Agent) -> StoreResult<()> {
        let key = (agent.tenant_id.clone(), agent.id.clone());
        self.state().agents.insert(key, agent.clone());
        Ok(())
    }

    async fn get_agent(&self, tenant: &TenantId, id: &AgentId) -> StoreResult<Agent> {
        self.state()
            .agents
            .get(&(tenant.clone(), id.clone()))
            .cloned()
            .ok_or(StoreError::NotFound)
    }

    async fn list_agents(&self, tenant: &TenantId) -> StoreResult<Vec<Agent>> {
        let state = self.state();
        Ok(state
            .agents
            .values()
            .filter(|a| &a.tenant_id == tenant)
            .cloned()
            .collect())
    }

    // --- widgets ---

    async fn insert_widget(&self, widget: &Widget) -> StoreResult<()> {
        let mut state = self.state();
        if state.widgets.contains_key(&widget.id) {
            return Err(conflict("a widget with this id already exists"));
        }
        state
            .widgets
            .insert(widget.id.clone(), stored_widget(widget));
        Ok(())
    }

    async fn get_widget(&self, tenant: &TenantId, id: &WidgetId) -> StoreResult<Widget> {
        self.state()
            .widgets
            .get(id)
            .filter(|w| &w.tenant_id == tenant)
            .cloned()
            .ok_or(StoreError::NotFound)
    }

    async fn find_widget(&self, id: &WidgetId) -> StoreResult<Widget> {
        self.state()
            .widgets
            .get(id)
            .cloned()
            .ok_or(StoreError::NotFound)
    }

    async fn update_widget(&self, widget: &Widget) -> StoreResult<()> {
        let mut state = self.state();
        let stored = state
            .widgets
            .get_mut(&widget.id)
            .filter(|w| w.tenant_id == widget.tenant_id)
            .ok_or(StoreError::NotFound)?;
        *stored = Widget {
            created_at: stored.created_at,
            ..stored_widget(widget)
        };
        Ok(())
    }

    async fn delete_widget(&self, tenant: &TenantId, id: &WidgetId) -> StoreResult<()> {
        let mut state = self.state();
        match state.widgets.get(id) {
            Some(w) if &w.tenant_id == tenant => {
                state.widgets.remove(id);
                Ok(())
            }
            _ => Err(StoreError::NotFound),
        }
    }

    async fn list_widgets(
        &self,
        tenant: &TenantId,
        projects: Option<&[ProjectId]>,
    ) -> StoreResult<Vec<Widget>> {
        let state = self.state();
        let mut widgets: Vec<Widget> = state
            .widgets
            .values()
            .filter(|w| &w.tenant_id == tenant)
            .filter(|w| projects.is_none_or(|p| p.contains(&w.project_id)))
            .cloned()
            .collect();
        widgets.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(widgets)
    }

    // --- sessions ---

    async fn insert_session(
        &self,
        session: &Session,
        customer_token_hash: &str,
    ) -> StoreResult<()> {
        self.state().insert_session(session, customer_token_hash)
    }

    async fn get_session(&self, tenant: &TenantId, id: &SessionId) -> StoreResult<Session> {
        Ok(self.state().session(tenant, id)?.session.clone())
    }

    async fn find_session_by_token_hash(&self, token_hash: &str) -> StoreResult<Session> {
        self.state()
            .sessions
            .values()
            .find(|row| row.token_hash == token_hash)
            .map(|row| row.session.clone())
            .ok_or(StoreError::NotFound)
    }

    async fn update_session(&self, session: &Session) -> StoreResult<Session> {
        self.state().update_session(session)
    }

    async fn list_sessions(
        &self,
        tenant: &TenantId,
        filter: &SessionFilter,
    ) -> StoreResult<SessionPage> {
        Ok(self.state().session_page(tenant, filter))
    }

    async fn customer_sessions(
        &self,
        tenant: &TenantId,
        customer_email: &str,
        exclude: Option<&SessionId>,
        limit: u32,
    ) -> StoreResult<Vec<Session>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let email = customer_email.to_lowercase();
        let state = self.state();
        let mut sessions: Vec<Session> = state
            .sessions_of(tenant)
            .filter(|s| {
                s.customer_email
                    .as_deref()
                    .is_some_and(|e| e.to_lowercase() == email)
            })
            .filter(|s| exclude != Some(&s.id))
            .cloned()
            .collect();
        sessions.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then_with(|| b.id.cmp(&a.id))
        });
        sessions.truncate(page_size(limit));
        Ok(sessions)
    }

    async fn count_open_sessions_for_agent(
        &self,
        tenant: &TenantId,
        agent: &AgentId,
    ) -> StoreResult<u64> {
        let state = self.state();
        let open = state
            .sessions_of(tenant)
            .filter(|s| s.assigned_agent_id.as_ref() == Some(agent))
            .filter(|s| s.status != SessionStatus::Ended)
            .count();
        Ok(open as u64)
    }

    async fn update_session_within_limit(
        &self,
        session: &Session,
        max_open: u32,
    ) -> StoreResult<LimitedUpdate> {
        // One lock for the count and the write: the store's transaction.
        let mut state = self.state();
        if let Some(agent) = &session.assigned_agent_id {
            let others = state
                .sessions_of(&session.tenant_id)
                .filter(|s| s.assigned_agent_id.as_ref() == Some(agent))
                .filter(|s| s.status != SessionStatus::Ended && s.id != session.id)
                .count();
            if others >= max_open as usize {
                // A session of another tenant is still `NotFound`.
                state.session(&session.tenant_id, &session.id)?;
                return Ok(LimitedUpdate::AtLimit);
            }
        }
        state.update_session(session).map(LimitedUpdate::Stored)
    }

    async fn insert_session_within_limit(
        &self,
        session: &Session,
        customer_token_hash: &str,
        max_open: u32,
    ) -> StoreResult<LimitedUpdate> {
        // One lock for the count and the insert: the store's transaction.
        let mut state = self.state();
        if let Some(agent) = &session.assigned_agent_id {
            let open = state
                .sessions_of(&session.tenant_id)
                .filter(|s| s.assigned_agent_id.as_ref() == Some(agent))
                .filter(|s| s.status != SessionStatus::Ended)
                .count();
            if open >= max_open as usize {
                return Ok(LimitedUpdate::AtLimit);
            }
        }
        state.insert_session(session, customer_token_hash)?;
        Ok(LimitedUpdate::Stored(stored_session(session)))
    }

    async fn unread_counts(
        &self,
        tenant: &TenantId,
        agent: &AgentId,
        sessions: &[SessionId],
    ) -> StoreResult<Vec<(SessionId, u64)>> {
        let state = self.state();
        let participant = ReadMarker::agent_key(agent);
        let mut counts = Vec::new();
        for id in sessions {
            if state.require_session(tenant, id).is_err() {
                continue;
            }
            let read = state
                .read_markers
                .get(&(tenant.clone(), id.clone(), participant.clone()))
                .map_or(0, |m| m.last_read_seq);
            let unread = state
                .session_messages(id)
                .filter(|m| m.sender_type == SenderType::Customer && m.seq > read)
                .count() as u64;
            if unread > 0 {
                counts.push((id.clone(), unread));
            }
        }
        Ok(counts)
    }

    async fn list_reply_overdue_sessions(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Session>> {
        let state = self.state();
        let mut overdue: Vec<(DateTime<Utc>, Session)> = state
            .sessions
            .values()
            .map(|row| &row.session)
            .filter_map(|s| {
                let seconds = state
                    .widgets
                    .get(&s.widget_id)
                    .filter(|w| w.tenant_id == s.tenant_id)?
                    .routing
                    .reassign_after_seconds?;
                let due = s.reply_overdue_at(seconds)?;
                (due <= now).then(|| (due, s.clone()))
            })
            .collect();
        overdue.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.id.cmp(&b.1.id)));
        Ok(overdue
            .into_iter()
            .take(page_size(limit))
            .map(|(_, s)| s)
            .collect())
    }

    async fn recently_assigned_sessions(
        &self,
        tenant: &TenantId,
        limit: u32,
    ) -> StoreResult<Vec<Session>> {
        let state = self.state();
        let mut assigned: Vec<Session> = state
            .sessions_of(tenant)
            .filter(|s| s.first_assigned_at.is_some())
            .cloned()
            .collect();
        assigned.sort_by_key(|s| std::cmp::Reverse(s.first_assigned_at));
        assigned.truncate(page_size(limit));
        Ok(assigned)
    }

    async fn list_waiting_sessions(
        &self,
        tenant: &TenantId,
        limit: u32,
    ) -> StoreResult<Vec<Session>> {
        let state = self.state();
        let mut waiting: Vec<Session> = state
            .sessions_of(tenant)
            .filter(|s| s.is_unassigned())
            .filter(|s| {
                matches!(
                    s.status,
                    SessionStatus::Waiting | SessionStatus::Transferred
                )
            })
            .cloned()
            .collect();
        waiting.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        waiting.truncate(page_size(limit));
        Ok(waiting)
    }

    async fn list_idle_sessions(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Session>> {
        let state = self.state();
        let mut idle: Vec<Session> = state
            .sessions
            .values()
            .map(|row| &row.session)
            .filter(|s| !s.status.is_final())
            .filter(|s| {
                state
                    .widgets
                    .get(&s.widget_id)
                    .and_then(|w| w.auto_end_after_minutes)
                    .is_some_and(|m| {
                        s.last_activity_at + chrono::Duration::minutes(i64::from(m)) <= now
                    })
            })
            .cloned()
            .collect();
        idle.sort_by(|a, b| {
            a.last_activity_at
                .cmp(&b.last_activity_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        idle.truncate(page_size(limit));
        Ok(idle)
    }

    async fn open_sessions_by_agent(&self, tenant: &TenantId) -> StoreResult<Vec<(AgentId, u64)>> {
        let state = self.state();
        let mut counts: BTreeMap<AgentId, u64> = BTreeMap::new();
        for s in state.sessions_of(tenant) {
            if let (Some(agent), false) = (&s.assigned_agent_id, s.status.is_final()) {
                *counts.entry(agent.clone()).or_default() += 1;
            }
        }
        Ok(counts.into_iter().collect())
    }

    async fn change_presence(
        &self,
        tenant: &TenantId,
        agent: &AgentId,
        change: PresenceChange,
        now: DateTime<Utc>,
    ) -> StoreResult<(AgentPresence, AgentPresence)> {
        let mut state = self.state();
        let key = (tenant.clone(), agent.clone());
        let before = state.presence.get(&key).cloned().unwrap_or_else(|| {
            AgentPresence::unseen(tenant.clone(), agent.clone(), stored_at(now))
        });
        let mut after = before.clone();
        after.apply(change, stored_at(now));
        after.grace_until = after.grace_until.map(stored_at);
        after.last_routed_at = after.last_routed_at.map(stored_at);
        state.presence.insert(key, after.clone());
        Ok((before, after))
    }

    async fn list_presence(&self, tenant: &TenantId) -> StoreResult<Vec<AgentPresence>> {
        let state = self.state();
        Ok(state
            .presence
            .values()
            .filter(|p| &p.tenant_id == tenant)
            .cloned()
            .collect())
    }

    async fn expire_presence_grace(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<AgentPresence>> {
        let mut state = self.state();
        let mut expired = Vec::new();
        for p in state.presence.values_mut() {
            if expired.len() >= limit as usize {
                break;
            }
            if p.grace_is_over(now) && p.presence != Presence::Offline {
                p.apply(PresenceChange::GraceExpired, stored_at(now));
                expired.push(p.clone());
            }
        }
        Ok(expired)
    }

    // --- messages ---

    async fn append_messages(
        &self,
        messages: Vec<NewMessage>,
    ) -> StoreResult<Vec<StoreResult<Appended>>> {
        let mut state = self.state();
        Ok(messages
            .into_iter()
            .map(|message| state.append(message))
            .collect())
    }

    async fn list_messages(
        &self,
        tenant: &TenantId,
        session: &SessionId,
        query: HistoryQuery,
    ) -> StoreResult<Vec<Message>> {
        let limit = page_size(query.limit);
        let state = self.state();
        let of_tenant = state
            .session_messages(session)
            .filter(|m| &m.tenant_id == tenant);
        let messages = match (query.after_seq, query.before_seq) {
            // Only an upper bound: the newest `limit` before it.
            (None, Some(before)) => {
                let earlier: Vec<&Message> = of_tenant.filter(|m| m.seq < before).collect();
                let from = earlier.len().saturating_sub(limit);
                earlier[from..].iter().map(|m| (*m).clone()).collect()
            }
            // Otherwise the oldest `limit` after the lower bound (and below the upper one).
            (after, before) => of_tenant
                .filter(|m| m.seq > after.unwrap_or(0) && m.seq < before.unwrap_or(i64::MAX))
                .take(limit)
                .cloned()
                .collect(),
        };
        Ok(messages)
    }

    // --- attachments ---

    async fn insert_attachment(&self, attachment: &Attachment) -> StoreResult<()> {
        let mut state = self.state();
        if state.attachments.contains_key(&attachment.id) {
            return Err(conflict("an attachment with this id already exists"));
        }
        state.require_session(&attachment.tenant_id, &attachment.session_id)?;
        let stored = Attachment {
            created_at: stored_at(attachment.created_at),
            ..attachment.clone()
        };
        state.attachments.insert(attachment.id.clone(), stored);
        Ok(())
    }

    async fn get_attachment(
        &self,
        tenant: &TenantId,
        id: &AttachmentId,
    ) -> StoreResult<Attachment> {
        self.state()
            .attachments
            .get(id)
            .filter(|a| &a.tenant_id == tenant)
            .cloned()
            .ok_or(StoreError::NotFound)
    }

    // --- agent tools ---

    async fn insert_note(&self, note: &Note) -> StoreResult<()> {
        let mut state = self.state();
        if state.notes.contains_key(&note.id) {
            return Err(conflict("a note with this id already exists"));
        }
        state.require_session(&note.tenant_id, &note.session_id)?;
        let stored = Note {
            created_at: stored_at(note.created_at),
            ..note.clone()
        };
        state.notes.insert(note.id.clone(), stored);
        Ok(())
    }

    async fn list_notes(&self, tenant: &TenantId, session: &SessionId) -> StoreResult<Vec<Note>> {
        let state = self.state();
        let mut notes: Vec<Note> = state
            .notes
            .values()
            .filter(|n| &n.tenant_id == tenant && &n.session_id == session)
            .cloned()
            .collect();
        notes.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(notes)
    }

    async fn insert_canned_response(&self, canned: &CannedResponse) -> StoreResult<()> {
        let mut state = self.state();
        if state.canned.contains_key(&canned.id) || shortcut_taken(&state, canned) {
            return Err(conflict(DUPLICATE_SHORTCUT));
        }
        state
            .canned
            .insert(canned.id.clone(), stored_canned(canned));
        Ok(())
    }

    async fn update_canned_response(&self, canned: &CannedResponse) -> StoreResult<()> {
        let mut state = self.state();
        let created_at = match state.canned.get(&canned.id) {
            Some(c) if c.tenant_id == canned.tenant_id => c.created_at,
            _ => return Err(StoreError::NotFound),
        };
        if shortcut_taken(&state, canned) {
            return Err(conflict(DUPLICATE_SHORTCUT));
        }
        let stored = CannedResponse {
            created_at,
            ..stored_canned(canned)
        };
        state.canned.insert(canned.id.clone(), stored);
        Ok(())
    }

    async fn delete_canned_response(
        &self,
        tenant: &TenantId,
        id: &CannedResponseId,
    ) -> StoreResult<()> {
        let mut state = self.state();
        match state.canned.get(id) {
            Some(c) if &c.tenant_id == tenant => {
                state.canned.remove(id);
                Ok(())
            }
            _ => Err(StoreError::NotFound),
        }
    }

    async fn get_canned_response(
        &self,
        tenant: &TenantId,
        id: &CannedResponseId,
    ) -> StoreResult<CannedResponse> {
        self.state()
            .canned
            .get(id)
            .filter(|c| &c.tenant_id == tenant)
            .cloned()
            .ok_or(StoreError::NotFound)
    }

    async fn list_canned_responses(&self, tenant: &TenantId) -> StoreResult<Vec<CannedResponse>> {
        let state = self.state();
        let mut canned: Vec<CannedResponse> = state
            .canned
            .values()
            .filter(|c| &c.tenant_id == tenant)
            .cloned()
            .collect();
        canned.sort_by(|a, b| a.shortcut.cmp(&b.shortcut).then_with(|| a.id.cmp(&b.id)));
        Ok(canned)
    }

    async fn advance_read_marker(
        &self,
        tenant: &TenantId,
        marker: &ReadMarker,
    ) -> StoreResult<ReadMarker> {
        let mut state = self.state();
        state.require_session(tenant, &marker.session_id)?;
        let key = (
            tenant.clone(),
            marker.session_id.clone(),
            marker.participant.clone(),
        );
        let proposed = ReadMarker {
            updated_at: stored_at(marker.updated_at),
            ..marker.clone()
        };
        let stored = state
            .read_markers
            .entry(key)
            .and_modify(|stored| {
                if proposed.last_read_seq > stored.last_read_seq {
                    *stored = proposed.clone();
                }
            })
            .or_insert_with(|| proposed.clone());
        Ok(stored.clone())
    }

    async fn list_read_markers(
        &self,
        tenant: &TenantId,
        session: &SessionId,
    ) -> StoreResult<Vec<ReadMarker>> {
        let state = self.state();
        Ok(state
            .read_markers
            .iter()
            .filter(|((t, s, _), _)| t == tenant && s == session)
            .map(|(_, marker)| marker.clone())
            .collect())
    }

    async fn put_visit_context(
        &self,
        tenant: &TenantId,
        session: &SessionId,
        context: &VisitContext,
    ) -> StoreResult<()> {
        let mut state = self.state();
        state.require_session(tenant, session)?;
        let stored = VisitContext {
            updated_at: stored_at(context.updated_at),
            ..context.clone()
        };
        state
            .visit_contexts
            .insert((tenant.clone(), session.clone()), stored);
        Ok(())
    }

    async fn get_visit_context(
        &self,
        tenant: &TenantId,
        session: &SessionId,
    ) -> StoreResult<Option<VisitContext>> {
        let state = self.state();
        Ok(state
            .visit_contexts
            .get(&(tenant.clone(), session.clone()))
            .cloned())
    }

    async fn insert_socket_ticket(
        &self,
        ticket: &SocketTicketRecord,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut state = self.state();
        state.socket_tickets.retain(|_, t| t.expires_at >= now);
        if state.socket_tickets.contains_key(&ticket.ticket_hash) {
            return Err(StoreError::Conflict("this socket ticket exists".to_owned()));
        }
        state
            .socket_tickets
            .insert(ticket.ticket_hash.clone(), ticket.clone());
        Ok(())
    }

    async fn redeem_socket_ticket(
        &self,
        ticket_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<SocketTicketRecord>> {
        let ticket = self.state().socket_tickets.remove(ticket_hash);
        Ok(ticket.filter(|t| t.expires_at > now))
    }

    async fn write_audited(
        &self,
        write: AuditedWrite<'_>,
        entry: &AuditEntry,
    ) -> StoreResult<Written> {
        let mut entry = AuditEntry {
            created_at: stored_at(entry.created_at),
            ..entry.clone()
        };
        let written = match write {
            AuditedWrite::Session { session, max_open } => Written::Session(match max_open {
                Some(max) => self.update_session_within_limit(session, max).await?,
                None => LimitedUpdate::Stored(self.update_session(session).await?),
            }),
            AuditedWrite::InsertNote(note) => self.insert_note(note).await.map(done)?,
            AuditedWrite::InsertWidget(widget) => self.insert_widget(widget).await.map(done)?,
            AuditedWrite::UpdateWidget(widget) => self.update_widget(widget).await.map(done)?,
            AuditedWrite::DeleteWidget(tenant, id) => {
                self.delete_widget(tenant, id).await.map(done)?
            }
            AuditedWrite::InsertCanned(canned) => {
                self.insert_canned_response(canned).await.map(done)?
            }
            AuditedWrite::UpdateCanned(canned) => {
                self.update_canned_response(canned).await.map(done)?
            }
            AuditedWrite::DeleteCanned(tenant, id) => {
                self.delete_canned_response(tenant, id).await.map(done)?
            }
            AuditedWrite::Presence {
                tenant,
                agent,
                change,
                now,
            } => {
                let (before, after) = self.change_presence(tenant, agent, change, now).await?;
                Written::Presence(before, after)
            }
            AuditedWrite::EraseCustomer {
                tenant,
                customer_email,
            } => {
                let mut state = self.state();
                let email = customer_email.to_lowercase();
                let ids = state
                    .sessions_of(tenant)
                    .filter(|s| {
                        s.customer_email.as_deref().map(str::to_lowercase) == Some(email.clone())
                    })
                    .map(|s| s.id.clone())
                    .collect();
                let removed = state.remove_sessions(ids);
                entry = removed.recorded_in(&entry);
                state.audit.push(entry);
                return Ok(Written::Removed(removed));
            }
            AuditedWrite::EntryOnly => Written::Done,
        };
        if !matches!(written, Written::Session(LimitedUpdate::AtLimit)) {
            self.state().audit.push(entry);
        }
        Ok(written)
    }

    async fn list_audit(&self, tenant: &TenantId, filter: &AuditFilter) -> StoreResult<AuditPage> {
        Ok(self.state().audit_page(tenant, filter))
    }

    async fn delete_expired_sessions(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Removed> {
        let mut state = self.state();
        let mut due: Vec<(DateTime<Utc>, SessionId)> = state
            .sessions
            .values()
            .map(|row| &row.session)
            .filter_map(|s| {
                let ended_at = s.ended_at.filter(|_| s.status == SessionStatus::Ended)?;
                let days = state
                    .widgets
                    .get(&s.widget_id)
                    .filter(|w| w.tenant_id == s.tenant_id)?
                    .retention_days?;
                (ended_at + chrono::Duration::days(i64::from(days)) <= now)
                    .then(|| (ended_at, s.id.clone()))
            })
            .collect();
        due.sort();
        due.truncate(page_size(limit));
        Ok(state.remove_sessions(due.into_iter().map(|(_, id)| id).collect()))
    }
}
