//! # tms-chat-core
//!
//! The transport-agnostic heart of tms-chat: the domain model, the chat service that enforces
//! every rule (session lifecycle, assignment, transfer, typing, domain validation, business
//! hours, ticket hand-off), the wire protocol (REST DTOs and WebSocket events) and the traits a
//! host plugs in (storage, notifier, agent authentication, ticket sink, blob store, clock).
//!
//! No web framework and no SQL live here: the `tms-chat-axum` and `tms-chat-poem` crates
//! translate their framework's types, `tms-chat-storage` implements [`store::ChatStore`].

pub mod auth;
pub mod blob;
pub mod clock;
pub mod domain;
pub mod encryption;
pub mod error;
pub mod ids;
pub mod notify;
pub mod protocol;
pub mod service;
pub mod store;
#[cfg(any(test, feature = "test-utils"))]
pub mod test_utils;
pub mod ticket;
pub mod token;
pub mod upload;

pub use error::{ChatError, ChatResult, ErrorCode, FieldError, StoreError};
