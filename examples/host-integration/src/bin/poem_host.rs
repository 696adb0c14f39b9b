//! A host app on poem mounting tms-chat under `/support`, trusting a gateway's agent header.
use std::sync::Arc;
use tms_chat_core::auth::{AgentAuthenticator, RequestParts};
use tms_chat_core::domain::Agent;
use tms_chat_core::ids::TenantId;
use tms_chat_core::protocol::{ApiConfig, ChatApi};
use tms_chat_core::service::ChatService;
use tms_chat_core::{ChatError, ChatResult};

struct HeaderAuth; // e.g. a gateway that sets X-Agent-Id after sign-in

#[async_trait::async_trait]
impl AgentAuthenticator for HeaderAuth {
    async fn authenticate(&self, req: &RequestParts) -> ChatResult<Agent> {
        let id = req.header("x-agent-id").ok_or(ChatError::Unauthorized)?;
        Ok(Agent::new(id, TenantId::new("acme"), id))
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let store = tms_chat_storage::connect_any("sqlite://chat.db").await?;
    let api = ChatApi::new(
        ChatService::builder(store).build(),
        Arc::new(HeaderAuth),
        ApiConfig::default(),
    );
    let app = poem::Route::new().nest("/support", tms_chat_poem::route(api));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    tms_chat_poem::serve(listener, app, std::future::pending()).await?;
    Ok(())
}
