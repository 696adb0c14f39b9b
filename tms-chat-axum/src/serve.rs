//! Serving a router: TCP_NODELAY on every accepted socket (without it, Nagle's algorithm and
//! delayed ACKs add ~40 ms stalls to chat frames), the core's connection timeouts on every
//! connection ([`GuardedIo`]: a request head must arrive within its deadline, which also
//! closes idle keep-alive connections), the peer address of each connection (axum's
//! `ConnectInfo`, the client address of the abuse limits) and graceful shutdown.

use axum::serve::{Listener, ListenerExt};
use axum::Router;
use std::future::Future;
use tms_chat_core::protocol::{ConnectionTimeouts, GuardedIo};
use tokio::io::{AsyncRead, AsyncWrite};

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
    serve_wrapped(listener, router, shutdown, timeouts, |tcp| tcp).await
}

/// [`serve_with`] over connections that `wrap` turns into another stream first (TLS: the
/// reference server's `--tls-cert`), so the timeouts guard what the wrapper reads. `wrap`
/// runs inside the accept loop: it must not wait (a TLS wrapper shakes hands on first use).
pub async fn serve_wrapped<W, Io>(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    timeouts: ConnectionTimeouts,
    wrap: W,
) -> std::io::Result<()>
where
    W: Fn(tokio::net::TcpStream) -> Io + Send + Sync + 'static,
    Io: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    // A tap that does nothing: axum derives `ConnectInfo<SocketAddr>` for a tapped listener.
    let listener = Guarded {
        listener,
        timeouts,
        wrap,
        wraps_into: std::marker::PhantomData,
    }
    .tap_io(|_| {});
    let app = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// A TCP listener whose connections get TCP_NODELAY, are wrapped, and are guarded by the
/// connection timeouts.
struct Guarded<W, Io> {
    listener: tokio::net::TcpListener,
    timeouts: ConnectionTimeouts,
    wrap: W,
    wraps_into: std::marker::PhantomData<fn() -> Io>,
}

impl<W, Io> Listener for Guarded<W, Io>
where
    W: Fn(tokio::net::TcpStream) -> Io + Send + Sync + 'static,
    Io: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Io = GuardedIo<Io>;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (tcp, addr) = Listener::accept(&mut self.listener).await;
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::debug!(%error, "could not set TCP_NODELAY");
        }
        (GuardedIo::new((self.wrap)(tcp), self.timeouts), addr)
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.listener.local_addr()
    }
}
