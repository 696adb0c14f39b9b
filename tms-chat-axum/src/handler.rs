//! Request/response translation: one handler for every path below the mount point. It turns
//! axum's request into an [`ApiRequest`] (core's [`ApiRequest::from_http`], with the peer
//! address from axum's `ConnectInfo`), upgrades socket
//! paths after the API authorised them, reads the body up to its route's limit
//! ([`ChatApi::admit_body`], [`ChatApi::read_body`]) and turns the [`ApiResponse`] back unchanged.

use crate::socket;
use axum::body::Body;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, FromRequestParts, OriginalUri, Request, State};
use axum::response::Response;
use axum::routing::any;
use axum::Router;
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
    let original = parts.extensions.get::<OriginalUri>().map(|o| o.path());
    let uri = &parts.uri;
    let mut api_request = ApiRequest::from_http(
        &parts.method,
        uri.path(),
        uri.query(),
        &parts.headers,
        original,
    )
    .with_peer_addr(peer_addr(&parts.extensions));
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
    let limit = match api.admit_body(&mut api_request).await {
        Ok(limit) => limit,
        Err(refusal) => return into_response(refusal),
    };
    match api.read_body(body.into_data_stream(), limit).await {
        Ok(bytes) => api_request.body = bytes,
        Err(refusal) => return into_response(refusal),
    }
    into_response(api.handle(api_request).await)
}

/// The peer address, when the router is served with connect info ([`crate::serve`] is; a
/// host serving it itself uses `into_make_service_with_connect_info::<SocketAddr>()`, else
/// the abuse limits per client address do not apply).
fn peer_addr(extensions: &axum::http::Extensions) -> Option<std::net::SocketAddr> {
    extensions
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0)
}

/// Converts the core's response (core's [`ApiResponse::into_http`]).
pub(crate) fn into_response(response: ApiResponse) -> Response {
    response.into_http().map(Body::from)
}
