//! One receiving end of the fan-out: a [`Subscriber`] (the sending handle the registry keeps
//! per topic) and its [`EventReceiver`] (the connection's end), sharing one bounded queue.
//!
//! The queue is a `VecDeque` behind a mutex rather than a channel: an idle connection's queue
//! then holds no buffer at all (a tokio channel allocates its first block of slots, about
//! 0.8 KB, when it is made, and every socket makes one at connect), and the queue, its two
//! flags and both wake-ups are one allocation per connection. The buffer grows while events
//! wait and gives memory back once a burst has drained.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::Notify;

use super::Envelope;

/// Room a drained queue keeps; a larger buffer (after a burst) is given back.
const KEPT_WHEN_DRAINED: usize = 16;

static NEXT_SUBSCRIBER_ID: AtomicU64 = AtomicU64::new(1);

/// One receiving end (a WebSocket connection): a bounded queue fed by all its topics.
#[derive(Debug)]
pub struct Subscriber {
    id: u64,
    shared: Arc<Shared>,
}

/// The connection's end of a [`Subscriber`]'s queue.
#[derive(Debug)]
pub struct EventReceiver {
    shared: Arc<Shared>,
}

/// What woke a connection waiting in [`EventReceiver::next_wake`].
#[derive(Debug)]
pub enum Wake {
    /// The next event of the queue.
    Event(Arc<Envelope>),
    /// [`Subscriber::request_resync`] was called: the client must resume from its last `seq`.
    Resync,
    /// Nothing is queued, and every [`Subscriber`] handle is gone.
    Closed,
}

/// What a [`EventReceiver::try_recv`] found instead of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Empty {
    /// Nothing queued right now.
    Now,
    /// Nothing queued, and every [`Subscriber`] handle is gone.
    Forever,
}

#[derive(Debug)]
struct Shared {
    queue: Mutex<VecDeque<Arc<Envelope>>>,
    capacity: usize,
    /// Woken when an event is queued, a resync is asked for, or the last sender leaves: one
    /// wake-up, so a waiting connection holds one waiter, not one per cause.
    ready: Notify,
    /// An event was dropped (the queue was full) or a resync was asked for.
    overflowed: AtomicBool,
    /// A resync was asked for and [`EventReceiver::next_wake`] has not reported it yet.
    resync: AtomicBool,
    /// Live [`Subscriber`] handles.
    senders: AtomicUsize,
    /// The [`EventReceiver`] still exists.
    receiving: AtomicBool,
}

impl Shared {
    fn queue(&self) -> MutexGuard<'_, VecDeque<Arc<Envelope>>> {
        // A panic while holding the lock cannot leave the deque inconsistent.
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Subscriber {
    /// A subscriber with a queue of `capacity` events, and the receiving end.
    pub fn channel(capacity: usize) -> (Subscriber, EventReceiver) {
        let shared = Arc::new(Shared {
            queue: Mutex::new(VecDeque::new()),
            capacity: capacity.max(1),
            ready: Notify::new(),
            overflowed: AtomicBool::new(false),
            resync: AtomicBool::new(false),
            senders: AtomicUsize::new(1),
            receiving: AtomicBool::new(true),
        });
        let subscriber = Subscriber {
            id: NEXT_SUBSCRIBER_ID.fetch_add(1, Ordering::Relaxed),
            shared: Arc::clone(&shared),
        };
        (subscriber, EventReceiver { shared })
    }

    /// Unique id of this subscriber in the process.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Whether an event was dropped because the queue was full; the connection should then
    /// ask its client to resume from its last sequence number.
    pub fn has_overflowed(&self) -> bool {
        self.shared.overflowed.load(Ordering::Acquire)
    }

    /// Marks this subscriber as having missed events (like an overflow) and wakes its
    /// connection ([`EventReceiver::next_wake`] answers [`Wake::Resync`]), which then tells
    /// its client to resume. Used by a notifier that lost events it cannot replay, such as a
    /// distributed notifier whose bus connection dropped.
    pub fn request_resync(&self) {
        self.shared.overflowed.store(true, Ordering::Release);
        self.shared.resync.store(true, Ordering::Release);
        self.shared.ready.notify_one();
    }

    /// Clears the overflow mark after the client was told.
    pub fn clear_overflow(&self) {
        self.shared.overflowed.store(false, Ordering::Release);
    }

    /// Clears the overflow mark and answers whether it was set, in one step: an event dropped
    /// while the connection reads the mark sets it again instead of being cleared unseen
    /// (reading with [`has_overflowed`](Self::has_overflowed), then clearing, loses a drop
    /// that falls between the two when the publisher runs on another thread).
    pub fn take_overflow(&self) -> bool {
        self.shared.overflowed.swap(false, Ordering::AcqRel)
    }

    /// Offers an event without waiting. Returns `false` when the receiver is gone.
    pub fn offer(&self, envelope: &Arc<Envelope>) -> bool {
        if !self.shared.receiving.load(Ordering::Acquire) {
            return false;
        }
        {
            let mut queue = self.shared.queue();
            if queue.len() >= self.shared.capacity {
                self.shared.overflowed.store(true, Ordering::Release);
                return true;
            }
            queue.push_back(Arc::clone(envelope));
        }
        self.shared.ready.notify_one();
        true
    }
}

impl Clone for Subscriber {
    fn clone(&self) -> Self {
        self.shared.senders.fetch_add(1, Ordering::Relaxed);
        Subscriber {
            id: self.id,
            shared: Arc::clone(&self.shared),
        }
    }
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        if self.shared.senders.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.shared.ready.notify_one();
        }
    }
}

impl EventReceiver {
    /// The next event, waiting for one; `None` once it is empty and every [`Subscriber`]
    /// handle is gone. Cancel-safe: dropped before it completes, it takes nothing. A resync
    /// request is left for [`next_wake`](Self::next_wake) to report.
    pub async fn recv(&mut self) -> Option<Arc<Envelope>> {
        match self.wait(false).await {
            Wake::Event(event) => Some(event),
            Wake::Resync | Wake::Closed => None,
        }
    }

    /// What the connection should do next: a resync asked for (reported once per request),
    /// else the next event, waiting for one. Cancel-safe like [`recv`](Self::recv). The
    /// waiting future itself, not one wrapping it: a connection keeps it for its whole life.
    pub fn next_wake(&mut self) -> impl std::future::Future<Output = Wake> + Send + '_ {
        self.wait(true)
    }

    /// Waits for an event (or, with `report_resync`, a resync request).
    async fn wait(&mut self, report_resync: bool) -> Wake {
        loop {
            if report_resync && self.shared.resync.swap(false, Ordering::AcqRel) {
                return Wake::Resync;
            }
            match self.try_recv() {
                Ok(event) => return Wake::Event(event),
                Err(Empty::Forever) => return Wake::Closed,
                // A wake-up that came between the check and the wait is kept by `Notify`
                // (one permit), so none is missed.
                Err(Empty::Now) => self.shared.ready.notified().await,
            }
        }
    }

    /// The next event if one is queued.
    pub fn try_recv(&mut self) -> Result<Arc<Envelope>, Empty> {
        let mut queue = self.shared.queue();
        if let Some(event) = queue.pop_front() {
            if queue.is_empty() && queue.capacity() > KEPT_WHEN_DRAINED {
                queue.shrink_to(KEPT_WHEN_DRAINED);
            }
            return Ok(event);
        }
        if self.shared.senders.load(Ordering::Acquire) == 0 {
            Err(Empty::Forever)
        } else {
            Err(Empty::Now)
        }
    }
}

impl Drop for EventReceiver {
    fn drop(&mut self) {
        self.shared.receiving.store(false, Ordering::Release);
        self.shared.queue().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::SessionId;
    use crate::notify::{typing, Topic};
    use std::time::Duration;

    fn event() -> Arc<Envelope> {
        Arc::new(typing(vec![Topic::Session(SessionId::new("s"))]))
    }

    #[tokio::test]
    async fn events_arrive_in_order_and_a_waiting_receiver_is_woken() {
        let (subscriber, mut rx) = Subscriber::channel(8);
        let (first, second) = (event(), event());
        let waiting = tokio::spawn(async move {
            let a = rx.recv().await.expect("first");
            let b = rx.recv().await.expect("second");
            (a, b)
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(subscriber.offer(&first) && subscriber.offer(&second));
        let (a, b) = tokio::time::timeout(Duration::from_secs(2), waiting)
            .await
            .expect("woken")
            .unwrap();
        assert!(Arc::ptr_eq(&a, &first) && Arc::ptr_eq(&b, &second));
    }

    #[tokio::test]
    async fn a_resync_request_wakes_the_receiver_once_and_queued_events_follow() {
        let (subscriber, mut rx) = Subscriber::channel(8);
        let waiting = tokio::spawn(async move {
            let first = rx.next_wake().await;
            (first, rx)
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        subscriber.request_resync();
        let (first, mut rx) = tokio::time::timeout(Duration::from_secs(2), waiting)
            .await
            .expect("woken")
            .unwrap();
        assert!(matches!(first, Wake::Resync), "{first:?}");
        assert!(
            subscriber.has_overflowed(),
            "marked until the client was told"
        );
        let queued = event();
        assert!(subscriber.offer(&queued));
        match rx.next_wake().await {
            Wake::Event(e) => assert!(Arc::ptr_eq(&e, &queued)),
            other => panic!("the resync is reported once, then events: {other:?}"),
        }
        drop(subscriber);
        assert!(matches!(rx.next_wake().await, Wake::Closed));
    }

    #[tokio::test]
    async fn a_full_queue_drops_and_marks_and_a_drained_one_gives_its_buffer_back() {
        let (subscriber, mut rx) = Subscriber::channel(200);
        for _ in 0..201 {
            assert!(subscriber.offer(&event()));
        }
        assert!(subscriber.take_overflow(), "the 201st was dropped");
        assert!(subscriber.shared.queue().capacity() >= 200);
        let mut got = 0;
        while rx.try_recv().is_ok() {
            got += 1;
        }
        assert_eq!(got, 200);
        assert!(subscriber.shared.queue().capacity() <= KEPT_WHEN_DRAINED);
        assert_eq!(rx.try_recv().unwrap_err(), Empty::Now);
    }

    #[tokio::test]
    async fn the_receiver_learns_when_every_sender_is_gone_and_senders_when_it_is() {
        let (subscriber, mut rx) = Subscriber::channel(4);
        let copy = subscriber.clone();
        assert!(copy.offer(&event()));
        drop(subscriber);
        assert!(
            rx.recv().await.is_some(),
            "queued events outlive the senders"
        );
        assert_eq!(rx.try_recv().unwrap_err(), Empty::Now, "one sender left");
        drop(copy);
        let end = tokio::time::timeout(Duration::from_secs(2), rx.recv()).await;
        assert!(end.expect("not left waiting").is_none());

        let (subscriber, rx) = Subscriber::channel(4);
        drop(rx);
        assert!(!subscriber.offer(&event()), "nobody receives");
    }
}
