//! Bridges axum's WebSocket to the core's frame stream/sink ([`bridge_socket`]), with the
//! API's socket limits ([`ChatApi::socket_limits`]). What stays here is axum's message type.

use axum::extract::ws::{CloseFrame, Message, WebSocketUpgrade};
use axum::response::Response;
use tms_chat_core::protocol::{bridge_socket, ChatApi, SocketGrant, WsFrame};

/// Upgrades with the configured limits and runs the socket.
pub(crate) fn upgrade(api: ChatApi, grant: SocketGrant, upgrade: WebSocketUpgrade) -> Response {
    let limits = api.socket_limits();
    upgrade
        .read_buffer_size(limits.read_buffer_bytes)
        .write_buffer_size(limits.write_buffer_bytes)
        .max_write_buffer_size(limits.max_write_buffer_bytes)
        .max_message_size(limits.max_message_bytes)
        .max_frame_size(limits.max_message_bytes)
        .on_upgrade(move |socket| {
            // The future as it is: an `async` block here would keep `socket` for the
            // connection's life (see `ChatApi::run_socket`).
            api.run_socket(grant, bridge_socket(socket, to_axum, from_axum))
        })
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
