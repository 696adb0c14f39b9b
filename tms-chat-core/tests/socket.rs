//! The WebSocket sub-protocol driven over in-memory channels (the connection loop is generic
//! over any Stream + Sink of frames): ready, send → ack after commit, routing to subscribed
//! consoles, malformed frames, oversized frames (1009), resume without duplicates, and the
//! customer never receiving notes. In-memory store, no network; "nothing else arrived" is
//! proved with the client's ping/pong barrier, not by waiting.

#![allow(clippy::unwrap_used)] // Tests unwrap: a panic is a failed test.

use serde_json::{json, Value};
use std::sync::Arc;
use tms_chat_core::domain::{Agent, Role};
use tms_chat_core::ids::TenantId;
use tms_chat_core::protocol::{AbuseLimits, ApiConfig, ApiRequest, ChatApi, SocketError, WsFrame};
use tms_chat_core::service::ChatService;
use tms_chat_core::store::ChatStore;
use tms_chat_core::test_utils::{
    seed_tenant, seed_widget, MemoryStore, SocketClient, StaticTokens,
};

struct Fixture {
    api: ChatApi,
    widget_id: String,
}

async fn fixture(config: ApiConfig) -> Fixture {
    let store: Arc<dyn ChatStore> = Arc::new(MemoryStore::new());
    let tenant = TenantId::new("acme");
    seed_tenant(&*store, &tenant, "Acme").await;
    let admin = Agent::new("admin", tenant.clone(), "Ada")
        .with_role(Role::Admin)
        .with_role(Role::Supervisor);
    let agent = Agent::new("agent-123", tenant.clone(), "Sam");
    let service = ChatService::builder(store).build();
    let widget = seed_widget(&service, &admin, "W", "shop.example.com").await;
    let auth = StaticTokens::new([("admin-token", admin), ("agent-token", agent)]);
    let api = ChatApi::new(service, Arc::new(auth), config);
    Fixture {
        api,
        widget_id: widget.id.to_string(),
    }
}

impl Fixture {
    async fn customer(&self) -> (String, String) {
        let res = self
            .api
            .handle(
                ApiRequest::new(
                    "POST",
                    &format!("/v1/chat/public/widgets/{}/sessions", self.widget_id),
                )
                .with_header("origin", "https://shop.example.com")
                .with_json(&json!({"customer_name": "<b>Ann</b>"})),
            )
            .await;
        assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
        assert_eq!(
            res.header("access-control-allow-origin"),
            Some("https://shop.example.com")
        );
        let v: Value = serde_json::from_slice(&res.body).unwrap();
        (
            v["session"]["id"].as_str().unwrap().to_owned(),
            v["customer_token"].as_str().unwrap().to_owned(),
        )
    }

    async fn customer_socket(&self, token: &str) -> SocketClient {
        SocketClient::connect(
            &self.api,
            ApiRequest::new(
                "GET",
                &format!(
                    "/v1/chat/public/widgets/{}/ws?token={token}",
                    self.widget_id
                ),
            )
            .with_header("origin", "https://shop.example.com"),
        )
        .await
    }

    async fn agent_socket(&self, token: &str) -> SocketClient {
        SocketClient::connect(
            &self.api,
            ApiRequest::new("GET", "/v1/chat/ws")
                .with_header("authorization", &format!("Bearer {token}")),
        )
        .await
    }
}

#[tokio::test]
async fn customer_message_is_acked_after_commit_and_reaches_the_subscribed_console_once() {
    let f = fixture(ApiConfig::default()).await;
    let (session, token) = f.customer().await;
    let mut agent = f.agent_socket("agent-token").await;
    agent.expect("ready").await;
    let created_elsewhere = f.customer().await;
    let _ = created_elsewhere;
    agent.send(json!({"type": "subscribe", "session_id": session, "request_id": 7}));
    let sub = agent.expect("subscribed").await;
    assert_eq!(sub["request_id"], 7);
    let mut customer = f.customer_socket(&token).await;
    customer.expect("ready").await;
    customer.send(json!({"type": "send_message", "content": "hello", "message_type": "text", "client_message_id": "c1", "request_id": "r1"}));
    let ack = customer.expect("message_ack").await;
    assert_eq!(ack["seq"], 1);
    assert_eq!(ack["request_id"], "r1");
    assert_eq!(ack["client_message_id"], "c1");
    let got = agent.expect("new_message").await;
    assert_eq!(got["message"]["content"], "hello");
    assert_eq!(got["message"]["seq"], 1);
    // A retry with the same client_message_id acks the same seq and broadcasts nothing new.
    customer.send(json!({"type": "send_message", "content": "hello", "client_message_id": "c1"}));
    let again = customer.expect("message_ack").await;
    assert_eq!(again["seq"], 1);
    assert_eq!(again["duplicate"], true);
    let rest = agent.barrier().await;
    assert!(!rest.iter().any(|v| v["type"] == "new_message"), "{rest:?}");
}

#[tokio::test]
async fn malformed_frames_get_an_error_and_the_socket_stays_usable() {
    let f = fixture(ApiConfig::default()).await;
    let mut agent = f.agent_socket("agent-token").await;
    agent.expect("ready").await;
    agent.send_frame(WsFrame::Text("{not json".into()));
    assert_eq!(agent.expect("error").await["code"], "invalid_input");
    agent.send(json!({"type": "no_such_type"}));
    assert_eq!(agent.expect("error").await["code"], "invalid_input");
    agent.send(json!({"type": "subscribe", "session_id": "ses_missing", "request_id": 3}));
    let err = agent.expect("error").await;
    assert_eq!(err["code"], "not_found");
    assert_eq!(err["request_id"], 3);
    agent.send(json!({"type": "ping", "request_id": 9}));
    assert_eq!(agent.expect("pong").await["request_id"], 9);
}

#[tokio::test]
async fn an_oversized_frame_closes_the_socket_with_1009() {
    let f = fixture(ApiConfig {
        max_frame_bytes: 1024,
        ..ApiConfig::default()
    })
    .await;
    let mut agent = f.agent_socket("agent-token").await;
    agent.expect("ready").await;
    agent.send(json!({"type": "ping", "pad": "x".repeat(2000)}));
    loop {
        match agent.next_frame().await {
            WsFrame::Close(Some((code, _))) => {
                assert_eq!(code, 1009);
                break;
            }
            WsFrame::Close(None) => panic!("closed without a code"),
            _ => continue,
        }
    }
    // The adapter's "frame too large" read error closes the same way.
    let mut agent = f.agent_socket("agent-token").await;
    agent.expect("ready").await;
    agent.send_read_error(SocketError::TooLarge);
    loop {
        if let WsFrame::Close(Some((code, _))) = agent.next_frame().await {
            assert_eq!(code, 1009);
            break;
        }
    }
}

#[tokio::test]
async fn resume_replays_missed_messages_in_order_without_duplicates() {
    let f = fixture(ApiConfig::default()).await;
    let (session, token) = f.customer().await;
    let mut customer = f.customer_socket(&token).await;
    customer.expect("ready").await;
    for i in 0..5 {
        customer.send(json!({"type": "send_message", "content": format!("m{i}")}));
        customer.expect("message_ack").await;
    }
    let mut agent = f.agent_socket("agent-token").await;
    agent.expect("ready").await;
    agent.send(json!({"type": "resume", "session_id": session, "after_seq": 2}));
    let mut seqs = Vec::new();
    loop {
        let v = agent.expect_any().await;
        match v["type"].as_str() {
            Some("new_message") => seqs.push(v["message"]["seq"].as_i64().unwrap()),
            Some("resumed") => {
                assert_eq!(v["last_seq"], 5);
                break;
            }
            _ => {}
        }
    }
    assert_eq!(seqs, vec![3, 4, 5]);
    customer.send(json!({"type": "send_message", "content": "live"}));
    let live = agent.expect("new_message").await;
    assert_eq!(live["message"]["seq"], 6);
}

#[tokio::test]
async fn customers_never_receive_notes_and_agents_outside_a_session_get_no_messages() {
    let f = fixture(ApiConfig::default()).await;
    let (session, token) = f.customer().await;
    let mut customer = f.customer_socket(&token).await;
    customer.expect("ready").await;
    let mut bystander = f.agent_socket("agent-token").await;
    bystander.expect("ready").await;
    let res = f
        .api
        .handle(
            ApiRequest::new("POST", &format!("/v1/chat/sessions/{session}/notes"))
                .with_header("authorization", "Bearer admin-token")
                .with_json(&json!({"content": "secret note"})),
        )
        .await;
    assert_eq!(res.status, 201);
    customer.send(json!({"type": "send_message", "content": "hi"}));
    customer.expect("message_ack").await;
    let seen = customer.barrier().await;
    assert!(
        !seen.iter().any(|v| v.to_string().contains("secret note")),
        "{seen:?}"
    );
    let seen = bystander.barrier().await;
    assert!(
        !seen
            .iter()
            .any(|v| v["type"] == "new_message" || v["type"] == "note_added"),
        "{seen:?}"
    );
}

#[tokio::test]
async fn typing_goes_to_the_other_side_and_is_not_echoed() {
    let f = fixture(ApiConfig::default()).await;
    let (session, token) = f.customer().await;
    let mut customer = f.customer_socket(&token).await;
    customer.expect("ready").await;
    let mut agent = f.agent_socket("agent-token").await;
    agent.expect("ready").await;
    agent.send(json!({"type": "subscribe", "session_id": session}));
    agent.expect("subscribed").await;
    customer.send(json!({"type": "typing_indicator", "is_typing": true}));
    let t = agent.expect("typing_indicator").await;
    assert_eq!(t["sender_type"], "customer");
    assert_eq!(t["session_id"], session.as_str());
    agent.send(json!({"type": "typing_indicator", "session_id": session, "is_typing": true}));
    let t = customer.expect("typing_indicator").await;
    assert_eq!(t["sender_type"], "agent");
    let echoed = customer.barrier().await;
    assert!(!echoed.iter().any(|v| v["type"] == "typing_indicator"));
    let echoed = agent.barrier().await;
    assert!(
        !echoed.iter().any(|v| v["type"] == "typing_indicator"),
        "{echoed:?}"
    );
}

#[tokio::test]
async fn sockets_are_refused_without_credentials_or_from_foreign_origins() {
    let f = fixture(ApiConfig::default()).await;
    let err = f
        .api
        .authorize_socket(&ApiRequest::new("GET", "/v1/chat/ws"))
        .await
        .unwrap_err();
    assert_eq!(err.status, 401);
    let (_, token) = f.customer().await;
    let err = f
        .api
        .authorize_socket(
            &ApiRequest::new(
                "GET",
                &format!("/v1/chat/public/widgets/{}/ws?token={token}", f.widget_id),
            )
            .with_header("origin", "https://evil.example"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status, 403);
    let err = f
        .api
        .authorize_socket(
            &ApiRequest::new(
                "GET",
                &format!("/v1/chat/public/widgets/{}/ws?token=wrong", f.widget_id),
            )
            .with_header("origin", "https://shop.example.com"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status, 401);
}

#[tokio::test]
async fn a_one_time_ticket_opens_one_socket() {
    let f = fixture(ApiConfig::default()).await;
    let res = f
        .api
        .handle(
            ApiRequest::new("POST", "/v1/chat/ws-ticket")
                .with_header("authorization", "Bearer agent-token"),
        )
        .await;
    assert_eq!(res.status, 201);
    let ticket = serde_json::from_slice::<Value>(&res.body).unwrap()["ticket"]
        .as_str()
        .unwrap()
        .to_owned();
    let req = ApiRequest::new("GET", &format!("/v1/chat/ws?ticket={ticket}"));
    assert!(f.api.authorize_socket(&req).await.is_ok());
    assert_eq!(f.api.authorize_socket(&req).await.unwrap_err().status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pipelined_sends_are_acked_in_order_with_seq_following_send_order() {
    // 60 sends at once are past a customer socket's message rate: turned off here.
    let f = fixture(ApiConfig {
        abuse: AbuseLimits::unlimited(),
        ..ApiConfig::default()
    })
    .await;
    let (_, token) = f.customer().await;
    let mut customer = f.customer_socket(&token).await;
    customer.expect("ready").await;
    for i in 0..60 {
        customer.send(json!({"type": "send_message", "content": format!("m{i}"), "client_message_id": format!("c{i}"), "request_id": i}));
    }
    for i in 0..60 {
        let ack = customer.expect("message_ack").await;
        assert_eq!(ack["request_id"], i, "acks arrive in send order");
        assert_eq!(ack["seq"], i + 1, "seq follows send order");
        assert_eq!(ack["message"]["content"], format!("m{i}"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sender_gets_an_ack_instead_of_an_echo_and_other_tabs_get_the_message() {
    let f = fixture(ApiConfig::default()).await;
    let (_, token) = f.customer().await;
    let mut tab_a = f.customer_socket(&token).await;
    tab_a.expect("ready").await;
    let mut tab_b = f.customer_socket(&token).await;
    tab_b.expect("ready").await;
    tab_a.send(json!({"type": "send_message", "content": "from tab A", "client_message_id": "c1"}));
    let ack = tab_a.expect("message_ack").await;
    assert_eq!(ack["message"]["content"], "from tab A");
    let seen = tab_b.expect("new_message").await;
    assert_eq!(seen["message"]["seq"], ack["seq"]);
    let echoes = tab_a.barrier().await;
    assert!(
        !echoes.iter().any(|v| v["type"] == "new_message"),
        "{echoes:?}"
    );
}

/// The barrier the tests above rely on is not vacuous: a frame routed to a socket before the
/// barrier is among the frames it returns, even when nobody read it yet.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_barrier_returns_the_frames_routed_to_a_socket_before_it() {
    let f = fixture(ApiConfig::default()).await;
    let (session, token) = f.customer().await;
    let mut agent = f.agent_socket("agent-token").await;
    agent.expect("ready").await;
    agent.send(json!({"type": "subscribe", "session_id": session}));
    agent.expect("subscribed").await;
    let mut customer = f.customer_socket(&token).await;
    customer.expect("ready").await;
    for i in 0..20 {
        customer.send(json!({"type": "send_message", "content": format!("m{i}")}));
        customer.expect("message_ack").await;
        let arrived = agent.barrier().await;
        assert!(
            arrived
                .iter()
                .any(|v| v["type"] == "new_message" && v["message"]["content"] == format!("m{i}")),
            "{arrived:?}"
        );
        agent.assert_nothing_arrived().await;
    }
}

/// A peer that stops answering gets pings every `ping_interval` and is closed with 1001 once
/// silent for `idle_timeout` (30 s and 90 s by default, as docs/protocol.md says); the
/// connection and its subscriptions end with it. Time is the paused tokio clock.
#[tokio::test(start_paused = true)]
async fn a_silent_peer_is_pinged_then_closed_after_the_idle_timeout() {
    let f = fixture(ApiConfig::default()).await;
    let mut agent = f.agent_socket("agent-token").await;
    agent.expect("ready").await;
    // Opening the console brings the agent online (the presence event comes first).
    agent.expect("presence_changed").await;
    assert_eq!(f.api.open_connections(), 1);
    for _ in 0..2 {
        tokio::time::advance(std::time::Duration::from_secs(30)).await;
        assert_eq!(agent.next_frame().await, WsFrame::Ping(Vec::new()));
    }
    tokio::time::advance(std::time::Duration::from_secs(30)).await;
    match agent.next_frame().await {
        WsFrame::Close(Some((code, reason))) => {
            assert_eq!((code, reason.as_str()), (1001, "idle timeout"))
        }
        other => panic!("expected the idle close, got {other:?}"),
    }
    while f.api.open_connections() > 0 {
        tokio::task::yield_now().await;
    }
}
