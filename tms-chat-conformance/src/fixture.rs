//! A live server for the suite: a real store (SQLite in memory, or PostgreSQL), the chat
//! service with a local-disk blob store and an in-memory ticket desk, two tenants with five
//! agents each (a static token authenticator), one widget per tenant, all mounted by the
//! adapter under test on a real socket (optionally below a path prefix).

use crate::client::{Reply, Socket};
use async_trait::async_trait;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use tms_chat_core::auth::AgentAuthenticator;
use tms_chat_core::blob::LocalDiskBlobStore;
use tms_chat_core::domain::{Agent, Project, Role, Tenant};
use tms_chat_core::ids::{ProjectId, TenantId};
use tms_chat_core::protocol::{ApiConfig, ChatApi};
use tms_chat_core::service::ChatService;
use tms_chat_core::store::ChatStore;
use tms_chat_core::test_utils::StaticTokens;
use tms_chat_core::ticket::{TicketRef, TicketRequest, TicketSink};
use tms_chat_core::ChatResult;

/// The origin tenant A's widget allows.
pub const ORIGIN_A: &str = "https://shop.example.com";
/// The origin tenant B's widget allows.
pub const ORIGIN_B: &str = "https://store.example.org";
/// The largest request body the fixture's API accepts (`ApiConfig::max_upload_body_bytes`):
/// above axum's and poem's own defaults, so an adapter that silently keeps a smaller framework
/// limit fails the suite.
pub const UPLOAD_BODY_LIMIT: usize = 3 * 1024 * 1024;
/// The widget script the fixture's API serves at `/chat-widget.js`.
pub const WIDGET_SCRIPT: &str =
    "/* tms-chat conformance widget */ window.TmsChat = function () {};";

/// Mounts a [`ChatApi`] with the adapter under test and serves it on `127.0.0.1:0`;
/// returns the bound address.
pub type Mount = fn(ChatApi) -> Pin<Box<dyn Future<Output = SocketAddr> + Send>>;

/// The host's ticket system: records every request and numbers the tickets.
#[derive(Default)]
pub struct TicketDesk {
    created: Mutex<Vec<TicketRequest>>,
}

impl TicketDesk {
    /// The tickets requested so far.
    pub fn requests(&self) -> Vec<TicketRequest> {
        self.created
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

#[async_trait]
impl TicketSink for TicketDesk {
    async fn create_ticket(&self, request: TicketRequest) -> ChatResult<TicketRef> {
        let mut created = self.created.lock().unwrap_or_else(|e| e.into_inner());
        created.push(request);
        let id = format!("T-{}", created.len());
        Ok(TicketRef {
            url: Some(format!("https://tms.example.com/tickets/{id}")),
            id,
        })
    }
}

/// One tenant: its agents' bearer tokens, its widget and the origin that widget allows.
///
/// Both tenants use the same agent ids (`admin-1`, `sup-1`, `agent-123`, `agent-456`,
/// `agent-789`), so isolation cannot rest on ids being different.
#[derive(Clone, Debug)]
pub struct TenantFixture {
    /// The tenant id.
    pub id: String,
    /// `admin-1`: admin.
    pub admin: String,
    /// `sup-1`: supervisor.
    pub supervisor: String,
    /// `agent-123`: plain agent.
    pub agent: String,
    /// `agent-456`: another plain agent (the bystander of routing cases), in department
    /// `billing`.
    pub colleague: String,
    /// `agent-789`: a plain agent who works only in project [`TenantFixture::other_project`].
    pub outsider: String,
    /// An agent (`agent-321`) who may hold one open session at a time.
    pub limited: String,
    /// The widget (in the tenant's default project), allowed on [`TenantFixture::origin`].
    pub widget_id: String,
    /// The widget's project.
    pub project_id: String,
    /// A second project of the tenant (no widget yet).
    pub other_project: String,
    /// The origin the widget allows.
    pub origin: &'static str,
}

/// A running server and what the cases need to talk to it.
pub struct Fixture {
    /// `http://127.0.0.1:PORT` plus the mount prefix (no trailing slash).
    pub base: String,
    /// Tenant A.
    pub a: TenantFixture,
    /// Tenant B.
    pub b: TenantFixture,
    /// The API being served (for shutdown).
    pub api: ChatApi,
    /// The host's ticket system.
    pub tickets: Arc<TicketDesk>,
    /// HTTP client.
    pub http: reqwest::Client,
    /// The server's address.
    pub addr: SocketAddr,
    /// The mount prefix (`""` at the root).
    pub prefix: String,
    blobs: PathBuf,
    mount: Mount,
    authenticator: Arc<dyn AgentAuthenticator>,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.blobs);
    }
}

impl Fixture {
    /// A fixture on in-memory SQLite, mounted at `prefix` (`""` for the root).
    pub async fn sqlite(mount: Mount, prefix: &str) -> Fixture {
        let store: Arc<dyn ChatStore> = Arc::new(
            tms_chat_storage::SqliteStore::connect("sqlite::memory:")
                .await
                .expect("in-memory SQLite"),
        );
        Self::start(store, mount, prefix).await
    }

    /// A fixture on PostgreSQL when `DATABASE_URL` is set, else `None`.
    pub async fn postgres(mount: Mount, prefix: &str) -> Option<Fixture> {
        let url = std::env::var("DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty())?;
        let store = tms_chat_storage::connect_any(&url)
            .await
            .expect("DATABASE_URL is set but the database does not answer");
        Some(Self::start(store, mount, prefix).await)
    }

    async fn start(store: Arc<dyn ChatStore>, mount: Mount, prefix: &str) -> Fixture {
        let unique = uuid::Uuid::now_v7().simple().to_string();
        let mut tokens = HashMap::new();
        let mut tenants = Vec::new();
        for (letter, name, origin) in [("a", "Ada", ORIGIN_A), ("b", "Bo", ORIGIN_B)] {
            let tenant = TenantId::new(format!("{letter}-{unique}"));
            store
                .upsert_tenant(&Tenant {
                    id: tenant.clone(),
                    name: format!("Tenant {letter}"),
                })
                .await
                .expect("upsert tenant");
            let other_project = ProjectId::new(format!("elsewhere-{letter}-{unique}"));
            store
                .upsert_project(&Project {
                    id: other_project.clone(),
                    tenant_id: tenant.clone(),
                    name: "Elsewhere".to_owned(),
                })
                .await
                .expect("upsert project");
            let token = |who: &str| format!("{who}-{letter}-{unique}");
            let agents = [
                (
                    token("admin"),
                    Agent::new("admin-1", tenant.clone(), format!("{name} Admin"))
                        .with_role(Role::Admin),
                ),
                (
                    token("supervisor"),
                    Agent::new("sup-1", tenant.clone(), format!("{name} Supervisor"))
                        .with_role(Role::Supervisor),
                ),
                (
                    token("agent"),
                    Agent::new("agent-123", tenant.clone(), format!("{name} Agent")),
                ),
                (
                    token("colleague"),
                    Agent {
                        departments: vec!["billing".to_owned()],
                        ..Agent::new("agent-456", tenant.clone(), format!("{name} Colleague"))
                    },
                ),
                (
                    token("limited"),
                    Agent {
                        max_concurrent_sessions: Some(1),
                        ..Agent::new("agent-321", tenant.clone(), format!("{name} Limited"))
                    },
                ),
                (
                    token("outsider"),
                    Agent::new("agent-789", tenant.clone(), format!("{name} Outsider"))
                        .with_projects([other_project.clone()]),
                ),
            ];
            for (t, agent) in agents {
                store.upsert_agent(&agent).await.expect("upsert agent");
                tokens.insert(t, agent);
            }
            tenants.push(TenantFixture {
                id: tenant.to_string(),
                admin: token("admin"),
                supervisor: token("supervisor"),
                agent: token("agent"),
                colleague: token("colleague"),
                outsider: token("outsider"),
                limited: token("limited"),
                widget_id: String::new(),
                project_id: String::new(),
                other_project: other_project.to_string(),
                origin,
            });
        }
        let blobs = std::env::temp_dir().join(format!("tms-chat-conformance-{unique}"));
        let tickets = Arc::new(TicketDesk::default());
        let service = ChatService::builder(store)
            .blob_store(Arc::new(LocalDiskBlobStore::new(blobs.clone())))
            .ticket_sink(tickets.clone())
            .build();
        let config = ApiConfig {
            max_upload_body_bytes: UPLOAD_BODY_LIMIT,
            widget_script: Some(Arc::from(WIDGET_SCRIPT)),
            ..ApiConfig::default()
        };
        let authenticator: Arc<dyn AgentAuthenticator> = Arc::new(StaticTokens::new(tokens));
        let api = ChatApi::new(service, authenticator.clone(), config);
        let addr = mount(api.clone()).await;
        let b = tenants.pop().expect("tenant b");
        let a = tenants.pop().expect("tenant a");
        let mut fixture = Fixture {
            base: format!("http://{addr}{}", prefix.trim_end_matches('/')),
            a,
            b,
            api,
            tickets,
            http: reqwest::Client::new(),
            addr,
            prefix: prefix.trim_end_matches('/').to_owned(),
            blobs,
            mount,
            authenticator,
        };
        for (which, domain) in [("a", "shop.example.com"), ("b", "store.example.org")] {
            let admin = if which == "a" {
                fixture.a.admin.clone()
            } else {
                fixture.b.admin.clone()
            };
            let widget = fixture
                .post(
                    &admin,
                    "/v1/chat/widgets",
                    json!({"name": "Shop", "domain": domain}),
                )
                .await;
            widget.expect_status(201);
            let t = if which == "a" {
                &mut fixture.a
            } else {
                &mut fixture.b
            };
            t.widget_id = widget.str("id").to_owned();
            t.project_id = widget.str("project_id").to_owned();
        }
        fixture
    }

    /// A second server over the same service, tenants and widgets, with its settings changed
    /// by `change` (the abuse limits of a case, say), mounted by the same adapter.
    pub async fn with_config(&self, change: impl FnOnce(&mut ApiConfig)) -> Fixture {
        let mut config = self.api.config().clone();
        change(&mut config);
        let service = self.api.service().clone();
        let api = ChatApi::new(service, self.authenticator.clone(), config);
        let addr = (self.mount)(api.clone()).await;
        Fixture {
            base: format!("http://{addr}{}", self.prefix),
            a: self.a.clone(),
            b: self.b.clone(),
            api,
            tickets: self.tickets.clone(),
            http: reqwest::Client::new(),
            addr,
            prefix: self.prefix.clone(),
            blobs: self.blobs.clone(),
            mount: self.mount,
            authenticator: self.authenticator.clone(),
        }
    }

    /// The URL of `path` (below the mount point).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The WebSocket URL of `path_and_query` (below the mount point).
    pub fn ws_url(&self, path_and_query: &str) -> String {
        format!("ws{}", &self.url(path_and_query)["http".len()..])
    }

    /// Sends `head` (request line and headers, without the blank line; the path below the
    /// mount point) over a plain TCP connection, sends no body, and reads the answer until the
    /// server closes. For requests the server must answer before reading a body.
    pub async fn raw(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut head = format!(
            "{method} {}{path} HTTP/1.1\r\nhost: {}\r\nconnection: close\r\n",
            self.prefix, self.addr
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let exchange = async {
            let mut tcp = tokio::net::TcpStream::connect(self.addr).await?;
            tcp.write_all(head.as_bytes()).await?;
            let mut answer = Vec::new();
            tcp.read_to_end(&mut answer).await?;
            Ok::<_, std::io::Error>(answer)
        };
        let answer = tokio::time::timeout(std::time::Duration::from_secs(10), exchange)
            .await
            .expect("the server answers without waiting for the body")
            .expect("raw HTTP exchange");
        Reply::parse_http1(&answer)
    }

    /// Sends a request built with [`Fixture::http`].
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        Reply::read(request.send().await.expect("the server answers")).await
    }

    /// An agent REST call with a bearer token and an optional JSON body.
    pub async fn call(&self, method: &str, token: &str, path: &str, body: Option<Value>) -> Reply {
        let mut request = self
            .http
            .request(method.parse().expect("method"), self.url(path))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.send(request).await
    }

    /// `GET` as an agent.
    pub async fn get(&self, token: &str, path: &str) -> Reply {
        self.call("GET", token, path, None).await
    }

    /// `POST` a JSON body as an agent.
    pub async fn post(&self, token: &str, path: &str, body: Value) -> Reply {
        self.call("POST", token, path, Some(body)).await
    }

    /// A public (widget) call: `rest` below `/v1/chat/public/widgets/{widgetId}`, from `origin`,
    /// with an optional customer token and JSON body.
    pub async fn public(
        &self,
        tenant: &TenantFixture,
        method: &str,
        rest: &str,
        origin: Option<&str>,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        self.public_on(&tenant.widget_id, method, rest, origin, token, body)
            .await
    }

    /// [`Fixture::public`] on any widget.
    pub async fn public_on(
        &self,
        widget_id: &str,
        method: &str,
        rest: &str,
        origin: Option<&str>,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut request = self.http.request(
            method.parse().expect("method"),
            self.url(&format!("/v1/chat/public/widgets/{widget_id}{rest}")),
        );
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.send(request).await
    }

    /// A customer starts a session on `tenant`'s widget (email `{name}@example.com`).
    pub async fn customer(&self, tenant: &TenantFixture, name: &str) -> Customer {
        let reply = self
            .public(
                tenant,
                "POST",
                "/sessions",
                Some(tenant.origin),
                None,
                Some(
                    json!({"customer_name": name, "customer_email": format!("{name}@example.com")}),
                ),
            )
            .await;
        reply.expect_status(201);
        Customer {
            session_id: reply.json["session"]["id"]
                .as_str()
                .expect("session id")
                .to_owned(),
            token: reply.str("customer_token").to_owned(),
        }
    }

    /// A customer call on its own session, from the widget's origin.
    pub async fn as_customer(
        &self,
        tenant: &TenantFixture,
        customer: &Customer,
        method: &str,
        rest: &str,
        body: Option<Value>,
    ) -> Reply {
        self.public(
            tenant,
            method,
            rest,
            Some(tenant.origin),
            Some(&customer.token),
            body,
        )
        .await
    }

    /// An agent socket authenticated with the bearer header; panics if refused.
    pub async fn agent_socket(&self, token: &str) -> Socket {
        self.try_socket(
            "/v1/chat/ws",
            &[("authorization", &format!("Bearer {token}"))],
        )
        .await
        .unwrap_or_else(|refusal| panic!("agent socket refused: {refusal:?}"))
    }

    /// `tenant`'s customer socket from the widget's origin; panics if refused.
    pub async fn customer_socket(&self, tenant: &TenantFixture, customer: &Customer) -> Socket {
        self.try_socket(
            &format!(
                "/v1/chat/public/widgets/{}/ws?token={}",
                tenant.widget_id, customer.token
            ),
            &[("origin", tenant.origin)],
        )
        .await
        .unwrap_or_else(|refusal| panic!("customer socket refused: {refusal:?}"))
    }

    /// Opens a socket on `path_and_query` with `headers`: the socket after its `ready` frame,
    /// or the HTTP answer that refused the upgrade.
    pub async fn try_socket(
        &self,
        path_and_query: &str,
        headers: &[(&str, &str)],
    ) -> Result<Socket, Reply> {
        Socket::connect(&self.ws_url(path_and_query), headers).await
    }
}

/// A customer's session and bearer token.
#[derive(Clone, Debug)]
pub struct Customer {
    /// The session id.
    pub session_id: String,
    /// The customer token.
    pub token: String,
}
