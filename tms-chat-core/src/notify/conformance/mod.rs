//! The conformance suite every [`Notifier`] must pass, written once and run against each
//! implementation with [`notifier_conformance!`](crate::notifier_conformance):
//!
//! ```ignore
//! tms_chat_core::notifier_conformance!(async { my_bus::MyBus::connect("…").await });
//! ```
//!
//! The factory expression is evaluated afresh for every test and produces an `Option` of a
//! [`NotifierBus`]: the nodes of one cluster on one bus. `None` skips the test (for example
//! when no database is configured; the factory should print a `skipped: …` line). The macro
//! expands to one `#[tokio::test]` per case, so the calling crate needs `tokio` with the
//! `macros` and `rt-multi-thread` features. Cases are plain `pub async fn`s taking the bus.
//!
//! What the suite holds every notifier to:
//! - topics: a subscriber receives the events of the topics it is on, once per event even
//!   when it is on several of the event's topics, and nothing after unsubscribing;
//! - fan-out: every subscriber of a topic, on every node, receives each event exactly once,
//!   the publishing node's own subscribers included;
//! - order: the events one node publishes arrive on every node in the order it published
//!   them, and an event published in reaction to one that arrived follows it everywhere;
//! - large events (well past PostgreSQL's 8000-byte NOTIFY payload) arrive whole;
//! - a subscriber too slow to drain its queue is marked overflowed, the others get everything;
//! - a bus connection that drops comes back by itself, its node's subscribers are told to
//!   resync, and later events arrive (skipped for a notifier without a bus connection).
//!
//! Sections: `delivery` (topics, fan-out, order, size, slow subscribers), `bus` (the
//! connection dropping), shared builders in `fixtures`.

mod bus;
mod delivery;
mod fixtures;

use std::future::Future;
use std::sync::Arc;

use async_trait::async_trait;

use super::{LocalNotifier, Notifier};

pub use bus::*;
pub use delivery::*;

/// The nodes of one cluster on one bus, as a test sees them.
#[async_trait]
pub trait NotifierBus: Send + Sync + 'static {
    /// The notifier under test.
    type Node: Notifier;
    /// A node on this bus. Each call starts another node of the cluster; a single-process
    /// notifier, whose only bus is its own memory, returns the same instance every time.
    async fn node(&self) -> Arc<Self::Node>;
    /// Breaks `node`'s bus connection from outside, as a network failure or a database
    /// restart would; the notifier must notice and reconnect by itself. Returns `false` when
    /// the notifier has no bus connection to break.
    async fn break_connection(&self, node: &Self::Node) -> bool;
}

/// The in-process [`LocalNotifier`] as a one-node bus.
#[derive(Debug, Default)]
pub struct LocalBus {
    notifier: Arc<LocalNotifier>,
}

#[async_trait]
impl NotifierBus for LocalBus {
    type Node = LocalNotifier;

    async fn node(&self) -> Arc<LocalNotifier> {
        Arc::clone(&self.notifier)
    }

    async fn break_connection(&self, _node: &LocalNotifier) -> bool {
        false
    }
}

/// Expands to one `#[tokio::test]` per conformance case, each running against a fresh bus
/// from `$factory` (an expression evaluating to a future of `Option<impl NotifierBus>`; see
/// the [module docs](self)).
#[macro_export]
macro_rules! notifier_conformance {
    (@cases ($factory:expr) $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                $crate::notify::conformance::run($factory, $crate::notify::conformance::$case)
                    .await;
            }
        )*
    };
    ($factory:expr $(,)?) => {
        $crate::notifier_conformance!(@cases ($factory)
            subscribers_receive_only_the_events_of_their_topics,
            a_subscriber_on_several_topics_of_an_event_receives_it_once,
            unsubscribed_subscribers_receive_nothing_more,
            every_subscriber_on_every_node_receives_each_event_exactly_once,
            events_one_node_publishes_arrive_in_order_on_every_node,
            an_event_published_in_reaction_follows_its_cause_on_every_node,
            events_larger_than_a_notify_payload_arrive_whole,
            a_slow_subscriber_is_marked_overflowed_and_the_others_get_everything,
            after_the_bus_connection_drops_subscribers_resync_and_later_events_arrive,
        );
    };
}

/// Runs one case against the bus `factory` produces (nothing when it produces `None`).
pub async fn run<F, B, C, Fut>(factory: F, case: C)
where
    F: Future<Output = Option<B>>,
    B: NotifierBus,
    C: FnOnce(B) -> Fut,
    Fut: Future<Output = ()>,
{
    if let Some(bus) = factory.await {
        case(bus).await;
    }
}
