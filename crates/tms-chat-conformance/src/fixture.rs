//! A live server for the suite: a real store, the chat service with a local-disk blob store,
//! two tenants with agents (token authenticator), one widget, mounted by the adapter under
//! test on a real socket.

use async_trait::async_trait;
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tms_chat_core::auth::{AgentAuthenticator, RequestParts};
use tms_chat_core::blob::LocalDiskBlobStore;
use tms_chat_core::domain::{Agent, Role, Tenant};
use tms_chat_core::ids::TenantId;
use tms_chat_core::protocol::{ApiConfig, ChatApi};
use tms_chat_core::service::ChatService;
use tms_chat_core::store::ChatStore;
use tms_chat_core::{ChatError, ChatResult};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

/// The allowed origin of the fixture's widget.
pub const ORIGIN: &str = "https://shop.example.com";

type Mount = fn(ChatApi) -> Pin<Box<dyn Future<Output = SocketAddr> + Send>>;

struct Tokens(Vec<(String, Agent)>);

#[async_trait]
impl AgentAuthenticator for Tokens {
    async fn authenticate(&self, request: &RequestParts) -> ChatResult<Agent> {
        let token = request.bearer_token().ok_or(ChatError::Unauthorized)?;
        self.0
            .iter()
            .find(|(t, _)| t == token)
            .map(|(_, a)| a.clone())
            .ok_or(ChatError::Unauthorized)
    }
}

/// A running server and what the cases need to talk to it.
pub struct Fixture {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// Tenant A admin (and supervisor).
    pub admin: String,
    /// Tenant A plain agent `agent-123`.
    pub agent: String,
    /// Tenant A second plain agent `agent-456`.
    pub other_agent: String,
    /// Tenant B admin.
    pub foreign: String,
    /// Tenant A's widget, allowed on [`ORIGIN`].
    pub widget_id: String,
    /// HTTP client.
    pub http: reqwest::Client,
}

impl Fixture {
    /// A fixture on in-memory SQLite.
    pub async fn sqlite(mount: Mount) -> Fixture {
        let store: Arc<dyn ChatStore> = Arc::new(
            tms_chat_storage::SqliteStore::connect("sqlite::memory:")
                .await
                .unwrap(),
        );
        Self::start(store, mount).await
    }

    /// A fixture on PostgreSQL, when `DATABASE_URL` is set.
    pub async fn postgres(mount: Mount) -> Option<Fixture> {
        let url = std::env::var("DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty())?;
        Some(Self::start(tms_chat_storage::connect_any(&url).await.unwrap(), mount).await)
    }

    async fn start(store: Arc<dyn ChatStore>, mount: Mount) -> Fixture {
        let unique = uuid::Uuid::now_v7().simple().to_string();
        let a = TenantId::new(format!("a-{unique}"));
        let b = TenantId::new(format!("b-{unique}"));
        for t in [&a, &b] {
            store
                .upsert_tenant(&Tenant {
                    id: t.clone(),
                    name: t.to_string(),
                })
                .await
                .unwrap();
        }
        let tok = |n: &str| format!("{n}-{unique}");
        let agents = vec![
            (
                tok("admin"),
                Agent::new("admin-1", a.clone(), "Ada Admin")
                    .with_role(Role::Admin)
                    .with_role(Role::Supervisor),
            ),
            (
                tok("agent"),
                Agent::new("agent-123", a.clone(), "Sam Agent"),
            ),
            (
                tok("other"),
                Agent::new("agent-456", a.clone(), "Olly Other"),
            ),
            (
                tok("foreign"),
                Agent::new("admin-1", b.clone(), "Foreign Admin").with_role(Role::Admin),
            ),
        ];
        for (_, agent) in &agents {
            store.upsert_agent(agent).await.unwrap();
        }
        let blobs = std::env::temp_dir().join(format!("tms-chat-conformance-{unique}"));
        let service = ChatService::builder(store)
            .blob_store(Arc::new(LocalDiskBlobStore::new(blobs)))
            .build();
        let api = ChatApi::new(service, Arc::new(Tokens(agents)), ApiConfig::default());
        let addr = mount(api).await;
        let mut f = Fixture {
            base: format!("http://{addr}"),
            admin: tok("admin"),
            agent: tok("agent"),
            other_agent: tok("other"),
            foreign: tok("foreign"),
            widget_id: String::new(),
            http: reqwest::Client::new(),
        };
        let (status, widget) = f
            .call(
                "POST",
                &f.admin.clone(),
                "/v1/chat/widgets",
                Some(json!({"name": "Shop", "domain": "shop.example.com"})),
            )
            .await;
        assert_eq!(status, 201, "{widget}");
        f.widget_id = widget["id"].as_str().unwrap().to_owned();
        f
    }

    /// An agent REST call: (status, JSON body or null).
    pub async fn call(
        &self,
        method: &str,
        token: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(method.parse().unwrap(), format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// A public widget call from `origin` with an optional customer token.
    pub async fn public(
        &self,
        method: &str,
        path: &str,
        origin: Option<&str>,
        token: Option<&str>,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut req = self.http.request(
            method.parse().unwrap(),
            format!(
                "{}/v1/chat/public/widgets/{}{path}",
                self.base, self.widget_id
            ),
        );
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.unwrap()
    }

    /// Starts a customer session: (session id, customer token).
    pub async fn customer(&self, name: &str) -> (String, String) {
        let res = self
            .public(
                "POST",
                "/sessions",
                Some(ORIGIN),
                None,
                Some(
                    json!({"customer_name": name, "customer_email": format!("{name}@example.com")}),
                ),
            )
            .await;
        assert_eq!(res.status(), 201);
        let v: Value = res.json().await.unwrap();
        (
            v["session"]["id"].as_str().unwrap().to_owned(),
            v["customer_token"].as_str().unwrap().to_owned(),
        )
    }

    /// An agent socket authenticated with the bearer header.
    pub async fn agent_socket(&self, token: &str) -> Socket {
        let mut req = format!("{}/v1/chat/ws", self.base.replace("http", "ws"))
            .into_client_request()
            .unwrap();
        req.headers_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
        Socket::open(req).await
    }

    /// A customer socket.
    pub async fn customer_socket(&self, token: &str) -> Socket {
        let mut req = format!(
            "{}/v1/chat/public/widgets/{}/ws?token={token}",
            self.base.replace("http", "ws"),
            self.widget_id
        )
        .into_client_request()
        .unwrap();
        req.headers_mut().insert("origin", ORIGIN.parse().unwrap());
        Socket::open(req).await
    }
}

/// A WebSocket client.
pub struct Socket {
    ws: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

impl Socket {
    async fn open(req: tokio_tungstenite::tungstenite::handshake::client::Request) -> Socket {
        let (ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
        let mut s = Socket { ws };
        s.expect("ready").await;
        s
    }

    /// Sends a JSON frame.
    pub async fn send(&mut self, v: Value) {
        self.ws.send(Message::text(v.to_string())).await.unwrap();
    }

    /// Sends a raw text frame.
    pub async fn send_raw(&mut self, text: String) {
        self.ws.send(Message::text(text)).await.unwrap();
    }

    /// The next frame of type `kind` (others are skipped), within 10 s.
    pub async fn expect(&mut self, kind: &str) -> Value {
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(10), self.ws.next())
                .await
                .unwrap_or_else(|_| panic!("no {kind} within 10 s"))
                .expect("socket open")
                .expect("frame");
            if let Message::Text(t) = msg {
                let v: Value = serde_json::from_str(&t).unwrap();
                if v["type"] == kind {
                    return v;
                }
            }
        }
    }

    /// Every JSON frame that arrives within 400 ms of silence.
    pub async fn drain(&mut self) -> Vec<Value> {
        let mut out = Vec::new();
        while let Ok(Some(Ok(msg))) =
            tokio::time::timeout(Duration::from_millis(400), self.ws.next()).await
        {
            if let Message::Text(t) = msg {
                out.push(serde_json::from_str(&t).unwrap());
            }
        }
        out
    }

    /// Waits for the close frame and returns its code.
    pub async fn close_code(&mut self) -> Option<u16> {
        loop {
            match tokio::time::timeout(Duration::from_secs(10), self.ws.next()).await {
                Ok(Some(Ok(Message::Close(frame)))) => return frame.map(|f| u16::from(f.code)),
                Ok(Some(Ok(_))) => continue,
                _ => return None,
            }
        }
    }
}
