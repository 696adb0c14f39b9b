//! [`PgNotifier`]: several nodes on one PostgreSQL database hear each other's chat events.
//!
//! Every node LISTENs on one channel. Publishing an event:
//! 1. serialises it with this node's id (the `wire` module);
//! 2. takes the node's publish lock, so the node's events leave in the order it published
//!    them;
//! 3. delivers it to this node's own subscribers through core's `LocalFanout` (before the
//!    bus, so a socket's own event is queued before its `message_ack`; the node skips the
//!    echo of its own events, so each subscriber gets it exactly once);
//! 4. sends one NOTIFY with the event, or, when the payload would reach NOTIFY's 8000-byte
//!    limit, inserts it into `tms_chat_bus_events` and NOTIFYs the row's id in the same
//!    transaction (so receivers find the row when the notification arrives), deleting rows
//!    past their retention at most once a minute;
//! 5. returns once that NOTIFY committed, then releases the lock.
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
//! What it costs: every event is one NOTIFY transaction on the database, and a node's
//! publishes are serialised behind one another (one round trip each). NOTIFY also takes a
//! database-wide lock at commit, which serialises the commits of all NOTIFYing transactions.
//!
//! Connection loss: see the `listener` module. While the listener is down,
//! [`Notifier::is_connected`] answers `false`; once it is back, every local subscriber is
//! told to resync. A NOTIFY that fails twice is reported to the caller (which logs it): that
//! event then reached this node only, and clients elsewhere see it when they next resume.

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
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

use super::listener;
use super::wire::{self, Body, BusMessage, MAX_INLINE_PAYLOAD, STORED_EVENT_RETENTION};

/// Connections of one notifier: the listener, a publisher, a reader of stored events, and
/// one spare for a reconnect that overlaps the old connection's cleanup.
const MAX_CONNECTIONS: u32 = 4;

/// How long a publish or a reconnection attempt waits for a connection before it fails (and,
/// for a reconnection, backs off and tries again).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

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
    publishing: Mutex<Option<Instant>>,
    listener: JoinHandle<()>,
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
        Ok(PgNotifier {
            bus,
            publishing: Mutex::new(None),
            listener,
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

    /// Step 4 of publishing, retried once on a fresh connection.
    async fn announce(
        &self,
        message: String,
        last_cleanup: &mut Option<Instant>,
    ) -> ChatResult<()> {
        match self.announce_once(&message, last_cleanup).await {
            Ok(()) => Ok(()),
            Err(first) => {
                tracing::warn!(error = %first, "NOTIFY failed; retrying once");
                self.announce_once(&message, last_cleanup)
                    .await
                    .map_err(|e| {
                        ChatError::Internal(Box::new(StoreError::backend("NOTIFY a chat event", e)))
                    })
            }
        }
    }

    async fn announce_once(
        &self,
        message: &str,
        last_cleanup: &mut Option<Instant>,
    ) -> Result<(), sqlx::Error> {
        let bus = &self.bus;
        if message.len() <= MAX_INLINE_PAYLOAD {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(bus.channel.as_str())
                .bind(message)
                .execute(&bus.pool)
                .await?;
            return Ok(());
        }
        let mut tx = bus.pool.begin().await?;
        let id: i64 =
            sqlx::query("INSERT INTO tms_chat_bus_events (payload) VALUES ($1) RETURNING id")
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
}

fn application_name(node_id: &str) -> String {
    format!("tms-chat-bus-{node_id}")
}

impl Drop for PgNotifier {
    fn drop(&mut self) {
        self.listener.abort();
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
        let mut last_cleanup = self.publishing.lock().await;
        self.bus.fanout.deliver(Arc::new(envelope));
        self.announce(message, &mut last_cleanup).await
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
