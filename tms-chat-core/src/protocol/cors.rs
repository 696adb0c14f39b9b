//! CORS for the public (widget) endpoints. A response to a widget request carries
//! `Access-Control-Allow-Origin: <the request's origin>` (never `*`): success responses only
//! exist when the widget allows the origin, and error responses carry no data, so the widget
//! can read why it was refused. Preflights are granted only to origins the widget allows.

use super::ApiResponse;

const ALLOW_HEADERS: &str = "authorization, content-type";
const ALLOW_METHODS: &str = "GET, POST, PATCH, OPTIONS";
const EXPOSE_HEADERS: &str = "content-disposition, content-type";

/// Adds the CORS headers for `origin` to a public response.
pub(crate) fn with_cors(mut response: ApiResponse, origin: Option<&str>) -> ApiResponse {
    response
        .headers
        .push(("vary".to_owned(), "Origin".to_owned()));
    if let Some(origin) = origin.filter(|o| !o.is_empty() && *o != "null") {
        response
            .headers
            .push(("access-control-allow-origin".to_owned(), origin.to_owned()));
        response.headers.push((
            "access-control-expose-headers".to_owned(),
            EXPOSE_HEADERS.to_owned(),
        ));
    }
    response
}

/// The answer to a preflight from an allowed origin.
pub(crate) fn preflight_granted(origin: &str) -> ApiResponse {
    ApiResponse::empty(204)
        .with_header("access-control-allow-origin", origin)
        .with_header("access-control-allow-methods", ALLOW_METHODS)
        .with_header("access-control-allow-headers", ALLOW_HEADERS)
        .with_header("access-control-max-age", "600")
        .with_header("vary", "Origin")
}

/// The answer to a preflight from an origin the widget does not allow: no CORS grant.
pub(crate) fn preflight_refused() -> ApiResponse {
    ApiResponse::empty(403).with_header("vary", "Origin")
}
