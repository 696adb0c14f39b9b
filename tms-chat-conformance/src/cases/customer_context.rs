//! The customer context (`docs/protocol.md`, "Customer context"): what the widget reports on
//! a session start (`context`) and with the `page_view` frame reaches agents (the customer
//! endpoint, `visit_updated`), never the customer or another tenant.

use crate::fixture::Fixture;
use serde_json::{json, Value};

const CHROME_ON_LINUX: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

fn page(url: &str, title: &str) -> Value {
    json!({
        "url": url, "title": title, "referrer": "https://search.example/?q=shoes",
        "user_agent": CHROME_ON_LINUX, "language": "de-DE", "time_zone": "Europe/Berlin",
    })
}

async fn start_with(f: &Fixture, context: Value) -> crate::Reply {
    let t = &f.a;
    let body = json!({"customer_email": "visit@example.com", "context": context});
    f.public(t, "POST", "/sessions", Some(t.origin), None, Some(body))
        .await
}

/// The context given on start and each `page_view` is the agents' (the customer endpoint and
/// a `visit_updated` event to the console that opened the session); the customer's views and
/// socket never carry it, and another tenant's agent gets `404`.
pub async fn the_widget_reports_page_views_that_only_the_tenants_agents_see(f: &Fixture) {
    let t = &f.a;
    let started = start_with(f, page("https://shop.example/", "Shop")).await;
    let started = started.expect_status(201).clone();
    assert!(started["session"].get("context").is_none(), "{started}");
    let customer = crate::Customer {
        session_id: started["session"]["id"].as_str().expect("id").to_owned(),
        token: started["customer_token"]
            .as_str()
            .expect("token")
            .to_owned(),
    };
    let path = format!("/v1/chat/sessions/{}/customer", customer.session_id);
    let info = f.get(&t.agent, &path).await;
    let context = &info.expect_status(200)["context"];
    assert_eq!(context["url"], "https://shop.example/");
    assert_eq!(context["title"], "Shop");
    assert_eq!(context["referrer"], "https://search.example/?q=shoes");
    assert_eq!(context["browser"], "Chrome 131");
    assert_eq!(context["os"], "Linux");
    assert_eq!(context["language"], "de-DE");
    assert_eq!(context["time_zone"], "Europe/Berlin");
    assert!(context["updated_at"].is_string(), "{context}");
    assert!(
        context.get("user_agent").is_none(),
        "the raw user agent is not kept"
    );

    f.get(&f.b.agent, &path)
        .await
        .expect_error(404, "not_found");
    f.get(&f.b.admin, &path)
        .await
        .expect_error(404, "not_found");
    f.get(&customer.token, &path)
        .await
        .expect_error(403, "forbidden");

    let mut console = f.agent_socket(&t.agent).await;
    console
        .send(json!({"type": "subscribe", "session_id": customer.session_id}))
        .await;
    console.expect("subscribed").await;
    let mut other_tenant = f.agent_socket(&f.b.admin).await;
    let mut widget = f.customer_socket(t, &customer).await;
    let mut view = page("https://shop.example/cart", "Cart");
    view["type"] = json!("page_view");
    widget.send(view).await;
    let event = console
        .expect_for("visit_updated", &customer.session_id)
        .await;
    assert_eq!(event["context"]["url"], "https://shop.example/cart");
    assert_eq!(event["context"]["title"], "Cart");
    // Another tenant's console: a session started there afterwards is the barrier.
    let later = f.customer(&f.b, "bea").await;
    other_tenant
        .expect_for("session_created", &later.session_id)
        .await;
    let seen = serde_json::to_string(other_tenant.seen()).expect("json");
    assert!(!seen.contains("visit_updated"), "{seen}");
    let info = f.get(&t.agent, &path).await;
    assert_eq!(info.expect_status(200)["context"]["title"], "Cart");
    let export = f
        .get(
            &t.admin,
            "/v1/chat/customers/export?customer_email=visit%40example.com",
        )
        .await;
    let exported = &export.expect_status(200)["sessions"][0];
    assert_eq!(
        exported["context"]["url"], "https://shop.example/cart",
        "{exported}"
    );

    // The customer's socket got nothing of it: a pong after the page view is the barrier.
    widget
        .send(json!({"type": "ping", "request_id": "after"}))
        .await;
    widget.expect("pong").await;
    let seen = serde_json::to_string(widget.seen()).expect("json");
    assert!(
        !seen.contains("visit_updated") && !seen.contains("shop.example/cart"),
        "{seen}"
    );
    let own = f.as_customer(t, &customer, "GET", "/session", None).await;
    let own = serde_json::to_string(own.expect_status(200)).expect("json");
    assert!(!own.contains("shop.example"), "{own}");
}

/// A bad context is `422 invalid_input` naming the field (on start, under `context.`) and
/// stores no session; a bad `page_view` is an `error` frame naming it; agents cannot send one.
pub async fn bad_page_views_are_refused_naming_the_field(f: &Fixture) {
    let t = &f.a;
    let cases = [
        (
            json!({"time_zone": "Mars/Olympus_Mons"}),
            "context.time_zone",
        ),
        (json!({"url": "javascript:alert(1)"}), "context.url"),
        (json!({"title": "a\u{0}b"}), "context.title"),
        (json!({"title": "t".repeat(301)}), "context.title"),
        (
            json!({"referrer": format!("https://a.example/{}", "r".repeat(2048))}),
            "context.referrer",
        ),
        (json!({"language": "<script>"}), "context.language"),
        (json!({"user_agent": "u".repeat(513)}), "context.user_agent"),
    ];
    for (context, field) in cases {
        let reply = start_with(f, context).await;
        reply.expect_error(422, "invalid_input");
        assert_eq!(reply.json["error"]["field"], field, "{:?}", reply.json);
    }
    let listed = f
        .get(&t.agent, "/v1/chat/sessions?q=visit%40example.com")
        .await;
    assert!(
        listed.list("sessions").is_empty(),
        "a refused start stores nothing"
    );

    let customer = f.customer(t, "zoe").await;
    let mut widget = f.customer_socket(t, &customer).await;
    widget
        .send(json!({"type": "page_view", "time_zone": "Nowhere/Land", "request_id": 7}))
        .await;
    let error = widget.expect("error").await;
    assert_eq!(error["code"], "invalid_input");
    assert_eq!(error["field"], "time_zone");
    assert_eq!(error["request_id"], 7);
    let mut console = f.agent_socket(&t.agent).await;
    console
        .send(json!({"type": "page_view", "url": "https://a.example/", "request_id": 8}))
        .await;
    assert_eq!(console.expect("error").await["code"], "forbidden");
    let path = format!("/v1/chat/sessions/{}/customer", customer.session_id);
    let info = f.get(&t.agent, &path).await;
    assert!(info.expect_status(200)["context"].is_null());
}
