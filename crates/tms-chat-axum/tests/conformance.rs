//! The shared conformance suite against the axum adapter.

async fn mount(api: tms_chat_conformance::ChatApi) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(tms_chat_axum::serve(
        listener,
        tms_chat_axum::router(api),
        std::future::pending(),
    ));
    addr
}

tms_chat_conformance::conformance_suite!(mount);
