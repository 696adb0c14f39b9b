//! Request/response translation: one endpoint for every path below the mount point.

use crate::socket;
use poem::http::StatusCode;
use poem::web::websocket::WebSocket;
use poem::{Endpoint, FromRequest, IntoResponse, Request, Response, Route};
use tms_chat_core::protocol::{ApiRequest, ApiResponse, ChatApi};

/// The whole API as a route. Nest it under any prefix
/// (`Route::new().nest("/support", tms_chat_poem::route(api))`) or at the root.
pub fn route(api: ChatApi) -> Route {
    Route::new().nest("/", ChatEndpoint { api })
}

/// The API as a poem endpoint.
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

    async fn call(&self, mut req: Request) -> poem::Result<Self::Output> {
        let path = req.uri().path();
        let path = if path.starts_with('/') {
            path.to_owned()
        } else {
            format!("/{path}")
        };
        let mut api_request = ApiRequest {
            method: req.method().as_str().to_ascii_uppercase(),
            path,
            query: req.uri().query().unwrap_or_default().to_owned(),
            headers: req
                .headers()
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
        let is_upgrade = req
            .headers()
            .get("upgrade")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
        if is_upgrade && ChatApi::is_socket_path(&api_request.path) && api_request.method == "GET" {
            let (req, mut body) = req.split();
            if let Ok(ws) = WebSocket::from_request(&req, &mut body).await {
                return Ok(match self.api.authorize_socket(&api_request).await {
                    Ok(grant) => socket::upgrade(self.api.clone(), grant, ws),
                    Err(refusal) => into_response(refusal),
                });
            }
            return Ok(StatusCode::BAD_REQUEST.into_response());
        }
        let limit = self.api.config().max_upload_body_bytes;
        match req.take_body().into_bytes_limit(limit).await {
            Ok(bytes) => api_request.body = bytes.to_vec(),
            Err(_) => return Ok(Response::builder()
                .status(StatusCode::PAYLOAD_TOO_LARGE)
                .content_type("application/json")
                .body(
                    r#"{"error":{"code":"payload_too_large","message":"request body too large"}}"#,
                )),
        }
        Ok(into_response(self.api.handle(api_request).await))
    }
}

/// Converts the core's response.
pub(crate) fn into_response(response: ApiResponse) -> Response {
    let mut builder = Response::builder()
        .status(StatusCode::from_u16(response.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
    for (name, value) in &response.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    builder.body(response.body)
}
