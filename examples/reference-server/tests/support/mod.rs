//! Shared test support: the reference-server process and a DevTools client.

pub mod cdp;
pub mod server;
