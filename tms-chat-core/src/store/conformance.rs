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

use std::collections::HashSet;
use std::fmt::Debug;
use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::domain::{
    Agent, Attachment, BusinessHours, CannedResponse, DayHours, EndedBy, MessageKind, NewMessage,
    Note, OfflineBehavior, Project, ReadMarker, Role, SenderType, Session, SessionStatus,
    SystemEvent, Tenant, TransferTarget, Widget, WidgetPosition,
};
use crate::error::StoreError;
use crate::ids::{
    AgentId, AttachmentId, CannedResponseId, MessageId, NoteId, ProjectId, SessionId, TenantId,
    WidgetId,
};
use crate::store::{
    Appended, ChatStore, HistoryQuery, SessionCursor, SessionFilter, StoreResult, MAX_PAGE_SIZE,
};

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
            session_pages_walk_every_session_once_newest_activity_first,
            customer_sessions_lists_the_same_email_newest_first,
            open_session_count_covers_only_non_ended_sessions_of_the_agent,
            appending_assigns_gapless_sequence_numbers_and_moves_session_activity,
            a_retried_client_message_id_returns_the_stored_message_without_a_new_number,
            a_batch_appends_to_several_sessions_and_reports_a_missing_session_in_its_slot,
            history_reads_slices_after_and_before_a_sequence_number,
            file_and_system_messages_keep_their_attachment_and_event,
            attachments_round_trip,
            notes_are_listed_oldest_first_per_session,
            canned_responses_are_managed_and_shortcuts_are_unique_per_tenant,
            read_markers_never_move_backward,
            another_tenant_cannot_read_or_change_widgets,
            another_tenant_cannot_read_or_change_sessions_or_their_messages,
            another_tenant_cannot_read_or_change_notes_attachments_and_read_markers,
            another_tenant_cannot_read_or_change_canned_responses,
            fifty_concurrent_appends_to_one_session_get_every_sequence_number_once,
            concurrent_retries_of_one_client_message_id_store_one_message,
            concurrent_batches_over_the_same_sessions_all_complete,
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

// ---------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------

fn uid() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// A tenant id no other test uses.
pub fn unique_tenant() -> TenantId {
    TenantId::new(format!("t-{}", uid()))
}

/// An instant `seconds` after a fixed base, with microseconds (the precision stores keep).
pub fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(1_767_225_600_123_456 + seconds * 1_000_000)
        .expect("test instant in range")
}

/// A widget with every optional field set.
pub fn widget(tenant: &TenantId, project: &ProjectId, created_at: DateTime<Utc>) -> Widget {
    Widget {
        id: WidgetId::generate(),
        tenant_id: tenant.clone(),
        project_id: project.clone(),
        name: "Support".into(),
        domain: "shop.example.com".into(),
        allowed_domains: vec!["*.example.com".into(), "localhost:3000".into()],
        welcome_message: "Hi! How can we help?".into(),
        offline_message: "We're away.".into(),
        primary_color: "#3b82f6".into(),
        secondary_color: "#1f2937".into(),
        position: WidgetPosition::BottomRight,
        auto_open_delay: Some(1500),
        show_agent_avatars: true,
        allow_file_uploads: false,
        require_email: true,
        business_hours: Some(BusinessHours {
            timezone: "Europe/Berlin".into(),
            monday: Some(DayHours {
                open: "09:00".into(),
                close: "17:30".into(),
            }),
            offline_behavior: OfflineBehavior::CollectContact,
            ..BusinessHours::default()
        }),
        max_upload_bytes: 5 * 1024 * 1024,
        auto_create_ticket: true,
        identity_secret: format!("secret-{}", uid()),
        created_at,
        updated_at: created_at,
    }
}

/// A waiting session of `widget` whose activity (and creation) is `at`.
pub fn session(widget: &Widget, at: DateTime<Utc>) -> Session {
    Session {
        id: SessionId::generate(),
        tenant_id: widget.tenant_id.clone(),
        project_id: widget.project_id.clone(),
        widget_id: widget.id.clone(),
        status: SessionStatus::Waiting,
        customer_email: None,
        customer_name: None,
        assigned_agent_id: None,
        transfer_target: None,
        department: None,
        started_by_agent_id: None,
        ended_by: None,
        last_seq: 0,
        ticket_id: None,
        customer_verified: false,
        version: 0,
        created_at: at,
        updated_at: at,
        last_activity_at: at,
        ended_at: None,
    }
}

/// A customer text message for `session`.
pub fn text(
    session: &Session,
    content: &str,
    client_message_id: Option<&str>,
    at: DateTime<Utc>,
) -> NewMessage {
    NewMessage {
        id: MessageId::generate(),
        tenant_id: session.tenant_id.clone(),
        session_id: session.id.clone(),
        sender_type: SenderType::Customer,
        sender_agent_id: None,
        kind: MessageKind::Text,
        content: content.into(),
        attachment: None,
        system_event: None,
        client_message_id: client_message_id.map(str::to_owned),
        created_at: at,
    }
}

/// A tenant with a project and a stored widget.
struct Tenancy {
    tenant: TenantId,
    project: ProjectId,
    widget: Widget,
}

async fn tenancy(store: &Arc<dyn ChatStore>) -> Tenancy {
    let tenant = unique_tenant();
    store
        .upsert_tenant(&Tenant {
            id: tenant.clone(),
            name: "Acme".into(),
        })
        .await
        .expect("upsert tenant");
    let project = ProjectId::new(format!("p-{}", uid()));
    store
        .upsert_project(&Project {
            id: project.clone(),
            tenant_id: tenant.clone(),
            name: "Main".into(),
        })
        .await
        .expect("upsert project");
    let widget = widget(&tenant, &project, at(0));
    store.insert_widget(&widget).await.expect("insert widget");
    Tenancy {
        tenant,
        project,
        widget,
    }
}

async fn insert(store: &Arc<dyn ChatStore>, session: &Session) {
    store
        .insert_session(session, &format!("hash-{}", uid()))
        .await
        .expect("insert session");
}

/// A stored waiting session of `widget` with activity `at`.
async fn stored_session(store: &Arc<dyn ChatStore>, widget: &Widget, at: DateTime<Utc>) -> Session {
    let s = session(widget, at);
    insert(store, &s).await;
    s
}

async fn append(store: &Arc<dyn ChatStore>, message: NewMessage) -> Appended {
    let mut results = store
        .append_messages(vec![message])
        .await
        .expect("append batch");
    assert_eq!(results.len(), 1, "one result per message");
    results.remove(0).expect("append message")
}

async fn seqs(store: &Arc<dyn ChatStore>, session: &Session, query: HistoryQuery) -> Vec<i64> {
    store
        .list_messages(&session.tenant_id, &session.id, query)
        .await
        .expect("list messages")
        .iter()
        .map(|m| m.seq)
        .collect()
}

fn history(after_seq: Option<i64>, before_seq: Option<i64>, limit: u32) -> HistoryQuery {
    HistoryQuery {
        after_seq,
        before_seq,
        limit,
    }
}

fn filter() -> SessionFilter {
    SessionFilter {
        limit: MAX_PAGE_SIZE,
        ..SessionFilter::default()
    }
}

async fn listed(
    store: &Arc<dyn ChatStore>,
    tenant: &TenantId,
    filter: SessionFilter,
) -> Vec<SessionId> {
    store
        .list_sessions(tenant, &filter)
        .await
        .expect("list sessions")
        .sessions
        .into_iter()
        .map(|s| s.id)
        .collect()
}

/// Ids of `sessions` in list order: newest activity first, then id descending.
fn newest_first(sessions: &[&Session]) -> Vec<SessionId> {
    let mut sorted: Vec<&Session> = sessions.to_vec();
    sorted.sort_by(|a, b| {
        b.last_activity_at
            .cmp(&a.last_activity_at)
            .then_with(|| b.id.cmp(&a.id))
    });
    sorted.into_iter().map(|s| s.id.clone()).collect()
}

#[track_caller]
fn assert_not_found<T: Debug>(result: StoreResult<T>, what: &str) {
    match result {
        Err(StoreError::NotFound) => {}
        other => panic!("{what}: expected NotFound, got {other:?}"),
    }
}

#[track_caller]
fn assert_conflict<T: Debug>(result: StoreResult<T>, what: &str) {
    match result {
        Err(StoreError::Conflict(_)) => {}
        other => panic!("{what}: expected Conflict, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// Tenants, projects, agents
// ---------------------------------------------------------------------------------------

/// `ping` succeeds on a working store.
pub async fn ping_answers(store: Arc<dyn ChatStore>) {
    store.ping().await.expect("ping");
}

/// A tenant can be created, renamed by a second upsert and read back.
pub async fn tenants_are_upserted_and_read_back(store: Arc<dyn ChatStore>) {
    let mut tenant = Tenant {
        id: unique_tenant(),
        name: "Acme".into(),
    };
    store.upsert_tenant(&tenant).await.expect("create");
    assert_eq!(store.get_tenant(&tenant.id).await.expect("get"), tenant);
    tenant.name = "Acme Inc.".into();
    store.upsert_tenant(&tenant).await.expect("rename");
    assert_eq!(store.get_tenant(&tenant.id).await.expect("get"), tenant);
    assert_not_found(store.get_tenant(&unique_tenant()).await, "unknown tenant");
}

/// Projects are listed by id, per tenant; the same project id in two tenants is two projects.
pub async fn projects_are_listed_per_tenant_in_id_order(store: Arc<dyn ChatStore>) {
    let a = unique_tenant();
    let b = unique_tenant();
    let project = |tenant: &TenantId, id: &str, name: &str| Project {
        id: ProjectId::new(id),
        tenant_id: tenant.clone(),
        name: name.into(),
    };
    for p in [
        project(&a, "p-b", "Beta"),
        project(&a, "p-a", "Alpha"),
        project(&b, "p-a", "Other tenant's"),
    ] {
        store.upsert_project(&p).await.expect("upsert project");
    }
    store
        .upsert_project(&project(&a, "p-a", "Alpha renamed"))
        .await
        .expect("rename");
    assert_eq!(
        store.list_projects(&a).await.expect("list a"),
        vec![
            project(&a, "p-a", "Alpha renamed"),
            project(&a, "p-b", "Beta")
        ]
    );
    assert_eq!(
        store.list_projects(&b).await.expect("list b"),
        vec![project(&b, "p-a", "Other tenant's")]
    );
    assert!(store
        .list_projects(&unique_tenant())
        .await
        .expect("list")
        .is_empty());
}

/// Every agent field survives a round trip, a second upsert replaces them, and agents are
/// scoped by tenant.
pub async fn agents_round_trip_every_field_and_stay_in_their_tenant(store: Arc<dyn ChatStore>) {
    let tenant = unique_tenant();
    let other = unique_tenant();
    let mut ada = Agent::new("agent-ada", tenant.clone(), "Ada")
        .with_role(Role::Supervisor)
        .with_projects([ProjectId::new("p1"), ProjectId::new("p2")]);
    ada.avatar_url = Some("https://cdn.example.com/ada.png".into());
    ada.departments = vec!["billing".into(), "sales".into()];
    ada.skills = vec!["de".into(), "en".into()];
    ada.max_concurrent_sessions = Some(3);
    let bob = Agent::new("agent-bob", tenant.clone(), "Bob");
    store.upsert_agent(&bob).await.expect("upsert bob");
    store.upsert_agent(&ada).await.expect("upsert ada");
    assert_eq!(
        store.get_agent(&tenant, &ada.id).await.expect("get ada"),
        ada
    );

    ada.roles = vec![Role::Admin];
    ada.projects.clear();
    ada.max_concurrent_sessions = None;
    ada.avatar_url = None;
    ada.display_name = "Ada L.".into();
    store.upsert_agent(&ada).await.expect("update ada");
    assert_eq!(
        store.get_agent(&tenant, &ada.id).await.expect("get ada"),
        ada
    );
    assert_eq!(
        store.list_agents(&tenant).await.expect("list"),
        vec![ada.clone(), bob]
    );

    // The same agent id in another tenant is another agent.
    let twin = Agent::new("agent-ada", other.clone(), "Other Ada");
    assert_not_found(
        store.get_agent(&other, &ada.id).await,
        "agent of another tenant",
    );
    store.upsert_agent(&twin).await.expect("upsert twin");
    assert_eq!(
        store.get_agent(&other, &ada.id).await.expect("get twin"),
        twin
    );
    assert_eq!(
        store.get_agent(&tenant, &ada.id).await.expect("get ada"),
        ada
    );
    assert_eq!(
        store.list_agents(&other).await.expect("list other"),
        vec![twin]
    );
}

// ---------------------------------------------------------------------------------------
// Widgets
// ---------------------------------------------------------------------------------------

/// A widget round-trips every field, is found by id alone, can be updated and deleted, and
/// its id cannot be reused.
pub async fn widgets_round_trip_every_field_and_are_found_without_a_tenant(
    store: Arc<dyn ChatStore>,
) {
    let tenant = unique_tenant();
    let mut w = widget(&tenant, &ProjectId::new("p1"), at(0));
    store.insert_widget(&w).await.expect("insert");
    assert_eq!(store.get_widget(&tenant, &w.id).await.expect("get"), w);
    assert_eq!(store.find_widget(&w.id).await.expect("find"), w);
    assert_conflict(store.insert_widget(&w).await, "inserting the same id again");

    w.name = "Sales".into();
    w.project_id = ProjectId::new("p2");
    w.allowed_domains = vec!["example.org".into()];
    w.business_hours = None;
    w.position = WidgetPosition::BottomLeft;
    w.auto_open_delay = None;
    w.show_agent_avatars = false;
    w.allow_file_uploads = true;
    w.require_email = false;
    w.auto_create_ticket = false;
    w.max_upload_bytes = 1024;
    w.primary_color = "#000000".into();
    w.identity_secret = "rotated".into();
    w.updated_at = at(60);
    store.update_widget(&w).await.expect("update");
    assert_eq!(
        store.get_widget(&tenant, &w.id).await.expect("get updated"),
        w
    );

    store.delete_widget(&tenant, &w.id).await.expect("delete");
    assert_not_found(store.get_widget(&tenant, &w.id).await, "deleted widget");
    assert_not_found(store.find_widget(&w.id).await, "deleted widget by id");
    assert_not_found(store.delete_widget(&tenant, &w.id).await, "deleting twice");
    assert_not_found(store.update_widget(&w).await, "updating a deleted widget");
    assert_not_found(
        store.find_widget(&WidgetId::generate()).await,
        "unknown widget",
    );
}

/// Widgets are listed oldest first, optionally only those of some projects.
pub async fn widgets_are_listed_oldest_first_and_filtered_by_project(store: Arc<dyn ChatStore>) {
    let tenant = unique_tenant();
    let (p1, p2) = (ProjectId::new("p1"), ProjectId::new("p2"));
    let w1 = widget(&tenant, &p1, at(1));
    let w2 = widget(&tenant, &p2, at(2));
    let w3 = widget(&tenant, &p1, at(3));
    for w in [&w3, &w1, &w2] {
        store.insert_widget(w).await.expect("insert");
    }
    let ids = |ws: Vec<Widget>| ws.into_iter().map(|w| w.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store.list_widgets(&tenant, None).await.expect("all")),
        vec![w1.id.clone(), w2.id.clone(), w3.id.clone()]
    );
    assert_eq!(
        ids(store
            .list_widgets(&tenant, Some(std::slice::from_ref(&p1)))
            .await
            .expect("p1")),
        vec![w1.id.clone(), w3.id.clone()]
    );
    assert_eq!(
        ids(store
            .list_widgets(&tenant, Some(&[p2.clone(), p1.clone()]))
            .await
            .expect("both")),
        vec![w1.id.clone(), w2.id.clone(), w3.id.clone()]
    );
    assert!(store
        .list_widgets(&tenant, Some(&[]))
        .await
        .expect("none")
        .is_empty());
    assert!(store
        .list_widgets(&tenant, Some(&[ProjectId::new("p-unknown")]))
        .await
        .expect("unknown project")
        .is_empty());
}

/// Deleting a widget leaves its sessions and their messages in place.
pub async fn deleting_a_widget_keeps_its_sessions_and_messages(store: Arc<dyn ChatStore>) {
    let t = tenancy(&store).await;
    let s = stored_session(&store, &t.widget, at(1)).await;
    append(&store, text(&s, "hello", None, at(2))).await;
    store
        .delete_widget(&t.tenant, &t.widget.id)
        .await
        .expect("delete widget");
    assert_eq!(
        store
            .get_session(&t.tenant, &s.id)
            .await
            .expect("session")
            .last_seq,
        1
    );
    assert_eq!(seqs(&store, &s, history(None, None, 10)).await, vec![1]);
}

// ---------------------------------------------------------------------------------------
// Sessions
// ---------------------------------------------------------------------------------------

/// Every session field survives a round trip; the customer token hash finds the session and
/// is unique, as is the session id.
pub async fn sessions_round_trip_every_field_and_are_found_by_token_hash(
    store: Arc<dyn ChatStore>,
) {
    let t = tenancy(&store).await;
    let mut s = session(&t.widget, at(5));
    s.status = SessionStatus::Transferred;
    s.customer_email = Some("Ann.Smith@Example.com".into());
    s.customer_name = Some("Ann Smith".into());
    s.transfer_target = Some(TransferTarget::Department {
        department: "billing".into(),
    });
    s.department = Some("billing".into());
    s.started_by_agent_id = Some(AgentId::new("agent-ada"));
    s.ticket_id = Some("T-42".into());
    s.customer_verified = true;
    s.updated_at = at(6);
    s.last_activity_at = at(7);
    let hash = format!("hash-{}", uid());
    store.insert_session(&s, &hash).await.expect("insert");
    assert_eq!(store.get_session(&t.tenant, &s.id).await.expect("get"), s);
    assert_eq!(
        store
            .find_session_by_token_hash(&hash)
            .await
            .expect("by token"),
        s
    );
    assert_not_found(
        store.find_session_by_token_hash("hash-unknown").await,
        "unknown token",
    );

    let mut ended = session(&t.widget, at(8));
    ended.status = SessionStatus::Ended;
    ended.assigned_agent_id = Some(AgentId::new("agent-bob"));
    ended.transfer_target = Some(TransferTarget::Agent {
        agent_id: AgentId::new("agent-bob"),
    });
    ended.ended_by = Some(EndedBy::Customer);
    ended.ended_at = Some(at(9));
    insert(&store, &ended).await;
    assert_eq!(
        store
            .get_session(&t.tenant, &ended.id)
            .await
            .expect("get ended"),
        ended
    );

    assert_conflict(
        store.insert_session(&s, &format!("hash-{}", uid())).await,
        "inserting the same session id again",
    );
    assert_conflict(
        store
            .insert_session(&session(&t.widget, at(9)), &hash)
            .await,
        "reusing a customer token hash",
    );
    assert_not_found(
        store.get_session(&t.tenant, &SessionId::generate()).await,
        "unknown session",
    );
}

/// An update writes the fields, returns the session with the next version, and an update
/// based on an older version is refused.
pub async fn updating_a_session_bumps_its_version_and_rejects_a_stale_write(
    store: Arc<dyn ChatStore>,
) {
    let t = tenancy(&store).await;
    let s = stored_session(&store, &t.widget, at(1)).await;

    let mut assigned = s.clone();
    assigned
        .assign_to(AgentId::new("agent-ada"), at(2))
        .expect("assign");
    assigned.customer_email = Some("Late@Example.com".into());
    let updated = store.update_session(&assigned).await.expect("update");
    assert_eq!(
        updated,
        Session {
            version: 1,
            ..assigned.clone()
        }
    );
    assert_eq!(
        store.get_session(&t.tenant, &s.id).await.expect("get"),
        updated
    );

    // A writer still holding version 0 loses.
    let mut stale = s.clone();
    stale.status = SessionStatus::Ended;
    assert_conflict(store.update_session(&stale).await, "stale update");
    assert_eq!(
        store.get_session(&t.tenant, &s.id).await.expect("get"),
        updated
    );

    let mut ended = updated.clone();
    ended.end(EndedBy::Agent, at(3)).expect("end");
    let ended_stored = store.update_session(&ended).await.expect("end");
    assert_eq!(ended_stored.version, 2);
    assert_eq!(ended_stored.status, SessionStatus::Ended);
    assert_eq!(ended_stored.ended_at, Some(at(3)));

    assert_not_found(
        store.update_session(&session(&t.widget, at(1))).await,
        "unknown session",
    );
}

/// Two updates from the same version race: one is stored, the other is a conflict.
pub async fn concurrent_updates_of_one_session_let_exactly_one_win(store: Arc<dyn ChatStore>) {
    let t = tenancy(&store).await;
    let s = stored_session(&store, &t.widget, at(1)).await;
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let store = store.clone();
            let mut s = s.clone();
            tokio::spawn(async move {
                s.assign_to(AgentId::new(format!("agent-{i}")), at(2))
                    .expect("assign");
                store.update_session(&s).await
            })
        })
        .collect();
    let mut won = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(stored) => {
                won += 1;
                assert_eq!(stored.version, 1);
            }
            Err(StoreError::Conflict(_)) => {}
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }
    assert_eq!(won, 1, "exactly one concurrent update wins");
    assert_eq!(
        store
            .get_session(&t.tenant, &s.id)
            .await
            .expect("get")
            .version,
        1
    );
}

/// `last_seq` belongs to appends: an update neither writes nor resets it, and returns the
/// stored value.
pub async fn updating_a_session_never_writes_its_last_seq(store: Arc<dyn ChatStore>) {
    let t = tenancy(&store).await;
    let s = stored_session(&store, &t.widget, at(1)).await;
    append(&store, text(&s, "one", None, at(2))).await;
    append(&store, text(&s, "two", None, at(3))).await;

    // The caller's copy is from before the appends (last_seq 0), or claims a bogus value.
    for (i, claimed) in [0_i64, 99].into_iter().enumerate() {
        let mut copy = store.get_session(&t.tenant, &s.id).await.expect("get");
        copy.last_seq = claimed;
        copy.ticket_id = Some(format!("T-{i}"));
        let stored = store.update_session(&copy).await.expect("update");
        assert_eq!(stored.last_seq, 2);
        assert_eq!(
            store
                .get_session(&t.tenant, &s.id)
                .await
                .expect("get")
                .last_seq,
            2
        );
    }
    // And an update based on an older activity time does not move activity backwards.
    let mut copy = store.get_session(&t.tenant, &s.id).await.expect("get");
    copy.last_activity_at = at(1);
    copy.department = Some("sales".into());
    let stored = store.update_session(&copy).await.expect("update");
    assert_eq!(stored.last_activity_at, at(3));
    assert_eq!(
        append(&store, text(&s, "three", None, at(4)))
            .await
            .message
            .seq,
        3
    );
}

/// The status filter returns only sessions in that status.
pub async fn session_list_filters_by_status(store: Arc<dyn ChatStore>) {
    let t = tenancy(&store).await;
    let waiting = stored_session(&store, &t.widget, at(1)).await;
    let mut active = session(&t.widget, at(2));
    active.assign_to(AgentId::new("a1"), at(2)).expect("assign");
    insert(&store, &active).await;
    let mut ended = session(&t.widget, at(3));
    ended.end(EndedBy::Customer, at(3)).expect("end");
    insert(&store, &ended).await;

    for (status, expected) in [
        (SessionStatus::Waiting, vec![waiting.id.clone()]),
        (SessionStatus::Active, vec![active.id.clone()]),
        (SessionStatus::Ended, vec![ended.id.clone()]),
        (SessionStatus::Transferred, vec![]),
    ] {
        let f = SessionFilter {
            status: Some(status),
            ..filter()
        };
        assert_eq!(
            listed(&store, &t.tenant, f).await,
            expected,
            "status {status:?}"
        );
    }
    assert_eq!(
        listed(&store, &t.tenant, filter()).await,
        vec![ended.id, active.id, waiting.id]
    );
}

/// The assigned-agent filter returns that agent's sessions; `unassigned_only` the sessions
/// without an agent that have not ended.
pub async fn session_list_filters_by_assigned_agent_and_unassigned_only(store: Arc<dyn ChatStore>) {
    let t = tenancy(&store).await;
    let mut a1 = session(&t.widget, at(1));
    a1.assign_to(AgentId::new("a1"), at(1)).expect("assign");
    let mut a2 = session(&t.widget, at(2));
    a2.assign_to(AgentId::new("a2"), at(2)).expect("assign");
    let waiting = session(&t.widget, at(3));
    let mut ended = session(&t.widget, at(4));
    ended.end(EndedBy::Customer, at(4)).expect("end");
    let mut to_team = session(&t.widget, at(5));
    to_team
        .transfer_to(
            TransferTarget::Department {
                department: "billing".into(),
            },
            at(5),
        )
        .expect("transfer");
    let mut a1_ended = session(&t.widget, at(6));
    a1_ended
        .assign_to(AgentId::new("a1"), at(6))
        .expect("assign");
    a1_ended.end(EndedBy::Agent, at(6)).expect("end");
    for s in [&a1, &a2, &waiting, &ended, &to_team, &a1_ended] {
        insert(&store, s).await;
    }

    let by_agent = |agent: &str| SessionFilter {
        assigned_agent_id: Some(AgentId::new(agent)),
        ..filter()
    };
    assert_eq!(
        listed(&store, &t.tenant, by_agent("a1")).await,
        vec![a1_ended.id.clone(), a1.id.clone()]
    );
    assert_eq!(
        listed(&store, &t.tenant, by_agent("a2")).await,
        vec![a2.id.clone()]
    );
    assert!(listed(&store, &t.tenant, by_agent("a3")).await.is_empty());
    let unassigned = SessionFilter {
        unassigned_only: true,
        ..filter()
    };
    assert_eq!(
        listed(&store, &t.tenant, unassigned).await,
        vec![to_team.id.clone(), waiting.id.clone()]
    );
    let active_a1 = SessionFilter {
        status: Some(SessionStatus::Active),
        ..by_agent("a1")
    };
    assert_eq!(
        listed(&store, &t.tenant, active_a1).await,
        vec![a1.id.clone()]
    );
}

/// The widget filter and the project scope narrow the list, alone and together.
pub async fn session_list_filters_by_widget_and_project_scope(store: Arc<dyn ChatStore>) {
    let t = tenancy(&store).await;
    let p2 = ProjectId::new(format!("p2-{}", uid()));
    let w2 = widget(&t.tenant, &p2, at(0));
    store.insert_widget(&w2).await.expect("insert widget");
    let s1 = stored_session(&store, &t.widget, at(1)).await;
    let s2 = stored_session(&store, &w2, at(2)).await;
    let s3 = stored_session(&store, &t.widget, at(3)).await;

    let f = |widget: Option<&WidgetId>, projects: Option<Vec<ProjectId>>| SessionFilter {
        widget_id: widget.cloned(),
        project_ids: projects,
        ..filter()
    };
    assert_eq!(
        listed(&store, &t.tenant, f(Some(&t.widget.id), None)).await,
        vec![s3.id.clone(), s1.id.clone()]
    );
    assert_eq!(
        listed(&store, &t.tenant, f(Some(&w2.id), None)).await,
        vec![s2.id.clone()]
    );
    assert_eq!(
        listed(&store, &t.tenant, f(None, Some(vec![p2.clone()]))).await,
        vec![s2.id.clone()]
    );
    assert_eq!(
        listed(
            &store,
            &t.tenant,
            f(None, Some(vec![t.project.clone(), p2.clone()]))
        )
        .await,
        vec![s3.id.clone(), s2.id.clone(), s1.id.clone()]
    );
    assert!(listed(&store, &t.tenant, f(None, Some(vec![])))
        .await
        .is_empty());
    assert!(listed(
        &store,
        &t.tenant,
        f(Some(&t.widget.id), Some(vec![p2.clone()]))
    )
    .await
    .is_empty());
}

/// `query` is a case-insensitive substring of the email or the name; `%`, `_` and `\` in it
/// match only themselves.
pub async fn session_search_matches_email_and_name_case_insensitively_with_literal_wildcards(
    store: Arc<dyn ChatStore>,
) {
    let t = tenancy(&store).await;
    let mut n = 0;
    let mut customer = |email: Option<&str>, name: Option<&str>| {
        n += 1;
        let mut s = session(&t.widget, at(n));
        s.customer_email = email.map(str::to_owned);
        s.customer_name = name.map(str::to_owned);
        s
    };
    let ann = customer(Some("Ann.Smith@Example.com"), Some("Ann Smith"));
    let bob = customer(Some("bob@shop.test"), Some("Robert 50% Off"));
    let under = customer(Some("under_score@x.io"), None);
    let zoe = customer(None, Some("ZOË Zed"));
    let club = customer(Some("club@x.io"), Some("500 Club"));
    let slash = customer(None, Some("Back\\slash"));
    let anon = customer(None, None);
    for s in [&ann, &bob, &under, &zoe, &club, &slash, &anon] {
        insert(&store, s).await;
    }
    let search = |q: &str| SessionFilter {
        query: Some(q.to_owned()),
        ..filter()
    };
    let cases: Vec<(&str, Vec<&SessionId>)> = vec![
        ("EXAMPLE.com", vec![&ann.id]),
        ("smith", vec![&ann.id]),
        ("rOBERT", vec![&bob.id]),
        ("50%", vec![&bob.id]),
        ("_", vec![&under.id]),
        ("r_s", vec![&under.id]),
        ("zoë", vec![&zoe.id]),
        ("\\", vec![&slash.id]),
        ("x.io", vec![&club.id, &under.id]),
        ("nobody", vec![]),
    ];
    for (q, expected) in cases {
        let expected: Vec<SessionId> = expected.into_iter().cloned().collect();
        assert_eq!(
            listed(&store, &t.tenant, search(q)).await,
            expected,
            "query {q:?}"
        );
    }
    // A blank query does not filter.
    assert_eq!(listed(&store, &t.tenant, search("  ")).await.len(), 7);
}

/// Following `next_cursor` walks every session exactly once, newest activity first (ties by
/// id), and the last page has no cursor.
pub async fn session_pages_walk_every_session_once_newest_activity_first(
    store: Arc<dyn ChatStore>,
) {
    let t = tenancy(&store).await;
    let mut all = Vec::new();
    for i in 0..25_i64 {
        // Pairs share an activity time, so the id decides their order.
        let s = session(&t.widget, at((i * 7 % 25) / 2));
        insert(&store, &s).await;
        all.push(s);
    }
    let expected = newest_first(&all.iter().collect::<Vec<_>>());

    let mut walked = Vec::new();
    let mut cursor: Option<SessionCursor> = None;
    let mut pages = 0;
    loop {
        let page = store
            .list_sessions(
                &t.tenant,
                &SessionFilter {
                    cursor: cursor.clone(),
                    limit: 5,
                    ..SessionFilter::default()
                },
            )
            .await
            .expect("page");
        pages += 1;
        assert!(page.sessions.len() <= 5);
        walked.extend(page.sessions.iter().map(|s| s.id.clone()));
        match page.next_cursor {
            // Through the opaque wire form, as a client would.
            Some(next) => cursor = Some(SessionCursor::decode(&next.encode()).expect("cursor")),
            None => break,
        }
        assert!(pages <= 25, "paging does not terminate");
    }
    assert_eq!(
        pages, 5,
        "25 sessions in pages of 5, no empty trailing page"
    );
    let unique: HashSet<&SessionId> = walked.iter().collect();
    assert_eq!(unique.len(), walked.len(), "no session twice");
    assert_eq!(walked, expected);

    // A filtered walk pages the same way.
    let mut walked = Vec::new();
    let mut cursor = None;
    loop {
        let page = store
            .list_sessions(
                &t.tenant,
                &SessionFilter {
                    widget_id: Some(t.widget.id.clone()),
                    cursor,
                    limit: 10,
                    ..SessionFilter::default()
                },
            )
            .await
            .expect("page");
        walked.extend(page.sessions.into_iter().map(|s| s.id));
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(walked, expected);
}

/// A customer's other sessions are those of the same email in the tenant (any case), newest
/// first, limited and without the excluded one.
pub async fn customer_sessions_lists_the_same_email_newest_first(store: Arc<dyn ChatStore>) {
    let t = tenancy(&store).await;
    let with_email = |email: &str, at: DateTime<Utc>| {
        let mut s = session(&t.widget, at);
        s.customer_email = Some(email.into());
        s
    };
    let first = with_email("ann@example.com", at(1));
    let second = with_email("ANN@Example.com", at(2));
    let third = with_email("ann@example.com", at(3));
    let bob = with_email("bob@example.com", at(4));
    for s in [&first, &second, &third, &bob] {
        insert(&store, s).await;
    }
    let foreign = tenancy(&store).await;
    insert(&store, &{
        let mut s = session(&foreign.widget, at(5));
        s.customer_email = Some("ann@example.com".into());
        s
    })
    .await;

    let ids = |ss: Vec<Session>| ss.into_iter().map(|s| s.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store
            .customer_sessions(&t.tenant, "Ann@Example.com", Some(&third.id), 10)
            .await
            .expect("others")),
        vec![second.id.clone(), first.id.clone()]
    );
    assert_eq!(
        ids(store
            .customer_sessions(&t.tenant, "ann@example.com", None, 2)
            .await
            .expect("limited")),
        vec![third.id.clone(), second.id.clone()]
    );
    assert!(store
        .customer_sessions(&t.tenant, "carol@example.com", None, 10)
        .await
        .expect("none")
        .is_empty());
}

/// The open-session count of an agent covers its assigned sessions that have not ended.
pub async fn open_session_count_covers_only_non_ended_sessions_of_the_agent(
    store: Arc<dyn ChatStore>,
) {
    let t = tenancy(&store).await;
    let ada = AgentId::new("agent-ada");
    let mut active = session(&t.widget, at(1));
    active.assign_to(ada.clone(), at(1)).expect("assign");
    let mut transferred = session(&t.widget, at(2));
    transferred
        .transfer_to(
            TransferTarget::Agent {
                agent_id: ada.clone(),
            },
            at(2),
        )
        .expect("transfer");
    let mut ended = session(&t.widget, at(3));
    ended.assign_to(ada.clone(), at(3)).expect("assign");
    ended.end(EndedBy::Agent, at(3)).expect("end");
    let mut bobs = session(&t.widget, at(4));
    bobs.assign_to(AgentId::new("agent-bob"), at(4))
        .expect("assign");
    for s in [&active, &transferred, &ended, &bobs] {
        insert(&store, s).await;
    }
    assert_eq!(
        store
            .count_open_sessions_for_agent(&t.tenant, &ada)
            .await
            .expect("ada"),
        2
    );
    assert_eq!(
        store
            .count_open_sessions_for_agent(&t.tenant, &AgentId::new("agent-bob"))
            .await
            .expect("bob"),
        1
    );
    assert_eq!(
        store
            .count_open_sessions_for_agent(&t.tenant, &AgentId::new("agent-carol"))
            .await
            .expect("carol"),
        0
    );
}

// ---------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------

/// Appends get 1, 2, 3…; the session's `last_seq` follows and its activity time moves to the
/// newest message (never backwards), without changing its version.
pub async fn appending_assigns_gapless_sequence_numbers_and_moves_session_activity(
    store: Arc<dyn ChatStore>,
) {
    let t = tenancy(&store).await;
    let s = stored_session(&store, &t.widget, at(0)).await;
    let newer = stored_session(&store, &t.widget, at(15)).await;

    let mut stored = Vec::new();
    for (i, when) in [at(10), at(20), at(5)].into_iter().enumerate() {
        let message = text(&s, &format!("message {i}"), None, when);
        let appended = append(&store, message.clone()).await;
        assert!(appended.created);
        assert_eq!(appended.message, message.into_message(i as i64 + 1));
        stored.push(appended.message);
    }
    let after = store.get_session(&t.tenant, &s.id).await.expect("get");
    assert_eq!(after.last_seq, 3);
    assert_eq!(after.last_activity_at, at(20));
    assert_eq!(after.version, s.version, "appends do not bump the version");
    assert_eq!(
        store
            .list_messages(&t.tenant, &s.id, history(None, None, 10))
            .await
            .expect("history"),
        stored
    );
    // The session with the newest message now lists first.
    assert_eq!(
        listed(&store, &t.tenant, filter()).await,
        vec![s.id.clone(), newer.id.clone()]
    );
}

/// A message whose `(session, sender_type, client_message_id)` was stored before is not
/// stored again: the earlier one comes back with `created: false` and no number is used up.
pub async fn a_retried_client_message_id_returns_the_stored_message_without_a_new_number(
    store: Arc<dyn ChatStore>,
) {
    let t = tenancy(&store).await;
    let s = stored_session(&store, &t.widget, at(0)).await;
    let other = stored_session(&store, &t.widget, at(0)).await;

    let first = append(&store, text(&s, "hello", Some("c-1"), at(1))).await;
    assert!(first.created);
    let retry = append(&store, text(&s, "hello (resent)", Some("c-1"), at(2))).await;
    assert!(!retry.created);
    assert_eq!(retry.message, first.message);

    // The key includes the sender type and the session.
    let mut from_agent = text(&s, "agent says", Some("c-1"), at(3));
    from_agent.sender_type = SenderType::Agent;
    from_agent.sender_agent_id = Some(AgentId::new("agent-ada"));
    let agent_msg = append(&store, from_agent).await;
    assert!(agent_msg.created);
    assert_eq!(agent_msg.message.seq, 2);
    assert!(
        append(&store, text(&other, "elsewhere", Some("c-1"), at(3)))
            .await
            .created
    );

    // Within one batch too.
    let batch = store
        .append_messages(vec![
            text(&s, "twice", Some("c-2"), at(4)),
            text(&s, "twice (again)", Some("c-2"), at(4)),
            text(&s, "no key", None, at(5)),
        ])
        .await
        .expect("batch");
    let batch: Vec<Appended> = batch.into_iter().map(|r| r.expect("append")).collect();
    assert!(batch[0].created);
    assert!(!batch[1].created);
    assert_eq!(batch[1].message, batch[0].message);
    assert_eq!(batch[0].message.seq, 3);
    assert_eq!(batch[2].message.seq, 4);

    assert_eq!(
        seqs(&store, &s, history(None, None, 50)).await,
        vec![1, 2, 3, 4]
    );
    assert_eq!(
        store
            .get_session(&t.tenant, &s.id)
            .await
            .expect("get")
            .last_seq,
        4
    );
}

/// One call may carry messages for several sessions: each gets its session's next number, a
/// message for a missing session is `NotFound` in its own slot, and results keep input order.
pub async fn a_batch_appends_to_several_sessions_and_reports_a_missing_session_in_its_slot(
    store: Arc<dyn ChatStore>,
) {
    let t = tenancy(&store).await;
    let a = stored_session(&store, &t.widget, at(0)).await;
    let b = stored_session(&store, &t.widget, at(0)).await;
    let missing = session(&t.widget, at(0));
    let mut wrong_tenant = text(&a, "wrong tenant", None, at(1));
    wrong_tenant.tenant_id = unique_tenant();

    let results = store
        .append_messages(vec![
            text(&b, "b1", None, at(1)),
            text(&a, "a1", None, at(1)),
            text(&missing, "lost", None, at(1)),
            text(&a, "a2", None, at(2)),
            wrong_tenant,
            text(&b, "b2", Some("b-key"), at(2)),
        ])
        .await
        .expect("batch");
    assert_eq!(results.len(), 6);
    let seq_of = |i: usize| match &results[i] {
        Ok(appended) => (
            appended.message.session_id.clone(),
            appended.message.seq,
            appended.created,
        ),
        Err(err) => panic!("slot {i}: {err:?}"),
    };
    assert_eq!(seq_of(0), (b.id.clone(), 1, true));
    assert_eq!(seq_of(1), (a.id.clone(), 1, true));
    assert!(
        matches!(results[2], Err(StoreError::NotFound)),
        "{:?}",
        results[2]
    );
    assert_eq!(seq_of(3), (a.id.clone(), 2, true));
    assert!(
        matches!(results[4], Err(StoreError::NotFound)),
        "{:?}",
        results[4]
    );
    assert_eq!(seq_of(5), (b.id.clone(), 2, true));

    let contents =
        |ms: Vec<crate::domain::Message>| ms.into_iter().map(|m| m.content).collect::<Vec<_>>();
    assert_eq!(
        contents(
            store
                .list_messages(&t.tenant, &a.id, history(None, None, 10))
                .await
                .expect("a")
        ),
        vec!["a1", "a2"]
    );
    assert_eq!(
        contents(
            store
                .list_messages(&t.tenant, &b.id, history(None, None, 10))
                .await
                .expect("b")
        ),
        vec!["b1", "b2"]
    );
    assert_eq!(
        store
            .get_session(&t.tenant, &a.id)
            .await
            .expect("a")
            .last_seq,
        2
    );
    assert!(store
        .append_messages(Vec::new())
        .await
        .expect("empty batch")
        .is_empty());
}

/// History reads the oldest `limit` after `after_seq`, the newest `limit` before a lone
/// `before_seq`, or the range between both, always in sequence order.
pub async fn history_reads_slices_after_and_before_a_sequence_number(store: Arc<dyn ChatStore>) {
    let t = tenancy(&store).await;
    let s = stored_session(&store, &t.widget, at(0)).await;
    let batch: Vec<NewMessage> = (1..=10)
        .map(|i| text(&s, &format!("m{i}"), None, at(i)))
        .collect();
    for r in store.append_messages(batch).await.expect("append") {
        r.expect("append");
    }
    let cases = [
        (history(None, None, 200), (1..=10).collect::<Vec<i64>>()),
        (history(None, None, 2), vec![1, 2]),
        (history(Some(3), None, 4), vec![4, 5, 6, 7]),
        (history(None, Some(8), 3), vec![5, 6, 7]),
        (history(None, Some(3), 50), vec![1, 2]),
        (history(Some(2), Some(6), 50), vec![3, 4, 5]),
        (history(Some(2), Some(9), 2), vec![3, 4]),
        (history(Some(10), None, 50), vec![]),
        (history(None, Some(1), 50), vec![]),
    ];
    for (query, expected) in cases {
        assert_eq!(seqs(&store, &s, query).await, expected, "{query:?}");
    }
    assert!(store
        .list_messages(&t.tenant, &SessionId::generate(), history(None, None, 10))
        .await
        .expect("unknown session")
        .is_empty());
}

/// A file message keeps its attachment metadata and a system message its event.
pub async fn file_and_system_messages_keep_their_attachment_and_event(store: Arc<dyn ChatStore>) {
    let t = tenancy(&store).await;
    let s = stored_session(&store, &t.widget, at(0)).await;
    let attachment = Attachment {
        id: AttachmentId::generate(),
        tenant_id: t.tenant.clone(),
        session_id: s.id.clone(),
        name: "invoice (1).pdf".into(),
        size: 48_213,
        content_type: "application/pdf".into(),
        storage_key: format!("{}/{}", t.tenant, uid()),
        uploaded_by: SenderType::Customer,
        created_at: at(1),
    };
    store
        .insert_attachment(&attachment)
        .await
        .expect("insert attachment");
    let mut file = text(&s, "here it is", Some("file-1"), at(2));
    file.kind = MessageKind::File;
    file.attachment = Some(attachment.clone());
    let mut system = text(&s, "Ada joined", None, at(3));
    system.sender_type = SenderType::System;
    system.kind = MessageKind::System;
    system.system_event = Some(SystemEvent::Joined);
    let mut from_agent = text(&s, "hi", None, at(4));
    from_agent.sender_type = SenderType::Agent;
    from_agent.sender_agent_id = Some(AgentId::new("agent-ada"));
    let expected: Vec<_> = [file.clone(), system.clone(), from_agent.clone()]
        .into_iter()
        .enumerate()
        .map(|(i, m)| m.into_message(i as i64 + 1))
        .collect();
    for m in [file, system, from_agent] {
        append(&store, m).await;
    }
    assert_eq!(
        store
            .list_messages(&t.tenant, &s.id, history(None, None, 10))
            .await
            .expect("history"),
        expected
    );
}

/// Attachment metadata round-trips; ids are unique.
pub async fn attachments_round_trip(store: Arc<dyn ChatStore>) {
    let t = tenancy(&store).await;
    let s = stored_session(&store, &t.widget, at(0)).await;
    let attachment = Attachment {
        id: AttachmentId::generate(),
        tenant_id: t.tenant.clone(),
        session_id: s.id.clone(),
        name: "photo.png".into(),
        size: 1,
        content_type: "image/png".into(),
        storage_key: "k/1".into(),
        uploaded_by: SenderType::Agent,
        created_at: at(1),
    };
    store.insert_attachment(&attachment).await.expect("insert");
    assert_eq!(
        store
            .get_attachment(&t.tenant, &attachment.id)
            .await
            .expect("get"),
        attachment
    );
    assert_conflict(
        store.insert_attachment(&attachment).await,
        "same attachment id",
    );
    assert_not_found(
        store
            .get_attachment(&t.tenant, &AttachmentId::generate())
            .await,
        "unknown attachment",
    );
}

// ---------------------------------------------------------------------------------------
// Agent tools
// ---------------------------------------------------------------------------------------

/// Notes are listed per session, oldest first.
pub async fn notes_are_listed_oldest_first_per_session(store: Arc<dyn ChatStore>) {
    let t = tenancy(&store).await;
    let s1 = stored_session(&store, &t.widget, at(0)).await;
    let s2 = stored_session(&store, &t.widget, at(0)).await;
    let note = |s: &Session, content: &str, when: DateTime<Utc>| Note {
        id: NoteId::generate(),
        tenant_id: t.tenant.clone(),
        session_id: s.id.clone(),
        author_agent_id: AgentId::new("agent-ada"),
        content: content.into(),
        created_at: when,
    };
    let later = note(&s1, "called back", at(2));
    let earlier = note(&s1, "VIP customer", at(1));
    let other = note(&s2, "other session", at(1));
    for n in [&later, &earlier, &other] {
        store.insert_note(n).await.expect("insert note");
    }
    assert_eq!(
        store.list_notes(&t.tenant, &s1.id).await.expect("s1"),
        vec![earlier, later]
    );
    assert_eq!(
        store.list_notes(&t.tenant, &s2.id).await.expect("s2"),
        vec![other]
    );
    assert!(store
        .list_notes(&t.tenant, &SessionId::generate())
        .await
        .expect("unknown")
        .is_empty());
}

/// Canned responses are created, listed by shortcut, updated and deleted; a shortcut is
/// unique within a tenant (on insert and on update) but not across tenants.
pub async fn canned_responses_are_managed_and_shortcuts_are_unique_per_tenant(
    store: Arc<dyn ChatStore>,
) {
    let tenant = unique_tenant();
    let canned = |tenant: &TenantId, shortcut: &str, text: &str| CannedResponse {
        id: CannedResponseId::generate(),
        tenant_id: tenant.clone(),
        shortcut: shortcut.into(),
        text: text.into(),
        created_at: at(1),
        updated_at: at(1),
    };
    let hello = canned(&tenant, "/hello", "Hello! How can I help?");
    let mut bye = canned(&tenant, "/bye", "Goodbye!");
    store
        .insert_canned_response(&hello)
        .await
        .expect("insert hello");
    store
        .insert_canned_response(&bye)
        .await
        .expect("insert bye");
    assert_conflict(
        store
            .insert_canned_response(&canned(&tenant, "/hello", "dup"))
            .await,
        "duplicate shortcut",
    );
    store
        .insert_canned_response(&canned(&unique_tenant(), "/hello", "other tenant"))
        .await
        .expect("same shortcut in another tenant");

    assert_eq!(
        store.list_canned_responses(&tenant).await.expect("list"),
        vec![bye.clone(), hello.clone()]
    );
    assert_eq!(
        store
            .get_canned_response(&tenant, &hello.id)
            .await
            .expect("get"),
        hello
    );

    let mut clash = bye.clone();
    clash.shortcut = "/hello".into();
    assert_conflict(
        store.update_canned_response(&clash).await,
        "update to a taken shortcut",
    );
    bye.text = "Bye, have a nice day!".into();
    bye.shortcut = "/ciao".into();
    bye.updated_at = at(2);
    store.update_canned_response(&bye).await.expect("update");
    assert_eq!(
        store
            .get_canned_response(&tenant, &bye.id)
            .await
            .expect("get"),
        bye
    );

    store
        .delete_canned_response(&tenant, &hello.id)
        .await
        .expect("delete");
    assert_not_found(
        store.get_canned_response(&tenant, &hello.id).await,
        "deleted",
    );
    assert_not_found(
        store.delete_canned_response(&tenant, &hello.id).await,
        "deleted twice",
    );
    assert_not_found(store.update_canned_response(&hello).await, "update deleted");
    // The shortcut is free again.
    store
        .insert_canned_response(&canned(&tenant, "/hello", "Hi again"))
        .await
        .expect("reuse shortcut");
    assert_eq!(
        store
            .list_canned_responses(&tenant)
            .await
            .expect("list")
            .len(),
        2
    );
}

/// A read marker only moves forward; each participant has its own.
pub async fn read_markers_never_move_backward(store: Arc<dyn ChatStore>) {
    let t = tenancy(&store).await;
    let s = stored_session(&store, &t.widget, at(0)).await;
    let marker = |participant: &str, seq: i64, when: DateTime<Utc>| ReadMarker {
        session_id: s.id.clone(),
        participant: participant.into(),
        last_read_seq: seq,
        updated_at: when,
    };
    let customer = ReadMarker::CUSTOMER;
    let ada = ReadMarker::agent_key(&AgentId::new("agent-ada"));

    let stored = store
        .advance_read_marker(&t.tenant, &marker(customer, 5, at(1)))
        .await
        .expect("5");
    assert_eq!(stored, marker(customer, 5, at(1)));
    let stored = store
        .advance_read_marker(&t.tenant, &marker(customer, 3, at(2)))
        .await
        .expect("3");
    assert_eq!(
        stored,
        marker(customer, 5, at(1)),
        "a lower seq does not move it back"
    );
    let stored = store
        .advance_read_marker(&t.tenant, &marker(customer, 7, at(3)))
        .await
        .expect("7");
    assert_eq!(stored, marker(customer, 7, at(3)));
    store
        .advance_read_marker(&t.tenant, &marker(&ada, 2, at(4)))
        .await
        .expect("ada");

    let mut markers = store
        .list_read_markers(&t.tenant, &s.id)
        .await
        .expect("list");
    markers.sort_by(|a, b| a.participant.cmp(&b.participant));
    assert_eq!(
        markers,
        vec![marker(&ada, 2, at(4)), marker(customer, 7, at(3))]
    );
}

// ---------------------------------------------------------------------------------------
// Tenant isolation
// ---------------------------------------------------------------------------------------

/// Another tenant can neither see, list, update nor delete a tenant's widget.
pub async fn another_tenant_cannot_read_or_change_widgets(store: Arc<dyn ChatStore>) {
    let a = tenancy(&store).await;
    let b = unique_tenant();
    assert_not_found(store.get_widget(&b, &a.widget.id).await, "get");
    let mut hijack = a.widget.clone();
    hijack.tenant_id = b.clone();
    hijack.name = "Hijacked".into();
    assert_not_found(store.update_widget(&hijack).await, "update");
    assert_not_found(store.delete_widget(&b, &a.widget.id).await, "delete");
    assert!(store.list_widgets(&b, None).await.expect("list").is_empty());
    assert!(store
        .list_widgets(&b, Some(std::slice::from_ref(&a.project)))
        .await
        .expect("list by project")
        .is_empty());
    assert_eq!(
        store
            .get_widget(&a.tenant, &a.widget.id)
            .await
            .expect("still there"),
        a.widget
    );
}

/// Another tenant can neither see, list, search, count, update nor append to a tenant's
/// session, nor read its messages.
pub async fn another_tenant_cannot_read_or_change_sessions_or_their_messages(
    store: Arc<dyn ChatStore>,
) {
    let a = tenancy(&store).await;
    let b = tenancy(&store).await;
    let ada = AgentId::new("agent-ada");
    let mut s = session(&a.widget, at(1));
    s.customer_email = Some("ann@example.com".into());
    s.customer_name = Some("Ann".into());
    s.assign_to(ada.clone(), at(1)).expect("assign");
    insert(&store, &s).await;
    append(&store, text(&s, "secret", Some("k"), at(2))).await;
    let before = store.get_session(&a.tenant, &s.id).await.expect("get");

    assert_not_found(store.get_session(&b.tenant, &s.id).await, "get");
    let mut hijack = before.clone();
    hijack.tenant_id = b.tenant.clone();
    hijack.status = SessionStatus::Ended;
    assert_not_found(store.update_session(&hijack).await, "update");

    for f in [
        filter(),
        SessionFilter {
            query: Some("ann".into()),
            ..filter()
        },
        SessionFilter {
            assigned_agent_id: Some(ada.clone()),
            ..filter()
        },
        SessionFilter {
            widget_id: Some(a.widget.id.clone()),
            ..filter()
        },
        SessionFilter {
            project_ids: Some(vec![a.project.clone()]),
            ..filter()
        },
    ] {
        assert!(listed(&store, &b.tenant, f).await.is_empty());
    }
    assert!(store
        .customer_sessions(&b.tenant, "ann@example.com", None, 10)
        .await
        .expect("customer sessions")
        .is_empty());
    assert_eq!(
        store
            .count_open_sessions_for_agent(&b.tenant, &ada)
            .await
            .expect("count"),
        0
    );

    assert!(store
        .list_messages(&b.tenant, &s.id, history(None, None, 10))
        .await
        .expect("messages")
        .is_empty());
    let mut foreign = text(&s, "injected", None, at(3));
    foreign.tenant_id = b.tenant.clone();
    let mut foreign_retry = text(&s, "injected", Some("k"), at(3));
    foreign_retry.tenant_id = b.tenant.clone();
    let results = store
        .append_messages(vec![foreign, foreign_retry])
        .await
        .expect("append");
    for r in &results {
        assert!(matches!(r, Err(StoreError::NotFound)), "{r:?}");
    }

    assert_eq!(
        store
            .get_session(&a.tenant, &s.id)
            .await
            .expect("unchanged"),
        before
    );
    assert_eq!(seqs(&store, &s, history(None, None, 10)).await, vec![1]);
}

/// Another tenant sees none of a session's notes, attachments or read markers and cannot
/// move its markers.
pub async fn another_tenant_cannot_read_or_change_notes_attachments_and_read_markers(
    store: Arc<dyn ChatStore>,
) {
    let a = tenancy(&store).await;
    let b = unique_tenant();
    let s = stored_session(&store, &a.widget, at(0)).await;
    store
        .insert_note(&Note {
            id: NoteId::generate(),
            tenant_id: a.tenant.clone(),
            session_id: s.id.clone(),
            author_agent_id: AgentId::new("agent-ada"),
            content: "internal".into(),
            created_at: at(1),
        })
        .await
        .expect("note");
    let attachment = Attachment {
        id: AttachmentId::generate(),
        tenant_id: a.tenant.clone(),
        session_id: s.id.clone(),
        name: "a.txt".into(),
        size: 3,
        content_type: "text/plain".into(),
        storage_key: "k".into(),
        uploaded_by: SenderType::Customer,
        created_at: at(1),
    };
    store
        .insert_attachment(&attachment)
        .await
        .expect("attachment");
    let marker = ReadMarker {
        session_id: s.id.clone(),
        participant: ReadMarker::CUSTOMER.into(),
        last_read_seq: 1,
        updated_at: at(1),
    };
    store
        .advance_read_marker(&a.tenant, &marker)
        .await
        .expect("marker");

    assert!(store.list_notes(&b, &s.id).await.expect("notes").is_empty());
    assert_not_found(store.get_attachment(&b, &attachment.id).await, "attachment");
    assert!(store
        .list_read_markers(&b, &s.id)
        .await
        .expect("markers")
        .is_empty());
    let pushed = ReadMarker {
        last_read_seq: 99,
        updated_at: at(2),
        ..marker.clone()
    };
    assert_not_found(
        store.advance_read_marker(&b, &pushed).await,
        "advance marker",
    );
    assert_eq!(
        store
            .list_read_markers(&a.tenant, &s.id)
            .await
            .expect("markers"),
        vec![marker]
    );
    assert_eq!(
        store
            .list_notes(&a.tenant, &s.id)
            .await
            .expect("notes")
            .len(),
        1
    );
}

/// Another tenant can neither see, list, update nor delete a tenant's canned responses.
pub async fn another_tenant_cannot_read_or_change_canned_responses(store: Arc<dyn ChatStore>) {
    let a = unique_tenant();
    let b = unique_tenant();
    let canned = CannedResponse {
        id: CannedResponseId::generate(),
        tenant_id: a.clone(),
        shortcut: "/hello".into(),
        text: "Hello!".into(),
        created_at: at(1),
        updated_at: at(1),
    };
    store.insert_canned_response(&canned).await.expect("insert");
    assert_not_found(store.get_canned_response(&b, &canned.id).await, "get");
    let hijack = CannedResponse {
        tenant_id: b.clone(),
        text: "Hijacked".into(),
        ..canned.clone()
    };
    assert_not_found(store.update_canned_response(&hijack).await, "update");
    assert_not_found(store.delete_canned_response(&b, &canned.id).await, "delete");
    assert!(store
        .list_canned_responses(&b)
        .await
        .expect("list")
        .is_empty());
    assert_eq!(
        store
            .get_canned_response(&a, &canned.id)
            .await
            .expect("still there"),
        canned
    );
}

// ---------------------------------------------------------------------------------------
// Concurrency
// ---------------------------------------------------------------------------------------

/// Fifty concurrent appends to one session get 1..=50, each number once, no gap.
pub async fn fifty_concurrent_appends_to_one_session_get_every_sequence_number_once(
    store: Arc<dyn ChatStore>,
) {
    let t = tenancy(&store).await;
    let s = stored_session(&store, &t.widget, at(0)).await;
    let tasks: Vec<_> = (0..50_i64)
        .map(|i| {
            let store = store.clone();
            let client_id = (i % 2 == 0).then(|| format!("c-{i}"));
            let message = text(&s, &format!("m{i}"), client_id.as_deref(), at(i));
            tokio::spawn(async move { store.append_messages(vec![message]).await })
        })
        .collect();
    let mut numbers = Vec::new();
    for task in tasks {
        let mut results = task.await.expect("task").expect("append");
        let appended = results.remove(0).expect("append message");
        assert!(appended.created);
        numbers.push(appended.message.seq);
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=50).collect::<Vec<i64>>());

    let stored = store
        .list_messages(&t.tenant, &s.id, history(None, None, 200))
        .await
        .expect("history");
    assert_eq!(
        stored.iter().map(|m| m.seq).collect::<Vec<_>>(),
        (1..=50).collect::<Vec<i64>>()
    );
    let ids: HashSet<&MessageId> = stored.iter().map(|m| &m.id).collect();
    assert_eq!(ids.len(), 50);
    assert_eq!(
        store
            .get_session(&t.tenant, &s.id)
            .await
            .expect("get")
            .last_seq,
        50
    );
}

/// Ten concurrent sends of one `client_message_id` store one message; every caller gets it.
pub async fn concurrent_retries_of_one_client_message_id_store_one_message(
    store: Arc<dyn ChatStore>,
) {
    let t = tenancy(&store).await;
    let s = stored_session(&store, &t.widget, at(0)).await;
    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let store = store.clone();
            let message = text(&s, &format!("attempt {i}"), Some("same-key"), at(i));
            tokio::spawn(async move { store.append_messages(vec![message]).await })
        })
        .collect();
    let mut created = 0;
    let mut returned = Vec::new();
    for task in tasks {
        let mut results = task.await.expect("task").expect("append");
        let appended = results.remove(0).expect("append message");
        if appended.created {
            created += 1;
        }
        returned.push(appended.message);
    }
    assert_eq!(created, 1, "exactly one attempt stores the message");
    assert!(
        returned.iter().all(|m| m == &returned[0]),
        "everyone gets the stored message"
    );
    assert_eq!(returned[0].seq, 1);
    assert_eq!(seqs(&store, &s, history(None, None, 50)).await, vec![1]);
    assert_eq!(
        store
            .get_session(&t.tenant, &s.id)
            .await
            .expect("get")
            .last_seq,
        1
    );
}

/// Concurrent batches touching the same two sessions in opposite orders all complete (no
/// deadlock) and number each session's messages gaplessly.
pub async fn concurrent_batches_over_the_same_sessions_all_complete(store: Arc<dyn ChatStore>) {
    let t = tenancy(&store).await;
    let a = stored_session(&store, &t.widget, at(0)).await;
    let b = stored_session(&store, &t.widget, at(0)).await;
    let tasks: Vec<_> = (0..10_i64)
        .map(|i| {
            let store = store.clone();
            let (first, second) = if i % 2 == 0 { (&a, &b) } else { (&b, &a) };
            let batch = vec![
                text(first, &format!("x{i}"), None, at(i)),
                text(second, &format!("y{i}"), None, at(i)),
            ];
            tokio::spawn(async move { store.append_messages(batch).await })
        })
        .collect();
    for task in tasks {
        for r in task.await.expect("task").expect("batch") {
            r.expect("append");
        }
    }
    for s in [&a, &b] {
        assert_eq!(
            seqs(&store, s, history(None, None, 50)).await,
            (1..=10).collect::<Vec<i64>>()
        );
    }
}
