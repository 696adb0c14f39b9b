//! Bad input found by trying it (issue 11): NUL characters, a customer token on an agent
//! path, bodies sent to a caller not known yet, concurrent Assign to Me at the agent's limit,
//! WebSocket protocol violations. Every answer is a typed refusal, never a `500` or a dropped
//! connection.

use super::*;
use crate::UPLOAD_BODY_LIMIT;

/// A NUL character in any text input is `422 invalid_input` naming the field (a socket
/// frame: an `error` event naming it), on SQLite and PostgreSQL alike.
pub async fn nul_characters_are_refused_with_422_naming_the_field(f: &Fixture) {
    let t = &f.a;
    let c = f.customer(t, "nul").await;
    let sid = &c.session_id;
    let refusals = [
        (
            format!("/v1/chat/sessions/{sid}/notes"),
            json!({"content": "a\u{0}b"}),
            "content",
        ),
        (
            format!("/v1/chat/sessions/{sid}/messages"),
            json!({"content": "hi", "client_message_id": "c\u{0}1"}),
            "client_message_id",
        ),
        (
            "/v1/chat/canned-responses".to_owned(),
            json!({"shortcut": "hi\u{0}", "text": "Hello"}),
            "shortcut",
        ),
        (
            "/v1/chat/widgets".to_owned(),
            json!({"name": "W\u{0}", "domain": "nul.example.com"}),
            "name",
        ),
        (
            "/v1/chat/widgets".to_owned(),
            json!({"name": "W", "domain": "nul.example.com", "allowed_domains": ["a\u{0}.example.com"]}),
            "allowed_domains",
        ),
    ];
    for (path, body, field) in refusals {
        let reply = f.post(&t.admin, &path, body).await;
        reply.expect_error(422, "invalid_input");
        assert_eq!(reply.json["error"]["field"], field, "{path}");
    }
    let search = f.get(&t.agent, "/v1/chat/sessions?q=a%00b").await;
    search.expect_error(422, "invalid_input");
    assert_eq!(search.json["error"]["field"], "q");
    let public = f
        .public(
            t,
            "POST",
            "/sessions",
            Some(t.origin),
            None,
            Some(json!({"customer_name": "\u{0}"})),
        )
        .await;
    public.expect_error(422, "invalid_input");
    assert_eq!(public.json["error"]["field"], "customer_name");
    // Text with other control characters is stored as sent, on both databases.
    let note = f
        .post(
            &t.agent,
            &format!("/v1/chat/sessions/{sid}/notes"),
            json!({"content": "tab\there\u{7}"}),
        )
        .await;
    assert_eq!(note.expect_status(201)["content"], "tab\there\u{7}");

    let mut console = f.agent_socket(&t.agent).await;
    console
        .send(json!({"type": "subscribe", "session_id": "ses\u{0}", "request_id": "s"}))
        .await;
    let error = console.expect("error").await;
    assert_eq!(error["code"], "invalid_input");
    assert_eq!(error["field"], "session_id");
    assert_eq!(error["request_id"], "s");
    console
        .send(json!({"type": "ping", "request_id": "p"}))
        .await;
    console.expect("pong").await;
}

/// A customer's token on an agent path is known but not allowed: `403 forbidden`, over REST
/// and on the agent socket (docs/protocol.md, "Authentication").
pub async fn a_customer_token_on_an_agent_path_is_403_forbidden(f: &Fixture) {
    let c = f.customer(&f.a, "cat").await;
    f.get(&c.token, "/v1/chat/sessions")
        .await
        .expect_error(403, "forbidden");
    f.post(
        &c.token,
        "/v1/chat/widgets",
        json!({"name": "x", "domain": "x.example.com"}),
    )
    .await
    .expect_error(403, "forbidden");
    f.try_socket(
        "/v1/chat/ws",
        &[("authorization", &format!("Bearer {}", c.token))],
    )
    .await
    .expect_err("a customer token opens no agent socket")
    .expect_error(403, "forbidden");
}

/// A method, a path and headers sent over raw TCP without a body.
type RawRequest<'a> = (&'a str, String, Vec<(&'a str, &'a str)>);

/// On a route that needs a caller, a body is not read before the caller is known: a request
/// announcing a body without (or with wrong) credentials is answered `401` at once, the body
/// never sent.
pub async fn bodies_are_not_read_before_the_caller_is_known(f: &Fixture) {
    let t = &f.a;
    let big = (UPLOAD_BODY_LIMIT - 1024).to_string();
    let json_size = (200 * 1024).to_string();
    let wrong = "Bearer wrong-token";
    let cases: [RawRequest<'_>; 5] = [
        (
            "POST",
            "/v1/chat/widgets".to_owned(),
            vec![("content-length", &json_size)],
        ),
        (
            "POST",
            "/v1/chat/widgets".to_owned(),
            vec![("transfer-encoding", "chunked")],
        ),
        (
            "POST",
            "/v1/chat/widgets".to_owned(),
            vec![("content-length", &json_size), ("authorization", wrong)],
        ),
        (
            "POST",
            "/v1/chat/sessions/ses_x/attachments?filename=a.txt".to_owned(),
            vec![("content-length", &big)],
        ),
        (
            "POST",
            format!(
                "/v1/chat/public/widgets/{}/session/attachments?filename=a.txt",
                t.widget_id
            ),
            vec![
                ("content-length", &big),
                ("origin", t.origin),
                ("authorization", wrong),
            ],
        ),
    ];
    for (method, path, headers) in cases {
        let reply = f.raw(method, &path, &headers).await;
        reply.expect_error(401, "unauthorized");
    }
}

/// Eight concurrent Assign to Me by an agent who may hold one open session: exactly one goes
/// through, the other seven get `409 session_limit_reached`, the agent holds one session and
/// the log records one assignment (the database counts and writes in one step).
pub async fn eight_concurrent_assign_to_me_at_the_agents_limit_let_exactly_it_through(f: &Fixture) {
    let t = &f.a;
    let mut sessions = Vec::new();
    for i in 0..8 {
        sessions.push(f.customer(t, &format!("rush{i}")).await.session_id);
    }
    let paths: Vec<String> = sessions
        .iter()
        .map(|sid| format!("/v1/chat/sessions/{sid}/assign"))
        .collect();
    let assigns = paths.iter().map(|path| f.post(&t.limited, path, json!({})));
    let replies = futures::future::join_all(assigns).await;
    let mut taken = 0;
    for reply in &replies {
        if reply.status == 200 {
            assert_eq!(reply["assigned_agent_id"], "agent-321");
            taken += 1;
        } else {
            reply.expect_error(409, "session_limit_reached");
        }
    }
    assert_eq!(taken, 1, "exactly the limit goes through");
    let agents = f.get(&t.admin, "/v1/chat/agents").await;
    let limited = agents
        .list("agents")
        .iter()
        .find(|a| a["id"] == "agent-321")
        .expect("agent-321 listed");
    assert_eq!(limited["active_sessions"], 1);
    let log = f
        .get(&t.admin, "/v1/chat/audit?actor=agent-321&limit=200")
        .await;
    assert_eq!(log.list("entries").len(), 1, "{}", log.json);
}

/// WebSocket protocol violations close the socket with 1002 and a text message that is not
/// UTF-8 with 1007 (RFC 6455), instead of dropping the connection without a close frame.
pub async fn websocket_protocol_violations_close_with_1002_and_bad_utf8_with_1007(f: &Fixture) {
    let t = &f.a;
    // Client frames: FIN + opcode, MASK + length, a zero mask key, the payload.
    let cases: [(&str, Vec<u8>, u16); 5] = [
        ("an unmasked frame", vec![0x81, 0x02, b'h', b'i'], 1002),
        (
            "a reserved bit",
            vec![0xC1, 0x82, 0, 0, 0, 0, b'h', b'i'],
            1002,
        ),
        ("a reserved opcode", vec![0x83, 0x80, 0, 0, 0, 0], 1002),
        ("a fragmented ping", vec![0x09, 0x80, 0, 0, 0, 0], 1002),
        (
            "text that is not UTF-8",
            vec![0x81, 0x82, 0, 0, 0, 0, 0xC3, 0x28],
            1007,
        ),
    ];
    for (what, frame, code) in cases {
        let mut socket = f.agent_socket(&t.agent).await;
        socket.send_raw(&frame).await;
        assert_eq!(socket.close_code().await, Some(code), "{what}");
    }
}
