//! The reference server's connection timeouts, for both frameworks, over raw TCP: slow
//! request heads and idle keep-alive connections are closed at the head deadline, a stalled
//! body is answered `408`, an open socket is not cut off (the probes of
//! `tms_chat_conformance::timeouts`, with short timeouts set by flag).

#![allow(clippy::unwrap_used)] // Tests unwrap: a panic is a failed test.

mod support;

use std::time::Duration;
use support::server::{start_node, AGENT_TOKEN};
use tms_chat_conformance::timeouts;

async fn slow_clients_are_cut_off(framework: &str) {
    let limit = Duration::from_millis(800);
    let ms = limit.as_millis().to_string();
    let args = [
        "--request-head-timeout-ms",
        ms.as_str(),
        "--body-stall-timeout-ms",
        ms.as_str(),
    ];
    let server = start_node(framework, None, "acme", &args).await;
    let addr = server.base.trim_start_matches("http://").parse().unwrap();
    let socket_url = format!("ws://{addr}/v1/chat/ws");
    tokio::join!(
        timeouts::a_head_sent_a_byte_at_a_time_is_cut_off(addr, limit),
        timeouts::an_idle_keep_alive_connection_is_closed(addr, limit),
        timeouts::a_stalled_body_is_answered_408_and_closed(addr, limit),
        timeouts::an_open_socket_outlives_the_head_deadline(&socket_url, AGENT_TOKEN, limit),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axum_cuts_off_slow_heads_idle_connections_and_stalled_bodies() {
    slow_clients_are_cut_off("axum").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poem_cuts_off_slow_heads_idle_connections_and_stalled_bodies() {
    slow_clients_are_cut_off("poem").await;
}
