//! What every adapter needs from core besides [`ChatApi::handle`], written once so the axum
//! and poem crates keep only their framework's own types: the body limit of a request's
//! route (known before the body is read), reading the body ([`ChatApi::read_body`]: `413
//! payload_too_large` past the limit, `408 request_timeout` when it stalls, `400` when it
//! cannot be read), the socket limits to configure the
//! upgrade with, and the bridge from a framework's socket to the core's frame stream/sink.

use super::abuse::IpAction;
use super::errors::{error_response, protocol_error};
use super::routes::Endpoint;
use super::{ApiRequest, ApiResponse, ChatApi, SocketError, WsFrame};
use bytes::{Bytes, BytesMut};
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

    /// The body limit of `request`'s route, or the answer to give at once, before any of the
    /// body is read: `429 rate_limited` when the client address is over its rate for this
    /// public action (starting a session, the contact form, an upload); `413` when the
    /// declared `Content-Length` is over the limit; and, when a body is coming on a route that
    /// needs a caller, the caller's refusal (`401`, `403`): no byte of a body is read for a
    /// caller not known yet. Adapters call it once per request, before reading the body.
    pub async fn admit_body(&self, request: &mut ApiRequest) -> Result<usize, ApiResponse> {
        self.check_address_rate(request)?;
        let limit = self.body_limit(request);
        if let Some(len) = request.declared_body_len() {
            if len > limit as u64 {
                return Err(ApiResponse::payload_too_large(limit));
            }
        }
        if request.announces_body() {
            self.admit_caller(request).await?;
        }
        Ok(limit)
    }

    /// Authenticates the caller of a route that needs one: an agent (kept on the request
    /// for the endpoint), or the customer of a customer upload.
    async fn admit_caller(&self, request: &mut ApiRequest) -> Result<(), ApiResponse> {
        let path = super::routes::normalize(&request.path);
        let route = match super::routes::lookup(&request.method, &path) {
            super::routes::Lookup::Found(route) => route,
            _ => return Ok(()),
        };
        match (route.area, route.endpoint) {
            (super::routes::Area::Agent, endpoint) if !endpoint.is_socket() => {
                let agent = self.inner.agents.authenticate(&request.parts()).await;
                let agent = agent.map_err(|e| error_response(&e))?;
                request.admitted_agent = Some(std::sync::Arc::new(agent));
                Ok(())
            }
            (_, Endpoint::PublicUpload) => {
                let widget = crate::ids::WidgetId::from(route.widget.unwrap_or_default());
                let origin = super::public_api::request_origin(self, request);
                match self.customer_for(request, &widget, origin.as_deref()).await {
                    Ok(_) => Ok(()),
                    Err(e) => Err(super::cors::with_cors(
                        error_response(&e),
                        request.header("origin"),
                    )),
                }
            }
            _ => Ok(()),
        }
    }

    /// Counts a public action against its client address's rate (see `abuse`).
    fn check_address_rate(&self, request: &ApiRequest) -> Result<(), ApiResponse> {
        let action = match super::routes::endpoint_of(&request.method, &request.path) {
            Some(Endpoint::PublicStartSession) => IpAction::StartSession,
            Some(Endpoint::PublicContact) => IpAction::Contact,
            Some(Endpoint::PublicUpload) => IpAction::Upload,
            _ => return Ok(()),
        };
        let ip = self.client_ip(request);
        self.inner
            .abuse
            .check_ip(action, ip)
            .map_err(|e| super::cors::with_cors(error_response(&e), request.header("origin")))
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

    /// `408 request_timeout`: the body stalled (no byte within `body_stall_timeout`); the
    /// connection is closed after the answer.
    pub fn body_stalled() -> Self {
        protocol_error(408, "request_timeout", "the request body stalled")
            .with_header("connection", "close")
    }

    /// `400 invalid_input`: the body could not be read (the client broke off, bad chunking).
    pub fn unreadable_body() -> Self {
        protocol_error(400, "invalid_input", "the request body could not be read")
    }
}

impl ChatApi {
    /// Reads a body from a framework's chunk stream: at most `limit` bytes (`413` past it),
    /// and no longer than `body_stall_timeout` between two chunks (`408` then). A body that
    /// arrives in one chunk is kept as it arrived, without a copy.
    pub async fn read_body<S, E>(&self, mut chunks: S, limit: usize) -> Result<Bytes, ApiResponse>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let stall = self.config().body_stall_timeout;
        let unreadable = |error: E| {
            tracing::debug!(%error, "could not read a request body");
            ApiResponse::unreadable_body()
        };
        let mut body: Option<BytesMut> = None;
        let mut first: Option<Bytes> = None;
        loop {
            let chunk = match tokio::time::timeout(stall, chunks.next()).await {
                Err(_) => return Err(ApiResponse::body_stalled()),
                Ok(None) => break,
                Ok(Some(chunk)) => chunk.map_err(unreadable)?,
            };
            let held =
                first.as_ref().map_or(0, Bytes::len) + body.as_ref().map_or(0, BytesMut::len);
            if held + chunk.len() > limit {
                return Err(ApiResponse::payload_too_large(limit));
            }
            match (&mut first, &mut body) {
                (None, None) => first = Some(chunk),
                (Some(_), None) => {
                    let mut joined = BytesMut::from(first.take().unwrap_or_default());
                    joined.extend_from_slice(&chunk);
                    body = Some(joined);
                }
                (_, Some(joined)) => joined.extend_from_slice(&chunk),
            }
        }
        Ok(match (first, body) {
            (Some(one), None) => one,
            (_, Some(joined)) => joined.freeze(),
            (None, None) => Bytes::new(),
        })
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
