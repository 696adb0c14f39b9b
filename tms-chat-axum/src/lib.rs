//! # tms-chat-axum
//!
//! Mounts the tms-chat API ([`ChatApi`](tms_chat_core::protocol::ChatApi)) into an axum
//! [`Router`](axum::Router): [`router`] returns a router to `nest` under any prefix, [`serve`]
//! runs it with TCP_NODELAY and graceful shutdown. This crate only translates axum's request,
//! response and WebSocket types; every chat rule lives in `tms-chat-core`.

mod handler;
mod serve;
mod socket;

pub use handler::router;
pub use serve::{serve, serve_with, serve_wrapped};
