//! TLS with the real reference-server process, for axum and poem: a certificate made at test
//! time (rcgen), the server started with `--tls-cert` / `--tls-key`, REST over HTTPS (an
//! admin creates a widget, a customer starts a session) and a chat over `wss://` (the
//! customer's message reaches the subscribed agent and is acknowledged). A client that opens
//! a connection and never starts the handshake is closed by the request-head timeout.

#![allow(clippy::unwrap_used)] // Tests unwrap: a panic is a failed test.

mod support;

use futures::SinkExt;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use support::server::{free_port, start_node_with, Server, ADMIN_TOKEN, AGENT_TOKEN};
use support::socket::next_event;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

const ORIGIN: &str = "https://yourwebsite.com";

/// A server over TLS with a fresh self-signed certificate, and a client that trusts it.
struct TlsServer {
    server: Server,
    connector: TlsConnector,
    address: String,
    _dir: std::path::PathBuf,
}

async fn start_tls(framework: &str, extra_args: &[&str]) -> TlsServer {
    let dir = std::env::temp_dir().join(format!(
        "tms-chat-tls-{}-{}",
        std::process::id(),
        free_port()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.key_pair.serialize_pem()).unwrap();
    let mut args = vec![
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
    ];
    args.extend_from_slice(extra_args);
    let tenant = format!("tls-{}", free_port());
    let server = start_node_with(framework, None, &tenant, &args, "").await;
    let mut roots = RootCertStore::empty();
    roots.add(certified.cert.der().clone()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let address = server.base.trim_start_matches("https://").to_owned();
    let tls = TlsServer {
        server,
        connector: TlsConnector::from(Arc::new(config)),
        address,
        _dir: dir,
    };
    tls.wait_until_ready().await;
    tls
}

impl TlsServer {
    async fn connect(&self) -> std::io::Result<TlsStream<TcpStream>> {
        let tcp = TcpStream::connect(&self.address).await?;
        let name = ServerName::try_from("localhost").unwrap();
        self.connector.connect(name, tcp).await
    }

    async fn wait_until_ready(&self) {
        for _ in 0..300 {
            if self.connect().await.is_ok() {
                let (status, _) = self.call("GET", "/readyz", &[], None).await;
                if status == 200 {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the TLS server did not become ready");
    }

    /// One HTTPS request (HTTP/1.1, `Connection: close`): the status and the JSON body.
    async fn call(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut tls = self.connect().await.unwrap();
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        tls.write_all(format!("{head}\r\n{body}").as_bytes())
            .await
            .unwrap();
        let mut answer = Vec::new();
        // A peer that closes without TLS close_notify ends the read with an error: what
        // arrived before it is the whole answer.
        let _ = tls.read_to_end(&mut answer).await;
        let text = String::from_utf8_lossy(&answer);
        let (head, body) = text.split_once("\r\n\r\n").expect("an HTTP answer");
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        (status, serde_json::from_str(body).unwrap_or(Value::Null))
    }

    async fn socket(
        &self,
        path: &str,
        header: (&'static str, String),
    ) -> WebSocketStream<TlsStream<TcpStream>> {
        let url = format!("wss://localhost{path}");
        let mut request = url.into_client_request().unwrap();
        request
            .headers_mut()
            .insert(header.0, header.1.parse().unwrap());
        let tls = self.connect().await.unwrap();
        let (mut ws, _) = tokio_tungstenite::client_async(request, tls).await.unwrap();
        next_event(&mut ws, "ready").await;
        ws
    }
}

async fn chat_over_wss(framework: &str) {
    let node = start_tls(framework, &[]).await;
    let admin = format!("Bearer {ADMIN_TOKEN}");
    let widget = json!({"name": "Website", "domain": "yourwebsite.com"});
    let auth = [("Authorization", admin.as_str())];
    let (status, widget) = node
        .call("POST", "/v1/chat/widgets", &auth, Some(widget))
        .await;
    assert_eq!(status, 201, "{widget}");
    let widget_id = widget["id"].as_str().unwrap();
    let sessions = format!("/v1/chat/public/widgets/{widget_id}/sessions");
    let customer = json!({"customer_name": "Ann"});
    let (status, started) = node
        .call("POST", &sessions, &[("Origin", ORIGIN)], Some(customer))
        .await;
    assert_eq!(status, 201, "{started}");
    let session_id = started["session"]["id"].as_str().unwrap();
    let token = started["customer_token"].as_str().unwrap();

    let mut agent = node
        .socket(
            "/v1/chat/ws",
            ("authorization", format!("Bearer {AGENT_TOKEN}")),
        )
        .await;
    let subscribe = json!({"type": "subscribe", "session_id": session_id});
    agent
        .send(Message::text(subscribe.to_string()))
        .await
        .unwrap();
    next_event(&mut agent, "subscribed").await;
    let customer_path = format!("/v1/chat/public/widgets/{widget_id}/ws?token={token}");
    let mut customer = node
        .socket(&customer_path, ("origin", ORIGIN.to_owned()))
        .await;
    let hello = json!({"type": "send_message", "content": "hello over wss", "request_id": "r1"});
    customer
        .send(Message::text(hello.to_string()))
        .await
        .unwrap();
    assert_eq!(
        next_event(&mut customer, "message_ack").await["request_id"],
        "r1"
    );
    let heard = next_event(&mut agent, "new_message").await;
    assert_eq!(heard["message"]["content"], "hello over wss");
}

#[tokio::test]
async fn axum_serves_https_and_a_chat_over_wss() {
    chat_over_wss("axum").await;
}

#[tokio::test]
async fn poem_serves_https_and_a_chat_over_wss() {
    chat_over_wss("poem").await;
}

#[tokio::test]
async fn a_client_that_never_starts_the_handshake_is_closed_by_the_head_timeout() {
    for framework in ["axum", "poem"] {
        let node = start_tls(framework, &["--request-head-timeout-ms", "300"]).await;
        let mut silent = TcpStream::connect(&node.address).await.unwrap();
        let mut buf = [0u8; 64];
        let read = tokio::time::timeout(Duration::from_secs(20), silent.read(&mut buf))
            .await
            .expect("the server closed the silent connection");
        assert!(matches!(read, Ok(0) | Err(_)), "{framework}: {read:?}");
        drop(node.server);
    }
}
