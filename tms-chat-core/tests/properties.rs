//! Property tests (proptest) over the parsers that take hostile input: the origin matcher
//! and its domain entries, the business-hours settings, the REST body and query parsers
//! (through `ChatApi::handle`, as a client reaches them) and the socket frame decoder
//! (through an in-process socket). The property everywhere: no panic, and a refusal is a
//! typed error (a 4xx JSON body with a stable code; on a socket an `error` event), never a
//! `500`. Failing inputs proptest finds are kept in `tests/properties.proptest-regressions`.

#![allow(clippy::unwrap_used)] // Tests unwrap: a panic is a failed test.

use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::sync::Arc;
use tms_chat_core::domain::{
    origin_allowed, Agent, AllowedDomain, BusinessHours, DayException, DayHours, OfflineBehavior,
    Role,
};
use tms_chat_core::ids::TenantId;
use tms_chat_core::protocol::{AbuseLimits, ApiConfig, ApiRequest, ApiResponse, ChatApi};
use tms_chat_core::service::ChatService;
use tms_chat_core::store::ChatStore;
use tms_chat_core::test_utils::{
    seed_tenant, seed_widget, MemoryStore, SocketClient, StaticTokens,
};

/// Text a hostile client might send: any characters, biased towards the ones parsers care
/// about (separators, escapes, NUL and other controls, non-ASCII look-alikes).
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z0-9.:/*%\\[\\]@\\-_ \\x00\\x7f\u{ff0e}\u{2024}]{0,40}",
        "(https?|ftp|)://[a-z0-9.*\\-\\[\\]:]{0,30}(:[0-9]{0,6})?(/[a-z]*)?",
    ]
}

fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (0i64..4_102_444_800).prop_map(|secs| Utc.timestamp_opt(secs, 0).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any domain entry parses or is refused with a reason; any origin is matched or not.
    #[test]
    fn the_origin_matcher_never_panics(entries in prop::collection::vec(hostile_text(), 0..4), origin in prop::option::of(hostile_text())) {
        let mut allowed = Vec::new();
        for entry in &entries {
            match AllowedDomain::parse(entry) {
                Ok(domain) => allowed.push(domain),
                Err(reason) => prop_assert!(!reason.is_empty()),
            }
        }
        let _ = origin_allowed(&allowed, origin.as_deref());
    }

    /// Entries whose fields were filled in by hand (they are public and deserialisable) are
    /// matched without panicking too.
    #[test]
    fn hand_made_domain_entries_never_panic(host in hostile_text(), wildcard: bool, port: Option<u16>, origin in hostile_text()) {
        let entry = AllowedDomain { host, wildcard, port };
        let _ = origin_allowed(&[entry], Some(&origin));
    }

    /// Any business hours either fail validation with a field or answer "open?" and "next
    /// opening" for any instant.
    #[test]
    fn business_hours_validate_or_answer(
        timezone in prop_oneof![hostile_text(), Just("Europe/Berlin".to_owned()), Just("America/New_York".to_owned())],
        open in prop_oneof![hostile_text(), "[0-9]{1,2}:[0-9]{1,2}"],
        close in prop_oneof![hostile_text(), "[0-9]{1,2}:[0-9]{1,2}", Just("24:00".to_owned())],
        at in instant(),
    ) {
        let day = DayHours { open, close };
        let hours = BusinessHours {
            timezone,
            monday: Some(day.clone()),
            tuesday: None,
            wednesday: Some(day.clone()),
            thursday: None,
            friday: Some(day),
            saturday: None,
            sunday: None,
            offline_behavior: OfflineBehavior::default(),
            offline_redirect_url: None,
            exceptions: Vec::new(),
        };
        match hours.validate() {
            Err(error) => prop_assert!(!error.field.is_empty()),
            Ok(()) => {
                let _ = hours.is_open_at(at);
                if let Some(next) = hours.next_opening_after(at) {
                    prop_assert!(next >= at);
                }
            }
        }
    }

    /// Any list of exceptions (hostile dates and times, repeats, both closed and hours)
    /// either fails validation naming an `exceptions` field, or validates, and then "open?"
    /// and "next opening" answer for any instant; a valid closed exception on the instant's
    /// own date (with no weekday hours to spill over) means closed.
    #[test]
    fn business_hours_exceptions_validate_or_answer(
        entries in prop::collection::vec((
            prop_oneof![hostile_text(), "20[0-9]{2}-[01][0-9]-[0-3][0-9]", Just("2026-12-25".to_owned())],
            any::<bool>(),
            prop::option::of(prop_oneof![hostile_text(), "[0-2][0-9]:[0-5][0-9]"]),
            prop::option::of(prop_oneof![hostile_text(), "[0-2][0-9]:[0-5][0-9]", Just("24:00".to_owned())]),
        ), 0..6),
        at in instant(),
    ) {
        let exceptions: Vec<DayException> = entries
            .into_iter()
            .map(|(date, closed, open, close)| DayException { date, closed, open, close })
            .collect();
        let hours = BusinessHours {
            timezone: "Europe/Berlin".to_owned(),
            exceptions: exceptions.clone(),
            ..BusinessHours::default()
        };
        match hours.validate() {
            Err(error) => prop_assert!(error.field.starts_with("exceptions"), "{}", error.field),
            Ok(()) => {
                let open = hours.is_open_at(at);
                if let Some(next) = hours.next_opening_after(at) {
                    prop_assert!(next >= at);
                    prop_assert_eq!(next == at, open);
                }
                let local = at.with_timezone(&chrono_tz::Europe::Berlin).date_naive();
                let yesterday = local.pred_opt().map(|d| d.format("%Y-%m-%d").to_string());
                let closed_today = exceptions.iter().any(|e| e.closed && e.date == local.format("%Y-%m-%d").to_string());
                let tail = exceptions.iter().any(|e| Some(&e.date) == yesterday.as_ref() && !e.closed);
                if closed_today && !tail {
                    prop_assert!(!open);
                }
                if exceptions.iter().all(|e| e.closed) {
                    prop_assert!(!open);
                    prop_assert_eq!(hours.next_opening_after(at), None);
                }
            }
        }
    }

    /// Any JSON text decodes as business hours or is refused; never a panic.
    #[test]
    fn business_hours_decode_from_any_json(text in hostile_text()) {
        let _ = serde_json::from_str::<BusinessHours>(&text);
    }
}

/// An API over an in-memory store with one widget; abuse limits off (the cases run fast).
fn api() -> (tokio::runtime::Runtime, ChatApi, String) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (api, widget) = runtime.block_on(async {
        let store: Arc<dyn ChatStore> = Arc::new(MemoryStore::new());
        let tenant = TenantId::new("acme");
        seed_tenant(&*store, &tenant, "Acme").await;
        let admin = Agent::new("admin", tenant, "Ada").with_role(Role::Admin);
        let service = ChatService::builder(store).build();
        let widget = seed_widget(&service, &admin, "W", "shop.example.com").await;
        let auth = StaticTokens::new([("admin-token", admin)]);
        let config = ApiConfig {
            abuse: AbuseLimits::unlimited(),
            ..ApiConfig::default()
        };
        (
            ChatApi::new(service, Arc::new(auth), config),
            widget.id.to_string(),
        )
    });
    (runtime, api, widget)
}

/// A refusal is a 4xx with a JSON error code; success is 2xx. Never 5xx.
fn assert_typed(response: &ApiResponse) -> Result<(), TestCaseError> {
    prop_assert!(
        response.status < 500,
        "status {}: {}",
        response.status,
        String::from_utf8_lossy(&response.body)
    );
    if response.status >= 400 {
        let body: Value = serde_json::from_slice(&response.body).unwrap();
        prop_assert!(body["error"]["code"].is_string(), "{body}");
    }
    Ok(())
}

/// JSON-ish bodies: arbitrary JSON values, arbitrary text, and object shapes with the
/// fields the endpoints read set to anything.
fn hostile_body() -> impl Strategy<Value = Vec<u8>> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        hostile_text().prop_map(Value::from),
    ];
    let value = leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    hostile_text(),
                    Just("name".to_owned()),
                    Just("domain".to_owned()),
                    Just("customer_email".to_owned()),
                    Just("content".to_owned()),
                    Just("business_hours".to_owned()),
                    Just("allowed_domains".to_owned()),
                ],
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    prop_oneof![
        value.prop_map(|v| v.to_string().into_bytes()),
        any::<Vec<u8>>(),
        hostile_text().prop_map(String::into_bytes),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Any body on the JSON endpoints (starting a session, creating a widget) and any query
    /// on the session list answers a typed result.
    #[test]
    fn rest_bodies_and_queries_answer_typed_results(body in hostile_body(), query in hostile_text()) {
        let (runtime, api, widget) = api();
        runtime.block_on(async {
            let start = ApiRequest::new("POST", &format!("/v1/chat/public/widgets/{widget}/sessions"))
                .with_header("origin", "https://shop.example.com")
                .with_header("content-type", "application/json");
            let mut start = start;
            start.body = body.clone().into();
            assert_typed(&api.handle(start).await)?;
            let create = ApiRequest::new("POST", "/v1/chat/widgets")
                .with_header("authorization", "Bearer admin-token");
            let mut create = create;
            create.body = body.into();
            assert_typed(&api.handle(create).await)?;
            let list = ApiRequest::new("GET", "/v1/chat/sessions")
                .with_header("authorization", "Bearer admin-token");
            let mut list = list;
            list.query = query;
            assert_typed(&api.handle(list).await)
        })?;
    }

    /// Any text frame on an agent socket is answered (an event or an `error`), and the socket
    /// stays usable: a ping afterwards gets its pong.
    #[test]
    fn socket_frames_answer_typed_results(frame in hostile_body()) {
        let (runtime, api, _) = api();
        runtime.block_on(async {
            let request = ApiRequest::new("GET", "/v1/chat/ws")
                .with_header("authorization", "Bearer admin-token");
            let mut socket = SocketClient::connect(&api, request).await;
            socket.expect("ready").await;
            let text = String::from_utf8_lossy(&frame).into_owned();
            socket.send_frame(tms_chat_core::protocol::WsFrame::Text(text));
            let before = socket.barrier().await;
            for answer in before {
                if answer["type"] == "error" {
                    prop_assert!(answer["code"] != "internal", "{answer}");
                }
            }
            Ok(())
        })?;
    }
}
