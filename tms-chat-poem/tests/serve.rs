//! `tms_chat_poem::serve`: graceful shutdown lets the request in flight finish, then returns
//! (the shared check in `tms_chat_conformance::graceful`).

use poem::{handler, web::Data, EndpointExt};
use tms_chat_conformance::graceful::{in_flight_requests_finish, SlowGate};

#[handler]
async fn slow(gate: Data<&SlowGate>) -> &'static str {
    gate.pass().await
}

#[tokio::test]
async fn serve_finishes_requests_in_flight_then_returns_after_shutdown() {
    in_flight_requests_finish(|listener, gate, shutdown| {
        let route = poem::Route::new().at("/slow", poem::get(slow).data(gate));
        tms_chat_poem::serve(listener, route, shutdown)
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
    let route = tms_chat_poem::route(api);
    tokio::spawn(tms_chat_poem::serve_with(
        listener,
        route,
        std::future::pending(),
        timeouts,
    ));
    timeouts::every_slow_client_is_cut_off(addr, limit).await;
}
