//! # tms-chat-conformance
//!
//! One HTTP/WebSocket suite, every adapter: real clients (reqwest, tokio-tungstenite) drive a
//! live server through the endpoints and events of `docs/protocol.md`: every REST endpoint,
//! every socket frame, the error answers, limits (413, 1009), CORS and domain refusal, tenant,
//! project and customer isolation, who gets which event, resume and idempotent sends.
//!
//! An adapter's test file calls [`conformance_suite!`] with an async function that mounts a
//! [`ChatApi`] with the adapter and serves it on `127.0.0.1:0`, returning the address. The
//! macro expands into one `#[tokio::test]` per case on SQLite in memory (module `sqlite`) and
//! one on PostgreSQL (module `postgres`; it prints `skipped: …` and passes when
//! `DATABASE_URL` is not set, unless `TMS_CHAT_REQUIRE_ALL_TESTS` is set). With
//! `prefix = "/support"` the function must mount the API below that prefix; the suite then
//! talks to it there.
//!
//! ```ignore
//! async fn mount(api: tms_chat_conformance::ChatApi) -> std::net::SocketAddr { /* … */ }
//! tms_chat_conformance::conformance_suite!(mount);
//! ```
//!
//! The fixture ([`Fixture`]) builds the whole stack per case: the store, the chat service
//! with a local-disk blob store and a ticket desk, two tenants with an admin, a supervisor,
//! two plain agents and a project-restricted agent each (static bearer tokens), and a widget
//! per tenant.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test harness: a panic is a failed test.

pub mod cases;
mod client;
mod fixture;
pub mod graceful;
pub mod timeouts;

pub use client::{Frame, Reply, Socket};
pub use fixture::{
    Customer, Fixture, Mount, TenantFixture, TicketDesk, ORIGIN_A, ORIGIN_B, UPLOAD_BODY_LIMIT,
    WIDGET_SCRIPT,
};
pub use tms_chat_core::protocol::ChatApi;

/// Expands into the conformance suite for an adapter: `conformance_suite!(mount)` or
/// `conformance_suite!(mount, prefix = "/support")`, where `mount` is an
/// `async fn(ChatApi) -> std::net::SocketAddr` (or a non-capturing closure returning such a
/// future) that serves the API on `127.0.0.1:0` with the adapter. Defines the modules
/// `sqlite` and `postgres` (one test per case in each), so invoke it once per module.
#[macro_export]
macro_rules! conformance_suite {
    ($mount:expr) => {
        $crate::conformance_suite!($mount, prefix = "");
    };
    ($mount:expr, prefix = $prefix:expr) => {
        const __TMS_CHAT_CONFORMANCE_MOUNT: $crate::Mount =
            |api| ::std::boxed::Box::pin(($mount)(api));
        const __TMS_CHAT_CONFORMANCE_PREFIX: &str = $prefix;
        $crate::__for_each_case!($crate::__conformance_tests);
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_tests {
    ($($case:ident),* $(,)?) => {
        /// The conformance suite on SQLite in memory.
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let fixture = $crate::Fixture::sqlite(
                        super::__TMS_CHAT_CONFORMANCE_MOUNT,
                        super::__TMS_CHAT_CONFORMANCE_PREFIX,
                    )
                    .await;
                    $crate::cases::$case(&fixture).await;
                }
            )*
        }
        /// The conformance suite on PostgreSQL (`DATABASE_URL`).
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let Some(fixture) = $crate::Fixture::postgres(
                        super::__TMS_CHAT_CONFORMANCE_MOUNT,
                        super::__TMS_CHAT_CONFORMANCE_PREFIX,
                    )
                    .await
                    else {
                        return $crate::skip_postgres(stringify!($case));
                    };
                    $crate::cases::$case(&fixture).await;
                }
            )*
        }
    };
}

/// Calls `$callback!` with the name of every case.
#[doc(hidden)]
#[macro_export]
macro_rules! __for_each_case {
    ($($callback:tt)+) => {
        $($callback)+! {
            // Agent REST
            agents_start_sessions_with_a_customer_token_and_join_link,
            session_lists_filter_search_and_page_newest_activity_first,
            messages_have_gapless_seqs_and_page_by_seq,
            sessions_are_assigned_transferred_and_ended,
            notes_are_kept_for_agents,
            typing_and_read_markers_posted_over_rest_reach_the_other_side,
            tickets_are_opened_in_the_host_system,
            canned_responses_are_read_by_agents_and_managed_by_admins,
            widgets_are_managed_by_admins_and_read_by_agents,
            me_and_agents_describe_the_agent_and_its_tenant,
            probes_and_the_widget_script_answer,
            the_console_and_the_embed_code_follow_the_mount_point,
            attachments_are_typed_by_content_and_served_safely,
            customer_uploads_need_a_widget_that_accepts_files,
            oversized_bodies_are_refused_with_413,
            // Customer REST and CORS
            public_widget_configuration_has_exactly_the_documented_fields,
            customers_start_chat_in_and_end_their_own_session,
            business_hours_gate_customer_sessions_but_never_agents,
            a_closed_exception_today_closes_the_widget_until_the_next_special_hours,
            widgets_that_require_an_email_refuse_sessions_without_one,
            identity_hashes_mark_customers_verified,
            cors_echoes_allowed_origins_and_refuses_others_readably,
            // Errors
            refusals_are_json_errors_with_stable_codes,
            plain_http_requests_to_socket_endpoints_get_426,
            // Isolation
            tenant_b_agents_get_404_for_tenant_a_objects,
            a_customer_token_reaches_only_its_own_session,
            agents_get_404_for_sessions_outside_their_projects,
            customer_cannot_read_agent_notes,
            // Event routing
            a_subscribed_console_gets_messages_and_typing_but_an_unsubscribed_agent_does_not,
            the_assigned_agent_gets_its_sessions_messages_without_subscribing,
            unsubscribe_stops_a_consoles_messages,
            lifecycle_events_reach_every_agent_of_the_tenant_and_no_other_tenant,
            agents_get_lifecycle_events_only_for_their_projects,
            the_customer_follows_its_session_until_it_ends_and_the_socket_closes_with_1000,
            typing_is_never_echoed_to_its_sender,
            read_markers_reach_the_other_side_of_the_session,
            // Presence and capacity
            agents_set_their_presence_and_the_team_list_shows_it_with_their_load,
            presence_changes_reach_the_tenants_agents_and_no_other_tenant_or_customer,
            an_agent_at_their_session_limit_gets_session_limit_reached,
            widgets_route_new_sessions_to_an_online_agent,
            departments_are_listed_and_guard_the_sessions_transferred_to_them,
            a_widget_with_nobody_online_refuses_new_sessions_when_asked,
            the_queue_shows_customers_their_place_and_supervisors_the_board,
            agents_see_who_awaits_a_reply_and_their_unread_count_and_customers_never_do,
            // Customer context
            the_widget_reports_page_views_that_only_the_tenants_agents_see,
            bad_page_views_are_refused_naming_the_field,
            // Sockets
            sockets_open_with_a_ready_frame,
            sockets_refuse_missing_or_wrong_credentials_before_upgrading,
            ws_tickets_open_exactly_one_socket,
            messages_sent_over_a_socket_are_acknowledged_and_delivered,
            an_agent_socket_refuses_sends_to_a_session_that_ended_since_its_last_send,
            resume_replays_missed_messages_in_order_then_delivers_live_ones_once,
            retried_client_message_ids_store_nothing_new,
            malformed_frames_get_an_error_and_the_socket_stays_usable,
            frames_over_64_kib_close_the_socket_with_1009,
            shutdown_closes_sockets_with_1001_and_refuses_new_ones,
            // Abuse limits
            public_endpoints_answer_429_past_their_rate_per_client_address,
            a_socket_past_its_rate_gets_rate_limited_errors_and_stays_open,
            sockets_per_client_address_are_capped,
            forwarded_headers_name_the_client_only_behind_a_trusted_proxy,
            // Bad input
            nul_characters_are_refused_with_422_naming_the_field,
            a_customer_token_on_an_agent_path_is_403_forbidden,
            bodies_are_not_read_before_the_caller_is_known,
            eight_concurrent_assign_to_me_at_the_agents_limit_let_exactly_it_through,
            websocket_protocol_violations_close_with_1002_and_bad_utf8_with_1007,
            // Audit log and customer data
            the_audit_log_and_customer_data_are_for_admins_of_their_tenant,
            the_audit_log_filters_by_time_actor_and_session_newest_first_in_pages,
            bad_audit_queries_and_customer_emails_get_422_invalid_input,
            admins_export_and_erase_a_customer_of_their_own_tenant_only,
            // Browser-facing headers
            console_pages_send_a_strict_csp_and_no_referrer,
            // Widget options
            the_widget_theme_is_stored_validated_and_sent_to_customers,
            typing_previews_reach_the_sessions_agents_only_when_the_widget_allows_them,
            typing_previews_never_reach_customers_or_other_tenants,
            typing_previews_count_against_the_typing_rate,
        }
    };
}

/// Says plainly that the PostgreSQL half of a case was skipped (and fails when
/// `TMS_CHAT_REQUIRE_ALL_TESTS` is set, as in CI, where it must run).
pub fn skip_postgres(case: &str) {
    if std::env::var_os("TMS_CHAT_REQUIRE_ALL_TESTS").is_some() {
        panic!("{case}: DATABASE_URL is not set and TMS_CHAT_REQUIRE_ALL_TESTS is");
    }
    eprintln!("skipped: {case}: DATABASE_URL not set (PostgreSQL conformance)");
}

#[cfg(test)]
mod tests {
    macro_rules! names {
        ($($case:ident),* $(,)?) => {
            &[$(stringify!($case)),*]
        };
    }

    /// Every public case function is in the suite (a case left out would silently not run).
    #[test]
    fn every_case_is_in_the_suite() {
        let listed: &[&str] = __for_each_case!(names);
        let sources = [
            include_str!("cases/abuse.rs"),
            include_str!("cases/agent_rest.rs"),
            include_str!("cases/audit.rs"),
            include_str!("cases/bad_input.rs"),
            include_str!("cases/customer_context.rs"),
            include_str!("cases/public_rest.rs"),
            include_str!("cases/errors.rs"),
            include_str!("cases/headers.rs"),
            include_str!("cases/isolation.rs"),
            include_str!("cases/presence.rs"),
            include_str!("cases/routing.rs"),
            include_str!("cases/sockets.rs"),
            include_str!("cases/widget_options.rs"),
        ];
        let mut defined: Vec<&str> = sources
            .iter()
            .flat_map(|s| s.split("\npub async fn ").skip(1))
            .map(|rest| rest.split('(').next().unwrap_or_default())
            .collect();
        let mut listed = listed.to_vec();
        defined.sort_unstable();
        listed.sort_unstable();
        assert_eq!(defined, listed);
    }
}
