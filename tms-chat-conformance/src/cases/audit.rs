//! The audit log and a customer's rights (issue 11): `GET /v1/chat/audit`, `POST
//! /v1/chat/customers/erase` and `GET /v1/chat/customers/export` are for admins of the
//! tenant (`403` for other agents and customers, `401` without credentials), never reach
//! another tenant, refuse bad input with `422 invalid_input`, and are audited themselves.

use super::*;

/// The fields of an AuditEntry, exactly.
pub const AUDIT_ENTRY_FIELDS: &[&str] = &[
    "id",
    "tenant_id",
    "actor_id",
    "action",
    "target_id",
    "session_id",
    "details",
    "created_at",
];

/// The admin-only paths of this file, as (method, path, body).
fn admin_paths() -> [(&'static str, &'static str, Option<Value>); 3] {
    [
        ("GET", "/v1/chat/audit", None),
        (
            "GET",
            "/v1/chat/customers/export?customer_email=someone%40example.com",
            None,
        ),
        (
            "POST",
            "/v1/chat/customers/erase",
            Some(json!({"customer_email": "someone@example.com"})),
        ),
    ]
}

/// Every entry of `token`'s audit log that `query` selects, page by page (`limit` a page).
async fn whole_log(f: &Fixture, token: &str, query: &str, limit: u32) -> Vec<Value> {
    let mut entries = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let mut path = format!("/v1/chat/audit?limit={limit}{query}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let page = f.get(token, &path).await;
        page.expect_status(200);
        assert!(
            page.list("entries").len() <= limit as usize,
            "{}",
            page.json
        );
        entries.extend(page.list("entries").iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return entries,
        }
    }
    panic!("the audit log never ends");
}

/// An entry's `created_at`.
fn created(entry: &Value) -> chrono::DateTime<chrono::FixedOffset> {
    let text = entry["created_at"].as_str().expect("created_at");
    chrono::DateTime::parse_from_rfc3339(text).expect("RFC 3339")
}

/// The entries of `log` whose action is `action`.
fn with_action<'a>(log: &'a [Value], action: &str) -> Vec<&'a Value> {
    log.iter().filter(|e| e["action"] == action).collect()
}

/// Admins read their tenant's log (documented fields, the actor, target, session and details
/// of each change); plain agents, supervisors and customers get `403`, no or wrong
/// credentials `401`, on each of the admin-only paths; another tenant's admin never sees an
/// entry of this tenant.
pub async fn the_audit_log_and_customer_data_are_for_admins_of_their_tenant(f: &Fixture) {
    let (a, b) = (&f.a, &f.b);
    let c = f.customer(a, "ada").await;
    let sid = &c.session_id;
    f.post(
        &a.agent,
        &format!("/v1/chat/sessions/{sid}/assign"),
        json!({}),
    )
    .await
    .expect_status(200);
    let note = f
        .post(
            &a.agent,
            &format!("/v1/chat/sessions/{sid}/notes"),
            json!({"content": "secret remark"}),
        )
        .await;
    note.expect_status(201);

    let log = whole_log(f, &a.admin, "", 200).await;
    for entry in &log {
        assert_exact_fields(entry, AUDIT_ENTRY_FIELDS);
        assert_eq!(entry["tenant_id"], a.id.as_str(), "{entry}");
        assert_utc_timestamp(&entry["created_at"]);
        assert!(entry["details"].is_object(), "{entry}");
    }
    let assigned = with_action(&log, "session.assigned");
    assert_eq!(assigned.len(), 1, "{log:?}");
    assert_eq!(assigned[0]["actor_id"], "agent-123");
    assert_eq!(assigned[0]["target_id"], sid.as_str());
    assert_eq!(assigned[0]["session_id"], sid.as_str());
    assert_eq!(assigned[0]["details"]["agent_id"], "agent-123");
    let noted = with_action(&log, "note.added");
    assert_eq!(noted.len(), 1, "{log:?}");
    assert_eq!(noted[0]["actor_id"], "agent-123");
    assert_eq!(noted[0]["session_id"], sid.as_str());
    let created = with_action(&log, "widget.created");
    assert!(
        created
            .iter()
            .any(|e| e["target_id"] == a.widget_id.as_str()
                && e["actor_id"] == "admin-1"
                && e["session_id"].is_null()),
        "{log:?}"
    );
    let text = serde_json::to_string(&log).expect("json");
    assert!(!text.contains("secret remark"), "no note content: {text}");
    assert!(!text.contains("ada@example.com"), "no customer email");

    // Tenant B's admin: only B's entries, and none about A's session even when asked.
    let theirs = whole_log(f, &b.admin, "", 200).await;
    assert!(!theirs.is_empty(), "B's widget was created by B's admin");
    for entry in &theirs {
        assert_eq!(entry["tenant_id"], b.id.as_str(), "{entry}");
        assert_ne!(entry["session_id"], sid.as_str(), "{entry}");
    }
    let asked = f
        .get(&b.admin, &format!("/v1/chat/audit?session_id={sid}"))
        .await;
    assert_eq!(asked.expect_status(200)["entries"], json!([]));

    for (method, path, body) in admin_paths() {
        for token in [&a.agent, &a.supervisor, &c.token] {
            f.call(method, token, path, body.clone())
                .await
                .expect_error(403, "forbidden");
        }
        f.call(method, "not-a-token", path, body.clone())
            .await
            .expect_error(401, "unauthorized");
        let mut anonymous = f.http.request(method.parse().expect("method"), f.url(path));
        if let Some(body) = &body {
            anonymous = anonymous.json(body);
        }
        f.send(anonymous).await.expect_error(401, "unauthorized");
    }
    // Refused before the input is looked at: bad input from a non-admin is still `403`.
    f.get(&a.agent, "/v1/chat/audit?cursor=garbage")
        .await
        .expect_error(403, "forbidden");
    f.get(&a.agent, "/v1/chat/customers/export")
        .await
        .expect_error(403, "forbidden");
    f.post(&a.agent, "/v1/chat/customers/erase", json!({}))
        .await
        .expect_error(403, "forbidden");
    // The customer is still there: nothing above erased it.
    f.get(&a.admin, &format!("/v1/chat/sessions/{sid}"))
        .await
        .expect_status(200);
}

/// The log is newest first; `from` (inclusive), `to` (exclusive), `actor` and `session_id`
/// narrow it, each alone and together; cursor pages of any size add up to the whole log,
/// each entry once.
pub async fn the_audit_log_filters_by_time_actor_and_session_newest_first_in_pages(f: &Fixture) {
    let t = &f.a;
    let first = f.customer(t, "one").await;
    let second = f.customer(t, "two").await;
    let note = |token: &str, sid: &str, n: usize| {
        let path = format!("/v1/chat/sessions/{sid}/notes");
        let (token, content) = (token.to_owned(), format!("note {n}"));
        async move {
            f.post(&token, &path, json!({"content": content}))
                .await
                .expect_status(201);
        }
    };
    for n in 0..3 {
        note(&t.agent, &first.session_id, n).await;
        note(&t.colleague, &second.session_id, n).await;
    }
    f.post(
        &t.colleague,
        &format!("/v1/chat/sessions/{}/end", second.session_id),
        json!({}),
    )
    .await
    .expect_status(200);

    let all = whole_log(f, &t.admin, "", 200).await;
    assert!(
        all.windows(2).all(|w| created(&w[0]) >= created(&w[1])),
        "newest first: {all:?}"
    );
    assert_eq!(all[0]["action"], "session.ended", "the latest change first");
    let ids: Vec<&Value> = all.iter().map(|e| &e["id"]).collect();
    for size in [1, 2, 5] {
        let paged = whole_log(f, &t.admin, "", size).await;
        let paged: Vec<&Value> = paged.iter().map(|e| &e["id"]).collect();
        assert_eq!(paged, ids, "pages of {size}");
    }

    let by_actor = whole_log(f, &t.admin, "&actor=agent-456", 2).await;
    assert_eq!(by_actor.len(), 4, "three notes and the end: {by_actor:?}");
    assert!(by_actor.iter().all(|e| e["actor_id"] == "agent-456"));
    let by_session = format!("&session_id={}", first.session_id);
    let by_session = whole_log(f, &t.admin, &by_session, 200).await;
    assert_eq!(by_session.len(), 3, "{by_session:?}");
    assert!(by_session
        .iter()
        .all(|e| e["session_id"] == first.session_id.as_str() && e["actor_id"] == "agent-123"));
    let both = format!("&actor=agent-456&session_id={}", first.session_id);
    assert!(whole_log(f, &t.admin, &both, 200).await.is_empty());

    // `from` takes the entry at its instant, `to` leaves it out; with both, a window.
    let pivot = &all[3];
    let at = pivot["created_at"].as_str().expect("created_at");
    let since = whole_log(f, &t.admin, &format!("&from={at}"), 200).await;
    assert!(since.iter().any(|e| e["id"] == pivot["id"]));
    assert!(since.iter().all(|e| created(e) >= created(pivot)));
    let before = whole_log(f, &t.admin, &format!("&to={at}"), 200).await;
    assert!(before.iter().all(|e| e["id"] != pivot["id"]));
    assert!(before.iter().all(|e| created(e) < created(pivot)));
    assert_eq!(since.len() + before.len(), all.len());
    let newest = all[0]["created_at"].as_str().expect("created_at");
    let window = format!("&from={at}&to={newest}");
    let window = whole_log(f, &t.admin, &window, 200).await;
    assert!(window.iter().any(|e| e["id"] == pivot["id"]));
    assert!(window.iter().all(|e| e["id"] != all[0]["id"]));
}

/// Bad input on the admin paths is `422 invalid_input` naming the field: a cursor not from
/// the API, a time that is not RFC 3339, `from` after `to`, a `limit` out of 1..=200, a
/// missing, malformed or NUL-carrying `customer_email`.
pub async fn bad_audit_queries_and_customer_emails_get_422_invalid_input(f: &Fixture) {
    let admin = &f.a.admin;
    let refused = [
        ("/v1/chat/audit?cursor=garbage", "cursor"),
        ("/v1/chat/audit?from=yesterday", "from"),
        ("/v1/chat/audit?to=2026-13-01T00:00:00Z", "to"),
        (
            "/v1/chat/audit?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z",
            "from",
        ),
        ("/v1/chat/audit?limit=0", "limit"),
        ("/v1/chat/audit?limit=201", "limit"),
        ("/v1/chat/customers/export", "customer_email"),
        (
            "/v1/chat/customers/export?customer_email=",
            "customer_email",
        ),
        (
            "/v1/chat/customers/export?customer_email=not-an-email",
            "customer_email",
        ),
        (
            "/v1/chat/customers/export?customer_email=a%00b%40example.com",
            "customer_email",
        ),
    ];
    for (path, field) in refused {
        let reply = f.get(admin, path).await;
        reply.expect_error(422, "invalid_input");
        assert_eq!(reply.json["error"]["field"], field, "{path}");
    }
    for body in [
        json!({}),
        json!({"customer_email": "not-an-email"}),
        json!({"customer_email": "two words@example.com"}),
        json!({"customer_email": "a\u{0}b@example.com"}),
    ] {
        let reply = f
            .post(admin, "/v1/chat/customers/erase", body.clone())
            .await;
        reply.expect_error(422, "invalid_input");
        assert_eq!(reply.json["error"]["field"], "customer_email", "{body}");
    }
    // Nothing refused was audited.
    let log = whole_log(f, admin, "", 200).await;
    assert!(with_action(&log, "customer.exported").is_empty(), "{log:?}");
    assert!(with_action(&log, "customer.erased").is_empty(), "{log:?}");
}

/// An admin exports a customer's sessions with every message (no notes), and erases them
/// with messages, notes and files; both are audited with the customer named by reference,
/// never by email. Another tenant's admin exports and erases only their own tenant's
/// customer of the same email.
pub async fn admins_export_and_erase_a_customer_of_their_own_tenant_only(f: &Fixture) {
    let (a, b) = (&f.a, &f.b);
    let mine = f.customer(a, "eve").await;
    let other = f.customer(a, "ivy").await;
    let theirs = f.customer(b, "eve").await;
    let sid = &mine.session_id;
    f.as_customer(
        a,
        &mine,
        "POST",
        "/session/messages",
        Some(json!({"content": "my order 42"})),
    )
    .await
    .expect_status(201);
    f.post(
        &a.agent,
        &format!("/v1/chat/sessions/{sid}/notes"),
        json!({"content": "internal remark"}),
    )
    .await
    .expect_status(201);
    let file = f
        .send(
            f.http
                .post(f.url(&format!(
                    "/v1/chat/sessions/{sid}/attachments?filename=a.txt"
                )))
                .bearer_auth(&a.agent)
                .body("receipt"),
        )
        .await;
    let file_id = file.expect_status(201)["id"]
        .as_str()
        .expect("id")
        .to_owned();

    let export = f
        .get(
            &a.admin,
            "/v1/chat/customers/export?customer_email=Eve%40Example.com",
        )
        .await;
    export.expect_status(200);
    assert_exact_fields(&export.json, &["customer_email", "sessions"]);
    let sessions = export.list("sessions");
    assert_eq!(sessions.len(), 1, "{}", export.json);
    assert_exact_fields(&sessions[0], &["session", "messages", "context"]);
    assert_fields(&sessions[0]["session"], SESSION_FIELDS);
    assert_eq!(sessions[0]["session"]["id"], sid.as_str());
    let messages = sessions[0]["messages"].as_array().expect("messages");
    assert!(messages.iter().all(|m| m["session_id"] == sid.as_str()));
    assert!(messages.iter().any(|m| m["content"] == "my order 42"));
    let text = String::from_utf8_lossy(&export.bytes);
    assert!(!text.contains("internal remark"), "no notes: {text}");
    assert!(!text.contains(&theirs.session_id), "no other tenant");
    assert!(!text.contains(&other.session_id), "no other customer");

    // Tenant B's admin, the same email: only B's session; erasing it leaves A's alone.
    let b_export = f
        .get(
            &b.admin,
            "/v1/chat/customers/export?customer_email=eve%40example.com",
        )
        .await;
    let b_sessions = b_export.list("sessions");
    assert_eq!(b_sessions.len(), 1);
    assert_eq!(b_sessions[0]["session"]["id"], theirs.session_id.as_str());
    let b_erase = f
        .post(
            &b.admin,
            "/v1/chat/customers/erase",
            json!({"customer_email": "eve@example.com"}),
        )
        .await;
    assert_eq!(b_erase.expect_status(200)["erased_sessions"], 1);
    f.get(&a.admin, &format!("/v1/chat/sessions/{sid}"))
        .await
        .expect_status(200);
    // An email known only in tenant A: B's admin exports nothing and erases nothing.
    let only_a = "/v1/chat/customers/export?customer_email=ivy%40example.com";
    let nothing = f.get(&b.admin, only_a).await;
    assert_eq!(nothing.expect_status(200)["sessions"], json!([]));
    let none = f
        .post(
            &b.admin,
            "/v1/chat/customers/erase",
            json!({"customer_email": "ivy@example.com"}),
        )
        .await;
    assert_eq!(none.expect_status(200)["erased_sessions"], 0);

    let erase = f
        .post(
            &a.admin,
            "/v1/chat/customers/erase",
            json!({"customer_email": " EVE@example.com "}),
        )
        .await;
    assert_exact_fields(erase.expect_status(200), &["erased_sessions"]);
    assert_eq!(erase["erased_sessions"], 1);
    f.get(&a.admin, &format!("/v1/chat/sessions/{sid}"))
        .await
        .expect_error(404, "not_found");
    f.get(&a.admin, &format!("/v1/chat/sessions/{sid}/notes"))
        .await
        .expect_error(404, "not_found");
    f.get(&a.admin, &format!("/v1/chat/attachments/{file_id}"))
        .await
        .expect_error(404, "not_found");
    f.get(&a.admin, &format!("/v1/chat/sessions/{}", other.session_id))
        .await
        .expect_status(200);
    let after = f
        .get(
            &a.admin,
            "/v1/chat/customers/export?customer_email=eve%40example.com",
        )
        .await;
    assert_eq!(after.expect_status(200)["sessions"], json!([]));
    let again = f
        .post(
            &a.admin,
            "/v1/chat/customers/erase",
            json!({"customer_email": "eve@example.com"}),
        )
        .await;
    assert_eq!(again.expect_status(200)["erased_sessions"], 0);

    // Audited: two exports and two erasures by admin-1, naming eve by reference only; B's
    // log holds B's own exports and erasures and nothing of A's.
    let log = whole_log(f, &a.admin, "&actor=admin-1", 200).await;
    let exported = with_action(&log, "customer.exported");
    let erased = with_action(&log, "customer.erased");
    assert_eq!((exported.len(), erased.len()), (2, 2), "{log:?}");
    let reference = exported[0]["target_id"].as_str().expect("target");
    assert!(reference.starts_with("customer:"), "{reference}");
    assert!(exported
        .iter()
        .chain(&erased)
        .all(|e| e["target_id"] == reference && e["session_id"].is_null()));
    assert_eq!(exported[0]["details"]["sessions"], 0, "newest first");
    assert_eq!(exported[1]["details"]["sessions"], 1);
    assert_eq!(erased[0]["details"]["erased_sessions"], 0);
    assert_eq!(erased[1]["details"]["erased_sessions"], 1);
    let text = serde_json::to_string(&log).expect("json");
    assert!(!text.to_lowercase().contains("eve@example.com"), "{text}");
    let b_log = whole_log(f, &b.admin, "", 200).await;
    assert_eq!(with_action(&b_log, "customer.exported").len(), 2);
    assert_eq!(with_action(&b_log, "customer.erased").len(), 2);
    assert!(b_log.iter().all(|e| e["tenant_id"] == b.id.as_str()));
}
