//! Bridges poem's WebSocket to the core's frame stream/sink, with the API's buffer and size
//! limits (small read buffer, explicit frame and message limits).

use futures::{SinkExt, StreamExt};
use poem::web::websocket::{CloseCode, Message, WebSocket, WebSocketConfig, WebSocketStream};
use poem::{IntoResponse, Response};
use tms_chat_core::protocol::{ChatApi, SocketError, SocketGrant, WsFrame};

/// Upgrades with the configured limits and runs the socket.
pub(crate) fn upgrade(api: ChatApi, grant: SocketGrant, ws: WebSocket) -> Response {
    let limits = api.config().clone();
    let config = WebSocketConfig::default()
        .read_buffer_size(limits.socket_read_buffer_bytes)
        .write_buffer_size(0)
        .max_write_buffer_size(limits.max_frame_bytes.saturating_mul(16).max(1 << 20))
        .max_message_size(Some(limits.max_frame_bytes))
        .max_frame_size(Some(limits.max_frame_bytes));
    ws.config(config)
        .on_upgrade(move |socket| async move { api.run_socket(grant, bridge(socket)).await })
        .into_response()
}

fn bridge(
    socket: WebSocketStream,
) -> impl futures::Stream<Item = Result<WsFrame, SocketError>>
       + futures::Sink<WsFrame, Error = SocketError>
       + Send
       + Unpin
       + 'static {
    socket
        .sink_map_err(|e| SocketError::Other(e.to_string()))
        .with(|frame: WsFrame| futures::future::ready(Ok::<_, SocketError>(to_poem(frame))))
        .map(|item| item.map(from_poem).map_err(read_error))
}

fn from_poem(message: Message) -> WsFrame {
    match message {
        Message::Text(text) => WsFrame::Text(text),
        Message::Binary(bytes) => WsFrame::Binary(bytes),
        Message::Ping(bytes) => WsFrame::Ping(bytes),
        Message::Pong(bytes) => WsFrame::Pong(bytes),
        Message::Close(frame) => {
            WsFrame::Close(frame.map(|(code, reason)| (u16::from(code), reason)))
        }
    }
}

fn to_poem(frame: WsFrame) -> Message {
    match frame {
        WsFrame::Text(text) => Message::Text(text),
        WsFrame::Binary(bytes) => Message::Binary(bytes),
        WsFrame::Ping(bytes) => Message::Ping(bytes),
        WsFrame::Pong(bytes) => Message::Pong(bytes),
        WsFrame::Close(frame) => {
            Message::Close(frame.map(|(code, reason)| (CloseCode::from(code), reason)))
        }
    }
}

/// tungstenite reports an over-limit frame or message as a capacity error.
fn read_error(error: std::io::Error) -> SocketError {
    SocketError::from_read_error(error.to_string())
}
