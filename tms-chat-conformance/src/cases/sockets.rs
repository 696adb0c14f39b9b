//! The WebSocket endpoints: opening, authenticating, the client frames, limits, shutdown.

use super::*;

/// Both sockets open with `ready` (`connection_id`, `agent_id` or `session_id`,
/// `max_frame_bytes`).
pub async fn sockets_open_with_a_ready_frame(f: &Fixture) {
    let t = &f.a;
    let agent = f.agent_socket(&t.agent).await;
    assert_eq!(agent.ready["agent_id"], "agent-123");
    assert_eq!(agent.ready["max_frame_bytes"], 64 * 1024);
    assert!(agent.ready["connection_id"].is_string(), "{}", agent.ready);
    let c = f.customer(t, "lou").await;
    let customer = f.customer_socket(t, &c).await;
    assert_eq!(customer.ready["session_id"], c.session_id.as_str());
    assert_eq!(customer.ready["max_frame_bytes"], 64 * 1024);
    assert!(customer.ready["connection_id"].is_string());
    assert_ne!(
        agent.ready["connection_id"],
        customer.ready["connection_id"]
    );
}

/// Sockets refuse missing or wrong credentials with the HTTP error instead of upgrading.
pub async fn sockets_refuse_missing_or_wrong_credentials_before_upgrading(f: &Fixture) {
    let (a, b) = (&f.a, &f.b);
    f.try_socket("/v1/chat/ws", &[])
        .await
        .expect_err("no credentials")
        .expect_error(401, "unauthorized");
    f.try_socket("/v1/chat/ws", &[("authorization", "Bearer wrong")])
        .await
        .expect_err("wrong token")
        .expect_error(401, "unauthorized");
    f.try_socket("/v1/chat/ws?ticket=made-up", &[])
        .await
        .expect_err("made-up ticket")
        .expect_error(401, "unauthorized");
    let c = f.customer(a, "max").await;
    let customer_path =
        |widget: &str, token: &str| format!("/v1/chat/public/widgets/{widget}/ws?token={token}");
    f.try_socket(
        &customer_path(&a.widget_id, "wrong"),
        &[("origin", a.origin)],
    )
    .await
    .expect_err("wrong customer token")
    .expect_error(401, "unauthorized");
    f.try_socket(
        &format!("/v1/chat/public/widgets/{}/ws", a.widget_id),
        &[("origin", a.origin)],
    )
    .await
    .expect_err("no customer token")
    .expect_error(401, "unauthorized");
    let refused = f
        .try_socket(
            &customer_path(&a.widget_id, &c.token),
            &[("origin", "https://evil.example")],
        )
        .await
        .expect_err("a disallowed origin");
    refused.expect_error(403, "domain_not_allowed");
    f.try_socket(
        &customer_path(&b.widget_id, &c.token),
        &[("origin", b.origin)],
    )
    .await
    .expect_err("another widget's customer")
    .expect_error(401, "unauthorized");
    f.try_socket(
        "/v1/chat/ws",
        &[("authorization", &format!("Bearer {}", c.token))],
    )
    .await
    .expect_err("a customer token is no agent credential");
}

/// `POST /v1/chat/ws-ticket` issues a ticket that opens one agent socket, once.
pub async fn ws_tickets_open_exactly_one_socket(f: &Fixture) {
    let t = &f.a;
    let issued = f.post(&t.agent, "/v1/chat/ws-ticket", json!({})).await;
    let body = issued.expect_status(201);
    assert_eq!(body["expires_in"], 60);
    let ticket = issued.str("ticket");
    let path = format!("/v1/chat/ws?ticket={ticket}");
    let socket = f
        .try_socket(&path, &[])
        .await
        .unwrap_or_else(|r| panic!("a fresh ticket opens a socket: {r:?}"));
    assert_eq!(socket.ready["agent_id"], "agent-123");
    f.try_socket(&path, &[])
        .await
        .expect_err("a ticket works once")
        .expect_error(401, "unauthorized");
}

/// `send_message` is acknowledged (`message_ack` with the documented fields, after commit)
/// and delivered to the session; the stored message is in the history.
pub async fn messages_sent_over_a_socket_are_acknowledged_and_delivered(f: &Fixture) {
    let t = &f.a;
    let c = f.customer(t, "ned").await;
    f.post(
        &t.agent,
        &format!("/v1/chat/sessions/{}/assign", c.session_id),
        json!({}),
    )
    .await
    .expect_status(200);
    let mut console = f.agent_socket(&t.agent).await;
    let mut customer = f.customer_socket(t, &c).await;
    console
        .send(json!({
            "type": "send_message", "session_id": c.session_id, "content": "How can I help?",
            "message_type": "text", "client_message_id": "a-1", "request_id": "r-1"
        }))
        .await;
    let ack = console.expect("message_ack").await;
    for field in [
        "session_id",
        "request_id",
        "client_message_id",
        "seq",
        "duplicate",
        "message",
    ] {
        assert!(ack.get(field).is_some(), "`{field}` missing in {ack}");
    }
    assert_eq!(ack["session_id"], c.session_id.as_str());
    assert_eq!(ack["request_id"], "r-1");
    assert_eq!(ack["client_message_id"], "a-1");
    assert_eq!(ack["duplicate"], false);
    assert_fields(&ack["message"], MESSAGE_FIELDS);
    assert_eq!(ack["message"]["seq"], ack["seq"]);
    assert_eq!(ack["message"]["sender_agent_id"], "agent-123");
    let delivered = customer.expect("new_message").await;
    let delivered = if delivered["message"]["seq"] == ack["seq"] {
        delivered
    } else {
        customer
            .until("new_message", |v| v["message"]["seq"] == ack["seq"])
            .await
            .1
    };
    assert_eq!(delivered["message"]["content"], "How can I help?");
    assert_eq!(delivered["session_id"], c.session_id.as_str());

    customer
        .send(json!({"type": "send_message", "content": "My order", "request_id": 7}))
        .await;
    let ack = customer.expect("message_ack").await;
    assert_eq!(ack["request_id"], 7);
    assert_eq!(ack["message"]["sender_type"], "customer");
    let seen = console
        .until("new_message", |v| v["message"]["seq"] == ack["seq"])
        .await
        .1;
    assert_eq!(seen["message"]["content"], "My order");
    let history = f
        .get(
            &t.agent,
            &format!("/v1/chat/sessions/{}/messages", c.session_id),
        )
        .await;
    let contents: Vec<&str> = history
        .list("messages")
        .iter()
        .filter_map(|m| m["content"].as_str())
        .collect();
    assert!(
        contents.contains(&"How can I help?") && contents.contains(&"My order"),
        "{contents:?}"
    );
}

/// An agent socket that sent to a session before (so it knows the session) refuses a send
/// once the session has ended elsewhere (`409 conflict`, nothing stored), and keeps accepting
/// sends to its other sessions; another agent's socket never learns of a session it cannot see.
pub async fn an_agent_socket_refuses_sends_to_a_session_that_ended_since_its_last_send(
    f: &Fixture,
) {
    let t = &f.a;
    let ended = f.customer(t, "ivy").await;
    let open = f.customer(t, "jon").await;
    let mut console = f.agent_socket(&t.agent).await;
    for (sid, rid) in [(&ended.session_id, "r-1"), (&open.session_id, "r-2")] {
        console
            .send(json!({
                "type": "send_message", "session_id": sid, "content": "Hello", "request_id": rid
            }))
            .await;
        let ack = console
            .until("message_ack", |v| v["request_id"] == rid)
            .await
            .1;
        assert_eq!(ack["session_id"], sid.as_str());
    }
    f.post(
        &t.agent,
        &format!("/v1/chat/sessions/{}/end", ended.session_id),
        json!({}),
    )
    .await
    .expect_status(200);
    console.expect_for("session_ended", &ended.session_id).await;
    console
        .send(json!({
            "type": "send_message", "session_id": ended.session_id, "content": "Still there?",
            "request_id": "r-3"
        }))
        .await;
    let refused = console.until("error", |v| v["request_id"] == "r-3").await.1;
    assert_eq!(refused["code"], "conflict", "{refused}");
    console
        .send(json!({
            "type": "send_message", "session_id": open.session_id, "content": "And you?",
            "request_id": "r-4"
        }))
        .await;
    console
        .until("message_ack", |v| v["request_id"] == "r-4")
        .await;
    let history = f
        .get(
            &t.agent,
            &format!("/v1/chat/sessions/{}/messages", ended.session_id),
        )
        .await;
    let contents: Vec<&str> = history
        .list("messages")
        .iter()
        .filter_map(|m| m["content"].as_str())
        .collect();
    assert!(!contents.contains(&"Still there?"), "{contents:?}");

    let mut foreign = f.agent_socket(&f.b.agent).await;
    foreign
        .send(json!({
            "type": "send_message", "session_id": open.session_id, "content": "Hi", "request_id": "x"
        }))
        .await;
    let refused = foreign.until("error", |v| v["request_id"] == "x").await.1;
    assert_eq!(refused["code"], "not_found", "{refused}");
}

/// `resume` replays every message after `after_seq` in order, answers `resumed`, subscribes,
/// and live messages then arrive once.
pub async fn resume_replays_missed_messages_in_order_then_delivers_live_ones_once(f: &Fixture) {
    let t = &f.a;
    let c = f.customer(t, "eve").await;
    for i in 1..=4 {
        f.as_customer(
            t,
            &c,
            "POST",
            "/session/messages",
            Some(json!({"content": format!("m{i}")})),
        )
        .await
        .expect_status(201);
    }
    let mut console = f.agent_socket(&t.agent).await;
    console
        .send(json!({"type": "resume", "session_id": c.session_id, "after_seq": 2, "request_id": "r"}))
        .await;
    let (before, resumed) = console
        .until("resumed", |v| v["session_id"] == c.session_id)
        .await;
    let replayed: Vec<i64> = about(&before, &c.session_id)
        .iter()
        .filter(|v| v["type"] == "new_message")
        .map(|v| v["message"]["seq"].as_i64().expect("seq"))
        .collect();
    assert_eq!(replayed, vec![3, 4]);
    assert_eq!(resumed["last_seq"], 4);

    f.as_customer(
        t,
        &c,
        "POST",
        "/session/messages",
        Some(json!({"content": "m5"})),
    )
    .await
    .expect_status(201);
    assert_eq!(
        console.expect_for("new_message", &c.session_id).await["message"]["seq"],
        5,
        "resume subscribed the console"
    );
    let barrier = barrier_session(f, t, &t.widget_id).await;
    console
        .until("session_created", |v| v["session_id"] == barrier)
        .await;
    let delivered: Vec<i64> = console
        .seen_for("new_message", &c.session_id)
        .iter()
        .map(|v| v["message"]["seq"].as_i64().expect("seq"))
        .collect();
    assert_eq!(delivered, vec![3, 4, 5], "in order, each once");

    let mut widget = f.customer_socket(t, &c).await;
    widget
        .send(json!({"type": "resume", "session_id": c.session_id, "after_seq": 3}))
        .await;
    let (before, resumed) = widget.until("resumed", |_| true).await;
    let replayed: Vec<i64> = before
        .iter()
        .filter(|v| v["type"] == "new_message")
        .map(|v| v["message"]["seq"].as_i64().expect("seq"))
        .collect();
    assert_eq!(replayed, vec![4, 5]);
    assert_eq!(resumed["last_seq"], 5);
}

/// A retried `client_message_id` returns the stored message (REST `200`, socket ack with
/// `duplicate: true` and the same `seq`) and stores nothing new.
pub async fn retried_client_message_ids_store_nothing_new(f: &Fixture) {
    let t = &f.a;
    let c = f.customer(t, "ray").await;
    let send = || {
        f.as_customer(
            t,
            &c,
            "POST",
            "/session/messages",
            Some(json!({"content": "once", "client_message_id": "c-42"})),
        )
    };
    let first = send().await;
    first.expect_status(201);
    let retry = send().await;
    retry.expect_status(200);
    assert_eq!(retry["id"], first["id"]);
    assert_eq!(retry["seq"], first["seq"]);

    let agent_path = format!("/v1/chat/sessions/{}/messages", c.session_id);
    let agent_send = || {
        f.post(
            &t.agent,
            &agent_path,
            json!({"content": "reply", "client_message_id": "a-42"}),
        )
    };
    let first_reply = agent_send().await;
    first_reply.expect_status(201);
    assert_eq!(
        agent_send().await.expect_status(200)["seq"],
        first_reply["seq"]
    );

    let mut socket = f.customer_socket(t, &c).await;
    socket
        .send(json!({"type": "send_message", "content": "once", "client_message_id": "c-42", "request_id": "again"}))
        .await;
    let ack = socket.expect("message_ack").await;
    assert_eq!(ack["duplicate"], true);
    assert_eq!(ack["seq"], first["seq"]);
    assert_eq!(ack["request_id"], "again");
    assert_eq!(ack["message"]["id"], first["id"]);

    let history = f
        .get(
            &t.agent,
            &format!("/v1/chat/sessions/{}/messages", c.session_id),
        )
        .await;
    assert_eq!(seqs(&history.json), vec![1, 2]);
}

/// A malformed frame gets an `error` event (with the frame's `request_id` when it has one)
/// and the socket stays usable; `ping` answers `pong`.
pub async fn malformed_frames_get_an_error_and_the_socket_stays_usable(f: &Fixture) {
    let t = &f.a;
    let c = f.customer(t, "sam").await;
    let mut ws = f.agent_socket(&t.agent).await;
    for bad in [
        "{oops",
        "[1, 2]",
        "\"text\"",
        r#"{"no_type": true}"#,
        r#"{"type": "warp_drive"}"#,
    ] {
        ws.send_text(bad.to_owned()).await;
        let error = ws.expect("error").await;
        assert_eq!(error["code"], "invalid_input", "for {bad}: {error}");
        assert!(error["message"].is_string());
    }
    ws.send_binary(b"{\"type\":\"ping\"}".to_vec()).await;
    assert_eq!(ws.expect("error").await["code"], "invalid_input");
    ws.send(json!({"type": "subscribe", "request_id": "no-session"}))
        .await;
    let error = ws.expect("error").await;
    assert_eq!(
        (error["code"].as_str(), error["request_id"].as_str()),
        (Some("invalid_input"), Some("no-session"))
    );
    ws.send(json!({"type": "send_message", "session_id": "ses_nope", "content": "x", "request_id": "r9"}))
        .await;
    let error = ws.expect("error").await;
    assert_eq!(
        (error["code"].as_str(), error["request_id"].as_str()),
        (Some("not_found"), Some("r9"))
    );
    ws.send(json!({"type": "ping", "request_id": 1})).await;
    assert_eq!(ws.expect("pong").await["request_id"], 1);
    ws.send(json!({"type": "subscribe", "session_id": c.session_id}))
        .await;
    assert_eq!(
        ws.expect("subscribed").await["session_id"],
        c.session_id.as_str()
    );

    let mut customer = f.customer_socket(t, &c).await;
    customer.send_text("not json".to_owned()).await;
    assert_eq!(customer.expect("error").await["code"], "invalid_input");
    customer
        .send(json!({"type": "send_message", "content": "still here"}))
        .await;
    assert_eq!(
        customer.expect("message_ack").await["message"]["content"],
        "still here"
    );
}

/// A frame of exactly 64 KiB is accepted; one byte more (text or binary, agent or customer
/// socket) closes the socket with 1009.
pub async fn frames_over_64_kib_close_the_socket_with_1009(f: &Fixture) {
    let limit = 64 * 1024;
    let ping_of = |len: usize| {
        let shell = r#"{"type":"ping","request_id":"big","pad":""}"#;
        let text = format!(
            r#"{{"type":"ping","request_id":"big","pad":"{}"}}"#,
            "x".repeat(len - shell.len())
        );
        assert_eq!(text.len(), len);
        text
    };
    let mut ws = f.agent_socket(&f.a.agent).await;
    ws.send_text(ping_of(limit)).await;
    assert_eq!(ws.expect("pong").await["request_id"], "big");
    ws.send_text(ping_of(limit + 1)).await;
    assert_eq!(ws.close_code().await, Some(1009));

    let mut binary = f.agent_socket(&f.a.agent).await;
    binary.send_binary(vec![b'{'; limit + 1]).await;
    assert_eq!(
        binary.close_code().await,
        Some(1009),
        "the limit holds for every frame, binary too"
    );

    let c = f.customer(&f.a, "zed").await;
    let mut customer = f.customer_socket(&f.a, &c).await;
    customer
        .send_text(format!(
            r#"{{"type":"send_message","content":"{}"}}"#,
            "y".repeat(70 * 1024)
        ))
        .await;
    assert_eq!(customer.close_code().await, Some(1009));
}

/// On shutdown every socket closes with 1001 and new sockets get `503 shutting_down`.
pub async fn shutdown_closes_sockets_with_1001_and_refuses_new_ones(f: &Fixture) {
    let t = &f.a;
    let c = f.customer(t, "viv").await;
    let mut agent = f.agent_socket(&t.agent).await;
    let mut customer = f.customer_socket(t, &c).await;
    f.api.begin_shutdown();
    assert_eq!(agent.close_code().await, Some(1001));
    assert_eq!(customer.close_code().await, Some(1001));
    f.try_socket(
        "/v1/chat/ws",
        &[("authorization", &format!("Bearer {}", t.agent))],
    )
    .await
    .expect_err("no new sockets while shutting down")
    .expect_error(503, "shutting_down");
}
