//! Notifiers that carry chat events between nodes through the database. Today one:
//! [`PgNotifier`], over PostgreSQL LISTEN/NOTIFY. (A SQLite file serves one node, which the
//! in-process `LocalNotifier` of core already covers.)
//!
//! - [`postgres`]: the notifier itself (publishing, the options, the lifecycle of its tasks);
//! - `listener`: the task that LISTENs, delivers what other nodes publish, and reconnects;
//! - `wire`: what travels in a NOTIFY payload, and the table large events go through.

mod listener;
pub mod postgres;
mod wire;

pub use postgres::{PgNotifier, PgNotifierOptions, DEFAULT_CHANNEL};
