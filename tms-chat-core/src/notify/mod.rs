//! Event fan-out. Every state change of the chat service becomes a [`ChatEvent`] wrapped in an
//! [`Envelope`] that names the [`Topic`]s it goes to; a [`Notifier`] delivers it to every
//! [`Subscriber`] of those topics: [`LocalNotifier`] on this process only, a distributed
//! notifier (`PgNotifier` in `tms-chat-storage`, over PostgreSQL LISTEN/NOTIFY) on every node
//! that shares its bus.
//!
//! - The service publishes an event only after the store call that made the change returned,
//!   that is after the change was committed (see `service/publish.rs`); a failed publish is
//!   logged, never returned, because the change already happened.
//! - Events are plain serialisable data so a notifier can carry them between nodes. On each
//!   node, delivery into subscribers is [`LocalFanout`], shared by every notifier.
//! - Delivery into each subscriber is a bounded queue: when it is full the event is dropped
//!   for that subscriber only and the subscriber is marked overflowed (memory never grows);
//!   its connection then sends `resync_required` and the client resumes each session by
//!   `seq` from the store, which stays the source of truth.
//! - A notifier that lost events it cannot replay (a bus connection that dropped) marks every
//!   local subscriber the same way ([`LocalFanout::request_resync_all`]), and answers
//!   [`Notifier::is_connected`] `false` until it is back.
//!
//! The shared conformance suite every notifier passes is `notify::conformance` (behind the
//! `test-utils` feature).

#[cfg(any(test, feature = "test-utils"))]
pub mod conformance;
mod event;
mod local;

pub use event::{Audience, ChatEvent, EncodedMessage, Envelope, Revoked, Topic};
pub use local::{LocalFanout, LocalNotifier};

use async_trait::async_trait;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::{mpsc, Notify};

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
    /// Whether this node currently receives the events other nodes publish. A single-node
    /// notifier always does; a distributed one answers `false` while its bus connection is
    /// down (`GET /readyz` then answers `503`).
    fn is_connected(&self) -> bool {
        true
    }
}

static NEXT_SUBSCRIBER_ID: AtomicU64 = AtomicU64::new(1);

/// One receiving end (a WebSocket connection): a bounded queue fed by all its topics.
#[derive(Clone, Debug)]
pub struct Subscriber {
    id: u64,
    tx: mpsc::Sender<Arc<Envelope>>,
    /// Shared with every topic the subscriber is on (one allocation per subscriber).
    signals: Arc<Signals>,
}

/// A subscriber's two flags: events were lost, and a resync was asked for.
#[derive(Debug, Default)]
struct Signals {
    overflowed: AtomicBool,
    resync: Notify,
}

impl Subscriber {
    /// A subscriber with a queue of `capacity` events, and the receiving end.
    pub fn channel(capacity: usize) -> (Subscriber, mpsc::Receiver<Arc<Envelope>>) {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        (
            Subscriber {
                id: NEXT_SUBSCRIBER_ID.fetch_add(1, Ordering::Relaxed),
                tx,
                signals: Arc::new(Signals::default()),
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
        self.signals.overflowed.load(Ordering::Acquire)
    }

    /// Marks this subscriber as having missed events (like an overflow) and wakes its
    /// connection, which then tells its client to resume. Used by a notifier that lost events
    /// it cannot replay, such as a distributed notifier whose bus connection dropped.
    pub fn request_resync(&self) {
        self.signals.overflowed.store(true, Ordering::Release);
        self.signals.resync.notify_one();
    }

    /// Completes once [`request_resync`](Self::request_resync) was called (at once if it was
    /// called since the last wait). The connection loop waits on it beside its queue.
    pub async fn resync_requested(&self) {
        self.signals.resync.notified().await;
    }

    /// Clears the overflow mark after the client was told.
    pub fn clear_overflow(&self) {
        self.signals.overflowed.store(false, Ordering::Release);
    }

    /// Clears the overflow mark and answers whether it was set, in one step: an event dropped
    /// while the connection reads the mark sets it again instead of being cleared unseen
    /// (reading with [`has_overflowed`](Self::has_overflowed), then clearing, loses a drop
    /// that falls between the two when the publisher runs on another thread).
    pub fn take_overflow(&self) -> bool {
        self.signals.overflowed.swap(false, Ordering::AcqRel)
    }

    /// Offers an event without waiting. Returns `false` when the receiver is gone.
    pub fn offer(&self, envelope: &Arc<Envelope>) -> bool {
        match self.tx.try_send(Arc::clone(envelope)) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.signals.overflowed.store(true, Ordering::Release);
                true
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }
}
