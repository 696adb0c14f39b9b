//! A host app on axum mounting tms-chat under `/support`, with its own cookie sign-in. It serves
//! the agent console at `/support/console/` and the widget at `/support/chat-widget.js`.
use std::sync::Arc;
use tms_chat_core::auth::{AgentAuthenticator, RequestParts};
use tms_chat_core::domain::{Agent, Role};
use tms_chat_core::ids::TenantId;
use tms_chat_core::protocol::{ApiConfig, ChatApi};
use tms_chat_core::service::ChatService;
use tms_chat_core::{ChatError, ChatResult};
use tms_chat_host_integration::settings::{listening_line, HostSettings};

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
    let settings = HostSettings::from_env();
    let store = tms_chat_storage::connect_any(&settings.database_url).await?;
    let config = ApiConfig {
        ..ApiConfig::default()
    };
    let api = ChatApi::new(
        ChatService::builder(store).build(),
        Arc::new(SessionCookieAuth),
        config,
    );
    let app = axum::Router::new().nest("/support", tms_chat_axum::router(api));
    let listener = tokio::net::TcpListener::bind(&settings.bind).await?;
    println!("{}", listening_line(listener.local_addr()?));
    tms_chat_axum::serve(listener, app, std::future::pending()).await?;
    Ok(())
}
