//! Revocation with the real reference-server process: after its config file loses an agent
//! and the server gets `SIGHUP`, that agent's socket closes (`error` `unauthorized`, then
//! status 4401) and their token is refused, while the other agents carry on. With
//! `DATABASE_URL`: two servers on one PostgreSQL database, where the removal applied on node A
//! closes the agent's socket on node B (poem), and a widget deleted through A closes its
//! customer's socket on B.

#![allow(clippy::unwrap_used)] // Tests unwrap: a panic is a failed test.

mod support;

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::time::Duration;
use support::server::{free_port, start_node, Server, ADMIN_TOKEN, AGENT_TOKEN};
use support::socket::{customer_socket, next_event, Socket};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

const ORIGIN: &str = "https://yourwebsite.com";

async fn agent_socket(node: &Server, token: &str) -> Socket {
    let mut request = format!("{}/v1/chat/ws", node.base.replace("http", "ws"))
        .into_client_request()
        .unwrap();
    let bearer = format!("Bearer {token}").parse().unwrap();
    request.headers_mut().insert("authorization", bearer);
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    next_event(&mut ws, "ready").await;
    ws
}

/// The config the servers start with, less the agent `agent-123`.
fn config_without_the_agent(tenant: &str) -> String {
    format!(
        r#"
[[tenants]]
id = "{tenant}"
name = "Acme"

[[agents]]
id = "admin-1"
tenant = "{tenant}"
name = "Ada Admin"
token = "{ADMIN_TOKEN}"
roles = ["admin", "supervisor"]
"#
    )
}

/// What a revoked socket ends with: `error` `unauthorized`, then the close status 4401.
async fn expect_revoked(ws: &mut Socket) {
    let error = next_event(ws, "error").await;
    assert_eq!(error["code"], "unauthorized", "{error}");
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("the socket closes within 10 s")
            .expect("a close frame before the end")
            .unwrap();
        if let Message::Close(close) = frame {
            assert_eq!(close.map(|c| u16::from(c.code)), Some(4401));
            return;
        }
    }
}

/// The socket still answers a `ping`.
async fn expect_open(ws: &mut Socket) {
    let ping = json!({"type": "ping", "request_id": "still-open"});
    ws.send(Message::text(ping.to_string())).await.unwrap();
    assert_eq!(next_event(ws, "pong").await["request_id"], "still-open");
}

async fn status_of_sessions_call(node: &Server, token: &str) -> u16 {
    reqwest::Client::new()
        .get(format!("{}/v1/chat/sessions", node.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn sighup_after_an_agent_left_the_config_closes_their_socket_and_refuses_their_token() {
    let tenant = format!("acme-{}", free_port());
    let node = start_node("axum", None, &tenant, &[]).await;
    let mut sam = agent_socket(&node, AGENT_TOKEN).await;
    let mut admin = agent_socket(&node, ADMIN_TOKEN).await;
    assert_eq!(status_of_sessions_call(&node, AGENT_TOKEN).await, 200);
    std::fs::write(&node.config_path, config_without_the_agent(&tenant)).unwrap();
    node.hang_up();
    expect_revoked(&mut sam).await;
    assert_eq!(status_of_sessions_call(&node, AGENT_TOKEN).await, 401);
    expect_open(&mut admin).await;
    assert_eq!(status_of_sessions_call(&node, ADMIN_TOKEN).await, 200);
}

fn database_url() -> Option<String> {
    let url = std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty());
    if url.is_none() {
        assert!(
            std::env::var_os("TMS_CHAT_REQUIRE_ALL_TESTS").is_none(),
            "TMS_CHAT_REQUIRE_ALL_TESTS is set but DATABASE_URL is not"
        );
        eprintln!("skipped: DATABASE_URL not set (two servers on one PostgreSQL database)");
    }
    url
}

/// A widget created through `node` and a customer session on it: (widget id, token).
async fn widget_with_a_customer(node: &Server) -> (String, String) {
    let client = reqwest::Client::new();
    let widget: Value = client
        .post(format!("{}/v1/chat/widgets", node.base))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"name": "Website", "domain": "yourwebsite.com"}))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap();
    let widget_id = widget["id"].as_str().unwrap().to_owned();
    let started: Value = client
        .post(format!(
            "{}/v1/chat/public/widgets/{widget_id}/sessions",
            node.base
        ))
        .header("origin", ORIGIN)
        .json(&json!({"customer_name": "Ann"}))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = started["customer_token"].as_str().unwrap().to_owned();
    (widget_id, token)
}

#[tokio::test]
async fn a_removal_and_a_widget_deletion_on_node_a_close_the_sockets_on_node_b() {
    let Some(url) = database_url() else { return };
    let tenant = format!("revoke-{}", free_port());
    let a = start_node("axum", Some(url.clone()), &tenant, &[]).await;
    let b = start_node("poem", Some(url), &tenant, &[]).await;
    let (widget_id, customer_token) = widget_with_a_customer(&a).await;
    let mut customer = customer_socket(&b, &widget_id, &customer_token, ORIGIN).await;
    let mut sam_on_b = agent_socket(&b, AGENT_TOKEN).await;
    let mut admin_on_b = agent_socket(&b, ADMIN_TOKEN).await;

    std::fs::write(&a.config_path, config_without_the_agent(&tenant)).unwrap();
    a.hang_up();
    expect_revoked(&mut sam_on_b).await;
    expect_open(&mut admin_on_b).await;
    expect_open(&mut customer).await;

    let deleted = reqwest::Client::new()
        .delete(format!("{}/v1/chat/widgets/{widget_id}", a.base))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert!(deleted.status().is_success(), "{}", deleted.status());
    expect_revoked(&mut customer).await;
    expect_open(&mut admin_on_b).await;
    let posted = reqwest::Client::new()
        .post(format!(
            "{}/v1/chat/public/widgets/{widget_id}/session/messages",
            b.base
        ))
        .header("origin", ORIGIN)
        .bearer_auth(&customer_token)
        .json(&json!({"content": "still here?"}))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status().as_u16(), 404);
}
