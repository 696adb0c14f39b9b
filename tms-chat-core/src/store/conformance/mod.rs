//! The conformance suite every [`ChatStore`] must pass, written once and run against each
//! implementation with [`chat_store_conformance!`](crate::chat_store_conformance):
//!
//! ```ignore
//! tms_chat_core::chat_store_conformance!(async {
//!     my_store::MyStore::connect("…").await.expect("connect")
//! });
//! ```
//!
//! The macro expands to one `#[tokio::test]` per case (so the calling crate needs `tokio`
//! with the `macros` and `rt-multi-thread` features). The factory expression is evaluated
//! afresh for every test and may produce a store, an `Arc<dyn ChatStore>`, or an `Option` of
//! either: `None` skips the test (for example when no database is configured; the factory
//! should say so on stderr).
//!
//! Every case creates its own tenants with random ids, so a database shared between tests and
//! runs is fine. Cases are plain `pub async fn`s taking the store, so an implementation can
//! also call one directly.
//!
//! One file per section: `tenants`, `widgets`, `sessions`, `messages`, `agent_tools`,
//! `isolation`, `concurrency`, `capacity`, `presence` and `reply_tracking`, with the shared builders in `fixtures`.

mod agent_tools;
mod audit;
mod capacity;
mod concurrency;
mod fixtures;
mod isolation;
mod messages;
mod presence;
mod reply_tracking;
mod sessions;
mod socket_tickets;
mod tenants;
mod widgets;

use std::future::Future;
use std::sync::Arc;

use crate::store::ChatStore;

pub use agent_tools::*;
pub use audit::*;
pub use capacity::*;
pub use concurrency::*;
pub use fixtures::{at, session, text, unique_tenant, widget};
pub use isolation::*;
pub use messages::*;
pub use presence::*;
pub use reply_tracking::*;
pub use sessions::*;
pub use socket_tickets::*;
pub use tenants::*;
pub use widgets::*;

/// Expands to one `#[tokio::test]` per conformance case, each running against a fresh store
/// from `$factory` (an expression evaluating to a future; see the [module docs](self)).
#[macro_export]
macro_rules! chat_store_conformance {
    (@cases ($factory:expr) $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                $crate::store::conformance::run($factory, $crate::store::conformance::$case).await;
            }
        )*
    };
    ($factory:expr $(,)?) => {
        $crate::chat_store_conformance!(@cases ($factory)
            ping_answers,
            tenants_are_upserted_and_read_back,
            projects_are_listed_per_tenant_in_id_order,
            agents_round_trip_every_field_and_stay_in_their_tenant,
            widgets_round_trip_every_field_and_are_found_without_a_tenant,
            widgets_are_listed_oldest_first_and_filtered_by_project,
            deleting_a_widget_keeps_its_sessions_and_messages,
            sessions_round_trip_every_field_and_are_found_by_token_hash,
            updating_a_session_bumps_its_version_and_rejects_a_stale_write,
            concurrent_updates_of_one_session_let_exactly_one_win,
            updating_a_session_never_writes_its_last_seq,
            session_list_filters_by_status,
            session_list_filters_by_assigned_agent_and_unassigned_only,
            session_list_filters_by_widget_and_project_scope,
            session_search_matches_email_and_name_case_insensitively_with_literal_wildcards,
            session_search_matches_message_words_and_the_id_within_the_tenant_only,
            session_pages_walk_every_session_once_newest_activity_first,
            customer_sessions_lists_the_same_email_newest_first,
            open_session_count_covers_only_non_ended_sessions_of_the_agent,
            appending_assigns_gapless_sequence_numbers_and_moves_session_activity,
            a_retried_client_message_id_returns_the_stored_message_without_a_new_number,
            a_batch_appends_to_several_sessions_and_reports_a_missing_session_in_its_slot,
            a_large_batch_with_repeated_client_ids_stores_each_message_once,
            history_reads_slices_after_and_before_a_sequence_number,
            file_and_system_messages_keep_their_attachment_and_event,
            attachments_round_trip,
            notes_are_listed_oldest_first_per_session,
            canned_responses_are_managed_and_shortcuts_are_unique_per_tenant,
            read_markers_never_move_backward,
            visit_contexts_are_replaced_per_session_and_stay_in_their_tenant,
            another_tenant_cannot_read_or_change_widgets,
            another_tenant_cannot_read_or_change_sessions_or_their_messages,
            another_tenant_cannot_read_or_change_notes_attachments_and_read_markers,
            another_tenant_cannot_read_or_change_canned_responses,
            fifty_concurrent_appends_to_one_session_get_every_sequence_number_once,
            concurrent_retries_of_one_client_message_id_store_one_message,
            concurrent_batches_over_the_same_sessions_all_complete,
            concurrent_limited_assignments_never_exceed_the_limit,
            the_limit_counts_the_agents_other_open_sessions,
            a_limited_update_keeps_the_version_check_and_the_tenant,
            presence_changes_are_stored_per_agent_and_tenant,
            concurrent_presence_changes_of_one_agent_all_count,
            an_expired_grace_period_is_claimed_exactly_once,
            open_sessions_are_counted_per_agent,
            idle_and_waiting_sessions_are_listed_oldest_first,
            a_socket_ticket_is_redeemed_exactly_once,
            an_expired_socket_ticket_is_refused,
            concurrent_redemptions_of_one_socket_ticket_let_exactly_one_win,
            appending_tracks_the_customers_wait_for_a_reply,
            an_agents_message_marks_read_and_unread_counts_are_per_agent,
            the_awaiting_reply_list_is_oldest_wait_first_and_pages,
            reply_overdue_sessions_are_listed_from_the_later_of_message_and_assignment,
            recently_assigned_sessions_are_listed_newest_assignment_first,
            concurrent_limited_inserts_never_exceed_the_limit,
            audited_writes_store_their_entry_and_the_log_stays_in_its_tenant,
            erasing_a_customer_leaves_nothing_of_their_sessions,
        );
    };
}

/// What a conformance factory may produce: a store, or `None` to skip the test.
pub trait ConformanceStore {
    /// The store to test, or `None` to skip.
    fn into_store(self) -> Option<Arc<dyn ChatStore>>;
}

impl<S: ChatStore> ConformanceStore for S {
    fn into_store(self) -> Option<Arc<dyn ChatStore>> {
        Some(Arc::new(self))
    }
}

impl<S: ChatStore> ConformanceStore for Option<S> {
    fn into_store(self) -> Option<Arc<dyn ChatStore>> {
        self.map(|s| Arc::new(s) as Arc<dyn ChatStore>)
    }
}

impl ConformanceStore for Arc<dyn ChatStore> {
    fn into_store(self) -> Option<Arc<dyn ChatStore>> {
        Some(self)
    }
}

impl ConformanceStore for Option<Arc<dyn ChatStore>> {
    fn into_store(self) -> Option<Arc<dyn ChatStore>> {
        self
    }
}

/// Runs one case against the store `factory` produces (nothing when it produces `None`).
pub async fn run<F, C, Fut>(factory: F, case: C)
where
    F: Future,
    F::Output: ConformanceStore,
    C: FnOnce(Arc<dyn ChatStore>) -> Fut,
    Fut: Future<Output = ()>,
{
    if let Some(store) = factory.await.into_store() {
        case(store).await;
    }
}
