//! Reference-server processes on one PostgreSQL database are one chat system for a
//! conversation: a customer on node A (axum) and an agent on node B (poem) hear each other's
//! messages, typing and read markers, and the agent sees the lifecycle of a session started
//! on A, on B and on a third node C; a socket ticket from A opens a socket on B once and is
//! refused on C afterwards; a file uploaded through A downloads through B and C; and after kill -9 of node A its customer resumes on B with nothing lost or doubled
//! and `seq` gapless. Each over the PostgreSQL notifier and over NATS (`--notifier nats://…`,
//! `TMS_CHAT_NATS_URL`, default `nats://127.0.0.1:4222`). Needs `DATABASE_URL` (and NATS
//! for the NATS variants; skipped without, unless `TMS_CHAT_REQUIRE_ALL_TESTS` is set).
//! Also: `--notifier postgres` on SQLite is refused at start.

#![allow(clippy::unwrap_used)] // Tests unwrap: a panic is a failed test.

mod support;

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::process::Command;
use std::time::Duration;
use support::server::{free_port, start_node, Server, ADMIN_TOKEN, AGENT_TOKEN};
use support::socket::next_event;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

const ORIGIN: &str = "https://yourwebsite.com";

/// The cluster tests run one at a time: each starts two servers with their own connection
/// pools, and four such pairs at once come close to PostgreSQL's default of 100 connections
/// on a shared test database (and to what two cores schedule in time).
static ONE_CLUSTER_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn database_url() -> Option<String> {
    let url = std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty());
    if url.is_none() {
        assert!(
            std::env::var_os("TMS_CHAT_REQUIRE_ALL_TESTS").is_none(),
            "TMS_CHAT_REQUIRE_ALL_TESTS is set but DATABASE_URL is not"
        );
        eprintln!("skipped: DATABASE_URL not set (reference servers on one PostgreSQL database)");
    }
    url
}

/// The next `new_message` whose content is `content` (system messages and others skipped).
async fn next_message(ws: &mut Socket, content: &str) -> Value {
    loop {
        let event = next_event(ws, "new_message").await;
        if event["message"]["content"] == content {
            return event;
        }
    }
}

async fn send(ws: &mut Socket, frame: Value) {
    ws.send(Message::text(frame.to_string())).await.unwrap();
}

async fn agent_socket(node: &Server) -> Socket {
    let mut request = format!("{}/v1/chat/ws", node.base.replace("http", "ws"))
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {AGENT_TOKEN}").parse().unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    next_event(&mut ws, "ready").await;
    ws
}

async fn customer_socket(node: &Server, widget_id: &str, token: &str) -> Socket {
    support::socket::customer_socket(node, widget_id, token, ORIGIN).await
}

/// An admin REST call on `node`; the answer's JSON.
async fn admin_call(node: &Server, method: reqwest::Method, path: &str, body: Value) -> Value {
    let method_path = format!("{method} {path}");
    let answer = reqwest::Client::new()
        .request(method, format!("{}{path}", node.base))
        .bearer_auth(ADMIN_TOKEN)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = answer.status();
    let body: Value = answer.json().await.unwrap();
    assert!(status.is_success(), "{method_path}: {status} {body}");
    body
}

/// `--notifier nats://…` for the NATS server at `TMS_CHAT_NATS_URL` (default
/// `nats://127.0.0.1:4222`), or `None` (with the skip line) when nothing answers there.
fn nats_notifier() -> Option<String> {
    let url = std::env::var("TMS_CHAT_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into());
    let address = url.trim_start_matches("nats://");
    if std::net::TcpStream::connect(address).is_ok() {
        return Some(url);
    }
    assert!(
        std::env::var_os("TMS_CHAT_REQUIRE_ALL_TESTS").is_none(),
        "TMS_CHAT_REQUIRE_ALL_TESTS is set but NATS does not answer at {url}"
    );
    eprintln!("skipped: NATS does not answer at {url} (reference servers over NATS)");
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_on_node_a_and_an_agent_on_node_b_hear_each_other() {
    let _alone = ONE_CLUSTER_AT_A_TIME.lock().await;
    let Some(url) = database_url() else { return };
    hear_each_other(url, &["--notifier", "postgres"], &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_on_node_a_and_an_agent_on_node_b_hear_each_other_over_nats() {
    let _alone = ONE_CLUSTER_AT_A_TIME.lock().await;
    let Some(url) = database_url() else { return };
    let Some(nats) = nats_notifier() else { return };
    let notifier = ["--notifier", nats.as_str()];
    hear_each_other(url, &notifier, &notifier).await;
}

/// Node A (axum) started with `notifier_a`, nodes B (poem) and C (axum) with `notifier_b`;
/// the agent has a console on B and another on C.
async fn hear_each_other(url: String, notifier_a: &[&str], notifier_b: &[&str]) {
    let tenant = format!("cluster-{}", free_port());
    let a = start_node("axum", Some(url.clone()), &tenant, notifier_a).await;
    let b = start_node("poem", Some(url.clone()), &tenant, notifier_b).await;
    let c = start_node("axum", Some(url), &tenant, notifier_b).await;
    let mut second_console = agent_socket(&c).await;
    let post = reqwest::Method::POST;

    let widget = admin_call(
        &a,
        post.clone(),
        "/v1/chat/widgets",
        json!({"name": "Website", "domain": "yourwebsite.com"}),
    )
    .await;
    let widget_id = widget["id"].as_str().unwrap().to_owned();
    let mut agent = agent_socket(&b).await;

    // The customer starts a chat on A; the agent on B sees it.
    let started: Value = reqwest::Client::new()
        .post(format!(
            "{}/v1/chat/public/widgets/{widget_id}/sessions",
            a.base
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
    let session_id = started["session"]["id"].as_str().unwrap().to_owned();
    let token = started["customer_token"].as_str().unwrap();
    let created = next_event(&mut agent, "session_created").await;
    assert_eq!(created["session_id"], session_id.as_str());
    let created_on_c = next_event(&mut second_console, "session_created").await;
    assert_eq!(created_on_c["session_id"], session_id.as_str());
    let mut customer = customer_socket(&a, &widget_id, token).await;

    // Assigned through A: the agent on B hears it.
    let assign = format!("/v1/chat/sessions/{session_id}/assign");
    admin_call(&a, post.clone(), &assign, json!({"agent_id": "agent-123"})).await;
    let assigned = next_event(&mut agent, "session_assigned").await;
    assert_eq!(assigned["agent_id"], "agent-123");

    // Messages both ways (the assignment may have stored a system message first).
    send(
        &mut customer,
        json!({"type": "send_message", "content": "Hi from A", "client_message_id": "c1"}),
    )
    .await;
    let question_seq = next_event(&mut customer, "message_ack").await["seq"]
        .as_i64()
        .unwrap();
    let heard = next_message(&mut agent, "Hi from A").await;
    assert_eq!(heard["message"]["seq"], question_seq);
    let heard_on_c = next_message(&mut second_console, "Hi from A").await;
    assert_eq!(heard_on_c["message"]["seq"], question_seq);
    send(
        &mut agent,
        json!({"type": "send_message", "session_id": session_id, "content": "Hello from B"}),
    )
    .await;
    let answer_seq = next_event(&mut agent, "message_ack").await["seq"]
        .as_i64()
        .unwrap();
    assert_eq!(answer_seq, question_seq + 1, "seq is gapless across nodes");
    let answer = next_message(&mut customer, "Hello from B").await;
    assert_eq!(answer["message"]["seq"], answer_seq);

    // Typing both ways, and the agent's read marker.
    send(
        &mut customer,
        json!({"type": "typing_indicator", "is_typing": true}),
    )
    .await;
    let typing = next_event(&mut agent, "typing_indicator").await;
    assert_eq!(typing["sender_type"], "customer");
    let typing_path = format!("/v1/chat/sessions/{session_id}/typing");
    let agent_typing = reqwest::Client::new()
        .post(format!("{}{typing_path}", b.base))
        .bearer_auth(AGENT_TOKEN)
        .json(&json!({"is_typing": true}))
        .send()
        .await
        .unwrap();
    assert!(
        agent_typing.status().is_success(),
        "{}",
        agent_typing.status()
    );
    let typing = next_event(&mut customer, "typing_indicator").await;
    assert_eq!(typing["sender_type"], "agent");
    let read = reqwest::Client::new()
        .post(format!("{}/v1/chat/sessions/{session_id}/read", b.base))
        .bearer_auth(AGENT_TOKEN)
        .json(&json!({"seq": question_seq}))
        .send()
        .await
        .unwrap();
    assert!(read.status().is_success(), "{}", read.status());
    // The agent's reply already moved their marker past the question, and a marker never
    // moves back: the read of the question leaves it at the reply.
    let marker = next_event(&mut customer, "read_marker").await;
    assert_eq!(marker["last_read_seq"], answer_seq, "{marker}");

    // Ended through B: the customer on A is told, and so is the agent.
    let end = format!("/v1/chat/sessions/{session_id}/end");
    admin_call(&b, post, &end, json!({})).await;
    next_event(&mut customer, "session_ended").await;
    let ended = next_event(&mut agent, "session_ended").await;
    assert_eq!(ended["session_id"], session_id.as_str());
}

/// The contents and seqs of the `new_message`s before the `resumed` answer.
async fn replay_until_resumed(ws: &mut Socket) -> (Vec<(i64, String)>, Value) {
    let mut replayed = Vec::new();
    loop {
        let frame = next_event_of(ws, &["new_message", "resumed"]).await;
        if frame["type"] == "resumed" {
            return (replayed, frame);
        }
        let message = &frame["message"];
        replayed.push((
            message["seq"].as_i64().unwrap(),
            message["content"].as_str().unwrap().to_owned(),
        ));
    }
}

/// The next frame whose type is one of `wanted`.
async fn next_event_of(ws: &mut Socket, wanted: &[&str]) -> Value {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .unwrap_or_else(|_| panic!("none of {wanted:?} within 10 s"))
            .expect("socket open")
            .expect("frame");
        if let Message::Text(text) = msg {
            let v: Value = serde_json::from_str(&text).unwrap();
            if wanted.iter().any(|w| v["type"] == *w) {
                return v;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_kill_9_of_node_a_the_customer_resumes_on_node_b_with_nothing_lost_or_doubled() {
    let _alone = ONE_CLUSTER_AT_A_TIME.lock().await;
    let Some(url) = database_url() else { return };
    resume_after_kill_9(url, &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_kill_9_of_node_a_the_customer_resumes_on_node_b_over_nats() {
    let _alone = ONE_CLUSTER_AT_A_TIME.lock().await;
    let Some(url) = database_url() else { return };
    let Some(nats) = nats_notifier() else { return };
    resume_after_kill_9(url, &["--notifier", nats.as_str()]).await;
}

/// Both nodes started with `notifier`.
async fn resume_after_kill_9(url: String, notifier: &[&str]) {
    let tenant = format!("cluster-{}", free_port());
    let mut a = start_node("axum", Some(url.clone()), &tenant, notifier).await;
    let b = start_node("axum", Some(url), &tenant, notifier).await;
    let post = reqwest::Method::POST;
    let widget = admin_call(
        &a,
        post.clone(),
        "/v1/chat/widgets",
        json!({"name": "Website", "domain": "yourwebsite.com"}),
    )
    .await;
    let widget_id = widget["id"].as_str().unwrap().to_owned();
    let started = admin_call(
        &a,
        post.clone(),
        "/v1/chat/sessions",
        json!({"widget_id": widget_id, "customer_email": "ann@example.com", "customer_name": "Ann"}),
    )
    .await;
    let session_id = started["id"].as_str().unwrap().to_owned();
    let token = started["customer_token"].as_str().unwrap().to_owned();
    let assign = format!("/v1/chat/sessions/{session_id}/assign");
    admin_call(&b, post, &assign, json!({"agent_id": "agent-123"})).await;
    let mut agent = agent_socket(&b).await;
    let mut customer = customer_socket(&a, &widget_id, &token).await;

    for content in ["m1", "m2"] {
        send(
            &mut customer,
            json!({"type": "send_message", "content": content}),
        )
        .await;
        next_event(&mut customer, "message_ack").await;
        next_message(&mut agent, content).await;
    }
    send(
        &mut agent,
        json!({"type": "send_message", "session_id": session_id, "content": "b1"}),
    )
    .await;
    next_event(&mut agent, "message_ack").await;
    let last_seen = next_message(&mut customer, "b1").await["message"]["seq"]
        .as_i64()
        .unwrap();

    // Node A dies without a goodbye; the agent keeps writing on B meanwhile.
    a.child.kill().unwrap();
    a.child.wait().unwrap();
    let mut written_meanwhile = Vec::new();
    for content in ["b2", "b3"] {
        send(
            &mut agent,
            json!({"type": "send_message", "session_id": session_id, "content": content}),
        )
        .await;
        let seq = next_event(&mut agent, "message_ack").await["seq"]
            .as_i64()
            .unwrap();
        written_meanwhile.push((seq, content.to_owned()));
    }

    // The customer reconnects to B and resumes from the last seq it saw.
    let mut customer = customer_socket(&b, &widget_id, &token).await;
    send(
        &mut customer,
        json!({"type": "resume", "session_id": session_id, "after_seq": last_seen}),
    )
    .await;
    let (replayed, resumed) = replay_until_resumed(&mut customer).await;
    assert_eq!(
        replayed, written_meanwhile,
        "every later message once, in order"
    );
    assert_eq!(resumed["last_seq"], written_meanwhile[1].0);
    send(
        &mut customer,
        json!({"type": "send_message", "content": "back"}),
    )
    .await;
    let back = next_event(&mut customer, "message_ack").await["seq"]
        .as_i64()
        .unwrap();
    assert_eq!(back, written_meanwhile[1].0 + 1);
    next_message(&mut agent, "back").await;

    // Nothing acknowledged by A was lost: the history on B is gapless and holds everything.
    let history = reqwest::Client::new()
        .get(format!(
            "{}/v1/chat/sessions/{session_id}/messages?after_seq=0",
            b.base
        ))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let messages = history["messages"].as_array().unwrap();
    let seqs: Vec<i64> = messages
        .iter()
        .map(|m| m["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, (1..=back).collect::<Vec<_>>(), "gapless");
    let contents: Vec<&str> = messages
        .iter()
        .filter_map(|m| m["content"].as_str())
        .collect();
    for content in ["m1", "m2", "b1", "b2", "b3", "back"] {
        assert_eq!(
            contents.iter().filter(|c| **c == content).count(),
            1,
            "{content} once"
        );
    }
}

#[test]
fn the_postgres_notifier_on_a_sqlite_database_is_refused_at_start() {
    let out = Command::new(env!("CARGO_BIN_EXE_tms-chat-reference-server"))
        .args([
            "--database-url",
            "sqlite::memory:",
            "--notifier",
            "postgres",
        ])
        .args(["--bind", &format!("127.0.0.1:{}", free_port())])
        .env("RUST_LOG", "off")
        .output()
        .expect("the server runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("needs a PostgreSQL database"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_and_a_file_from_node_a_work_on_nodes_b_and_c() {
    let _alone = ONE_CLUSTER_AT_A_TIME.lock().await;
    let Some(url) = database_url() else { return };
    let tenant = format!("cluster-{}", free_port());
    let a = start_node("axum", Some(url.clone()), &tenant, &[]).await;
    let b = start_node("poem", Some(url.clone()), &tenant, &[]).await;
    let c = start_node("axum", Some(url), &tenant, &[]).await;
    let http = reqwest::Client::new();

    // A socket ticket issued by A opens an agent socket on B, once; C refuses it afterwards.
    let ticket: Value = http
        .post(format!("{}/v1/chat/ws-ticket", a.base))
        .bearer_auth(AGENT_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ticket = ticket["ticket"].as_str().unwrap().to_owned();
    let on = |node: &Server| {
        format!(
            "{}/v1/chat/ws?ticket={ticket}",
            node.base.replace("http", "ws")
        )
    };
    let (mut ws, _) = tokio_tungstenite::connect_async(on(&b)).await.unwrap();
    assert_eq!(next_event(&mut ws, "ready").await["agent_id"], "agent-123");
    for node in [&b, &c] {
        let again = tokio_tungstenite::connect_async(on(node)).await;
        let Err(tokio_tungstenite::tungstenite::Error::Http(refused)) = again else {
            panic!("a used ticket must be refused");
        };
        assert_eq!(refused.status(), 401);
    }

    // A file uploaded through A downloads through B and C, byte for byte.
    let widget = admin_call(
        &a,
        reqwest::Method::POST,
        "/v1/chat/widgets",
        json!({"name": "Website", "domain": "yourwebsite.com"}),
    )
    .await;
    let started = admin_call(
        &a,
        reqwest::Method::POST,
        "/v1/chat/sessions",
        json!({"widget_id": widget["id"], "customer_email": "ann@example.com"}),
    )
    .await;
    let session_id = started["id"].as_str().unwrap();
    let bytes: Vec<u8> = b"order #42: the receipt\n".repeat(300);
    let uploaded: Value = http
        .post(format!(
            "{}/v1/chat/sessions/{session_id}/attachments?filename=receipt.txt",
            a.base
        ))
        .bearer_auth(ADMIN_TOKEN)
        .body(bytes.clone())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let attachment_id = uploaded["id"].as_str().unwrap();
    for node in [&b, &c] {
        let download = http
            .get(format!("{}/v1/chat/attachments/{attachment_id}", node.base))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(download.status(), 200);
        assert_eq!(download.bytes().await.unwrap().as_ref(), bytes.as_slice());
    }
}
