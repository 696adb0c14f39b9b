//! The audit log, retention and erasure. An audited write is one write transaction: the
//! change (through the same statement the plain method runs, on the transaction's
//! connection), then the entry's row, then the commit; an error anywhere (or a session
//! write refused at its agent's limit) rolls both back.
//!
//! Deleting sessions (erasure, retention) removes, in one transaction, their attachment rows
//! (answering the storage keys, for the caller to delete the files), messages, notes, read
//! markers and the sessions. The sessions are locked first, in id order (ended time for
//! retention), so two nodes deleting the same sessions never deadlock; the second then finds
//! them gone and answers nothing, which is what makes the retention timer act once per
//! cluster.

use chrono::{DateTime, Utc};
use tms_chat_core::domain::{AuditAction, AuditEntry};
use tms_chat_core::ids::{AgentId, AuditEntryId, SessionId, TenantId};
use tms_chat_core::store::{
    AuditCursor, AuditFilter, AuditPage, AuditedWrite, LimitedUpdate, Removed, StoreResult,
    Written, MAX_PAGE_SIZE,
};

use super::presence::change_presence_in;
use super::sessions::{agent_has_room, write_session};
use super::{
    delete_canned_response_on, delete_widget_on, insert_canned_response_on, insert_note_on,
    insert_widget_on, page_size, update_canned_response_on, update_widget_on, SqlStore,
};
use crate::codec::{self, micros, Columns};
use crate::error::{corrupt, db};
use crate::sql::{self, ListQuery, Sql};

/// Columns of `audit_log`.
const AUDIT_COLUMNS: &str =
    "SELECT id, tenant_id, actor_id, action, target_id, session_id, details, created_at \
     FROM audit_log WHERE tenant_id = ";

impl<DB: Sql> SqlStore<DB> {
    pub(super) async fn write_audited_rows(
        &self,
        write: AuditedWrite<'_>,
        entry: &AuditEntry,
    ) -> StoreResult<Written> {
        let mut tx = self
            .pool
            .begin_with(DB::BEGIN_WRITE)
            .await
            .map_err(db("audited write: begin"))?;
        let mut entry = entry.clone();
        let written = apply::<DB>(&mut tx, write).await?;
        if let Written::Session(LimitedUpdate::AtLimit) = written {
            tx.rollback().await.map_err(db("audited write: rollback"))?;
            return Ok(written);
        }
        if let Written::Removed(removed) = &written {
            entry = removed.recorded_in(&entry);
        }
        insert_entry::<DB>(&mut tx, &entry).await?;
        tx.commit().await.map_err(db("audited write: commit"))?;
        Ok(written)
    }

    pub(super) async fn audit_page(
        &self,
        tenant: &TenantId,
        filter: &AuditFilter,
    ) -> StoreResult<AuditPage> {
        let limit = filter.limit.clamp(1, MAX_PAGE_SIZE) as usize;
        let mut query = ListQuery::<DB>::new(AUDIT_COLUMNS);
        query.push_bind(tenant.as_str().to_owned());
        if let Some(from) = filter.from {
            query.push(" AND created_at >= ");
            query.push_bind(micros(from));
        }
        if let Some(to) = filter.to {
            query.push(" AND created_at < ");
            query.push_bind(micros(to));
        }
        if let Some(actor) = &filter.actor_id {
            query.push(" AND actor_id = ");
            query.push_bind(actor.as_str().to_owned());
        }
        if let Some(session) = &filter.session_id {
            query.push(" AND session_id = ");
            query.push_bind(session.as_str().to_owned());
        }
        if let Some(cursor) = &filter.cursor {
            query.push(" AND (created_at, id) < (");
            query.push_bind(micros(cursor.created_at));
            query.push(", ");
            query.push_bind(cursor.id.as_str().to_owned());
            query.push(")");
        }
        query.push(" ORDER BY created_at DESC, id DESC LIMIT ");
        // One more than the page, to know whether another page follows.
        query.push_bind(page_size(filter.limit) + 1);
        let rows = query
            .fetch_all(&self.pool)
            .await
            .map_err(db("list audit log"))?;
        let mut entries = codec::all(&rows, audit_entry)?;
        let next_cursor = if entries.len() > limit {
            entries.truncate(limit);
            entries.last().map(AuditCursor::after)
        } else {
            None
        };
        Ok(AuditPage {
            entries,
            next_cursor,
        })
    }

    pub(super) async fn delete_expired_rows(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Removed> {
        let mut tx = self
            .pool
            .begin_with(DB::BEGIN_WRITE)
            .await
            .map_err(db("delete expired sessions: begin"))?;
        // Microseconds: `retention_days` × 86,400,000,000.
        let mut due = ListQuery::<DB>::new(
            "SELECT id FROM sessions WHERE id IN (SELECT s.id FROM sessions s \
             JOIN widgets w ON w.id = s.widget_id AND w.tenant_id = s.tenant_id \
             WHERE s.status = 'ended' AND s.ended_at IS NOT NULL \
             AND w.retention_days IS NOT NULL \
             AND s.ended_at + w.retention_days * 86400000000 <= ",
        );
        due.push_bind(micros(now));
        due.push(" ORDER BY s.ended_at, s.id LIMIT ");
        due.push_bind(page_size(limit));
        due.push(") ORDER BY ended_at, id");
        due.push(DB::LOCK_ROWS);
        let rows = due
            .fetch_all(&mut *tx)
            .await
            .map_err(db("delete expired sessions: select"))?;
        let ids = session_ids(&rows)?;
        let removed = delete_sessions::<DB>(&mut tx, &ids).await?;
        tx.commit()
            .await
            .map_err(db("delete expired sessions: commit"))?;
        Ok(removed)
    }
}

/// Applies the change of an audited write on the transaction's connection.
async fn apply<DB: Sql>(
    conn: &mut DB::Connection,
    write: AuditedWrite<'_>,
) -> StoreResult<Written> {
    Ok(match write {
        AuditedWrite::Session { session, max_open } => {
            Written::Session(match (max_open, &session.assigned_agent_id) {
                (Some(max), Some(agent)) => {
                    if agent_has_room::<DB>(conn, session, agent, max).await? {
                        LimitedUpdate::Stored(write_session::<DB>(conn, session).await?)
                    } else {
                        LimitedUpdate::AtLimit
                    }
                }
                _ => LimitedUpdate::Stored(write_session::<DB>(conn, session).await?),
            })
        }
        AuditedWrite::InsertNote(note) => done(insert_note_on::<DB>(conn, note).await?),
        AuditedWrite::InsertWidget(widget) => done(insert_widget_on::<DB>(conn, widget).await?),
        AuditedWrite::UpdateWidget(widget) => done(update_widget_on::<DB>(conn, widget).await?),
        AuditedWrite::DeleteWidget(tenant, id) => {
            done(delete_widget_on::<DB>(conn, tenant, id).await?)
        }
        AuditedWrite::InsertCanned(canned) => {
            done(insert_canned_response_on::<DB>(conn, canned).await?)
        }
        AuditedWrite::UpdateCanned(canned) => {
            done(update_canned_response_on::<DB>(conn, canned).await?)
        }
        AuditedWrite::DeleteCanned(tenant, id) => {
            done(delete_canned_response_on::<DB>(conn, tenant, id).await?)
        }
        AuditedWrite::Presence {
            tenant,
            agent,
            change,
            now,
        } => {
            let (before, after) =
                change_presence_in::<DB>(conn, tenant, agent, change, now).await?;
            Written::Presence(before, after)
        }
        AuditedWrite::EraseCustomer {
            tenant,
            customer_email,
        } => Written::Removed(erase::<DB>(conn, tenant, customer_email).await?),
        AuditedWrite::EntryOnly => Written::Done,
    })
}

fn done(_: ()) -> Written {
    Written::Done
}

/// Deletes the tenant's sessions of a customer email (case-insensitive).
async fn erase<DB: Sql>(
    conn: &mut DB::Connection,
    tenant: &TenantId,
    customer_email: &str,
) -> StoreResult<Removed> {
    let mut query = ListQuery::<DB>::new("SELECT id FROM sessions WHERE tenant_id = ");
    query.push_bind(tenant.as_str().to_owned());
    query.push(" AND customer_email_lower = ");
    query.push_bind(customer_email.to_lowercase());
    query.push(" ORDER BY id");
    query.push(DB::LOCK_ROWS);
    let rows = query
        .fetch_all(&mut *conn)
        .await
        .map_err(db("erase customer: select"))?;
    let ids = session_ids(&rows)?;
    delete_sessions::<DB>(conn, &ids).await
}

fn session_ids<R: Columns>(rows: &[R]) -> StoreResult<Vec<SessionId>> {
    codec::all(rows, |row| Ok(SessionId::new(row.text("id")?)))
}

/// Deletes sessions (by id) with everything attached; answers the ones this transaction
/// deleted and their attachments' storage keys.
async fn delete_sessions<DB: Sql>(
    conn: &mut DB::Connection,
    ids: &[SessionId],
) -> StoreResult<Removed> {
    if ids.is_empty() {
        return Ok(Removed::default());
    }
    let keys = in_sessions::<DB>(
        conn,
        "DELETE FROM attachments WHERE session_id IN (",
        ") RETURNING storage_key",
        ids,
    )
    .await?;
    for table in [
        "DELETE FROM messages WHERE session_id IN (",
        "DELETE FROM notes WHERE session_id IN (",
        "DELETE FROM read_markers WHERE session_id IN (",
        "DELETE FROM visit_contexts WHERE session_id IN (",
    ] {
        in_sessions::<DB>(conn, table, ")", ids).await?;
    }
    let deleted = in_sessions::<DB>(
        conn,
        "DELETE FROM sessions WHERE id IN (",
        ") RETURNING id",
        ids,
    )
    .await?;
    Ok(Removed {
        sessions: codec::all(&deleted, |row| Ok(SessionId::new(row.text("id")?)))?,
        storage_keys: codec::all(&keys, |row| row.text("storage_key"))?,
    })
}

/// Runs `head` + the ids as a list + `tail`, answering the rows it returns.
async fn in_sessions<DB: Sql>(
    conn: &mut DB::Connection,
    head: &'static str,
    tail: &'static str,
    ids: &[SessionId],
) -> StoreResult<Vec<DB::Row>> {
    let mut query = ListQuery::<DB>::new(head);
    query.push_list(ids.iter().map(|id| id.as_str()));
    query.push(tail);
    query
        .fetch_all(&mut *conn)
        .await
        .map_err(db("delete sessions"))
}

async fn insert_entry<DB: Sql>(conn: &mut DB::Connection, entry: &AuditEntry) -> StoreResult<()> {
    sql::query::<DB>(
        "INSERT INTO audit_log (id, tenant_id, actor_id, action, target_id, session_id, \
         details, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(entry.id.as_str())
    .bind(entry.tenant_id.as_str())
    .bind(entry.actor_id.as_str())
    .bind(entry.action.as_str())
    .bind(entry.target_id.as_str())
    .bind(entry.session_id.as_ref().map(|s| s.as_str().to_owned()))
    .bind(codec::to_json(&entry.details)?)
    .bind(micros(entry.created_at))
    .execute(&mut *conn)
    .await
    .map_err(db("insert audit entry"))
}

/// An `audit_log` row.
fn audit_entry(row: &impl Columns) -> StoreResult<AuditEntry> {
    let action = row.text("action")?;
    Ok(AuditEntry {
        id: AuditEntryId::new(row.text("id")?),
        tenant_id: TenantId::new(row.text("tenant_id")?),
        actor_id: AgentId::new(row.text("actor_id")?),
        action: AuditAction::parse(&action)
            .ok_or_else(|| corrupt(format!("unknown audit action {action:?}")))?,
        target_id: row.text("target_id")?,
        session_id: row.opt_text("session_id")?.map(SessionId::new),
        details: row.json("details")?,
        created_at: row.time("created_at")?,
    })
}
