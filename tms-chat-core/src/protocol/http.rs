//! Framework-neutral HTTP and WebSocket types. Adapters convert their framework's request into
//! an [`ApiRequest`], hand it to [`super::ChatApi`], and convert the [`ApiResponse`] back;
//! sockets are streams and sinks of [`WsFrame`].

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
    /// The body bytes.
    pub body: Vec<u8>,
    /// Where the host mounted the API (`/support`), empty at the root; links the API hands
    /// out (console, embed code, join links) start with it. Adapters fill it in with
    /// [`ApiRequest::mount_prefix_of`].
    pub mount_prefix: String,
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
            body: Vec::new(),
            mount_prefix: String::new(),
        }
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
        self.body = body.to_string().into_bytes();
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
    /// Body bytes.
    pub body: Vec<u8>,
}

impl ApiResponse {
    /// A JSON response.
    pub fn json(status: u16, value: &impl serde::Serialize) -> Self {
        let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
        ApiResponse {
            status,
            headers: vec![("content-type".to_owned(), "application/json".to_owned())],
            body,
        }
    }

    /// An empty response.
    pub fn empty(status: u16) -> Self {
        ApiResponse {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
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
    /// The connection broke.
    #[error("connection error: {0}")]
    Other(String),
}

impl SocketError {
    /// Classifies a framework's socket read error by its text: tungstenite reports an
    /// over-limit frame or message as a capacity error ("Space limit exceeded: Message too
    /// long"), which adapters receive wrapped in their own error types.
    pub fn from_read_error(text: String) -> SocketError {
        if text.contains("Space limit exceeded")
            || text.contains("too long")
            || text.contains("Message too big")
        {
            SocketError::TooLarge
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
}
