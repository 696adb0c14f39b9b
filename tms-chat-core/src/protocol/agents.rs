//! Agent sign-in: asks the host's [`AgentAuthenticator`], then mirrors the agent (and its
//! tenant) into the store when it is new or changed, so assignment and routing know it. Also
//! a small directory of agent profiles for customer-facing views (name and avatar).
//!
//! The directory is a per-node cache. An entry is trusted for [`PROFILE_TTL`] and then read
//! again from the store, so a change made through another node (an agent who signed in
//! there with a new name or avatar) shows here within that time.

use crate::auth::{AgentAuthenticator, RequestParts};
use crate::domain::{Agent, Tenant};
use crate::error::{ChatError, ChatResult, StoreError};
use crate::ids::{AgentId, TenantId};
use crate::store::ChatStore;
use crate::token::hash_token;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// How long a cached agent profile is trusted before it is read from the store again.
pub(crate) const PROFILE_TTL: Duration = Duration::from_secs(10);

/// An agent as this node last saw it, and when.
struct Cached {
    agent: Arc<Agent>,
    at: Instant,
}

pub(crate) struct AgentSignIn {
    authenticator: Arc<dyn AgentAuthenticator>,
    store: Arc<dyn ChatStore>,
    synced: Mutex<HashMap<(TenantId, AgentId), Cached>>,
}

impl AgentSignIn {
    pub(crate) fn new(
        authenticator: Arc<dyn AgentAuthenticator>,
        store: Arc<dyn ChatStore>,
    ) -> Self {
        AgentSignIn {
            authenticator,
            store,
            synced: Mutex::new(HashMap::new()),
        }
    }

    /// The agent behind a request, mirrored into the store. A customer's session token on
    /// an agent path is known but not allowed: `403 forbidden`, not `401`.
    pub(crate) async fn authenticate(&self, parts: &RequestParts) -> ChatResult<Agent> {
        let agent = match self.authenticator.authenticate(parts).await {
            Ok(agent) => agent,
            Err(ChatError::Unauthorized) if self.is_customer_token(parts).await => {
                return Err(ChatError::forbidden(
                    "a customer token cannot be used on an agent path",
                ))
            }
            Err(e) => return Err(e),
        };
        self.sync(&agent).await?;
        Ok(agent)
    }

    /// Asks the host again whether it accepts `agent` (signed in earlier): the agent as the
    /// host knows them now, mirrored into the store when changed. An answer naming another
    /// agent is a refusal.
    pub(crate) async fn recheck(&self, agent: &Agent) -> ChatResult<Agent> {
        let now = self.authenticator.recheck(agent).await?;
        if now.id != agent.id || now.tenant_id != agent.tenant_id {
            return Err(ChatError::Unauthorized);
        }
        if now != *agent {
            self.sync(&now).await?;
        }
        Ok(now)
    }

    /// Whether the request's bearer token is a customer's session token.
    async fn is_customer_token(&self, parts: &RequestParts) -> bool {
        let Some(token) = parts
            .bearer_token()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        else {
            return false;
        };
        self.store
            .find_session_by_token_hash(&hash_token(token))
            .await
            .is_ok()
    }

    async fn sync(&self, agent: &Agent) -> ChatResult<()> {
        let key = (agent.tenant_id.clone(), agent.id.clone());
        let known = self
            .synced
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
            .is_some_and(|cached| *cached.agent == *agent && cached.at.elapsed() < PROFILE_TTL);
        if known {
            return Ok(());
        }
        match self.store.get_tenant(&agent.tenant_id).await {
            Ok(_) => {}
            Err(StoreError::NotFound) => {
                self.store
                    .upsert_tenant(&Tenant {
                        id: agent.tenant_id.clone(),
                        name: agent.tenant_id.to_string(),
                    })
                    .await?
            }
            Err(e) => return Err(e.into()),
        }
        self.store.upsert_agent(agent).await?;
        self.remember(key, Arc::new(agent.clone()));
        Ok(())
    }

    /// An agent's profile for display: cached for [`PROFILE_TTL`], then read from the store.
    pub(crate) async fn profile(&self, tenant: &TenantId, id: &AgentId) -> Option<Arc<Agent>> {
        let key = (tenant.clone(), id.clone());
        let fresh = self
            .synced
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
            .filter(|cached| cached.at.elapsed() < PROFILE_TTL)
            .map(|cached| Arc::clone(&cached.agent));
        if fresh.is_some() {
            return fresh;
        }
        let agent = Arc::new(self.store.get_agent(tenant, id).await.ok()?);
        self.remember(key, Arc::clone(&agent));
        Some(agent)
    }

    fn remember(&self, key: (TenantId, AgentId), agent: Arc<Agent>) {
        let cached = Cached {
            agent,
            at: Instant::now(),
        };
        self.synced
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, cached);
    }
}

#[cfg(all(test, feature = "test-utils"))]
mod tests {
    use super::*;
    use crate::test_utils::{seed_tenant, MemoryStore, StaticTokens};

    #[tokio::test(start_paused = true)]
    async fn a_profile_changed_through_another_node_shows_here_within_the_ttl() {
        let store: Arc<dyn ChatStore> = Arc::new(MemoryStore::new());
        let tenant = TenantId::new("acme");
        seed_tenant(&*store, &tenant, "Acme").await;
        store
            .upsert_agent(&Agent::new("ann", tenant.clone(), "Ann"))
            .await
            .expect("seed agent");
        let this_node = AgentSignIn::new(
            Arc::new(StaticTokens::new(Vec::<(String, Agent)>::new())),
            store.clone(),
        );
        let name = |a: Option<Arc<Agent>>| a.map(|a| a.display_name.clone());
        let ann = AgentId::new("ann");
        assert_eq!(
            name(this_node.profile(&tenant, &ann).await).as_deref(),
            Some("Ann")
        );
        // Another node mirrors Ann's new name into the shared store.
        store
            .upsert_agent(&Agent::new("ann", tenant.clone(), "Ann Lee"))
            .await
            .expect("rename");
        assert_eq!(
            name(this_node.profile(&tenant, &ann).await).as_deref(),
            Some("Ann")
        );
        tokio::time::advance(PROFILE_TTL + Duration::from_secs(1)).await;
        assert_eq!(
            name(this_node.profile(&tenant, &ann).await).as_deref(),
            Some("Ann Lee")
        );
    }
}
