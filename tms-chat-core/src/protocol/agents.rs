//! Agent sign-in: asks the host's [`AgentAuthenticator`], then mirrors the agent (and its
//! tenant) into the store when it is new or changed, so assignment and routing know it. Also
//! a small directory of agent profiles for customer-facing views (name and avatar).

use crate::auth::{AgentAuthenticator, RequestParts};
use crate::domain::{Agent, Tenant};
use crate::error::{ChatError, ChatResult, StoreError};
use crate::ids::{AgentId, TenantId};
use crate::store::ChatStore;
use crate::token::hash_token;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub(crate) struct AgentSignIn {
    authenticator: Arc<dyn AgentAuthenticator>,
    store: Arc<dyn ChatStore>,
    synced: Mutex<HashMap<(TenantId, AgentId), Arc<Agent>>>,
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
            .is_some_and(|a| **a == *agent);
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
        self.synced
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, Arc::new(agent.clone()));
        Ok(())
    }

    /// An agent's profile for display (cached; falls back to the store).
    pub(crate) async fn profile(&self, tenant: &TenantId, id: &AgentId) -> Option<Arc<Agent>> {
        let key = (tenant.clone(), id.clone());
        if let Some(a) = self
            .synced
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            return Some(Arc::clone(a));
        }
        let agent = Arc::new(self.store.get_agent(tenant, id).await.ok()?);
        self.synced
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, Arc::clone(&agent));
        Some(agent)
    }
}
