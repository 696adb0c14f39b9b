//! The agent REST endpoints (`/v1/chat/...`) and the probes.

use super::*;
use crate::fixture::{UPLOAD_BODY_LIMIT, WIDGET_SCRIPT};

/// `POST /v1/chat/sessions` and `GET /v1/chat/sessions/{id}` answer the documented Session.
pub async fn agents_start_sessions_with_a_customer_token_and_join_link(f: &Fixture) {
    let t = &f.a;
    let started = f
        .post(
            &t.agent,
            "/v1/chat/sessions",
            json!({"widget_id": t.widget_id, "customer_email": "customer@example.com", "customer_name": "John Doe"}),
        )
        .await;
    let s = started.expect_status(201);
    assert_fields(s, SESSION_FIELDS);
    assert_fields(s, &["customer_token", "customer_join_url"]);
    assert_eq!(s["widget_id"], t.widget_id.as_str());
    assert_eq!(s["project_id"], t.project_id.as_str());
    assert_eq!(s["status"], "waiting");
    assert_eq!(s["customer_email"], "customer@example.com");
    assert_eq!(s["customer_name"], "John Doe");
    assert_eq!(s["customer_verified"], false);
    assert!(s["assigned_agent_id"].is_null(), "{s}");
    assert_eq!(s["unassigned"], true);
    assert_eq!(s["started_by_agent_id"], "agent-123");
    assert_eq!(s["last_seq"], 0);
    assert!(s["ended_at"].is_null() && s["ended_by"].is_null());
    for stamp in ["created_at", "updated_at", "last_activity_at"] {
        assert_utc_timestamp(&s[stamp]);
    }
    let token = started.str("customer_token");
    assert!(
        started.str("customer_join_url").starts_with("http")
            && started.str("customer_join_url").contains(token),
        "the join link carries the customer token: {s}"
    );
    let id = started.str("id");
    let got = f.get(&t.agent, &format!("/v1/chat/sessions/{id}")).await;
    assert_fields(got.expect_status(200), SESSION_FIELDS);
    assert_eq!(got["id"], id);
    assert!(got.json.get("customer_token").is_none(), "{}", got.json);
    // The customer token opens this session on the widget's public paths.
    let own = f
        .public(t, "GET", "/session", Some(t.origin), Some(token), None)
        .await;
    assert_eq!(own.expect_status(200)["id"], id);

    let assigned = f
        .post(
            &t.agent,
            "/v1/chat/sessions",
            json!({"widget_id": t.widget_id, "customer_email": "jane@example.com", "assigned_agent_id": "agent-123"}),
        )
        .await;
    assert_eq!(
        assigned.expect_status(201)["assigned_agent_id"],
        "agent-123"
    );
    assert_eq!(assigned["unassigned"], false);
}

/// `GET /v1/chat/sessions` filters, searches, pages with a cursor and sorts by activity.
pub async fn session_lists_filter_search_and_page_newest_activity_first(f: &Fixture) {
    let t = &f.a;
    let ann = f.customer(t, "ann").await;
    let bob = f.customer(t, "bob").await;
    let cyd = f.customer(t, "cyd").await;
    f.post(
        &t.agent,
        &format!("/v1/chat/sessions/{}/assign", bob.session_id),
        json!({}),
    )
    .await
    .expect_status(200);
    f.as_customer(
        t,
        &ann,
        "POST",
        "/session/messages",
        Some(json!({"content": "still there?"})),
    )
    .await
    .expect_status(201);
    let list = |query: &'static str| async move {
        let reply = f.get(&t.agent, &format!("/v1/chat/sessions{query}")).await;
        reply.expect_status(200);
        assert!(
            reply.json.get("next_cursor").is_some(),
            "a list has next_cursor: {}",
            reply.json
        );
        ids(&reply.json, "sessions")
    };
    let all = list("").await;
    assert_eq!(all.len(), 3, "{all:?}");
    assert_eq!(all[0], ann.session_id, "newest activity first: {all:?}");
    assert_eq!(list("?status=active").await, vec![bob.session_id.clone()]);
    assert_eq!(
        list("?assigned_agent_id=agent-123").await,
        vec![bob.session_id.clone()]
    );
    let mut waiting = list("?unassigned=true").await;
    waiting.sort();
    let mut expected = vec![ann.session_id.clone(), cyd.session_id.clone()];
    expected.sort();
    assert_eq!(waiting, expected);
    let by_widget = f
        .get(
            &t.agent,
            &format!("/v1/chat/sessions?widget_id={}", t.widget_id),
        )
        .await;
    assert_eq!(ids(&by_widget.json, "sessions").len(), 3);
    assert_eq!(list("?q=BOB").await, vec![bob.session_id.clone()]);
    assert_eq!(list("?q=cyd%40EXAMPLE").await, vec![cyd.session_id.clone()]);
    assert!(list("?q=nobody-like-this").await.is_empty());

    let first = f.get(&t.agent, "/v1/chat/sessions?limit=2").await;
    let mut paged = ids(&first.json, "sessions");
    assert_eq!(paged.len(), 2);
    let cursor = first.json["next_cursor"]
        .as_str()
        .unwrap_or_else(|| panic!("a full page has a next_cursor: {}", first.json));
    let second = f
        .send(
            f.http
                .get(
                    reqwest::Url::parse_with_params(
                        &f.url("/v1/chat/sessions"),
                        [("limit", "2"), ("cursor", cursor)],
                    )
                    .expect("url"),
                )
                .bearer_auth(&t.agent),
        )
        .await;
    second.expect_status(200);
    paged.extend(ids(&second.json, "sessions"));
    assert!(second.json["next_cursor"].is_null(), "{}", second.json);
    assert_eq!(
        paged, all,
        "the pages together are the whole list, in order"
    );

    for bad in ["0", "201", "many"] {
        let reply = f
            .get(&t.agent, &format!("/v1/chat/sessions?limit={bad}"))
            .await;
        reply.expect_error(422, "invalid_input");
        assert_eq!(reply.json["error"]["field"], "limit", "limit={bad}");
    }
}

/// `POST/GET /v1/chat/sessions/{id}/messages`: Message shape, gapless `seq`, paging.
pub async fn messages_have_gapless_seqs_and_page_by_seq(f: &Fixture) {
    let t = &f.a;
    let c = f.customer(t, "mia").await;
    let path = format!("/v1/chat/sessions/{}/messages", c.session_id);
    let sent = f
        .post(
            &t.agent,
            &path,
            json!({"content": "Hello! How can I help you?", "message_type": "text"}),
        )
        .await;
    let m = sent.expect_status(201);
    assert_fields(m, MESSAGE_FIELDS);
    assert_eq!(m["session_id"], c.session_id.as_str());
    assert_eq!(m["sender_type"], "agent");
    assert_eq!(m["sender_agent_id"], "agent-123");
    assert_eq!(m["content"], "Hello! How can I help you?");
    assert_eq!(m["message_type"], "text");
    assert!(m["attachment"].is_null() && m["system_event"].is_null());
    assert!(m["client_message_id"].is_null());
    assert_utc_timestamp(&m["created_at"]);
    for i in 2..=4 {
        f.as_customer(
            t,
            &c,
            "POST",
            "/session/messages",
            Some(json!({"content": format!("customer {i}")})),
        )
        .await
        .expect_status(201);
        f.post(&t.agent, &path, json!({"content": format!("agent {i}")}))
            .await
            .expect_status(201);
    }
    let all = f.get(&t.agent, &path).await;
    let all_seqs = seqs(all.expect_status(200));
    assert_eq!(all_seqs, (1..=7).collect::<Vec<_>>(), "gapless from 1");
    for message in all.list("messages") {
        assert_fields(message, MESSAGE_FIELDS);
    }
    let after = f.get(&t.agent, &format!("{path}?after_seq=4")).await;
    assert_eq!(seqs(&after.json), vec![5, 6, 7]);
    let before = f.get(&t.agent, &format!("{path}?before_seq=3")).await;
    assert_eq!(seqs(&before.json), vec![1, 2]);
    let window = f
        .get(&t.agent, &format!("{path}?after_seq=1&limit=2"))
        .await;
    assert_eq!(seqs(&window.json), vec![2, 3]);
    let session = f
        .get(&t.agent, &format!("/v1/chat/sessions/{}", c.session_id))
        .await;
    assert_eq!(session["last_seq"], 7);
    let customer_view = f
        .as_customer(t, &c, "GET", "/session/messages?after_seq=5", None)
        .await;
    assert_eq!(seqs(customer_view.expect_status(200)), vec![6, 7]);
    f.get(&t.agent, &format!("{path}?limit=500"))
        .await
        .expect_error(422, "invalid_input");
}

/// Assign (to yourself by default, or by a supervisor to others), transfer to an agent or a
/// department, end; the customer endpoint lists earlier sessions of the same email.
pub async fn sessions_are_assigned_transferred_and_ended(f: &Fixture) {
    let t = &f.a;
    let earlier = f.customer(t, "ola").await;
    f.post(
        &t.agent,
        &format!("/v1/chat/sessions/{}/end", earlier.session_id),
        json!({}),
    )
    .await
    .expect_status(200);
    let c = f.customer(t, "ola").await;
    let at = |action: &str| format!("/v1/chat/sessions/{}/{action}", c.session_id);

    let mine = f.post(&t.agent, &at("assign"), json!({})).await;
    let s = mine.expect_status(200);
    assert_fields(s, SESSION_FIELDS);
    assert_eq!(
        (s["status"].as_str(), s["assigned_agent_id"].as_str()),
        (Some("active"), Some("agent-123"))
    );
    assert_eq!(s["unassigned"], false);

    let reassigned = f
        .post(
            &t.supervisor,
            &at("assign"),
            json!({"agent_id": "agent-456"}),
        )
        .await;
    assert_eq!(
        reassigned.expect_status(200)["assigned_agent_id"],
        "agent-456"
    );

    let to_agent = f
        .post(
            &t.colleague,
            &at("transfer"),
            json!({"agent_id": "agent-123"}),
        )
        .await;
    let s = to_agent.expect_status(200);
    assert_eq!(s["status"], "transferred");
    assert_eq!(
        s["transfer_target"],
        json!({"kind": "agent", "agent_id": "agent-123"})
    );
    let to_department = f
        .post(
            &t.supervisor,
            &at("transfer"),
            json!({"department": "billing"}),
        )
        .await;
    let s = to_department.expect_status(200);
    assert_eq!(s["status"], "transferred");
    assert_eq!(
        s["transfer_target"],
        json!({"kind": "department", "department": "billing"})
    );

    let customer = f.get(&t.agent, &at("customer")).await;
    let info = customer.expect_status(200);
    assert_eq!(info["customer_email"], "ola@example.com");
    assert_eq!(info["customer_name"], "ola");
    assert_eq!(info["customer_verified"], false);
    let previous = ids(info, "previous_sessions");
    assert_eq!(previous, vec![earlier.session_id.clone()], "{info}");
    assert_fields(&info["previous_sessions"][0], SESSION_FIELDS);

    let ended = f.post(&t.agent, &at("end"), json!({})).await;
    let s = ended.expect_status(200);
    assert_eq!(s["status"], "ended");
    assert_eq!(s["ended_by"], "agent");
    assert_utc_timestamp(&s["ended_at"]);
    f.post(&t.agent, &at("messages"), json!({"content": "too late"}))
        .await
        .expect_error(409, "conflict");
    f.post(&t.agent, &at("assign"), json!({}))
        .await
        .expect_error(409, "conflict");
    f.post(&t.agent, &at("end"), json!({}))
        .await
        .expect_error(409, "conflict");
}

/// `POST/GET /v1/chat/sessions/{id}/notes`.
pub async fn notes_are_kept_for_agents(f: &Fixture) {
    let t = &f.a;
    let c = f.customer(t, "nia").await;
    let path = format!("/v1/chat/sessions/{}/notes", c.session_id);
    let added = f
        .post(&t.agent, &path, json!({"content": "prefers email"}))
        .await;
    let note = added.expect_status(201);
    assert_fields(
        note,
        &[
            "id",
            "session_id",
            "author_agent_id",
            "content",
            "created_at",
        ],
    );
    assert_eq!(note["session_id"], c.session_id.as_str());
    assert_eq!(note["author_agent_id"], "agent-123");
    assert_eq!(note["content"], "prefers email");
    assert_utc_timestamp(&note["created_at"]);
    let listed = f.get(&t.colleague, &path).await;
    assert_eq!(
        ids(listed.expect_status(200), "notes"),
        vec![added.str("id").to_owned()]
    );
}

/// `POST /typing` and `POST /read` over REST reach the other side of the session.
pub async fn typing_and_read_markers_posted_over_rest_reach_the_other_side(f: &Fixture) {
    let t = &f.a;
    let c = f.customer(t, "tia").await;
    let at = |action: &str| format!("/v1/chat/sessions/{}/{action}", c.session_id);
    f.post(&t.agent, &at("assign"), json!({}))
        .await
        .expect_status(200);
    let mut console = f.agent_socket(&t.agent).await;
    let mut customer = f.customer_socket(t, &c).await;

    let typing = f
        .post(&t.agent, &at("typing"), json!({"is_typing": true}))
        .await;
    typing.expect_status(204);
    assert!(typing.bytes.is_empty(), "204 has no body");
    let seen = customer.expect("typing_indicator").await;
    assert_eq!(seen["session_id"], c.session_id.as_str());
    assert_eq!(seen["sender_type"], "agent");
    assert_eq!(seen["agent_id"], "agent-123");
    assert_eq!(seen["is_typing"], true);

    f.as_customer(
        t,
        &c,
        "POST",
        "/session/typing",
        Some(json!({"is_typing": true})),
    )
    .await
    .expect_status(204);
    let seen = console.expect_for("typing_indicator", &c.session_id).await;
    assert_eq!(
        (seen["sender_type"].as_str(), seen["is_typing"].as_bool()),
        (Some("customer"), Some(true))
    );

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
    let read = f.post(&t.agent, &at("read"), json!({"seq": seq})).await;
    let marker = read.expect_status(200);
    assert_fields(
        marker,
        &["session_id", "participant", "last_read_seq", "updated_at"],
    );
    assert_eq!(marker["session_id"], c.session_id.as_str());
    assert_eq!(marker["participant"], "agent:agent-123");
    assert_eq!(marker["last_read_seq"], seq);
    assert_utc_timestamp(&marker["updated_at"]);
    let seen = customer.expect("read_marker").await;
    assert_eq!(
        (seen["participant"].as_str(), seen["last_read_seq"].as_i64()),
        (Some("agent:agent-123"), Some(seq))
    );

    let read = f
        .as_customer(t, &c, "POST", "/session/read", Some(json!({"seq": seq})))
        .await;
    assert_eq!(read.expect_status(200)["participant"], "customer");
    let seen = console
        .until("read_marker", |v| v["participant"] == "customer")
        .await
        .1;
    assert_eq!(
        (seen["session_id"].as_str(), seen["last_read_seq"].as_i64()),
        (Some(c.session_id.as_str()), Some(seq))
    );
}

/// `POST /v1/chat/sessions/{id}/ticket` opens a ticket in the host's system.
pub async fn tickets_are_opened_in_the_host_system(f: &Fixture) {
    let t = &f.a;
    let c = f.customer(t, "tom").await;
    let reply = f
        .post(
            &t.agent,
            &format!("/v1/chat/sessions/{}/ticket", c.session_id),
            json!({"subject": "Refund"}),
        )
        .await;
    let ticket = reply.expect_status(201);
    assert_fields(ticket, &["ticket_id", "url"]);
    let requests = f.tickets.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].subject.as_deref(), Some("Refund"));
    assert_eq!(requests[0].session.id.as_str(), c.session_id);
    let session = f
        .get(&t.agent, &format!("/v1/chat/sessions/{}", c.session_id))
        .await;
    assert_eq!(session["ticket_id"], ticket["ticket_id"]);
}

/// Canned responses: every agent reads them, admins manage them; shortcuts are unique.
pub async fn canned_responses_are_read_by_agents_and_managed_by_admins(f: &Fixture) {
    let t = &f.a;
    let created = f
        .post(
            &t.admin,
            "/v1/chat/canned-responses",
            json!({"shortcut": "/hi", "text": "Hello! How can I help?"}),
        )
        .await;
    let canned = created.expect_status(201);
    assert_fields(
        canned,
        &["id", "shortcut", "text", "created_at", "updated_at"],
    );
    let id = created.str("id");
    let listed = f.get(&t.agent, "/v1/chat/canned-responses").await;
    assert_eq!(
        ids(listed.expect_status(200), "canned_responses"),
        vec![id.to_owned()]
    );
    f.post(
        &t.agent,
        "/v1/chat/canned-responses",
        json!({"shortcut": "/bye", "text": "Bye"}),
    )
    .await
    .expect_error(403, "forbidden");
    f.post(
        &t.admin,
        "/v1/chat/canned-responses",
        json!({"shortcut": "/hi", "text": "again"}),
    )
    .await
    .expect_error(409, "conflict");
    let path = format!("/v1/chat/canned-responses/{id}");
    f.call("PUT", &t.agent, &path, Some(json!({"text": "x"})))
        .await
        .expect_error(403, "forbidden");
    f.call("DELETE", &t.agent, &path, None)
        .await
        .expect_error(403, "forbidden");
    let updated = f
        .call("PUT", &t.admin, &path, Some(json!({"text": "Hi there!"})))
        .await;
    assert_eq!(updated.expect_status(200)["text"], "Hi there!");
    assert_eq!(updated["shortcut"], "/hi", "fields not sent stay");
    f.call("DELETE", &t.admin, &path, None)
        .await
        .expect_status(204);
    let listed = f.get(&t.agent, "/v1/chat/canned-responses").await;
    assert!(listed.list("canned_responses").is_empty());
}

/// Widgets: admins create (every field), update (only fields present; `null` business hours
/// removes them) and delete; agents read them without the identity secret and get the embed
/// code.
pub async fn widgets_are_managed_by_admins_and_read_by_agents(f: &Fixture) {
    let t = &f.a;
    let body = json!({
        "name": "Blog", "domain": "blog.example.com",
        "allowed_domains": ["www.blog.example.com"],
        "welcome_message": "Hey!", "offline_message": "Back soon",
        "primary_color": "#112233", "secondary_color": "#445566",
        "position": "bottom-left", "auto_open_delay": 5000,
        "show_agent_avatars": false, "allow_file_uploads": false, "require_email": true,
        "business_hours": {"timezone": "Europe/Berlin", "monday": {"open": "09:00", "close": "17:00"}},
        "max_upload_bytes": 1048576, "auto_create_ticket": true
    });
    let created = f.post(&t.admin, "/v1/chat/widgets", body.clone()).await;
    let w = created.expect_status(201);
    for (field, value) in body.as_object().expect("object") {
        if field == "business_hours" {
            assert_eq!(w[field]["timezone"], "Europe/Berlin");
            assert_eq!(
                w[field]["monday"],
                json!({"open": "09:00", "close": "17:00"})
            );
        } else {
            assert_eq!(&w[field], value, "widget field {field}");
        }
    }
    assert_fields(
        w,
        &[
            "id",
            "project_id",
            "identity_secret",
            "created_at",
            "updated_at",
        ],
    );
    assert_eq!(w["project_id"], t.project_id.as_str());
    let id = created.str("id");
    let path = format!("/v1/chat/widgets/{id}");

    let as_agent = f.get(&t.agent, &path).await;
    as_agent.expect_status(200);
    assert!(
        as_agent.json.get("identity_secret").is_none(),
        "only admins see the identity secret: {}",
        as_agent.json
    );
    let listed = f.get(&t.agent, "/v1/chat/widgets").await;
    let widgets = listed.list("widgets");
    assert!(widgets.iter().any(|w| w["id"] == id));
    assert!(widgets.iter().all(|w| w.get("identity_secret").is_none()));
    assert!(f.get(&t.admin, &path).await["identity_secret"].is_string());

    f.call("PUT", &t.agent, &path, Some(json!({"name": "Mine"})))
        .await
        .expect_error(403, "forbidden");
    f.call("DELETE", &t.agent, &path, None)
        .await
        .expect_error(403, "forbidden");

    let updated = f
        .call(
            "PUT",
            &t.admin,
            &path,
            Some(json!({"primary_color": "#000000", "business_hours": null})),
        )
        .await;
    let u = updated.expect_status(200);
    assert_eq!(u["primary_color"], "#000000");
    assert!(u["business_hours"].is_null(), "null removes business hours");
    assert_eq!(u["welcome_message"], "Hey!", "fields not sent stay");
    assert_eq!(u["require_email"], true);

    let embed = f.get(&t.agent, &format!("{path}/embed")).await;
    embed.expect_status(200);
    let script_url = embed.str("script_url");
    assert!(script_url.ends_with("/chat-widget.js"), "{script_url}");
    let code = embed.str("embed_code");
    assert!(
        code.contains("<script") && code.contains(id) && code.contains(script_url),
        "{code}"
    );

    f.call("DELETE", &t.admin, &path, None)
        .await
        .expect_status(204);
    f.get(&t.admin, &path).await.expect_error(404, "not_found");
}

/// `GET /v1/chat/me` and `GET /v1/chat/agents`.
pub async fn me_and_agents_describe_the_agent_and_its_tenant(f: &Fixture) {
    let t = &f.a;
    let me = f.get(&t.supervisor, "/v1/chat/me").await;
    let v = me.expect_status(200);
    assert_fields(
        v,
        &[
            "id",
            "display_name",
            "avatar_url",
            "roles",
            "projects",
            "departments",
            "max_concurrent_sessions",
        ],
    );
    assert_eq!(v["id"], "sup-1");
    assert_eq!(v["display_name"], "Ada Supervisor");
    assert!(v["roles"]
        .as_array()
        .expect("roles")
        .contains(&json!("supervisor")));
    let outsider = f.get(&t.outsider, "/v1/chat/me").await;
    assert_eq!(outsider["projects"], json!([t.other_project]));

    let agents = f.get(&t.agent, "/v1/chat/agents").await;
    let mut listed = ids(agents.expect_status(200), "agents");
    listed.sort();
    assert_eq!(
        listed,
        vec![
            "admin-1",
            "agent-123",
            "agent-321",
            "agent-456",
            "agent-789",
            "sup-1"
        ]
    );
    let theirs = f.get(&f.b.agent, "/v1/chat/agents").await;
    for agent in theirs.list("agents") {
        assert!(
            agent["display_name"]
                .as_str()
                .is_some_and(|n| n.starts_with("Bo ")),
            "only the tenant's own agents: {agent}"
        );
    }
}

/// `GET /healthz`, `GET /readyz` and `GET /chat-widget.js`.
pub async fn probes_and_the_widget_script_answer(f: &Fixture) {
    let health = f.send(f.http.get(f.url("/healthz"))).await;
    assert_eq!(health.expect_status(200), &json!({"status": "ok"}));
    let ready = f.send(f.http.get(f.url("/readyz"))).await;
    assert_eq!(ready.expect_status(200), &json!({"status": "ready"}));
    let script = f.send(f.http.get(f.url("/chat-widget.js"))).await;
    script.expect_status(200);
    assert!(
        script
            .header("content-type")
            .is_some_and(|ct| ct.contains("javascript")),
        "{:?}",
        script.headers
    );
    assert_eq!(script.bytes, WIDGET_SCRIPT.as_bytes());
}

/// Uploads are typed from their bytes; downloads are `nosniff`, and attachments unless PNG,
/// JPEG, GIF or WebP; a file message carries its attachment.
pub async fn attachments_are_typed_by_content_and_served_safely(f: &Fixture) {
    let t = &f.a;
    let c = f.customer(t, "fay").await;
    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01".to_vec();
    let part = reqwest::multipart::Part::bytes(png.clone()).file_name("photo.pdf");
    let image = f
        .send(
            f.http
                .post(f.url(&format!("/v1/chat/sessions/{}/attachments", c.session_id)))
                .bearer_auth(&t.agent)
                .multipart(reqwest::multipart::Form::new().part("file", part)),
        )
        .await;
    let a = image.expect_status(201);
    assert_fields(a, &["id", "name", "size", "content_type"]);
    assert_eq!(a["name"], "photo.pdf");
    assert_eq!(a["size"], png.len());
    assert_eq!(
        a["content_type"], "image/png",
        "decided from the bytes, not the name"
    );
    let upload = |rest: &str, body: &'static str| {
        f.http
            .post(f.url(&format!(
                "/v1/chat/public/widgets/{}/session/attachments?{rest}",
                t.widget_id
            )))
            .header("origin", t.origin)
            .bearer_auth(&c.token)
            .body(body)
    };
    f.send(upload(
        "filename=page.html",
        "<html><script>alert(1)</script></html>",
    ))
    .await
    .expect_error(415, "unsupported_media_type");
    let text = f.send(upload("filename=notes.txt", "plain notes")).await;
    text.expect_status(201);
    assert_eq!(text["content_type"], "text/plain");

    let message = f
        .post(
            &t.agent,
            &format!("/v1/chat/sessions/{}/messages", c.session_id),
            json!({"message_type": "file", "attachment_id": image["id"], "content": ""}),
        )
        .await;
    let m = message.expect_status(201);
    assert_eq!(m["message_type"], "file");
    assert_eq!(m["attachment"]["id"], image["id"]);
    assert_eq!(m["attachment"]["name"], "photo.pdf");

    let download = f
        .send(
            f.http
                .get(f.url(&format!("/v1/chat/attachments/{}", text.str("id"))))
                .bearer_auth(&t.agent),
        )
        .await;
    download.expect_status(200);
    assert_eq!(download.bytes, b"plain notes");
    assert_eq!(download.header("x-content-type-options"), Some("nosniff"));
    assert!(download
        .header("content-disposition")
        .is_some_and(|d| d.starts_with("attachment")));
    let inline = f
        .public(
            t,
            "GET",
            &format!("/attachments/{}", image.str("id")),
            Some(t.origin),
            Some(&c.token),
            None,
        )
        .await;
    inline.expect_status(200);
    assert_eq!(inline.bytes, png);
    assert_eq!(inline.header("x-content-type-options"), Some("nosniff"));
    assert!(
        inline
            .header("content-disposition")
            .is_none_or(|d| !d.starts_with("attachment")),
        "a PNG is shown inline: {:?}",
        inline.headers
    );
}

/// A customer upload needs a widget that accepts files.
pub async fn customer_uploads_need_a_widget_that_accepts_files(f: &Fixture) {
    let t = &f.a;
    let c = f.customer(t, "uma").await;
    f.call(
        "PUT",
        &t.admin,
        &format!("/v1/chat/widgets/{}", t.widget_id),
        Some(json!({"allow_file_uploads": false})),
    )
    .await
    .expect_status(200);
    let refused = f
        .send(
            f.http
                .post(f.url(&format!(
                    "/v1/chat/public/widgets/{}/session/attachments?filename=a.txt",
                    t.widget_id
                )))
                .header("origin", t.origin)
                .bearer_auth(&c.token)
                .body("hello"),
        )
        .await;
    refused.expect_error(403, "forbidden");
}

/// Bodies over their limits are `413 payload_too_large`; the adapter takes bodies up to the
/// configured upload limit (above the frameworks' own defaults) and refuses a declared
/// `Content-Length` above it without waiting for the body.
pub async fn oversized_bodies_are_refused_with_413(f: &Fixture) {
    let t = &f.a;
    let c = f.customer(t, "oli").await;
    let upload_url = f.url(&format!(
        "/v1/chat/sessions/{}/attachments?filename=big.txt",
        c.session_id
    ));
    let big = vec![b'a'; UPLOAD_BODY_LIMIT - 512 * 1024];
    let accepted = f
        .send(
            f.http
                .post(&upload_url)
                .bearer_auth(&t.agent)
                .body(big.clone()),
        )
        .await;
    assert_eq!(accepted.expect_status(201)["size"], big.len());
    // Declared over the limit: refused before the body is read (a client streaming a huge
    // upload learns at once, and the server reads nothing of it).
    let too_big = (UPLOAD_BODY_LIMIT + 1).to_string();
    let bearer = format!("Bearer {}", t.agent);
    f.raw(
        "POST",
        &format!(
            "/v1/chat/sessions/{}/attachments?filename=big.txt",
            c.session_id
        ),
        &[
            ("authorization", &bearer),
            ("content-type", "text/plain"),
            ("content-length", &too_big),
        ],
    )
    .await
    .expect_error(413, "payload_too_large");

    let huge_json = json!({"content": "x".repeat(300 * 1024)});
    f.post(
        &t.agent,
        &format!("/v1/chat/sessions/{}/messages", c.session_id),
        huge_json,
    )
    .await
    .expect_error(413, "payload_too_large");

    f.call(
        "PUT",
        &t.admin,
        &format!("/v1/chat/widgets/{}", t.widget_id),
        Some(json!({"max_upload_bytes": 1024})),
    )
    .await
    .expect_status(200);
    f.send(
        f.http
            .post(f.url(&format!(
                "/v1/chat/public/widgets/{}/session/attachments?filename=a.txt",
                t.widget_id
            )))
            .header("origin", t.origin)
            .bearer_auth(&c.token)
            .body(vec![b'a'; 2048]),
    )
    .await
    .expect_error(413, "payload_too_large");
}

/// The agent console is served below the mount point (`console` redirects to `console/`, whose
/// page links its files relatively), and the embed code's script URL starts with the mount
/// point, so a host nesting the API under `/support` gets `/support/console/` and
/// `/support/chat-widget.js`.
pub async fn the_console_and_the_embed_code_follow_the_mount_point(f: &Fixture) {
    let bare = f.raw("GET", "/console", &[]).await;
    assert_eq!(bare.status, 308, "{:?}", bare.headers);
    assert_eq!(
        bare.header("location"),
        Some(format!("{}/console/", f.prefix.trim_end_matches('/')).as_str())
    );
    let page = f.send(f.http.get(f.url("/console/"))).await;
    page.expect_status(200);
    assert!(page
        .header("content-type")
        .is_some_and(|ct| ct.starts_with("text/html")));
    let html = String::from_utf8_lossy(&page.bytes);
    assert!(html.contains(r#"src="console.js""#), "{html}");
    for (file, kind) in [("console.js", "javascript"), ("console.css", "text/css")] {
        let asset = f.send(f.http.get(f.url(&format!("/console/{file}")))).await;
        asset.expect_status(200);
        assert!(
            asset
                .header("content-type")
                .is_some_and(|ct| ct.contains(kind)),
            "{file}: {:?}",
            asset.headers
        );
        assert_eq!(asset.header("x-content-type-options"), Some("nosniff"));
    }
    f.send(f.http.get(f.url("/console/missing.js")))
        .await
        .expect_error(404, "not_found");

    let t = &f.a;
    let embed = f
        .get(&t.agent, &format!("/v1/chat/widgets/{}/embed", t.widget_id))
        .await;
    embed.expect_status(200);
    assert_eq!(
        embed.str("script_url"),
        format!("{}/chat-widget.js", f.base)
    );
}
