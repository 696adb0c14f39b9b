//! What every adapter needs from core besides [`ChatApi::handle`], written once so the axum
//! and poem crates keep only their framework's own types: the body limit of a request's
//! route (known before the body is read), the two refusals an adapter makes itself while
//! reading (`413 payload_too_large`, an unreadable body), the socket limits to configure the
//! upgrade with, and the bridge from a framework's socket to the core's frame stream/sink.

use super::errors::protocol_error;
use super::{ApiRequest, ApiResponse, ChatApi, SocketError, WsFrame};
use futures::{future, Sink, SinkExt, Stream, StreamExt};

/// The WebSocket settings an adapter applies to the upgrade.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SocketLimits {
    /// The read buffer (tungstenite's default of 128 KiB is far too large for idle sockets).
    pub read_buffer_bytes: usize,
    /// The write buffer: 0, so every frame goes out at the connection's flush.
    pub write_buffer_bytes: usize,
    /// The most unsent bytes a slow peer may hold before writes fail.
    pub max_write_buffer_bytes: usize,
    /// The largest message (and frame) accepted; larger closes with 1009.
    pub max_message_bytes: usize,
}

impl ChatApi {
    /// The most body bytes the route of `request` takes: file uploads the configured upload
    /// limit, every other route the JSON limit. Adapters read no more than this.
    pub fn body_limit(&self, request: &ApiRequest) -> usize {
        let config = self.config();
        if super::router::is_upload(&request.method, &request.path) {
            config.max_upload_body_bytes
        } else {
            config.max_json_body_bytes
        }
    }

    /// The body limit of `request`'s route, or the `413` to answer at once when the declared
    /// `Content-Length` is over it (nothing of the body is read then).
    pub fn admit_body(&self, request: &ApiRequest) -> Result<usize, ApiResponse> {
        let limit = self.body_limit(request);
        match request.declared_body_len() {
            Some(len) if len > limit as u64 => Err(ApiResponse::payload_too_large(limit)),
            _ => Ok(limit),
        }
    }

    /// The limits an adapter configures a socket upgrade with.
    pub fn socket_limits(&self) -> SocketLimits {
        let config = self.config();
        SocketLimits {
            read_buffer_bytes: config.socket_read_buffer_bytes,
            write_buffer_bytes: 0,
            max_write_buffer_bytes: config.max_frame_bytes.saturating_mul(16).max(1 << 20),
            max_message_bytes: config.max_frame_bytes,
        }
    }
}

impl ApiResponse {
    /// `413 payload_too_large`: a body over its route's limit.
    pub fn payload_too_large(limit: usize) -> Self {
        let message = format!("request bodies may be at most {limit} bytes");
        protocol_error(413, "payload_too_large", &message)
    }

    /// `400 invalid_input`: the body could not be read (the client broke off, bad chunking).
    pub fn unreadable_body() -> Self {
        protocol_error(400, "invalid_input", "the request body could not be read")
    }
}

/// A framework's socket as the core's stream/sink of [`WsFrame`]s: `to` and `from` convert
/// one frame each way; a read error is classified by its text (an over-limit message is
/// [`SocketError::TooLarge`]).
pub fn bridge_socket<S, M, E>(
    socket: S,
    to: fn(WsFrame) -> M,
    from: fn(M) -> WsFrame,
) -> impl Stream<Item = Result<WsFrame, SocketError>>
       + Sink<WsFrame, Error = SocketError>
       + Send
       + Unpin
       + 'static
where
    S: Stream<Item = Result<M, E>> + Sink<M, Error = E> + Send + Unpin + 'static,
    M: Send + 'static,
    E: std::fmt::Display + Send + 'static,
{
    socket
        .sink_map_err(|e| SocketError::Other(e.to_string()))
        .with(move |frame: WsFrame| future::ready(Ok::<_, SocketError>(to(frame))))
        .map(move |item| match item {
            Ok(message) => Ok(from(message)),
            Err(e) => Err(SocketError::from_read_error(e.to_string())),
        })
}
