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
    let acceptor = Guarded {
        acceptor: TcpAcceptor::from_tokio(listener)?,
        timeouts,
    };
    Server::new_with_acceptor(acceptor)
        .run_with_graceful_shutdown(route, shutdown, Some(Duration::from_secs(30)))
        .await
}

/// Sets TCP_NODELAY on every accepted connection and guards it with the timeouts.
struct Guarded {
    acceptor: TcpAcceptor,
    timeouts: ConnectionTimeouts,
}

impl Acceptor for Guarded {
    type Io = GuardedIo<tokio::net::TcpStream>;

    fn local_addr(&self) -> Vec<LocalAddr> {
        self.acceptor.local_addr()
    }

    async fn accept(&mut self) -> std::io::Result<(Self::Io, LocalAddr, RemoteAddr, Scheme)> {
        let (io, local, remote, scheme) = self.acceptor.accept().await?;
        if let Err(error) = io.set_nodelay(true) {
            tracing::debug!(%error, "could not set TCP_NODELAY");
        }
        Ok((GuardedIo::new(io, self.timeouts), local, remote, scheme))
    }
}
