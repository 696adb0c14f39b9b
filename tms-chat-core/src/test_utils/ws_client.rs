//! [`SocketClient`]: one end of an in-process socket to [`ChatApi::run_socket`], over
//! channels, so the whole WebSocket sub-protocol is tested without a network or a web
//! framework (adapters are tested over real sockets by `tms-chat-conformance`).

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::channel::mpsc;
use futures::{Sink, Stream, StreamExt};
use serde_json::{json, Value};

use crate::protocol::{ApiRequest, ChatApi, SocketError, WsFrame};

/// How long the client waits for a frame it expects before failing (a hang guard, not a
/// timing assertion: every expected frame is due at once).
const PATIENCE: Duration = Duration::from_secs(5);

/// The server half of an in-process socket: a Stream + Sink of frames.
struct ServerEnd {
    incoming: mpsc::UnboundedReceiver<Result<WsFrame, SocketError>>,
    outgoing: mpsc::UnboundedSender<WsFrame>,
}

impl Stream for ServerEnd {
    type Item = Result<WsFrame, SocketError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.incoming.poll_next_unpin(cx)
    }
}

impl Sink<WsFrame> for ServerEnd {
    type Error = SocketError;

    fn poll_ready(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), SocketError>> {
        Poll::Ready(Ok(()))
    }

    fn start_send(self: Pin<&mut Self>, item: WsFrame) -> Result<(), SocketError> {
        self.outgoing
            .unbounded_send(item)
            .map_err(|e| SocketError::Other(e.to_string()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), SocketError>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), SocketError>> {
        Poll::Ready(Ok(()))
    }
}

/// The client end of an in-process socket to [`ChatApi::run_socket`].
///
/// A test proves that a frame did *not* arrive with [`SocketClient::barrier`] (or
/// [`SocketClient::assert_nothing_arrived`]) instead of sleeping: it sends a `ping` with a
/// fresh `request_id` and reads up to the matching `pong`. The connection delivers every
/// event queued for it before it handles a client frame, so everything routed to the socket
/// before the `ping` arrives before the `pong`. (Work still in flight when the ping is sent —
/// a send not yet committed — can come later: a test awaits its ack first.)
pub struct SocketClient {
    tx: mpsc::UnboundedSender<Result<WsFrame, SocketError>>,
    rx: mpsc::UnboundedReceiver<WsFrame>,
    barriers: u64,
}

impl std::fmt::Debug for SocketClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SocketClient").finish_non_exhaustive()
    }
}

impl SocketClient {
    /// Authorises `request` as a socket upgrade and runs the connection on a spawned task;
    /// panics when the upgrade is refused.
    pub async fn connect(api: &ChatApi, request: ApiRequest) -> SocketClient {
        let grant = api
            .authorize_socket(&request)
            .await
            .expect("socket authorised");
        let (tx, incoming) = mpsc::unbounded();
        let (outgoing, rx) = mpsc::unbounded();
        let api = api.clone();
        tokio::spawn(async move {
            api.run_socket(grant, ServerEnd { incoming, outgoing })
                .await
        });
        SocketClient {
            tx,
            rx,
            barriers: 0,
        }
    }

    /// Sends a JSON text frame.
    pub fn send(&self, frame: Value) {
        self.send_frame(WsFrame::Text(frame.to_string()));
    }

    /// Sends any frame.
    pub fn send_frame(&self, frame: WsFrame) {
        self.tx
            .unbounded_send(Ok(frame))
            .expect("socket task still reading");
    }

    /// Makes the server's read fail as an adapter's would (for example a frame above the
    /// framework's size limit).
    pub fn send_read_error(&self, error: SocketError) {
        self.tx
            .unbounded_send(Err(error))
            .expect("socket task still reading");
    }

    /// The next frame of any kind; panics after a few seconds without one or when the
    /// connection ended.
    pub async fn next_frame(&mut self) -> WsFrame {
        tokio::time::timeout(PATIENCE, self.rx.next())
            .await
            .unwrap_or_else(|_| panic!("a frame within {PATIENCE:?}"))
            .expect("socket open")
    }

    /// Reads up to the server's close frame and returns its status code (`None` for a
    /// close frame without one); panics when the connection ends without one.
    pub async fn expect_close(&mut self) -> Option<u16> {
        loop {
            if let WsFrame::Close(close) = self.next_frame().await {
                return close.map(|(code, _)| code);
            }
        }
    }

    /// The next JSON text frame (other frames are skipped).
    pub async fn expect_any(&mut self) -> Value {
        loop {
            if let WsFrame::Text(text) = self.next_frame().await {
                return serde_json::from_str(&text).expect("server frames are JSON");
            }
        }
    }

    /// The next JSON frame of type `kind` (others are skipped).
    pub async fn expect(&mut self, kind: &str) -> Value {
        loop {
            let frame = self.expect_any().await;
            if frame["type"] == kind {
                return frame;
            }
        }
    }

    /// Returns the JSON frames sent to the socket before this call that were not read yet
    /// (see [`SocketClient`] for what it can miss).
    pub async fn barrier(&mut self) -> Vec<Value> {
        self.ping_round_trip().await
    }

    /// Sends a `ping` and returns the JSON frames that arrived before its `pong`.
    async fn ping_round_trip(&mut self) -> Vec<Value> {
        self.barriers += 1;
        let request_id = format!("barrier-{}", self.barriers);
        self.send(json!({"type": "ping", "request_id": request_id}));
        let mut before = Vec::new();
        loop {
            let frame = self.expect_any().await;
            if frame["type"] == "pong" && frame["request_id"] == request_id.as_str() {
                return before;
            }
            before.push(frame);
        }
    }

    /// Asserts that nothing was sent to the socket that was not read yet: the next frames
    /// are the barrier's `pong`s.
    pub async fn assert_nothing_arrived(&mut self) {
        let arrived = self.barrier().await;
        assert!(arrived.is_empty(), "expected nothing, got {arrived:#?}");
    }
}
