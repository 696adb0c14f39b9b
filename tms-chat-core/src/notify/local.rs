//! In-process fan-out: a registry from topic to subscribers, and [`LocalNotifier`], the
//! single-node notifier built on it. Distributed notifiers reuse [`LocalFanout`] for delivery
//! on each node and only add the transport between nodes.

use super::{Envelope, Notifier, Subscriber, Topic};
use crate::error::ChatResult;
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// Topic → subscribers, plus each subscriber's topics so a disconnect cleans up in one call.
#[derive(Default, Debug)]
pub struct LocalFanout {
    inner: RwLock<Registry>,
}

#[derive(Default, Debug)]
struct Registry {
    by_topic: HashMap<Topic, Vec<Subscriber>>,
    by_subscriber: HashMap<u64, Vec<Topic>>,
}

impl LocalFanout {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Delivers `envelope` to the subscribers of its topics. A subscriber on several of the
    /// envelope's topics receives it once. Subscribers whose receiver is gone are removed.
    pub fn deliver(&self, envelope: Arc<Envelope>) {
        let mut dead: Vec<u64> = Vec::new();
        {
            let registry = self.inner.read().unwrap_or_else(|e| e.into_inner());
            let mut seen: Vec<u64> = Vec::new();
            for topic in &envelope.topics {
                let Some(subscribers) = registry.by_topic.get(topic) else {
                    continue;
                };
                for subscriber in subscribers {
                    if envelope.topics.len() > 1 {
                        if seen.contains(&subscriber.id()) {
                            continue;
                        }
                        seen.push(subscriber.id());
                    }
                    if !subscriber.offer(&envelope) {
                        dead.push(subscriber.id());
                    }
                }
            }
        }
        for id in dead {
            self.remove_subscriber(id);
        }
    }

    /// Adds `subscriber` to `topic` (idempotent).
    pub fn subscribe(&self, topic: Topic, subscriber: &Subscriber) {
        let mut registry = self.inner.write().unwrap_or_else(|e| e.into_inner());
        let list = registry.by_topic.entry(topic.clone()).or_default();
        if list.iter().any(|s| s.id() == subscriber.id()) {
            return;
        }
        list.push(subscriber.clone());
        registry
            .by_subscriber
            .entry(subscriber.id())
            .or_default()
            .push(topic);
    }

    /// Removes `subscriber` from `topic`.
    pub fn unsubscribe(&self, topic: &Topic, subscriber: &Subscriber) {
        let mut registry = self.inner.write().unwrap_or_else(|e| e.into_inner());
        if let Some(list) = registry.by_topic.get_mut(topic) {
            list.retain(|s| s.id() != subscriber.id());
            if list.is_empty() {
                registry.by_topic.remove(topic);
            }
        }
        if let Some(topics) = registry.by_subscriber.get_mut(&subscriber.id()) {
            topics.retain(|t| t != topic);
        }
    }

    /// Removes `subscriber` from every topic.
    pub fn unsubscribe_all(&self, subscriber: &Subscriber) {
        self.remove_subscriber(subscriber.id());
    }

    /// Tells every subscriber, on any topic, that it missed events: each is marked overflowed
    /// and woken, so its connection sends `resync_required` and the client resumes by `seq`.
    /// A distributed notifier calls this after its bus connection came back.
    pub fn request_resync_all(&self) {
        let registry = self.inner.read().unwrap_or_else(|e| e.into_inner());
        let mut seen: Vec<u64> = Vec::new();
        for subscriber in registry.by_topic.values().flatten() {
            if !seen.contains(&subscriber.id()) {
                seen.push(subscriber.id());
                subscriber.request_resync();
            }
        }
    }

    /// How many topics have at least one subscriber (for metrics and tests).
    pub fn topic_count(&self) -> usize {
        self.inner
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .by_topic
            .len()
    }

    fn remove_subscriber(&self, id: u64) {
        let mut registry = self.inner.write().unwrap_or_else(|e| e.into_inner());
        let Some(topics) = registry.by_subscriber.remove(&id) else {
            return;
        };
        for topic in topics {
            if let Some(list) = registry.by_topic.get_mut(&topic) {
                list.retain(|s| s.id() != id);
                if list.is_empty() {
                    registry.by_topic.remove(&topic);
                }
            }
        }
    }
}

/// The single-node notifier: publishing delivers straight into the local registry.
#[derive(Default, Debug)]
pub struct LocalNotifier {
    fanout: LocalFanout,
}

impl LocalNotifier {
    /// A notifier with no subscribers.
    pub fn new() -> Self {
        Self::default()
    }

    /// The registry (for metrics and tests).
    pub fn fanout(&self) -> &LocalFanout {
        &self.fanout
    }
}

#[async_trait]
impl Notifier for LocalNotifier {
    async fn publish(&self, envelope: Envelope) -> ChatResult<()> {
        self.fanout.deliver(Arc::new(envelope));
        Ok(())
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{SessionId, TenantId};
    use crate::notify::{typing, Wake};

    #[tokio::test]
    async fn subscriber_receives_events_of_its_topics_only() {
        let n = LocalNotifier::new();
        let (a, mut rx_a) = Subscriber::channel(8);
        let (b, mut rx_b) = Subscriber::channel(8);
        n.subscribe(Topic::Session(SessionId::new("s")), &a);
        n.subscribe(Topic::Session(SessionId::new("other")), &b);
        n.publish(typing(vec![Topic::Session(SessionId::new("s"))]))
            .await
            .unwrap();
        assert!(rx_a.try_recv().is_ok());
        assert!(rx_b.try_recv().is_err());
    }

    #[tokio::test]
    async fn subscriber_on_two_topics_of_one_event_gets_it_once() {
        let n = LocalNotifier::new();
        let (a, mut rx) = Subscriber::channel(8);
        let t1 = Topic::Session(SessionId::new("s"));
        let t2 = Topic::Tenant(TenantId::new("t"));
        n.subscribe(t1.clone(), &a);
        n.subscribe(t2.clone(), &a);
        n.publish(typing(vec![t1, t2])).await.unwrap();
        assert!(rx.try_recv().is_ok());
        assert!(rx.try_recv().is_err());
    }

    #[tokio::test]
    async fn full_queue_marks_overflow_instead_of_growing() {
        let n = LocalNotifier::new();
        let (a, mut rx) = Subscriber::channel(2);
        let t = Topic::Session(SessionId::new("s"));
        n.subscribe(t.clone(), &a);
        for _ in 0..5 {
            n.publish(typing(vec![t.clone()])).await.unwrap();
        }
        assert!(a.has_overflowed());
        assert!(a.take_overflow(), "taken once");
        assert!(!a.take_overflow() && !a.has_overflowed(), "and cleared");
        let mut got = 0;
        while rx.try_recv().is_ok() {
            got += 1;
        }
        assert_eq!(got, 2);
    }

    #[tokio::test]
    async fn resync_request_marks_and_wakes_every_subscriber_once() {
        let fanout = LocalFanout::new();
        let (a, _rx_a) = Subscriber::channel(2);
        let (b, mut rx_b) = Subscriber::channel(2);
        let (idle, _rx_idle) = Subscriber::channel(2);
        fanout.subscribe(Topic::Session(SessionId::new("s")), &a);
        fanout.subscribe(Topic::Tenant(TenantId::new("t")), &a);
        fanout.subscribe(Topic::Tenant(TenantId::new("t")), &b);
        fanout.request_resync_all();
        assert!(a.has_overflowed() && b.has_overflowed());
        assert!(
            !idle.has_overflowed(),
            "a subscriber on no topic is not this fan-out's"
        );
        let wake = tokio::time::timeout(std::time::Duration::from_secs(1), rx_b.next_wake())
            .await
            .expect("the subscriber is woken");
        assert!(matches!(wake, Wake::Resync), "{wake:?}");
    }

    #[tokio::test]
    async fn dropped_receivers_and_unsubscribe_all_clean_the_registry() {
        let n = LocalNotifier::new();
        let (a, rx) = Subscriber::channel(2);
        let (b, _rx_b) = Subscriber::channel(2);
        let t = Topic::Session(SessionId::new("s"));
        n.subscribe(t.clone(), &a);
        n.subscribe(Topic::Tenant(TenantId::new("t")), &b);
        drop(rx);
        n.publish(typing(vec![t])).await.unwrap();
        assert_eq!(n.fanout().topic_count(), 1);
        n.unsubscribe_all(&b);
        assert_eq!(n.fanout().topic_count(), 0);
    }
}
