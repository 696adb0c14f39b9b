//! [`SqlStore`], the one [`ChatStore`] implementation for both databases, and its simple
//! queries (tenants, projects, agents, widgets, attachments, notes, canned responses, read
//! markers). The session list and updates live in `sessions`, appending and reading messages
//! in `messages`.
//!
//! Every query filters by `tenant_id` except the two lookups the trait defines without one
//! (`find_widget`, `find_session_by_token_hash`), which go through a unique key.

mod append;
mod audit;
mod messages;
mod presence;
mod reencrypt;
mod sessions;
mod socket_tickets;

pub(crate) use append::STATEMENT_CACHE;
pub use reencrypt::Reencrypted;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{Database, Pool};
use tms_chat_core::domain::{
    Agent, AgentPresence, Attachment, AuditEntry, CannedResponse, NewMessage, Note, PresenceChange,
    Project, ReadMarker, Session, Tenant, VisitContext, Widget,
};
use tms_chat_core::ids::{
    AgentId, AttachmentId, CannedResponseId, ProjectId, SessionId, TenantId, WidgetId,
};
use tms_chat_core::store::{
    Appended, AuditFilter, AuditPage, AuditedWrite, ChatStore, HistoryQuery, LimitedUpdate,
    Removed, SessionFilter, SessionPage, SocketTicketRecord, StoreResult, Written, MAX_PAGE_SIZE,
};
use tms_chat_core::StoreError;

use crate::codec::{
    self, agent_columns, attachment_columns, canned_columns, micros, note_columns,
    read_marker_columns, session_columns, session_columns_of_s, widget_columns, Columns,
};
use crate::error::{db, db_conflict};
use crate::migrate;
use crate::sql::{self, ListQuery, Sql, Statement};
use crate::sqlite::Checkpointer;

const DUPLICATE_SHORTCUT: &str = "a canned response with this shortcut already exists";

/// The waiting queue, oldest first. `status <> 'ended'` is implied by the `IN`, but it is
/// spelled out: the partial index `sessions_tenant_waiting` is only chosen when a query
/// repeats its `WHERE`, and without it SQLite read and sorted every never-assigned session
/// of the tenant (ended ones too) at each session start.
const WAITING_SESSIONS: &str = concat!(
    "SELECT ",
    session_columns!(),
    " FROM sessions WHERE tenant_id = $1 AND assigned_agent_id IS NULL \
     AND status <> 'ended' AND status IN ('waiting', 'transferred') \
     ORDER BY created_at, id LIMIT $2"
);

/// A [`ChatStore`] on a sqlx pool of `DB`. Use it through its aliases
/// [`SqliteStore`](crate::SqliteStore) and [`PostgresStore`](crate::PostgresStore). Cloning is
/// cheap: clones share the pool.
pub struct SqlStore<DB: Database> {
    pool: Pool<DB>,
    /// Where the message append runs: the pool itself, or (SQLite files) a pool of one
    /// connection of its own, so that its prepared statements and its page cache (the hot
    /// ends of the message tables) are kept once instead of on every connection the append
    /// happens to take (each filled its 2 MB page cache in turn: RSS grew in steps).
    writer: Pool<DB>,
    /// SQLite files: the task that checkpoints the WAL beside the writer, stopped when the
    /// last clone of the store is dropped.
    checkpointer: Option<Arc<Checkpointer>>,
}

impl<DB: Database> Clone for SqlStore<DB> {
    fn clone(&self) -> Self {
        Self {
            pool: self.pool.clone(),
            writer: self.writer.clone(),
            checkpointer: self.checkpointer.clone(),
        }
    }
}

impl<DB: Database> fmt::Debug for SqlStore<DB> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqlStore")
            .field("pool", &self.pool)
            .finish()
    }
}

impl<DB: Sql> SqlStore<DB> {
    /// Wraps an existing pool and brings its schema up to date (the migrations are idempotent
    /// and safe to run from several nodes at once).
    pub async fn from_pool(pool: Pool<DB>) -> StoreResult<Self> {
        migrate::run(&pool).await?;
        Ok(Self {
            writer: pool.clone(),
            pool,
            checkpointer: None,
        })
    }

    /// Runs the message append on `writer` instead of the pool.
    pub(crate) fn with_writer(self, writer: Pool<DB>) -> Self {
        Self { writer, ..self }
    }

    /// Keeps `checkpointer` running as long as the store.
    pub(crate) fn with_checkpointer(self, checkpointer: Arc<Checkpointer>) -> Self {
        Self {
            checkpointer: Some(checkpointer),
            ..self
        }
    }

    /// The pool, for the host's own queries or to close it on shutdown.
    pub fn pool(&self) -> &Pool<DB> {
        &self.pool
    }

    /// A connection of the pool, for a statement written to run on one.
    async fn connection(&self) -> StoreResult<sqlx::pool::PoolConnection<DB>> {
        self.pool.acquire().await.map_err(db("connect"))
    }

    /// The highest schema version applied to the database.
    pub async fn schema_version(&self) -> StoreResult<Option<i64>> {
        migrate::current_version(&self.pool).await
    }
}

/// A page size within 1..=[`MAX_PAGE_SIZE`].
fn page_size(limit: u32) -> i64 {
    i64::from(limit.clamp(1, MAX_PAGE_SIZE))
}

/// The decoded row, or `NotFound` when there is none.
fn found<R, T>(row: Option<R>, decode: impl FnOnce(&R) -> StoreResult<T>) -> StoreResult<T> {
    match row {
        Some(row) => decode(&row),
        None => Err(StoreError::NotFound),
    }
}

/// `Ok` when a statement with `RETURNING` touched a row, `NotFound` otherwise.
fn touched<R>(row: Option<R>) -> StoreResult<()> {
    found(row, |_| Ok(()))
}

/// Binds a widget's written fields as `$3`…`$26` (after its `id` and `tenant_id`, in the
/// order of `widget_columns!`): the insert and the update share it, the insert then binds
/// `created_at`, which an update never writes.
fn bind_widget<'q, DB: Sql>(
    statement: Statement<'q, DB>,
    widget: &Widget,
) -> StoreResult<Statement<'q, DB>> {
    Ok(statement
        .bind(widget.project_id.as_str())
        .bind(widget.name.as_str())
        .bind(widget.domain.as_str())
        .bind(codec::to_json(&widget.allowed_domains)?)
        .bind(widget.welcome_message.as_str())
        .bind(widget.offline_message.as_str())
        .bind(widget.primary_color.as_str())
        .bind(widget.secondary_color.as_str())
        .bind(widget.position.as_str())
        .bind(codec::opt_u32(widget.auto_open_delay))
        .bind(widget.show_agent_avatars)
        .bind(widget.allow_file_uploads)
        .bind(widget.require_email)
        .bind(codec::opt_json(widget.business_hours.as_ref())?)
        .bind(widget.max_upload_bytes)
        .bind(widget.auto_create_ticket)
        .bind(widget.identity_secret.as_str())
        .bind(micros(widget.updated_at))
        .bind(codec::to_json(&widget.routing)?)
        .bind(codec::opt_u32(widget.auto_end_after_minutes))
        .bind(codec::opt_u32(widget.routing.reassign_after_seconds))
        .bind(codec::opt_u32(widget.retention_days))
        .bind(widget.theme.as_str())
        .bind(widget.typing_preview))
}

/// Binds a canned response's written fields as `$3`…`$5` (after its `id` and `tenant_id`, in
/// the order of `canned_columns!`), shared by the insert and the update.
fn bind_canned<'q, DB: Sql>(
    statement: Statement<'q, DB>,
    canned: &CannedResponse,
) -> Statement<'q, DB> {
    statement
        .bind(canned.shortcut.as_str())
        .bind(canned.text.as_str())
        .bind(micros(canned.updated_at))
}

#[async_trait]
impl<DB: Sql> ChatStore for SqlStore<DB> {
    async fn ping(&self) -> StoreResult<()> {
        sql::query::<DB>("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(db("ping"))?;
        Ok(())
    }

    // --- tenants, projects, agents ---

    async fn upsert_tenant(&self, tenant: &Tenant) -> StoreResult<()> {
        sql::query::<DB>(
            "INSERT INTO tenants (tenant_id, name) VALUES ($1, $2) \
             ON CONFLICT (tenant_id) DO UPDATE SET name = excluded.name",
        )
        .bind(tenant.id.as_str())
        .bind(tenant.name.as_str())
        .execute(&self.pool)
        .await
        .map_err(db("upsert tenant"))?;
        Ok(())
    }

    async fn get_tenant(&self, id: &TenantId) -> StoreResult<Tenant> {
        let row = sql::query::<DB>("SELECT tenant_id, name FROM tenants WHERE tenant_id = $1")
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(db("get tenant"))?;
        found(row, codec::tenant)
    }

    async fn upsert_project(&self, project: &Project) -> StoreResult<()> {
        sql::query::<DB>(
            "INSERT INTO projects (tenant_id, id, name) VALUES ($1, $2, $3) \
             ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name",
        )
        .bind(project.tenant_id.as_str())
        .bind(project.id.as_str())
        .bind(project.name.as_str())
        .execute(&self.pool)
        .await
        .map_err(db("upsert project"))?;
        Ok(())
    }

    async fn list_projects(&self, tenant: &TenantId) -> StoreResult<Vec<Project>> {
        let rows = sql::query::<DB>(
            "SELECT id, tenant_id, name FROM projects WHERE tenant_id = $1 ORDER BY id",
        )
        .bind(tenant.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(db("list projects"))?;
        codec::all(&rows, codec::project)
    }

    async fn upsert_agent(&self, agent: &Agent) -> StoreResult<()> {
        sql::query::<DB>(concat!(
            "INSERT INTO agents (",
            agent_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (tenant_id, id) DO UPDATE SET \
             display_name = excluded.display_name, avatar_url = excluded.avatar_url, \
             roles = excluded.roles, projects = excluded.projects, \
             departments = excluded.departments, skills = excluded.skills, \
             max_concurrent_sessions = excluded.max_concurrent_sessions"
        ))
        .bind(agent.id.as_str())
        .bind(agent.tenant_id.as_str())
        .bind(agent.display_name.as_str())
        .bind(agent.avatar_url.clone())
        .bind(codec::roles_json(&agent.roles)?)
        .bind(codec::to_json(&agent.projects)?)
        .bind(codec::to_json(&agent.departments)?)
        .bind(codec::to_json(&agent.skills)?)
        .bind(codec::opt_u32(agent.max_concurrent_sessions))
        .execute(&self.pool)
        .await
        .map_err(db("upsert agent"))?;
        Ok(())
    }

    async fn get_agent(&self, tenant: &TenantId, id: &AgentId) -> StoreResult<Agent> {
        let row = sql::query::<DB>(concat!(
            "SELECT ",
            agent_columns!(),
            " FROM agents WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(tenant.as_str())
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(db("get agent"))?;
        found(row, codec::agent)
    }

    async fn list_agents(&self, tenant: &TenantId) -> StoreResult<Vec<Agent>> {
        let rows = sql::query::<DB>(concat!(
            "SELECT ",
            agent_columns!(),
            " FROM agents WHERE tenant_id = $1 ORDER BY id"
        ))
        .bind(tenant.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(db("list agents"))?;
        codec::all(&rows, codec::agent)
    }

    // --- widgets ---

    async fn insert_widget(&self, widget: &Widget) -> StoreResult<()> {
        insert_widget_on::<DB>(&mut *self.connection().await?, widget).await
    }

    async fn get_widget(&self, tenant: &TenantId, id: &WidgetId) -> StoreResult<Widget> {
        let row = sql::query::<DB>(concat!(
            "SELECT ",
            widget_columns!(),
            " FROM widgets WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(tenant.as_str())
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(db("get widget"))?;
        found(row, codec::widget)
    }

    async fn find_widget(&self, id: &WidgetId) -> StoreResult<Widget> {
        let row = sql::query::<DB>(concat!(
            "SELECT ",
            widget_columns!(),
            " FROM widgets WHERE id = $1"
        ))
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(db("find widget"))?;
        found(row, codec::widget)
    }

    async fn update_widget(&self, widget: &Widget) -> StoreResult<()> {
        update_widget_on::<DB>(&mut *self.connection().await?, widget).await
    }

    async fn delete_widget(&self, tenant: &TenantId, id: &WidgetId) -> StoreResult<()> {
        delete_widget_on::<DB>(&mut *self.connection().await?, tenant, id).await
    }

    async fn list_widgets(
        &self,
        tenant: &TenantId,
        projects: Option<&[ProjectId]>,
    ) -> StoreResult<Vec<Widget>> {
        let mut query = ListQuery::<DB>::new(concat!(
            "SELECT ",
            widget_columns!(),
            " FROM widgets WHERE tenant_id = "
        ));
        query.push_bind(tenant.as_str().to_owned());
        if let Some(projects) = projects {
            if projects.is_empty() {
                return Ok(Vec::new());
            }
            query.push(" AND project_id IN (");
            query.push_list(projects.iter().map(|p| p.as_str()));
            query.push(")");
        }
        query.push(" ORDER BY created_at, id");
        let rows = query
            .fetch_all(&self.pool)
            .await
            .map_err(db("list widgets"))?;
        codec::all(&rows, codec::widget)
    }

    // --- sessions ---

    async fn insert_session(
        &self,
        session: &Session,
        customer_token_hash: &str,
    ) -> StoreResult<()> {
        self.insert_session_row(session, customer_token_hash).await
    }

    async fn get_session(&self, tenant: &TenantId, id: &SessionId) -> StoreResult<Session> {
        let row = sql::query::<DB>(concat!(
            "SELECT ",
            session_columns!(),
            " FROM sessions WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(tenant.as_str())
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(db("get session"))?;
        found(row, codec::session)
    }

    async fn find_session_by_token_hash(&self, token_hash: &str) -> StoreResult<Session> {
        let row = sql::query::<DB>(concat!(
            "SELECT ",
            session_columns!(),
            " FROM sessions WHERE customer_token_hash = $1"
        ))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db("find session by token"))?;
        found(row, codec::session)
    }

    async fn update_session(&self, session: &Session) -> StoreResult<Session> {
        self.update_session_row(session).await
    }

    async fn list_sessions(
        &self,
        tenant: &TenantId,
        filter: &SessionFilter,
    ) -> StoreResult<SessionPage> {
        self.session_page(tenant, filter).await
    }

    async fn customer_sessions(
        &self,
        tenant: &TenantId,
        customer_email: &str,
        exclude: Option<&SessionId>,
        limit: u32,
    ) -> StoreResult<Vec<Session>> {
        self.sessions_of_customer(tenant, customer_email, exclude, limit)
            .await
    }

    async fn count_open_sessions_for_agent(
        &self,
        tenant: &TenantId,
        agent: &AgentId,
    ) -> StoreResult<u64> {
        let row = sql::query::<DB>(
            "SELECT COUNT(*) AS open_sessions FROM sessions \
             WHERE tenant_id = $1 AND assigned_agent_id = $2 AND status <> 'ended'",
        )
        .bind(tenant.as_str())
        .bind(agent.as_str())
        .fetch_one(&self.pool)
        .await
        .map_err(db("count open sessions"))?;
        let count = row.int("open_sessions")?;
        u64::try_from(count).map_err(|_| crate::error::corrupt(format!("negative count {count}")))
    }

    async fn update_session_within_limit(
        &self,
        session: &Session,
        max_open: u32,
    ) -> StoreResult<LimitedUpdate> {
        self.update_session_row_within_limit(session, max_open)
            .await
    }

    async fn insert_session_within_limit(
        &self,
        session: &Session,
        customer_token_hash: &str,
        max_open: u32,
    ) -> StoreResult<LimitedUpdate> {
        self.insert_session_row_within_limit(session, customer_token_hash, max_open)
            .await
    }

    async fn unread_counts(
        &self,
        tenant: &TenantId,
        agent: &AgentId,
        sessions: &[SessionId],
    ) -> StoreResult<Vec<(SessionId, u64)>> {
        self.unread_message_counts(tenant, agent, sessions).await
    }

    async fn list_reply_overdue_sessions(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Session>> {
        self.reply_overdue_rows(now, limit).await
    }

    async fn recently_assigned_sessions(
        &self,
        tenant: &TenantId,
        limit: u32,
    ) -> StoreResult<Vec<Session>> {
        let rows = sql::query::<DB>(concat!(
            "SELECT ",
            session_columns!(),
            " FROM sessions WHERE tenant_id = $1 AND first_assigned_at IS NOT NULL \
             ORDER BY first_assigned_at DESC LIMIT $2"
        ))
        .bind(tenant.as_str())
        .bind(page_size(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db("list recently assigned sessions"))?;
        codec::all(&rows, codec::session)
    }

    async fn list_waiting_sessions(
        &self,
        tenant: &TenantId,
        limit: u32,
    ) -> StoreResult<Vec<Session>> {
        let rows = sql::query::<DB>(WAITING_SESSIONS)
            .bind(tenant.as_str())
            .bind(page_size(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db("list waiting sessions"))?;
        codec::all(&rows, codec::session)
    }

    async fn list_idle_sessions(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Session>> {
        // Microseconds: `auto_end_after_minutes` × 60,000,000.
        let rows = sql::query::<DB>(concat!(
            "SELECT ",
            session_columns_of_s!(),
            " FROM sessions s JOIN widgets w ON w.id = s.widget_id AND w.tenant_id = s.tenant_id \
             WHERE s.status <> 'ended' AND w.auto_end_after_minutes IS NOT NULL \
             AND s.last_activity_at + w.auto_end_after_minutes * 60000000 <= $1 \
             ORDER BY s.last_activity_at, s.id LIMIT $2"
        ))
        .bind(micros(now))
        .bind(page_size(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db("list idle sessions"))?;
        codec::all(&rows, codec::session)
    }

    async fn open_sessions_by_agent(&self, tenant: &TenantId) -> StoreResult<Vec<(AgentId, u64)>> {
        self.open_session_counts(tenant).await
    }

    async fn change_presence(
        &self,
        tenant: &TenantId,
        agent: &AgentId,
        change: PresenceChange,
        now: DateTime<Utc>,
    ) -> StoreResult<(AgentPresence, AgentPresence)> {
        self.change_presence_row(tenant, agent, change, now).await
    }

    async fn list_presence(&self, tenant: &TenantId) -> StoreResult<Vec<AgentPresence>> {
        self.presence_rows(tenant).await
    }

    async fn expire_presence_grace(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<AgentPresence>> {
        self.expire_grace_rows(now, limit).await
    }

    // --- messages ---

    async fn append_messages(
        &self,
        messages: Vec<NewMessage>,
    ) -> StoreResult<Vec<StoreResult<Appended>>> {
        self.append_batch(messages).await
    }

    fn append_pipeline_depth(&self) -> usize {
        DB::APPEND_PIPELINE_DEPTH
    }

    async fn list_messages(
        &self,
        tenant: &TenantId,
        session: &SessionId,
        query: HistoryQuery,
    ) -> StoreResult<Vec<tms_chat_core::domain::Message>> {
        self.history(tenant, session, query).await
    }

    // --- attachments ---

    async fn insert_attachment(&self, attachment: &Attachment) -> StoreResult<()> {
        sql::query::<DB>(concat!(
            "INSERT INTO attachments (",
            attachment_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ))
        .bind(attachment.id.as_str())
        .bind(attachment.tenant_id.as_str())
        .bind(attachment.session_id.as_str())
        .bind(attachment.name.as_str())
        .bind(attachment.size)
        .bind(attachment.content_type.as_str())
        .bind(attachment.storage_key.as_str())
        .bind(attachment.uploaded_by.as_str())
        .bind(micros(attachment.created_at))
        .execute(&self.pool)
        .await
        .map_err(db_conflict(
            "insert attachment",
            "an attachment with this id already exists",
        ))?;
        Ok(())
    }

    async fn get_attachment(
        &self,
        tenant: &TenantId,
        id: &AttachmentId,
    ) -> StoreResult<Attachment> {
        let row = sql::query::<DB>(concat!(
            "SELECT ",
            attachment_columns!(),
            " FROM attachments WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(tenant.as_str())
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(db("get attachment"))?;
        found(row, codec::attachment)
    }

    // --- agent tools ---

    async fn insert_note(&self, note: &Note) -> StoreResult<()> {
        insert_note_on::<DB>(&mut *self.connection().await?, note).await
    }

    async fn list_notes(&self, tenant: &TenantId, session: &SessionId) -> StoreResult<Vec<Note>> {
        let rows = sql::query::<DB>(concat!(
            "SELECT ",
            note_columns!(),
            " FROM notes WHERE tenant_id = $1 AND session_id = $2 ORDER BY created_at, id"
        ))
        .bind(tenant.as_str())
        .bind(session.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(db("list notes"))?;
        codec::all(&rows, codec::note)
    }

    async fn insert_canned_response(&self, canned: &CannedResponse) -> StoreResult<()> {
        insert_canned_response_on::<DB>(&mut *self.connection().await?, canned).await
    }

    async fn update_canned_response(&self, canned: &CannedResponse) -> StoreResult<()> {
        update_canned_response_on::<DB>(&mut *self.connection().await?, canned).await
    }

    async fn delete_canned_response(
        &self,
        tenant: &TenantId,
        id: &CannedResponseId,
    ) -> StoreResult<()> {
        delete_canned_response_on::<DB>(&mut *self.connection().await?, tenant, id).await
    }

    async fn get_canned_response(
        &self,
        tenant: &TenantId,
        id: &CannedResponseId,
    ) -> StoreResult<CannedResponse> {
        let row = sql::query::<DB>(concat!(
            "SELECT ",
            canned_columns!(),
            " FROM canned_responses WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(tenant.as_str())
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(db("get canned response"))?;
        found(row, codec::canned)
    }

    async fn list_canned_responses(&self, tenant: &TenantId) -> StoreResult<Vec<CannedResponse>> {
        let rows = sql::query::<DB>(concat!(
            "SELECT ",
            canned_columns!(),
            " FROM canned_responses WHERE tenant_id = $1 ORDER BY shortcut, id"
        ))
        .bind(tenant.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(db("list canned responses"))?;
        codec::all(&rows, codec::canned)
    }

    async fn advance_read_marker(
        &self,
        tenant: &TenantId,
        marker: &ReadMarker,
    ) -> StoreResult<ReadMarker> {
        // The foreign key to (tenant_id, session_id) turns a marker on a session that does
        // not exist in the tenant into a violation, mapped to `NotFound`.
        let row = sql::query::<DB>(concat!(
            "INSERT INTO read_markers (tenant_id, session_id, participant, last_read_seq, updated_at) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (tenant_id, session_id, participant) DO UPDATE SET \
             last_read_seq = CASE WHEN excluded.last_read_seq > read_markers.last_read_seq \
                 THEN excluded.last_read_seq ELSE read_markers.last_read_seq END, \
             updated_at = CASE WHEN excluded.last_read_seq > read_markers.last_read_seq \
                 THEN excluded.updated_at ELSE read_markers.updated_at END \
             RETURNING ",
            read_marker_columns!()
        ))
        .bind(tenant.as_str())
        .bind(marker.session_id.as_str())
        .bind(marker.participant.as_str())
        .bind(marker.last_read_seq)
        .bind(micros(marker.updated_at))
        .fetch_optional(&self.pool)
        .await
        .map_err(db("advance read marker"))?;
        found(row, codec::read_marker)
    }

    async fn list_read_markers(
        &self,
        tenant: &TenantId,
        session: &SessionId,
    ) -> StoreResult<Vec<ReadMarker>> {
        let rows = sql::query::<DB>(concat!(
            "SELECT ",
            read_marker_columns!(),
            " FROM read_markers WHERE tenant_id = $1 AND session_id = $2 ORDER BY participant"
        ))
        .bind(tenant.as_str())
        .bind(session.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(db("list read markers"))?;
        codec::all(&rows, codec::read_marker)
    }

    async fn put_visit_context(
        &self,
        tenant: &TenantId,
        session: &SessionId,
        context: &VisitContext,
    ) -> StoreResult<()> {
        // As for read markers, the foreign key turns a session outside the tenant into a
        // violation, mapped to `NotFound`.
        sql::query::<DB>(
            "INSERT INTO visit_contexts (tenant_id, session_id, context, updated_at) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (tenant_id, session_id) DO UPDATE SET \
             context = excluded.context, updated_at = excluded.updated_at",
        )
        .bind(tenant.as_str())
        .bind(session.as_str())
        .bind(codec::to_json(context)?)
        .bind(micros(context.updated_at))
        .execute(&self.pool)
        .await
        .map_err(db("put visit context"))?;
        Ok(())
    }

    async fn get_visit_context(
        &self,
        tenant: &TenantId,
        session: &SessionId,
    ) -> StoreResult<Option<VisitContext>> {
        let row = sql::query::<DB>(
            "SELECT context FROM visit_contexts WHERE tenant_id = $1 AND session_id = $2",
        )
        .bind(tenant.as_str())
        .bind(session.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(db("get visit context"))?;
        row.map(|r| r.json("context")).transpose()
    }

    async fn insert_socket_ticket(
        &self,
        ticket: &SocketTicketRecord,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.insert_ticket_row(ticket, now).await
    }

    async fn redeem_socket_ticket(
        &self,
        ticket_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<SocketTicketRecord>> {
        self.redeem_ticket_row(ticket_hash, now).await
    }

    async fn write_audited(
        &self,
        write: AuditedWrite<'_>,
        entry: &AuditEntry,
    ) -> StoreResult<Written> {
        self.write_audited_rows(write, entry).await
    }

    async fn list_audit(&self, tenant: &TenantId, filter: &AuditFilter) -> StoreResult<AuditPage> {
        self.audit_page(tenant, filter).await
    }

    async fn delete_expired_sessions(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Removed> {
        self.delete_expired_rows(now, limit).await
    }
}

/// `ChatStore::insert_widget` on `conn` (the pool's, or an audited write's transaction).
pub(super) async fn insert_widget_on<DB: Sql>(
    conn: &mut DB::Connection,
    widget: &Widget,
) -> StoreResult<()> {
    let insert = sql::query::<DB>(concat!(
        "INSERT INTO widgets (",
        widget_columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
             $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27)"
    ))
    .bind(widget.id.as_str())
    .bind(widget.tenant_id.as_str());
    bind_widget(insert, widget)?
        .bind(micros(widget.created_at))
        .execute(&mut *conn)
        .await
        .map_err(db_conflict(
            "insert widget",
            "a widget with this id already exists",
        ))?;
    Ok(())
}

/// `ChatStore::update_widget` on `conn` (the pool's, or an audited write's transaction).
pub(super) async fn update_widget_on<DB: Sql>(
    conn: &mut DB::Connection,
    widget: &Widget,
) -> StoreResult<()> {
    let update = sql::query::<DB>(
        "UPDATE widgets SET project_id = $3, name = $4, domain = $5, allowed_domains = $6, \
             welcome_message = $7, offline_message = $8, primary_color = $9, \
             secondary_color = $10, position = $11, auto_open_delay = $12, \
             show_agent_avatars = $13, allow_file_uploads = $14, require_email = $15, \
             business_hours = $16, max_upload_bytes = $17, auto_create_ticket = $18, \
             identity_secret = $19, updated_at = $20, routing = $21, \
             auto_end_after_minutes = $22, reassign_after_seconds = $23, retention_days = $24, \
             theme = $25, typing_preview = $26 WHERE id = $1 AND tenant_id = $2 RETURNING id",
    )
    .bind(widget.id.as_str())
    .bind(widget.tenant_id.as_str());
    let row = bind_widget(update, widget)?
        .fetch_optional(&mut *conn)
        .await
        .map_err(db("update widget"))?;
    touched(row)
}

/// `ChatStore::delete_widget` on `conn` (the pool's, or an audited write's transaction).
pub(super) async fn delete_widget_on<DB: Sql>(
    conn: &mut DB::Connection,
    tenant: &TenantId,
    id: &WidgetId,
) -> StoreResult<()> {
    let row = sql::query::<DB>("DELETE FROM widgets WHERE tenant_id = $1 AND id = $2 RETURNING id")
        .bind(tenant.as_str())
        .bind(id.as_str())
        .fetch_optional(&mut *conn)
        .await
        .map_err(db("delete widget"))?;
    touched(row)
}

/// `ChatStore::insert_note` on `conn` (the pool's, or an audited write's transaction).
pub(super) async fn insert_note_on<DB: Sql>(
    conn: &mut DB::Connection,
    note: &Note,
) -> StoreResult<()> {
    sql::query::<DB>(concat!(
        "INSERT INTO notes (",
        note_columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6)"
    ))
    .bind(note.id.as_str())
    .bind(note.tenant_id.as_str())
    .bind(note.session_id.as_str())
    .bind(note.author_agent_id.as_str())
    .bind(note.content.as_str())
    .bind(micros(note.created_at))
    .execute(&mut *conn)
    .await
    .map_err(db_conflict(
        "insert note",
        "a note with this id already exists",
    ))?;
    Ok(())
}

/// `ChatStore::insert_canned_response` on `conn` (the pool's, or an audited write's transaction).
pub(super) async fn insert_canned_response_on<DB: Sql>(
    conn: &mut DB::Connection,
    canned: &CannedResponse,
) -> StoreResult<()> {
    let insert = sql::query::<DB>(concat!(
        "INSERT INTO canned_responses (",
        canned_columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6)"
    ))
    .bind(canned.id.as_str())
    .bind(canned.tenant_id.as_str());
    bind_canned(insert, canned)
        .bind(micros(canned.created_at))
        .execute(&mut *conn)
        .await
        .map_err(db_conflict("insert canned response", DUPLICATE_SHORTCUT))?;
    Ok(())
}

/// `ChatStore::update_canned_response` on `conn` (the pool's, or an audited write's transaction).
pub(super) async fn update_canned_response_on<DB: Sql>(
    conn: &mut DB::Connection,
    canned: &CannedResponse,
) -> StoreResult<()> {
    let update = sql::query::<DB>(
        "UPDATE canned_responses SET shortcut = $3, text = $4, updated_at = $5 \
             WHERE id = $1 AND tenant_id = $2 RETURNING id",
    )
    .bind(canned.id.as_str())
    .bind(canned.tenant_id.as_str());
    let row = bind_canned(update, canned)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_conflict("update canned response", DUPLICATE_SHORTCUT))?;
    touched(row)
}

/// `ChatStore::delete_canned_response` on `conn` (the pool's, or an audited write's transaction).
pub(super) async fn delete_canned_response_on<DB: Sql>(
    conn: &mut DB::Connection,
    tenant: &TenantId,
    id: &CannedResponseId,
) -> StoreResult<()> {
    let row = sql::query::<DB>(
        "DELETE FROM canned_responses WHERE tenant_id = $1 AND id = $2 RETURNING id",
    )
    .bind(tenant.as_str())
    .bind(id.as_str())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db("delete canned response"))?;
    touched(row)
}

#[cfg(test)]
mod tests {
    use super::WAITING_SESSIONS;
    use sqlx::Row;

    #[tokio::test]
    async fn the_waiting_queue_is_read_through_its_partial_index_in_order() {
        let store = crate::SqliteStore::connect("sqlite::memory:")
            .await
            .expect("open");
        let explain = format!("EXPLAIN QUERY PLAN {}", WAITING_SESSIONS.replace('$', "?"));
        let plan = sqlx::query(sqlx::AssertSqlSafe(explain))
            .bind("t")
            .bind(200)
            .fetch_all(store.pool())
            .await
            .expect("plan")
            .iter()
            .map(|row| row.get::<String, _>("detail"))
            .collect::<Vec<_>>()
            .join(" / ");
        assert!(plan.contains("sessions_tenant_waiting"), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "read in index order: {plan}");
    }
}
