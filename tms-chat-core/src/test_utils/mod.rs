//! What tests of the chat system share, behind the `test-utils` feature: an in-memory
//! [`ChatStore`](crate::store::ChatStore) that passes the store conformance suite
//! ([`MemoryStore`]), the fixtures hosts and adapters would otherwise each write again (a
//! static token authenticator, a recording ticket sink, tenant, agent and widget seeding),
//! and an in-process socket client ([`SocketClient`]) that proves nothing arrived with a
//! `ping`/`pong` barrier instead of sleeping.
//!
//! Nothing here is used by the library itself; none of it may be used in production code.

mod fixtures;
mod memory_store;
mod ws_client;

pub use fixtures::{seed_agents, seed_tenant, seed_widget, RecordingTickets, StaticTokens};
pub use memory_store::MemoryStore;
pub use ws_client::SocketClient;
