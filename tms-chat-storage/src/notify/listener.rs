//! The listening half of [`PgNotifier`](super::PgNotifier): one task per node that holds a
//! LISTEN connection, turns each notification from another node into a local delivery, and
//! comes back by itself when the connection drops.
//!
//! Notifications sent while a node was not listening are gone (PostgreSQL does not keep them
//! for a listener that left). So when the connection drops the node reports itself
//! disconnected (`is_connected` is `false`, `GET /readyz` answers `503`), reconnects with
//! backoff ([`FIRST_RETRY`] doubling up to [`LAST_RETRY`]), LISTENs again, and only then
//! tells every local subscriber to resync: each socket sends `resync_required`, its client
//! resumes every open session by `seq` from the store, and nothing is silently missed. A
//! large event whose row cannot be read, or a payload this node cannot read, is handled the
//! same way: its subscribers resync.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgListener;
use tms_chat_core::notify::Envelope;

use super::postgres::Bus;
use super::wire::{self, Body, Received};

/// The wait before the second attempt to reconnect (the first is immediate).
const FIRST_RETRY: Duration = Duration::from_millis(100);

/// The longest wait between two attempts.
const LAST_RETRY: Duration = Duration::from_secs(5);

/// A LISTEN connection from the notifier's pool, LISTENing on its channel.
pub(super) async fn listen(bus: &Bus) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(&bus.pool).await?;
    // A lost connection is rebuilt here, not inside the listener, so this task knows.
    listener.eager_reconnect(false);
    listener.listen(&bus.channel).await?;
    Ok(listener)
}

/// Receives until the connection drops, then reconnects and resyncs; forever (the notifier
/// aborts the task when dropped).
pub(super) async fn run(mut listener: PgListener, bus: Arc<Bus>) {
    loop {
        let reason = receive_until_lost(&mut listener, &bus).await;
        bus.connected.store(false, Ordering::Release);
        tracing::warn!(node = %bus.node_id, reason, "PostgreSQL LISTEN connection lost; reconnecting");
        drop(listener);
        listener = reconnect(&bus).await;
        bus.connected.store(true, Ordering::Release);
        bus.fanout.request_resync_all();
        tracing::info!(node = %bus.node_id, "PostgreSQL LISTEN connection back; local subscribers told to resync");
    }
}

/// Delivers notifications until the connection is lost; returns why.
async fn receive_until_lost(listener: &mut PgListener, bus: &Bus) -> String {
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => deliver(bus, notification.payload()).await,
            Ok(None) => return "connection closed".to_owned(),
            Err(err) => return err.to_string(),
        }
    }
}

async fn reconnect(bus: &Bus) -> PgListener {
    let mut delay = Duration::ZERO;
    loop {
        tokio::time::sleep(delay).await;
        match listen(bus).await {
            Ok(listener) => return listener,
            Err(err) => {
                delay = (delay * 2).clamp(FIRST_RETRY, LAST_RETRY);
                tracing::warn!(node = %bus.node_id, error = %err, retry_in = ?delay, "reconnecting the PostgreSQL LISTEN connection failed");
            }
        }
    }
}

/// One notification: skipped when this node published it (delivered locally already),
/// otherwise fanned out to this node's subscribers.
async fn deliver(bus: &Bus, payload: &str) {
    let message: Received = match serde_json::from_str(payload) {
        Ok(message) => message,
        Err(err) => {
            tracing::warn!(error = %err, "unreadable bus message; local subscribers resync");
            bus.fanout.request_resync_all();
            return;
        }
    };
    if message.node == bus.node_id {
        return;
    }
    let envelope = match message.body {
        Body::Event(envelope) => envelope,
        Body::Stored(id) => match read_stored(bus, id).await {
            Some(envelope) => envelope,
            None => {
                bus.fanout.request_resync_all();
                return;
            }
        },
    };
    bus.fanout.deliver(Arc::new(envelope));
}

/// The envelope of stored event `id`, or `None` (logged) when it cannot be read.
async fn read_stored(bus: &Bus, id: i64) -> Option<Envelope> {
    let text = match wire::read_stored(&bus.pool, id).await {
        Ok(Some(text)) => text,
        Ok(None) => {
            tracing::warn!(
                id,
                "a large bus event expired before it was read; local subscribers resync"
            );
            return None;
        }
        Err(err) => {
            tracing::warn!(id, error = %err, "reading a large bus event failed; local subscribers resync");
            return None;
        }
    };
    match serde_json::from_str::<Received>(&text) {
        Ok(Received {
            body: Body::Event(envelope),
            ..
        }) => Some(envelope),
        Ok(_) => {
            tracing::warn!(
                id,
                "a stored bus event points to another row; local subscribers resync"
            );
            None
        }
        Err(err) => {
            tracing::warn!(id, error = %err, "unreadable stored bus event; local subscribers resync");
            None
        }
    }
}
