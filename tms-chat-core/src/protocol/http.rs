//! Framework-neutral HTTP and WebSocket types. Adapters convert their framework's request into
//! an [`ApiRequest`], hand it to [`super::ChatApi`], and convert the [`ApiResponse`] back;
//! sockets are streams and sinks of [`WsFrame`]. Both frameworks speak the `http` crate's
//! types, so the conversions from and to them live here, once: [`ApiRequest::from_http`],
//! [`ApiResponse::into_http`].

use bytes::Bytes;

/// An HTTP request as the protocol sees it.
#[derive(Clone, Debug, Default)]
pub struct ApiRequest {
    /// Upper-case method (`GET`, `POST`, …).
    pub method: String,
    /// The path below the mount point, starting with `/` (e.g. `/v1/chat/sessions`).
    pub path: String,
    /// The raw query string without `?`.
    pub query: String,
    /// Header name/value pairs (names in any case).
    pub headers: Vec<(String, String)>,
    /// The body (shared, never copied whole).
    pub body: Bytes,
    /// Where the host mounted the API (`/support`), empty at the root; links the API hands
    /// out (console, embed code, join links) start with it. Adapters fill it in with
    /// [`ApiRequest::mount_prefix_of`].
    pub mount_prefix: String,
    /// The address of the connection's peer, as the adapter's server saw it (`None` for an
    /// in-process caller). The client address of the abuse limits derives from it
    /// ([`super::ChatApi::client_ip`]).
    pub peer_addr: Option<std::net::SocketAddr>,
    /// The agent [`super::ChatApi::admit_body`] authenticated before the body was read, so
    /// the endpoint does not ask the authenticator again.
    pub(crate) admitted_agent: Option<std::sync::Arc<crate::domain::Agent>>,
}

impl ApiRequest {
    /// A request with no headers or body.
    pub fn new(method: &str, path_and_query: &str) -> Self {
        let (path, query) = path_and_query
            .split_once('?')
            .unwrap_or((path_and_query, ""));
        ApiRequest {
            method: method.to_ascii_uppercase(),
            path: path.to_owned(),
            query: query.to_owned(),
            headers: Vec::new(),
            body: Bytes::new(),
            mount_prefix: String::new(),
            peer_addr: None,
            admitted_agent: None,
        }
    }

    /// The request line and headers of an `http` request, without its body (read it once
    /// [`super::ChatApi::body_limit`] said how much may come). `path` is the path below the
    /// mount point; `original_path` the path the client sent, when the framework keeps it
    /// (the difference is the mount prefix). Header values that are not text are left out.
    pub fn from_http(
        method: &http::Method,
        path: &str,
        query: Option<&str>,
        headers: &http::HeaderMap,
        original_path: Option<&str>,
    ) -> Self {
        let path = if path.starts_with('/') {
            path.to_owned()
        } else {
            format!("/{path}")
        };
        let headers = headers
            .iter()
            .filter_map(|(name, value)| {
                let value = value.to_str().ok()?;
                Some((name.as_str().to_owned(), value.to_owned()))
            })
            .collect();
        ApiRequest {
            method: method.as_str().to_ascii_uppercase(),
            mount_prefix: original_path
                .map(|original| Self::mount_prefix_of(original, &path))
                .unwrap_or_default(),
            path,
            query: query.unwrap_or_default().to_owned(),
            headers,
            body: Bytes::new(),
            peer_addr: None,
            admitted_agent: None,
        }
    }

    /// Sets the connection's peer address (builder style).
    pub fn with_peer_addr(mut self, peer: Option<std::net::SocketAddr>) -> Self {
        self.peer_addr = peer;
        self
    }

    /// The body length the client declared (`Content-Length`), if it is a number.
    pub fn declared_body_len(&self) -> Option<u64> {
        self.header("content-length")
            .and_then(|v| v.trim().parse::<u64>().ok())
    }

    /// Whether a body follows the head: a `Content-Length` above 0, or chunked.
    pub fn announces_body(&self) -> bool {
        self.declared_body_len().is_some_and(|len| len > 0)
            || self
                .header("transfer-encoding")
                .is_some_and(|te| te.to_ascii_lowercase().contains("chunked"))
    }

    /// The prefix a host nested the API under: the request's original path less the path
    /// the API sees (`/support/v1/chat/me` and `/v1/chat/me` give `/support`). Empty when the
    /// API is at the root or the paths do not line up.
    pub fn mount_prefix_of(original_path: &str, path_below_mount: &str) -> String {
        let below = if path_below_mount == "/" {
            ""
        } else {
            path_below_mount
        };
        original_path
            .strip_suffix(below)
            .map(|prefix| prefix.trim_end_matches('/'))
            .filter(|prefix| prefix.starts_with('/'))
            .unwrap_or_default()
            .to_owned()
    }

    /// Adds a header (builder style).
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sets a JSON body (builder style).
    pub fn with_json(mut self, body: &serde_json::Value) -> Self {
        self.headers
            .push(("content-type".to_owned(), "application/json".to_owned()));
        self.body = Bytes::from(body.to_string());
        self
    }

    /// The first value of a header (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The request's parts for an authenticator.
    pub fn parts(&self) -> crate::auth::RequestParts {
        crate::auth::RequestParts {
            headers: self.headers.clone(),
            query: self.query.clone(),
        }
    }
}

/// An HTTP response as the protocol produces it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApiResponse {
    /// Status code.
    pub status: u16,
    /// Header name/value pairs.
    pub headers: Vec<(String, String)>,
    /// Body bytes (static files are served without a copy).
    pub body: Bytes,
}

impl ApiResponse {
    /// A JSON response.
    pub fn json(status: u16, value: &impl serde::Serialize) -> Self {
        let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
        ApiResponse {
            status,
            headers: vec![("content-type".to_owned(), "application/json".to_owned())],
            body: Bytes::from(body),
        }
    }

    /// An empty response.
    pub fn empty(status: u16) -> Self {
        ApiResponse {
            status,
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    /// As an `http` response: status, headers in order (repeated names kept), body. A
    /// header that is not valid HTTP is dropped with a warning.
    pub fn into_http(self) -> http::Response<Bytes> {
        let mut out = http::Response::new(self.body);
        *out.status_mut() = http::StatusCode::from_u16(self.status)
            .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        let headers = out.headers_mut();
        for (name, value) in self.headers {
            match (
                http::HeaderName::try_from(name.as_str()),
                http::HeaderValue::try_from(value.as_str()),
            ) {
                (Ok(name), Ok(value)) => {
                    headers.append(name, value);
                }
                _ => {
                    tracing::warn!(header = %name, "dropped a response header that is not valid HTTP")
                }
            }
        }
        out
    }

    /// Adds a header (builder style).
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The first value of a header (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A WebSocket frame, independent of the tungstenite version each framework brings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WsFrame {
    /// A text frame.
    Text(String),
    /// A binary frame.
    Binary(Vec<u8>),
    /// A ping.
    Ping(Vec<u8>),
    /// A pong.
    Pong(Vec<u8>),
    /// A close frame with an optional code and reason.
    Close(Option<(u16, String)>),
}

/// Why reading from a socket failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SocketError {
    /// A frame or message exceeded the configured limit (close with 1009).
    #[error("frame too large")]
    TooLarge,
    /// The peer broke the WebSocket protocol (an unmasked frame, reserved bits or opcodes, a
    /// fragmented control frame): close with 1002.
    #[error("protocol violation: {0}")]
    Protocol(String),
    /// A text message that is not UTF-8: close with 1007.
    #[error("invalid UTF-8 in a text message")]
    InvalidUtf8,
    /// The connection broke.
    #[error("connection error: {0}")]
    Other(String),
}

impl SocketError {
    /// Classifies a framework's socket read error by its text: tungstenite reports an
    /// over-limit frame or message as a capacity error ("Space limit exceeded: Message too
    /// long"), which adapters receive wrapped in their own error types.
    /// Protocol violations are tungstenite's "WebSocket protocol error: …", bad text its
    /// "UTF-8 encoding error".
    pub fn from_read_error(text: String) -> SocketError {
        if text.contains("Space limit exceeded")
            || text.contains("too long")
            || text.contains("Message too big")
        {
            SocketError::TooLarge
        } else if text.contains("UTF-8") || text.contains("utf-8") || text.contains("Utf8") {
            SocketError::InvalidUtf8
        } else if text.contains("protocol error") {
            SocketError::Protocol(text)
        } else {
            SocketError::Other(text)
        }
    }
}

/// WebSocket close codes the protocol uses.
pub mod close_code {
    /// Normal closure.
    pub const NORMAL: u16 = 1000;
    /// Server going away (shutdown).
    pub const GOING_AWAY: u16 = 1001;
    /// Policy violation (e.g. a binary frame, an expired token).
    pub const POLICY: u16 = 1008;
    /// Message too big.
    pub const TOO_BIG: u16 = 1009;
    /// The peer broke the WebSocket protocol.
    pub const PROTOCOL_ERROR: u16 = 1002;
    /// A text message that is not UTF-8.
    pub const INVALID_DATA: u16 = 1007;
    /// Access was withdrawn: the agent was revoked or is no longer accepted by the host, or
    /// the customer's widget was deleted (an `error` event `unauthorized` comes first).
    pub const REVOKED: u16 = 4401;
}
