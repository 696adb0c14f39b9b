//! Agent authentication for the reference server: bearer tokens from the configuration. Tokens
//! are kept only as SHA-256 hashes in memory and never logged. The table is replaced whole
//! when the config file is read again (`SIGHUP`, `reload.rs`); an open socket's agent is
//! looked up in the current table at each recheck, so a removed agent's sockets close and a
//! changed one's roles and projects apply.

use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::RwLock;
use tms_chat_core::auth::{AgentAuthenticator, RequestParts};
use tms_chat_core::domain::Agent;
use tms_chat_core::ids::{AgentId, TenantId};
use tms_chat_core::token::hash_token;
use tms_chat_core::{ChatError, ChatResult};

/// Token hashes and their agents.
#[derive(Default)]
pub(crate) struct TokenTable {
    by_hash: HashMap<String, Agent>,
}

impl TokenTable {
    /// Registers an agent's token.
    pub(crate) fn add(&mut self, token: &str, agent: Agent) {
        self.by_hash.insert(hash_token(token), agent);
    }

    fn find(&self, tenant: &TenantId, id: &AgentId) -> Option<&Agent> {
        self.by_hash
            .values()
            .find(|a| &a.tenant_id == tenant && &a.id == id)
    }
}

/// Authenticates agents with the current [`TokenTable`].
#[derive(Default)]
pub(crate) struct TokenAuthenticator {
    table: RwLock<TokenTable>,
}

impl TokenAuthenticator {
    /// An authenticator over `table`.
    pub(crate) fn new(table: TokenTable) -> Self {
        TokenAuthenticator {
            table: RwLock::new(table),
        }
    }

    /// Replaces the table; returns the agents the old one had and the new one has not.
    pub(crate) fn replace(&self, table: TokenTable) -> Vec<(TenantId, AgentId)> {
        let mut current = self.table.write().unwrap_or_else(|e| e.into_inner());
        let removed = current
            .by_hash
            .values()
            .filter(|a| table.find(&a.tenant_id, &a.id).is_none())
            .map(|a| (a.tenant_id.clone(), a.id.clone()))
            .collect();
        *current = table;
        removed
    }
}

#[async_trait]
impl AgentAuthenticator for TokenAuthenticator {
    async fn authenticate(&self, request: &RequestParts) -> ChatResult<Agent> {
        let token = request.bearer_token().ok_or(ChatError::Unauthorized)?;
        let table = self.table.read().unwrap_or_else(|e| e.into_inner());
        table
            .by_hash
            .get(&hash_token(token))
            .cloned()
            .ok_or(ChatError::Unauthorized)
    }

    async fn recheck(&self, agent: &Agent) -> ChatResult<Agent> {
        let table = self.table.read().unwrap_or_else(|e| e.into_inner());
        table
            .find(&agent.tenant_id, &agent.id)
            .cloned()
            .ok_or(ChatError::Unauthorized)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent(id: &str) -> Agent {
        Agent::new(id, TenantId::new("acme"), id)
    }

    #[tokio::test]
    async fn a_replaced_table_names_the_removed_agents_and_refuses_them_at_recheck() {
        let mut first = TokenTable::default();
        first.add("ann-token-0123456789", agent("ann"));
        first.add("bob-token-0123456789", agent("bob"));
        let auth = TokenAuthenticator::new(first);
        let mut second = TokenTable::default();
        second.add("ann-new-token-0123456789", agent("ann"));
        let removed = auth.replace(second);
        assert_eq!(removed, vec![(TenantId::new("acme"), AgentId::new("bob"))]);
        assert!(auth.recheck(&agent("ann")).await.is_ok());
        assert!(matches!(
            auth.recheck(&agent("bob")).await,
            Err(ChatError::Unauthorized)
        ));
    }
}
