//! The notifier conformance suite on [`PgNotifier`]: every node of a test is its own
//! notifier (its own connections and node id) on one channel no other test uses, against
//! `TMS_CHAT_TEST_POSTGRES_URL` or `DATABASE_URL` (skipped without, unless
//! `TMS_CHAT_REQUIRE_ALL_TESTS` is set). Breaking a node's bus connection terminates its
//! LISTEN backend, found by the notifier's `application_name`, so parallel tests are not
//! disturbed.

mod support;

use std::sync::Arc;

use async_trait::async_trait;
use sqlx::Row;
use support::database_url;
use tms_chat_core::notify::conformance::NotifierBus;
use tms_chat_storage::{PgNotifier, PgNotifierOptions};

struct PgBus {
    url: String,
    channel: String,
}

impl PgBus {
    async fn new() -> Option<PgBus> {
        let url = database_url()?;
        let channel = format!("tms_chat_test_{}", uuid::Uuid::new_v4().simple());
        Some(PgBus { url, channel })
    }
}

#[async_trait]
impl NotifierBus for PgBus {
    type Node = PgNotifier;

    async fn node(&self) -> Arc<PgNotifier> {
        let options = PgNotifierOptions::on_channel(self.channel.clone());
        let node = PgNotifier::connect_with(&self.url, options)
            .await
            .expect("connect the notifier");
        Arc::new(node)
    }

    async fn break_connection(&self, node: &PgNotifier) -> bool {
        let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(&self.url)
            .await
            .expect("connect to terminate");
        let killed: i64 = sqlx::query(
            "SELECT COUNT(pg_terminate_backend(pid)) AS killed FROM pg_stat_activity \
             WHERE application_name = $1 AND query LIKE 'LISTEN%'",
        )
        .bind(node.application_name())
        .fetch_one(&mut admin)
        .await
        .expect("terminate the LISTEN backend")
        .get("killed");
        assert_eq!(killed, 1, "the node has one LISTEN connection");
        true
    }
}

tms_chat_core::notifier_conformance!(PgBus::new());

#[tokio::test]
async fn a_channel_name_that_is_not_a_plain_identifier_is_refused() {
    let Some(url) = database_url() else { return };
    for channel in ["", "has space", "quote\"d", &"x".repeat(64)] {
        let refused = PgNotifier::connect_with(&url, PgNotifierOptions::on_channel(channel)).await;
        assert!(refused.is_err(), "channel {channel:?} must be refused");
    }
}

#[tokio::test]
async fn a_large_event_is_stored_in_a_row_and_expired_rows_are_deleted() {
    let Some(bus) = PgBus::new().await else {
        return;
    };
    let node = bus.node().await;
    let pool = sqlx::PgPool::connect(&bus.url).await.expect("connect");
    let expired: i64 = sqlx::query(
        "INSERT INTO tms_chat_bus_events (payload, created_at) \
         VALUES ('{}', now() - interval '1 hour') RETURNING id",
    )
    .fetch_one(&pool)
    .await
    .expect("insert an expired row")
    .get("id");
    let envelope = large_message_envelope();
    tms_chat_core::notify::Notifier::publish(&*node, envelope)
        .await
        .expect("publish");
    // Publishing queues the NOTIFY; the node's announcer sends it (and cleans up) at once.
    let mut rows: Vec<i64> = Vec::new();
    for _ in 0..100 {
        rows = sqlx::query("SELECT id FROM tms_chat_bus_events WHERE id >= $1 ORDER BY id")
            .bind(expired)
            .fetch_all(&pool)
            .await
            .expect("rows")
            .iter()
            .map(|row| row.get("id"))
            .collect();
        if !rows.contains(&expired) && !rows.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(!rows.contains(&expired), "the expired row is deleted");
    assert!(!rows.is_empty(), "the large event went through a row");
}

/// A message event well over 8000 bytes.
fn large_message_envelope() -> tms_chat_core::notify::Envelope {
    use tms_chat_core::domain::{Message, MessageKind, SenderType};
    use tms_chat_core::ids::{MessageId, SessionId, TenantId};
    use tms_chat_core::notify::{Audience, ChatEvent, Envelope, Topic};
    let tenant = TenantId::new(format!("t-{}", uuid::Uuid::new_v4().simple()));
    let session = SessionId::generate();
    let message = Message {
        id: MessageId::generate(),
        tenant_id: tenant.clone(),
        session_id: session.clone(),
        seq: 1,
        sender_type: SenderType::Customer,
        sender_agent_id: None,
        kind: MessageKind::Text,
        content: "z".repeat(20_000),
        attachment: None,
        system_event: None,
        client_message_id: None,
        created_at: chrono::Utc::now(),
    };
    Envelope::new(
        tenant,
        None,
        Some(session.clone()),
        Audience::Everyone,
        vec![Topic::Session(session)],
        ChatEvent::NewMessage { message },
    )
}
