//! Any bytes as the JSON body of starting a session, creating a widget and sending a message,
//! and as the session list's query: the answer is 2xx or a 4xx JSON error with a code, never
//! a 5xx or a panic.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use tms_chat_core::protocol::{ApiRequest, ApiResponse};

fn assert_typed(what: &str, response: &ApiResponse) {
    assert!(
        response.status < 500,
        "{what}: {} {}",
        response.status,
        String::from_utf8_lossy(&response.body)
    );
    if response.status >= 400 {
        let body: serde_json::Value =
            serde_json::from_slice(&response.body).expect("an error body is JSON");
        assert!(body["error"]["code"].is_string(), "{what}: {body}");
    }
}

fuzz_target!(|data: &[u8]| {
    let world = common::world();
    world.runtime.block_on(async {
        let path = format!("/v1/chat/public/widgets/{}/sessions", world.widget);
        let mut start = ApiRequest::new("POST", &path)
            .with_header("origin", "https://shop.example.com")
            .with_header("content-type", "application/json");
        start.body = data.to_vec().into();
        assert_typed("start", &world.api.handle(start).await);
        let mut create = ApiRequest::new("POST", "/v1/chat/widgets")
            .with_header("authorization", "Bearer admin-token")
            .with_header("content-type", "application/json");
        create.body = data.to_vec().into();
        assert_typed("create widget", &world.api.handle(create).await);
        let query = String::from_utf8_lossy(data);
        let list = ApiRequest::new("GET", &format!("/v1/chat/sessions?{query}"))
            .with_header("authorization", "Bearer admin-token");
        assert_typed("list", &world.api.handle(list).await);
    });
});

