//! The cases, each an async function over a live [`Fixture`]; names read as sentences. They
//! follow `docs/protocol.md` (paths, fields, statuses, codes, event names and who gets which
//! event). "Never receives" is checked without waiting for silence: a later event the
//! connection does receive is used as a barrier (events reach a connection in publication
//! order), and everything that arrived before it is inspected.

mod abuse;
mod agent_rest;
mod audit;
mod bad_input;
mod customer_context;
mod errors;
mod headers;
mod isolation;
mod presence;
mod public_rest;
mod routing;
mod sockets;
mod widget_options;

pub use abuse::*;
pub use agent_rest::*;
pub use audit::*;
pub use bad_input::*;
pub use customer_context::*;
pub use errors::*;
pub use headers::*;
pub use isolation::*;
pub use presence::*;
pub use public_rest::*;
pub use routing::*;
pub use sockets::*;
pub use widget_options::*;

use crate::fixture::{Fixture, TenantFixture};
use serde_json::{json, Value};

/// Documented fields of a Session (agent view).
pub const SESSION_FIELDS: &[&str] = &[
    "id",
    "widget_id",
    "project_id",
    "status",
    "customer_email",
    "customer_name",
    "customer_verified",
    "assigned_agent_id",
    "unassigned",
    "transfer_target",
    "department",
    "started_by_agent_id",
    "ended_by",
    "last_seq",
    "ticket_id",
    "created_at",
    "updated_at",
    "last_activity_at",
    "ended_at",
];

/// The fields of a Session in the customer view, exactly.
pub const CUSTOMER_SESSION_FIELDS: &[&str] = &[
    "id",
    "widget_id",
    "status",
    "customer_email",
    "customer_name",
    "last_seq",
    "created_at",
    "ended_at",
    "agent",
    "queue_position",
    "estimated_wait_seconds",
];

/// Documented fields of a Message.
pub const MESSAGE_FIELDS: &[&str] = &[
    "id",
    "session_id",
    "seq",
    "sender_type",
    "sender_agent_id",
    "content",
    "message_type",
    "attachment",
    "system_event",
    "client_message_id",
    "created_at",
];

/// Asserts `value` is an object with every one of `fields` (`null` counts as present).
#[track_caller]
pub fn assert_fields(value: &Value, fields: &[&str]) {
    let Some(object) = value.as_object() else {
        panic!("not an object: {value}");
    };
    for field in fields {
        assert!(object.contains_key(*field), "`{field}` missing in {value}");
    }
}

/// Asserts `value` is an object with exactly `fields`.
#[track_caller]
pub fn assert_exact_fields(value: &Value, fields: &[&str]) {
    let Some(object) = value.as_object() else {
        panic!("not an object: {value}");
    };
    let mut got: Vec<&str> = object.keys().map(String::as_str).collect();
    let mut want = fields.to_vec();
    got.sort_unstable();
    want.sort_unstable();
    assert_eq!(got, want, "fields of {value}");
}

/// Asserts an RFC 3339 timestamp in UTC.
#[track_caller]
pub fn assert_utc_timestamp(value: &Value) {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("timestamp is not a string: {value}"));
    assert!(
        chrono::DateTime::parse_from_rfc3339(text).is_ok() && text.ends_with('Z'),
        "not an RFC 3339 UTC timestamp: {text}"
    );
}

/// The `seq`s of a `{"messages": [...]}` answer.
pub fn seqs(messages: &Value) -> Vec<i64> {
    messages["messages"]
        .as_array()
        .unwrap_or_else(|| panic!("no messages in {messages}"))
        .iter()
        .map(|m| m["seq"].as_i64().expect("seq"))
        .collect()
}

/// The `id`s of a named list.
pub fn ids(value: &Value, list: &str) -> Vec<String> {
    value[list]
        .as_array()
        .unwrap_or_else(|| panic!("no `{list}` in {value}"))
        .iter()
        .map(|v| v["id"].as_str().expect("id").to_owned())
        .collect()
}

/// A barrier for agent sockets of `tenant`: its admin starts a session on `widget_id`, which
/// every agent of the tenant working in the widget's project gets as `session_created`.
/// Returns the new session's id.
pub async fn barrier_session(f: &Fixture, tenant: &TenantFixture, widget_id: &str) -> String {
    let reply = f
        .post(
            &tenant.admin,
            "/v1/chat/sessions",
            json!({"widget_id": widget_id, "customer_email": "barrier@example.com"}),
        )
        .await;
    reply.expect_status(201);
    reply.str("id").to_owned()
}

/// Frames of `frames` that are about session `session_id`.
pub fn about<'a>(frames: &'a [Value], session_id: &str) -> Vec<&'a Value> {
    frames
        .iter()
        .filter(|v| v["session_id"] == session_id)
        .collect()
}
