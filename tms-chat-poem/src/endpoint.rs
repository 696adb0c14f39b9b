//! Request/response translation: one endpoint for every path below the mount point. It turns
//! poem's request into an [`ApiRequest`] (core's [`ApiRequest::from_http`]), upgrades socket
//! paths after the API authorised them, reads the body up to its route's limit
//! ([`ChatApi::admit_body`], [`ChatApi::read_body`]) and turns the [`ApiResponse`] back unchanged.

use crate::socket;
use bytes::Bytes;
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
        let uri = req.uri();
        let original = req.original_uri().path();
        let mut api_request = ApiRequest::from_http(
            req.method(),
            uri.path(),
            uri.query(),
            req.headers(),
            Some(original),
        )
        .with_peer_addr(req.remote_addr().as_socket_addr().copied());
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
        let limit = match self.api.admit_body(&mut api_request).await {
            Ok(limit) => limit,
            Err(refusal) => return Ok(into_response(refusal)),
        };
        match self.api.read_body(chunks(&mut body), limit).await {
            Ok(bytes) => api_request.body = bytes,
            Err(refusal) => return Ok(into_response(refusal)),
        }
        Ok(into_response(self.api.handle(api_request).await))
    }
}

/// The body as a stream of chunks (poem's is `Result<Bytes, io::Error>`).
fn chunks(body: &mut RequestBody) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> {
    let body = body.take().unwrap_or_else(|_| Body::empty());
    Box::pin(body.into_bytes_stream())
}

/// Converts the core's response (core's [`ApiResponse::into_http`]).
pub(crate) fn into_response(response: ApiResponse) -> Response {
    let (parts, body) = response.into_http().into_parts();
    let mut out = Response::from(body);
    out.set_status(parts.status);
    *out.headers_mut() = parts.headers;
    out
}
