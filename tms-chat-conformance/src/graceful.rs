//! The graceful-shutdown check every adapter's `serve` passes: a request in flight when the
//! shutdown signal comes is still answered, then `serve` returns.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, Notify};

/// A slow endpoint's two signals: it calls `entered` when the request reached it, then waits
/// for `release` before answering `done`.
#[derive(Clone, Default)]
pub struct SlowGate {
    /// Notified by the endpoint once the request is in flight.
    pub entered: Arc<Notify>,
    /// The endpoint answers once this is notified.
    pub release: Arc<Notify>,
}

impl SlowGate {
    /// What the adapter's slow endpoint runs: announce, wait, answer.
    pub async fn pass(&self) -> &'static str {
        self.entered.notify_one();
        self.release.notified().await;
        "done"
    }
}

/// Serves a slow `GET /slow` with `serve(listener, gate, shutdown)`, signals shutdown while a
/// request is in flight, and checks the request is answered and `serve` returns in time.
pub async fn in_flight_requests_finish<S, F>(serve: S)
where
    S: FnOnce(TcpListener, SlowGate, Box<dyn Future<Output = ()> + Send + Unpin>) -> F,
    F: Future<Output = std::io::Result<()>> + Send + 'static,
{
    let gate = SlowGate::default();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let (stop, stopped) = oneshot::channel::<()>();
    let shutdown = Box::new(Box::pin(async {
        let _ = stopped.await;
    }));
    let server = tokio::spawn(serve(listener, gate.clone(), shutdown));
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
