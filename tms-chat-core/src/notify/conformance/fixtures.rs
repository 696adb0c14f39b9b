//! What every section of the notifier conformance suite builds on: a session of a fresh
//! tenant whose events are numbered messages, and receiving with a deadline (an event that
//! does not come fails the test instead of hanging it).

use std::sync::Arc;
use std::time::Duration;

use crate::notify::EventReceiver;
use chrono::Utc;

use crate::domain::{Message, MessageKind, SenderType};
use crate::ids::{MessageId, SessionId, TenantId};
use crate::notify::{Audience, ChatEvent, Envelope, Notifier, Topic};

/// How long an expected event may take to arrive (across a database, on a loaded machine).
pub(super) const ARRIVAL: Duration = Duration::from_secs(10);

/// The sequence number that marks the end of a test's events (see [`Scene::until_marker`]).
pub(super) const MARKER: i64 = i64::MAX;

/// One session of a tenant no other test uses.
pub(super) struct Scene {
    pub(super) tenant: TenantId,
    pub(super) session: SessionId,
}

impl Scene {
    pub(super) fn new() -> Self {
        Scene {
            tenant: TenantId::new(format!("t-{}", uuid::Uuid::new_v4().simple())),
            session: SessionId::generate(),
        }
    }

    /// The session's topic.
    pub(super) fn topic(&self) -> Topic {
        Topic::Session(self.session.clone())
    }

    /// The tenant's topic.
    pub(super) fn tenant_topic(&self) -> Topic {
        Topic::Tenant(self.tenant.clone())
    }

    /// Message number `seq` of the session, to the session's topic.
    pub(super) fn message(&self, seq: i64) -> Envelope {
        self.message_with(seq, format!("message {seq}"), vec![self.topic()])
    }

    /// Message number `seq` with `content`, to `topics`.
    pub(super) fn message_with(&self, seq: i64, content: String, topics: Vec<Topic>) -> Envelope {
        let message = Message {
            id: MessageId::generate(),
            tenant_id: self.tenant.clone(),
            session_id: self.session.clone(),
            seq,
            sender_type: SenderType::Customer,
            sender_agent_id: None,
            kind: MessageKind::Text,
            content,
            attachment: None,
            system_event: None,
            client_message_id: None,
            created_at: Utc::now(),
        };
        Envelope::new(
            self.tenant.clone(),
            None,
            Some(self.session.clone()),
            Audience::Everyone,
            topics,
            ChatEvent::NewMessage { message },
        )
    }

    /// Publishes messages `seqs` from `node`, one after the other.
    pub(super) async fn publish<N: Notifier>(&self, node: &N, seqs: impl IntoIterator<Item = i64>) {
        for seq in seqs {
            node.publish(self.message(seq)).await.expect("publish");
        }
    }

    /// Publishes the marker from `node` and returns the sequence numbers `rx` received before
    /// it. Events one node publishes arrive in order, so this proves nothing else arrived
    /// from that node before the marker.
    pub(super) async fn until_marker<N: Notifier>(
        &self,
        node: &N,
        receivers: &mut [&mut EventReceiver],
    ) -> Vec<Vec<i64>> {
        node.publish(self.message(MARKER))
            .await
            .expect("publish the marker");
        let mut all = Vec::new();
        for rx in receivers.iter_mut() {
            let mut got = Vec::new();
            loop {
                match seq_of(&next(rx).await) {
                    MARKER => break,
                    seq => got.push(seq),
                }
            }
            all.push(got);
        }
        all
    }
}

/// The next event of `rx`; fails the test when none comes within [`ARRIVAL`].
pub(super) async fn next(rx: &mut EventReceiver) -> Arc<Envelope> {
    match tokio::time::timeout(ARRIVAL, rx.recv()).await {
        Ok(Some(envelope)) => envelope,
        Ok(None) => panic!("the subscriber's queue closed"),
        Err(_) => panic!("no event arrived within {ARRIVAL:?}"),
    }
}

/// The sequence number of a message event.
pub(super) fn seq_of(envelope: &Arc<Envelope>) -> i64 {
    match &envelope.event {
        ChatEvent::NewMessage { message } => message.seq,
        other => panic!("expected a message event, got {other:?}"),
    }
}

/// Waits until `condition` holds, failing the test after [`ARRIVAL`].
pub(super) async fn eventually(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + ARRIVAL;
    while !condition() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: not within {ARRIVAL:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
