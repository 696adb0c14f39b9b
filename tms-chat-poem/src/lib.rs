//! # tms-chat-poem
//!
//! Mounts the tms-chat API ([`ChatApi`](tms_chat_core::protocol::ChatApi)) into a poem
//! [`Route`](poem::Route): [`route`] returns a route to `nest` under any prefix, [`serve`]
//! runs it with TCP_NODELAY and graceful shutdown. This crate only translates poem's request,
//! response and WebSocket types; every chat rule lives in `tms-chat-core`.

mod endpoint;
mod serve;
mod socket;

pub use endpoint::{route, ChatEndpoint};
pub use serve::{serve, serve_with, serve_wrapped};
