//! The cases, each an async function over a live [`Fixture`]. Names read as sentences.

use crate::fixture::{Fixture, ORIGIN};
use serde_json::{json, Value};

/// The guide's REST calls with their documented shapes and statuses.
pub async fn rest_session_lifecycle_matches_the_guide(f: &Fixture) {
    let (status, s) = f
        .call("POST", &f.agent, "/v1/chat/sessions", Some(json!({"widget_id": f.widget_id, "customer_email": "customer@example.com", "customer_name": "John Doe"})))
        .await;
    assert_eq!(status, 201, "{s}");
    for field in [
        "id",
        "widget_id",
        "status",
        "customer_email",
        "customer_name",
        "assigned_agent_id",
        "created_at",
        "customer_join_url",
    ] {
        assert!(s.get(field).is_some(), "session lacks {field}: {s}");
    }
    assert_eq!(s["status"], "waiting");
    assert!(s["assigned_agent_id"].is_null());
    let id = s["id"].as_str().unwrap();
    let (status, got) = f
        .call("GET", &f.agent, &format!("/v1/chat/sessions/{id}"), None)
        .await;
    assert_eq!((status, got["id"].as_str()), (200, Some(id)));
    let (status, m) = f
        .call(
            "POST",
            &f.agent,
            &format!("/v1/chat/sessions/{id}/messages"),
            Some(json!({"content": "Hello! How can I help you?", "message_type": "text"})),
        )
        .await;
    assert_eq!(status, 201);
    for field in [
        "id",
        "session_id",
        "seq",
        "sender_type",
        "content",
        "message_type",
        "created_at",
    ] {
        assert!(m.get(field).is_some(), "message lacks {field}: {m}");
    }
    assert_eq!(
        (m["seq"].as_i64(), m["sender_type"].as_str()),
        (Some(1), Some("agent"))
    );
    let (status, a) = f
        .call(
            "POST",
            &f.admin,
            &format!("/v1/chat/sessions/{id}/assign"),
            Some(json!({"agent_id": "agent-123"})),
        )
        .await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(
        (a["status"].as_str(), a["assigned_agent_id"].as_str()),
        (Some("active"), Some("agent-123"))
    );
    let (_, list) = f
        .call(
            "GET",
            &f.agent,
            "/v1/chat/sessions?status=active&assigned_agent_id=agent-123",
            None,
        )
        .await;
    assert_eq!(list["sessions"].as_array().unwrap().len(), 1);
    assert!(list.get("next_cursor").is_some());
    let (_, unassigned) = f
        .call("GET", &f.agent, "/v1/chat/sessions?unassigned=true", None)
        .await;
    assert!(unassigned["sessions"].as_array().unwrap().is_empty());
    let (_, found) = f
        .call("GET", &f.agent, "/v1/chat/sessions?q=JOHN", None)
        .await;
    assert_eq!(found["sessions"].as_array().unwrap().len(), 1);
    let (_, history) = f
        .call(
            "GET",
            &f.agent,
            &format!("/v1/chat/sessions/{id}/messages?after_seq=0&limit=50"),
            None,
        )
        .await;
    let seqs: Vec<i64> = history["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>());
    let (status, t) = f
        .call(
            "POST",
            &f.agent,
            &format!("/v1/chat/sessions/{id}/transfer"),
            Some(json!({"agent_id": "agent-456"})),
        )
        .await;
    assert_eq!((status, t["status"].as_str()), (200, Some("transferred")));
    let (status, e) = f
        .call(
            "POST",
            &f.admin,
            &format!("/v1/chat/sessions/{id}/end"),
            None,
        )
        .await;
    assert_eq!((status, e["status"].as_str()), (200, Some("ended")));
    let (_, customer) = f
        .call(
            "GET",
            &f.agent,
            &format!("/v1/chat/sessions/{id}/customer"),
            None,
        )
        .await;
    assert_eq!(customer["customer_email"], "customer@example.com");
    assert!(customer["previous_sessions"].is_array());
}

fn code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("<no error code>")
}

/// Every refusal is JSON with the documented status and code.
pub async fn errors_are_json_with_stable_codes(f: &Fixture) {
    let (s, v) = f
        .call("GET", "wrong-token", "/v1/chat/sessions", None)
        .await;
    assert_eq!((s, code(&v)), (401, "unauthorized"));
    let res = f
        .http
        .get(format!("{}/v1/chat/sessions", f.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let (s, v) = f
        .call(
            "POST",
            &f.agent,
            "/v1/chat/widgets",
            Some(json!({"name": "x", "domain": "x.com"})),
        )
        .await;
    assert_eq!((s, code(&v)), (403, "forbidden"));
    let (s, v) = f
        .call("GET", &f.agent, "/v1/chat/sessions/ses_nope", None)
        .await;
    assert_eq!((s, code(&v)), (404, "not_found"));
    let (s, v) = f.call("GET", &f.agent, "/v1/chat/nothing-here", None).await;
    assert_eq!((s, code(&v)), (404, "not_found"));
    let (s, v) = f.call("DELETE", &f.agent, "/v1/chat/sessions", None).await;
    assert_eq!((s, code(&v)), (405, "method_not_allowed"));
    let res = f
        .http
        .post(format!("{}/v1/chat/sessions", f.base))
        .bearer_auth(&f.agent)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(code(&res.json().await.unwrap()), "invalid_input");
    let (s, v) = f
        .call(
            "POST",
            &f.admin,
            "/v1/chat/widgets",
            Some(json!({"name": "x", "domain": "x.com", "primary_color": "blue"})),
        )
        .await;
    assert_eq!(
        (s, code(&v), v["error"]["field"].as_str()),
        (422, "invalid_input", Some("primary_color"))
    );
    let (s, v) = f
        .call(
            "POST",
            &f.agent,
            "/v1/chat/sessions",
            Some(json!({"widget_id": f.widget_id})),
        )
        .await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (422, Some("customer_email"))
    );
    let (id, _) = f.customer("ended").await;
    f.call(
        "POST",
        &f.admin,
        &format!("/v1/chat/sessions/{id}/end"),
        None,
    )
    .await;
    let (s, v) = f
        .call(
            "POST",
            &f.agent,
            &format!("/v1/chat/sessions/{id}/assign"),
            None,
        )
        .await;
    assert_eq!((s, code(&v)), (409, "conflict"));
}

/// CORS echoes only allowed origins (never `*`); refusals stay readable without data.
pub async fn cors_grants_only_the_widgets_origins(f: &Fixture) {
    let ok = f.public("GET", "", Some(ORIGIN), None, None).await;
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.headers()["access-control-allow-origin"], ORIGIN);
    assert!(ok
        .headers()
        .get_all("vary")
        .iter()
        .any(|v| v.to_str().unwrap_or("").contains("Origin")));
    let cfg: Value = ok.json().await.unwrap();
    assert!(cfg.get("identity_secret").is_none() && cfg.get("tenant_id").is_none());
    for origin in [
        "https://evil.example",
        "https://shop.example.com.evil.example",
        "null",
    ] {
        let res = f.public("GET", "", Some(origin), None, None).await;
        assert_eq!(res.status(), 403, "{origin}");
        let acao = res
            .headers()
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap().to_owned());
        assert_ne!(acao.as_deref(), Some("*"));
        let body: Value = res.json().await.unwrap();
        assert_eq!(code(&body), "domain_not_allowed");
        assert!(body.get("welcome_message").is_none());
    }
    let res = f
        .public("POST", "/sessions", None, None, Some(json!({})))
        .await;
    assert_eq!(res.status(), 403, "a missing Origin is refused");
    let pre = f
        .http
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/v1/chat/public/widgets/{}/sessions", f.base, f.widget_id),
        )
        .header("origin", ORIGIN)
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(pre.status(), 204);
    assert_eq!(pre.headers()["access-control-allow-origin"], ORIGIN);
    let pre = f
        .http
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/v1/chat/public/widgets/{}/sessions", f.base, f.widget_id),
        )
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(pre.headers().get("access-control-allow-origin").is_none());
}

/// Another tenant's objects are 404 and never listed.
pub async fn tenants_never_see_each_others_objects(f: &Fixture) {
    let (id, token) = f.customer("ann").await;
    let up = f
        .http
        .post(format!(
            "{}/v1/chat/public/widgets/{}/session/attachments?filename=a.txt",
            f.base, f.widget_id
        ))
        .header("origin", ORIGIN)
        .bearer_auth(&token)
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(up.status(), 201);
    let att: Value = up.json().await.unwrap();
    for path in [
        format!("/v1/chat/sessions/{id}"),
        format!("/v1/chat/sessions/{id}/messages"),
        format!("/v1/chat/sessions/{id}/notes"),
        format!("/v1/chat/sessions/{id}/customer"),
        format!("/v1/chat/widgets/{}", f.widget_id),
        format!("/v1/chat/attachments/{}", att["id"].as_str().unwrap()),
    ] {
        let (s, v) = f.call("GET", &f.foreign, &path, None).await;
        assert_eq!((s, code(&v)), (404, "not_found"), "{path}");
    }
    let (s, _) = f
        .call(
            "POST",
            &f.foreign,
            &format!("/v1/chat/sessions/{id}/messages"),
            Some(json!({"content": "hi"})),
        )
        .await;
    assert_eq!(s, 404);
    let (_, list) = f.call("GET", &f.foreign, "/v1/chat/sessions", None).await;
    assert!(list["sessions"].as_array().unwrap().is_empty());
    let (_, widgets) = f.call("GET", &f.foreign, "/v1/chat/widgets", None).await;
    assert!(widgets["widgets"].as_array().unwrap().is_empty());
}

/// A customer token works for its own session only, never on agent paths, and dies with it.
pub async fn customer_tokens_reach_only_their_own_session(f: &Fixture) {
    let (first, token) = f.customer("bea").await;
    let (second, _) = f.customer("cal").await;
    let own = f
        .public("GET", "/session", Some(ORIGIN), Some(&token), None)
        .await;
    assert_eq!(own.status(), 200);
    let own: Value = own.json().await.unwrap();
    assert_eq!(own["id"], first.as_str());
    assert!(own.get("tenant_id").is_none() && own.get("project_id").is_none());
    let (s, _) = f
        .call("GET", &token, &format!("/v1/chat/sessions/{second}"), None)
        .await;
    assert_eq!(s, 401, "a customer token is no agent credential");
    let res = f
        .public("GET", "/session", Some(ORIGIN), Some("not-a-token"), None)
        .await;
    assert_eq!(res.status(), 401);
    let res = f
        .public("POST", "/session/end", Some(ORIGIN), Some(&token), None)
        .await;
    assert_eq!(res.status(), 200);
    let res = f
        .public("GET", "/session", Some(ORIGIN), Some(&token), None)
        .await;
    assert_eq!(
        res.status(),
        401,
        "the token stops working when the session ends"
    );
}

/// Messages and typing reach the customer, the assignee and subscribed consoles only;
/// lifecycle events reach every agent of the tenant and no other tenant.
pub async fn websocket_events_reach_exactly_the_right_connections(f: &Fixture) {
    let mut console = f.agent_socket(&f.agent).await;
    let mut bystander = f.agent_socket(&f.other_agent).await;
    let mut foreigner = f.agent_socket(&f.foreign).await;
    let (id, token) = f.customer("dan").await;
    assert_eq!(
        console.expect("session_created").await["session_id"],
        id.as_str()
    );
    assert_eq!(
        bystander.expect("session_created").await["session_id"],
        id.as_str()
    );
    console
        .send(json!({"type": "subscribe", "session_id": id}))
        .await;
    console.expect("subscribed").await;
    let mut customer = f.customer_socket(&token).await;
    customer
        .send(json!({"type": "typing_indicator", "is_typing": true}))
        .await;
    let typing = console.expect("typing_indicator").await;
    assert_eq!(
        (typing["session_id"].as_str(), typing["is_typing"].as_bool()),
        (Some(id.as_str()), Some(true))
    );
    customer.send(json!({"type": "send_message", "session_id": id, "content": "Hello!", "message_type": "text"})).await;
    let ack = customer.expect("message_ack").await;
    let msg = console.expect("new_message").await;
    assert_eq!(msg["message"]["seq"], ack["seq"]);
    assert_eq!(msg["message"]["content"], "Hello!");
    let (s, _) = f
        .call(
            "POST",
            &f.admin,
            &format!("/v1/chat/sessions/{id}/assign"),
            Some(json!({"agent_id": "agent-456"})),
        )
        .await;
    assert_eq!(s, 200);
    let assigned = bystander.expect("session_assigned").await;
    assert_eq!(assigned["agent_id"], "agent-456");
    let seen = customer.expect("session_assigned").await;
    assert_eq!(seen["session"]["agent"]["display_name"], "Olly Other");
    assert!(seen["session"].get("tenant_id").is_none());
    // Now the bystander is the assignee: messages reach it without subscribing.
    customer
        .send(json!({"type": "send_message", "content": "Anyone?"}))
        .await;
    loop {
        let m = bystander.expect("new_message").await;
        if m["message"]["content"] == "Anyone?" {
            break;
        }
        assert_eq!(
            m["message"]["message_type"], "system",
            "only the join notice may come first: {m}"
        );
    }
    let leaked = foreigner.drain().await;
    assert!(
        leaked.iter().all(|v| v["type"] != "session_created"
            && v["type"] != "new_message"
            && v["type"] != "session_assigned"),
        "{leaked:?}"
    );
}

/// A malformed frame gets an `error` and the socket stays usable; an oversized frame closes
/// the socket with 1009.
pub async fn malformed_frames_get_errors_and_oversized_frames_close_with_1009(f: &Fixture) {
    let mut ws = f.agent_socket(&f.agent).await;
    ws.send_raw("{oops".into()).await;
    assert_eq!(ws.expect("error").await["code"], "invalid_input");
    ws.send(json!({"type": "send_message", "session_id": "ses_nope", "content": "x", "request_id": "r9"})).await;
    let err = ws.expect("error").await;
    assert_eq!(
        (err["code"].as_str(), err["request_id"].as_str()),
        (Some("not_found"), Some("r9"))
    );
    ws.send(json!({"type": "ping", "request_id": 1})).await;
    assert_eq!(ws.expect("pong").await["request_id"], 1);
    ws.send_raw(format!(
        "{{\"type\":\"ping\",\"pad\":\"{}\"}}",
        "x".repeat(70 * 1024)
    ))
    .await;
    assert_eq!(ws.close_code().await, Some(1009));
}

/// `resume` replays after a sequence number; a retried `client_message_id` stores nothing new.
pub async fn resume_replays_and_client_message_ids_are_idempotent(f: &Fixture) {
    let (id, token) = f.customer("eve").await;
    for i in 1..=4 {
        let res = f
            .public(
                "POST",
                "/session/messages",
                Some(ORIGIN),
                Some(&token),
                Some(json!({"content": format!("m{i}"), "client_message_id": format!("c{i}")})),
            )
            .await;
        assert_eq!(res.status(), 201);
    }
    let retry = f
        .public(
            "POST",
            "/session/messages",
            Some(ORIGIN),
            Some(&token),
            Some(json!({"content": "m4", "client_message_id": "c4"})),
        )
        .await;
    assert_eq!(retry.status(), 200);
    assert_eq!(retry.json::<Value>().await.unwrap()["seq"], 4);
    let mut console = f.agent_socket(&f.agent).await;
    console
        .send(json!({"type": "resume", "session_id": id, "after_seq": 2}))
        .await;
    let mut seqs = Vec::new();
    for _ in 0..2 {
        seqs.push(
            console.expect("new_message").await["message"]["seq"]
                .as_i64()
                .unwrap(),
        );
    }
    assert_eq!(seqs, vec![3, 4]);
    assert_eq!(console.expect("resumed").await["last_seq"], 4);
    let mut customer = f.customer_socket(&token).await;
    customer
        .send(json!({"type": "send_message", "content": "m4", "client_message_id": "c4"}))
        .await;
    let ack = customer.expect("message_ack").await;
    assert_eq!(
        (ack["seq"].as_i64(), ack["duplicate"].as_bool()),
        (Some(4), Some(true))
    );
    let (_, history) = f
        .call(
            "GET",
            &f.agent,
            &format!("/v1/chat/sessions/{id}/messages"),
            None,
        )
        .await;
    assert_eq!(history["messages"].as_array().unwrap().len(), 4);
}

/// Uploads are typed from their bytes; downloads are `nosniff` and attachments unless images.
pub async fn attachments_are_typed_by_content_and_served_safely(f: &Fixture) {
    let (id, token) = f.customer("fay").await;
    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    let part = reqwest::multipart::Part::bytes(png).file_name("photo.pdf");
    let res = f
        .http
        .post(format!("{}/v1/chat/sessions/{id}/attachments", f.base))
        .bearer_auth(&f.agent)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let image: Value = res.json().await.unwrap();
    assert_eq!(
        image["content_type"], "image/png",
        "decided from the bytes, not the name"
    );
    let res = f
        .http
        .post(format!(
            "{}/v1/chat/public/widgets/{}/session/attachments?filename=page.html",
            f.base, f.widget_id
        ))
        .header("origin", ORIGIN)
        .bearer_auth(&token)
        .body("<html><script>alert(1)</script></html>")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    let res = f
        .http
        .post(format!(
            "{}/v1/chat/public/widgets/{}/session/attachments?filename=notes.txt",
            f.base, f.widget_id
        ))
        .header("origin", ORIGIN)
        .bearer_auth(&token)
        .body("plain notes")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let text: Value = res.json().await.unwrap();
    let (s, m) = f
        .call(
            "POST",
            &f.agent,
            &format!("/v1/chat/sessions/{id}/messages"),
            Some(json!({"message_type": "file", "attachment_id": image["id"]})),
        )
        .await;
    assert_eq!(
        (s, m["attachment"]["name"].as_str()),
        (201, Some("photo.pdf"))
    );
    let res = f
        .http
        .get(format!(
            "{}/v1/chat/attachments/{}",
            f.base,
            text["id"].as_str().unwrap()
        ))
        .bearer_auth(&f.agent)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let res = f
        .http
        .get(format!(
            "{}/v1/chat/public/widgets/{}/attachments/{}",
            f.base,
            f.widget_id,
            image["id"].as_str().unwrap()
        ))
        .header("origin", ORIGIN)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("inline"));
    let (other, other_token) = f.customer("gus").await;
    let _ = other;
    let res = f
        .http
        .get(format!(
            "{}/v1/chat/public/widgets/{}/attachments/{}",
            f.base,
            f.widget_id,
            image["id"].as_str().unwrap()
        ))
        .header("origin", ORIGIN)
        .bearer_auth(&other_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404, "another customer cannot fetch the file");
}

/// Internal notes never reach the customer, over REST or WebSocket.
pub async fn customers_never_receive_notes(f: &Fixture) {
    let (id, token) = f.customer("hal").await;
    let mut customer = f.customer_socket(&token).await;
    let mut console = f.agent_socket(&f.agent).await;
    console
        .send(json!({"type": "subscribe", "session_id": id}))
        .await;
    console.expect("subscribed").await;
    let (s, _) = f
        .call(
            "POST",
            &f.agent,
            &format!("/v1/chat/sessions/{id}/notes"),
            Some(json!({"content": "VIP customer, secret"})),
        )
        .await;
    assert_eq!(s, 201);
    assert_eq!(
        console.expect("note_added").await["note"]["content"],
        "VIP customer, secret"
    );
    let seen = customer.drain().await;
    assert!(
        !seen.iter().any(|v| v.to_string().contains("secret")),
        "{seen:?}"
    );
    let res = f
        .public("GET", "/session/messages", Some(ORIGIN), Some(&token), None)
        .await;
    assert!(!res.text().await.unwrap().contains("secret"));
    let (s, _) = f
        .call(
            "GET",
            &token,
            &format!("/v1/chat/sessions/{id}/notes"),
            None,
        )
        .await;
    assert_eq!(s, 401);
}

/// Widgets: create (201 with id), read, update, embed code, delete.
pub async fn widgets_crud_and_embed_code(f: &Fixture) {
    let (s, w) = f
        .call("POST", &f.admin, "/v1/chat/widgets", Some(json!({"name": "Blog", "domain": "blog.example.com", "welcome_message": "Hey!", "business_hours": {"timezone": "Europe/Berlin", "monday": {"open": "09:00", "close": "17:00"}}})))
        .await;
    assert_eq!(s, 201, "{w}");
    let id = w["id"].as_str().unwrap();
    assert_eq!(w["business_hours"]["timezone"], "Europe/Berlin");
    let (s, u) = f
        .call(
            "PUT",
            &f.admin,
            &format!("/v1/chat/widgets/{id}"),
            Some(json!({"primary_color": "#112233", "business_hours": null})),
        )
        .await;
    assert_eq!((s, u["primary_color"].as_str()), (200, Some("#112233")));
    assert!(u["business_hours"].is_null());
    assert_eq!(u["welcome_message"], "Hey!");
    let (s, e) = f
        .call(
            "GET",
            &f.agent,
            &format!("/v1/chat/widgets/{id}/embed"),
            None,
        )
        .await;
    assert_eq!(s, 200);
    let code = e["embed_code"].as_str().unwrap();
    assert!(
        code.contains("TmsChat('init'") && code.contains(id) && code.contains("/chat-widget.js")
    );
    let (s, _) = f
        .call("DELETE", &f.admin, &format!("/v1/chat/widgets/{id}"), None)
        .await;
    assert_eq!(s, 204);
    let (s, _) = f
        .call("GET", &f.admin, &format!("/v1/chat/widgets/{id}"), None)
        .await;
    assert_eq!(s, 404);
}

/// `/healthz` and `/readyz`.
pub async fn health_probes_answer(f: &Fixture) {
    for path in ["/healthz", "/readyz"] {
        let res = f
            .http
            .get(format!("{}{path}", f.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{path}");
    }
}
