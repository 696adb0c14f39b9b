//! Presence, capacity and routing over HTTP and WebSocket: `PUT /v1/chat/me/presence`, the
//! team list's presence and load, `presence_changed` (the tenant's agents only),
//! `session_limit_reached` on every path that gives an agent a session, widgets' `routing`,
//! departments and `no_agents_available`.

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
    // Tenant B's own colleague coming online is B's news; A's `agent-321` is not.
    assert!(
        before
            .iter()
            .all(|v| v["type"] != "presence_changed" || v["agent_id"] != "agent-321"),
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

/// Sets `tenant`'s widget's routing settings as its admin; answers the widget.
async fn route(f: &Fixture, tenant: &crate::fixture::TenantFixture, routing: Value) -> Value {
    let path = format!("/v1/chat/widgets/{}", tenant.widget_id);
    let reply = f
        .call(
            "PUT",
            &tenant.admin,
            &path,
            Some(json!({ "routing": routing })),
        )
        .await;
    reply.expect_status(200).clone()
}

/// A widget's `routing` is stored and shown; with `least_busy` a new session goes at once to
/// an online agent; bad settings name their field.
pub async fn widgets_route_new_sessions_to_an_online_agent(f: &Fixture) {
    let t = &f.a;
    let widget = route(f, t, json!({"mode": "least_busy"})).await;
    assert_exact_fields(
        &widget["routing"],
        &[
            "mode",
            "department",
            "required_skills",
            "reassign_after_seconds",
            "offline_when_no_agents",
        ],
    );
    assert_eq!(widget["routing"]["mode"], "least_busy");
    assert!(widget["auto_end_after_minutes"].is_null());
    let path = format!("/v1/chat/widgets/{}", t.widget_id);
    let bad = json!({"routing": {"mode": "least_busy", "reassign_after_seconds": 0}});
    let refused = f.call("PUT", &t.admin, &path, Some(bad)).await;
    refused.expect_error(422, "invalid_input");
    assert_eq!(
        refused.json["error"]["field"],
        "routing.reassign_after_seconds"
    );

    let waiting = f.customer(t, "uma").await;
    let before = f
        .get(
            &t.agent,
            &format!("/v1/chat/sessions/{}", waiting.session_id),
        )
        .await;
    assert_eq!(
        before.expect_status(200)["status"],
        "waiting",
        "nobody online yet"
    );
    let mut console = f.agent_socket(&t.limited).await;
    let taken = console
        .until("session_assigned", |v| {
            v["session_id"] == waiting.session_id.as_str()
        })
        .await
        .1;
    assert_eq!(taken["agent_id"], "agent-321", "offered on coming online");
    let next = f.customer(t, "vic").await;
    let after = f
        .get(&t.agent, &format!("/v1/chat/sessions/{}", next.session_id))
        .await;
    assert_eq!(
        after.expect_status(200)["status"],
        "waiting",
        "Limited is full"
    );
}

/// `GET /v1/chat/departments` lists the tenant's departments; a session transferred to one
/// is taken only by its agents (`403 forbidden` for others).
pub async fn departments_are_listed_and_guard_the_sessions_transferred_to_them(f: &Fixture) {
    let t = &f.a;
    let listed = f.get(&t.agent, "/v1/chat/departments").await;
    let departments = listed.list("departments");
    assert_eq!(departments.len(), 1, "{departments:?}");
    assert_exact_fields(&departments[0], &["name", "agents", "online", "waiting"]);
    assert_eq!(
        departments[0],
        json!({"name": "billing", "agents": ["agent-456"], "online": 0, "waiting": 0})
    );
    let c = f.customer(t, "wes").await;
    f.post(
        &t.supervisor,
        &format!("/v1/chat/sessions/{}/transfer", c.session_id),
        json!({"department": "billing"}),
    )
    .await
    .expect_status(200);
    let listed = f.get(&f.b.agent, "/v1/chat/departments").await;
    let theirs = listed.list("departments");
    assert!(
        theirs.iter().all(|d| d["waiting"] == 0),
        "other tenant: {theirs:?}"
    );
    let ours = f.get(&t.agent, "/v1/chat/departments").await;
    assert_eq!(ours.list("departments")[0]["waiting"], 1);
    let assign = format!("/v1/chat/sessions/{}/assign", c.session_id);
    f.post(&t.agent, &assign, json!({}))
        .await
        .expect_error(403, "forbidden");
    let taken = f.post(&t.colleague, &assign, json!({})).await;
    assert_eq!(taken.expect_status(200)["assigned_agent_id"], "agent-456");
}

/// With `offline_when_no_agents` and nobody online, the public configuration says so and a
/// new session answers `409 no_agents_available`.
pub async fn a_widget_with_nobody_online_refuses_new_sessions_when_asked(f: &Fixture) {
    let t = &f.a;
    let open = f.public(t, "GET", "", Some(t.origin), None, None).await;
    assert_eq!(open.expect_status(200)["agents_online"], false);
    route(f, t, json!({"offline_when_no_agents": true})).await;
    let config = f.public(t, "GET", "", Some(t.origin), None, None).await;
    assert_eq!(config.expect_status(200)["offline_when_no_agents"], true);
    let body = json!({"customer_name": "Xia"});
    f.public(
        t,
        "POST",
        "/sessions",
        Some(t.origin),
        None,
        Some(body.clone()),
    )
    .await
    .expect_error(409, "no_agents_available");
    let _console = f.agent_socket(&t.agent).await;
    let config = f.public(t, "GET", "", Some(t.origin), None, None).await;
    assert_eq!(config.expect_status(200)["agents_online"], true);
    f.public(t, "POST", "/sessions", Some(t.origin), None, Some(body))
        .await
        .expect_status(201);
}

/// A waiting customer sees their place (REST and `queue_updated` on their socket) fall as a
/// session ahead is taken; `GET /v1/chat/queue` is the supervisors' board of their tenant
/// only, `403` for a plain agent.
pub async fn the_queue_shows_customers_their_place_and_supervisors_the_board(f: &Fixture) {
    let t = &f.a;
    let (ahead, behind) = (f.customer(t, "yan").await, f.customer(t, "zoe").await);
    let own = f.as_customer(t, &behind, "GET", "/session", None).await;
    let own = own.expect_status(200);
    assert_eq!(own["queue_position"], 2);
    assert!(own["estimated_wait_seconds"].is_null());
    let mut socket = f.customer_socket(t, &behind).await;

    let board = f.get(&t.supervisor, "/v1/chat/queue").await;
    let board = board.expect_status(200);
    assert_exact_fields(board, &["waiting", "departments", "agents"]);
    let waiting = board["waiting"].as_array().expect("waiting");
    assert_exact_fields(&waiting[0], &["session", "waiting_seconds"]);
    let ids: Vec<&str> = waiting
        .iter()
        .filter_map(|w| w["session"]["id"].as_str())
        .collect();
    assert_eq!(ids, [ahead.session_id.as_str(), behind.session_id.as_str()]);
    assert_exact_fields(
        &board["agents"][0],
        &[
            "agent_id",
            "display_name",
            "presence",
            "active_sessions",
            "max_concurrent_sessions",
        ],
    );
    f.get(&t.agent, "/v1/chat/queue")
        .await
        .expect_error(403, "forbidden");
    let theirs = f.get(&f.b.supervisor, "/v1/chat/queue").await;
    assert!(theirs.expect_status(200)["waiting"]
        .as_array()
        .expect("waiting")
        .is_empty());

    f.post(
        &t.agent,
        &format!("/v1/chat/sessions/{}/assign", ahead.session_id),
        json!({}),
    )
    .await
    .expect_status(200);
    let update = socket.expect("queue_updated").await;
    assert_exact_fields(
        &update,
        &[
            "type",
            "session_id",
            "queue_position",
            "estimated_wait_seconds",
        ],
    );
    assert_eq!(update["session_id"], behind.session_id.as_str());
    assert_eq!(update["queue_position"], 1);
}

/// Agent session views carry `awaiting_reply_since` and the requesting agent's
/// `unread_count`; `?awaiting_reply=true` lists the waiting customers of the agent's tenant
/// only; an agent's reply clears the wait and their unread count; the customer's own view
/// carries neither field.
pub async fn agents_see_who_awaits_a_reply_and_their_unread_count_and_customers_never_do(
    f: &Fixture,
) {
    let t = &f.a;
    let (asking, quiet) = (f.customer(t, "ann").await, f.customer(t, "bob").await);
    let say = |text: &'static str| {
        f.as_customer(
            t,
            &asking,
            "POST",
            "/session/messages",
            Some(json!({ "content": text })),
        )
    };
    say("hello?").await.expect_status(201);
    say("anyone?").await.expect_status(201);
    let needs_reply = |token: String| async move {
        let reply = f.get(&token, "/v1/chat/sessions?awaiting_reply=true").await;
        reply.expect_status(200)["sessions"]
            .as_array()
            .expect("sessions")
            .clone()
    };
    let listed = needs_reply(t.agent.clone()).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["id"], asking.session_id.as_str());
    assert!(listed[0]["awaiting_reply_since"].is_string());
    assert_eq!(listed[0]["unread_count"], 2);
    assert!(
        needs_reply(f.b.agent.clone()).await.is_empty(),
        "other tenant"
    );
    let path = format!("/v1/chat/sessions/{}", quiet.session_id);
    let one = f.get(&t.agent, &path).await;
    assert!(one.expect_status(200)["awaiting_reply_since"].is_null());
    f.get(&t.agent, "/v1/chat/sessions?awaiting_reply=maybe")
        .await
        .expect_error(422, "invalid_input");

    let own = f.as_customer(t, &asking, "GET", "/session", None).await;
    let own = own.expect_status(200);
    for agent_only in ["awaiting_reply_since", "unread_count"] {
        assert!(own.get(agent_only).is_none(), "customer sees {agent_only}");
    }

    let messages = format!("/v1/chat/sessions/{}/messages", asking.session_id);
    f.post(&t.agent, &messages, json!({"content": "here"}))
        .await
        .expect_status(201);
    let path = format!("/v1/chat/sessions/{}", asking.session_id);
    let read = f.get(&t.agent, &path).await;
    let read = read.expect_status(200);
    assert!(read["awaiting_reply_since"].is_null());
    assert_eq!(read["unread_count"], 0);
    assert!(needs_reply(t.agent.clone()).await.is_empty());
}
