//! Serving a router: TCP_NODELAY on every accepted socket (without it, Nagle's algorithm and
//! delayed ACKs add ~40 ms stalls to chat frames), the core's connection timeouts on every
//! connection ([`GuardedIo`]: a request head must arrive within its deadline, which also
//! closes idle keep-alive connections), the peer address of each connection (axum's
//! `ConnectInfo`, the client address of the abuse limits) and graceful shutdown.

use axum::serve::{Listener, ListenerExt};
use axum::Router;
use std::future::Future;
use tms_chat_core::protocol::{ConnectionTimeouts, GuardedIo};

/// Serves `router` on `listener` until `shutdown` resolves, then finishes in-flight requests;
/// with the default [`ConnectionTimeouts`].
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, router, shutdown, ConnectionTimeouts::default()).await
}

/// [`serve`] with the given connection timeouts.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    timeouts: ConnectionTimeouts,
) -> std::io::Result<()> {
    let listener = Guarded { listener, timeouts }.tap_io(|io| {
        if let Err(error) = io.get_ref().set_nodelay(true) {
            tracing::debug!(%error, "could not set TCP_NODELAY");
        }
    });
    let app = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// A TCP listener whose connections are guarded by the connection timeouts.
struct Guarded {
    listener: tokio::net::TcpListener,
    timeouts: ConnectionTimeouts,
}

impl Listener for Guarded {
    type Io = GuardedIo<tokio::net::TcpStream>;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (tcp, addr) = Listener::accept(&mut self.listener).await;
        (GuardedIo::new(tcp, self.timeouts), addr)
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.listener.local_addr()
    }
}
