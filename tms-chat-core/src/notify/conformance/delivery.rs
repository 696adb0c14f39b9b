//! Delivery on a healthy bus: topics, fan-out across nodes, order, large events and slow
//! subscribers.

use super::fixtures::{eventually, next, seq_of, Scene};
use super::NotifierBus;
use crate::notify::{ChatEvent, Notifier, Subscriber};

/// A subscriber receives the events of its topics and none of another topic's.
pub async fn subscribers_receive_only_the_events_of_their_topics<B: NotifierBus>(bus: B) {
    let (a, b) = (bus.node().await, bus.node().await);
    let (ours, other) = (Scene::new(), Scene::new());
    let (listening, mut rx) = Subscriber::channel(16);
    let (elsewhere, mut rx_elsewhere) = Subscriber::channel(16);
    b.subscribe(ours.topic(), &listening);
    b.subscribe(other.topic(), &elsewhere);
    ours.publish(&*a, 1..=2).await;
    let got = ours.until_marker(&*a, &mut [&mut rx]).await;
    assert_eq!(got, vec![vec![1, 2]]);
    other.until_marker(&*a, &mut [&mut rx_elsewhere]).await;
    assert!(rx.try_recv().is_err(), "another session's events stay out");
}

/// An event sent to several topics reaches a subscriber on more than one of them once.
pub async fn a_subscriber_on_several_topics_of_an_event_receives_it_once<B: NotifierBus>(bus: B) {
    let (a, b) = (bus.node().await, bus.node().await);
    let scene = Scene::new();
    let (console, mut rx) = Subscriber::channel(16);
    b.subscribe(scene.topic(), &console);
    b.subscribe(scene.tenant_topic(), &console);
    let both = vec![scene.topic(), scene.tenant_topic()];
    a.publish(scene.message_with(1, "to both".into(), both))
        .await
        .expect("publish");
    assert_eq!(scene.until_marker(&*a, &mut [&mut rx]).await, vec![vec![1]]);
}

/// After `unsubscribe` a topic's events stop; after `unsubscribe_all` every topic's do.
pub async fn unsubscribed_subscribers_receive_nothing_more<B: NotifierBus>(bus: B) {
    let (a, b) = (bus.node().await, bus.node().await);
    let scene = Scene::new();
    let (left, mut rx_left) = Subscriber::channel(16);
    let (gone, mut rx_gone) = Subscriber::channel(16);
    let (witness, mut rx_witness) = Subscriber::channel(16);
    for subscriber in [&left, &gone, &witness] {
        b.subscribe(scene.topic(), subscriber);
    }
    b.subscribe(scene.tenant_topic(), &gone);
    b.unsubscribe(&scene.topic(), &left);
    b.unsubscribe_all(&gone);
    let to_both = vec![scene.topic(), scene.tenant_topic()];
    a.publish(scene.message_with(1, "after".into(), to_both))
        .await
        .expect("publish");
    let got = scene.until_marker(&*a, &mut [&mut rx_witness]).await;
    assert_eq!(got, vec![vec![1]]);
    assert!(rx_left.try_recv().is_err(), "unsubscribed from the topic");
    assert!(rx_gone.try_recv().is_err(), "unsubscribed from everything");
}

/// Subscribers on the publishing node and on another node each receive every event once:
/// the publisher's own subscribers are not served twice (locally and by the bus's echo).
pub async fn every_subscriber_on_every_node_receives_each_event_exactly_once<B: NotifierBus>(
    bus: B,
) {
    let (a, b) = (bus.node().await, bus.node().await);
    let scene = Scene::new();
    let mut receivers = Vec::new();
    for node in [&a, &a, &b, &b] {
        let (subscriber, rx) = Subscriber::channel(64);
        node.subscribe(scene.topic(), &subscriber);
        receivers.push((subscriber, rx));
    }
    scene.publish(&*a, 1..=5).await;
    scene.publish(&*b, 6..=8).await;
    let mut rxs: Vec<_> = receivers.iter_mut().map(|(_, rx)| rx).collect();
    let from_a = scene.until_marker(&*a, &mut rxs[..]).await;
    let from_b = scene.until_marker(&*b, &mut rxs[..]).await;
    for (seen_first, seen_then) in from_a.iter().zip(&from_b) {
        let mut seen: Vec<i64> = seen_first.iter().chain(seen_then).copied().collect();
        seen.sort_unstable();
        assert_eq!(seen, (1..=8).collect::<Vec<_>>(), "each event once");
    }
}

/// One node's events arrive on every node in the order it published them.
pub async fn events_one_node_publishes_arrive_in_order_on_every_node<B: NotifierBus>(bus: B) {
    let (a, b) = (bus.node().await, bus.node().await);
    let scene = Scene::new();
    let (here, mut rx_here) = Subscriber::channel(256);
    let (there, mut rx_there) = Subscriber::channel(256);
    a.subscribe(scene.topic(), &here);
    b.subscribe(scene.topic(), &there);
    scene.publish(&*a, 1..=200).await;
    let got = scene
        .until_marker(&*a, &mut [&mut rx_here, &mut rx_there])
        .await;
    let published: Vec<i64> = (1..=200).collect();
    assert_eq!(got, vec![published.clone(), published]);
}

/// A node that publishes after an event arrived (an agent answering a customer) is seen
/// after that event on every node, the first publisher's included.
pub async fn an_event_published_in_reaction_follows_its_cause_on_every_node<B: NotifierBus>(
    bus: B,
) {
    let (a, b) = (bus.node().await, bus.node().await);
    let scene = Scene::new();
    let (customer, mut rx_customer) = Subscriber::channel(64);
    let (agent, mut rx_agent) = Subscriber::channel(64);
    a.subscribe(scene.topic(), &customer);
    b.subscribe(scene.topic(), &agent);
    for round in 0..10 {
        let (question, answer) = (2 * round + 1, 2 * round + 2);
        scene.publish(&*a, [question]).await;
        assert_eq!(seq_of(&next(&mut rx_agent).await), question);
        scene.publish(&*b, [answer]).await;
        assert_eq!(seq_of(&next(&mut rx_agent).await), answer);
        assert_eq!(seq_of(&next(&mut rx_customer).await), question);
        assert_eq!(seq_of(&next(&mut rx_customer).await), answer);
    }
}

/// Events far larger than an 8000-byte NOTIFY payload, and ones just past it in bytes but
/// not in characters, arrive whole and in order with small ones.
pub async fn events_larger_than_a_notify_payload_arrive_whole<B: NotifierBus>(bus: B) {
    let (a, b) = (bus.node().await, bus.node().await);
    let scene = Scene::new();
    let (there, mut rx) = Subscriber::channel(16);
    b.subscribe(scene.topic(), &there);
    let contents = [
        "x".repeat(100_000),
        "small".to_owned(),
        "é".repeat(4_100),
        "y".repeat(7_990),
    ];
    for (seq, content) in (1..).zip(&contents) {
        let envelope = scene.message_with(seq, content.clone(), vec![scene.topic()]);
        a.publish(envelope).await.expect("publish");
    }
    for (seq, content) in (1..).zip(&contents) {
        let envelope = next(&mut rx).await;
        let ChatEvent::NewMessage { message } = &envelope.event else {
            panic!("expected a message, got {:?}", envelope.event);
        };
        assert_eq!((message.seq, &message.content), (seq, content));
        assert_eq!(envelope.topics, vec![scene.topic()]);
        assert_eq!(envelope.tenant_id, scene.tenant);
    }
}

/// A subscriber whose queue is full is marked overflowed instead of growing or blocking; a
/// subscriber beside it on the same topic receives every event.
pub async fn a_slow_subscriber_is_marked_overflowed_and_the_others_get_everything<
    B: NotifierBus,
>(
    bus: B,
) {
    let (a, b) = (bus.node().await, bus.node().await);
    let scene = Scene::new();
    let (slow, mut rx_slow) = Subscriber::channel(2);
    let (fast, mut rx_fast) = Subscriber::channel(64);
    b.subscribe(scene.topic(), &slow);
    b.subscribe(scene.topic(), &fast);
    scene.publish(&*a, 1..=10).await;
    let got = scene.until_marker(&*a, &mut [&mut rx_fast]).await;
    assert_eq!(got, vec![(1..=10).collect::<Vec<_>>()]);
    eventually("the slow subscriber is marked", || slow.has_overflowed()).await;
    assert!(!fast.has_overflowed());
    let mut kept = Vec::new();
    while let Ok(envelope) = rx_slow.try_recv() {
        kept.push(seq_of(&envelope));
    }
    assert_eq!(
        kept,
        vec![1, 2],
        "the queue kept the oldest events and no more"
    );
}
