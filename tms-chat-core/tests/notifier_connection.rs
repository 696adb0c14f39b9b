//! What a node does when its notifier loses its bus: `GET /readyz` answers `503` while the
//! notifier reports itself disconnected, and a socket whose notifier asks every subscriber to
//! resync sends `resync_required` at once, without waiting for another event or a ping. And with
//! several nodes, a message that arrives after a later one of its session still reaches the
//! socket (the socket fills the `seq` gap from the store).

#![allow(clippy::unwrap_used)] // Tests unwrap: a panic is a failed test.

use async_trait::async_trait;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tms_chat_core::domain::{Agent, Role};
use tms_chat_core::error::ChatResult;
use tms_chat_core::ids::TenantId;
use tms_chat_core::notify::{ChatEvent, Envelope, LocalNotifier, Notifier, Subscriber, Topic};
use tms_chat_core::protocol::{ApiConfig, ApiRequest, ChatApi};
use tms_chat_core::service::ChatService;
use tms_chat_core::store::ChatStore;
use tms_chat_core::test_utils::{
    seed_tenant, seed_widget, MemoryStore, SocketClient, StaticTokens,
};

/// A local notifier whose bus connection the test switches off and on.
#[derive(Default)]
struct SwitchedBus {
    local: LocalNotifier,
    down: AtomicBool,
}

#[async_trait]
impl Notifier for SwitchedBus {
    async fn publish(&self, envelope: Envelope) -> ChatResult<()> {
        self.local.publish(envelope).await
    }
    fn subscribe(&self, topic: Topic, subscriber: &Subscriber) {
        self.local.subscribe(topic, subscriber);
    }
    fn unsubscribe(&self, topic: &Topic, subscriber: &Subscriber) {
        self.local.unsubscribe(topic, subscriber);
    }
    fn unsubscribe_all(&self, subscriber: &Subscriber) {
        self.local.unsubscribe_all(subscriber);
    }
    fn is_connected(&self) -> bool {
        !self.down.load(Ordering::Acquire)
    }
}

async fn api(bus: Arc<SwitchedBus>) -> (ChatApi, String) {
    let store: Arc<dyn ChatStore> = Arc::new(MemoryStore::new());
    let tenant = TenantId::new("acme");
    seed_tenant(&*store, &tenant, "Acme").await;
    let admin = Agent::new("admin", tenant, "Ada").with_role(Role::Admin);
    let service = ChatService::builder(store).notifier(bus).build();
    let widget = seed_widget(&service, &admin, "W", "shop.example.com").await;
    let auth = StaticTokens::new([("admin-token", admin)]);
    // Pings far apart: only the resync wake-up can make the socket speak in time.
    let config = ApiConfig {
        ping_interval: std::time::Duration::from_secs(3600),
        idle_timeout: std::time::Duration::from_secs(7200),
        ..ApiConfig::default()
    };
    (
        ChatApi::new(service, Arc::new(auth), config),
        widget.id.to_string(),
    )
}

#[tokio::test]
async fn readyz_answers_503_while_the_notifier_is_disconnected() {
    let bus = Arc::new(SwitchedBus::default());
    let (api, _) = api(Arc::clone(&bus)).await;
    let ready = api.handle(ApiRequest::new("GET", "/readyz")).await;
    assert_eq!(ready.status, 200);
    bus.down.store(true, Ordering::Release);
    let down = api.handle(ApiRequest::new("GET", "/readyz")).await;
    assert_eq!(down.status, 503);
    let body: Value = serde_json::from_slice(&down.body).unwrap();
    assert_eq!(body["status"], "unavailable");
    bus.down.store(false, Ordering::Release);
    assert_eq!(
        api.handle(ApiRequest::new("GET", "/readyz")).await.status,
        200
    );
}

#[tokio::test]
async fn a_socket_sends_resync_required_as_soon_as_its_notifier_asks() {
    let bus = Arc::new(SwitchedBus::default());
    let (api, widget_id) = api(Arc::clone(&bus)).await;
    let start = ApiRequest::new(
        "POST",
        &format!("/v1/chat/public/widgets/{widget_id}/sessions"),
    )
    .with_header("origin", "https://shop.example.com")
    .with_json(&json!({"customer_name": "Ann"}));
    let res = api.handle(start).await;
    assert_eq!(res.status, 201);
    let v: Value = serde_json::from_slice(&res.body).unwrap();
    let token = v["customer_token"].as_str().unwrap();
    let mut customer = SocketClient::connect(
        &api,
        ApiRequest::new(
            "GET",
            &format!("/v1/chat/public/widgets/{widget_id}/ws?token={token}"),
        )
        .with_header("origin", "https://shop.example.com"),
    )
    .await;
    customer.expect("ready").await;
    customer.assert_nothing_arrived().await;
    bus.local.fanout().request_resync_all();
    let frame = customer.expect_any().await;
    assert_eq!(frame["type"], "resync_required", "{frame}");
    customer.assert_nothing_arrived().await;
}

/// Delivers the first message event after the one that follows it, as a node does when its
/// own later message of a session is delivered locally before an earlier one, committed on
/// another node, arrives over the bus.
#[derive(Default)]
struct LateFirstMessage {
    local: LocalNotifier,
    held: Mutex<Option<Envelope>>,
    holding: AtomicBool,
}

#[async_trait]
impl Notifier for LateFirstMessage {
    async fn publish(&self, envelope: Envelope) -> ChatResult<()> {
        if matches!(envelope.event, ChatEvent::NewMessage { .. })
            && self.holding.swap(false, Ordering::AcqRel)
        {
            *self.held.lock().unwrap() = Some(envelope);
            return Ok(());
        }
        self.local.publish(envelope).await?;
        let late = self.held.lock().unwrap().take();
        match late {
            Some(late) => self.local.publish(late).await,
            None => Ok(()),
        }
    }
    fn subscribe(&self, topic: Topic, subscriber: &Subscriber) {
        self.local.subscribe(topic, subscriber);
    }
    fn unsubscribe(&self, topic: &Topic, subscriber: &Subscriber) {
        self.local.unsubscribe(topic, subscriber);
    }
    fn unsubscribe_all(&self, subscriber: &Subscriber) {
        self.local.unsubscribe_all(subscriber);
    }
}

#[tokio::test]
async fn a_message_that_arrives_after_a_later_one_of_its_session_still_reaches_the_socket() {
    let bus = Arc::new(LateFirstMessage::default());
    let store: Arc<dyn ChatStore> = Arc::new(MemoryStore::new());
    let tenant = TenantId::new("acme");
    seed_tenant(&*store, &tenant, "Acme").await;
    let admin = Agent::new("admin", tenant, "Ada").with_role(Role::Admin);
    let service = ChatService::builder(store)
        .notifier(Arc::clone(&bus) as Arc<dyn Notifier>)
        .build();
    let widget = seed_widget(&service, &admin, "W", "shop.example.com").await;
    let api = ChatApi::new(
        service,
        Arc::new(StaticTokens::new([("admin-token", admin)])),
        ApiConfig::default(),
    );
    let widget_id = widget.id.to_string();
    let start = ApiRequest::new(
        "POST",
        &format!("/v1/chat/public/widgets/{widget_id}/sessions"),
    )
    .with_header("origin", "https://shop.example.com")
    .with_json(&json!({"customer_name": "Ann"}));
    let v: Value = serde_json::from_slice(&api.handle(start).await.body).unwrap();
    let session_id = v["session"]["id"].as_str().unwrap().to_owned();
    let token = v["customer_token"].as_str().unwrap();
    let mut customer = SocketClient::connect(
        &api,
        ApiRequest::new(
            "GET",
            &format!("/v1/chat/public/widgets/{widget_id}/ws?token={token}"),
        )
        .with_header("origin", "https://shop.example.com"),
    )
    .await;
    customer.expect("ready").await;
    bus.holding.store(true, Ordering::Release);
    let mut stored = Vec::new();
    for content in ["first", "second"] {
        let send = ApiRequest::new("POST", &format!("/v1/chat/sessions/{session_id}/messages"))
            .with_header("authorization", "Bearer admin-token")
            .with_json(&json!({"content": content, "message_type": "text"}));
        let res = api.handle(send).await;
        assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
        let sent: Value = serde_json::from_slice(&res.body).unwrap();
        stored.push(sent["seq"].as_i64().unwrap());
    }
    let delivered: Vec<i64> = customer
        .barrier()
        .await
        .iter()
        .filter(|frame| frame["type"] == "new_message")
        .map(|frame| frame["message"]["seq"].as_i64().unwrap())
        .collect();
    for seq in stored {
        assert!(
            delivered.contains(&seq),
            "seq {seq} missing from {delivered:?}"
        );
    }
}
