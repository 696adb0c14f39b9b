//! Starts the real reference-server binary and walks every call of the usage guide's API
//! reference with real HTTP and WebSocket clients: list/get/create sessions, send a message,
//! assign — while an agent's WebSocket receives `new_message`, `session_assigned` and
//! `typing_indicator`. Runs once per framework (axum, poem), on SQLite; and on PostgreSQL
//! when `DATABASE_URL` is set.

#![allow(clippy::unwrap_used)] // Tests unwrap: a panic is a failed test.

use futures::SinkExt;
use serde_json::{json, Value};
mod support;

use std::process::Command;
use std::time::Duration;
use support::server::{start, ADMIN_TOKEN, AGENT_TOKEN};
use support::socket::next_event;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

async fn walk_the_api_reference(framework: &str, database_url: Option<String>) {
    let server = start(framework, database_url).await;
    let base = &server.base;
    let http = reqwest::Client::new();
    let admin = |r: reqwest::RequestBuilder| r.bearer_auth(ADMIN_TOKEN);

    // A widget first (Chat > Widgets > Create Widget).
    let widget: Value = admin(http.post(format!("{base}/v1/chat/widgets")))
        .json(&json!({"name": "Website", "domain": "yourwebsite.com", "welcome_message": "Hi! How can we help?"}))
        .send().await.unwrap().error_for_status().unwrap().json().await.unwrap();
    let widget_id = widget["id"].as_str().unwrap().to_owned();

    // The agent's socket (Authorization header, as a non-browser client).
    let mut request = format!("{}/v1/chat/ws", base.replace("http", "ws"))
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {AGENT_TOKEN}").parse().unwrap(),
    );
    let (mut agent_ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    next_event(&mut agent_ws, "ready").await;

    // POST /v1/chat/sessions
    let session: Value = admin(http.post(format!("{base}/v1/chat/sessions")))
        .json(&json!({"widget_id": widget_id, "customer_email": "customer@example.com", "customer_name": "John Doe"}))
        .send().await.unwrap().error_for_status().unwrap().json().await.unwrap();
    let session_id = session["id"].as_str().unwrap().to_owned();
    assert_eq!(session["status"], "waiting");
    assert_eq!(session["customer_email"], "customer@example.com");
    assert!(session["customer_join_url"]
        .as_str()
        .unwrap()
        .contains("tms_chat_join="));
    let created = next_event(&mut agent_ws, "session_created").await;
    assert_eq!(created["session_id"], session_id.as_str());

    // GET /v1/chat/sessions/{sessionId}
    let got: Value = admin(http.get(format!("{base}/v1/chat/sessions/{session_id}")))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["id"], session_id.as_str());
    assert_eq!(got["customer_name"], "John Doe");

    // The agent opens the chat: subscribe.
    agent_ws
        .send(Message::text(
            json!({"type": "subscribe", "session_id": session_id}).to_string(),
        ))
        .await
        .unwrap();
    next_event(&mut agent_ws, "subscribed").await;

    // POST /v1/chat/sessions/{sessionId}/messages
    let sent = admin(http.post(format!("{base}/v1/chat/sessions/{session_id}/messages")))
        .json(&json!({"content": "Hello! How can I help you?", "message_type": "text"}))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 201);
    let sent: Value = sent.json().await.unwrap();
    assert_eq!(sent["seq"], 1);
    let event = next_event(&mut agent_ws, "new_message").await;
    assert_eq!(event["message"]["content"], "Hello! How can I help you?");
    assert_eq!(event["session_id"], session_id.as_str());

    // POST /v1/chat/sessions/{sessionId}/assign
    let assigned: Value = admin(http.post(format!("{base}/v1/chat/sessions/{session_id}/assign")))
        .json(&json!({"agent_id": "agent-123"}))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(assigned["status"], "active");
    assert_eq!(assigned["assigned_agent_id"], "agent-123");
    let event = next_event(&mut agent_ws, "session_assigned").await;
    assert_eq!(event["agent_id"], "agent-123");

    // GET /v1/chat/sessions?status=active&assigned_agent_id=agent-123
    let list: Value = admin(http.get(format!(
        "{base}/v1/chat/sessions?status=active&assigned_agent_id=agent-123"
    )))
    .send()
    .await
    .unwrap()
    .error_for_status()
    .unwrap()
    .json()
    .await
    .unwrap();
    let ids: Vec<&str> = list["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![session_id.as_str()]);

    // The customer joins through the widget endpoints and types; the agent sees typing_indicator.
    let join = session["customer_token"].as_str().unwrap();
    let origin = "https://yourwebsite.com";
    let mut request = format!(
        "{}/v1/chat/public/widgets/{widget_id}/ws?token={join}",
        base.replace("http", "ws")
    )
    .into_client_request()
    .unwrap();
    request
        .headers_mut()
        .insert("origin", origin.parse().unwrap());
    let (mut customer_ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    next_event(&mut customer_ws, "ready").await;
    customer_ws
        .send(Message::text(
            json!({"type": "typing_indicator", "is_typing": true}).to_string(),
        ))
        .await
        .unwrap();
    let typing = next_event(&mut agent_ws, "typing_indicator").await;
    assert_eq!(typing["is_typing"], true);
    assert_eq!(typing["sender_type"], "customer");

    // WebSocket send_message exactly as the guide shows it.
    agent_ws
        .send(Message::text(json!({"type": "send_message", "session_id": session_id, "content": "Hello!", "message_type": "text"}).to_string()))
        .await
        .unwrap();
    let ack = next_event(&mut agent_ws, "message_ack").await;
    assert_eq!(ack["seq"], ack["message"]["seq"]);
    let delivered = next_event(&mut customer_ws, "new_message").await;
    assert_eq!(delivered["message"]["content"], "Hello!");

    // History in order.
    let history: Value = admin(http.get(format!(
        "{base}/v1/chat/sessions/{session_id}/messages?after_seq=0"
    )))
    .send()
    .await
    .unwrap()
    .error_for_status()
    .unwrap()
    .json()
    .await
    .unwrap();
    let seqs: Vec<i64> = history["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["seq"].as_i64().unwrap())
        .collect();
    let mut sorted = seqs.clone();
    sorted.sort();
    assert_eq!(seqs, sorted);
    assert!(seqs.len() >= 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guide_api_reference_works_on_axum_with_sqlite() {
    walk_the_api_reference("axum", None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guide_api_reference_works_on_poem_with_sqlite() {
    walk_the_api_reference("poem", None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guide_api_reference_works_on_postgres() {
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.is_empty() => walk_the_api_reference("axum", Some(url)).await,
        _ => eprintln!("skipped: DATABASE_URL not set (reference server on PostgreSQL)"),
    }
}

#[test]
fn sigterm_stops_the_server_with_status_zero() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut server = rt.block_on(start("axum", None));
    let pid = server.child.id().to_string();
    let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(status.success());
    let mut exit = None;
    for _ in 0..100 {
        if let Some(s) = server.child.try_wait().unwrap() {
            exit = Some(s);
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(exit.and_then(|s| s.code()), Some(0));
}
