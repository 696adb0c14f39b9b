//! Event fan-out. Every state change of the chat service becomes a [`ChatEvent`] wrapped in an
//! [`Envelope`] that names the [`Topic`]s it goes to; a [`Notifier`] delivers it to every
//! [`Subscriber`] of those topics, on this node and (for distributed notifiers) on others.
//!
//! Events are plain serialisable data so a notifier can carry them between nodes (the
//! PostgreSQL LISTEN/NOTIFY notifier in `tms-chat-storage`). Delivery into each subscriber is
//! a bounded queue: a subscriber too slow to drain it is marked overflowed and dropped from
//! delivery rather than growing memory; the connection then tells its client to resume.

mod event;
mod local;

pub use event::{Audience, ChatEvent, Envelope, Topic};
pub use local::{LocalFanout, LocalNotifier};

use async_trait::async_trait;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc;

use crate::error::ChatResult;

/// Publishes events and manages subscriptions.
#[async_trait]
pub trait Notifier: Send + Sync + 'static {
    /// Delivers `envelope` to every subscriber of its topics (on every node).
    async fn publish(&self, envelope: Envelope) -> ChatResult<()>;
    /// Adds `subscriber` to `topic`. Subscribing twice to the same topic is a no-op.
    fn subscribe(&self, topic: Topic, subscriber: &Subscriber);
    /// Removes `subscriber` from `topic`.
    fn unsubscribe(&self, topic: &Topic, subscriber: &Subscriber);
    /// Removes `subscriber` from every topic (on disconnect).
    fn unsubscribe_all(&self, subscriber: &Subscriber);
}

static NEXT_SUBSCRIBER_ID: AtomicU64 = AtomicU64::new(1);

/// One receiving end (a WebSocket connection): a bounded queue fed by all its topics.
#[derive(Clone, Debug)]
pub struct Subscriber {
    id: u64,
    tx: mpsc::Sender<Arc<Envelope>>,
    overflowed: Arc<AtomicBool>,
}

impl Subscriber {
    /// A subscriber with a queue of `capacity` events, and the receiving end.
    pub fn channel(capacity: usize) -> (Subscriber, mpsc::Receiver<Arc<Envelope>>) {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        (
            Subscriber {
                id: NEXT_SUBSCRIBER_ID.fetch_add(1, Ordering::Relaxed),
                tx,
                overflowed: Arc::new(AtomicBool::new(false)),
            },
            rx,
        )
    }

    /// Unique id of this subscriber in the process.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Whether an event was dropped because the queue was full; the connection should then
    /// ask its client to resume from its last sequence number.
    pub fn has_overflowed(&self) -> bool {
        self.overflowed.load(Ordering::Acquire)
    }

    /// Clears the overflow mark after the client was told.
    pub fn clear_overflow(&self) {
        self.overflowed.store(false, Ordering::Release);
    }

    /// Offers an event without waiting. Returns `false` when the receiver is gone.
    pub fn offer(&self, envelope: &Arc<Envelope>) -> bool {
        match self.tx.try_send(Arc::clone(envelope)) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.overflowed.store(true, Ordering::Release);
                true
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }
}
