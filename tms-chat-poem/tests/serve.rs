//! `tms_chat_poem::serve`: graceful shutdown lets the request in flight finish, then returns.

use poem::{handler, web::Data, EndpointExt};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{oneshot, Notify};

#[derive(Clone)]
struct Gate {
    entered: Arc<Notify>,
    release: Arc<Notify>,
}

#[handler]
async fn slow(gate: Data<&Gate>) -> &'static str {
    gate.entered.notify_one();
    gate.release.notified().await;
    "done"
}

#[tokio::test]
async fn serve_finishes_requests_in_flight_then_returns_after_shutdown() {
    let gate = Gate {
        entered: Arc::new(Notify::new()),
        release: Arc::new(Notify::new()),
    };
    let route = poem::Route::new().at("/slow", poem::get(slow).data(gate.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(tms_chat_poem::serve(listener, route, async {
        let _ = stopped.await;
    }));
    let request = tokio::spawn(reqwest::get(format!("http://{addr}/slow")));
    gate.entered.notified().await;
    stop.send(()).expect("server running");
    gate.release.notify_one();
    let response = request
        .await
        .expect("request task")
        .expect("the request in flight is answered");
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.expect("body"), "done");
    tokio::time::timeout(Duration::from_secs(40), server)
        .await
        .expect("serve returns after shutdown")
        .expect("serve task")
        .expect("serve ends without error");
}
