//! Connection timeouts every adapter's server applies, written once over any tokio
//! `AsyncRead + AsyncWrite`: [`GuardedIo`] wraps an accepted connection and fails its reads
//! (so the server closes it) when a request head does not arrive whole in time. The clock of
//! a head starts when the connection opens and again each time the server writes a response,
//! so the same deadline bounds a slow client (headers one byte at a time) and an idle
//! keep-alive connection. Once a response switches protocols (`101`, a WebSocket) the guard
//! steps aside: sockets have their own ping and idle timeouts (`ApiConfig::ping_interval`,
//! `ApiConfig::idle_timeout`). A body that stalls is the adapters' business (they read it,
//! with `ApiConfig::body_stall_timeout` between chunks).
//!
//! The guard tells requests from responses by bytes alone: a request head ends at the first
//! `\r\n\r\n`; a response starts with `HTTP/1.` (a `100 Continue` keeps the request open). An
//! HTTP/2 connection (prior knowledge) is past its head after the preface and is not guarded.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// The connection timeouts of a server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionTimeouts {
    /// How long a request head (request line and headers) may take to arrive, counted from
    /// the connection's start or the previous response; also how long an idle keep-alive
    /// connection stays open. 10 s by default.
    pub request_head: Duration,
}

impl Default for ConnectionTimeouts {
    fn default() -> Self {
        ConnectionTimeouts {
            request_head: Duration::from_secs(10),
        }
    }
}

/// Where the connection is.
enum Phase {
    /// Waiting for a request head; `matched` bytes of `\r\n\r\n` seen so far.
    Head { matched: usize },
    /// The head arrived; the request is being read or answered.
    Request,
    /// Switched protocols (or HTTP/2): no longer guarded.
    Done,
}

const HEAD_END: &[u8] = b"\r\n\r\n";

/// A connection whose request heads must arrive within [`ConnectionTimeouts::request_head`].
pub struct GuardedIo<T> {
    inner: T,
    phase: Phase,
    limit: Duration,
    deadline: Option<Pin<Box<Sleep>>>,
    /// The task last waiting to read: woken when the clock (re)starts, so its next read
    /// polls the new deadline (a server may be parked on a read since before the response).
    reader: Option<Waker>,
}

impl<T> std::fmt::Debug for GuardedIo<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GuardedIo")
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

impl<T> GuardedIo<T> {
    /// Guards `inner` with `timeouts`; the first head's clock starts now.
    pub fn new(inner: T, timeouts: ConnectionTimeouts) -> Self {
        GuardedIo {
            inner,
            phase: Phase::Head { matched: 0 },
            limit: timeouts.request_head,
            deadline: Some(Box::pin(tokio::time::sleep(timeouts.request_head))),
            reader: None,
        }
    }

    /// The wrapped connection.
    pub fn get_ref(&self) -> &T {
        &self.inner
    }

    fn restart_clock(&mut self) {
        let at = Instant::now() + self.limit;
        match &mut self.deadline {
            Some(sleep) => sleep.as_mut().reset(at),
            None => self.deadline = Some(Box::pin(tokio::time::sleep_until(at))),
        }
        if let Some(reader) = self.reader.take() {
            reader.wake();
        }
    }

    /// Follows the request bytes just read.
    fn on_read(&mut self, bytes: &[u8]) {
        let Phase::Head { matched } = &mut self.phase else {
            return;
        };
        for byte in bytes {
            *matched = match (*byte == HEAD_END[*matched], *byte == b'\r') {
                (true, _) => *matched + 1,
                (false, true) => 1,
                (false, false) => 0,
            };
            if *matched == HEAD_END.len() {
                self.phase = Phase::Request;
                return;
            }
        }
    }

    /// Follows the response bytes about to be written.
    fn on_write(&mut self, bytes: &[u8]) {
        match self.phase {
            Phase::Request if bytes.starts_with(b"HTTP/1.") => match bytes.get(9..12) {
                Some(b"101") => {
                    self.phase = Phase::Done;
                    self.deadline = None;
                }
                Some(b"100") => {}
                _ => {
                    self.phase = Phase::Head { matched: 0 };
                    self.restart_clock();
                }
            },
            // The rest of a response: the next head's clock starts at its last byte.
            Phase::Head { .. } => self.restart_clock(),
            _ => {}
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for GuardedIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                this.on_read(&buf.filled()[before..]);
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => {
                if !this
                    .reader
                    .as_ref()
                    .is_some_and(|w| w.will_wake(cx.waker()))
                {
                    this.reader = Some(cx.waker().clone());
                }
                let waiting_for_head = matches!(this.phase, Phase::Head { .. });
                let expired = match &mut this.deadline {
                    Some(deadline) if waiting_for_head => deadline.as_mut().poll(cx).is_ready(),
                    _ => false,
                };
                if expired {
                    Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "request head not received in time",
                    )))
                } else {
                    Poll::Pending
                }
            }
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for GuardedIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let written = Pin::new(&mut this.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = written {
            this.on_write(&buf[..n]);
        }
        written
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let written = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        if let Poll::Ready(Ok(n)) = written {
            let first = bufs
                .iter()
                .find(|b| !b.is_empty())
                .map_or(&[][..], |b| &b[..]);
            this.on_write(&first[..n.min(first.len())]);
        }
        written
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn guarded() -> (GuardedIo<tokio::io::DuplexStream>, tokio::io::DuplexStream) {
        let (server, client) = tokio::io::duplex(4096);
        let timeouts = ConnectionTimeouts {
            request_head: Duration::from_secs(10),
        };
        (GuardedIo::new(server, timeouts), client)
    }

    async fn read_fails_after(io: &mut GuardedIo<tokio::io::DuplexStream>) -> io::ErrorKind {
        let mut buf = [0u8; 64];
        loop {
            match io.read(&mut buf).await {
                Ok(0) => panic!("closed instead of timing out"),
                Ok(_) => continue,
                Err(e) => return e.kind(),
            }
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_head_sent_a_byte_at_a_time_times_out() {
        let (mut server, mut client) = guarded();
        let started = Instant::now();
        let drip = tokio::spawn(async move {
            for byte in b"GET / HTTP/1.1\r\nhost: x\r\n".iter().cycle() {
                if client.write_all(&[*byte]).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
        assert_eq!(read_fails_after(&mut server).await, io::ErrorKind::TimedOut);
        assert_eq!(started.elapsed(), Duration::from_secs(10));
        drip.abort();
    }

    #[tokio::test(start_paused = true)]
    async fn the_clock_restarts_after_each_response_and_bounds_idle_keep_alive() {
        let (mut server, mut client) = guarded();
        let mut buf = [0u8; 64];
        tokio::time::sleep(Duration::from_secs(9)).await;
        client.write_all(b"GET / HTTP/1.1\r\n\r\n").await.unwrap();
        let _ = server.read(&mut buf).await.unwrap();
        // Answering takes long: no head is awaited meanwhile.
        tokio::time::sleep(Duration::from_secs(30)).await;
        server.write_all(b"HTTP/1.1 200 OK\r\n\r\n").await.unwrap();
        let answered = Instant::now();
        assert_eq!(read_fails_after(&mut server).await, io::ErrorKind::TimedOut);
        assert_eq!(answered.elapsed(), Duration::from_secs(10));
    }

    #[tokio::test(start_paused = true)]
    async fn a_switched_protocol_and_a_100_continue_are_not_guarded() {
        let (mut server, mut client) = guarded();
        let mut buf = [0u8; 64];
        client
            .write_all(b"POST / HTTP/1.1\r\nexpect: 100-continue\r\n\r\n")
            .await
            .unwrap();
        let _ = server.read(&mut buf).await.unwrap();
        server
            .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_secs(60)).await;
        client.write_all(b"body").await.unwrap();
        assert_eq!(server.read(&mut buf).await.unwrap(), 4);
        server
            .write_all(b"HTTP/1.1 101 Switching Protocols\r\n\r\n")
            .await
            .unwrap();
        let read = tokio::time::timeout(Duration::from_secs(600), server.read(&mut buf)).await;
        assert!(read.is_err(), "still waiting after 600 s, no timeout error");
    }

    #[tokio::test(start_paused = true)]
    async fn a_reader_parked_before_the_response_still_sees_the_deadline() {
        let (server, mut client) = guarded();
        let (mut reader, mut writer) = tokio::io::split(server);
        client.write_all(b"GET / HTTP/1.1\r\n\r\n").await.unwrap();
        let mut buf = [0u8; 64];
        let _ = reader.read(&mut buf).await.unwrap();
        // The server reads on (for the next request) before it writes this one's answer.
        let parked = tokio::spawn(async move { reader.read(&mut buf).await.map_err(|e| e.kind()) });
        tokio::task::yield_now().await;
        writer.write_all(b"HTTP/1.1 200 OK\r\n\r\n").await.unwrap();
        let answered = Instant::now();
        assert_eq!(parked.await.unwrap(), Err(io::ErrorKind::TimedOut));
        assert_eq!(answered.elapsed(), Duration::from_secs(10));
    }
}
