//! Request/response translation: one handler for every path below the mount point. It turns
//! axum's request into an [`ApiRequest`] (upper-case method, the path below the mount point,
//! the raw query, every header, the body up to the configured limit), upgrades socket paths
//! after the API authorised them, and turns the [`ApiResponse`] back unchanged.

use crate::socket;
use axum::body::Body;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{FromRequestParts, OriginalUri, Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::any;
use axum::Router;
use futures::StreamExt;
use tms_chat_core::protocol::{ApiRequest, ApiResponse, ChatApi};

/// The whole API as a router. Nest it under any prefix
/// (`Router::new().nest("/support", tms_chat_axum::router(api))`) or use it as the root.
/// `nest` strips the prefix from the URI, so the API sees the path below the mount point.
pub fn router(api: ChatApi) -> Router {
    Router::new()
        .route("/", any(handle))
        .route("/{*path}", any(handle))
        .with_state(api)
}

async fn handle(State(api): State<ChatApi>, request: Request) -> Response {
    let (mut parts, body) = request.into_parts();
    let mut api_request = ApiRequest {
        method: parts.method.as_str().to_ascii_uppercase(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or_default().to_owned(),
        headers: headers_of(&parts.headers),
        body: Vec::new(),
        mount_prefix: parts
            .extensions
            .get::<OriginalUri>()
            .map(|original| ApiRequest::mount_prefix_of(original.path(), parts.uri.path()))
            .unwrap_or_default(),
    };
    if api_request.method == "GET" && ChatApi::is_socket_path(&api_request.path) {
        // An upgrade is authorised by the API first; a plain GET falls through and the API
        // answers it (426 upgrade_required).
        if let Ok(upgrade) = WebSocketUpgrade::from_request_parts(&mut parts, &()).await {
            return match api.authorize_socket(&api_request).await {
                Ok(grant) => socket::upgrade(api, grant, upgrade),
                Err(refusal) => into_response(refusal),
            };
        }
    }
    match read_body(body, &parts.headers, api.config().max_upload_body_bytes).await {
        Ok(bytes) => api_request.body = bytes,
        Err(refusal) => return refusal,
    }
    into_response(api.handle(api_request).await)
}

/// Every header whose value is text, names lower-case (as `http` keeps them).
fn headers_of(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter_map(|(name, value)| {
            value
                .to_str()
                .ok()
                .map(|v| (name.as_str().to_owned(), v.to_owned()))
        })
        .collect()
}

/// Reads the body, refusing more than `limit` bytes (by `Content-Length` before reading, or
/// while reading) with `413 payload_too_large`.
async fn read_body(body: Body, headers: &HeaderMap, limit: usize) -> Result<Vec<u8>, Response> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(too_large(limit));
    }
    let capacity = declared.map_or(0, |len| usize::try_from(len).unwrap_or(limit).min(limit));
    let mut bytes = Vec::with_capacity(capacity);
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|error| {
            tracing::debug!(%error, "could not read a request body");
            error_response(
                StatusCode::BAD_REQUEST,
                "invalid_input",
                "the request body could not be read",
            )
        })?;
        if bytes.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

fn too_large(limit: usize) -> Response {
    error_response(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        &format!("request bodies may be at most {limit} bytes"),
    )
}

/// The protocol's error body, for the two refusals the adapter makes itself (the body could
/// not be read, or is over the limit).
fn error_response(status: StatusCode, code: &str, message: &str) -> Response {
    let body = format!(r#"{{"error":{{"code":"{code}","message":"{message}"}}}}"#);
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// Converts the core's response: status, headers (in order, repeated names kept) and body.
pub(crate) fn into_response(response: ApiResponse) -> Response {
    let mut out = Response::new(Body::from(response.body));
    *out.status_mut() =
        StatusCode::from_u16(response.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = out.headers_mut();
    for (name, value) in response.headers {
        match (
            HeaderName::try_from(name.as_str()),
            HeaderValue::try_from(value.as_str()),
        ) {
            (Ok(name), Ok(value)) => {
                headers.append(name, value);
            }
            _ => tracing::warn!(header = %name, "dropped a response header that is not valid HTTP"),
        }
    }
    out
}
