//! The suite's clients: a read HTTP answer ([`Reply`]) and a WebSocket client ([`Socket`])
//! that records every frame it received, so a case can check what a connection never got.

use futures::{SinkExt, StreamExt};
use serde_json::Value;
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;

/// How long a case waits for a frame it expects before failing (a hang guard, not a timing
/// assertion: every expected frame is due at once).
const PATIENCE: Duration = Duration::from_secs(10);

/// An HTTP answer, read completely.
#[derive(Debug)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Response headers.
    pub headers: reqwest::header::HeaderMap,
    /// The body.
    pub bytes: Vec<u8>,
    /// The body as JSON (`null` when it is not JSON).
    pub json: Value,
}

impl Reply {
    /// Reads a reqwest response.
    pub async fn read(response: reqwest::Response) -> Reply {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("response body").to_vec();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            bytes,
            json,
        }
    }

    /// Parses a whole HTTP/1.1 response (`Content-Length` or chunked body).
    pub fn parse_http1(raw: &[u8]) -> Reply {
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or_else(|| panic!("no HTTP head in {:?}", String::from_utf8_lossy(raw)));
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let mut rest = &raw[split + 4..];
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status line in {head}"));
        let mut headers = reqwest::header::HeaderMap::new();
        for line in lines {
            if let Some((name, value)) = line.split_once(':') {
                if let (Ok(n), Ok(v)) = (
                    reqwest::header::HeaderName::from_bytes(name.trim().as_bytes()),
                    HeaderValue::from_str(value.trim()),
                ) {
                    headers.append(n, v);
                }
            }
        }
        let chunked = headers
            .get("transfer-encoding")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"chunked"));
        let bytes = if chunked {
            let mut body = Vec::new();
            while let Some(end) = rest.windows(2).position(|w| w == b"\r\n") {
                let size = usize::from_str_radix(String::from_utf8_lossy(&rest[..end]).trim(), 16)
                    .unwrap_or(0);
                if size == 0 {
                    break;
                }
                let start = end + 2;
                body.extend_from_slice(&rest[start..(start + size).min(rest.len())]);
                rest = &rest[(start + size + 2).min(rest.len())..];
            }
            body
        } else {
            rest.to_vec()
        };
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            bytes,
            json,
        }
    }

    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Every value of a header.
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect()
    }

    /// A string field of the JSON body; panics if absent.
    #[track_caller]
    pub fn str(&self, field: &str) -> &str {
        self.json[field]
            .as_str()
            .unwrap_or_else(|| panic!("no string `{field}` in {}", self.json))
    }

    /// The error code of an error body.
    pub fn code(&self) -> &str {
        self.json["error"]["code"]
            .as_str()
            .unwrap_or("<no error code>")
    }

    /// Asserts the status; returns the JSON body.
    #[track_caller]
    pub fn expect_status(&self, status: u16) -> &Value {
        assert_eq!(
            self.status,
            status,
            "expected {status}, got {} with {}",
            self.status,
            String::from_utf8_lossy(&self.bytes)
        );
        &self.json
    }

    /// Asserts a documented error: the status, a JSON `{"error": {"code", "message"}}` body
    /// with this code.
    #[track_caller]
    pub fn expect_error(&self, status: u16, code: &str) {
        assert_eq!(
            (self.status, self.code()),
            (status, code),
            "expected {status} {code}, got {}",
            String::from_utf8_lossy(&self.bytes)
        );
        assert!(
            self.header("content-type")
                .is_some_and(|ct| ct.starts_with("application/json")),
            "an error is JSON: {:?}",
            self.headers
        );
        assert!(
            self.json["error"]["message"].is_string(),
            "an error has a message: {}",
            self.json
        );
    }

    /// A list field of the JSON body; panics if absent.
    #[track_caller]
    pub fn list(&self, field: &str) -> &Vec<Value> {
        self.json[field]
            .as_array()
            .unwrap_or_else(|| panic!("no array `{field}` in {}", self.json))
    }
}

impl std::ops::Index<&str> for Reply {
    type Output = Value;

    fn index(&self, field: &str) -> &Value {
        &self.json[field]
    }
}

/// What a socket read.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    /// A JSON text frame.
    Json(Value),
    /// A text frame that is not JSON (never sent by a conforming server).
    Text(String),
    /// A binary frame (never sent by a conforming server).
    Binary(Vec<u8>),
    /// The server's close frame and its code.
    Close(Option<u16>),
    /// The connection ended without a close frame.
    Gone,
}

/// A WebSocket client.
pub struct Socket {
    ws: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    /// The `ready` frame the connection opened with.
    pub ready: Value,
    seen: Vec<Value>,
}

impl std::fmt::Debug for Socket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Socket")
            .field("ready", &self.ready)
            .finish_non_exhaustive()
    }
}

impl Socket {
    /// Connects and waits for `ready` (which must be the first frame); a refused upgrade is
    /// returned as the HTTP answer.
    pub async fn connect(url: &str, headers: &[(&str, &str)]) -> Result<Socket, Reply> {
        let mut request = url.into_client_request().expect("socket URL");
        for (name, value) in headers {
            request.headers_mut().insert(
                reqwest::header::HeaderName::from_bytes(name.as_bytes()).expect("header name"),
                HeaderValue::from_str(value).expect("header value"),
            );
        }
        match tokio_tungstenite::connect_async(request).await {
            Ok((ws, _)) => {
                let mut socket = Socket {
                    ws,
                    ready: Value::Null,
                    seen: Vec::new(),
                };
                match socket.next().await {
                    Frame::Json(v) if v["type"] == "ready" => socket.ready = v,
                    other => panic!("the first frame must be `ready`, got {other:?}"),
                }
                Ok(socket)
            }
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                let status = response.status().as_u16();
                let mut headers = reqwest::header::HeaderMap::new();
                for (name, value) in response.headers() {
                    if let (Ok(n), Ok(v)) = (
                        reqwest::header::HeaderName::from_bytes(name.as_str().as_bytes()),
                        HeaderValue::from_bytes(value.as_bytes()),
                    ) {
                        headers.append(n, v);
                    }
                }
                let bytes = response.body().clone().unwrap_or_default();
                let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                Err(Reply {
                    status,
                    headers,
                    bytes,
                    json,
                })
            }
            Err(other) => panic!("socket handshake failed: {other}"),
        }
    }

    /// Sends a JSON frame.
    pub async fn send(&mut self, frame: Value) {
        self.send_text(frame.to_string()).await;
    }

    /// Sends a raw text frame.
    pub async fn send_text(&mut self, text: String) {
        self.ws
            .send(Message::text(text))
            .await
            .expect("send a text frame");
    }

    /// Writes raw bytes on the connection, past the WebSocket framing (to send frames a
    /// conforming client never would).
    pub async fn send_raw(&mut self, bytes: &[u8]) {
        use tokio::io::AsyncWriteExt;
        match self.ws.get_mut() {
            tokio_tungstenite::MaybeTlsStream::Plain(tcp) => {
                tcp.write_all(bytes).await.expect("write raw bytes")
            }
            _ => panic!("raw bytes need a plain TCP socket"),
        }
    }

    /// Sends a binary frame.
    pub async fn send_binary(&mut self, bytes: Vec<u8>) {
        self.ws
            .send(Message::binary(bytes))
            .await
            .expect("send a binary frame");
    }

    /// The next frame (pings and pongs are skipped; tungstenite answers pings itself).
    pub async fn next(&mut self) -> Frame {
        loop {
            let item = tokio::time::timeout(PATIENCE, self.ws.next())
                .await
                .unwrap_or_else(|_| {
                    panic!(
                        "no frame within {PATIENCE:?}; frames so far: {:#?}",
                        self.seen
                    )
                });
            let frame = match item {
                None => Frame::Gone,
                Some(Err(_)) => Frame::Gone,
                Some(Ok(Message::Text(text))) => match serde_json::from_str::<Value>(&text) {
                    Ok(v) => {
                        self.seen.push(v.clone());
                        Frame::Json(v)
                    }
                    Err(_) => Frame::Text(text.as_str().to_owned()),
                },
                Some(Ok(Message::Binary(bytes))) => Frame::Binary(bytes.to_vec()),
                Some(Ok(Message::Close(frame))) => Frame::Close(frame.map(|f| u16::from(f.code))),
                Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => continue,
            };
            return frame;
        }
    }

    /// The next frame of type `kind` for which `matches` holds; frames before it are kept in
    /// [`Socket::seen`] and returned first.
    pub async fn until(
        &mut self,
        kind: &str,
        matches: impl Fn(&Value) -> bool,
    ) -> (Vec<Value>, Value) {
        let mut before = Vec::new();
        loop {
            match self.next().await {
                Frame::Json(v) if v["type"] == kind && matches(&v) => return (before, v),
                Frame::Json(v) => before.push(v),
                other => panic!("waiting for `{kind}`, got {other:?} after {before:#?}"),
            }
        }
    }

    /// The next frame of type `kind` (others are skipped).
    pub async fn expect(&mut self, kind: &str) -> Value {
        self.until(kind, |_| true).await.1
    }

    /// The next frame of type `kind` about session `session_id` (others are skipped).
    pub async fn expect_for(&mut self, kind: &str, session_id: &str) -> Value {
        self.until(kind, |v| v["session_id"] == session_id).await.1
    }

    /// Reads until the server closes; returns the close code (`None` if the connection ended
    /// without a close frame).
    pub async fn close_code(&mut self) -> Option<u16> {
        loop {
            match self.next().await {
                Frame::Close(code) => return code,
                Frame::Gone => return None,
                _ => continue,
            }
        }
    }

    /// Every JSON frame this socket received so far (including `ready`).
    pub fn seen(&self) -> &[Value] {
        &self.seen
    }

    /// The frames received so far of type `kind` about `session_id`.
    pub fn seen_for(&self, kind: &str, session_id: &str) -> Vec<&Value> {
        self.seen
            .iter()
            .filter(|v| v["type"] == kind && v["session_id"] == session_id)
            .collect()
    }
}
