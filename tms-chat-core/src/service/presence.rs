//! Agent presence through the service: an agent's choice (`PUT /v1/chat/me/presence`), their
//! console sockets opening and closing on any node, the grace period after the last one
//! closed, and the team list with presence and load. Presence lives in the store, so every
//! node answers the same; each change that moves an agent's presence publishes
//! `presence_changed` to the agents of the tenant.

use super::ChatService;
use crate::domain::{Agent, AgentPresence, AuditAction, AuditEntry, Presence, PresenceChange};
use crate::error::ChatResult;
use crate::ids::{AgentId, TenantId};
use crate::notify::{Audience, ChatEvent, Envelope, Topic};
use crate::store::AuditedWrite;
use std::collections::HashMap;

/// How many agents one pass of the grace timer turns offline at most.
const GRACE_BATCH: u32 = 200;

/// An agent of the tenant with their presence and load (`GET /v1/chat/agents`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TeamMember {
    /// The agent as the host describes them.
    pub agent: Agent,
    /// Their presence now.
    pub presence: Presence,
    /// Their open sessions (`active`, plus those transferred to them).
    pub active_sessions: u64,
}

impl ChatService {
    /// The agent chooses a status. Answers their presence after the change.
    pub async fn set_presence(&self, agent: &Agent, status: Presence) -> ChatResult<Presence> {
        let grace_until = self.grace_deadline();
        let change = PresenceChange::Choose {
            status,
            grace_until,
        };
        let entry = self
            .audit_entry(agent, AuditAction::PresenceChanged, agent.id.as_str())
            .with_details(serde_json::json!({ "status": status }));
        Ok(self
            .change_presence_with(agent, change, Some(&entry))
            .await?
            .presence)
    }

    /// One of the agent's console sockets opened (on this node).
    pub async fn agent_socket_opened(&self, agent: &Agent) -> ChatResult<()> {
        self.change_presence(agent, PresenceChange::SocketOpened)
            .await
            .map(drop)
    }

    /// One of the agent's console sockets closed; with none left on any node, the grace
    /// period starts.
    pub async fn agent_socket_closed(&self, agent: &Agent) -> ChatResult<()> {
        let change = PresenceChange::SocketClosed {
            grace_until: self.grace_deadline(),
        };
        self.change_presence(agent, change).await.map(drop)
    }

    /// The grace timer: turns offline every agent whose grace period is over, once in the
    /// cluster (the store hands each to one caller), and announces it. Answers how many.
    pub async fn expire_presence_grace(&self) -> ChatResult<usize> {
        let mut total = 0;
        loop {
            let expired = self
                .store
                .expire_presence_grace(self.clock.now(), GRACE_BATCH)
                .await?;
            total += expired.len();
            for presence in &expired {
                self.publish_presence(presence).await;
            }
            if expired.len() < GRACE_BATCH as usize {
                return Ok(total);
            }
        }
    }

    /// The presence of every agent of the tenant (`offline` for agents never seen).
    pub async fn presence_of_tenant(
        &self,
        tenant: &TenantId,
    ) -> ChatResult<HashMap<AgentId, Presence>> {
        Ok(self
            .store
            .list_presence(tenant)
            .await?
            .into_iter()
            .map(|p| (p.agent_id, p.presence))
            .collect())
    }

    /// The agents of `agent`'s tenant, with presence and open sessions, by id.
    pub async fn team(&self, agent: &Agent) -> ChatResult<Vec<TeamMember>> {
        let tenant = &agent.tenant_id;
        let agents = self.store.list_agents(tenant).await?;
        let presence = self.presence_of_tenant(tenant).await?;
        let load: HashMap<AgentId, u64> = self
            .store
            .open_sessions_by_agent(tenant)
            .await?
            .into_iter()
            .collect();
        Ok(agents
            .into_iter()
            .map(|a| TeamMember {
                presence: presence.get(&a.id).copied().unwrap_or(Presence::Offline),
                active_sessions: load.get(&a.id).copied().unwrap_or(0),
                agent: a,
            })
            .collect())
    }

    async fn change_presence(
        &self,
        agent: &Agent,
        change: PresenceChange,
    ) -> ChatResult<AgentPresence> {
        self.change_presence_with(agent, change, None).await
    }

    /// Applies and announces a presence change, with its audit entry when the agent chose it.
    async fn change_presence_with(
        &self,
        agent: &Agent,
        change: PresenceChange,
        audit: Option<&AuditEntry>,
    ) -> ChatResult<AgentPresence> {
        let (tenant, now) = (&agent.tenant_id, self.clock.now());
        let (before, after) = match audit {
            None => {
                self.store
                    .change_presence(tenant, &agent.id, change, now)
                    .await?
            }
            Some(entry) => {
                let write = AuditedWrite::Presence {
                    tenant,
                    agent: &agent.id,
                    change,
                    now,
                };
                self.store
                    .write_audited(write, entry)
                    .await?
                    .into_presence()?
            }
        };
        if before.presence != after.presence {
            self.publish_presence(&after).await;
            if after.presence == Presence::Online {
                self.offer_quietly(&agent.tenant_id, &agent.id).await;
            }
        }
        Ok(after)
    }

    fn grace_deadline(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now() + chrono::Duration::seconds(i64::from(self.config.presence_grace_seconds))
    }

    /// `presence_changed` to every agent connection of the tenant (never to customers).
    async fn publish_presence(&self, presence: &AgentPresence) {
        let envelope = Envelope::new(
            presence.tenant_id.clone(),
            None,
            None,
            Audience::AgentsOnly,
            vec![Topic::Tenant(presence.tenant_id.clone())],
            ChatEvent::PresenceChanged {
                agent_id: presence.agent_id.clone(),
                presence: presence.presence,
            },
        );
        if let Err(err) = self.notifier.publish(envelope).await {
            tracing::warn!(agent_id = %presence.agent_id, error = %err, "publishing presence failed");
        }
    }
}
