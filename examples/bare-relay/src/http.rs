//! The least HTTP/1.1 the load tool needs from the relay: a request head and its
//! `Content-Length` body read from a keep-alive connection, JSON answers, and the WebSocket
//! upgrade answer (RFC 6455 §4.2.2). Anything else is answered `400` and the connection
//! closed.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;

/// Largest request head or body the relay reads.
const MAX_REQUEST: usize = 64 * 1024;

/// One request: its method, path (with query) and the headers the relay reads.
pub(crate) struct Request {
    pub(crate) method: String,
    pub(crate) target: String,
    pub(crate) websocket_key: Option<String>,
}

/// Reads the next request (head and body, the body discarded); `None` once the peer closed
/// or sent something the relay does not read.
pub(crate) async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Request> {
    let head_end = loop {
        if let Some(end) = find(buffer, b"\r\n\r\n") {
            break end + 4;
        }
        if buffer.len() > MAX_REQUEST || read_more(stream, buffer).await? == 0 {
            return None;
        }
    };
    let head = std::str::from_utf8(&buffer[..head_end]).ok()?.to_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let target = request_line.next()?.to_owned();
    let mut length = 0usize;
    let mut websocket_key = None;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = value.parse().ok()?;
        } else if name.eq_ignore_ascii_case("sec-websocket-key") {
            websocket_key = Some(value.to_owned());
        }
    }
    if length > MAX_REQUEST {
        return None;
    }
    while buffer.len() < head_end + length {
        if read_more(stream, buffer).await? == 0 {
            return None;
        }
    }
    buffer.drain(..head_end + length);
    Some(Request {
        method,
        target,
        websocket_key,
    })
}

async fn read_more(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<usize> {
    let mut chunk = [0u8; 4096];
    let n = stream.read(&mut chunk).await.ok()?;
    buffer.extend_from_slice(&chunk[..n]);
    Some(n)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Writes a JSON answer on a keep-alive connection.
pub(crate) async fn respond(stream: &mut TcpStream, status: &str, body: &str) -> Option<()> {
    let answer = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(answer.as_bytes()).await.ok()
}

/// Accepts the WebSocket upgrade of a request that carried `key`.
pub(crate) async fn accept_upgrade(stream: &mut TcpStream, key: &str) -> Option<()> {
    let answer = format!(
        "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\
         sec-websocket-accept: {}\r\n\r\n",
        derive_accept_key(key.as_bytes())
    );
    stream.write_all(answer.as_bytes()).await.ok()
}
