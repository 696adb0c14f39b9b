//! # tms-chat-conformance
//!
//! One suite, every adapter: real HTTP (reqwest) and WebSocket (tokio-tungstenite) clients
//! drive a live server through the endpoints and events of `docs/protocol.md`, the error
//! cases, CORS and domain refusal, and tenant isolation. An adapter's test file calls
//! [`conformance_suite!`] with a function that mounts a [`ChatApi`] and serves it on
//! `127.0.0.1:0`; the macro expands into one test per case, on SQLite, and on PostgreSQL when
//! `DATABASE_URL` is set.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test harness: a panic is a failed test.

pub mod cases;
mod fixture;

pub use fixture::{Fixture, Socket};
pub use tms_chat_core::protocol::ChatApi;

/// Expands into one `#[tokio::test]` per conformance case for an adapter. `$mount` is an
/// `async fn(ChatApi) -> std::net::SocketAddr` that serves the API with the adapter.
#[macro_export]
macro_rules! conformance_suite {
    ($mount:path) => {
        $crate::conformance_suite!(@cases $mount;
            rest_session_lifecycle_matches_the_guide,
            errors_are_json_with_stable_codes,
            cors_grants_only_the_widgets_origins,
            tenants_never_see_each_others_objects,
            customer_tokens_reach_only_their_own_session,
            websocket_events_reach_exactly_the_right_connections,
            malformed_frames_get_errors_and_oversized_frames_close_with_1009,
            resume_replays_and_client_message_ids_are_idempotent,
            attachments_are_typed_by_content_and_served_safely,
            customers_never_receive_notes,
            widgets_crud_and_embed_code,
            health_probes_answer,
        );
    };
    (@cases $mount:path; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let fixture = $crate::Fixture::sqlite(|api| Box::pin($mount(api))).await;
                $crate::cases::$case(&fixture).await;
                match $crate::Fixture::postgres(|api| Box::pin($mount(api))).await {
                    Some(fixture) => $crate::cases::$case(&fixture).await,
                    None => $crate::skip_postgres(stringify!($case)),
                }
            }
        )*
    };
}

/// Says plainly that the PostgreSQL half was skipped (or fails in CI, where it must run).
pub fn skip_postgres(case: &str) {
    if std::env::var_os("TMS_CHAT_REQUIRE_ALL_TESTS").is_some() {
        panic!("{case}: DATABASE_URL is not set and TMS_CHAT_REQUIRE_ALL_TESTS is");
    }
    eprintln!("skipped: {case} on PostgreSQL: DATABASE_URL not set (conformance)");
}
