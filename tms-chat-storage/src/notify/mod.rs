//! Notifiers that carry chat events between nodes: [`PgNotifier`], over PostgreSQL
//! LISTEN/NOTIFY on the chat database, and (feature `nats`) `NatsNotifier`, over a NATS
//! server, for deployments past what one database's NOTIFY carries. (A SQLite file serves one
//! node, which the in-process `LocalNotifier` of core already covers.)
//!
//! - [`postgres`]: the notifier itself (publishing, the options, the lifecycle of its tasks);
//! - `listener`: the task that LISTENs, delivers what other nodes publish, and reconnects;
//! - `nats`: the NATS notifier;
//! - `wire`: what travels on a bus (a node id and the event), and the table large events go
//!   through on PostgreSQL.

mod listener;
#[cfg(feature = "nats")]
pub mod nats;
pub mod postgres;
mod wire;

#[cfg(feature = "nats")]
pub use nats::NatsNotifier;
pub use postgres::{PgNotifier, PgNotifierOptions, DEFAULT_CHANNEL};
