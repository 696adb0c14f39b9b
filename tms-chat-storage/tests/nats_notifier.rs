//! The notifier conformance suite on [`NatsNotifier`], against the NATS server at
//! `TMS_CHAT_NATS_URL` (default `nats://127.0.0.1:4222`). Without a server answering there,
//! every test prints `skipped: …` and passes, unless `TMS_CHAT_REQUIRE_ALL_TESTS` is set (as
//! in CI). Every node of a test is its own client on a subject no other test uses, connected
//! through its own TCP relay, so breaking a node's bus connection is closing its relayed
//! connections (the relay keeps listening, and the client reconnects through it).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use tms_chat_core::notify::conformance::NotifierBus;
use tms_chat_storage::NatsNotifier;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Where NATS listens (`host:port`), or `None` (with the skip line) when nothing answers.
async fn nats_address() -> Option<String> {
    let url = std::env::var("TMS_CHAT_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into());
    let address = url.trim_start_matches("nats://").to_owned();
    if TcpStream::connect(&address).await.is_ok() {
        return Some(address);
    }
    assert!(
        std::env::var_os("TMS_CHAT_REQUIRE_ALL_TESTS").is_none(),
        "TMS_CHAT_REQUIRE_ALL_TESTS is set but NATS does not answer at {url}"
    );
    eprintln!("skipped: NATS does not answer at {url} (NATS notifier tests)");
    None
}

/// A TCP relay to NATS whose connections can be cut.
struct Relay {
    address: String,
    connections: Arc<Mutex<Vec<JoinHandle<()>>>>,
    _accepting: JoinHandle<()>,
}

impl Relay {
    async fn to(upstream: String) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the relay");
        let address = listener.local_addr().expect("relay address").to_string();
        let connections: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let tracked = Arc::clone(&connections);
        let accepting = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let upstream = upstream.clone();
                let relay = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                tracked.lock().expect("relay list").push(relay);
            }
        });
        Relay {
            address,
            connections,
            _accepting: accepting,
        }
    }

    /// Closes every relayed connection, as a network failure would.
    fn cut(&self) -> usize {
        let cut: Vec<_> = self
            .connections
            .lock()
            .expect("relay list")
            .drain(..)
            .collect();
        for connection in &cut {
            connection.abort();
        }
        cut.len()
    }
}

struct NatsBus {
    upstream: String,
    subject: String,
    relays: Mutex<HashMap<String, Arc<Relay>>>,
}

impl NatsBus {
    async fn new() -> Option<NatsBus> {
        let upstream = nats_address().await?;
        Some(NatsBus {
            upstream,
            subject: format!("tms_chat_test.{}", uuid::Uuid::new_v4().simple()),
            relays: Mutex::default(),
        })
    }
}

#[async_trait]
impl NotifierBus for NatsBus {
    type Node = NatsNotifier;

    async fn node(&self) -> Arc<NatsNotifier> {
        let relay = Arc::new(Relay::to(self.upstream.clone()).await);
        let url = format!("nats://{}", relay.address);
        let node = NatsNotifier::connect_on(&url, &self.subject)
            .await
            .expect("connect the notifier");
        self.relays
            .lock()
            .expect("relays")
            .insert(node.node_id().to_owned(), relay);
        Arc::new(node)
    }

    async fn break_connection(&self, node: &NatsNotifier) -> bool {
        let relay = self
            .relays
            .lock()
            .expect("relays")
            .get(node.node_id())
            .cloned();
        let relay = relay.expect("a node of this bus");
        assert_eq!(relay.cut(), 1, "the node has one NATS connection");
        true
    }
}

tms_chat_core::notifier_conformance!(NatsBus::new());

#[tokio::test]
async fn a_node_on_an_unreachable_server_fails_to_start() {
    if nats_address().await.is_none() {
        return;
    }
    let refused = NatsNotifier::connect_on("nats://127.0.0.1:1", "tms_chat_test.unreachable").await;
    assert!(refused.is_err(), "nothing listens on port 1");
}
