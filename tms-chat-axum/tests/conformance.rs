//! The shared conformance suite against the axum adapter: mounted at the root, and nested
//! below `/support` inside a host router.

use std::net::SocketAddr;
use tms_chat_conformance::ChatApi;

async fn serve(app: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(tms_chat_axum::serve(listener, app, std::future::pending()));
    addr
}

async fn at_root(api: ChatApi) -> SocketAddr {
    serve(tms_chat_axum::router(api)).await
}

async fn below_support(api: ChatApi) -> SocketAddr {
    let host = axum::Router::new()
        .route("/", axum::routing::get(|| async { "the host's own page" }))
        .nest("/support", tms_chat_axum::router(api));
    serve(host).await
}

tms_chat_conformance::conformance_suite!(at_root);

mod nested {
    tms_chat_conformance::conformance_suite!(super::below_support, prefix = "/support");
}
