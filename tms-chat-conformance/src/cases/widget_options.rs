//! What a widget's options change for customers and agents: the colour theme (stored,
//! validated, in the public configuration) and the typing preview (the customer's draft
//! reaches the session's agents only when the widget allows it, bounded, never stored).

use super::*;

/// `theme` is `auto` by default, takes `light` or `dark`, refuses anything else with 422
/// `invalid_input` naming `theme`, and the public configuration carries it.
pub async fn the_widget_theme_is_stored_validated_and_sent_to_customers(f: &Fixture) {
    let t = &f.a;
    let path = format!("/v1/chat/widgets/{}", t.widget_id);
    let public_theme = || async {
        let reply = f.public(t, "GET", "", Some(t.origin), None, None).await;
        reply.expect_status(200)["theme"].clone()
    };
    assert_eq!(
        f.get(&t.agent, &path).await.expect_status(200)["theme"],
        "auto"
    );
    assert_eq!(public_theme().await, "auto");

    let updated = f
        .call("PUT", &t.admin, &path, Some(json!({"theme": "dark"})))
        .await;
    assert_eq!(updated.expect_status(200)["theme"], "dark");
    assert_eq!(f.get(&t.agent, &path).await["theme"], "dark", "stored");
    assert_eq!(public_theme().await, "dark");

    for bad in ["night", "Dark", "", "system"] {
        let refused = f
            .call("PUT", &t.admin, &path, Some(json!({"theme": bad})))
            .await;
        refused.expect_error(422, "invalid_input");
        assert_eq!(refused.json["error"]["field"], "theme", "{bad}");
    }
    // Not a string: the body does not parse (as for every field of the wrong JSON type).
    f.call("PUT", &t.admin, &path, Some(json!({"theme": 1})))
        .await
        .expect_error(400, "invalid_input");
    assert_eq!(
        public_theme().await,
        "dark",
        "a refused change changes nothing"
    );

    let created = f
        .post(
            &t.admin,
            "/v1/chat/widgets",
            json!({"name": "Light", "domain": "light.example.com", "theme": "light"}),
        )
        .await;
    assert_eq!(created.expect_status(201)["theme"], "light");
    let refused = f
        .post(
            &t.admin,
            "/v1/chat/widgets",
            json!({"name": "Bad", "domain": "bad.example.com", "theme": "sepia"}),
        )
        .await;
    refused.expect_error(422, "invalid_input");
    assert_eq!(refused.json["error"]["field"], "theme");
}

/// The longest preview agents get: the message length limit (the service's default).
const MAX_PREVIEW_CHARS: usize = 5000;

/// Turns `typing_preview` on or off for `tenant`'s widget (as its admin).
async fn set_typing_preview(f: &Fixture, tenant: &TenantFixture, on: bool) {
    let path = format!("/v1/chat/widgets/{}", tenant.widget_id);
    let reply = f
        .call(
            "PUT",
            &tenant.admin,
            &path,
            Some(json!({"typing_preview": on})),
        )
        .await;
    assert_eq!(reply.expect_status(200)["typing_preview"], on);
}

/// A customer typing `preview` on its socket.
fn typing(preview: &str) -> Value {
    json!({"type": "typing_indicator", "is_typing": true, "preview": preview})
}

/// With the setting off (the default) a customer's preview is dropped and the indicator
/// still goes out; with it on, the consoles of the session get the draft, cut to the
/// message length limit, over the socket and the REST twin; a stop carries none.
pub async fn typing_previews_reach_the_sessions_agents_only_when_the_widget_allows_them(
    f: &Fixture,
) {
    let t = &f.a;
    let public = f.public(t, "GET", "", Some(t.origin), None, None).await;
    assert_eq!(
        public.expect_status(200)["typing_preview"],
        false,
        "off by default"
    );
    let c = f.customer(t, "pia").await;
    let mut console = f.agent_socket(&t.agent).await;
    console
        .send(json!({"type": "subscribe", "session_id": c.session_id}))
        .await;
    console.expect("subscribed").await;
    let mut customer = f.customer_socket(t, &c).await;

    customer.send(typing("my card number is")).await;
    let seen = console.expect_for("typing_indicator", &c.session_id).await;
    assert_eq!(seen["is_typing"], true);
    assert!(
        seen.get("preview").is_none(),
        "off: the draft is dropped: {seen}"
    );

    set_typing_preview(f, t, true).await;
    let public = f.public(t, "GET", "", Some(t.origin), None, None).await;
    assert_eq!(public.expect_status(200)["typing_preview"], true);
    customer.send(typing("Hello, my ord")).await;
    let seen = console.expect_for("typing_indicator", &c.session_id).await;
    assert_eq!(
        (seen["sender_type"].as_str(), seen["preview"].as_str()),
        (Some("customer"), Some("Hello, my ord"))
    );

    let long = "x".repeat(MAX_PREVIEW_CHARS + 50);
    customer.send(typing(&long)).await;
    let seen = console.expect_for("typing_indicator", &c.session_id).await;
    let got = seen["preview"].as_str().expect("a preview");
    assert_eq!(got.chars().count(), MAX_PREVIEW_CHARS, "bounded");

    let rest = json!({"is_typing": true, "preview": "Hello over REST"});
    f.as_customer(t, &c, "POST", "/session/typing", Some(rest))
        .await
        .expect_status(204);
    let seen = console.expect_for("typing_indicator", &c.session_id).await;
    assert_eq!(seen["preview"], "Hello over REST");

    customer
        .send(json!({"type": "typing_indicator", "is_typing": false, "preview": "Hello"}))
        .await;
    let seen = console.expect_for("typing_indicator", &c.session_id).await;
    assert_eq!(seen["is_typing"], false);
    assert!(
        seen.get("preview").is_none(),
        "a stop carries no draft: {seen}"
    );

    // Nothing of the draft was stored.
    let history = f
        .get(
            &t.agent,
            &format!("/v1/chat/sessions/{}/messages", c.session_id),
        )
        .await;
    assert!(
        seqs(history.expect_status(200)).is_empty(),
        "{}",
        history.json
    );
}

/// A draft never reaches a customer (not its own, not another session's), an agent of
/// another tenant, or anyone as an agent's preview: an agent's preview is dropped.
pub async fn typing_previews_never_reach_customers_or_other_tenants(f: &Fixture) {
    let t = &f.a;
    set_typing_preview(f, t, true).await;
    let c = f.customer(t, "ray").await;
    let other = f.customer(t, "sol").await;
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
    let mut foreign = f.agent_socket(&f.b.admin).await;
    let mut customer = f.customer_socket(t, &c).await;
    let mut other_customer = f.customer_socket(t, &other).await;

    customer.send(typing("private draft")).await;
    let seen = console.expect_for("typing_indicator", &c.session_id).await;
    assert_eq!(seen["preview"], "private draft");
    console
        .send(json!({"type": "typing_indicator", "session_id": c.session_id, "is_typing": true, "preview": "agent draft"}))
        .await;
    let seen = customer.expect("typing_indicator").await;
    assert_eq!(seen["sender_type"], "agent");
    assert!(
        seen.get("preview").is_none(),
        "an agent's draft is dropped: {seen}"
    );

    // Barriers: each customer renames itself and waits for its own `session_updated`.
    for (socket, session) in [(&mut customer, &c), (&mut other_customer, &other)] {
        let rename = json!({"customer_name": "Renamed"});
        f.as_customer(t, session, "PATCH", "/session", Some(rename))
            .await
            .expect_status(200);
        let (before, _) = socket.until("session_updated", |_| true).await;
        let leaked: Vec<_> = before
            .iter()
            .filter(|v| v.to_string().contains("draft"))
            .collect();
        assert!(leaked.is_empty(), "a customer got a draft: {leaked:#?}");
    }
    let barrier = barrier_session(f, &f.b, &f.b.widget_id).await;
    let (before, _) = foreign
        .until("session_created", |v| v["session_id"] == barrier)
        .await;
    assert!(
        about(&before, &c.session_id).is_empty(),
        "another tenant heard the session: {before:#?}"
    );
}

/// Previews are typing indicators: they count against the socket's typing rate and the
/// session's REST typing rate, and past it are refused with `rate_limited`.
pub async fn typing_previews_count_against_the_typing_rate(f: &Fixture) {
    let f = &f
        .with_config(|c| {
            c.abuse.typing_per_socket = Some(tms_chat_core::protocol::Rate::new(
                2,
                std::time::Duration::from_secs(600),
            ));
        })
        .await;
    let t = &f.a;
    set_typing_preview(f, t, true).await;
    let c = f.customer(t, "uma").await;
    let mut customer = f.customer_socket(t, &c).await;
    for i in 1..=3 {
        let mut frame = typing(&format!("draft {i}"));
        frame["request_id"] = json!(i);
        customer.send(frame).await;
    }
    let error = customer.expect("error").await;
    assert_eq!(
        (error["code"].as_str(), &error["request_id"]),
        (Some("rate_limited"), &json!(3))
    );
    let rest = json!({"is_typing": true, "preview": "draft"});
    for _ in 0..2 {
        f.as_customer(t, &c, "POST", "/session/typing", Some(rest.clone()))
            .await
            .expect_status(204);
    }
    f.as_customer(t, &c, "POST", "/session/typing", Some(rest))
        .await
        .expect_error(429, "rate_limited");
}
