//! Shared test support: the reference-server process, a DevTools client and what the tests do
//! on the chat's pages.

pub(crate) mod cdp;
pub(crate) mod pages;
pub(crate) mod server;
pub(crate) mod socket;
