//! Bridges poem's WebSocket to the core's frame stream/sink ([`bridge_socket`]), with the
//! API's socket limits ([`ChatApi::socket_limits`]). What stays here is poem's message type.

use poem::web::websocket::{CloseCode, Message, WebSocket, WebSocketConfig};
use poem::{IntoResponse, Response};
use tms_chat_core::protocol::{bridge_socket, ChatApi, SocketGrant, WsFrame};

/// Upgrades with the configured limits and runs the socket.
pub(crate) fn upgrade(api: ChatApi, grant: SocketGrant, ws: WebSocket) -> Response {
    let limits = api.socket_limits();
    let config = WebSocketConfig::default()
        .read_buffer_size(limits.read_buffer_bytes)
        .write_buffer_size(limits.write_buffer_bytes)
        .max_write_buffer_size(limits.max_write_buffer_bytes)
        .max_message_size(Some(limits.max_message_bytes))
        .max_frame_size(Some(limits.max_message_bytes));
    ws.config(config)
        .on_upgrade(move |socket| {
            // The future as it is: an `async` block here would keep `socket` for the
            // connection's life (see `ChatApi::run_socket`).
            api.run_socket(grant, bridge_socket(socket, to_poem, from_poem))
        })
        .into_response()
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
