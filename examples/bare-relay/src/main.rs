//! The bare relay: the baseline `scripts/bench.sh` runs beside the reference server. It
//! speaks the part of tms-chat's protocol the load tool uses (create a widget, start a
//! session, the customer and agent sockets, `subscribe`, `send_message` answered by
//! `message_ack` and routed as `new_message` in the same JSON) with no authentication, no
//! storage and no limits, on bare tokio-tungstenite: `TCP_NODELAY`, one flush per burst of
//! frames. What tms-chat costs is its figure against this one, measured in the same run.
//! Loopback only.

mod http;
mod rooms;

use std::net::SocketAddr;
use std::sync::Arc;

use clap::Parser;
use futures::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use rooms::{encode, ClientFrame, Outbox, Rooms};

#[derive(Parser)]
struct Cli {
    /// Loopback address to listen on.
    #[arg(long, default_value = "127.0.0.1:18090")]
    bind: SocketAddr,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let cli = Cli::parse();
    if !cli.bind.ip().is_loopback() {
        return Err(std::io::Error::other(
            "the bare relay listens on loopback only",
        ));
    }
    let listener = TcpListener::bind(cli.bind).await?;
    let rooms = Arc::new(Rooms::default());
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        tokio::spawn(serve(stream, rooms.clone()));
    }
}

/// Answers REST calls on a keep-alive connection until one of them upgrades it.
async fn serve(mut stream: TcpStream, rooms: Arc<Rooms>) {
    let mut buffer = Vec::new();
    while let Some(request) = http::read_request(&mut stream, &mut buffer).await {
        let path = request.target.split('?').next().unwrap_or_default();
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        let answered = match (request.method.as_str(), parts.as_slice()) {
            ("POST", ["v1", "chat", "widgets"]) => {
                let body = format!(r#"{{"id":"w{}"}}"#, rooms.next_id());
                http::respond(&mut stream, "201 Created", &body).await
            }
            ("POST", ["v1", "chat", "public", "widgets", _, "sessions"]) => {
                let session = format!("s{}", rooms.next_id());
                rooms.open(&session);
                let body = format!(
                    r#"{{"session":{{"id":"{session}","status":"waiting"}},"customer_token":"{session}"}}"#
                );
                http::respond(&mut stream, "201 Created", &body).await
            }
            ("GET", ["v1", "chat", "public", "widgets", _, "ws"] | ["v1", "chat", "ws"]) => {
                let Some(key) = request.websocket_key else {
                    return;
                };
                let customer_of = query_token(&request.target).filter(|s| rooms.exists(s));
                if http::accept_upgrade(&mut stream, &key).await.is_some() {
                    // The reference server's buffer sizes (tungstenite's 128 KiB default read
                    // buffer would dominate idle memory).
                    let config = WebSocketConfig::default()
                        .read_buffer_size(1024)
                        .write_buffer_size(0);
                    let ws = WebSocketStream::from_partially_read(
                        stream,
                        buffer,
                        Role::Server,
                        Some(config),
                    )
                    .await;
                    relay(ws, rooms, customer_of).await;
                }
                return;
            }
            _ => http::respond(&mut stream, "404 Not Found", r#"{"error":"not_found"}"#).await,
        };
        if answered.is_none() {
            return;
        }
    }
}

fn query_token(target: &str) -> Option<String> {
    let query = target.split_once('?')?.1;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("token="))
        .map(str::to_owned)
}

/// One socket: a writer task that flushes once per burst, and the reader routing frames.
async fn relay(ws: WebSocketStream<TcpStream>, rooms: Arc<Rooms>, customer_of: Option<String>) {
    let connection = rooms.next_id();
    let (mut sink, mut source) = ws.split();
    let (outbox, mut queued) = mpsc::unbounded_channel::<Arc<str>>();
    let writer = tokio::spawn(async move {
        while let Some(first) = queued.recv().await {
            if sink.feed(Message::text(&*first)).await.is_err() {
                return;
            }
            while let Ok(next) = queued.try_recv() {
                if sink.feed(Message::text(&*next)).await.is_err() {
                    return;
                }
            }
            if sink.flush().await.is_err() {
                return;
            }
        }
    });
    if let Some(session) = &customer_of {
        rooms.join_as_customer(session, connection, outbox.clone());
    }
    let _ = outbox.send(encode(&serde_json::json!({
        "type": "ready", "connection_id": connection.to_string(), "session_id": customer_of,
    })));
    while let Some(Ok(message)) = source.next().await {
        let Message::Text(text) = message else {
            continue;
        };
        let Ok(frame) = serde_json::from_str::<ClientFrame>(&text) else {
            continue;
        };
        handle(
            &rooms,
            (connection, &outbox),
            customer_of.as_deref(),
            &frame,
        );
    }
    rooms.leave(connection);
    drop(outbox);
    let _ = writer.await;
}

fn handle(
    rooms: &Rooms,
    (connection, outbox): (u64, &Outbox),
    customer_of: Option<&str>,
    frame: &ClientFrame,
) {
    let session = customer_of
        .or(frame.session_id.as_deref())
        .unwrap_or_default();
    let answer = match frame.kind.as_str() {
        "send_message" if rooms.relay(session, (connection, outbox), frame, customer_of.is_some()) => None,
        "subscribe" if customer_of.is_none() => rooms
            .subscribe(session, connection, outbox.clone())
            .map(|last_seq| {
                serde_json::json!({"type": "subscribed", "session_id": session, "last_seq": last_seq, "request_id": frame.request_id})
            }),
        "ping" => Some(serde_json::json!({"type": "pong", "request_id": frame.request_id})),
        _ => Some(serde_json::json!({"type": "error", "code": "not_found", "request_id": frame.request_id})),
    };
    if let Some(answer) = answer {
        let _ = outbox.send(encode(&answer));
    }
}
