//! Isolation: tenants, projects, customers, and internal notes.

use super::*;

/// Tenant B's agents (same agent ids as tenant A's) get `404 not_found` for every object of
/// tenant A, over REST and WebSocket, and never see them in lists.
pub async fn tenant_b_agents_get_404_for_tenant_a_objects(f: &Fixture) {
    let (a, b) = (&f.a, &f.b);
    let c = f.customer(a, "ann").await;
    let upload = f
        .send(
            f.http
                .post(f.url(&format!(
                    "/v1/chat/public/widgets/{}/session/attachments?filename=a.txt",
                    a.widget_id
                )))
                .header("origin", a.origin)
                .bearer_auth(&c.token)
                .body("hello"),
        )
        .await;
    upload.expect_status(201);
    let attachment = upload.str("id");
    let canned = f
        .post(
            &a.admin,
            "/v1/chat/canned-responses",
            json!({"shortcut": "/a", "text": "tenant a"}),
        )
        .await;
    canned.expect_status(201);
    let canned = canned.str("id");
    let sid = &c.session_id;

    for token in [&b.admin, &b.supervisor, &b.agent] {
        for path in [
            format!("/v1/chat/sessions/{sid}"),
            format!("/v1/chat/sessions/{sid}/messages"),
            format!("/v1/chat/sessions/{sid}/notes"),
            format!("/v1/chat/sessions/{sid}/customer"),
            format!("/v1/chat/attachments/{attachment}"),
            format!("/v1/chat/widgets/{}", a.widget_id),
            format!("/v1/chat/widgets/{}/embed", a.widget_id),
        ] {
            f.get(token, &path).await.expect_error(404, "not_found");
        }
    }
    for (action, body) in [
        ("messages", json!({"content": "hi"})),
        ("notes", json!({"content": "hi"})),
        ("assign", json!({})),
        ("transfer", json!({"department": "billing"})),
        ("typing", json!({"is_typing": true})),
        ("read", json!({"seq": 1})),
        ("ticket", json!({})),
        ("end", json!({})),
    ] {
        let reply = f
            .post(&b.admin, &format!("/v1/chat/sessions/{sid}/{action}"), body)
            .await;
        reply.expect_error(404, "not_found");
    }
    f.send(
        f.http
            .post(f.url(&format!(
                "/v1/chat/sessions/{sid}/attachments?filename=b.txt"
            )))
            .bearer_auth(&b.admin)
            .body("from b"),
    )
    .await
    .expect_error(404, "not_found");
    let widget = format!("/v1/chat/widgets/{}", a.widget_id);
    f.call("PUT", &b.admin, &widget, Some(json!({"name": "mine"})))
        .await
        .expect_error(404, "not_found");
    f.call("DELETE", &b.admin, &widget, None)
        .await
        .expect_error(404, "not_found");
    let canned = format!("/v1/chat/canned-responses/{canned}");
    f.call("PUT", &b.admin, &canned, Some(json!({"text": "mine"})))
        .await
        .expect_error(404, "not_found");
    f.call("DELETE", &b.admin, &canned, None)
        .await
        .expect_error(404, "not_found");
    f.post(
        &b.admin,
        "/v1/chat/sessions",
        json!({"widget_id": a.widget_id, "customer_email": "x@example.com"}),
    )
    .await
    .expect_error(404, "not_found");

    let sessions = f.get(&b.admin, "/v1/chat/sessions").await;
    assert!(ids(sessions.expect_status(200), "sessions").is_empty());
    let widgets = f.get(&b.admin, "/v1/chat/widgets").await;
    assert_eq!(ids(&widgets.json, "widgets"), vec![b.widget_id.clone()]);
    let canned_list = f.get(&b.admin, "/v1/chat/canned-responses").await;
    assert!(canned_list.list("canned_responses").is_empty());

    let mut socket = f.agent_socket(&b.admin).await;
    for frame in [
        json!({"type": "subscribe", "session_id": sid, "request_id": "s"}),
        json!({"type": "resume", "session_id": sid, "after_seq": 0, "request_id": "r"}),
        json!({"type": "send_message", "session_id": sid, "content": "hi", "request_id": "m"}),
    ] {
        let request_id = frame["request_id"].clone();
        socket.send(frame).await;
        let error = socket.expect("error").await;
        assert_eq!(
            (error["code"].as_str(), &error["request_id"]),
            (Some("not_found"), &request_id)
        );
    }

    // Nothing of tenant A changed.
    let still = f.get(&a.agent, &format!("/v1/chat/sessions/{sid}")).await;
    assert_eq!(still.expect_status(200)["status"], "waiting");
    assert_eq!(still["last_seq"], 0);
    f.get(&a.admin, &widget).await.expect_status(200);
}

/// A customer token opens only its own session: not another customer's files or messages,
/// not another widget, not an agent path (`403`), and nothing after its session ended.
pub async fn a_customer_token_reaches_only_its_own_session(f: &Fixture) {
    let t = &f.a;
    let first = f.customer(t, "bea").await;
    let second = f.customer(t, "cal").await;
    let upload = f
        .send(
            f.http
                .post(f.url(&format!(
                    "/v1/chat/public/widgets/{}/session/attachments?filename=cal.txt",
                    t.widget_id
                )))
                .header("origin", t.origin)
                .bearer_auth(&second.token)
                .body("cal's file"),
        )
        .await;
    upload.expect_status(201);
    f.as_customer(
        t,
        &second,
        "POST",
        "/session/messages",
        Some(json!({"content": "cal's secret"})),
    )
    .await
    .expect_status(201);
    let mut socket = f.customer_socket(t, &first).await;

    let own = f.as_customer(t, &first, "GET", "/session", None).await;
    assert_eq!(own.expect_status(200)["id"], first.session_id.as_str());
    let messages = f
        .as_customer(t, &first, "GET", "/session/messages", None)
        .await;
    assert!(messages.list("messages").is_empty(), "{}", messages.json);
    f.as_customer(
        t,
        &first,
        "GET",
        &format!("/attachments/{}", upload.str("id")),
        None,
    )
    .await
    .expect_error(404, "not_found");

    f.public(
        &f.b,
        "GET",
        "/session",
        Some(f.b.origin),
        Some(&first.token),
        None,
    )
    .await
    .expect_error(401, "unauthorized");
    f.public(
        t,
        "GET",
        "/session",
        Some(t.origin),
        Some("not-a-token"),
        None,
    )
    .await
    .expect_error(401, "unauthorized");
    f.public(t, "GET", "/session", Some(t.origin), None, None)
        .await
        .expect_error(401, "unauthorized");

    // The customer socket gets its own session's messages only.
    f.as_customer(
        t,
        &second,
        "POST",
        "/session/messages",
        Some(json!({"content": "not for bea"})),
    )
    .await
    .expect_status(201);
    f.as_customer(
        t,
        &first,
        "POST",
        "/session/messages",
        Some(json!({"content": "bea here"})),
    )
    .await
    .expect_status(201);
    let (before, mine) = socket
        .until("new_message", |v| v["message"]["content"] == "bea here")
        .await;
    assert_eq!(mine["session_id"], first.session_id.as_str());
    assert!(
        about(&before, &second.session_id).is_empty()
            && !before.iter().any(|v| v.to_string().contains("not for bea")),
        "{before:#?}"
    );

    // Naming another session in a frame reaches nothing of it.
    for (request_id, frame) in [
        (
            "send",
            json!({"type": "send_message", "session_id": second.session_id, "content": "intruder"}),
        ),
        (
            "resume",
            json!({"type": "resume", "session_id": second.session_id, "after_seq": 0}),
        ),
        (
            "typing",
            json!({"type": "typing_indicator", "session_id": second.session_id, "is_typing": true}),
        ),
        (
            "read",
            json!({"type": "mark_read", "session_id": second.session_id, "seq": 1}),
        ),
        (
            "subscribe",
            json!({"type": "subscribe", "session_id": second.session_id}),
        ),
    ] {
        let mut frame = frame;
        frame["request_id"] = json!(request_id);
        socket.send(frame).await;
        let (before, error) = socket
            .until("error", |v| v["request_id"] == request_id)
            .await;
        assert!(
            error["code"] == "not_found" || error["code"] == "forbidden",
            "{error}"
        );
        assert!(
            !before
                .iter()
                .any(|v| v.to_string().contains("cal's secret")),
            "another session's messages reached the customer: {before:#?}"
        );
    }
    let seconds = f
        .get(
            &t.agent,
            &format!("/v1/chat/sessions/{}/messages", second.session_id),
        )
        .await;
    assert!(
        !String::from_utf8_lossy(&seconds.bytes).contains("intruder"),
        "{}",
        seconds.json
    );

    // "A customer on an agent path: 403 forbidden."
    for path in [
        format!("/v1/chat/sessions/{}", first.session_id),
        format!("/v1/chat/sessions/{}", second.session_id),
        "/v1/chat/sessions".to_owned(),
    ] {
        f.get(&first.token, &path)
            .await
            .expect_error(403, "forbidden");
    }

    f.as_customer(t, &first, "POST", "/session/end", None)
        .await
        .expect_status(200);
    f.as_customer(t, &first, "GET", "/session/messages", None)
        .await
        .expect_error(401, "unauthorized");
    let refused = f
        .try_socket(
            &format!(
                "/v1/chat/public/widgets/{}/ws?token={}",
                t.widget_id, first.token
            ),
            &[("origin", t.origin)],
        )
        .await
        .expect_err("an ended session's token opens no socket");
    refused.expect_error(401, "unauthorized");
}

/// An agent restricted to other projects gets `404` for a session outside them and never
/// sees it listed.
pub async fn agents_get_404_for_sessions_outside_their_projects(f: &Fixture) {
    let t = &f.a;
    let c = f.customer(t, "pat").await;
    f.get(&t.outsider, &format!("/v1/chat/sessions/{}", c.session_id))
        .await
        .expect_error(404, "not_found");
    f.post(
        &t.outsider,
        &format!("/v1/chat/sessions/{}/messages", c.session_id),
        json!({"content": "hi"}),
    )
    .await
    .expect_error(404, "not_found");
    let listed = f.get(&t.outsider, "/v1/chat/sessions").await;
    assert!(!ids(listed.expect_status(200), "sessions").contains(&c.session_id));
    let mut socket = f.agent_socket(&t.outsider).await;
    socket
        .send(json!({"type": "subscribe", "session_id": c.session_id}))
        .await;
    assert_eq!(socket.expect("error").await["code"], "not_found");
}

/// Internal notes reach agents subscribed to the session and its assignee, never the
/// customer (socket or REST), and not agents who neither opened nor own the session.
pub async fn customer_cannot_read_agent_notes(f: &Fixture) {
    let t = &f.a;
    let c = f.customer(t, "hal").await;
    f.post(
        &t.agent,
        &format!("/v1/chat/sessions/{}/assign", c.session_id),
        json!({}),
    )
    .await
    .expect_status(200);
    let mut customer = f.customer_socket(t, &c).await;
    let mut assignee = f.agent_socket(&t.agent).await;
    let mut console = f.agent_socket(&t.colleague).await;
    let mut supervisor = f.agent_socket(&t.supervisor).await;
    console
        .send(json!({"type": "subscribe", "session_id": c.session_id}))
        .await;
    console.expect("subscribed").await;

    let note = f
        .post(
            &t.agent,
            &format!("/v1/chat/sessions/{}/notes", c.session_id),
            json!({"content": "VIP customer, secret discount"}),
        )
        .await;
    note.expect_status(201);
    for socket in [&mut console, &mut assignee] {
        let added = socket.expect_for("note_added", &c.session_id).await;
        assert_eq!(added["note"]["content"], "VIP customer, secret discount");
        assert_eq!(added["note"]["id"], note["id"]);
    }

    // Barrier: a lifecycle event after the note, which the customer and every agent get.
    f.as_customer(
        t,
        &c,
        "PATCH",
        "/session",
        Some(json!({"customer_name": "Hal B."})),
    )
    .await
    .expect_status(200);
    let (before, _) = customer.until("session_updated", |_| true).await;
    assert!(
        !before
            .iter()
            .any(|v| v["type"] == "note_added" || v.to_string().contains("secret")),
        "the customer got the note: {before:#?}"
    );
    let (before, _) = supervisor
        .until("session_updated", |v| v["session_id"] == c.session_id)
        .await;
    assert!(
        !before.iter().any(|v| v["type"] == "note_added"),
        "an agent neither subscribed nor assigned got the note: {before:#?}"
    );

    let history = f.as_customer(t, &c, "GET", "/session/messages", None).await;
    history.expect_status(200);
    assert!(!String::from_utf8_lossy(&history.bytes).contains("secret"));
    f.get(
        &c.token,
        &format!("/v1/chat/sessions/{}/notes", c.session_id),
    )
    .await
    .expect_error(403, "forbidden");
}
