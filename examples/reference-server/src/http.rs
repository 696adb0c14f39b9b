//! Mounts the API and the static pages into the chosen framework and serves them until the
//! shutdown future resolves. The API (and the agent console, which the API serves) comes
//! from the adapter crates; only the demo host page is routed here. With `--tls-cert` every
//! connection is TLS (`tls.rs`).

use crate::assets;
use crate::tls::TlsIo;
use crate::Framework;
use std::future::Future;
use tms_chat_core::protocol::{ChatApi, ConnectionTimeouts};
use tokio_rustls::TlsAcceptor;

/// Serves `api` (plus the demo page) with `framework` on `listener`, with the connection
/// `timeouts` on every connection; over TLS when `tls` is given.
pub(crate) async fn serve(
    framework: Framework,
    listener: tokio::net::TcpListener,
    api: ChatApi,
    shutdown: impl Future<Output = ()> + Send + 'static,
    timeouts: ConnectionTimeouts,
    tls: Option<TlsAcceptor>,
) -> std::io::Result<()> {
    match (framework, tls) {
        (Framework::Axum, None) => {
            let router = axum_pages().merge(tms_chat_axum::router(api));
            tms_chat_axum::serve_with(listener, router, shutdown, timeouts).await
        }
        (Framework::Axum, Some(tls)) => {
            let router = axum_pages().merge(tms_chat_axum::router(api));
            let wrap = move |tcp| TlsIo::accept(&tls, tcp);
            tms_chat_axum::serve_wrapped(listener, router, shutdown, timeouts, wrap).await
        }
        (Framework::Poem, None) => {
            let route = poem_pages(tms_chat_poem::route(api));
            tms_chat_poem::serve_with(listener, route, shutdown, timeouts).await
        }
        (Framework::Poem, Some(tls)) => {
            let route = poem_pages(tms_chat_poem::route(api));
            let wrap = move |tcp| TlsIo::accept(&tls, tcp);
            let https = poem::http::uri::Scheme::HTTPS;
            tms_chat_poem::serve_wrapped(listener, route, shutdown, timeouts, (wrap, https)).await
        }
    }
}

fn axum_pages() -> axum::Router {
    use axum::http::{header, StatusCode, Uri};
    use axum::response::{IntoResponse, Redirect, Response};
    use axum::routing::get;

    async fn page(uri: Uri) -> Response {
        match assets::lookup(uri.path()) {
            Some(asset) => {
                let mut headers = vec![(header::CONTENT_TYPE.as_str(), asset.content_type)];
                headers.extend(assets::PAGE_HEADERS.iter().copied());
                let mut response = (StatusCode::OK, asset.body).into_response();
                for (name, value) in headers {
                    if let (Ok(n), Ok(v)) = (
                        axum::http::HeaderName::try_from(name),
                        axum::http::HeaderValue::try_from(value),
                    ) {
                        response.headers_mut().insert(n, v);
                    }
                }
                response
            }
            None => StatusCode::NOT_FOUND.into_response(),
        }
    }
    axum::Router::new()
        .route("/", get(|| async { Redirect::temporary("/console/") }))
        .route("/demo", get(page))
        .route("/demo/", get(page))
        .route("/demo/{file}", get(page))
}

fn poem_pages(api: poem::Route) -> poem::Route {
    use poem::{handler, http::StatusCode, web::Redirect, IntoResponse, Request, Response};

    #[handler]
    fn page(req: &Request) -> Response {
        match assets::lookup(req.uri().path()) {
            Some(asset) => {
                let mut response = Response::builder()
                    .status(StatusCode::OK)
                    .content_type(asset.content_type);
                for (name, value) in assets::PAGE_HEADERS {
                    response = response.header(*name, *value);
                }
                response.body(asset.body)
            }
            None => StatusCode::NOT_FOUND.into_response(),
        }
    }
    #[handler]
    fn home() -> Redirect {
        Redirect::temporary("/console/")
    }
    poem::Route::new()
        .at("/", poem::get(home))
        .at("/demo", poem::get(page))
        .at("/demo/", poem::get(page))
        .at("/demo/:file", poem::get(page))
        .nest("/", api)
}
