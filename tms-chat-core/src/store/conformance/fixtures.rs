//! What every section of the store conformance suite builds on: unique tenants, fixed instants,
//! fully populated widgets, sessions and messages, the seeding helpers that store them, and
//! the assertions on `NotFound` and `Conflict`.

use std::fmt::Debug;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::domain::{
    BusinessHours, DayHours, MessageKind, NewMessage, OfflineBehavior, Project, RoutingMode,
    RoutingSettings, SenderType, Session, SessionStatus, Tenant, Widget, WidgetPosition,
    WidgetTheme,
};
use crate::error::StoreError;
use crate::ids::{MessageId, ProjectId, SessionId, TenantId, WidgetId};
use crate::store::{Appended, ChatStore, HistoryQuery, SessionFilter, StoreResult, MAX_PAGE_SIZE};

pub(super) fn uid() -> String {
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

/// Seconds to add to [`at`]'s argument so that this run's instants come before every earlier
/// run's (each run starts further back, by the seconds passed since the fixtures' epoch). A
/// test of a list across tenants (oldest first, a page at a time) shifts its instants by it:
/// on a shared database earlier runs left theirs at the same instants, and would fill the
/// page before this run's.
pub(super) fn before_earlier_runs() -> i64 {
    at(0).timestamp() - Utc::now().timestamp()
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
        theme: WidgetTheme::Dark,
        typing_preview: true,
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
        routing: RoutingSettings {
            mode: RoutingMode::LeastBusy,
            department: Some("billing".into()),
            required_skills: vec!["fr".into()],
            reassign_after_seconds: Some(120),
            offline_when_no_agents: true,
        },
        auto_end_after_minutes: Some(30),
        retention_days: None,
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
        awaiting_reply_since: None,
        last_customer_message_at: None,
        assigned_at: None,
        first_assigned_at: None,
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
pub(super) struct Tenancy {
    pub(super) tenant: TenantId,
    pub(super) project: ProjectId,
    pub(super) widget: Widget,
}

pub(super) async fn tenancy(store: &Arc<dyn ChatStore>) -> Tenancy {
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

pub(super) async fn insert(store: &Arc<dyn ChatStore>, session: &Session) {
    store
        .insert_session(session, &format!("hash-{}", uid()))
        .await
        .expect("insert session");
}

/// A stored waiting session of `widget` with activity `at`.
pub(super) async fn stored_session(
    store: &Arc<dyn ChatStore>,
    widget: &Widget,
    at: DateTime<Utc>,
) -> Session {
    let s = session(widget, at);
    insert(store, &s).await;
    s
}

pub(super) async fn append(store: &Arc<dyn ChatStore>, message: NewMessage) -> Appended {
    let mut results = store
        .append_messages(vec![message])
        .await
        .expect("append batch");
    assert_eq!(results.len(), 1, "one result per message");
    results.remove(0).expect("append message")
}

pub(super) async fn seqs(
    store: &Arc<dyn ChatStore>,
    session: &Session,
    query: HistoryQuery,
) -> Vec<i64> {
    store
        .list_messages(&session.tenant_id, &session.id, query)
        .await
        .expect("list messages")
        .iter()
        .map(|m| m.seq)
        .collect()
}

pub(super) fn history(after_seq: Option<i64>, before_seq: Option<i64>, limit: u32) -> HistoryQuery {
    HistoryQuery {
        after_seq,
        before_seq,
        limit,
    }
}

pub(super) fn filter() -> SessionFilter {
    SessionFilter {
        limit: MAX_PAGE_SIZE,
        ..SessionFilter::default()
    }
}

pub(super) async fn listed(
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
pub(super) fn newest_first(sessions: &[&Session]) -> Vec<SessionId> {
    let mut sorted: Vec<&Session> = sessions.to_vec();
    sorted.sort_by(|a, b| {
        b.last_activity_at
            .cmp(&a.last_activity_at)
            .then_with(|| b.id.cmp(&a.id))
    });
    sorted.into_iter().map(|s| s.id.clone()).collect()
}

#[track_caller]
pub(super) fn assert_not_found<T: Debug>(result: StoreResult<T>, what: &str) {
    match result {
        Err(StoreError::NotFound) => {}
        other => panic!("{what}: expected NotFound, got {other:?}"),
    }
}

#[track_caller]
pub(super) fn assert_conflict<T: Debug>(result: StoreResult<T>, what: &str) {
    match result {
        Err(StoreError::Conflict(_)) => {}
        other => panic!("{what}: expected Conflict, got {other:?}"),
    }
}
