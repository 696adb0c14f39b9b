//! Error bodies: every failure is `{"error": {"code", "message", "field"?, "next_open_at"?}}`
//! with the status the core error maps to. Internal errors are logged with their cause and
//! answered with a generic message.

use super::ApiResponse;
use crate::error::ChatError;
use serde_json::json;

/// The response for a service error.
pub(crate) fn error_response(err: &ChatError) -> ApiResponse {
    if let ChatError::Internal(source) = err {
        tracing::error!(error = %source, "request failed");
    }
    let mut body = json!({
        "code": err.code(),
        "message": err.public_message(),
    });
    if let Some(field) = err.field() {
        body["field"] = json!(field);
    }
    if let ChatError::OutsideBusinessHours { next_open } = err {
        body["next_open_at"] = json!(next_open);
    }
    let status = match err {
        ChatError::InvalidInput { field, .. } if field == "body" => 400,
        other => other.http_status(),
    };
    ApiResponse::json(status, &json!({ "error": body }))
}

/// A bare error response with a code of the protocol layer itself.
pub(crate) fn protocol_error(status: u16, code: &str, message: &str) -> ApiResponse {
    ApiResponse::json(
        status,
        &json!({ "error": { "code": code, "message": message } }),
    )
}

/// Unknown path.
pub(crate) fn route_not_found() -> ApiResponse {
    protocol_error(404, "not_found", "no such endpoint")
}

/// Known path, wrong method.
pub(crate) fn method_not_allowed(allowed: &str) -> ApiResponse {
    protocol_error(
        405,
        "method_not_allowed",
        "method not allowed for this endpoint",
    )
    .with_header("allow", allowed)
}
