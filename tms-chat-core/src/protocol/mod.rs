//! The wire protocol, framework-free: REST routing, request decoding, authorisation, calls
//! into [`ChatService`], response encoding, CORS, and the whole WebSocket sub-protocol. An
//! adapter (axum, poem, anything) converts its request into an [`ApiRequest`], calls
//! [`ChatApi::handle`], and for socket paths calls [`ChatApi::authorize_socket`] and then
//! [`ChatApi::run_socket`] with the upgraded socket as a stream/sink of [`WsFrame`].
//!
//! Modules: `http` (neutral types), `router` (path → endpoint), `agent_api` and `public_api`
//! (the endpoints), `views` (wire shapes of domain objects), `cors`, `errors` (error bodies),
//! `socket` (connection loop and events), `ws_ticket` (one-time socket tickets), `agents`
//! (authentication and agent sync), `embed` (embed snippet), `console` (the agent console's
//! files), `widget_bundle` (the widget script with the helpers it shares with the console).

pub mod abuse;
mod adapter;
mod agent_api;
mod agents;
mod body;
mod console;
mod cors;
pub mod embed;
pub mod envelopes;
mod errors;
pub mod frames;
pub mod http;
mod links;
mod probes;
mod public_api;
pub mod requests;
mod router;
mod routes;
pub mod socket;
pub mod timeouts;
mod timestamp;
#[cfg(feature = "typescript")]
pub mod typescript;
pub mod views;
mod widget_bundle;
mod ws_ticket;

pub use abuse::{AbuseLimits, Rate};
pub use adapter::{bridge_socket, SocketLimits};
pub use console::{console_content_security_policy, PAGE_HEADERS};
pub use http::{close_code, ApiRequest, ApiResponse, SocketError, WsFrame};
pub use socket::SocketGrant;
pub use timeouts::{ConnectionTimeouts, GuardedIo};
pub use widget_bundle::bundled_widget_script;

use crate::auth::AgentAuthenticator;
use crate::service::ChatService;
use std::sync::Arc;
use std::time::Duration;

/// Protocol limits and settings.
#[derive(Clone, Debug)]
pub struct ApiConfig {
    /// The externally visible base URL of the chat server (`https://chat.example.com`), used in
    /// embed codes and customer join links. When `None`, it is derived from the request's
    /// `Host` header (and `X-Forwarded-Proto`).
    pub public_base_url: Option<String>,
    /// Largest WebSocket frame/message accepted; larger closes the socket with 1009.
    pub max_frame_bytes: usize,
    /// Read buffer per socket (tungstenite's default of 128 KiB is far too large for idle
    /// sockets).
    pub socket_read_buffer_bytes: usize,
    /// Events queued per connection before it is considered too slow (then it gets
    /// `resync_required`).
    pub socket_queue_capacity: usize,
    /// Ping a socket after this much silence.
    pub ping_interval: Duration,
    /// Close a socket silent for this long.
    pub idle_timeout: Duration,
    /// How often each open agent socket asks the host again whether it still accepts its
    /// agent ([`AgentAuthenticator::recheck`]); a refusal closes the socket (30 s).
    pub agent_recheck_interval: Duration,
    /// Largest JSON body.
    pub max_json_body_bytes: usize,
    /// Largest upload body (the per-widget limit applies on top).
    pub max_upload_body_bytes: usize,
    /// The longest a request body may go without a byte arriving before the request is
    /// answered `408 request_timeout` and the connection closed (10 s).
    pub body_stall_timeout: Duration,
    /// How long a one-time WebSocket ticket is valid.
    pub ws_ticket_ttl: Duration,
    /// The widget script served at `chat-widget.js` below the mount point: the library's own
    /// widget ([`bundled_widget_script`]) by default; `None` serves none.
    pub widget_script: Option<Arc<str>>,
    /// Whether the API serves the agent console at `console/` below its mount point (on by
    /// default; a host with its own agent UI turns it off).
    pub serve_console: bool,
    /// Who may frame the console: the CSP `frame-ancestors` sources (`'self'` by default;
    /// a host that frames the console on its own site adds it: `'self' https://tms.example.com`;
    /// `'none'` forbids framing altogether).
    pub console_frame_ancestors: String,
    /// Template of the link that opens an agent-started session in the widget for its
    /// customer. Placeholders: `{domain}` (the widget's domain), `{widget_id}`, `{token}` (the
    /// customer token), `{base}` (the public base URL). The widget picks the token up from the
    /// `tms_chat_join` query parameter.
    pub customer_join_url_template: String,
    /// Rates per client address and per socket, the socket cap per address and the trusted
    /// proxies (`docs/security.md`).
    pub abuse: AbuseLimits,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            public_base_url: None,
            max_frame_bytes: 64 * 1024,
            socket_read_buffer_bytes: 1024,
            socket_queue_capacity: 256,
            ping_interval: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(90),
            agent_recheck_interval: Duration::from_secs(30),
            max_json_body_bytes: 256 * 1024,
            max_upload_body_bytes: 101 * 1024 * 1024,
            body_stall_timeout: Duration::from_secs(10),
            ws_ticket_ttl: Duration::from_secs(60),
            widget_script: Some(Arc::from(bundled_widget_script())),
            serve_console: true,
            console_frame_ancestors: "'self'".to_owned(),
            customer_join_url_template: "https://{domain}/?tms_chat_join={token}".to_owned(),
            abuse: AbuseLimits::default(),
        }
    }
}

/// The chat API: cheap to clone, shared by every request and socket.
#[derive(Clone)]
pub struct ChatApi {
    inner: Arc<Inner>,
}

struct Inner {
    service: ChatService,
    agents: agents::AgentSignIn,
    config: ApiConfig,
    abuse: abuse::AbuseGuards,
    shutdown: tokio::sync::watch::Sender<bool>,
    connections: std::sync::atomic::AtomicUsize,
}

impl std::fmt::Debug for ChatApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatApi")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl ChatApi {
    /// An API over `service`, authenticating agents with `authenticator`.
    pub fn new(
        service: ChatService,
        authenticator: Arc<dyn AgentAuthenticator>,
        config: ApiConfig,
    ) -> Self {
        let (shutdown, _) = tokio::sync::watch::channel(false);
        ChatApi {
            inner: Arc::new(Inner {
                agents: agents::AgentSignIn::new(authenticator, service.store().clone()),
                service,
                abuse: abuse::AbuseGuards::new(&config.abuse),
                config,
                shutdown,
                connections: std::sync::atomic::AtomicUsize::new(0),
            }),
        }
    }

    /// The chat service behind the API.
    pub fn service(&self) -> &ChatService {
        &self.inner.service
    }

    /// The settings.
    pub fn config(&self) -> &ApiConfig {
        &self.inner.config
    }

    /// The client address of `request` for the abuse limits: its peer, or what a trusted
    /// proxy says in `Forwarded` / `X-Forwarded-For` (`docs/security.md`).
    pub fn client_ip(&self, request: &ApiRequest) -> Option<std::net::IpAddr> {
        abuse::client_ip(request, &self.inner.abuse.limits().trusted_proxies)
    }

    /// Whether `path` is a WebSocket endpoint (adapters upgrade these).
    pub fn is_socket_path(path: &str) -> bool {
        router::is_socket_path(path)
    }

    /// Handles one REST request.
    pub async fn handle(&self, request: ApiRequest) -> ApiResponse {
        router::dispatch(self, request).await
    }

    /// How many sockets are open.
    pub fn open_connections(&self) -> usize {
        self.inner
            .connections
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Asks every open socket to close (status 1001) and refuses new ones; used for graceful
    /// shutdown. Messages already acknowledged are committed.
    pub fn begin_shutdown(&self) {
        let _ = self.inner.shutdown.send(true);
    }
}
