//! Serving a route with TCP_NODELAY on every accepted socket (without it, Nagle's algorithm
//! and delayed ACKs add ~40 ms stalls to chat frames) and graceful shutdown.

use poem::http::uri::Scheme;
use poem::listener::{Acceptor, TcpAcceptor};
use poem::web::{LocalAddr, RemoteAddr};
use poem::{Route, Server};
use std::future::Future;
use std::time::Duration;

/// Serves `route` on `listener` until `shutdown` resolves, then finishes in-flight requests
/// (for at most 30 s).
pub async fn serve(
    listener: tokio::net::TcpListener,
    route: Route,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let acceptor = NoDelay(TcpAcceptor::from_tokio(listener)?);
    Server::new_with_acceptor(acceptor)
        .run_with_graceful_shutdown(route, shutdown, Some(Duration::from_secs(30)))
        .await
}

/// Sets TCP_NODELAY on every accepted connection.
struct NoDelay(TcpAcceptor);

impl Acceptor for NoDelay {
    type Io = tokio::net::TcpStream;

    fn local_addr(&self) -> Vec<LocalAddr> {
        self.0.local_addr()
    }

    async fn accept(&mut self) -> std::io::Result<(Self::Io, LocalAddr, RemoteAddr, Scheme)> {
        let (io, local, remote, scheme) = self.0.accept().await?;
        if let Err(error) = io.set_nodelay(true) {
            tracing::debug!(%error, "could not set TCP_NODELAY");
        }
        Ok((io, local, remote, scheme))
    }
}
