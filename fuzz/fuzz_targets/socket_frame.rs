//! Any text as one client frame on an agent socket and on a customer socket (in process,
//! through `ChatApi::run_socket`, so the real frame decoder, NUL refusal and dispatch): the
//! socket answers it (an event, an ack or an `error` event) and stays usable — the next
//! `ping` gets its `pong` — and never answers an `internal` error. Frames over the 64 KiB
//! limit close the socket by design; libFuzzer's inputs stay below it (`-max_len`).

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use std::sync::Mutex;
use tms_chat_core::protocol::{ApiRequest, WsFrame};
use tms_chat_core::test_utils::SocketClient;

struct Sockets {
    agent: SocketClient,
    customer: SocketClient,
}

static SOCKETS: Mutex<Option<Sockets>> = Mutex::new(None);

async fn open(world: &common::World) -> Sockets {
    let agent = ApiRequest::new("GET", "/v1/chat/ws")
        .with_header("authorization", "Bearer admin-token");
    let mut agent = SocketClient::connect(&world.api, agent).await;
    agent.expect("ready").await;
    let path = format!("/v1/chat/public/widgets/{}/sessions", world.widget);
    let start = ApiRequest::new("POST", &path)
        .with_header("origin", "https://shop.example.com")
        .with_json(&serde_json::json!({"customer_name": "Ann"}));
    let started = world.api.handle(start).await;
    let started: serde_json::Value = serde_json::from_slice(&started.body).expect("a session");
    let token = started["customer_token"].as_str().expect("a token");
    let path = format!("/v1/chat/public/widgets/{}/ws?token={token}", world.widget);
    let request = ApiRequest::new("GET", &path).with_header("origin", "https://shop.example.com");
    let mut customer = SocketClient::connect(&world.api, request).await;
    customer.expect("ready").await;
    Sockets { agent, customer }
}

async fn answer(socket: &mut SocketClient, text: &str) {
    socket.send_frame(WsFrame::Text(text.to_owned()));
    for frame in socket.barrier().await {
        assert_ne!(frame["code"], "internal", "{text:?} -> {frame}");
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let world = common::world();
    let mut sockets = SOCKETS.lock().unwrap_or_else(|e| e.into_inner());
    world.runtime.block_on(async {
        if sockets.is_none() {
            *sockets = Some(open(world).await);
        }
        if let Some(s) = sockets.as_mut() {
            answer(&mut s.agent, text).await;
            answer(&mut s.customer, text).await;
        }
    });
});
