//! Agent authentication for the reference server: bearer tokens from the configuration. Tokens
//! are kept only as SHA-256 hashes in memory and never logged.

use async_trait::async_trait;
use std::collections::HashMap;
use tms_chat_core::auth::{AgentAuthenticator, RequestParts};
use tms_chat_core::domain::Agent;
use tms_chat_core::token::hash_token;
use tms_chat_core::{ChatError, ChatResult};

/// Maps token hashes to agents.
#[derive(Default)]
pub(crate) struct TokenAuthenticator {
    by_hash: HashMap<String, Agent>,
}

impl TokenAuthenticator {
    /// Registers an agent's token.
    pub(crate) fn add(&mut self, token: &str, agent: Agent) {
        self.by_hash.insert(hash_token(token), agent);
    }
}

#[async_trait]
impl AgentAuthenticator for TokenAuthenticator {
    async fn authenticate(&self, request: &RequestParts) -> ChatResult<Agent> {
        let token = request.bearer_token().ok_or(ChatError::Unauthorized)?;
        self.by_hash
            .get(&hash_token(token))
            .cloned()
            .ok_or(ChatError::Unauthorized)
    }
}
