//! Who gets which WebSocket event.

use super::*;

/// Messages and typing reach a subscribed console; an agent who is neither assigned nor
/// subscribed gets neither.
pub async fn a_subscribed_console_gets_messages_and_typing_but_an_unsubscribed_agent_does_not(
    f: &Fixture,
) {
    let t = &f.a;
    let c = f.customer(t, "dan").await;
    let mut console = f.agent_socket(&t.agent).await;
    let mut bystander = f.agent_socket(&t.colleague).await;
    console
        .send(json!({"type": "subscribe", "session_id": c.session_id, "request_id": "s1"}))
        .await;
    let subscribed = console.expect("subscribed").await;
    assert_eq!(subscribed["session_id"], c.session_id.as_str());
    assert_eq!(subscribed["last_seq"], 0);
    let mut customer = f.customer_socket(t, &c).await;

    customer
        .send(json!({"type": "typing_indicator", "session_id": c.session_id, "is_typing": true}))
        .await;
    let typing = console.expect_for("typing_indicator", &c.session_id).await;
    assert_eq!(typing["sender_type"], "customer");
    assert_eq!(typing["is_typing"], true);
    customer
        .send(json!({"type": "send_message", "content": "Hello!", "message_type": "text"}))
        .await;
    let ack = customer.expect("message_ack").await;
    let delivered = console.expect_for("new_message", &c.session_id).await;
    assert_eq!(delivered["message"]["seq"], ack["seq"]);
    assert_eq!(delivered["message"]["content"], "Hello!");
    assert_eq!(delivered["message"]["sender_type"], "customer");

    let barrier = barrier_session(f, t, &t.widget_id).await;
    let (before, _) = bystander
        .until("session_created", |v| v["session_id"] == barrier)
        .await;
    let leaked: Vec<_> = about(&before, &c.session_id)
        .into_iter()
        .filter(|v| v["type"] == "new_message" || v["type"] == "typing_indicator")
        .collect();
    assert!(leaked.is_empty(), "{leaked:#?}");
}

/// The assigned agent gets its sessions' messages and typing without subscribing.
pub async fn the_assigned_agent_gets_its_sessions_messages_without_subscribing(f: &Fixture) {
    let t = &f.a;
    let c = f.customer(t, "eli").await;
    let mut assignee = f.agent_socket(&t.colleague).await;
    f.post(
        &t.supervisor,
        &format!("/v1/chat/sessions/{}/assign", c.session_id),
        json!({"agent_id": "agent-456"}),
    )
    .await
    .expect_status(200);
    f.as_customer(
        t,
        &c,
        "POST",
        "/session/typing",
        Some(json!({"is_typing": true})),
    )
    .await
    .expect_status(204);
    assert_eq!(
        assignee.expect_for("typing_indicator", &c.session_id).await["sender_type"],
        "customer"
    );
    f.as_customer(
        t,
        &c,
        "POST",
        "/session/messages",
        Some(json!({"content": "Anyone?"})),
    )
    .await
    .expect_status(201);
    let (_, message) = assignee
        .until("new_message", |v| v["message"]["content"] == "Anyone?")
        .await;
    assert_eq!(message["session_id"], c.session_id.as_str());
    assert_fields(&message["message"], MESSAGE_FIELDS);
}

/// `unsubscribe` answers `unsubscribed` and stops the session's messages.
pub async fn unsubscribe_stops_a_consoles_messages(f: &Fixture) {
    let t = &f.a;
    let c = f.customer(t, "fin").await;
    let mut console = f.agent_socket(&t.agent).await;
    console
        .send(json!({"type": "subscribe", "session_id": c.session_id}))
        .await;
    console.expect("subscribed").await;
    f.as_customer(
        t,
        &c,
        "POST",
        "/session/messages",
        Some(json!({"content": "one"})),
    )
    .await
    .expect_status(201);
    console.expect_for("new_message", &c.session_id).await;
    console
        .send(json!({"type": "unsubscribe", "session_id": c.session_id}))
        .await;
    let unsubscribed = console.expect("unsubscribed").await;
    assert_eq!(unsubscribed["session_id"], c.session_id.as_str());
    f.as_customer(
        t,
        &c,
        "POST",
        "/session/messages",
        Some(json!({"content": "two"})),
    )
    .await
    .expect_status(201);
    let barrier = barrier_session(f, t, &t.widget_id).await;
    let (before, _) = console
        .until("session_created", |v| v["session_id"] == barrier)
        .await;
    assert!(
        !before.iter().any(|v| v["type"] == "new_message"),
        "{before:#?}"
    );
    assert_eq!(
        unsubscribed["last_seq"], 1,
        "`unsubscribed` carries `last_seq`: {unsubscribed}"
    );
}

/// Lifecycle events (created, assigned, transferred, updated, ended) reach every agent of the
/// tenant, subscribed or not, and no agent of another tenant.
pub async fn lifecycle_events_reach_every_agent_of_the_tenant_and_no_other_tenant(f: &Fixture) {
    let (a, b) = (&f.a, &f.b);
    let mut ours = Vec::new();
    for token in [&a.admin, &a.supervisor, &a.agent, &a.colleague] {
        ours.push(f.agent_socket(token).await);
    }
    let mut theirs = Vec::new();
    for token in [&b.admin, &b.supervisor, &b.agent] {
        theirs.push(f.agent_socket(token).await);
    }
    let c = f.customer(a, "gus").await;
    let sid = c.session_id.as_str();
    for socket in &mut ours {
        let created = socket.expect_for("session_created", sid).await;
        assert_fields(&created["session"], SESSION_FIELDS);
        assert_eq!(created["session"]["status"], "waiting");
    }

    f.post(
        &a.supervisor,
        &format!("/v1/chat/sessions/{sid}/assign"),
        json!({"agent_id": "agent-123"}),
    )
    .await
    .expect_status(200);
    for socket in &mut ours {
        let assigned = socket.expect_for("session_assigned", sid).await;
        assert_eq!(assigned["agent_id"], "agent-123");
        assert!(assigned
            .get("previous_agent_id")
            .is_some_and(Value::is_null));
        assert_eq!(assigned["session"]["assigned_agent_id"], "agent-123");
    }

    f.post(
        &a.agent,
        &format!("/v1/chat/sessions/{sid}/transfer"),
        json!({"department": "billing"}),
    )
    .await
    .expect_status(200);
    for socket in &mut ours {
        let transferred = socket.expect_for("session_transferred", sid).await;
        assert_eq!(
            transferred["target"],
            json!({"kind": "department", "department": "billing"})
        );
        assert_eq!(transferred["previous_agent_id"], "agent-123");
        assert_eq!(transferred["session"]["status"], "transferred");
    }

    f.as_customer(
        a,
        &c,
        "PATCH",
        "/session",
        Some(json!({"customer_name": "Gus G."})),
    )
    .await
    .expect_status(200);
    for socket in &mut ours {
        let updated = socket.expect_for("session_updated", sid).await;
        assert_eq!(updated["session"]["customer_name"], "Gus G.");
        assert_fields(&updated["session"], SESSION_FIELDS);
    }

    f.post(&a.admin, &format!("/v1/chat/sessions/{sid}/end"), json!({}))
        .await
        .expect_status(200);
    for socket in &mut ours {
        let ended = socket.expect_for("session_ended", sid).await;
        assert_eq!(ended["session"]["status"], "ended");
        assert_eq!(ended["session"]["ended_by"], "agent");
    }

    let barrier = barrier_session(f, b, &b.widget_id).await;
    for socket in &mut theirs {
        let (before, _) = socket
            .until("session_created", |v| v["session_id"] == barrier)
            .await;
        assert!(
            about(&before, sid).is_empty(),
            "another tenant's agent got: {before:#?}"
        );
    }
}

/// Agents get lifecycle events only for sessions of projects they work in.
pub async fn agents_get_lifecycle_events_only_for_their_projects(f: &Fixture) {
    let t = &f.a;
    let elsewhere = f
        .post(
            &t.admin,
            "/v1/chat/widgets",
            json!({"name": "Elsewhere", "domain": "elsewhere.example.com", "project_id": t.other_project}),
        )
        .await;
    assert_eq!(
        elsewhere.expect_status(201)["project_id"],
        t.other_project.as_str()
    );
    let mut outsider = f.agent_socket(&t.outsider).await;
    let c = f.customer(t, "hugo").await;
    f.post(
        &t.agent,
        &format!("/v1/chat/sessions/{}/assign", c.session_id),
        json!({}),
    )
    .await
    .expect_status(200);
    let barrier = barrier_session(f, t, elsewhere.str("id")).await;
    let (before, created) = outsider
        .until("session_created", |v| v["session_id"] == barrier)
        .await;
    assert_eq!(created["session"]["project_id"], t.other_project.as_str());
    assert!(
        about(&before, &c.session_id).is_empty(),
        "an agent outside the project got: {before:#?}"
    );
}

/// The customer socket follows its session in the customer view (assigned, transferred,
/// ended) and closes with 1000 after `session_ended`.
pub async fn the_customer_follows_its_session_until_it_ends_and_the_socket_closes_with_1000(
    f: &Fixture,
) {
    let t = &f.a;
    let c = f.customer(t, "ida").await;
    let mut customer = f.customer_socket(t, &c).await;
    assert_eq!(customer.ready["session_id"], c.session_id.as_str());

    f.post(
        &t.supervisor,
        &format!("/v1/chat/sessions/{}/assign", c.session_id),
        json!({"agent_id": "agent-123"}),
    )
    .await
    .expect_status(200);
    let assigned = customer.expect("session_assigned").await;
    assert_eq!(assigned["session_id"], c.session_id.as_str());
    let view = &assigned["session"];
    assert_exact_fields(view, CUSTOMER_SESSION_FIELDS);
    assert_eq!(view["status"], "active");
    assert_exact_fields(&view["agent"], &["id", "display_name", "avatar_url"]);
    assert_eq!(view["agent"]["display_name"], "Ada Agent");

    f.post(
        &t.agent,
        &format!("/v1/chat/sessions/{}/transfer", c.session_id),
        json!({"agent_id": "agent-456"}),
    )
    .await
    .expect_status(200);
    let transferred = customer.expect("session_transferred").await;
    assert_exact_fields(&transferred["session"], CUSTOMER_SESSION_FIELDS);
    assert_eq!(transferred["session"]["status"], "transferred");

    f.post(
        &t.agent,
        &format!("/v1/chat/sessions/{}/end", c.session_id),
        json!({}),
    )
    .await
    .expect_status(200);
    let ended = customer.expect("session_ended").await;
    assert_exact_fields(&ended["session"], CUSTOMER_SESSION_FIELDS);
    assert_eq!(ended["session"]["status"], "ended");
    assert_eq!(customer.close_code().await, Some(1000));
    for frame in customer.seen() {
        for leak in [
            "tenant_id",
            "project_id",
            "assigned_agent_id",
            "transfer_target",
        ] {
            assert!(
                frame["session"].get(leak).is_none(),
                "the customer view has no {leak}: {frame}"
            );
        }
        assert_ne!(frame["type"], "note_added");
    }
}

/// Typing reaches the other side and is never echoed to its sender.
pub async fn typing_is_never_echoed_to_its_sender(f: &Fixture) {
    let t = &f.a;
    let c = f.customer(t, "jo").await;
    f.post(
        &t.agent,
        &format!("/v1/chat/sessions/{}/assign", c.session_id),
        json!({}),
    )
    .await
    .expect_status(200);
    let mut console = f.agent_socket(&t.agent).await;
    console
        .send(json!({"type": "subscribe", "session_id": c.session_id}))
        .await;
    console.expect("subscribed").await;
    let mut customer = f.customer_socket(t, &c).await;

    console
        .send(json!({"type": "typing_indicator", "session_id": c.session_id, "is_typing": true}))
        .await;
    let seen = customer.expect("typing_indicator").await;
    assert_eq!(
        (seen["sender_type"].as_str(), seen["agent_id"].as_str()),
        (Some("agent"), Some("agent-123"))
    );
    customer
        .send(json!({"type": "typing_indicator", "session_id": c.session_id, "is_typing": false}))
        .await;
    let seen = console.expect_for("typing_indicator", &c.session_id).await;
    assert_eq!(
        (seen["sender_type"].as_str(), seen["is_typing"].as_bool()),
        (Some("customer"), Some(false))
    );

    f.as_customer(
        t,
        &c,
        "PATCH",
        "/session",
        Some(json!({"customer_name": "Jo J."})),
    )
    .await
    .expect_status(200);
    let (before, _) = console
        .until("session_updated", |v| v["session_id"] == c.session_id)
        .await;
    assert!(
        !before
            .iter()
            .any(|v| v["type"] == "typing_indicator" && v["sender_type"] == "agent"),
        "the agent's own typing came back: {before:#?}"
    );
    let (before, _) = customer.until("session_updated", |_| true).await;
    assert!(
        !before
            .iter()
            .any(|v| v["type"] == "typing_indicator" && v["sender_type"] == "customer"),
        "the customer's own typing came back: {before:#?}"
    );
}

/// `mark_read` moves the sender's marker; the other side gets `read_marker`.
pub async fn read_markers_reach_the_other_side_of_the_session(f: &Fixture) {
    let t = &f.a;
    let c = f.customer(t, "kim").await;
    f.post(
        &t.agent,
        &format!("/v1/chat/sessions/{}/assign", c.session_id),
        json!({}),
    )
    .await
    .expect_status(200);
    let mut console = f.agent_socket(&t.agent).await;
    let mut customer = f.customer_socket(t, &c).await;
    let sent = f
        .as_customer(
            t,
            &c,
            "POST",
            "/session/messages",
            Some(json!({"content": "hi"})),
        )
        .await;
    let seq = sent.expect_status(201)["seq"].as_i64().expect("seq");

    customer
        .send(json!({"type": "mark_read", "session_id": c.session_id, "seq": seq}))
        .await;
    let marker = console
        .until("read_marker", |v| v["participant"] == "customer")
        .await
        .1;
    assert_eq!(marker["session_id"], c.session_id.as_str());
    assert_eq!(marker["last_read_seq"], seq);

    console
        .send(json!({"type": "mark_read", "session_id": c.session_id, "seq": seq}))
        .await;
    let marker = customer
        .until("read_marker", |v| v["participant"] == "agent:agent-123")
        .await
        .1;
    assert_eq!(
        (
            marker["session_id"].as_str(),
            marker["last_read_seq"].as_i64()
        ),
        (Some(c.session_id.as_str()), Some(seq))
    );
}
