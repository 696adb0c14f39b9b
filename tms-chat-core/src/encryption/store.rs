//! [`EncryptedStore`]: a [`ChatStore`] that seals message and note content on the way in
//! and opens it on the way out; everything else passes through to the wrapped store.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{EncryptionError, KeyRing};
use crate::domain::{
    Agent, AgentPresence, Attachment, AuditEntry, CannedResponse, Message, NewMessage, Note,
    PresenceChange, Project, ReadMarker, Session, Tenant, VisitContext, Widget,
};
use crate::error::StoreError;
use crate::ids::{
    AgentId, AttachmentId, CannedResponseId, ProjectId, SessionId, TenantId, WidgetId,
};
use crate::store::{
    Appended, AuditFilter, AuditPage, AuditedWrite, ChatStore, HistoryQuery, LimitedUpdate,
    Removed, SessionFilter, SessionPage, SocketTicketRecord, StoreResult, Written,
};

/// A store whose message and note content is sealed with a [`KeyRing`].
pub struct EncryptedStore {
    inner: Arc<dyn ChatStore>,
    keys: Arc<KeyRing>,
}

impl EncryptedStore {
    /// Wraps `inner`.
    pub fn new(inner: Arc<dyn ChatStore>, keys: Arc<KeyRing>) -> Self {
        EncryptedStore { inner, keys }
    }

    fn open_message(&self, mut message: Message) -> StoreResult<Message> {
        message.content = self
            .keys
            .open_text(message.id.as_str(), &message.content)
            .map_err(unreadable)?;
        Ok(message)
    }
}

fn unreadable(err: EncryptionError) -> StoreError {
    StoreError::backend("open an encrypted record", err)
}

#[async_trait]
impl ChatStore for EncryptedStore {
    fn append_pipeline_depth(&self) -> usize {
        self.inner.append_pipeline_depth()
    }

    async fn append_messages(
        &self,
        mut messages: Vec<NewMessage>,
    ) -> StoreResult<Vec<StoreResult<Appended>>> {
        for message in &mut messages {
            message.content = self.keys.seal_text(message.id.as_str(), &message.content);
        }
        let results = self.inner.append_messages(messages).await?;
        Ok(results
            .into_iter()
            .map(|result| {
                let appended = result?;
                Ok(Appended {
                    message: self.open_message(appended.message)?,
                    created: appended.created,
                })
            })
            .collect())
    }

    async fn list_messages(
        &self,
        tenant: &TenantId,
        session: &SessionId,
        query: HistoryQuery,
    ) -> StoreResult<Vec<Message>> {
        let messages = self.inner.list_messages(tenant, session, query).await?;
        messages.into_iter().map(|m| self.open_message(m)).collect()
    }

    async fn insert_note(&self, note: &Note) -> StoreResult<()> {
        let mut sealed = note.clone();
        sealed.content = self.keys.seal_text(note.id.as_str(), &note.content);
        self.inner.insert_note(&sealed).await
    }

    async fn list_notes(&self, tenant: &TenantId, session: &SessionId) -> StoreResult<Vec<Note>> {
        let notes = self.inner.list_notes(tenant, session).await?;
        notes
            .into_iter()
            .map(|mut note| {
                note.content = self
                    .keys
                    .open_text(note.id.as_str(), &note.content)
                    .map_err(unreadable)?;
                Ok(note)
            })
            .collect()
    }

    async fn write_audited(
        &self,
        write: AuditedWrite<'_>,
        entry: &AuditEntry,
    ) -> StoreResult<Written> {
        let AuditedWrite::InsertNote(note) = write else {
            return self.inner.write_audited(write, entry).await;
        };
        let mut sealed = note.clone();
        sealed.content = self.keys.seal_text(note.id.as_str(), &note.content);
        self.inner
            .write_audited(AuditedWrite::InsertNote(&sealed), entry)
            .await
    }

    // --- everything else passes through ---

    async fn list_audit(&self, tenant: &TenantId, filter: &AuditFilter) -> StoreResult<AuditPage> {
        self.inner.list_audit(tenant, filter).await
    }

    async fn delete_expired_sessions(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Removed> {
        self.inner.delete_expired_sessions(now, limit).await
    }

    async fn ping(&self) -> StoreResult<()> {
        self.inner.ping().await
    }

    async fn upsert_tenant(&self, tenant: &Tenant) -> StoreResult<()> {
        self.inner.upsert_tenant(tenant).await
    }

    async fn get_tenant(&self, id: &TenantId) -> StoreResult<Tenant> {
        self.inner.get_tenant(id).await
    }

    async fn upsert_project(&self, project: &Project) -> StoreResult<()> {
        self.inner.upsert_project(project).await
    }

    async fn list_projects(&self, tenant: &TenantId) -> StoreResult<Vec<Project>> {
        self.inner.list_projects(tenant).await
    }

    async fn upsert_agent(&self, agent: &Agent) -> StoreResult<()> {
        self.inner.upsert_agent(agent).await
    }

    async fn get_agent(&self, tenant: &TenantId, id: &AgentId) -> StoreResult<Agent> {
        self.inner.get_agent(tenant, id).await
    }

    async fn list_agents(&self, tenant: &TenantId) -> StoreResult<Vec<Agent>> {
        self.inner.list_agents(tenant).await
    }

    async fn insert_widget(&self, widget: &Widget) -> StoreResult<()> {
        self.inner.insert_widget(widget).await
    }

    async fn get_widget(&self, tenant: &TenantId, id: &WidgetId) -> StoreResult<Widget> {
        self.inner.get_widget(tenant, id).await
    }

    async fn find_widget(&self, id: &WidgetId) -> StoreResult<Widget> {
        self.inner.find_widget(id).await
    }

    async fn update_widget(&self, widget: &Widget) -> StoreResult<()> {
        self.inner.update_widget(widget).await
    }

    async fn delete_widget(&self, tenant: &TenantId, id: &WidgetId) -> StoreResult<()> {
        self.inner.delete_widget(tenant, id).await
    }

    async fn list_widgets(
        &self,
        tenant: &TenantId,
        projects: Option<&[ProjectId]>,
    ) -> StoreResult<Vec<Widget>> {
        self.inner.list_widgets(tenant, projects).await
    }

    async fn insert_session(
        &self,
        session: &Session,
        customer_token_hash: &str,
    ) -> StoreResult<()> {
        self.inner
            .insert_session(session, customer_token_hash)
            .await
    }

    async fn get_session(&self, tenant: &TenantId, id: &SessionId) -> StoreResult<Session> {
        self.inner.get_session(tenant, id).await
    }

    async fn find_session_by_token_hash(&self, token_hash: &str) -> StoreResult<Session> {
        self.inner.find_session_by_token_hash(token_hash).await
    }

    async fn update_session(&self, session: &Session) -> StoreResult<Session> {
        self.inner.update_session(session).await
    }

    async fn list_sessions(
        &self,
        tenant: &TenantId,
        filter: &SessionFilter,
    ) -> StoreResult<SessionPage> {
        self.inner.list_sessions(tenant, filter).await
    }

    async fn customer_sessions(
        &self,
        tenant: &TenantId,
        customer_email: &str,
        exclude: Option<&SessionId>,
        limit: u32,
    ) -> StoreResult<Vec<Session>> {
        self.inner
            .customer_sessions(tenant, customer_email, exclude, limit)
            .await
    }

    async fn count_open_sessions_for_agent(
        &self,
        tenant: &TenantId,
        agent: &AgentId,
    ) -> StoreResult<u64> {
        self.inner
            .count_open_sessions_for_agent(tenant, agent)
            .await
    }

    async fn insert_attachment(&self, attachment: &Attachment) -> StoreResult<()> {
        self.inner.insert_attachment(attachment).await
    }

    async fn get_attachment(
        &self,
        tenant: &TenantId,
        id: &AttachmentId,
    ) -> StoreResult<Attachment> {
        self.inner.get_attachment(tenant, id).await
    }

    async fn insert_canned_response(&self, canned: &CannedResponse) -> StoreResult<()> {
        self.inner.insert_canned_response(canned).await
    }

    async fn update_canned_response(&self, canned: &CannedResponse) -> StoreResult<()> {
        self.inner.update_canned_response(canned).await
    }

    async fn delete_canned_response(
        &self,
        tenant: &TenantId,
        id: &CannedResponseId,
    ) -> StoreResult<()> {
        self.inner.delete_canned_response(tenant, id).await
    }

    async fn get_canned_response(
        &self,
        tenant: &TenantId,
        id: &CannedResponseId,
    ) -> StoreResult<CannedResponse> {
        self.inner.get_canned_response(tenant, id).await
    }

    async fn list_canned_responses(&self, tenant: &TenantId) -> StoreResult<Vec<CannedResponse>> {
        self.inner.list_canned_responses(tenant).await
    }

    async fn advance_read_marker(
        &self,
        tenant: &TenantId,
        marker: &ReadMarker,
    ) -> StoreResult<ReadMarker> {
        self.inner.advance_read_marker(tenant, marker).await
    }

    async fn list_read_markers(
        &self,
        tenant: &TenantId,
        session: &SessionId,
    ) -> StoreResult<Vec<ReadMarker>> {
        self.inner.list_read_markers(tenant, session).await
    }

    async fn put_visit_context(
        &self,
        tenant: &TenantId,
        session: &SessionId,
        context: &VisitContext,
    ) -> StoreResult<()> {
        self.inner.put_visit_context(tenant, session, context).await
    }

    async fn get_visit_context(
        &self,
        tenant: &TenantId,
        session: &SessionId,
    ) -> StoreResult<Option<VisitContext>> {
        self.inner.get_visit_context(tenant, session).await
    }

    async fn insert_socket_ticket(
        &self,
        ticket: &SocketTicketRecord,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.inner.insert_socket_ticket(ticket, now).await
    }

    async fn redeem_socket_ticket(
        &self,
        ticket_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<SocketTicketRecord>> {
        self.inner.redeem_socket_ticket(ticket_hash, now).await
    }

    async fn update_session_within_limit(
        &self,
        session: &Session,
        max_open: u32,
    ) -> StoreResult<LimitedUpdate> {
        self.inner
            .update_session_within_limit(session, max_open)
            .await
    }

    async fn open_sessions_by_agent(&self, tenant: &TenantId) -> StoreResult<Vec<(AgentId, u64)>> {
        self.inner.open_sessions_by_agent(tenant).await
    }

    async fn change_presence(
        &self,
        tenant: &TenantId,
        agent: &AgentId,
        change: PresenceChange,
        now: DateTime<Utc>,
    ) -> StoreResult<(AgentPresence, AgentPresence)> {
        self.inner.change_presence(tenant, agent, change, now).await
    }

    async fn list_presence(&self, tenant: &TenantId) -> StoreResult<Vec<AgentPresence>> {
        self.inner.list_presence(tenant).await
    }

    async fn expire_presence_grace(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<AgentPresence>> {
        self.inner.expire_presence_grace(now, limit).await
    }

    async fn list_waiting_sessions(
        &self,
        tenant: &TenantId,
        limit: u32,
    ) -> StoreResult<Vec<Session>> {
        self.inner.list_waiting_sessions(tenant, limit).await
    }

    async fn list_idle_sessions(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Session>> {
        self.inner.list_idle_sessions(now, limit).await
    }

    async fn insert_session_within_limit(
        &self,
        session: &Session,
        customer_token_hash: &str,
        max_open: u32,
    ) -> StoreResult<LimitedUpdate> {
        self.inner
            .insert_session_within_limit(session, customer_token_hash, max_open)
            .await
    }

    async fn unread_counts(
        &self,
        tenant: &TenantId,
        agent: &AgentId,
        sessions: &[SessionId],
    ) -> StoreResult<Vec<(SessionId, u64)>> {
        self.inner.unread_counts(tenant, agent, sessions).await
    }

    async fn list_reply_overdue_sessions(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Session>> {
        self.inner.list_reply_overdue_sessions(now, limit).await
    }

    async fn recently_assigned_sessions(
        &self,
        tenant: &TenantId,
        limit: u32,
    ) -> StoreResult<Vec<Session>> {
        self.inner.recently_assigned_sessions(tenant, limit).await
    }
}
