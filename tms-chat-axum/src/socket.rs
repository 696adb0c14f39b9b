//! Bridges axum's WebSocket to the core's frame stream/sink, with the API's buffer and size
//! limits (small read buffer, explicit frame and message limits).

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use futures::{SinkExt, StreamExt};
use tms_chat_core::protocol::{ChatApi, SocketError, SocketGrant, WsFrame};

/// Upgrades with the configured limits and runs the socket.
pub(crate) fn upgrade(api: ChatApi, grant: SocketGrant, upgrade: WebSocketUpgrade) -> Response {
    let config = api.config().clone();
    upgrade
        .read_buffer_size(config.socket_read_buffer_bytes)
        .write_buffer_size(0)
        .max_write_buffer_size(config.max_frame_bytes.saturating_mul(16).max(1 << 20))
        .max_message_size(config.max_frame_bytes)
        .max_frame_size(config.max_frame_bytes)
        .on_upgrade(move |socket| async move { api.run_socket(grant, bridge(socket)).await })
}

fn bridge(
    socket: WebSocket,
) -> impl futures::Stream<Item = Result<WsFrame, SocketError>>
       + futures::Sink<WsFrame, Error = SocketError>
       + Send
       + Unpin
       + 'static {
    socket
        .sink_map_err(|e| SocketError::Other(e.to_string()))
        .with(|frame: WsFrame| futures::future::ready(Ok::<_, SocketError>(to_axum(frame))))
        .map(|item| item.map(from_axum).map_err(read_error))
}

fn from_axum(message: Message) -> WsFrame {
    match message {
        Message::Text(text) => WsFrame::Text(text.as_str().to_owned()),
        Message::Binary(bytes) => WsFrame::Binary(bytes.to_vec()),
        Message::Ping(bytes) => WsFrame::Ping(bytes.to_vec()),
        Message::Pong(bytes) => WsFrame::Pong(bytes.to_vec()),
        Message::Close(frame) => {
            WsFrame::Close(frame.map(|f| (f.code, f.reason.as_str().to_owned())))
        }
    }
}

fn to_axum(frame: WsFrame) -> Message {
    match frame {
        WsFrame::Text(text) => Message::Text(text.into()),
        WsFrame::Binary(bytes) => Message::Binary(bytes.into()),
        WsFrame::Ping(bytes) => Message::Ping(bytes.into()),
        WsFrame::Pong(bytes) => Message::Pong(bytes.into()),
        WsFrame::Close(frame) => Message::Close(frame.map(|(code, reason)| CloseFrame {
            code,
            reason: reason.into(),
        })),
    }
}

/// tungstenite reports an over-limit frame or message as a capacity error; axum wraps it, so
/// it is recognised by its text ("Space limit exceeded: Message too long").
fn read_error(error: axum::Error) -> SocketError {
    SocketError::from_read_error(error.to_string())
}
