//! The queue: sessions waiting for an agent, as their customers see it (their place in their
//! routing pool) and as supervisors see it (the queue board: every waiting session oldest
//! first, per department, and every agent's presence and load).
//!
//! The wait estimate: the median of the pool's last [`RECENT_WAITS`] waits (from a session's
//! start to its first agent) times the session's queue position; `None` while the pool has
//! no such history.

use super::routing::waiting_department;
use super::{ChatService, TeamMember};
use crate::domain::{Agent, Session, Widget};
use crate::error::{ChatError, ChatResult};
use crate::ids::WidgetId;
use crate::notify::{Audience, ChatEvent};
use std::collections::{BTreeMap, HashMap};

/// How many waiting sessions the queue reads (its page size).
const QUEUE_SCAN: u32 = 200;
/// How many of a pool's recent waits the estimate takes the median of.
const RECENT_WAITS: usize = 20;
/// How many recently assigned sessions of the tenant are read to find a pool's recent waits.
const RECENT_SCAN: u32 = 200;

/// A waiting session's place in its routing pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueuePlace {
    /// 1 is next, among the waiting sessions of the same pool, oldest first.
    pub queue_position: u32,
    /// An estimate of the wait (see the module docs); `None` when unknown.
    pub estimated_wait_seconds: Option<u64>,
}

/// `GET /v1/chat/queue` for supervisors and admins.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueBoard {
    /// Waiting sessions, oldest first, with how long each has waited.
    pub waiting: Vec<(Session, i64)>,
    /// Waiting sessions per department, by name.
    pub departments: Vec<(String, u64)>,
    /// Every agent of the tenant with presence and load.
    pub agents: Vec<TeamMember>,
}

/// Which pool a waiting session queues in: its department, else its project.
fn pool_of(session: &Session, widgets: &HashMap<WidgetId, Widget>) -> String {
    match waiting_department(session, widgets) {
        Some(department) => format!("department:{department}"),
        None => format!("project:{}", session.project_id),
    }
}

/// The median of `waits` (seconds) times `position`; `None` without waits.
fn estimate(waits: &[i64], position: u32) -> Option<u64> {
    let mut sorted = waits.to_vec();
    sorted.sort_unstable();
    let median = match sorted.len() {
        0 => return None,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2,
    };
    u64::try_from(median)
        .ok()
        .map(|m| m.saturating_mul(u64::from(position)))
}

impl ChatService {
    /// The last [`RECENT_WAITS`] waits (seconds) of `pool`, newest first.
    async fn recent_waits(
        &self,
        tenant: &crate::ids::TenantId,
        pool: &str,
        widgets: &HashMap<WidgetId, Widget>,
    ) -> ChatResult<Vec<i64>> {
        Ok(self
            .store
            .recently_assigned_sessions(tenant, RECENT_SCAN)
            .await?
            .iter()
            .filter(|s| pool_of(s, widgets) == pool)
            .filter_map(|s| {
                s.first_assigned_at
                    .map(|at| (at - s.created_at).num_seconds().max(0))
            })
            .take(RECENT_WAITS)
            .collect())
    }

    /// The place of `session` in its pool's queue; `None` when it is not waiting.
    pub async fn queue_place(&self, session: &Session) -> ChatResult<Option<QueuePlace>> {
        if !session.is_unassigned() {
            return Ok(None);
        }
        let widgets = self.widgets_by_id(&session.tenant_id).await?;
        let pool = pool_of(session, &widgets);
        let waiting = self
            .store
            .list_waiting_sessions(&session.tenant_id, QUEUE_SCAN)
            .await?;
        let waits = self
            .recent_waits(&session.tenant_id, &pool, &widgets)
            .await?;
        let mut ahead = 0u32;
        for s in &waiting {
            if s.id == session.id {
                break;
            }
            if pool_of(s, &widgets) == pool {
                ahead += 1;
            }
        }
        // Beyond the page the queue reads: at least that far back.
        Ok(Some(QueuePlace {
            queue_position: ahead + 1,
            estimated_wait_seconds: estimate(&waits, ahead + 1),
        }))
    }

    /// `queue_updated` to every waiting session of `session`'s pool: called when `session`
    /// joined or left the queue, which moves the places of the others.
    pub(crate) async fn announce_queue_of(&self, session: &Session) {
        if let Err(err) = self.try_announce_queue_of(session).await {
            tracing::warn!(session_id = %session.id, error = %err, "announcing the queue failed");
        }
    }

    async fn try_announce_queue_of(&self, session: &Session) -> ChatResult<()> {
        let widgets = self.widgets_by_id(&session.tenant_id).await?;
        let pool = pool_of(session, &widgets);
        let waiting = self
            .store
            .list_waiting_sessions(&session.tenant_id, QUEUE_SCAN)
            .await?;
        let waits = self
            .recent_waits(&session.tenant_id, &pool, &widgets)
            .await?;
        let in_pool = waiting.iter().filter(|s| pool_of(s, &widgets) == pool);
        for (ahead, s) in (0u32..).zip(in_pool) {
            let event = ChatEvent::QueueUpdated {
                session_id: s.id.clone(),
                queue_position: ahead + 1,
                estimated_wait_seconds: estimate(&waits, ahead + 1),
            };
            self.publish_conversation(s, Audience::Everyone, event)
                .await;
        }
        Ok(())
    }

    /// The queue board (supervisors and admins; others `403 forbidden`): every project of
    /// the tenant.
    pub async fn queue_board(&self, agent: &Agent) -> ChatResult<QueueBoard> {
        if !agent.can_manage_assignments() {
            return Err(ChatError::forbidden(
                "only supervisors and admins see the queue",
            ));
        }
        let tenant = &agent.tenant_id;
        let now = self.clock.now();
        let widgets = self.widgets_by_id(tenant).await?;
        let waiting = self.store.list_waiting_sessions(tenant, QUEUE_SCAN).await?;
        let mut departments: BTreeMap<String, u64> = BTreeMap::new();
        for d in self.departments(agent).await? {
            departments.insert(d.name, 0);
        }
        for s in &waiting {
            if let Some(d) = waiting_department(s, &widgets) {
                *departments.entry(d).or_default() += 1;
            }
        }
        Ok(QueueBoard {
            waiting: waiting
                .into_iter()
                .map(|s| {
                    let secs = (now - s.created_at).num_seconds().max(0);
                    (s, secs)
                })
                .collect(),
            departments: departments.into_iter().collect(),
            agents: self.team(agent).await?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::estimate;

    #[test]
    fn the_estimate_is_the_median_wait_times_the_position_and_unknown_without_history() {
        assert_eq!(estimate(&[], 1), None);
        assert_eq!(estimate(&[30, 10, 20], 1), Some(20));
        assert_eq!(estimate(&[30, 10, 20], 3), Some(60));
        assert_eq!(estimate(&[10, 20, 40, 100], 2), Some(60));
    }
}
