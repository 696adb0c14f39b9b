//! The shared conformance suite against the poem adapter: mounted at the root, and nested
//! below `/support` inside a host route.

use std::net::SocketAddr;
use tms_chat_conformance::ChatApi;

async fn serve(route: poem::Route) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(tms_chat_poem::serve(
        listener,
        route,
        std::future::pending(),
    ));
    addr
}

async fn at_root(api: ChatApi) -> SocketAddr {
    serve(tms_chat_poem::route(api)).await
}

async fn below_support(api: ChatApi) -> SocketAddr {
    let host = poem::Route::new()
        .at(
            "/",
            poem::get(poem::endpoint::make_sync(|_| "the host's own page")),
        )
        .nest("/support", tms_chat_poem::route(api));
    serve(host).await
}

tms_chat_conformance::conformance_suite!(at_root);

mod nested {
    tms_chat_conformance::conformance_suite!(super::below_support, prefix = "/support");
}
