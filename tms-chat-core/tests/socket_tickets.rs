//! One-time socket tickets across nodes: two `ChatApi`s over one store stand for two server
//! processes on one database. A ticket issued through one opens a socket on the other, once;
//! a second use, on either node, is refused, and so is a ticket nobody issued.

#![allow(clippy::unwrap_used)] // Tests unwrap: a panic is a failed test.

use serde_json::Value;
use std::sync::Arc;
use tms_chat_core::domain::Agent;
use tms_chat_core::ids::TenantId;
use tms_chat_core::protocol::{ApiConfig, ApiRequest, ChatApi};
use tms_chat_core::service::ChatService;
use tms_chat_core::store::ChatStore;
use tms_chat_core::test_utils::{seed_tenant, MemoryStore, StaticTokens};

fn node(store: &Arc<dyn ChatStore>) -> ChatApi {
    let ann = Agent::new("ann", TenantId::new("acme"), "Ann");
    let bob = Agent::new("bob", TenantId::new("globex"), "Bob");
    let auth = StaticTokens::new([("ann-token", ann), ("bob-token", bob)]);
    let service = ChatService::builder(store.clone()).build();
    ChatApi::new(service, Arc::new(auth), ApiConfig::default())
}

async fn ticket(api: &ChatApi, token: &str) -> String {
    let request = ApiRequest::new("POST", "/v1/chat/ws-ticket")
        .with_header("authorization", &format!("Bearer {token}"));
    let response = api.handle(request).await;
    assert_eq!(response.status, 201);
    let body: Value = serde_json::from_slice(&response.body).unwrap();
    body["ticket"].as_str().unwrap().to_owned()
}

fn socket_request(ticket: &str) -> ApiRequest {
    ApiRequest::new("GET", &format!("/v1/chat/ws?ticket={ticket}"))
}

#[tokio::test]
async fn a_ticket_from_one_node_opens_a_socket_on_another_exactly_once() {
    let store: Arc<dyn ChatStore> = Arc::new(MemoryStore::new());
    seed_tenant(&*store, &TenantId::new("acme"), "Acme").await;
    seed_tenant(&*store, &TenantId::new("globex"), "Globex").await;
    let (node_a, node_b) = (node(&store), node(&store));
    let issued = ticket(&node_a, "ann-token").await;
    let grant = node_b.authorize_socket(&socket_request(&issued)).await;
    assert!(grant.unwrap().is_agent());
    let again_b = node_b.authorize_socket(&socket_request(&issued)).await;
    assert_eq!(again_b.unwrap_err().status, 401);
    let again_a = node_a.authorize_socket(&socket_request(&issued)).await;
    assert_eq!(again_a.unwrap_err().status, 401);
    let forged = node_b
        .authorize_socket(&socket_request("not-a-ticket"))
        .await;
    assert_eq!(forged.unwrap_err().status, 401);
}
