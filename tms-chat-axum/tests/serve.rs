//! `tms_chat_axum::serve`: graceful shutdown lets the request in flight finish, then returns.

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{oneshot, Notify};

#[tokio::test]
async fn serve_finishes_requests_in_flight_then_returns_after_shutdown() {
    let entered = Arc::new(Notify::new());
    let release = Arc::new(Notify::new());
    let (e, r) = (entered.clone(), release.clone());
    let app = axum::Router::new().route(
        "/slow",
        axum::routing::get(move || async move {
            e.notify_one();
            r.notified().await;
            "done"
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(tms_chat_axum::serve(listener, app, async {
        let _ = stopped.await;
    }));
    let request = tokio::spawn(reqwest::get(format!("http://{addr}/slow")));
    entered.notified().await;
    stop.send(()).expect("server running");
    release.notify_one();
    let response = request
        .await
        .expect("request task")
        .expect("the request in flight is answered");
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.expect("body"), "done");
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("serve returns after shutdown")
        .expect("serve task")
        .expect("serve ends without error");
}
