//! The one error type of the chat system. Every variant has a stable, machine-readable code
//! (`ChatError::code`) that the adapters put in the JSON error body and map to an HTTP status
//! (`ChatError::http_status`). Internal failures carry their source for logs but never leak it
//! to clients (`ChatError::public_message`).

use std::borrow::Cow;

/// Errors from the storage layer; the service turns them into [`ChatError`]s.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row does not exist (or belongs to another tenant).
    #[error("not found")]
    NotFound,
    /// A uniqueness or optimistic-concurrency conflict.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database failed.
    #[error("storage backend failed: {message}")]
    Backend {
        /// What was being done.
        message: String,
        /// The driver's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The database does not answer (connection refused or lost, pool timed out): the
    /// operation did not happen and may be retried once it is back.
    #[error("storage unavailable: {message}")]
    Unavailable {
        /// What was being done.
        message: String,
        /// The underlying error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl StoreError {
    /// The database does not answer while doing `message`.
    pub fn unavailable(
        message: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        StoreError::Unavailable {
            message: message.into(),
            source: source.into(),
        }
    }

    /// Wraps a driver error with context.
    pub fn backend(
        message: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        StoreError::Backend {
            message: message.into(),
            source: source.into(),
        }
    }
}

/// A field-level validation problem.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// The offending field, in snake_case as on the wire (`primary_color`, `business_hours.monday`).
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

/// Every stable error code a client can see, in error bodies and socket `error` frames
/// (`docs/protocol.md`, "Errors"). [`ChatError::code`] maps the service's errors onto these;
/// the protocol layer adds its own (`method_not_allowed`, `upgrade_required`, `shutting_down`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Missing or wrong credentials (401).
    Unauthorized,
    /// Authenticated but not allowed (403).
    Forbidden,
    /// The request's `Origin` is not one of the widget's domains (403).
    DomainNotAllowed,
    /// No such object, or not visible to the caller; also unknown paths (404).
    NotFound,
    /// The path exists, the method does not (405).
    MethodNotAllowed,
    /// The state forbids it (409).
    Conflict,
    /// The widget is closed; `next_open_at` says when it opens (409).
    OutsideBusinessHours,
    /// The agent already holds `max_concurrent_sessions` open sessions (409).
    SessionLimitReached,
    /// The widget refuses new sessions while none of its agents is online (409).
    NoAgentsAvailable,
    /// Body or file over its limit (413).
    PayloadTooLarge,
    /// File type not accepted, or a JSON endpoint got another body (415).
    UnsupportedMediaType,
    /// Malformed (400) or invalid (422, with `field`) input.
    InvalidInput,
    /// Too many requests (429).
    RateLimited,
    /// Server fault; details only in the server log (500).
    Internal,
    /// A plain HTTP request to a WebSocket endpoint (426).
    UpgradeRequired,
    /// A socket opened while the server shuts down (503).
    ShuttingDown,
    /// A request body stalled past `ApiConfig::body_stall_timeout` (408).
    RequestTimeout,
    /// The database does not answer; retry later (503).
    Unavailable,
}

impl ErrorCode {
    /// Every code, in the order `docs/protocol.md` lists them.
    pub const ALL: [ErrorCode; 18] = [
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::DomainNotAllowed,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::Conflict,
        ErrorCode::OutsideBusinessHours,
        ErrorCode::SessionLimitReached,
        ErrorCode::NoAgentsAvailable,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::InvalidInput,
        ErrorCode::RateLimited,
        ErrorCode::Internal,
        ErrorCode::UpgradeRequired,
        ErrorCode::ShuttingDown,
        ErrorCode::RequestTimeout,
        ErrorCode::Unavailable,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::DomainNotAllowed => "domain_not_allowed",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::Conflict => "conflict",
            ErrorCode::OutsideBusinessHours => "outside_business_hours",
            ErrorCode::SessionLimitReached => "session_limit_reached",
            ErrorCode::NoAgentsAvailable => "no_agents_available",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Internal => "internal",
            ErrorCode::UpgradeRequired => "upgrade_required",
            ErrorCode::ShuttingDown => "shutting_down",
            ErrorCode::RequestTimeout => "request_timeout",
            ErrorCode::Unavailable => "unavailable",
        }
    }
}

/// Every error the chat service can return.
#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    /// No or invalid credentials.
    #[error("authentication required")]
    Unauthorized,
    /// The principal is known but may not do this.
    #[error("forbidden: {0}")]
    Forbidden(Cow<'static, str>),
    /// The object does not exist, or is invisible to the principal.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Input failed validation.
    #[error("invalid input: {field}: {message}")]
    InvalidInput {
        /// The field at fault.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The operation conflicts with the current state (for example an invalid status transition).
    #[error("conflict: {0}")]
    Conflict(Cow<'static, str>),
    /// The request's origin is not allowed by the widget.
    #[error("origin is not allowed for this widget")]
    DomainNotAllowed,
    /// The widget is outside its business hours.
    #[error("outside business hours")]
    OutsideBusinessHours {
        /// When the widget opens next (RFC 3339), if known.
        next_open: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// Too many requests: an abuse limit (`docs/security.md`) refused this one.
    #[error("too many requests; try again in {} s", retry_after_secs(*.retry_after))]
    RateLimited {
        /// How long until the same request would be accepted.
        retry_after: std::time::Duration,
    },
    /// The agent a session would go to already holds their limit of open sessions.
    #[error("agent {agent_id} is at the concurrent session limit ({max})")]
    SessionLimitReached {
        /// The agent at the limit.
        agent_id: crate::ids::AgentId,
        /// Their `max_concurrent_sessions`.
        max: u32,
    },
    /// The widget takes no new session while none of its agents is online.
    #[error("no agent is available")]
    NoAgentsAvailable,
    /// The payload exceeds a size limit.
    #[error("payload too large: {0}")]
    PayloadTooLarge(Cow<'static, str>),
    /// The media type is not accepted.
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(Cow<'static, str>),
    /// A downstream dependency (database, ticket system) failed.
    #[error("internal error: {0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The database does not answer; nothing was changed (503, retry later).
    #[error("the chat database is unavailable; try again shortly")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ChatError {
    /// A validation error on one field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ChatError::InvalidInput {
            field: field.into(),
            message: message.into(),
        }
    }

    /// A forbidden error with a reason.
    pub fn forbidden(reason: impl Into<Cow<'static, str>>) -> Self {
        ChatError::Forbidden(reason.into())
    }

    /// A conflict with a reason.
    pub fn conflict(reason: impl Into<Cow<'static, str>>) -> Self {
        ChatError::Conflict(reason.into())
    }

    /// An internal error wrapping its cause.
    pub fn internal(err: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        ChatError::Internal(err.into())
    }

    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        self.error_code().as_str()
    }

    /// The stable error code, typed.
    pub fn error_code(&self) -> ErrorCode {
        match self {
            ChatError::Unauthorized => ErrorCode::Unauthorized,
            ChatError::Forbidden(_) => ErrorCode::Forbidden,
            ChatError::NotFound(_) => ErrorCode::NotFound,
            ChatError::InvalidInput { .. } => ErrorCode::InvalidInput,
            ChatError::Conflict(_) => ErrorCode::Conflict,
            ChatError::DomainNotAllowed => ErrorCode::DomainNotAllowed,
            ChatError::OutsideBusinessHours { .. } => ErrorCode::OutsideBusinessHours,
            ChatError::RateLimited { .. } => ErrorCode::RateLimited,
            ChatError::SessionLimitReached { .. } => ErrorCode::SessionLimitReached,
            ChatError::NoAgentsAvailable => ErrorCode::NoAgentsAvailable,
            ChatError::PayloadTooLarge(_) => ErrorCode::PayloadTooLarge,
            ChatError::UnsupportedMediaType(_) => ErrorCode::UnsupportedMediaType,
            ChatError::Internal(_) => ErrorCode::Internal,
            ChatError::Unavailable(_) => ErrorCode::Unavailable,
        }
    }

    /// The HTTP status adapters answer with.
    pub fn http_status(&self) -> u16 {
        match self {
            ChatError::Unauthorized => 401,
            ChatError::Forbidden(_) | ChatError::DomainNotAllowed => 403,
            ChatError::NotFound(_) => 404,
            ChatError::InvalidInput { .. } => 422,
            ChatError::Conflict(_)
            | ChatError::OutsideBusinessHours { .. }
            | ChatError::SessionLimitReached { .. }
            | ChatError::NoAgentsAvailable => 409,
            ChatError::RateLimited { .. } => 429,
            ChatError::PayloadTooLarge(_) => 413,
            ChatError::UnsupportedMediaType(_) => 415,
            ChatError::Internal(_) => 500,
            ChatError::Unavailable(_) => 503,
        }
    }

    /// The message safe to show a client: internal causes are replaced by a generic text.
    pub fn public_message(&self) -> String {
        match self {
            ChatError::Internal(_) => "internal server error".to_owned(),
            other => other.to_string(),
        }
    }

    /// The field at fault, for `invalid_input`.
    pub fn field(&self) -> Option<&str> {
        match self {
            ChatError::InvalidInput { field, .. } => Some(field),
            _ => None,
        }
    }
}

impl From<StoreError> for ChatError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => ChatError::NotFound("object"),
            StoreError::Conflict(reason) => ChatError::Conflict(reason.into()),
            unavailable @ StoreError::Unavailable { .. } => {
                ChatError::Unavailable(Box::new(unavailable))
            }
            other => ChatError::Internal(Box::new(other)),
        }
    }
}

/// A transition the session state machine refuses (assigning an ended session, ending it
/// twice…) answers `409 conflict` with the machine's reason.
impl From<crate::domain::session::InvalidTransition> for ChatError {
    fn from(err: crate::domain::session::InvalidTransition) -> Self {
        ChatError::conflict(err.to_string())
    }
}

/// Whole seconds to wait, rounded up and at least 1 (the `Retry-After` value).
pub fn retry_after_secs(wait: std::time::Duration) -> u64 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    secs.max(1)
}

/// Result alias for the chat service.
pub type ChatResult<T> = Result<T, ChatError>;

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    #[test]
    fn every_error_code_serialises_as_its_wire_name() {
        for code in ErrorCode::ALL {
            assert_eq!(
                serde_json::to_value(code).expect("json"),
                serde_json::Value::from(code.as_str())
            );
        }
    }

    #[test]
    fn docs_protocol_lists_exactly_the_error_codes() {
        let doc = include_str!("../../docs/protocol.md");
        let errors = &doc[doc.find("## Errors").expect("an Errors section")..];
        let errors = &errors[..errors[3..].find("\n## ").map_or(errors.len(), |i| i + 3)];
        let documented: Vec<&str> = errors
            .lines()
            .filter_map(|line| line.strip_prefix("| `"))
            .filter_map(|rest| rest.split_once('`').map(|(code, _)| code))
            .collect();
        let known: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(documented, known);
    }
}
