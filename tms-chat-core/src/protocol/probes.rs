//! The open endpoints: the health probes and the widget script.

use super::envelopes::ProbeStatus;
use super::errors::route_not_found;
use super::{ApiResponse, ChatApi};
use bytes::Bytes;

/// `GET /healthz`: the process answers.
pub(crate) fn healthz() -> ApiResponse {
    ApiResponse::json(200, &ProbeStatus { status: "ok" })
}

/// `GET /readyz`: the store answers and the notifier is connected to its bus (`503` when
/// either is not, so a load balancer stops sending clients to a node that would not hear
/// the other nodes' events).
pub(crate) async fn readyz(api: &ChatApi) -> ApiResponse {
    let service = api.service();
    let ready = match service.store().ping().await {
        Ok(()) if service.notifier().is_connected() => true,
        Ok(()) => {
            tracing::warn!("readiness check failed: the notifier is disconnected from its bus");
            false
        }
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            false
        }
    };
    if ready {
        ApiResponse::json(200, &ProbeStatus { status: "ready" })
    } else {
        let status = ProbeStatus {
            status: "unavailable",
        };
        ApiResponse::json(503, &status)
    }
}

/// `GET /chat-widget.js`, when the API was given the script.
pub(crate) fn widget_script(api: &ChatApi) -> ApiResponse {
    let Some(script) = &api.config().widget_script else {
        return route_not_found();
    };
    let headers = [
        ("content-type", "application/javascript; charset=utf-8"),
        ("cache-control", "public, max-age=300"),
        ("access-control-allow-origin", "*"),
        ("x-content-type-options", "nosniff"),
    ];
    ApiResponse {
        status: 200,
        headers: headers
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect(),
        body: Bytes::copy_from_slice(script.as_bytes()),
    }
}
