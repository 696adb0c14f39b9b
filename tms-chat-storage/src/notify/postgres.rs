//! [`PgNotifier`]: several nodes on one PostgreSQL database hear each other's chat events.
//!
//! Every node LISTENs on one channel. Publishing an event:
//! 1. serialises it with this node's id (the `wire` module);
//! 2. takes the node's publish lock, so the node's events leave in the order it published
//!    them;
//! 3. delivers it to this node's own subscribers through core's `LocalFanout` (before the
//!    bus, so a socket's own event is queued before its `message_ack`; the node skips the
//!    echo of its own events, so each subscriber gets it exactly once);
//! 4. queues it for the node's announcer task and returns (waiting only when more than a few
//!    thousand events are queued);
//! 5. the announcer takes every event queued at that moment and NOTIFYs them in publish
//!    order in one statement, so a busy node pays one round trip and one commit per batch,
//!    not per event. An event whose payload would reach NOTIFY's 8000-byte limit is inserted
//!    into `tms_chat_bus_events` and the row's id NOTIFYed in the same transaction (so
//!    receivers find the row when the notification arrives); rows past their retention are
//!    deleted at most once a minute.
//!
//! The chat service publishes only after the store committed the change the event describes,
//! so a node never announces what another node cannot read yet.
//!
//! What order is guaranteed: PostgreSQL delivers the notifications of one channel to every
//! listener in the order their transactions committed. One node's events therefore arrive on
//! every node in the order that node published them, and an event published in reaction to
//! one that arrived (an agent's answer on node B to a customer on node A) follows it on every
//! node. Two nodes publishing about one session at the same instant may be interleaved
//! differently on different nodes (each delivers its own first); a socket that receives a
//! message more than one past the last it delivered for that session reads the ones in
//! between from the store first, so its client still gets every message in `seq` order.
//!
//! What it costs: one NOTIFY transaction per batch of a node's events (one per event when the
//! node is quiet). NOTIFY also takes a database-wide lock at commit, which serialises the
//! commits of all NOTIFYing transactions.
//!
//! Connection loss: see the `listener` module. While the listener is down,
//! [`Notifier::is_connected`] answers `false`; once it is back, every local subscriber is
//! told to resync. A batch whose NOTIFY fails twice is logged: its events then reached this
//! node only, and clients elsewhere see them when they next resume.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Row};
use tms_chat_core::error::{ChatError, ChatResult};
use tms_chat_core::notify::{Envelope, LocalFanout, Notifier, Subscriber, Topic};
use tms_chat_core::store::StoreResult;
use tms_chat_core::StoreError;
use tokio::sync::{mpsc, Mutex};
use tokio::task::JoinHandle;

use super::listener;
use super::wire::{self, Body, BusMessage, MAX_INLINE_PAYLOAD, STORED_EVENT_RETENTION};

/// Connections of one notifier: the listener, a publisher, a reader of stored events, and
/// one spare for a reconnect that overlaps the old connection's cleanup.
const MAX_CONNECTIONS: u32 = 4;

/// How long a publish or a reconnection attempt waits for a connection before it fails (and,
/// for a reconnection, backs off and tries again).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// Events queued for NOTIFY before publishing waits (a database slower than the chat).
const OUTBOX_CAPACITY: usize = 4096;

/// The most events one NOTIFY statement carries.
const MAX_BATCH: usize = 256;

/// How often a publisher of large events deletes the expired ones.
const CLEANUP_EVERY: Duration = Duration::from_secs(60);

/// The default channel every node LISTENs on.
pub const DEFAULT_CHANNEL: &str = "tms_chat_events";

/// How a [`PgNotifier`] connects.
#[derive(Debug, Clone)]
pub struct PgNotifierOptions {
    /// The LISTEN/NOTIFY channel (default [`DEFAULT_CHANNEL`]): nodes of one chat system
    /// share it; two chat systems on one database use two channels. ASCII letters, digits
    /// and `_`, at most 63 bytes.
    pub channel: String,
}

impl Default for PgNotifierOptions {
    fn default() -> Self {
        PgNotifierOptions {
            channel: DEFAULT_CHANNEL.to_owned(),
        }
    }
}

impl PgNotifierOptions {
    /// The default options on `channel`.
    pub fn on_channel(channel: impl Into<String>) -> Self {
        PgNotifierOptions {
            channel: channel.into(),
        }
    }

    fn check(&self) -> StoreResult<()> {
        let valid = !self.channel.is_empty()
            && self.channel.len() <= 63
            && self
                .channel
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if valid {
            Ok(())
        } else {
            Err(StoreError::backend(
                "configure the PostgreSQL notifier",
                format!(
                    "invalid channel name `{}`: use ASCII letters, digits and _, at most 63 bytes",
                    self.channel
                ),
            ))
        }
    }
}

/// What the notifier and its listener task share.
pub(crate) struct Bus {
    /// This node's id, in every payload it publishes.
    pub(super) node_id: String,
    /// The LISTEN/NOTIFY channel.
    pub(super) channel: String,
    /// This node's subscribers.
    pub(super) fanout: LocalFanout,
    /// Whether the listener is LISTENing.
    pub(super) connected: AtomicBool,
    /// The notifier's own connections (named after the node in `pg_stat_activity`).
    pub(super) pool: PgPool,
}

/// The PostgreSQL LISTEN/NOTIFY notifier (see the [module docs](self)). Dropping it stops
/// its listener.
pub struct PgNotifier {
    bus: Arc<Bus>,
    /// Held for the whole of a publish; remembers when stored events were last cleaned up.
    /// Held while an event is delivered locally and queued for the bus, so both happen in
    /// publish order.
    publishing: Mutex<mpsc::Sender<String>>,
    listener: JoinHandle<()>,
    announcer: JoinHandle<()>,
}

impl fmt::Debug for PgNotifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgNotifier")
            .field("node_id", &self.bus.node_id)
            .field("channel", &self.bus.channel)
            .field("connected", &self.is_connected())
            .finish_non_exhaustive()
    }
}

impl PgNotifier {
    /// Connects to `url` on the default channel, creates the large-event table when missing
    /// and LISTENs before returning, so no event published after this returns is missed.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        Self::connect_with(url, PgNotifierOptions::default()).await
    }

    /// [`connect`](Self::connect) with `options`.
    pub async fn connect_with(url: &str, options: PgNotifierOptions) -> StoreResult<Self> {
        options.check()?;
        let node_id = uuid::Uuid::new_v4().simple().to_string();
        let connect_options: PgConnectOptions = url
            .parse()
            .map_err(|e| StoreError::backend("parse the PostgreSQL URL", e))?;
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(connect_options.application_name(&application_name(&node_id)))
            .await
            .map_err(|e| StoreError::backend("connect the notifier to PostgreSQL", e))?;
        wire::create_table(&pool).await?;
        let bus = Arc::new(Bus {
            node_id,
            channel: options.channel,
            fanout: LocalFanout::new(),
            connected: AtomicBool::new(false),
            pool,
        });
        let first = listener::listen(&bus)
            .await
            .map_err(|e| StoreError::backend("LISTEN on PostgreSQL", e))?;
        bus.connected.store(true, Ordering::Release);
        let listener = tokio::spawn(listener::run(first, Arc::clone(&bus)));
        let (outbox, queued) = mpsc::channel(OUTBOX_CAPACITY);
        let announcer = tokio::spawn(announce_queued(Arc::clone(&bus), queued));
        Ok(PgNotifier {
            bus,
            publishing: Mutex::new(outbox),
            listener,
            announcer,
        })
    }

    /// This node's id (random per notifier).
    pub fn node_id(&self) -> &str {
        &self.bus.node_id
    }

    /// The `application_name` of this notifier's connections in `pg_stat_activity`:
    /// `tms-chat-bus-<node id>`.
    pub fn application_name(&self) -> String {
        application_name(&self.bus.node_id)
    }

    /// The local registry (for metrics and tests).
    pub fn fanout(&self) -> &LocalFanout {
        &self.bus.fanout
    }
}

/// Step 4 of publishing, in the background: takes every event queued at that moment and
/// NOTIFYs them in publish order, the small ones in one statement (one round trip and one
/// commit for the batch), each large one through its row. A batch that fails is retried once;
/// then it is logged, and its events reached this node only.
async fn announce_queued(bus: Arc<Bus>, mut queued: mpsc::Receiver<String>) {
    let mut last_cleanup = None;
    let mut batch = Vec::new();
    while let Some(first) = queued.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match queued.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let mut start = 0;
        while start < batch.len() {
            let small = batch[start..]
                .iter()
                .take_while(|m| m.len() <= MAX_INLINE_PAYLOAD)
                .count();
            let end = if small == 0 { start + 1 } else { start + small };
            let group = &batch[start..end];
            if let Err(first) = announce_group(&bus, group, &mut last_cleanup).await {
                tracing::warn!(error = %first, "NOTIFY failed; retrying once");
                if let Err(e) = announce_group(&bus, group, &mut last_cleanup).await {
                    tracing::warn!(error = %e, events = group.len(), "NOTIFY failed twice: these events reached this node only");
                }
            }
            start = end;
        }
        batch.clear();
    }
}

/// Small messages in one `pg_notify` statement (in array order), or one large one.
async fn announce_group(
    bus: &Bus,
    group: &[String],
    last_cleanup: &mut Option<Instant>,
) -> Result<(), sqlx::Error> {
    match group {
        [large] if large.len() > MAX_INLINE_PAYLOAD => {
            announce_large(bus, large, last_cleanup).await
        }
        small => {
            sqlx::query("SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload")
                .bind(bus.channel.as_str())
                .bind(small)
                .execute(&bus.pool)
                .await?;
            Ok(())
        }
    }
}

/// A message past NOTIFY's payload limit: stored in a row, whose id is NOTIFYed in the same
/// transaction; expired rows are deleted at most once a minute.
async fn announce_large(
    bus: &Bus,
    message: &str,
    last_cleanup: &mut Option<Instant>,
) -> Result<(), sqlx::Error> {
    let mut tx = bus.pool.begin().await?;
    let id: i64 = sqlx::query("INSERT INTO tms_chat_bus_events (payload) VALUES ($1) RETURNING id")
        .bind(message)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
    let pointer = BusMessage::<&str, &Envelope> {
        node: &bus.node_id,
        body: Body::Stored(id),
    };
    let pointer = serde_json::to_string(&pointer).map_err(|e| sqlx::Error::Encode(e.into()))?;
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(bus.channel.as_str())
        .bind(pointer)
        .execute(&mut *tx)
        .await?;
    let due = last_cleanup.is_none_or(|at| at.elapsed() >= CLEANUP_EVERY);
    if due {
        sqlx::query(
            "DELETE FROM tms_chat_bus_events WHERE created_at < now() - make_interval(secs => $1)",
        )
        .bind(STORED_EVENT_RETENTION.as_secs_f64())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    if due {
        *last_cleanup = Some(Instant::now());
    }
    Ok(())
}

fn application_name(node_id: &str) -> String {
    format!("tms-chat-bus-{node_id}")
}

impl Drop for PgNotifier {
    fn drop(&mut self) {
        self.listener.abort();
        self.announcer.abort();
    }
}

#[async_trait]
impl Notifier for PgNotifier {
    async fn publish(&self, envelope: Envelope) -> ChatResult<()> {
        let message = BusMessage::<&str, &Envelope> {
            node: &self.bus.node_id,
            body: Body::Event(&envelope),
        };
        let message =
            serde_json::to_string(&message).map_err(|e| ChatError::Internal(Box::new(e)))?;
        let outbox = self.publishing.lock().await;
        self.bus.fanout.deliver(Arc::new(envelope));
        outbox.send(message).await.map_err(|_| {
            ChatError::Internal(Box::new(StoreError::backend(
                "queue a chat event for NOTIFY",
                "the notifier stopped",
            )))
        })
    }

    fn subscribe(&self, topic: Topic, subscriber: &Subscriber) {
        self.bus.fanout.subscribe(topic, subscriber);
    }

    fn unsubscribe(&self, topic: &Topic, subscriber: &Subscriber) {
        self.bus.fanout.unsubscribe(topic, subscriber);
    }

    fn unsubscribe_all(&self, subscriber: &Subscriber) {
        self.bus.fanout.unsubscribe_all(subscriber);
    }

    fn is_connected(&self) -> bool {
        self.bus.connected.load(Ordering::Acquire)
    }
}
