//! Reading a real WebSocket in the end-to-end tests: the next frame of a given type.

#![allow(dead_code)] // Each test binary uses what it needs.

use futures::StreamExt;
use serde_json::Value;
use std::time::Duration;
use tokio_tungstenite::tungstenite::{Error, Message};

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
