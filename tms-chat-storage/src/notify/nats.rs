//! [`NatsNotifier`] (feature `nats`): nodes share chat events through a NATS server, for
//! deployments past what one database's NOTIFY carries. Every node subscribes to one subject
//! (default [`DEFAULT_SUBJECT`]); publishing an event:
//! 1. takes the node's publish lock, so its events leave in the order it published them;
//! 2. delivers it to this node's own subscribers through core's `LocalFanout` (before the
//!    bus, so a socket's own event is queued before its `message_ack`; the node skips the
//!    echo of its own events, so each subscriber gets it exactly once);
//! 3. hands it to the NATS client, tagged with this node's id (the `wire` module's message).
//!
//! Order: NATS delivers one connection's messages on a subject in the order they were
//! published, so one node's events arrive on every node in that node's order; a socket fills
//! any `seq` gap between nodes from the store. Size: an event must fit the server's
//! `max_payload` (1 MiB by default; chat frames are at most 64 KiB).
//!
//! Connection loss: the NATS client reconnects by itself and subscribes again. While it is
//! disconnected [`Notifier::is_connected`] answers `false` (so `GET /readyz` answers `503`),
//! and once it is back every local subscriber is told to resync, so clients resume by `seq`
//! from the database: events published elsewhere meanwhile are not replayed by NATS core.
//! Publishing does not wait for the server: an event a node hands to a client that is
//! disconnected is sent after the reconnect, or lost when the process dies first (its
//! clients' peers see the change when they next resume).

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use async_nats::connection::State;
use async_trait::async_trait;
use futures::StreamExt;
use tms_chat_core::error::{ChatError, ChatResult};
use tms_chat_core::notify::{Envelope, LocalFanout, Notifier, Subscriber, Topic};
use tms_chat_core::store::StoreResult;
use tms_chat_core::StoreError;
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

use super::wire::{Body, BusMessage, Received};

/// The subject every node subscribes to by default.
pub const DEFAULT_SUBJECT: &str = "tms_chat.events";

/// Chat events between nodes through NATS.
pub struct NatsNotifier {
    node_id: String,
    subject: String,
    client: async_nats::Client,
    fanout: Arc<LocalFanout>,
    publishing: Mutex<()>,
    receiver: JoinHandle<()>,
}

impl fmt::Debug for NatsNotifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NatsNotifier")
            .field("node_id", &self.node_id)
            .field("subject", &self.subject)
            .field("connected", &self.is_connected())
            .finish_non_exhaustive()
    }
}

impl NatsNotifier {
    /// Connects to the NATS server at `url` (`nats://host:port`) on [`DEFAULT_SUBJECT`].
    pub async fn connect(url: &str) -> StoreResult<Self> {
        Self::connect_on(url, DEFAULT_SUBJECT).await
    }

    /// Connects on `subject`: nodes of one chat system share it; two chat systems on one
    /// NATS server use two subjects. Subscribed before this returns.
    pub async fn connect_on(url: &str, subject: &str) -> StoreResult<Self> {
        let node_id = uuid::Uuid::new_v4().simple().to_string();
        let fanout = Arc::new(LocalFanout::new());
        let watch = Arc::new(ConnectionWatch::new(Arc::clone(&fanout)));
        let client = async_nats::ConnectOptions::new()
            .name(format!("tms-chat-bus-{node_id}"))
            .event_callback(move |event| {
                let watch = Arc::clone(&watch);
                async move { watch.on_event(event) }
            })
            .connect(url)
            .await
            .map_err(|e| StoreError::backend("connect the notifier to NATS", e))?;
        let subscription = client
            .subscribe(subject.to_owned())
            .await
            .map_err(|e| StoreError::backend("subscribe on NATS", e))?;
        client
            .flush()
            .await
            .map_err(|e| StoreError::backend("subscribe on NATS", e))?;
        let receiver = tokio::spawn(receive(subscription, Arc::clone(&fanout), node_id.clone()));
        Ok(NatsNotifier {
            node_id,
            subject: subject.to_owned(),
            client,
            fanout,
            publishing: Mutex::new(()),
            receiver,
        })
    }

    /// This node's id (in every message it publishes).
    pub fn node_id(&self) -> &str {
        &self.node_id
    }

    /// The in-process fan-out to this node's subscribers.
    pub fn fanout(&self) -> &LocalFanout {
        &self.fanout
    }
}

/// Watches the client's connection events: a reconnect means events may have been missed, so
/// every local subscriber resyncs. The first `Connected` is the initial connection, which
/// missed nothing; the client reports it through a task of its own, so it can arrive after
/// subscribers joined, and must not send them a needless `resync_required`.
struct ConnectionWatch {
    fanout: Arc<LocalFanout>,
    connected_before: AtomicBool,
}

impl ConnectionWatch {
    fn new(fanout: Arc<LocalFanout>) -> Self {
        ConnectionWatch {
            fanout,
            connected_before: AtomicBool::new(false),
        }
    }

    fn on_event(&self, event: async_nats::Event) {
        match event {
            async_nats::Event::Connected => {
                if self.connected_before.swap(true, Ordering::AcqRel) {
                    tracing::info!("NATS connection back; local subscribers told to resync");
                    self.fanout.request_resync_all();
                }
            }
            async_nats::Event::Disconnected => {
                tracing::warn!("NATS connection lost; reconnecting")
            }
            other => tracing::debug!(event = %other, "NATS connection event"),
        }
    }
}

/// Delivers what other nodes publish, until the notifier is dropped.
async fn receive(
    mut subscription: async_nats::Subscriber,
    fanout: Arc<LocalFanout>,
    node_id: String,
) {
    while let Some(message) = subscription.next().await {
        match serde_json::from_slice::<Received>(&message.payload) {
            Ok(received) if received.node == node_id => {}
            Ok(BusMessage {
                body: Body::Event(envelope),
                ..
            }) => fanout.deliver(Arc::new(envelope)),
            Ok(_) | Err(_) => {
                tracing::warn!("unreadable NATS bus message; local subscribers resync");
                fanout.request_resync_all();
            }
        }
    }
}

impl Drop for NatsNotifier {
    fn drop(&mut self) {
        self.receiver.abort();
    }
}

#[async_trait]
impl Notifier for NatsNotifier {
    async fn publish(&self, envelope: Envelope) -> ChatResult<()> {
        let envelope = Arc::new(envelope);
        let message = BusMessage::<&str, &Envelope> {
            node: &self.node_id,
            body: Body::Event(&*envelope),
        };
        let payload = serde_json::to_vec(&message).map_err(|e| ChatError::Internal(Box::new(e)))?;
        let _in_order = self.publishing.lock().await;
        self.fanout.deliver(Arc::clone(&envelope));
        self.client
            .publish(self.subject.clone(), payload.into())
            .await
            .map_err(|e| ChatError::Internal(Box::new(StoreError::backend("publish on NATS", e))))
    }

    fn subscribe(&self, topic: Topic, subscriber: &Subscriber) {
        self.fanout.subscribe(topic, subscriber);
    }

    fn unsubscribe(&self, topic: &Topic, subscriber: &Subscriber) {
        self.fanout.unsubscribe(topic, subscriber);
    }

    fn unsubscribe_all(&self, subscriber: &Subscriber) {
        self.fanout.unsubscribe_all(subscriber);
    }

    fn is_connected(&self) -> bool {
        self.client.connection_state() == State::Connected
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tms_chat_core::ids::TenantId;

    #[test]
    fn only_a_reconnect_asks_subscribers_to_resync() {
        let fanout = Arc::new(LocalFanout::new());
        let watch = ConnectionWatch::new(Arc::clone(&fanout));
        let (subscriber, _events) = Subscriber::channel(4);
        fanout.subscribe(Topic::Tenant(TenantId::new("t")), &subscriber);
        watch.on_event(async_nats::Event::Connected);
        assert!(
            !subscriber.has_overflowed(),
            "the initial connection missed nothing"
        );
        watch.on_event(async_nats::Event::Disconnected);
        assert!(
            !subscriber.has_overflowed(),
            "nothing is known lost until the reconnect"
        );
        watch.on_event(async_nats::Event::Connected);
        assert!(
            subscriber.has_overflowed(),
            "a reconnect may have missed events"
        );
    }
}
