//! Host-integration examples: see `src/bin/axum_host.rs` and `src/bin/poem_host.rs`, and
//! `docs/embedding.md`. The library target holds the settings both hosts read and a test that
//! mounts the API under a prefix in both frameworks; `tests/browser.rs` runs both hosts as
//! real processes and chats through the prefixed widget and console in Chromium.

pub mod settings;

/// The README's mounting snippet, compiled as a doctest so it cannot rot.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeSnippet;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::Arc;
    use tms_chat_core::auth::{AgentAuthenticator, RequestParts};
    use tms_chat_core::domain::{Agent, Role};
    use tms_chat_core::ids::TenantId;
    use tms_chat_core::protocol::{ApiConfig, ChatApi};
    use tms_chat_core::service::ChatService;
    use tms_chat_core::{ChatError, ChatResult};

    struct HeaderAuth;

    #[async_trait::async_trait]
    impl AgentAuthenticator for HeaderAuth {
        async fn authenticate(&self, req: &RequestParts) -> ChatResult<Agent> {
            let id = req.header("x-agent-id").ok_or(ChatError::Unauthorized)?;
            Ok(Agent::new(id, TenantId::new("acme"), id).with_role(Role::Admin))
        }
    }

    async fn api() -> ChatApi {
        let store = tms_chat_storage::connect_any("sqlite::memory:")
            .await
            .unwrap();
        ChatApi::new(
            ChatService::builder(store).build(),
            Arc::new(HeaderAuth),
            ApiConfig::default(),
        )
    }

    async fn exercise(base: &str) {
        let get = |path: &str, agent: Option<&str>| {
            let mut req = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
            if let Some(a) = agent {
                req.push_str(&format!("x-agent-id: {a}\r\n"));
            }
            req.push_str("\r\n");
            req
        };
        for (path, agent, status) in [
            ("/support/v1/chat/widgets", Some("alice"), "200"),
            ("/support/v1/chat/widgets", None, "401"),
            ("/support/healthz", None, "200"),
            ("/support/console/", None, "200"),
            ("/support/console/console.js", None, "200"),
            ("/support/console", None, "308"),
            ("/console/", None, "404"),
            ("/v1/chat/widgets", Some("alice"), "404"),
        ] {
            let response = raw(base, &get(path, agent)).await;
            assert!(
                response.starts_with(&format!("HTTP/1.1 {status}")),
                "{path}: {response}"
            );
        }
    }

    async fn raw(base: &str, request: &str) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut s = tokio::net::TcpStream::connect(base.trim_start_matches("http://"))
            .await
            .unwrap();
        s.write_all(request.as_bytes()).await.unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        out
    }

    #[tokio::test]
    async fn api_nested_under_a_prefix_works_in_axum() {
        let app = axum::Router::new().nest("/support", tms_chat_axum::router(api().await));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(tms_chat_axum::serve(listener, app, std::future::pending()));
        exercise(&base).await;
    }

    #[tokio::test]
    async fn api_nested_under_a_prefix_works_in_poem() {
        let app = poem::Route::new().nest("/support", tms_chat_poem::route(api().await));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(tms_chat_poem::serve(listener, app, std::future::pending()));
        exercise(&base).await;
    }
}
