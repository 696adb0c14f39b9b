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
