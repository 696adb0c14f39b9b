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
mod subscriber;

pub use event::{Audience, ChatEvent, EncodedMessage, Envelope, Revoked, Topic};
pub use local::{LocalFanout, LocalNotifier};
pub use subscriber::{Empty, EventReceiver, Subscriber, Wake};

use crate::error::ChatResult;
use async_trait::async_trait;

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

/// A typing event of session `s` in tenant `t`, to `topics`: what the fan-out tests deliver.
#[cfg(test)]
fn typing(topics: Vec<Topic>) -> Envelope {
    Envelope::new(
        crate::ids::TenantId::new("t"),
        None,
        Some(crate::ids::SessionId::new("s")),
        Audience::Everyone,
        topics,
        ChatEvent::TypingIndicator {
            session_id: crate::ids::SessionId::new("s"),
            sender_type: crate::domain::SenderType::Customer,
            agent_id: None,
            is_typing: true,
            preview: None,
        },
    )
}
