//! The customer (widget) endpoints and CORS.

use super::*;
use chrono::{Datelike, Duration, Utc};
use hmac::Mac;

/// The fields of the public widget configuration, exactly.
const PUBLIC_WIDGET_FIELDS: &[&str] = &[
    "id",
    "welcome_message",
    "offline_message",
    "primary_color",
    "secondary_color",
    "position",
    "theme",
    "typing_preview",
    "auto_open_delay",
    "show_agent_avatars",
    "allow_file_uploads",
    "max_upload_bytes",
    "allowed_upload_types",
    "require_email",
    "is_open",
    "next_open_at",
    "offline_behavior",
    "offline_redirect_url",
    "agents_online",
    "offline_when_no_agents",
];

/// `GET /v1/chat/public/widgets/{id}` answers the documented configuration and nothing else.
pub async fn public_widget_configuration_has_exactly_the_documented_fields(f: &Fixture) {
    let t = &f.a;
    let reply = f.public(t, "GET", "", Some(t.origin), None, None).await;
    let config = reply.expect_status(200);
    assert_exact_fields(config, PUBLIC_WIDGET_FIELDS);
    assert_eq!(config["id"], t.widget_id.as_str());
    assert_eq!(config["is_open"], true, "no business hours: always open");
    assert!(config["next_open_at"].is_null());
    assert!(config["allowed_upload_types"].is_array());
}

/// A customer starts a session, reads and renames it, chats, and ends it; the token then
/// stops working.
pub async fn customers_start_chat_in_and_end_their_own_session(f: &Fixture) {
    let t = &f.a;
    let started = f
        .public(
            t,
            "POST",
            "/sessions",
            Some(t.origin),
            None,
            Some(json!({"customer_name": "Ivy", "customer_email": "ivy@example.com"})),
        )
        .await;
    let body = started.expect_status(201);
    assert_exact_fields(body, &["session", "customer_token"]);
    let session = &body["session"];
    assert_exact_fields(session, CUSTOMER_SESSION_FIELDS);
    assert_eq!(session["status"], "waiting");
    assert_eq!(session["widget_id"], t.widget_id.as_str());
    assert!(session["agent"].is_null());
    let c = crate::fixture::Customer {
        session_id: session["id"].as_str().expect("id").to_owned(),
        token: started.str("customer_token").to_owned(),
    };
    let own = f.as_customer(t, &c, "GET", "/session", None).await;
    assert_exact_fields(own.expect_status(200), CUSTOMER_SESSION_FIELDS);
    assert_eq!(own["id"], c.session_id.as_str());

    let renamed = f
        .as_customer(
            t,
            &c,
            "PATCH",
            "/session",
            Some(json!({"customer_name": "Ivy Green"})),
        )
        .await;
    assert_exact_fields(renamed.expect_status(200), CUSTOMER_SESSION_FIELDS);
    assert_eq!(renamed["customer_name"], "Ivy Green");
    assert_eq!(renamed["customer_email"], "ivy@example.com");
    let agent_view = f
        .get(&t.agent, &format!("/v1/chat/sessions/{}", c.session_id))
        .await;
    assert_eq!(agent_view["customer_name"], "Ivy Green");

    let sent = f
        .as_customer(
            t,
            &c,
            "POST",
            "/session/messages",
            Some(json!({"content": "Where is my order?", "message_type": "text", "client_message_id": "w-1"})),
        )
        .await;
    let m = sent.expect_status(201);
    assert_fields(m, MESSAGE_FIELDS);
    assert_eq!(m["sender_type"], "customer");
    assert!(m["sender_agent_id"].is_null());
    assert_eq!(m["client_message_id"], "w-1");
    f.post(
        &t.agent,
        &format!("/v1/chat/sessions/{}/messages", c.session_id),
        json!({"content": "Let me check."}),
    )
    .await
    .expect_status(201);
    let history = f.as_customer(t, &c, "GET", "/session/messages", None).await;
    let contents: Vec<&str> = history.expect_status(200)["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter_map(|m| m["content"].as_str())
        .collect();
    assert_eq!(contents, vec!["Where is my order?", "Let me check."]);

    let ended = f.as_customer(t, &c, "POST", "/session/end", None).await;
    let s = ended.expect_status(200);
    assert_exact_fields(s, CUSTOMER_SESSION_FIELDS);
    assert_eq!(s["status"], "ended");
    assert_utc_timestamp(&s["ended_at"]);
    let agent_view = f
        .get(&t.agent, &format!("/v1/chat/sessions/{}", c.session_id))
        .await;
    assert_eq!(agent_view["ended_by"], "customer");
    f.as_customer(t, &c, "GET", "/session", None)
        .await
        .expect_error(401, "unauthorized");
    f.as_customer(
        t,
        &c,
        "POST",
        "/session/messages",
        Some(json!({"content": "hello?"})),
    )
    .await
    .expect_error(401, "unauthorized");
}

/// Business hours: a closed widget refuses new customer sessions with `409
/// outside_business_hours` and `next_open_at`, takes the offline contact form, and never
/// stops agents.
pub async fn business_hours_gate_customer_sessions_but_never_agents(f: &Fixture) {
    let t = &f.a;
    let opening_day = Utc::now().date_naive() + Duration::days(3);
    let weekday = opening_day.weekday().to_string().to_lowercase();
    let full_weekday = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
    .into_iter()
    .find(|d| d.starts_with(&weekday))
    .expect("weekday");
    let mut hours = json!({"timezone": "UTC", "offline_behavior": "collect_contact"});
    hours[full_weekday] = json!({"open": "09:00", "close": "17:00"});
    let created = f
        .post(
            &t.admin,
            "/v1/chat/widgets",
            json!({"name": "Closed", "domain": "closed.example.com", "business_hours": hours}),
        )
        .await;
    created.expect_status(201);
    let widget = created.str("id");
    let origin = Some("https://closed.example.com");
    let expected_opening = opening_day.and_hms_opt(9, 0, 0).expect("09:00").and_utc();
    let opens_at = |v: &Value| {
        chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap_or_default())
            .map(|d| d.with_timezone(&Utc))
            .ok()
    };

    let config = f.public_on(widget, "GET", "", origin, None, None).await;
    config.expect_status(200);
    assert_eq!(config["is_open"], false);
    assert_eq!(opens_at(&config["next_open_at"]), Some(expected_opening));
    assert_eq!(config["offline_behavior"], "collect_contact");

    let refused = f
        .public_on(
            widget,
            "POST",
            "/sessions",
            origin,
            None,
            Some(json!({"customer_email": "late@example.com"})),
        )
        .await;
    refused.expect_error(409, "outside_business_hours");
    assert_eq!(
        opens_at(&refused.json["error"]["next_open_at"]),
        Some(expected_opening),
        "{}",
        refused.json
    );

    let contact = f
        .public_on(
            widget,
            "POST",
            "/contact",
            origin,
            None,
            Some(json!({"customer_name": "Lee", "customer_email": "lee@example.com", "message": "Call me back"})),
        )
        .await;
    contact.expect_status(201);
    let queued = contact.str("session_id");
    let seen = f
        .get(&t.agent, &format!("/v1/chat/sessions/{queued}"))
        .await;
    assert_eq!(seen.expect_status(200)["customer_email"], "lee@example.com");
    let queue = f
        .get(
            &t.agent,
            &format!("/v1/chat/sessions?unassigned=true&widget_id={widget}"),
        )
        .await;
    assert!(ids(&queue.json, "sessions").contains(&queued.to_owned()));

    f.post(
        &t.agent,
        "/v1/chat/sessions",
        json!({"widget_id": widget, "customer_email": "vip@example.com"}),
    )
    .await
    .expect_status(201);
}

/// Business-hours exceptions: a widget open around the clock but closed today (its time
/// zone's date) says so in its public configuration, with the next opening on tomorrow's
/// special hours; removing the exception opens it again. Bad exceptions are `422
/// invalid_input` naming the entry's field.
pub async fn a_closed_exception_today_closes_the_widget_until_the_next_special_hours(f: &Fixture) {
    let t = &f.a;
    let today = Utc::now().date_naive();
    let tomorrow = today + Duration::days(1);
    let every_day = json!({"open": "00:00", "close": "24:00"});
    let mut hours = json!({"timezone": "UTC", "exceptions": [
        {"date": today.format("%Y-%m-%d").to_string(), "closed": true},
        {"date": tomorrow.format("%Y-%m-%d").to_string(), "open": "10:00", "close": "12:00"},
    ]});
    for day in [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ] {
        hours[day] = every_day.clone();
    }
    let body = json!({"name": "Holiday", "domain": "holiday.example.com", "business_hours": hours});
    let created = f.post(&t.admin, "/v1/chat/widgets", body).await;
    let widget = created.expect_status(201)["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(
        created.json["business_hours"]["exceptions"],
        hours["exceptions"]
    );
    let origin = Some("https://holiday.example.com");
    let config = f.public_on(&widget, "GET", "", origin, None, None).await;
    config.expect_status(200);
    if Utc::now().date_naive() == today {
        assert_eq!(config.json["is_open"], false, "{}", config.json);
        let next = config.str("next_open_at");
        let next = chrono::DateTime::parse_from_rfc3339(next).expect("time");
        let expected = tomorrow.and_hms_opt(10, 0, 0).expect("10:00").and_utc();
        assert_eq!(next.with_timezone(&Utc), expected);
    }
    let path = format!("/v1/chat/widgets/{widget}");
    let mut open = hours.clone();
    open["exceptions"] = json!([]);
    f.call(
        "PUT",
        &t.admin,
        &path,
        Some(json!({"business_hours": open})),
    )
    .await
    .expect_status(200);
    let config = f.public_on(&widget, "GET", "", origin, None, None).await;
    assert_eq!(config.expect_status(200)["is_open"], true);

    let day = today.format("%Y-%m-%d").to_string();
    let bad = [
        (
            json!([{"date": "2026-02-30", "closed": true}]),
            "exceptions[0].date",
        ),
        (
            json!([{"date": day, "closed": true}, {"date": day, "closed": true}]),
            "exceptions[1].date",
        ),
        (
            json!([{"date": day, "closed": true, "open": "09:00", "close": "12:00"}]),
            "exceptions[0].closed",
        ),
        (
            json!([{"date": day, "open": "9:00", "close": "12:00"}]),
            "exceptions[0].open",
        ),
        (
            json!([{"date": day, "open": "09:00"}]),
            "exceptions[0].close",
        ),
    ];
    for (exceptions, field) in bad {
        let mut hours = hours.clone();
        hours["exceptions"] = exceptions;
        let reply = f
            .call(
                "PUT",
                &t.admin,
                &path,
                Some(json!({"business_hours": hours})),
            )
            .await;
        reply.expect_error(422, "invalid_input");
        assert_eq!(
            reply.json["error"]["field"],
            format!("business_hours.{field}")
        );
    }
}

/// A widget that requires an email refuses sessions without one (422 with the field).
pub async fn widgets_that_require_an_email_refuse_sessions_without_one(f: &Fixture) {
    let t = &f.a;
    f.call(
        "PUT",
        &t.admin,
        &format!("/v1/chat/widgets/{}", t.widget_id),
        Some(json!({"require_email": true})),
    )
    .await
    .expect_status(200);
    let refused = f
        .public(
            t,
            "POST",
            "/sessions",
            Some(t.origin),
            None,
            Some(json!({"customer_name": "Anon"})),
        )
        .await;
    refused.expect_error(422, "invalid_input");
    assert_eq!(refused.json["error"]["field"], "customer_email");
}

/// `identity_hash` = hex(HMAC-SHA256(identity_secret, email)) marks the customer verified;
/// the browser cannot change a verified email.
pub async fn identity_hashes_mark_customers_verified(f: &Fixture) {
    let t = &f.a;
    let widget = f
        .get(&t.admin, &format!("/v1/chat/widgets/{}", t.widget_id))
        .await;
    let secret = widget.str("identity_secret");
    let mut mac =
        hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(b"known@example.com");
    let hash = hex::encode(mac.finalize().into_bytes());
    let started = f
        .public(
            t,
            "POST",
            "/sessions",
            Some(t.origin),
            None,
            Some(json!({"customer_email": "known@example.com", "identity_hash": hash})),
        )
        .await;
    started.expect_status(201);
    let c = crate::fixture::Customer {
        session_id: started.json["session"]["id"]
            .as_str()
            .expect("id")
            .to_owned(),
        token: started.str("customer_token").to_owned(),
    };
    let agent_view = f
        .get(&t.agent, &format!("/v1/chat/sessions/{}", c.session_id))
        .await;
    assert_eq!(agent_view["customer_verified"], true);
    let changed = f
        .as_customer(
            t,
            &c,
            "PATCH",
            "/session",
            Some(json!({"customer_email": "someone-else@example.com"})),
        )
        .await;
    assert!(
        (400..500).contains(&changed.status),
        "a verified email cannot be changed: {}",
        changed.json
    );
    let agent_view = f
        .get(&t.agent, &format!("/v1/chat/sessions/{}", c.session_id))
        .await;
    assert_eq!(agent_view["customer_email"], "known@example.com");

    let unverified = f.customer(t, "plain").await;
    let agent_view = f
        .get(
            &t.agent,
            &format!("/v1/chat/sessions/{}", unverified.session_id),
        )
        .await;
    assert_eq!(agent_view["customer_verified"], false);
}

/// CORS: an allowed origin is echoed (never `*`) with `Vary: Origin`; a refused origin gets
/// `403 domain_not_allowed` without data but readable; `Referer` and a same-origin request
/// from another host are not trusted; preflights are granted to allowed origins only.
pub async fn cors_echoes_allowed_origins_and_refuses_others_readably(f: &Fixture) {
    let t = &f.a;
    let ok = f.public(t, "GET", "", Some(t.origin), None, None).await;
    ok.expect_status(200);
    assert_eq!(ok.header("access-control-allow-origin"), Some(t.origin));
    assert!(
        ok.header_all("vary").iter().any(|v| v.contains("Origin")),
        "{:?}",
        ok.headers
    );
    let c = f.customer(t, "cora").await;
    let own = f.as_customer(t, &c, "GET", "/session", None).await;
    assert_eq!(own.header("access-control-allow-origin"), Some(t.origin));

    for origin in [
        "https://evil.example",
        "https://shop.example.com.evil.example",
        "http://shop.example.com.evil.example",
        f.b.origin,
    ] {
        for (method, rest, token, body) in [
            ("GET", "", None, None),
            (
                "POST",
                "/sessions",
                None,
                Some(json!({"customer_email": "x@example.com"})),
            ),
            ("GET", "/session", Some(c.token.as_str()), None),
        ] {
            let refused = f.public(t, method, rest, Some(origin), token, body).await;
            refused.expect_error(403, "domain_not_allowed");
            assert_eq!(
                refused.header("access-control-allow-origin"),
                Some(origin),
                "the refusal is readable by the page ({method} {rest})"
            );
            assert_exact_fields(&refused.json, &["error"]);
        }
    }
    f.public(
        t,
        "POST",
        "/sessions",
        None,
        None,
        Some(json!({"customer_email": "x@example.com"})),
    )
    .await
    .expect_error(403, "domain_not_allowed");
    let referer_only = f
        .send(
            f.http
                .get(f.url(&format!("/v1/chat/public/widgets/{}", t.widget_id)))
                .header("referer", format!("{}/checkout", t.origin)),
        )
        .await;
    referer_only.expect_error(403, "domain_not_allowed");
    let same_origin = f
        .send(
            f.http
                .get(f.url(&format!("/v1/chat/public/widgets/{}", t.widget_id)))
                .header("sec-fetch-site", "same-origin"),
        )
        .await;
    same_origin.expect_error(403, "domain_not_allowed");
    // A same-origin request counts as the server's own origin (here its `Host`), allowed when
    // that is one of the widget's domains.
    let own_site = f
        .post(
            &t.admin,
            "/v1/chat/widgets",
            json!({"name": "Served here", "domain": "127.0.0.1"}),
        )
        .await;
    own_site.expect_status(201);
    let same_origin = f
        .send(
            f.http
                .get(f.url(&format!("/v1/chat/public/widgets/{}", own_site.str("id"))))
                .header("sec-fetch-site", "same-origin"),
        )
        .await;
    assert_eq!(same_origin.expect_status(200)["id"], own_site["id"]);

    let preflight = |origin: &'static str| {
        f.http
            .request(
                reqwest::Method::OPTIONS,
                f.url(&format!("/v1/chat/public/widgets/{}/sessions", t.widget_id)),
            )
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type",
            )
    };
    let granted = f.send(preflight(t.origin)).await;
    assert!((200..300).contains(&granted.status), "{granted:?}");
    assert_eq!(
        granted.header("access-control-allow-origin"),
        Some(t.origin)
    );
    let methods = granted
        .header("access-control-allow-methods")
        .unwrap_or_default()
        .to_ascii_uppercase();
    assert!(methods.contains("POST"), "{methods}");
    let headers = granted
        .header("access-control-allow-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(
        headers.contains("authorization") && headers.contains("content-type"),
        "{headers}"
    );
    let denied = f.send(preflight("https://evil.example")).await;
    assert!(
        denied.header("access-control-allow-origin").is_none(),
        "{denied:?}"
    );
    for reply in [&ok, &own, &granted, &denied] {
        assert_ne!(reply.header("access-control-allow-origin"), Some("*"));
    }
}
