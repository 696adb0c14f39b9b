//! Error bodies: every failure is `{"error": {"code", "message", "field"?, "next_open_at"?}}`
//! with the status the core error maps to. Internal errors are logged with their cause and
//! answered with a generic message.

use super::envelopes::{ErrorBody, ErrorDetail};
use super::ApiResponse;
use crate::error::ChatError;

/// The response for a service error.
pub(crate) fn error_response(err: &ChatError) -> ApiResponse {
    if let ChatError::Internal(source) = err {
        tracing::error!(error = %source, "request failed");
    }
    let message = err.public_message();
    let next_open_at = match err {
        ChatError::OutsideBusinessHours { next_open } => Some(*next_open),
        _ => None,
    };
    let body = ErrorBody {
        error: ErrorDetail {
            code: err.code(),
            message: &message,
            field: err.field(),
            next_open_at,
        },
    };
    let status = match err {
        ChatError::InvalidInput { field, .. } if field == "body" => 400,
        other => other.http_status(),
    };
    let response = ApiResponse::json(status, &body);
    match err {
        ChatError::RateLimited { retry_after } => {
            let secs = crate::error::retry_after_secs(*retry_after);
            response.with_header("retry-after", &secs.to_string())
        }
        _ => response,
    }
}

/// A bare error response with a code of the protocol layer itself.
pub(crate) fn protocol_error(status: u16, code: &str, message: &str) -> ApiResponse {
    ApiResponse::json(
        status,
        &ErrorBody {
            error: ErrorDetail {
                code,
                message,
                field: None,
                next_open_at: None,
            },
        },
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
