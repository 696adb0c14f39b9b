//! Path → endpoint. Matches the path's segments and method and hands the request to the
//! agent or public endpoint; unknown paths are `404 not_found`, known paths with another
//! method `405 method_not_allowed`.

use super::errors::{method_not_allowed, route_not_found};
use super::{agent_api, console, public_api, ApiRequest, ApiResponse, ChatApi};

/// Whether `path` is one of the two WebSocket endpoints.
pub(crate) fn is_socket_path(path: &str) -> bool {
    let segs = segments(path);
    matches!(segs.as_slice(), ["v1", "chat", "ws"])
        || matches!(
            segs.as_slice(),
            ["v1", "chat", "public", "widgets", _, "ws"]
        )
}

pub(crate) fn segments(path: &str) -> Vec<&str> {
    path.split('/').filter(|s| !s.is_empty()).collect()
}

pub(crate) async fn dispatch(api: &ChatApi, req: ApiRequest) -> ApiResponse {
    let path = req.path.clone();
    let segs = segments(&path);
    let m = req.method.as_str();
    match segs.as_slice() {
        ["healthz"] => only(m, "GET", agent_api::healthz),
        ["readyz"] => match m {
            "GET" => agent_api::readyz(api).await,
            _ => method_not_allowed("GET"),
        },
        ["chat-widget.js"] => only(m, "GET", || public_api::widget_script(api)),
        ["console", rest @ ..] if api.config().serve_console => console_route(&req, rest),
        ["shared", file] if api.config().serve_console => only(m, "GET", || {
            console::shared_file(file).unwrap_or_else(route_not_found)
        }),
        ["v1", "chat", "public", "widgets", widget, rest @ ..] => {
            public_api::dispatch(api, req.clone(), widget, rest).await
        }
        ["v1", "chat", "ws"] => {
            super::errors::protocol_error(426, "upgrade_required", "this endpoint speaks WebSocket")
        }
        ["v1", "chat", rest @ ..] => agent_api::dispatch(api, &req, rest).await,
        _ => route_not_found(),
    }
}

/// The console's files; `console` alone redirects to `console/`.
fn console_route(req: &ApiRequest, rest: &[&str]) -> ApiResponse {
    if req.method != "GET" && req.method != "HEAD" {
        return method_not_allowed("GET");
    }
    match rest {
        [] if !req.path.ends_with('/') => console::redirect_to_console(&req.mount_prefix),
        [] => console::console_file("").unwrap_or_else(route_not_found),
        [file] => console::console_file(file).unwrap_or_else(route_not_found),
        _ => route_not_found(),
    }
}

fn only(method: &str, allowed: &str, f: impl FnOnce() -> ApiResponse) -> ApiResponse {
    if method == allowed {
        f()
    } else {
        method_not_allowed(allowed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mount_prefix_is_the_original_path_less_the_api_path() {
        assert_eq!(
            ApiRequest::mount_prefix_of("/support/v1/chat/me", "/v1/chat/me"),
            "/support"
        );
        assert_eq!(
            ApiRequest::mount_prefix_of("/v1/chat/me", "/v1/chat/me"),
            ""
        );
        assert_eq!(ApiRequest::mount_prefix_of("/support/", "/"), "/support");
        assert_eq!(ApiRequest::mount_prefix_of("/support", "/"), "/support");
        assert_eq!(ApiRequest::mount_prefix_of("/a/b", "/c"), "");
    }

    #[test]
    fn socket_paths_are_recognised() {
        assert!(is_socket_path("/v1/chat/ws"));
        assert!(is_socket_path("/v1/chat/public/widgets/wgt_1/ws"));
        assert!(!is_socket_path("/v1/chat/sessions"));
        assert!(!is_socket_path("/v1/chat/public/widgets/ws"));
    }
}
