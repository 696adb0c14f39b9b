//! The bus connection dropping and coming back.

use super::fixtures::{eventually, next, seq_of, Scene, ARRIVAL};
use super::NotifierBus;
use crate::notify::{Notifier, Subscriber, Wake};

/// When a node's bus connection is cut, the node reconnects by itself, tells every local
/// subscriber to resync (events published meanwhile are lost to it, so its clients must
/// resume from the store), reports itself connected again, and later events arrive.
pub async fn after_the_bus_connection_drops_subscribers_resync_and_later_events_arrive<
    B: NotifierBus,
>(
    bus: B,
) {
    let (a, b) = (bus.node().await, bus.node().await);
    let scene = Scene::new();
    let (customer, mut rx_customer) = Subscriber::channel(64);
    let (agent, mut rx_agent) = Subscriber::channel(64);
    a.subscribe(scene.topic(), &customer);
    b.subscribe(scene.topic(), &agent);
    scene.publish(&*b, [1]).await;
    assert_eq!(seq_of(&next(&mut rx_customer).await), 1);
    assert_eq!(seq_of(&next(&mut rx_agent).await), 1);
    if !bus.break_connection(&a).await {
        eprintln!("note: not applicable: this notifier has no bus connection to break");
        return;
    }
    eventually("the node reconnects and marks its subscribers", || {
        customer.has_overflowed() && a.is_connected()
    })
    .await;
    let wake = tokio::time::timeout(ARRIVAL, rx_customer.next_wake())
        .await
        .expect("the subscriber's connection is woken to send resync_required");
    assert!(matches!(wake, Wake::Resync), "{wake:?}");
    assert!(!agent.has_overflowed(), "the other node lost nothing");
    scene.publish(&*b, [2]).await;
    assert_eq!(seq_of(&next(&mut rx_customer).await), 2);
    scene.publish(&*a, [3]).await;
    let mut arrived_on_b = Vec::new();
    while arrived_on_b.last() != Some(&3) {
        arrived_on_b.push(seq_of(&next(&mut rx_agent).await));
    }
    assert_eq!(arrived_on_b, vec![2, 3]);
}
