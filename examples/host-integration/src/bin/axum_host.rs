//! A host app on axum mounting tms-chat under `/support`, with its own cookie sign-in.
use std::sync::Arc;
use tms_chat_core::auth::{AgentAuthenticator, RequestParts};
use tms_chat_core::domain::{Agent, Role};
use tms_chat_core::ids::TenantId;
use tms_chat_core::protocol::{ApiConfig, ChatApi};
use tms_chat_core::service::ChatService;
use tms_chat_core::{ChatError, ChatResult};

struct SessionCookieAuth; // your TMS's sign-in

#[async_trait::async_trait]
impl AgentAuthenticator for SessionCookieAuth {
    async fn authenticate(&self, req: &RequestParts) -> ChatResult<Agent> {
        let user = req.cookie("tms_session").ok_or(ChatError::Unauthorized)?; // look it up in your TMS
        Ok(Agent::new(user, TenantId::new("acme"), "Alice").with_role(Role::Admin))
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let store = tms_chat_storage::connect_any("sqlite://chat.db").await?;
    let api = ChatApi::new(
        ChatService::builder(store).build(),
        Arc::new(SessionCookieAuth),
        ApiConfig::default(),
    );
    let app = axum::Router::new().nest("/support", tms_chat_axum::router(api));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    tms_chat_axum::serve(listener, app, std::future::pending()).await?;
    Ok(())
}
