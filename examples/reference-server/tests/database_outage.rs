//! A database that goes away: the reference server reaches PostgreSQL through a TCP proxy the
//! test cuts and restores. While it is cut, REST calls answer `503 unavailable`, `/readyz`
//! answers `503`, REST writes (a note, a message, a widget) answer `503` and store nothing,
//! and a socket `send_message` gets an `error` event with the code `unavailable` and no
//! acknowledgement; once it is back everything works again without a
//! restart, and the message acknowledged before the cut is still there, once. Needs
//! `DATABASE_URL` (skipped without, unless `TMS_CHAT_REQUIRE_ALL_TESTS` is set).

#![allow(clippy::unwrap_used)] // Tests unwrap: a panic is a failed test.

mod support;

use futures::SinkExt;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::server::{start_node, Server, ADMIN_TOKEN};
use support::socket::{customer_socket, next_event};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;

const ORIGIN: &str = "https://yourwebsite.com";

/// A TCP proxy to the database that can be cut (every connection dropped, new ones closed
/// at once) and restored.
struct Proxy {
    port: u16,
    open: watch::Sender<bool>,
}

impl Proxy {
    async fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (open, watching) = watch::channel(true);
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let mut state = watching.clone();
                if !*state.borrow() {
                    continue; // Cut: the connection is dropped at once.
                }
                let upstream = upstream.clone();
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(&upstream).await else {
                        return;
                    };
                    let (mut client, mut server) = (client, server);
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = state.wait_for(|open| !open) => {}
                    }
                });
            }
        });
        Proxy { port, open }
    }

    fn cut(&self) {
        self.open.send_replace(false);
    }

    fn restore(&self) {
        self.open.send_replace(true);
    }
}

fn database_url() -> Option<reqwest::Url> {
    let url = std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty());
    if url.is_none() {
        assert!(
            std::env::var_os("TMS_CHAT_REQUIRE_ALL_TESTS").is_none(),
            "TMS_CHAT_REQUIRE_ALL_TESTS is set but DATABASE_URL is not"
        );
        eprintln!("skipped: DATABASE_URL not set (the database outage test)");
    }
    url.map(|u| reqwest::Url::parse(&u).unwrap())
}

/// Polls `GET /v1/chat/sessions` until it answers `status`; returns the body.
async fn sessions_until(server: &Server, status: u16) -> Value {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let response = client
            .get(format!("{}/v1/chat/sessions", server.base))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap();
        if response.status().as_u16() == status {
            return response.json().await.unwrap_or(Value::Null);
        }
        assert!(Instant::now() < deadline, "no {status} within 40 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn customer_chat(server: &Server) -> (String, String, String) {
    let client = reqwest::Client::new();
    let widget: Value = client
        .post(format!("{}/v1/chat/widgets", server.base))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"name": "Outage", "domain": "yourwebsite.com"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let widget_id = widget["id"].as_str().unwrap().to_owned();
    let started: Value = client
        .post(format!(
            "{}/v1/chat/public/widgets/{widget_id}/sessions",
            server.base
        ))
        .header("origin", ORIGIN)
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let session = started["session"]["id"].as_str().unwrap().to_owned();
    let token = started["customer_token"].as_str().unwrap().to_owned();
    (widget_id, session, token)
}

fn send_frame(content: &str, client_id: &str) -> Message {
    let frame = json!({"type": "send_message", "content": content, "client_message_id": client_id, "request_id": client_id});
    Message::text(frame.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_database_answers_503_and_everything_recovers_when_it_returns() {
    let Some(mut url) = database_url() else {
        return;
    };
    let upstream = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(5432));
    let proxy = Proxy::start(upstream).await;
    url.set_host(Some("127.0.0.1")).unwrap();
    url.set_port(Some(proxy.port)).unwrap();
    let tenant = format!("outage-{}", std::process::id());
    let server = start_node("axum", Some(url.to_string()), &tenant, &[]).await;
    let (widget_id, session, token) = customer_chat(&server).await;
    let mut ws = customer_socket(&server, &widget_id, &token, ORIGIN).await;
    ws.send(send_frame("before the cut", "c1")).await.unwrap();
    next_event(&mut ws, "message_ack").await;

    proxy.cut();
    let body = sessions_until(&server, 503).await;
    assert_eq!(body["error"]["code"], "unavailable", "{body}");
    let ready = reqwest::get(format!("{}/readyz", server.base))
        .await
        .unwrap();
    assert_eq!(ready.status().as_u16(), 503);
    ws.send(send_frame("during the cut", "c2")).await.unwrap();
    let error = next_event(&mut ws, "error").await;
    assert_eq!(error["code"], "unavailable", "{error}");
    assert_eq!(error["request_id"], "c2", "{error}");
    // REST writes answer 503 too, never 500: a note (an audited write), an agent's message
    // (an append), a new widget.
    let client = reqwest::Client::new();
    for (path, body) in [
        (
            format!("/v1/chat/sessions/{session}/notes"),
            json!({"content": "note during the cut"}),
        ),
        (
            format!("/v1/chat/sessions/{session}/messages"),
            json!({"content": "reply during the cut"}),
        ),
        (
            "/v1/chat/widgets".to_owned(),
            json!({"name": "Cut", "domain": "cut.example.com"}),
        ),
    ] {
        let reply = client
            .post(format!("{}{path}", server.base))
            .bearer_auth(ADMIN_TOKEN)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = reply.status().as_u16();
        let body: Value = reply.json().await.unwrap_or(Value::Null);
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (503, Some("unavailable")),
            "POST {path}: {body}"
        );
    }

    proxy.restore();
    sessions_until(&server, 200).await;
    ws.send(send_frame("after the cut", "c3")).await.unwrap();
    let ack = next_event(&mut ws, "message_ack").await;
    assert_eq!(ack["client_message_id"], "c3");
    let history: Value = reqwest::Client::new()
        .get(format!(
            "{}/v1/chat/sessions/{session}/messages",
            server.base
        ))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let contents: Vec<&str> = history["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["content"].as_str())
        .collect();
    let count = |text: &str| contents.iter().filter(|c| **c == text).count();
    assert_eq!(count("before the cut"), 1, "{contents:?}");
    assert_eq!(count("during the cut"), 0, "{contents:?}");
    assert_eq!(count("after the cut"), 1, "{contents:?}");
    assert_eq!(count("reply during the cut"), 0, "{contents:?}");
    let notes: Value = reqwest::Client::new()
        .get(format!("{}/v1/chat/sessions/{session}/notes", server.base))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(notes["notes"], json!([]), "{notes}");
}
