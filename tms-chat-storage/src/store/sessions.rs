//! Session writes and the session lists: inserting (with the customer-token hash and the
//! lowercased search copies of email and name), the optimistic-concurrency update, the
//! filtered and cursor-paged console list, and a customer's other sessions.
//!
//! Every list query starts with `tenant_id = ?` and is ordered to match one of the
//! `(tenant_id, …, last_activity_at DESC, id DESC)` indexes of the schema.

use chrono::{DateTime, Utc};
use tms_chat_core::domain::{ReadMarker, Session};
use tms_chat_core::ids::{AgentId, SessionId, TenantId};
use tms_chat_core::store::{
    search, LimitedUpdate, SessionFilter, SessionPage, StoreResult, MAX_PAGE_SIZE,
};
use tms_chat_core::StoreError;

use super::{page_size, SqlStore};
use crate::codec::{self, micros, session_columns, session_columns_of_s, Columns};
use crate::error::{db, db_conflict};
use crate::sql::{self, ListQuery, Sql, Statement};

impl<DB: Sql> SqlStore<DB> {
    pub(super) async fn insert_session_row(
        &self,
        session: &Session,
        token_hash: &str,
    ) -> StoreResult<()> {
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(db("insert session: connect"))?;
        insert_session::<DB>(&mut *conn, session, token_hash).await
    }

    /// Writes the mutable fields if the stored version still matches, bumping it. Identity
    /// (`id`, `tenant_id`, `created_at`), the token hash and `last_seq` are never written
    /// here; `last_activity_at` only moves forward, so a concurrent append is not undone.
    pub(super) async fn update_session_row(&self, session: &Session) -> StoreResult<Session> {
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(db("update session: connect"))?;
        write_session::<DB>(&mut *conn, session).await
    }

    /// The limited update (`ChatStore::update_session_within_limit`): one write transaction
    /// that takes the agent's lock ([`crate::backend::Backend::AGENT_LOCK`], or SQLite's `BEGIN IMMEDIATE`),
    /// counts the agent's other open sessions, and writes only under the limit. The count
    /// runs after the lock is held, so it sees every assignment committed by the holder
    /// before.
    pub(super) async fn update_session_row_within_limit(
        &self,
        session: &Session,
        max_open: u32,
    ) -> StoreResult<LimitedUpdate> {
        let Some(agent) = &session.assigned_agent_id else {
            return self
                .update_session_row(session)
                .await
                .map(LimitedUpdate::Stored);
        };
        let mut tx = self
            .pool
            .begin_with(DB::BEGIN_WRITE)
            .await
            .map_err(db("limited session update: begin"))?;
        if lock_and_count::<DB>(&mut tx, session, agent).await? >= i64::from(max_open) {
            tx.rollback()
                .await
                .map_err(db("limited session update: rollback"))?;
            return Ok(LimitedUpdate::AtLimit);
        }
        let stored = write_session::<DB>(&mut *tx, session).await?;
        tx.commit()
            .await
            .map_err(db("limited session update: commit"))?;
        Ok(LimitedUpdate::Stored(stored))
    }

    /// The limited insert (`ChatStore::insert_session_within_limit`): the limited update's
    /// lock and count, then the insert, in one write transaction.
    pub(super) async fn insert_session_row_within_limit(
        &self,
        session: &Session,
        token_hash: &str,
        max_open: u32,
    ) -> StoreResult<LimitedUpdate> {
        let Some(agent) = &session.assigned_agent_id else {
            self.insert_session_row(session, token_hash).await?;
            return self.stored_session(session).await;
        };
        let mut tx = self
            .pool
            .begin_with(DB::BEGIN_WRITE)
            .await
            .map_err(db("limited session insert: begin"))?;
        if lock_and_count::<DB>(&mut tx, session, agent).await? >= i64::from(max_open) {
            tx.rollback()
                .await
                .map_err(db("limited session insert: rollback"))?;
            return Ok(LimitedUpdate::AtLimit);
        }
        insert_session::<DB>(&mut *tx, session, token_hash).await?;
        tx.commit()
            .await
            .map_err(db("limited session insert: commit"))?;
        self.stored_session(session).await
    }

    async fn stored_session(&self, session: &Session) -> StoreResult<LimitedUpdate> {
        let row = sql::query::<DB>(concat!(
            "SELECT ",
            session_columns!(),
            " FROM sessions WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(session.tenant_id.as_str())
        .bind(session.id.as_str())
        .fetch_one(&self.pool)
        .await
        .map_err(db("read inserted session"))?;
        codec::session(&row).map(LimitedUpdate::Stored)
    }

    /// `ChatStore::unread_counts`: one grouped count over the page's sessions.
    pub(super) async fn unread_message_counts(
        &self,
        tenant: &TenantId,
        agent: &AgentId,
        sessions: &[SessionId],
    ) -> StoreResult<Vec<(SessionId, u64)>> {
        let mut counts = Vec::new();
        for chunk in sessions.chunks(MAX_PAGE_SIZE as usize) {
            let mut query = ListQuery::<DB>::new(
                "SELECT m.session_id AS session_id, COUNT(*) AS unread FROM messages m \
                 LEFT JOIN read_markers r ON r.tenant_id = m.tenant_id \
                 AND r.session_id = m.session_id AND r.participant = ",
            );
            query.push_bind(ReadMarker::agent_key(agent));
            query.push(" WHERE m.tenant_id = ");
            query.push_bind(tenant.as_str().to_owned());
            query.push(" AND m.sender_type = 'customer' AND m.session_id IN (");
            query.push_list(chunk.iter().map(|s| s.as_str()));
            query.push(") AND m.seq > COALESCE(r.last_read_seq, 0) GROUP BY m.session_id");
            let rows = query
                .fetch_all(&self.pool)
                .await
                .map_err(db("count unread messages"))?;
            for row in &rows {
                let unread = row.int("unread")?;
                counts.push((
                    SessionId::new(row.text("session_id")?),
                    u64::try_from(unread).unwrap_or_default(),
                ));
            }
        }
        Ok(counts)
    }

    /// `ChatStore::list_reply_overdue_sessions`. The due time is the later of the newest
    /// customer message and the assignment, plus `reassign_after_seconds` in microseconds.
    pub(super) async fn reply_overdue_rows(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Session>> {
        let rows = sql::query::<DB>(concat!(
            "SELECT ",
            session_columns_of_s!(),
            " FROM sessions s JOIN widgets w ON w.id = s.widget_id AND w.tenant_id = s.tenant_id \
             WHERE s.status <> 'ended' AND s.assigned_agent_id IS NOT NULL \
             AND s.awaiting_reply_since IS NOT NULL AND w.reassign_after_seconds IS NOT NULL \
             AND (CASE WHEN s.assigned_at > s.last_customer_message_at THEN s.assigned_at \
             ELSE s.last_customer_message_at END) + w.reassign_after_seconds * 1000000 <= $1 \
             ORDER BY (CASE WHEN s.assigned_at > s.last_customer_message_at THEN s.assigned_at \
             ELSE s.last_customer_message_at END) + w.reassign_after_seconds * 1000000, s.id \
             LIMIT $2"
        ))
        .bind(micros(now))
        .bind(page_size(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db("list reply-overdue sessions"))?;
        codec::all(&rows, codec::session)
    }

    pub(super) async fn session_page(
        &self,
        tenant: &TenantId,
        filter: &SessionFilter,
    ) -> StoreResult<SessionPage> {
        let limit = filter.limit.clamp(1, MAX_PAGE_SIZE) as usize;
        let mut query = ListQuery::<DB>::new(concat!(
            "SELECT ",
            session_columns!(),
            " FROM sessions WHERE tenant_id = "
        ));
        query.push_bind(tenant.as_str().to_owned());
        if let Some(projects) = &filter.project_ids {
            if projects.is_empty() {
                return Ok(SessionPage::default());
            }
            query.push(" AND project_id IN (");
            query.push_list(projects.iter().map(|p| p.as_str()));
            query.push(")");
        }
        if let Some(status) = filter.status {
            query.push(" AND status = ");
            query.push_bind(status.as_str().to_owned());
        }
        if let Some(agent) = &filter.assigned_agent_id {
            query.push(" AND assigned_agent_id = ");
            query.push_bind(agent.as_str().to_owned());
        }
        if filter.unassigned_only {
            query.push(" AND assigned_agent_id IS NULL AND status <> 'ended'");
        }
        if filter.awaiting_reply {
            query.push(" AND awaiting_reply_since IS NOT NULL");
        }
        if let Some(widget) = &filter.widget_id {
            query.push(" AND widget_id = ");
            query.push_bind(widget.as_str().to_owned());
        }
        if let Some(text) = filter
            .query
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            let pattern = codec::contains_pattern(text);
            query.push(" AND (customer_email_lower LIKE ");
            query.push_bind(pattern.clone());
            query.push(" ESCAPE '\\' OR customer_name_lower LIKE ");
            query.push_bind(pattern);
            query.push(" ESCAPE '\\' OR id = ");
            query.push_bind(text.to_owned());
            push_message_match(&mut query, tenant, text);
            query.push(")");
        }
        let (after, order) = if filter.awaiting_reply {
            (
                " AND (awaiting_reply_since, id) > (",
                " ORDER BY awaiting_reply_since, id LIMIT ",
            )
        } else {
            (
                " AND (last_activity_at, id) < (",
                " ORDER BY last_activity_at DESC, id DESC LIMIT ",
            )
        };
        if let Some(cursor) = &filter.cursor {
            query.push(after);
            query.push_bind(micros(cursor.last_activity_at));
            query.push(", ");
            query.push_bind(cursor.id.as_str().to_owned());
            query.push(")");
        }
        query.push(order);
        // One more than the page, to know whether another page follows.
        query.push_bind(page_size(filter.limit) + 1);
        let rows = query
            .fetch_all(&self.pool)
            .await
            .map_err(db("list sessions"))?;
        let mut sessions = codec::all(&rows, codec::session)?;
        let next_cursor = if sessions.len() > limit {
            sessions.truncate(limit);
            sessions.last().map(|s| filter.cursor_after(s))
        } else {
            None
        };
        Ok(SessionPage {
            sessions,
            next_cursor,
        })
    }

    /// Sessions with the same customer email (compared case-insensitively), newest first.
    pub(super) async fn sessions_of_customer(
        &self,
        tenant: &TenantId,
        email: &str,
        exclude: Option<&SessionId>,
        limit: u32,
    ) -> StoreResult<Vec<Session>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let mut query = ListQuery::<DB>::new(concat!(
            "SELECT ",
            session_columns!(),
            " FROM sessions WHERE tenant_id = "
        ));
        query.push_bind(tenant.as_str().to_owned());
        query.push(" AND customer_email_lower = ");
        query.push_bind(email.to_lowercase());
        if let Some(exclude) = exclude {
            query.push(" AND id <> ");
            query.push_bind(exclude.as_str().to_owned());
        }
        query.push(" ORDER BY created_at DESC, id DESC LIMIT ");
        query.push_bind(page_size(limit));
        let rows = query
            .fetch_all(&self.pool)
            .await
            .map_err(db("list customer sessions"))?;
        codec::all(&rows, codec::session)
    }
}

/// Inserts a new session on `conn` (the pool's, or a transaction's).
async fn insert_session<DB: Sql>(
    conn: &mut DB::Connection,
    session: &Session,
    token_hash: &str,
) -> StoreResult<()> {
    let insert = sql::query::<DB>(
        "INSERT INTO sessions (id, tenant_id, project_id, widget_id, status, customer_email, \
         customer_email_lower, customer_name, customer_name_lower, assigned_agent_id, \
         transfer_target, department, started_by_agent_id, ended_by, ticket_id, \
         customer_verified, updated_at, last_activity_at, ended_at, version, \
         assigned_at, first_assigned_at, last_seq, created_at, customer_token_hash) VALUES \
         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
         $19, $20, $21, $22, $23, $24, $25)",
    )
    .bind(session.id.as_str())
    .bind(session.tenant_id.as_str());
    bind_session(insert, session)?
        .bind(session.last_seq)
        .bind(micros(session.created_at))
        .bind(token_hash)
        .execute(&mut *conn)
        .await
        .map_err(db_conflict(
            "insert session",
            "a session with this id or customer token already exists",
        ))?;
    Ok(())
}

/// Takes the agent's lock ([`crate::backend::Backend::AGENT_LOCK`], or SQLite's `BEGIN
/// IMMEDIATE` already holds the database) and counts the agent's open sessions other than
/// `session`.
async fn lock_and_count<DB: Sql>(
    conn: &mut DB::Connection,
    session: &Session,
    agent: &AgentId,
) -> StoreResult<i64> {
    if let Some(lock) = DB::AGENT_LOCK {
        sql::query::<DB>(lock)
            .bind(session.tenant_id.as_str())
            .bind(agent.as_str())
            .execute(&mut *conn)
            .await
            .map_err(db("limited session write: lock agent"))?;
    }
    let row = sql::query::<DB>(
        "SELECT COUNT(*) AS open_sessions FROM sessions \
         WHERE tenant_id = $1 AND assigned_agent_id = $2 AND status <> 'ended' AND id <> $3",
    )
    .bind(session.tenant_id.as_str())
    .bind(agent.as_str())
    .bind(session.id.as_str())
    .fetch_one(&mut *conn)
    .await
    .map_err(db("limited session write: count"))?;
    row.int("open_sessions")
}

/// The message-text alternative of the search (`tms_chat_core::store::search`): sessions of
/// the tenant with a message holding every word of `text`; nothing when it has no words.
fn push_message_match<DB: Sql>(query: &mut ListQuery<DB>, tenant: &TenantId, text: &str) {
    let words = search::words(text);
    if words.is_empty() {
        return;
    }
    let [start, middle, end] = DB::MESSAGE_MATCH;
    query.push(start);
    // Lowercased letters and digits only: a bare term in both FTS5 and `to_tsquery` syntax.
    query.push_bind(words.join(DB::MATCH_AND));
    query.push(middle);
    query.push_bind(tenant.as_str().to_owned());
    query.push(end);
}

/// Inside a write transaction on `conn`: takes the agent's lock and answers whether the
/// agent holds fewer than `max_open` open sessions other than `session` (the check of
/// `ChatStore::update_session_within_limit`, shared with the audited writes).
pub(super) async fn agent_has_room<DB: Sql>(
    conn: &mut DB::Connection,
    session: &Session,
    agent: &AgentId,
    max_open: u32,
) -> StoreResult<bool> {
    Ok(lock_and_count::<DB>(conn, session, agent).await? < i64::from(max_open))
}

/// The compare-and-swap update of a session on `conn` (the pool's, or a transaction's): `Conflict` when the stored version moved, `NotFound` when there is no such
/// session in the tenant.
pub(super) async fn write_session<DB: Sql>(
    conn: &mut DB::Connection,
    session: &Session,
) -> StoreResult<Session> {
    let update = sql::query::<DB>(concat!(
        "UPDATE sessions SET project_id = $3, widget_id = $4, status = $5, \
         customer_email = $6, customer_email_lower = $7, customer_name = $8, \
         customer_name_lower = $9, assigned_agent_id = $10, transfer_target = $11, \
         department = $12, started_by_agent_id = $13, ended_by = $14, ticket_id = $15, \
         customer_verified = $16, updated_at = $17, \
         last_activity_at = CASE WHEN last_activity_at < $18 THEN $18 ELSE last_activity_at END, \
         ended_at = $19, version = version + 1, assigned_at = $21, first_assigned_at = $22 \
         WHERE id = $1 AND tenant_id = $2 AND version = $20 \
         RETURNING ",
        session_columns!()
    ))
    .bind(session.id.as_str())
    .bind(session.tenant_id.as_str());
    let row = bind_session(update, session)?
        .fetch_optional(&mut *conn)
        .await
        .map_err(db("update session"))?;
    if let Some(row) = row {
        return codec::session(&row);
    }
    let exists = sql::query::<DB>("SELECT id FROM sessions WHERE tenant_id = $1 AND id = $2")
        .bind(session.tenant_id.as_str())
        .bind(session.id.as_str())
        .fetch_optional(&mut *conn)
        .await
        .map_err(db("update session"))?;
    match exists {
        Some(_) => Err(StoreError::Conflict(
            "session was modified concurrently".to_owned(),
        )),
        None => Err(StoreError::NotFound),
    }
}

/// Binds a session's fields as `$3`…`$22`, after its `id` and `tenant_id`: what an update
/// writes (with the lowercased search copies of email and name), `version` as `$20` — the
/// insert stores it, the update compares it — then the assignment times. The insert then
/// binds what only it writes: `last_seq`, `created_at` and the customer-token hash. The
/// reply-tracking fields are the append's: neither writes them.
fn bind_session<'q, DB: Sql>(
    statement: Statement<'q, DB>,
    session: &Session,
) -> StoreResult<Statement<'q, DB>> {
    Ok(statement
        .bind(session.project_id.as_str())
        .bind(session.widget_id.as_str())
        .bind(session.status.as_str())
        .bind(session.customer_email.clone())
        .bind(codec::lower(session.customer_email.as_deref()))
        .bind(session.customer_name.clone())
        .bind(codec::lower(session.customer_name.as_deref()))
        .bind(
            session
                .assigned_agent_id
                .as_ref()
                .map(|a| a.as_str().to_owned()),
        )
        .bind(codec::opt_json(session.transfer_target.as_ref())?)
        .bind(session.department.clone())
        .bind(
            session
                .started_by_agent_id
                .as_ref()
                .map(|a| a.as_str().to_owned()),
        )
        .bind(session.ended_by.map(|e| codec::ended_by_str(e).to_owned()))
        .bind(session.ticket_id.clone())
        .bind(session.customer_verified)
        .bind(micros(session.updated_at))
        .bind(micros(session.last_activity_at))
        .bind(session.ended_at.map(micros))
        .bind(session.version)
        .bind(session.assigned_at.map(micros))
        .bind(session.first_assigned_at.map(micros)))
}
