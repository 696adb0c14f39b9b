//! A host app on poem mounting tms-chat under `/support`, trusting a gateway's agent headers
//! (`X-Agent-Id`, and `X-Agent-Role: admin` for admins). It serves the agent console at
//! `/support/console/` and the widget at `/support/chat-widget.js`.
use std::sync::Arc;
use tms_chat_core::auth::{AgentAuthenticator, RequestParts};
use tms_chat_core::domain::{Agent, Role};
use tms_chat_core::ids::TenantId;
use tms_chat_core::protocol::{ApiConfig, ChatApi};
use tms_chat_core::service::ChatService;
use tms_chat_core::{ChatError, ChatResult};
use tms_chat_host_integration::settings::{listening_line, HostSettings};

struct HeaderAuth; // e.g. a gateway that sets X-Agent-Id after sign-in

#[async_trait::async_trait]
impl AgentAuthenticator for HeaderAuth {
    async fn authenticate(&self, req: &RequestParts) -> ChatResult<Agent> {
        let id = req.header("x-agent-id").ok_or(ChatError::Unauthorized)?;
        let agent = Agent::new(id, TenantId::new("acme"), id);
        Ok(match req.header("x-agent-role").and_then(Role::parse) {
            Some(role) => agent.with_role(role),
            None => agent,
        })
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
        Arc::new(HeaderAuth),
        config,
    );
    let app = poem::Route::new().nest("/support", tms_chat_poem::route(api));
    let listener = tokio::net::TcpListener::bind(&settings.bind).await?;
    println!("{}", listening_line(listener.local_addr()?));
    tms_chat_poem::serve(listener, app, std::future::pending()).await?;
    Ok(())
}
