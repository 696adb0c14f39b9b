//! Serving a router with TCP_NODELAY on every accepted socket (without it, Nagle's algorithm
//! and delayed ACKs add ~40 ms stalls to chat frames), the peer address of each connection
//! (axum's `ConnectInfo`, the client address of the abuse limits) and graceful shutdown.

use axum::Router;
use std::future::Future;

/// Serves `router` on `listener` until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::debug!(%error, "could not set TCP_NODELAY");
        }
    });
    let app = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
