//! Presence and capacity over HTTP and WebSocket: `PUT /v1/chat/me/presence`, the team list's
//! presence and load, `presence_changed` (the tenant's agents only), and
//! `session_limit_reached` on every path that gives an agent a session.

use super::{assert_exact_fields, assert_fields, barrier_session};
use crate::fixture::Fixture;
use serde_json::{json, Value};

/// The team list entry of agent `id`.
fn member<'a>(agents: &'a [Value], id: &str) -> &'a Value {
    agents
        .iter()
        .find(|a| a["id"] == id)
        .unwrap_or_else(|| panic!("{id} is not listed: {agents:?}"))
}

/// An agent sets their presence; the team list carries presence, load and routing fields.
pub async fn agents_set_their_presence_and_the_team_list_shows_it_with_their_load(f: &Fixture) {
    let t = &f.a;
    let set = f
        .call(
            "PUT",
            &t.agent,
            "/v1/chat/me/presence",
            Some(json!({"status": "away"})),
        )
        .await;
    let body = set.expect_status(200);
    assert_exact_fields(body, &["agent_id", "presence"]);
    assert_eq!(body, &json!({"agent_id": "agent-123", "presence": "away"}));
    f.call(
        "PUT",
        &t.agent,
        "/v1/chat/me/presence",
        Some(json!({"status": "busy"})),
    )
    .await
    .expect_error(422, "invalid_input");

    let c = f.customer(t, "pia").await;
    f.post(
        &t.agent,
        &format!("/v1/chat/sessions/{}/assign", c.session_id),
        json!({}),
    )
    .await
    .expect_status(200);
    let team = f.get(&t.supervisor, "/v1/chat/agents").await;
    let agents = team.list("agents");
    let agent = member(agents, "agent-123");
    assert_fields(
        agent,
        &[
            "id",
            "display_name",
            "presence",
            "active_sessions",
            "max_concurrent_sessions",
            "departments",
            "skills",
        ],
    );
    assert_eq!(agent["presence"], "away");
    assert_eq!(agent["active_sessions"], 1);
    let limited = member(agents, "agent-321");
    assert_eq!(limited["max_concurrent_sessions"], 1);
    assert_eq!(limited["presence"], "offline", "never connected");
}

/// Opening a console socket brings the agent online: the tenant's other consoles get
/// `presence_changed`; another tenant's consoles and the customers do not.
pub async fn presence_changes_reach_the_tenants_agents_and_no_other_tenant_or_customer(
    f: &Fixture,
) {
    let (t, other) = (&f.a, &f.b);
    let c = f.customer(t, "quinn").await;
    let mut colleague = f.agent_socket(&t.colleague).await;
    let mut foreign = f.agent_socket(&other.colleague).await;
    let mut customer = f.customer_socket(t, &c).await;

    let _limited = f.agent_socket(&t.limited).await;
    let changed = colleague
        .until("presence_changed", |v| v["agent_id"] == "agent-321")
        .await
        .1;
    assert_exact_fields(&changed, &["type", "agent_id", "presence"]);
    assert_eq!(changed["presence"], "online");

    // Barriers: a later event each connection does get.
    let barrier = barrier_session(f, other, &other.widget_id).await;
    let (before, _) = foreign
        .until("session_created", |v| v["session_id"] == barrier)
        .await;
    assert!(
        before.iter().all(|v| v["type"] != "presence_changed"),
        "{before:?}"
    );
    f.post(
        &t.agent,
        &format!("/v1/chat/sessions/{}/typing", c.session_id),
        json!({"is_typing": true}),
    )
    .await
    .expect_status(204);
    let (before, _) = customer.until("typing_indicator", |_| true).await;
    assert!(
        before.iter().all(|v| v["type"] != "presence_changed"),
        "{before:?}"
    );
}

/// An agent who holds their limit cannot take, be given, or be transferred another
/// session: `409 session_limit_reached`; ending one frees the place.
pub async fn an_agent_at_their_session_limit_gets_session_limit_reached(f: &Fixture) {
    let t = &f.a;
    let (held, next, moved) = (
        f.customer(t, "rae").await,
        f.customer(t, "sol").await,
        f.customer(t, "tam").await,
    );
    let path = |s: &str, action: &str| format!("/v1/chat/sessions/{s}/{action}");
    f.post(&t.limited, &path(&held.session_id, "assign"), json!({}))
        .await
        .expect_status(200);
    f.post(&t.limited, &path(&next.session_id, "assign"), json!({}))
        .await
        .expect_error(409, "session_limit_reached");
    f.post(
        &t.supervisor,
        &path(&next.session_id, "assign"),
        json!({"agent_id": "agent-321"}),
    )
    .await
    .expect_error(409, "session_limit_reached");
    f.post(&t.agent, &path(&moved.session_id, "assign"), json!({}))
        .await
        .expect_status(200);
    f.post(
        &t.agent,
        &path(&moved.session_id, "transfer"),
        json!({"agent_id": "agent-321"}),
    )
    .await
    .expect_error(409, "session_limit_reached");

    f.post(&t.limited, &path(&held.session_id, "end"), json!({}))
        .await
        .expect_status(200);
    let taken = f
        .post(&t.limited, &path(&next.session_id, "assign"), json!({}))
        .await;
    assert_eq!(taken.expect_status(200)["assigned_agent_id"], "agent-321");
}
