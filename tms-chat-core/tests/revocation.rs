//! Revocation over in-process sockets: `ChatApi::revoke_agent` closes that agent's sockets
//! (and no other tenant's agent of the same id), the periodic recheck closes a socket whose
//! agent the host stopped accepting and keeps it open while the host's directory is down, a
//! ticket issued before a revocation opens nothing, and a deleted widget closes its
//! customers' sockets and refuses their tokens. Waiting for a recheck is counting the host's
//! answers, never sleeping for a time.

#![allow(clippy::unwrap_used)] // Tests unwrap: a panic is a failed test.

use async_trait::async_trait;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tms_chat_core::auth::{AgentAuthenticator, RequestParts};
use tms_chat_core::domain::{Agent, Role};
use tms_chat_core::ids::{AgentId, ProjectId, TenantId, WidgetId};
use tms_chat_core::protocol::{close_code, ApiConfig, ApiRequest, ChatApi};
use tms_chat_core::service::ChatService;
use tms_chat_core::store::ChatStore;
use tms_chat_core::test_utils::{seed_tenant, seed_widget, MemoryStore, SocketClient};
use tms_chat_core::{ChatError, ChatResult};

/// The host's agent directory: tokens, agents it can remove or change, and a switch that
/// makes it fail the way a directory that is down does.
#[derive(Default)]
struct Directory {
    by_token: Mutex<HashMap<String, Agent>>,
    down: AtomicBool,
    rechecks: AtomicUsize,
}

impl Directory {
    fn add(&self, token: &str, agent: Agent) {
        self.by_token
            .lock()
            .unwrap()
            .insert(token.to_owned(), agent);
    }

    fn remove(&self, tenant: &str, id: &str) {
        self.by_token
            .lock()
            .unwrap()
            .retain(|_, a| !(a.tenant_id.as_str() == tenant && a.id.as_str() == id));
    }

    fn update(&self, agent: Agent) {
        for known in self.by_token.lock().unwrap().values_mut() {
            if known.tenant_id == agent.tenant_id && known.id == agent.id {
                *known = agent.clone();
            }
        }
    }
}

#[async_trait]
impl AgentAuthenticator for Directory {
    async fn authenticate(&self, request: &RequestParts) -> ChatResult<Agent> {
        let token = request.bearer_token().ok_or(ChatError::Unauthorized)?;
        let agents = self.by_token.lock().unwrap();
        agents.get(token).cloned().ok_or(ChatError::Unauthorized)
    }

    async fn recheck(&self, agent: &Agent) -> ChatResult<Agent> {
        self.rechecks.fetch_add(1, Ordering::SeqCst);
        if self.down.load(Ordering::SeqCst) {
            return Err(ChatError::Unavailable("directory down".into()));
        }
        let agents = self.by_token.lock().unwrap();
        agents
            .values()
            .find(|a| a.tenant_id == agent.tenant_id && a.id == agent.id)
            .cloned()
            .ok_or(ChatError::Unauthorized)
    }
}

struct Fixture {
    api: ChatApi,
    directory: Arc<Directory>,
    admin: Agent,
    widgets: [WidgetId; 2],
}

async fn fixture(recheck_every: Duration) -> Fixture {
    let store: Arc<dyn ChatStore> = Arc::new(MemoryStore::new());
    let acme = TenantId::new("acme");
    let globex = TenantId::new("globex");
    seed_tenant(&*store, &acme, "Acme").await;
    seed_tenant(&*store, &globex, "Globex").await;
    let admin = Agent::new("admin", acme.clone(), "Ada").with_role(Role::Admin);
    let directory = Arc::new(Directory::default());
    directory.add("admin-token", admin.clone());
    directory.add("sam-token", Agent::new("sam", acme.clone(), "Sam"));
    // The same agent id in another tenant: a revocation in acme never reaches it.
    directory.add("globex-sam-token", Agent::new("sam", globex, "Sam G"));
    let service = ChatService::builder(store).build();
    let shop = seed_widget(&service, &admin, "Shop", "shop.example.com").await;
    let blog = seed_widget(&service, &admin, "Blog", "blog.example.com").await;
    let config = ApiConfig {
        agent_recheck_interval: recheck_every,
        ..ApiConfig::default()
    };
    let auth: Arc<dyn AgentAuthenticator> = directory.clone();
    Fixture {
        api: ChatApi::new(service, auth, config),
        directory,
        admin,
        widgets: [shop.id, blog.id],
    }
}

/// Long enough that no recheck happens during a test that does not wait for one.
const NEVER: Duration = Duration::from_secs(3600);

impl Fixture {
    async fn agent_socket(&self, token: &str) -> SocketClient {
        let request = ApiRequest::new("GET", "/v1/chat/ws")
            .with_header("authorization", &format!("Bearer {token}"));
        let mut socket = SocketClient::connect(&self.api, request).await;
        socket.expect("ready").await;
        socket
    }

    fn origin(widget: usize) -> &'static str {
        ["https://shop.example.com", "https://blog.example.com"][widget]
    }

    /// A customer of widget `widget` (0 or 1): their session id and token.
    async fn customer(&self, widget: usize) -> (String, String) {
        let path = format!("/v1/chat/public/widgets/{}/sessions", self.widgets[widget]);
        let request = ApiRequest::new("POST", &path)
            .with_header("origin", Self::origin(widget))
            .with_json(&json!({"customer_name": "Ann"}));
        let response = self.api.handle(request).await;
        assert_eq!(response.status, 201);
        let body: Value = serde_json::from_slice(&response.body).unwrap();
        let id = body["session"]["id"].as_str().unwrap().to_owned();
        (id, body["customer_token"].as_str().unwrap().to_owned())
    }

    fn customer_socket_request(&self, widget: usize, token: &str) -> ApiRequest {
        let path = format!(
            "/v1/chat/public/widgets/{}/ws?token={token}",
            self.widgets[widget]
        );
        ApiRequest::new("GET", &path).with_header("origin", Self::origin(widget))
    }

    async fn customer_post(&self, widget: usize, token: &str) -> u16 {
        let path = format!(
            "/v1/chat/public/widgets/{}/session/messages",
            self.widgets[widget]
        );
        let request = ApiRequest::new("POST", &path)
            .with_header("origin", Self::origin(widget))
            .with_header("authorization", &format!("Bearer {token}"))
            .with_json(&json!({"content": "still here?"}));
        self.api.handle(request).await.status
    }

    /// Waits until the host answered `count` more rechecks than `since`.
    async fn rechecks_after(&self, since: usize, count: usize) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while self.directory.rechecks.load(Ordering::SeqCst) < since + count {
            assert!(
                tokio::time::Instant::now() < deadline,
                "no recheck happened"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

/// What a barrier on a connection that stays open read (its `pong` came back).
trait StillOpen {
    fn assert_open(self);
}

impl StillOpen for Vec<Value> {
    /// No `error` arrived before the barrier's `pong` (presence changes may have).
    fn assert_open(self) {
        assert!(
            !self.iter().any(|frame| frame["type"] == "error"),
            "{self:#?}"
        );
    }
}

/// The frames a revoked connection ends with: `error` `unauthorized`, then close 4401.
async fn expect_revoked(socket: &mut SocketClient) {
    let error = socket.expect("error").await;
    assert_eq!(error["code"], "unauthorized", "{error}");
    assert_eq!(socket.expect_close().await, Some(close_code::REVOKED));
}

#[tokio::test]
async fn revoking_an_agent_closes_their_sockets_and_no_one_elses() {
    let f = fixture(NEVER).await;
    let mut sam_console = f.agent_socket("sam-token").await;
    let mut sam_phone = f.agent_socket("sam-token").await;
    let mut admin = f.agent_socket("admin-token").await;
    let mut other_tenants_sam = f.agent_socket("globex-sam-token").await;
    f.api
        .revoke_agent(&TenantId::new("acme"), &AgentId::new("sam"))
        .await
        .unwrap();
    expect_revoked(&mut sam_console).await;
    expect_revoked(&mut sam_phone).await;
    admin.barrier().await.assert_open();
    other_tenants_sam.barrier().await.assert_open();
}

#[tokio::test]
async fn an_agent_the_host_stopped_accepting_is_closed_at_the_next_recheck() {
    let f = fixture(Duration::from_millis(20)).await;
    let mut sam = f.agent_socket("sam-token").await;
    let mut admin = f.agent_socket("admin-token").await;
    // Rechecks the host answers "yes" to keep the socket open.
    f.rechecks_after(0, 4).await;
    sam.barrier().await.assert_open();
    f.directory.remove("acme", "sam");
    expect_revoked(&mut sam).await;
    admin.barrier().await.assert_open();
}

#[tokio::test]
async fn a_directory_that_is_down_keeps_sockets_open_until_it_answers_again() {
    let f = fixture(Duration::from_millis(20)).await;
    let mut sam = f.agent_socket("sam-token").await;
    f.directory.down.store(true, Ordering::SeqCst);
    f.directory.remove("acme", "sam");
    let asked = f.directory.rechecks.load(Ordering::SeqCst);
    f.rechecks_after(asked, 3).await;
    sam.barrier().await.assert_open();
    f.directory.down.store(false, Ordering::SeqCst);
    expect_revoked(&mut sam).await;
}

#[tokio::test]
async fn new_projects_from_a_recheck_apply_to_the_open_socket() {
    let f = fixture(Duration::from_millis(20)).await;
    let mut sam = f.agent_socket("sam-token").await;
    let (session, _) = f.customer(0).await;
    assert_eq!(sam.expect("session_created").await["session_id"], session);
    // Sam now works in another project only: the default project's sessions are not his.
    let other = ProjectId::new("acme-elsewhere");
    f.directory
        .update(Agent::new("sam", TenantId::new("acme"), "Sam").with_projects([other]));
    let asked = f.directory.rechecks.load(Ordering::SeqCst);
    f.rechecks_after(asked, 2).await;
    f.customer(0).await;
    let arrived = sam.barrier().await;
    assert!(
        !arrived
            .iter()
            .any(|frame| frame["type"] == "session_created"),
        "{arrived:#?}"
    );
}

/// A session an agent socket sent to before its agent lost the session's project is not
/// its any more: the next send to it is refused, not served from what the socket knew.
#[tokio::test]
async fn a_send_after_a_recheck_took_the_sessions_project_away_is_refused() {
    let f = fixture(Duration::from_millis(20)).await;
    let mut sam = f.agent_socket("sam-token").await;
    let (session, _) = f.customer(0).await;
    sam.send(
        json!({"type": "send_message", "session_id": session, "content": "Hi", "request_id": 1}),
    );
    assert_eq!(sam.expect("message_ack").await["request_id"], 1);
    let other = ProjectId::new("acme-elsewhere");
    f.directory
        .update(Agent::new("sam", TenantId::new("acme"), "Sam").with_projects([other]));
    let asked = f.directory.rechecks.load(Ordering::SeqCst);
    f.rechecks_after(asked, 2).await;
    sam.send(
        json!({"type": "send_message", "session_id": session, "content": "Hi", "request_id": 2}),
    );
    let refused = sam.expect("error").await;
    assert_eq!(refused["request_id"], 2, "{refused}");
    assert_eq!(refused["code"], "not_found", "{refused}");
}

#[tokio::test]
async fn a_ticket_issued_before_the_host_stopped_accepting_the_agent_opens_nothing() {
    let f = fixture(NEVER).await;
    let request = ApiRequest::new("POST", "/v1/chat/ws-ticket")
        .with_header("authorization", "Bearer sam-token");
    let response = f.api.handle(request).await;
    assert_eq!(response.status, 201);
    let body: Value = serde_json::from_slice(&response.body).unwrap();
    let ticket = body["ticket"].as_str().unwrap();
    f.directory.remove("acme", "sam");
    let socket = ApiRequest::new("GET", &format!("/v1/chat/ws?ticket={ticket}"));
    let refused = f.api.authorize_socket(&socket).await.unwrap_err();
    assert_eq!(refused.status, 401);
}

#[tokio::test]
async fn a_deleted_widgets_customers_are_closed_and_their_tokens_refused() {
    let f = fixture(NEVER).await;
    let (_, shop_token) = f.customer(0).await;
    let (_, blog_token) = f.customer(1).await;
    let mut shop = SocketClient::connect(&f.api, f.customer_socket_request(0, &shop_token)).await;
    shop.expect("ready").await;
    let mut blog = SocketClient::connect(&f.api, f.customer_socket_request(1, &blog_token)).await;
    blog.expect("ready").await;
    let mut admin = f.agent_socket("admin-token").await;
    f.api
        .service()
        .delete_widget(&f.admin, &f.widgets[0])
        .await
        .unwrap();
    expect_revoked(&mut shop).await;
    // The deleted widget's customer can post neither over REST nor over a new socket.
    assert_eq!(f.customer_post(0, &shop_token).await, 404);
    let again = f
        .api
        .authorize_socket(&f.customer_socket_request(0, &shop_token))
        .await;
    assert_eq!(again.unwrap_err().status, 404);
    // Another widget's customer and the agents are untouched.
    blog.send(json!({"type": "send_message", "content": "hi", "request_id": "b1"}));
    assert_eq!(blog.expect("message_ack").await["request_id"], "b1");
    assert_eq!(f.customer_post(1, &blog_token).await, 201);
    admin.barrier().await.assert_open();
}
