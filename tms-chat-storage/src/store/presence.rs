//! Agent presence rows and the per-agent open-session counts. A change is one write
//! transaction under the agent's lock (`Backend::AGENT_LOCK`, or SQLite's `BEGIN IMMEDIATE`):
//! read the row, apply the domain's rule (`AgentPresence::apply`), write it back. The grace
//! timer's claim is one conditional `UPDATE … RETURNING`, which only one node's statement can
//! win for a given row.

use chrono::{DateTime, Utc};
use tms_chat_core::domain::{AgentPresence, Presence, PresenceChange};
use tms_chat_core::ids::{AgentId, TenantId};
use tms_chat_core::store::StoreResult;

use super::SqlStore;
use crate::codec::{micros, Columns};
use crate::error::{corrupt, db};
use crate::sql::{self, Sql};

/// Columns of `agent_presence`.
impl<DB: Sql> SqlStore<DB> {
    pub(super) async fn change_presence_row(
        &self,
        tenant: &TenantId,
        agent: &AgentId,
        change: PresenceChange,
        now: DateTime<Utc>,
    ) -> StoreResult<(AgentPresence, AgentPresence)> {
        let mut tx = self
            .pool
            .begin_with(DB::BEGIN_WRITE)
            .await
            .map_err(db("change presence: begin"))?;
        let changed = change_presence_in::<DB>(&mut *tx, tenant, agent, change, now).await?;
        tx.commit().await.map_err(db("change presence: commit"))?;
        Ok(changed)
    }

    pub(super) async fn presence_rows(&self, tenant: &TenantId) -> StoreResult<Vec<AgentPresence>> {
        let rows = sql::query::<DB>(
            "SELECT tenant_id, agent_id, chosen, presence, sockets, grace_until, last_routed_at, updated_at \
             FROM agent_presence WHERE tenant_id = $1 ORDER BY agent_id",
        )
        .bind(tenant.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(db("list presence"))?;
        rows.iter().map(presence).collect()
    }

    /// The grace timer's claim: the same rule as `PresenceChange::GraceExpired`, as one
    /// conditional statement (a row another node's statement changed first no longer
    /// matches, so it is answered once).
    pub(super) async fn expire_grace_rows(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<AgentPresence>> {
        let rows = sql::query::<DB>(
            "UPDATE agent_presence SET presence = 'offline', grace_until = NULL, updated_at = $1 \
             WHERE sockets = 0 AND grace_until IS NOT NULL AND grace_until <= $1 \
             AND presence <> 'offline' AND (tenant_id, agent_id) IN \
             (SELECT tenant_id, agent_id FROM agent_presence WHERE sockets = 0 \
              AND grace_until IS NOT NULL AND grace_until <= $1 LIMIT $2) \
             RETURNING tenant_id, agent_id, chosen, presence, sockets, grace_until, last_routed_at, updated_at",
        )
        .bind(micros(now))
        .bind(i64::from(limit.max(1)))
        .fetch_all(&self.pool)
        .await
        .map_err(db("expire presence grace"))?;
        rows.iter().map(presence).collect()
    }

    pub(super) async fn open_session_counts(
        &self,
        tenant: &TenantId,
    ) -> StoreResult<Vec<(AgentId, u64)>> {
        let rows = sql::query::<DB>(
            "SELECT assigned_agent_id, COUNT(*) AS open_sessions FROM sessions \
             WHERE tenant_id = $1 AND assigned_agent_id IS NOT NULL AND status <> 'ended' \
             GROUP BY assigned_agent_id ORDER BY assigned_agent_id",
        )
        .bind(tenant.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(db("count open sessions by agent"))?;
        rows.iter()
            .map(|row| {
                let count = row.int("open_sessions")?;
                let count =
                    u64::try_from(count).map_err(|_| corrupt(format!("negative count {count}")))?;
                Ok((AgentId::new(row.text("assigned_agent_id")?), count))
            })
            .collect()
    }
}

/// An `agent_presence` row.
fn presence(row: &impl Columns) -> StoreResult<AgentPresence> {
    let status = |col: &str| -> StoreResult<Presence> {
        let value = row.text(col)?;
        Presence::parse(&value).ok_or_else(|| corrupt(format!("{col}: unknown presence {value}")))
    };
    let sockets = row.int("sockets")?;
    Ok(AgentPresence {
        tenant_id: TenantId::new(row.text("tenant_id")?),
        agent_id: AgentId::new(row.text("agent_id")?),
        chosen: status("chosen")?,
        presence: status("presence")?,
        sockets: u32::try_from(sockets).map_err(|_| corrupt(format!("sockets {sockets}")))?,
        grace_until: row.opt_time("grace_until")?,
        last_routed_at: row.opt_time("last_routed_at")?,
        updated_at: row.time("updated_at")?,
    })
}

/// The change of `ChatStore::change_presence` inside a write transaction on `conn` (the
/// plain change's own, or an audited write's): lock the agent, read, apply, write.
pub(super) async fn change_presence_in<DB: Sql>(
    conn: &mut DB::Connection,
    tenant: &TenantId,
    agent: &AgentId,
    change: PresenceChange,
    now: DateTime<Utc>,
) -> StoreResult<(AgentPresence, AgentPresence)> {
    if let Some(lock) = DB::AGENT_LOCK {
        sql::query::<DB>(lock)
            .bind(tenant.as_str())
            .bind(agent.as_str())
            .execute(&mut *conn)
            .await
            .map_err(db("change presence: lock agent"))?;
    }
    let row = sql::query::<DB>(
        "SELECT tenant_id, agent_id, chosen, presence, sockets, grace_until, last_routed_at, updated_at \
         FROM agent_presence WHERE tenant_id = $1 AND agent_id = $2",
    )
    .bind(tenant.as_str())
    .bind(agent.as_str())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db("change presence: read"))?;
    let before = match row {
        Some(row) => presence(&row)?,
        None => AgentPresence::unseen(tenant.clone(), agent.clone(), now),
    };
    let mut after = before.clone();
    after.apply(change, now);
    sql::query::<DB>(
        "INSERT INTO agent_presence (tenant_id, agent_id, chosen, presence, sockets, \
         grace_until, last_routed_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (tenant_id, agent_id) DO UPDATE SET chosen = excluded.chosen, \
         presence = excluded.presence, sockets = excluded.sockets, \
         grace_until = excluded.grace_until, last_routed_at = excluded.last_routed_at, \
         updated_at = excluded.updated_at",
    )
    .bind(tenant.as_str())
    .bind(agent.as_str())
    .bind(after.chosen.as_str())
    .bind(after.presence.as_str())
    .bind(i64::from(after.sockets))
    .bind(after.grace_until.map(micros))
    .bind(after.last_routed_at.map(micros))
    .bind(micros(after.updated_at))
    .execute(&mut *conn)
    .await
    .map_err(db("change presence: write"))?;
    Ok((before, after))
}
