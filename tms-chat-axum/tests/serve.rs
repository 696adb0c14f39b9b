//! `tms_chat_axum::serve`: graceful shutdown lets the request in flight finish, then returns
//! (the shared check in `tms_chat_conformance::graceful`).

use tms_chat_conformance::graceful::{in_flight_requests_finish, SlowGate};

#[tokio::test]
async fn serve_finishes_requests_in_flight_then_returns_after_shutdown() {
    in_flight_requests_finish(|listener, gate: SlowGate, shutdown| {
        let app = axum::Router::new().route(
            "/slow",
            axum::routing::get(move || async move { gate.pass().await }),
        );
        tms_chat_axum::serve(listener, app, shutdown)
    })
    .await;
}

/// `serve_with`: a slow head, an idle keep-alive connection and a stalled body are cut off
/// at their deadlines; an open socket is not (`tms_chat_conformance::timeouts`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_heads_idle_connections_and_stalled_bodies_are_cut_off() {
    use std::time::Duration;
    use tms_chat_conformance::timeouts;
    use tms_chat_core::protocol::ConnectionTimeouts;
    let limit = Duration::from_millis(800);
    let api = timeouts::api_with_stall_timeout(limit);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    let timeouts = ConnectionTimeouts {
        request_head: limit,
    };
    let router = tms_chat_axum::router(api);
    tokio::spawn(tms_chat_axum::serve_with(
        listener,
        router,
        std::future::pending(),
        timeouts,
    ));
    timeouts::every_slow_client_is_cut_off(addr, limit).await;
}
