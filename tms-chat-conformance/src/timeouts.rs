//! The connection-timeout checks every adapter's `serve_with` passes (and the reference
//! server, which serves through them), over raw TCP: a request head sent one byte at a time
//! is cut off at the head deadline; an idle keep-alive connection is closed at the same
//! deadline; a body that stalls is answered `408 request_timeout` and closed; an open
//! WebSocket outlives the head deadline. The probes take the address and the configured
//! limits, so a case runs with short timeouts instead of waiting the 10 s defaults.

use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

/// How much later than its deadline a connection may close (scheduling on a busy machine).
const SLACK: Duration = Duration::from_secs(3);

/// Reads until the server closes the connection; returns what it sent and when it closed.
async fn read_until_closed(tcp: &mut TcpStream, within: Duration) -> (Vec<u8>, Instant) {
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    let read = async {
        loop {
            match tcp.read(&mut buf).await {
                Ok(0) | Err(_) => return Instant::now(),
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
    };
    let closed = tokio::time::timeout(within, read)
        .await
        .unwrap_or_else(|_| panic!("the server kept the connection open past {within:?}"));
    (answer, closed)
}

/// A head dripped one byte every 50 ms is cut off about `head_timeout` after the connection
/// opened, though bytes keep arriving.
pub async fn a_head_sent_a_byte_at_a_time_is_cut_off(addr: SocketAddr, head_timeout: Duration) {
    let tcp = TcpStream::connect(addr).await.expect("connect");
    let opened = Instant::now();
    let (mut reader, mut writer) = tcp.into_split();
    let drip = tokio::spawn(async move {
        let head = b"GET /healthz HTTP/1.1\r\nhost: x\r\nx-padding: ";
        for byte in head.iter().chain(std::iter::repeat(&b'a')) {
            if writer.write_all(&[*byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    let mut buf = [0u8; 1024];
    let closed = tokio::time::timeout(head_timeout + SLACK, async {
        loop {
            match reader.read(&mut buf).await {
                Ok(0) | Err(_) => return Instant::now(),
                Ok(_) => {}
            }
        }
    })
    .await
    .expect("the slow head is cut off");
    drip.abort();
    let took = closed - opened;
    assert!(took >= head_timeout / 2, "closed too early: {took:?}");
}

/// After an answered request, a silent keep-alive connection is closed about `head_timeout`
/// after the answer.
pub async fn an_idle_keep_alive_connection_is_closed(addr: SocketAddr, head_timeout: Duration) {
    let mut tcp = TcpStream::connect(addr).await.expect("connect");
    tcp.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .expect("send");
    let started = Instant::now();
    let (answer, closed) = read_until_closed(&mut tcp, head_timeout + SLACK).await;
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(closed - started >= head_timeout / 2, "closed too early");
}

/// A body that stops arriving is answered `408 request_timeout` about `stall_timeout` after
/// its last byte, and the connection is closed.
pub async fn a_stalled_body_is_answered_408_and_closed(addr: SocketAddr, stall_timeout: Duration) {
    let mut tcp = TcpStream::connect(addr).await.expect("connect");
    let head = "POST /v1/chat/public/widgets/wgt_x/sessions HTTP/1.1\r\nhost: x\r\n\
                origin: https://shop.example.com\r\ncontent-type: application/json\r\n\
                content-length: 100\r\n\r\n{\"customer_name\":";
    tcp.write_all(head.as_bytes()).await.expect("send");
    let (answer, _) = read_until_closed(&mut tcp, stall_timeout + SLACK).await;
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("request_timeout"), "{text}");
}

/// An open WebSocket is not cut off by the head deadline: after twice that silence it still
/// answers a ping frame (the socket's own idle timeout is far longer).
pub async fn an_open_socket_outlives_the_head_deadline(
    url: &str,
    token: &str,
    head_timeout: Duration,
) {
    use futures::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::Message;
    let mut request = url.into_client_request().expect("socket URL");
    let bearer = format!("Bearer {token}").parse().expect("header");
    request.headers_mut().insert("authorization", bearer);
    let (mut ws, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("the socket opens");
    tokio::time::sleep(head_timeout * 2).await;
    ws.send(Message::text(r#"{"type":"ping","request_id":"late"}"#))
        .await
        .expect("still open");
    let pong = tokio::time::timeout(SLACK, async {
        while let Some(Ok(message)) = ws.next().await {
            if let Message::Text(text) = message {
                if text.contains("\"pong\"") {
                    return true;
                }
            }
        }
        false
    })
    .await;
    assert_eq!(pong, Ok(true), "the socket answers after the head deadline");
}

/// The agent token of [`api_with_stall_timeout`]'s API.
pub const AGENT_TOKEN: &str = "timeouts-agent-token";

/// An API over an in-memory store, one agent ([`AGENT_TOKEN`]), bodies allowed to stall for
/// `stall_timeout`.
pub fn api_with_stall_timeout(stall_timeout: Duration) -> tms_chat_core::protocol::ChatApi {
    use std::sync::Arc;
    use tms_chat_core::domain::Agent;
    use tms_chat_core::ids::TenantId;
    use tms_chat_core::protocol::{ApiConfig, ChatApi};
    use tms_chat_core::service::ChatService;
    use tms_chat_core::test_utils::{MemoryStore, StaticTokens};
    let service = ChatService::builder(Arc::new(MemoryStore::new())).build();
    let agent = Agent::new("agent-1", TenantId::new("acme"), "Sam");
    let tokens = StaticTokens::new([(AGENT_TOKEN, agent)]);
    let config = ApiConfig {
        body_stall_timeout: stall_timeout,
        ..ApiConfig::default()
    };
    ChatApi::new(service, Arc::new(tokens), config)
}

/// Every probe above against a server on `addr` configured with `limit` as both its head
/// and its body-stall timeout, all at once.
pub async fn every_slow_client_is_cut_off(addr: SocketAddr, limit: Duration) {
    let socket_url = format!("ws://{addr}/v1/chat/ws");
    tokio::join!(
        a_head_sent_a_byte_at_a_time_is_cut_off(addr, limit),
        an_idle_keep_alive_connection_is_closed(addr, limit),
        a_stalled_body_is_answered_408_and_closed(addr, limit),
        an_open_socket_outlives_the_head_deadline(&socket_url, AGENT_TOKEN, limit),
    );
}
