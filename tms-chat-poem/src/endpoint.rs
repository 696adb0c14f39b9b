//! Request/response translation: one endpoint for every path below the mount point. It turns
//! poem's request into an [`ApiRequest`] (upper-case method, the path below the mount point,
//! the raw query, every header, the body up to the configured limit), upgrades socket paths
//! after the API authorised them, and turns the [`ApiResponse`] back unchanged.

use crate::socket;
use poem::http::{header, HeaderMap, StatusCode};
use poem::web::websocket::WebSocket;
use poem::web::RequestBody;
use poem::{Body, Endpoint, FromRequest, Request, Response, Route};
use tms_chat_core::protocol::{ApiRequest, ApiResponse, ChatApi};

/// The whole API as a route. Nest it under any prefix
/// (`Route::new().nest("/support", tms_chat_poem::route(api))`) or use it as the root.
/// `nest` strips the prefix, so the API sees the path below the mount point.
pub fn route(api: ChatApi) -> Route {
    Route::new().nest("/", ChatEndpoint::new(api))
}

/// The API as a poem endpoint (what [`route`] mounts).
#[derive(Clone)]
pub struct ChatEndpoint {
    api: ChatApi,
}

impl ChatEndpoint {
    /// An endpoint serving `api`.
    pub fn new(api: ChatApi) -> Self {
        ChatEndpoint { api }
    }
}

impl Endpoint for ChatEndpoint {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Self::Output> {
        let path = req.uri().path();
        let path = if path.starts_with('/') {
            path.to_owned()
        } else {
            format!("/{path}")
        };
        let mut api_request = ApiRequest {
            method: req.method().as_str().to_ascii_uppercase(),
            path: path.clone(),
            query: req.uri().query().unwrap_or_default().to_owned(),
            headers: headers_of(req.headers()),
            body: Vec::new(),
            mount_prefix: ApiRequest::mount_prefix_of(req.original_uri().path(), &path),
        };
        let (req, mut body) = req.split();
        if api_request.method == "GET" && ChatApi::is_socket_path(&api_request.path) {
            // An upgrade is authorised by the API first; a plain GET falls through and the
            // API answers it (426 upgrade_required).
            if let Ok(ws) = WebSocket::from_request(&req, &mut body).await {
                return Ok(match self.api.authorize_socket(&api_request).await {
                    Ok(grant) => socket::upgrade(self.api.clone(), grant, ws),
                    Err(refusal) => into_response(refusal),
                });
            }
        }
        let limit = self.api.config().max_upload_body_bytes;
        match read_body(&mut body, req.headers(), limit).await {
            Ok(bytes) => api_request.body = bytes,
            Err(refusal) => return Ok(refusal),
        }
        Ok(into_response(self.api.handle(api_request).await))
    }
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
async fn read_body(
    body: &mut RequestBody,
    headers: &HeaderMap,
    limit: usize,
) -> Result<Vec<u8>, Response> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(too_large(limit));
    }
    let body = body.take().unwrap_or_else(|_| Body::empty());
    match body.into_bytes_limit(limit).await {
        Ok(bytes) => Ok(bytes.to_vec()),
        Err(poem::error::ReadBodyError::PayloadTooLarge) => Err(too_large(limit)),
        Err(error) => {
            tracing::debug!(%error, "could not read a request body");
            Err(error_response(
                StatusCode::BAD_REQUEST,
                "invalid_input",
                "the request body could not be read",
            ))
        }
    }
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
    Response::builder()
        .status(status)
        .content_type("application/json")
        .body(format!(
            r#"{{"error":{{"code":"{code}","message":"{message}"}}}}"#
        ))
}

/// Converts the core's response: status, headers (in order, repeated names kept) and body.
pub(crate) fn into_response(response: ApiResponse) -> Response {
    let mut out = Response::builder()
        .status(StatusCode::from_u16(response.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .body(response.body);
    let headers = out.headers_mut();
    for (name, value) in &response.headers {
        match (
            header::HeaderName::try_from(name.as_str()),
            header::HeaderValue::try_from(value.as_str()),
        ) {
            (Ok(name), Ok(value)) => {
                headers.append(name, value);
            }
            _ => tracing::warn!(header = %name, "dropped a response header that is not valid HTTP"),
        }
    }
    out
}
