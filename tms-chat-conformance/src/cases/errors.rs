//! Error answers: JSON bodies with the documented status and stable code.

use super::*;

/// Every refusal is `{"error": {"code", "message"}}` with the documented status; `field` only
/// for `invalid_input`.
pub async fn refusals_are_json_errors_with_stable_codes(f: &Fixture) {
    let t = &f.a;
    f.get("wrong-token", "/v1/chat/sessions")
        .await
        .expect_error(401, "unauthorized");
    f.send(f.http.get(f.url("/v1/chat/sessions")))
        .await
        .expect_error(401, "unauthorized");
    f.post(
        &t.agent,
        "/v1/chat/widgets",
        json!({"name": "x", "domain": "x.example.com"}),
    )
    .await
    .expect_error(403, "forbidden");

    let missing = f.get(&t.agent, "/v1/chat/sessions/ses_nope").await;
    missing.expect_error(404, "not_found");
    assert!(
        missing.json["error"].get("field").is_none(),
        "field only for invalid_input: {}",
        missing.json
    );
    f.get(&t.agent, "/v1/chat/nothing-here")
        .await
        .expect_error(404, "not_found");
    f.send(f.http.get(f.url("/nothing-here")))
        .await
        .expect_error(404, "not_found");
    f.public_on("wgt_nope", "GET", "", Some(t.origin), None, None)
        .await
        .expect_error(404, "not_found");
    f.call("DELETE", &t.agent, "/v1/chat/sessions", None)
        .await
        .expect_error(405, "method_not_allowed");
    f.send(f.http.post(f.url("/healthz")))
        .await
        .expect_error(405, "method_not_allowed");

    f.send(
        f.http
            .post(f.url("/v1/chat/sessions"))
            .bearer_auth(&t.agent)
            .header("content-type", "application/json")
            .body("{not json"),
    )
    .await
    .expect_error(400, "invalid_input");
    let invalid = f
        .post(
            &t.admin,
            "/v1/chat/widgets",
            json!({"name": "x", "domain": "x.example.com", "primary_color": "blue"}),
        )
        .await;
    invalid.expect_error(422, "invalid_input");
    assert_eq!(invalid.json["error"]["field"], "primary_color");
    let invalid = f
        .post(
            &t.agent,
            "/v1/chat/sessions",
            json!({"widget_id": t.widget_id}),
        )
        .await;
    invalid.expect_error(422, "invalid_input");
    assert_eq!(invalid.json["error"]["field"], "customer_email");

    let c = f.customer(t, "eda").await;
    f.post(
        &t.agent,
        &format!("/v1/chat/sessions/{}/end", c.session_id),
        json!({}),
    )
    .await
    .expect_status(200);
    f.post(
        &t.agent,
        &format!("/v1/chat/sessions/{}/assign", c.session_id),
        json!({}),
    )
    .await
    .expect_error(409, "conflict");

    let live = f.customer(t, "fox").await;
    let form = reqwest::multipart::Form::new().text("content", "hello");
    f.send(
        f.http
            .post(f.url(&format!("/v1/chat/sessions/{}/messages", live.session_id)))
            .bearer_auth(&t.agent)
            .multipart(form),
    )
    .await
    .expect_error(415, "unsupported_media_type");
}

/// A plain HTTP request to a WebSocket endpoint is `426 upgrade_required`.
pub async fn plain_http_requests_to_socket_endpoints_get_426(f: &Fixture) {
    let t = &f.a;
    f.get(&t.agent, "/v1/chat/ws")
        .await
        .expect_error(426, "upgrade_required");
    let c = f.customer(t, "gil").await;
    f.send(
        f.http
            .get(f.url(&format!(
                "/v1/chat/public/widgets/{}/ws?token={}",
                t.widget_id, c.token
            )))
            .header("origin", t.origin),
    )
    .await
    .expect_error(426, "upgrade_required");
}
