//! Shared test support: the reference-server process, a DevTools client and what the tests do
//! on the chat's pages.

pub mod cdp;
pub mod pages;
pub mod server;
