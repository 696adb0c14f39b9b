//! Reading a real WebSocket in the end-to-end tests: the next frame of a given type.

#![allow(dead_code)] // Each test binary uses what it needs.

use futures::StreamExt;
use serde_json::Value;
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::server::Server;

/// A client socket of the end-to-end tests.
pub(crate) type Socket = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

/// The customer socket of `token`'s session on `node`, opened from `origin`, after `ready`.
pub(crate) async fn customer_socket(
    node: &Server,
    widget_id: &str,
    token: &str,
    origin: &str,
) -> Socket {
    let url = format!(
        "{}/v1/chat/public/widgets/{widget_id}/ws?token={token}",
        node.base.replace("http", "ws")
    );
    let mut request = url.into_client_request().expect("a socket URL");
    request
        .headers_mut()
        .insert("origin", origin.parse().expect("an origin header"));
    let (mut ws, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("the customer socket opens");
    next_event(&mut ws, "ready").await;
    ws
}

/// The next JSON frame whose `type` is `wanted` (others skipped), within 10 s.
pub(crate) async fn next_event(
    ws: &mut (impl StreamExt<Item = Result<Message, Error>> + Unpin),
    wanted: &str,
) -> Value {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .unwrap_or_else(|_| panic!("no {wanted} event within 10 s"))
            .expect("socket open")
            .expect("frame");
        if let Message::Text(text) = msg {
            let v: Value = serde_json::from_str(&text).expect("a JSON frame");
            if v["type"] == wanted {
                return v;
            }
        }
    }
}
