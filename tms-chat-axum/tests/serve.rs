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
