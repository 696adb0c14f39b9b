//! Abuse limits (`docs/security.md`): rates per client address on the public endpoints,
//! rates per socket on messages and typing, the socket cap per address, and the trusted
//! proxies whose forwarding headers name the client. Each case runs a second server over the
//! fixture's service with small limits, so the numbers are the case's own.

use super::*;
use std::time::Duration;
use tms_chat_core::protocol::abuse::IpNet;
use tms_chat_core::protocol::{AbuseLimits, Rate};

const MINUTE: Duration = Duration::from_secs(60);

/// Asserts a `429 rate_limited` with a `Retry-After` of whole seconds (at least 1).
#[track_caller]
fn assert_rate_limited(reply: &crate::Reply) {
    reply.expect_error(429, "rate_limited");
    let retry_after: u64 = reply
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no Retry-After in {:?}", reply.headers));
    assert!(retry_after >= 1);
}

async fn start_session(
    f: &Fixture,
    tenant: &TenantFixture,
    forwarded: Option<&str>,
) -> crate::Reply {
    let mut request = f
        .http
        .post(f.url(&format!(
            "/v1/chat/public/widgets/{}/sessions",
            tenant.widget_id
        )))
        .header("origin", tenant.origin)
        .json(&json!({"customer_email": "flood@example.com"}));
    if let Some(forwarded) = forwarded {
        request = request.header("x-forwarded-for", forwarded);
    }
    f.send(request).await
}

/// Starting sessions, the contact form and customer uploads are limited per client address:
/// past the rate they answer `429 rate_limited` with `Retry-After` (and CORS, so the widget
/// can read it), on every widget, while agents' calls from the same address go on.
pub async fn public_endpoints_answer_429_past_their_rate_per_client_address(f: &Fixture) {
    let f = &f
        .with_config(|c| {
            c.abuse.sessions_per_ip = Some(Rate::new(2, MINUTE));
            c.abuse.contacts_per_ip = Some(Rate::new(1, MINUTE));
            c.abuse.uploads_per_ip = Some(Rate::new(1, MINUTE));
        })
        .await;
    let (a, b) = (&f.a, &f.b);
    let customer = f.customer(a, "flo").await;
    start_session(f, b, None).await.expect_status(201);
    let refused = start_session(f, a, None).await;
    assert_rate_limited(&refused);
    assert_eq!(
        refused.header("access-control-allow-origin"),
        Some(a.origin)
    );
    assert_rate_limited(&start_session(f, b, None).await);

    let contact = |tenant: &'static str| {
        let tenant = if tenant == "a" { a } else { b };
        f.public(
            tenant,
            "POST",
            "/contact",
            Some(tenant.origin),
            None,
            Some(json!({"customer_email": "flo@example.com", "message": "Call me"})),
        )
    };
    assert_ne!(contact("a").await.status, 429);
    assert_rate_limited(&contact("b").await);

    let upload = || {
        f.send(
            f.http
                .post(f.url(&format!(
                    "/v1/chat/public/widgets/{}/session/attachments?filename=a.txt",
                    a.widget_id
                )))
                .header("origin", a.origin)
                .bearer_auth(&customer.token)
                .body("hello"),
        )
    };
    upload().await.expect_status(201);
    assert_rate_limited(&upload().await);

    // Agents are not limited by the public rates.
    let path = format!("/v1/chat/sessions/{}", customer.session_id);
    f.get(&a.agent, &path).await.expect_status(200);
}

/// A socket that sends messages past its rate gets `error` `rate_limited` with the frame's
/// `request_id`; the message is neither stored nor acknowledged and the socket stays open.
/// Customers and agents alike, and typing indicators too; another socket is unaffected. The
/// customer's REST sends and typing count per session at the same rates.
pub async fn a_socket_past_its_rate_gets_rate_limited_errors_and_stays_open(f: &Fixture) {
    let f = &f
        .with_config(|c| {
            c.abuse.customer_messages_per_socket = Some(Rate::new(3, 10 * MINUTE));
            c.abuse.agent_messages_per_socket = Some(Rate::new(2, 10 * MINUTE));
            c.abuse.typing_per_socket = Some(Rate::new(2, 10 * MINUTE));
        })
        .await;
    let t = &f.a;
    let c = f.customer(t, "fin").await;
    let mut customer = f.customer_socket(t, &c).await;
    for i in 1..=4 {
        customer
            .send(json!({"type": "send_message", "content": format!("m{i}"), "request_id": i}))
            .await;
    }
    let (acks, refused) = acks_and_refusal(&mut customer, 3).await;
    assert_eq!(acks, vec![json!(1), json!(2), json!(3)]);
    assert_eq!(refused["request_id"], 4);
    customer
        .send(json!({"type": "ping", "request_id": "p"}))
        .await;
    customer.expect("pong").await;
    let history = f
        .get(
            &t.agent,
            &format!("/v1/chat/sessions/{}/messages", c.session_id),
        )
        .await;
    let contents: Vec<&str> = history.expect_status(200)["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter(|m| m["sender_type"] == "customer")
        .filter_map(|m| m["content"].as_str())
        .collect();
    assert_eq!(contents, ["m1", "m2", "m3"]);

    for _ in 0..3 {
        customer
            .send(json!({"type": "typing_indicator", "is_typing": true, "request_id": "t"}))
            .await;
    }
    let error = customer.expect("error").await;
    assert_eq!(
        (error["code"].as_str(), &error["request_id"]),
        (Some("rate_limited"), &json!("t"))
    );

    f.post(
        &t.agent,
        &format!("/v1/chat/sessions/{}/assign", c.session_id),
        json!({}),
    )
    .await
    .expect_status(200);
    let mut console = f.agent_socket(&t.agent).await;
    for i in 1..=3 {
        console
            .send(json!({
                "type": "send_message", "session_id": c.session_id,
                "content": format!("a{i}"), "request_id": format!("a{i}")
            }))
            .await;
    }
    let (acks, refused) = acks_and_refusal(&mut console, 2).await;
    assert_eq!(acks, vec![json!("a1"), json!("a2")]);
    assert_eq!(refused["request_id"], "a3");

    // The customer REST calls on the session count per session at the same rates, so a
    // flood cannot go round the socket: 429 with Retry-After.
    let rest = f.customer(t, "rey").await;
    for i in 1..=3 {
        let body = json!({"content": format!("r{i}")});
        let reply = f
            .as_customer(t, &rest, "POST", "/session/messages", Some(body))
            .await;
        assert_eq!(reply.status, 201, "{}", reply.json);
    }
    let body = json!({"content": "r4"});
    assert_rate_limited(
        &f.as_customer(t, &rest, "POST", "/session/messages", Some(body))
            .await,
    );
    for _ in 0..2 {
        let typing = json!({"is_typing": true});
        let reply = f
            .as_customer(t, &rest, "POST", "/session/typing", Some(typing))
            .await;
        reply.expect_status(204);
    }
    let typing = json!({"is_typing": true});
    assert_rate_limited(
        &f.as_customer(t, &rest, "POST", "/session/typing", Some(typing))
            .await,
    );

    // Another customer's socket (another tenant's too) has rates of its own.
    for tenant in [&f.a, &f.b] {
        let other = f.customer(tenant, "oda").await;
        let mut socket = f.customer_socket(tenant, &other).await;
        socket
            .send(json!({"type": "send_message", "content": "hello", "request_id": 1}))
            .await;
        socket.expect("message_ack").await;
    }
}

/// Reads until `acks` acknowledgements and one `rate_limited` error have arrived; returns
/// the acknowledged `request_id`s in order and the error. Nothing else may be refused.
async fn acks_and_refusal(socket: &mut crate::Socket, acks: usize) -> (Vec<Value>, Value) {
    let mut acked = Vec::new();
    let mut refused = None;
    while acked.len() < acks || refused.is_none() {
        match socket.next().await {
            crate::Frame::Json(v) if v["type"] == "message_ack" => {
                acked.push(v["request_id"].clone())
            }
            crate::Frame::Json(v) if v["type"] == "error" => {
                assert_eq!(v["code"], "rate_limited", "{v}");
                assert!(refused.replace(v).is_none(), "one refusal only");
            }
            crate::Frame::Json(_) => {}
            other => panic!("the socket must stay open, got {other:?}"),
        }
    }
    (acked, refused.expect("a refusal"))
}

/// A client address may hold a bounded number of sockets open; the next is refused with
/// `429 rate_limited` before upgrading, and a closed socket gives its place back.
pub async fn sockets_per_client_address_are_capped(f: &Fixture) {
    let f = &f
        .with_config(|c| c.abuse.max_sockets_per_ip = Some(2))
        .await;
    let t = &f.a;
    let c = f.customer(t, "cap").await;
    let first = f.agent_socket(&t.agent).await;
    let _second = f.customer_socket(t, &c).await;
    let refused = f
        .try_socket(
            "/v1/chat/ws",
            &[("authorization", &format!("Bearer {}", t.admin))],
        )
        .await
        .expect_err("a third socket from the address");
    assert_rate_limited(&refused);
    drop(first);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while f.api.open_connections() > 1 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the closed socket is released"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    f.agent_socket(&t.admin).await;
}

/// `X-Forwarded-For` names the client only when the peer is a trusted proxy; otherwise the
/// header is ignored and the peer is the client.
pub async fn forwarded_headers_name_the_client_only_behind_a_trusted_proxy(f: &Fixture) {
    let limits = |c: &mut tms_chat_core::protocol::ApiConfig| {
        c.abuse = AbuseLimits {
            sessions_per_ip: Some(Rate::new(1, MINUTE)),
            ..AbuseLimits::default()
        };
    };
    let direct = f.with_config(limits).await;
    start_session(&direct, &direct.a, Some("198.51.100.1"))
        .await
        .expect_status(201);
    // A made-up address does not buy a fresh rate.
    assert_rate_limited(&start_session(&direct, &direct.a, Some("198.51.100.2")).await);

    let proxied = f
        .with_config(|c| {
            limits(c);
            c.abuse.trusted_proxies = vec![
                "127.0.0.0/8".parse::<IpNet>().expect("net"),
                "::1/128".parse::<IpNet>().expect("net"),
            ];
        })
        .await;
    let t = &proxied.a;
    start_session(&proxied, t, Some("198.51.100.1"))
        .await
        .expect_status(201);
    start_session(&proxied, t, Some("198.51.100.2"))
        .await
        .expect_status(201);
    // What the client wrote on the left does not count; the proxy's entry does.
    let spoofed = start_session(&proxied, t, Some("203.0.113.7, 198.51.100.1")).await;
    assert_rate_limited(&spoofed);
}
