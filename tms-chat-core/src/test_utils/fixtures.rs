//! Fixtures for service, API and socket tests: a static bearer-token authenticator, a ticket
//! sink that records what it was asked, and seeding of tenants, agents and widgets. They
//! stand in for the host; the code under test is the chat service behind them.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;

use crate::auth::{AgentAuthenticator, RequestParts};
use crate::domain::{Agent, Tenant, Widget, WidgetInput};
use crate::ids::TenantId;
use crate::service::ChatService;
use crate::store::ChatStore;
use crate::ticket::{TicketRef, TicketRequest, TicketSink};
use crate::{ChatError, ChatResult};

/// Authenticates agents by bearer token from a fixed map (as a host configured with tokens
/// would); an unknown or missing token is `Unauthorized`.
#[derive(Clone, Debug, Default)]
pub struct StaticTokens {
    agents: HashMap<String, Agent>,
}

impl StaticTokens {
    /// An authenticator knowing these `(token, agent)` pairs.
    pub fn new<T: Into<String>>(tokens: impl IntoIterator<Item = (T, Agent)>) -> Self {
        StaticTokens {
            agents: tokens
                .into_iter()
                .map(|(token, agent)| (token.into(), agent))
                .collect(),
        }
    }

    /// Adds a token for `agent`.
    pub fn with(mut self, token: impl Into<String>, agent: Agent) -> Self {
        self.agents.insert(token.into(), agent);
        self
    }
}

#[async_trait]
impl AgentAuthenticator for StaticTokens {
    async fn authenticate(&self, request: &RequestParts) -> ChatResult<Agent> {
        let token = request.bearer_token().ok_or(ChatError::Unauthorized)?;
        self.agents
            .get(token)
            .cloned()
            .ok_or(ChatError::Unauthorized)
    }
}

/// The host's ticket system: records every request and answers `T-1`, `T-2`, … (no URL).
#[derive(Debug, Default)]
pub struct RecordingTickets(Mutex<Vec<TicketRequest>>);

impl RecordingTickets {
    /// The tickets requested so far, oldest first.
    pub fn requests(&self) -> Vec<TicketRequest> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

#[async_trait]
impl TicketSink for RecordingTickets {
    async fn create_ticket(&self, request: TicketRequest) -> ChatResult<TicketRef> {
        let mut all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        all.push(request);
        Ok(TicketRef {
            id: format!("T-{}", all.len()),
            url: None,
        })
    }
}

/// Stores a tenant named `name`; panics if the store refuses.
pub async fn seed_tenant(store: &dyn ChatStore, id: &TenantId, name: &str) -> Tenant {
    let tenant = Tenant {
        id: id.clone(),
        name: name.to_owned(),
    };
    store.upsert_tenant(&tenant).await.expect("seed tenant");
    tenant
}

/// Stores every agent; panics if the store refuses.
pub async fn seed_agents(store: &dyn ChatStore, agents: &[&Agent]) {
    for agent in agents {
        store.upsert_agent(agent).await.expect("seed agent");
    }
}

/// Creates a widget through the service as `admin` (in the tenant's default project), allowed
/// on `domain`; panics if the service refuses.
pub async fn seed_widget(service: &ChatService, admin: &Agent, name: &str, domain: &str) -> Widget {
    service
        .create_widget(
            admin,
            WidgetInput {
                name: Some(name.to_owned()),
                domain: Some(domain.to_owned()),
                ..WidgetInput::default()
            },
        )
        .await
        .expect("seed widget")
}
