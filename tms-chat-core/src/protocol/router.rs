//! Request → endpoint, by the route table (`routes`): unknown paths are `404 not_found`,
//! known paths with another method `405 method_not_allowed` with `Allow`; public paths answer
//! CORS preflights and carry CORS headers on refusals too.

use super::errors::{method_not_allowed, protocol_error, route_not_found};
use super::routes::{lookup, normalize, Area, Endpoint, Lookup, Matched};
use super::{agent_api, console, probes, public_api, ApiRequest, ApiResponse, ChatApi};

/// Whether `path` is one of the two WebSocket endpoints.
pub(crate) fn is_socket_path(path: &str) -> bool {
    super::routes::endpoint_of("GET", path).is_some_and(Endpoint::is_socket)
}

/// Whether `method path` uploads a file (its body may be as large as the upload limit).
pub(crate) fn is_upload(method: &str, path: &str) -> bool {
    super::routes::endpoint_of(method, path).is_some_and(Endpoint::takes_upload)
}

/// Answers one REST request.
pub(crate) async fn dispatch(api: &ChatApi, req: ApiRequest) -> ApiResponse {
    let path = normalize(&req.path);
    let origin = req.header("origin");
    let public = path.starts_with("/v1/chat/public/widgets/");
    if let Err(e) = super::body::Query::refuse_nul(&req.query) {
        let refusal = super::errors::error_response(&e);
        return if public {
            super::cors::with_cors(refusal, origin)
        } else {
            refusal
        };
    }
    match lookup(&req.method, &path) {
        Lookup::Found(route) if route.endpoint.is_console() && !api.config().serve_console => {
            route_not_found()
        }
        Lookup::Found(route) => answer(api, &req, &route).await,
        Lookup::WrongMethod {
            area: Area::Public,
            widget: Some(widget),
            ..
        } if req.method == "OPTIONS" => public_api::preflight(api, &req, widget).await,
        Lookup::WrongMethod { area, allow, .. } => {
            let refusal = method_not_allowed(&allow);
            if area == Area::Public {
                super::cors::with_cors(refusal, origin)
            } else {
                refusal
            }
        }
        Lookup::NotFound if public => super::cors::with_cors(route_not_found(), origin),
        Lookup::NotFound => route_not_found(),
    }
}

async fn answer(api: &ChatApi, req: &ApiRequest, route: &Matched<'_>) -> ApiResponse {
    match (route.area, route.endpoint) {
        (Area::Public, _) => public_api::handle(api, req, route).await,
        (Area::Agent, Endpoint::AgentSocket) => {
            protocol_error(426, "upgrade_required", "this endpoint speaks WebSocket")
        }
        (Area::Agent, _) => agent_api::handle(api, req, route).await,
        (Area::Open, Endpoint::Healthz) => probes::healthz(),
        (Area::Open, Endpoint::Readyz) => probes::readyz(api).await,
        (Area::Open, Endpoint::WidgetScript) => probes::widget_script(api),
        // `console` → `console/`, so the page's relative links resolve below the prefix.
        (Area::Open, Endpoint::Console) if !req.path.ends_with('/') => {
            console::redirect_to_console(&req.mount_prefix)
        }
        (Area::Open, Endpoint::Console) => console_page(api, ""),
        (Area::Open, Endpoint::SharedFile) => {
            console::shared_file(route.id.unwrap_or_default()).unwrap_or_else(route_not_found)
        }
        (Area::Open, _) => console_page(api, route.id.unwrap_or_default()),
    }
}

/// A console file with the console's Content-Security-Policy.
fn console_page(api: &ChatApi, file: &str) -> ApiResponse {
    match console::console_file(file) {
        Some(page) => {
            let ancestors = &api.config().console_frame_ancestors;
            let policy = console::console_content_security_policy(ancestors);
            page.with_header("content-security-policy", &policy)
        }
        None => route_not_found(),
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

    #[test]
    fn uploads_are_recognised() {
        assert!(is_upload("POST", "/v1/chat/sessions/s_1/attachments"));
        assert!(is_upload(
            "POST",
            "/v1/chat/public/widgets/w/session/attachments"
        ));
        assert!(!is_upload("GET", "/v1/chat/attachments/a_1"));
        assert!(!is_upload("POST", "/v1/chat/sessions"));
    }
}
