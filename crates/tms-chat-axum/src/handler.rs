//! Request/response translation: one handler for every path below the mount point.

use crate::socket;
use axum::body::Body;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use tms_chat_core::protocol::{ApiRequest, ApiResponse, ChatApi};

/// The whole API as a router. Nest it under any prefix
/// (`Router::new().nest("/support", tms_chat_axum::router(api))`) or merge it at the root.
pub fn router(api: ChatApi) -> Router {
    Router::new().route("/{*path}", any(handle)).with_state(api)
}

async fn handle(State(api): State<ChatApi>, request: Request) -> Response {
    let (mut parts, body) = request.into_parts();
    let mut api_request = ApiRequest {
        method: parts.method.as_str().to_ascii_uppercase(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or_default().to_owned(),
        headers: parts
            .headers
            .iter()
            .filter_map(|(name, value)| {
                value
                    .to_str()
                    .ok()
                    .map(|v| (name.as_str().to_owned(), v.to_owned()))
            })
            .collect(),
        body: Vec::new(),
    };
    if ChatApi::is_socket_path(&api_request.path) && api_request.method == "GET" {
        if let Ok(upgrade) = WebSocketUpgrade::from_request_parts(&mut parts, &()).await {
            return match api.authorize_socket(&api_request).await {
                Ok(grant) => socket::upgrade(api, grant, upgrade),
                Err(refusal) => into_response(refusal),
            };
        }
    }
    let limit = api.config().max_upload_body_bytes;
    match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => api_request.body = bytes.to_vec(),
        Err(_) => {
            return (
                StatusCode::PAYLOAD_TOO_LARGE,
                [("content-type", "application/json")],
                r#"{"error":{"code":"payload_too_large","message":"request body too large"}}"#,
            )
                .into_response()
        }
    }
    into_response(api.handle(api_request).await)
}

/// Converts the core's response.
pub(crate) fn into_response(response: ApiResponse) -> Response {
    let mut out = Response::new(Body::from(response.body));
    *out.status_mut() =
        StatusCode::from_u16(response.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = out.headers_mut();
    for (name, value) in response.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::try_from(value.as_str()),
        ) {
            headers.append(name, value);
        }
    }
    out
}
