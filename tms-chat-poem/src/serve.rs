//! Serving a route: TCP_NODELAY on every accepted socket (without it, Nagle's algorithm and
//! delayed ACKs add ~40 ms stalls to chat frames), the core's connection timeouts on every
//! connection ([`GuardedIo`]: a request head must arrive within its deadline, which also
//! closes idle keep-alive connections) and graceful shutdown.

use poem::http::uri::Scheme;
use poem::listener::{Acceptor, TcpAcceptor};
use poem::web::{LocalAddr, RemoteAddr};
use poem::{Route, Server};
use std::future::Future;
use std::time::Duration;
use tms_chat_core::protocol::{ConnectionTimeouts, GuardedIo};
use tokio::io::{AsyncRead, AsyncWrite};

/// Serves `route` on `listener` until `shutdown` resolves, then finishes in-flight requests
/// (for at most 30 s); with the default [`ConnectionTimeouts`].
pub async fn serve(
    listener: tokio::net::TcpListener,
    route: Route,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, route, shutdown, ConnectionTimeouts::default()).await
}

/// [`serve`] with the given connection timeouts.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    route: Route,
    shutdown: impl Future<Output = ()> + Send + 'static,
    timeouts: ConnectionTimeouts,
) -> std::io::Result<()> {
    serve_wrapped(
        listener,
        route,
        shutdown,
        timeouts,
        (|tcp| tcp, Scheme::HTTP),
    )
    .await
}

/// [`serve_with`] over connections that `wrap.0` turns into another stream first (TLS: the
/// reference server's `--tls-cert`), so the timeouts guard what the wrapper reads; `wrap.1`
/// is the scheme requests arrive with (`https` behind TLS). `wrap.0` runs inside the accept
/// loop: it must not wait (a TLS wrapper shakes hands on first use).
pub async fn serve_wrapped<W, Io>(
    listener: tokio::net::TcpListener,
    route: Route,
    shutdown: impl Future<Output = ()> + Send + 'static,
    timeouts: ConnectionTimeouts,
    wrap: (W, Scheme),
) -> std::io::Result<()>
where
    W: Fn(tokio::net::TcpStream) -> Io + Send + Sync + 'static,
    Io: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let acceptor = Guarded {
        acceptor: TcpAcceptor::from_tokio(listener)?,
        timeouts,
        wrap: wrap.0,
        scheme: wrap.1,
        wraps_into: std::marker::PhantomData,
    };
    Server::new_with_acceptor(acceptor)
        .run_with_graceful_shutdown(route, shutdown, Some(Duration::from_secs(30)))
        .await
}

/// Sets TCP_NODELAY on every accepted connection, wraps it and guards it with the timeouts.
struct Guarded<W, Io> {
    acceptor: TcpAcceptor,
    timeouts: ConnectionTimeouts,
    wrap: W,
    scheme: Scheme,
    wraps_into: std::marker::PhantomData<fn() -> Io>,
}

impl<W, Io> Acceptor for Guarded<W, Io>
where
    W: Fn(tokio::net::TcpStream) -> Io + Send + Sync + 'static,
    Io: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Io = GuardedIo<Io>;

    fn local_addr(&self) -> Vec<LocalAddr> {
        self.acceptor.local_addr()
    }

    async fn accept(&mut self) -> std::io::Result<(Self::Io, LocalAddr, RemoteAddr, Scheme)> {
        let (io, local, remote, _) = self.acceptor.accept().await?;
        if let Err(error) = io.set_nodelay(true) {
            tracing::debug!(%error, "could not set TCP_NODELAY");
        }
        let io = GuardedIo::new((self.wrap)(io), self.timeouts);
        Ok((io, local, remote, self.scheme.clone()))
    }
}
