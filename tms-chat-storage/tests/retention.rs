//! Retention (`retention_days`) end to end on the SQL stores, driven by the manual clock:
//! the timers delete ended sessions older than their widget's retention with messages,
//! notes, read markers, attachment rows and files; newer ended sessions, open ones and those
//! of a widget that keeps everything (`null`) stay; the deletions are not audited. Two
//! services on one store (SQLite) and two nodes on one PostgreSQL database (`DATABASE_URL`)
//! running their timers at once delete each session once.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests unwrap: a panic is a failed test.

mod support;

use chrono::{DateTime, Duration, TimeZone, Utc};
use std::sync::Arc;
use tms_chat_core::auth::Actor;
use tms_chat_core::blob::BlobStore;
use tms_chat_core::clock::ManualClock;
use tms_chat_core::domain::{Agent, Role, Session, Widget, WidgetInput};
use tms_chat_core::ids::TenantId;
use tms_chat_core::service::{ChatService, SendMessage, StartCustomerSession, UploadedFile};
use tms_chat_core::store::{AuditFilter, ChatStore, HistoryQuery};
use tms_chat_core::test_utils::{seed_agents, seed_tenant};
use tms_chat_core::ChatError;
use tms_chat_storage::{PostgresStore, SqliteStore};

/// One node: a service over its store, its files in the database.
struct Node {
    store: Arc<dyn ChatStore>,
    files: Arc<dyn BlobStore>,
    svc: ChatService,
}

fn node(store: Arc<dyn ChatStore>, files: Arc<dyn BlobStore>, clock: &Arc<ManualClock>) -> Node {
    let svc = ChatService::builder(store.clone())
        .clock(clock.clone())
        .blob_store(files.clone())
        .build();
    Node { store, files, svc }
}

/// A session's stored rows, as far as the store still has them.
struct Leftovers {
    session: bool,
    messages: usize,
    notes: usize,
    read_markers: usize,
    file: bool,
}

impl Leftovers {
    async fn of(n: &Node, s: &Session, storage_key: &str) -> Leftovers {
        let (t, id) = (&s.tenant_id, &s.id);
        let history = HistoryQuery {
            limit: 200,
            ..HistoryQuery::default()
        };
        Leftovers {
            session: n.store.get_session(t, id).await.is_ok(),
            messages: n
                .store
                .list_messages(t, id, history)
                .await
                .map_or(0, |m| m.len()),
            notes: n.store.list_notes(t, id).await.map_or(0, |m| m.len()),
            read_markers: n
                .store
                .list_read_markers(t, id)
                .await
                .map_or(0, |m| m.len()),
            file: !matches!(n.files.get(storage_key).await, Err(ChatError::NotFound(_))),
        }
    }
}

/// The tenant, its admin and agent, and two widgets: one keeping ended sessions 30 days, one
/// keeping everything.
struct Tenancy {
    admin: Agent,
    agent: Agent,
    thirty_days: Widget,
    forever: Widget,
}

async fn tenancy(n: &Node) -> Tenancy {
    let tenant = TenantId::new(format!("ret-{}", uuid::Uuid::now_v7().simple()));
    seed_tenant(&*n.store, &tenant, "Retention").await;
    let admin = Agent::new("admin", tenant.clone(), "Ada").with_role(Role::Admin);
    let agent = Agent::new("agent-123", tenant.clone(), "Sam");
    seed_agents(&*n.store, &[&admin, &agent]).await;
    let widget = |name: &str, retention: Option<u32>| {
        let input = serde_json::json!({
            "name": name, "domain": "shop.example.com", "retention_days": retention,
        });
        serde_json::from_value::<WidgetInput>(input).unwrap()
    };
    let thirty_days = n
        .svc
        .create_widget(&admin, widget("Thirty", Some(30)))
        .await
        .unwrap();
    let forever = n
        .svc
        .create_widget(&admin, widget("Forever", None))
        .await
        .unwrap();
    assert_eq!(
        (thirty_days.retention_days, forever.retention_days),
        (Some(30), None)
    );
    Tenancy {
        admin,
        agent,
        thirty_days,
        forever,
    }
}

/// A session on `widget` started at `at` with a customer message, an agent reply, a note, a
/// read marker and a file; ended at `ended` unless `None`. Answers it and the file's key.
async fn conversation(
    n: &Node,
    clock: &ManualClock,
    t: &Tenancy,
    widget: &Widget,
    at: DateTime<Utc>,
    ended: Option<DateTime<Utc>>,
) -> (Session, String) {
    clock.set(at);
    let started = n
        .svc
        .start_customer_session(
            &widget.id,
            Some("https://shop.example.com"),
            StartCustomerSession {
                customer_email: Some("ann@example.com".into()),
                ..StartCustomerSession::default()
            },
        )
        .await
        .unwrap();
    let customer = n
        .svc
        .authenticate_customer(&started.customer_token)
        .await
        .unwrap();
    let id = &started.session.id;
    let say = |content: &str| SendMessage {
        content: content.into(),
        ..SendMessage::default()
    };
    n.svc
        .send_message(&Actor::Customer(&customer), id, say("my order"))
        .await
        .unwrap();
    let agent = Actor::Agent(&t.agent);
    n.svc.send_message(&agent, id, say("on it")).await.unwrap();
    n.svc.add_note(&t.agent, id, "VIP").await.unwrap();
    n.svc.mark_read(&agent, id, 1).await.unwrap();
    let file = UploadedFile {
        file_name: "receipt.txt".into(),
        bytes: bytes::Bytes::from_static(b"receipt"),
    };
    let attachment = n.svc.upload_attachment(&agent, id, file).await.unwrap();
    let key = attachment.storage_key.clone();
    let session = match ended {
        Some(end) => {
            clock.set(end);
            n.svc.end_session(&agent, id).await.unwrap()
        }
        None => started.session,
    };
    let kept = Leftovers::of(n, &session, &key).await;
    assert!(kept.session && kept.messages >= 2 && kept.notes == 1 && kept.file);
    assert!(kept.read_markers >= 1);
    (session, key)
}

/// The case, on `a` and `b`: two nodes over one database (or two services over one store).
async fn retention_deletes_each_expired_session_once(a: Node, b: Node, clock: Arc<ManualClock>) {
    // Far in the past, so nothing of other tests is due at the instants used here.
    let t0 = Utc.with_ymd_and_hms(2001, 3, 1, 12, 0, 0).unwrap();
    let now = t0 + Duration::days(40);
    // Anything a failed earlier run left behind goes first.
    clock.set(now + Duration::days(1));
    a.svc.run_due_timers().await.unwrap();

    let t = tenancy(&a).await;
    let day = |d: i64| t0 + Duration::days(d);
    let mut expired = Vec::new();
    for i in 0..4 {
        let ended = day(i) + Duration::hours(1);
        expired.push(conversation(&a, &clock, &t, &t.thirty_days, day(i), Some(ended)).await);
    }
    // Ended exactly 30 days before `now` is due; one second later is not.
    expired.push(conversation(&a, &clock, &t, &t.thirty_days, day(9), Some(day(10))).await);
    let recent_end = day(10) + Duration::seconds(1);
    let recent = conversation(&a, &clock, &t, &t.thirty_days, day(9), Some(recent_end)).await;
    let open = conversation(&a, &clock, &t, &t.thirty_days, day(0), None).await;
    let forever = conversation(&a, &clock, &t, &t.forever, day(0), Some(day(1))).await;
    let log = AuditFilter {
        limit: 200,
        ..AuditFilter::default()
    };
    let entries = a
        .svc
        .audit_log(&t.admin, log.clone())
        .await
        .unwrap()
        .entries
        .len();

    clock.set(now);
    let (pass_a, pass_b) = tokio::join!(a.svc.run_due_timers(), b.svc.run_due_timers());
    let deleted = pass_a.unwrap().sessions_deleted + pass_b.unwrap().sessions_deleted;
    assert_eq!(deleted, expired.len(), "each expired session deleted once");
    for (session, key) in &expired {
        let gone = Leftovers::of(&b, session, key).await;
        assert!(!gone.session, "session {} deleted", session.id);
        assert_eq!(
            (gone.messages, gone.notes, gone.read_markers, gone.file),
            (0, 0, 0, false),
            "nothing of {} left",
            session.id
        );
    }
    for (what, (session, key)) in [("recent", &recent), ("open", &open), ("forever", &forever)] {
        let kept = Leftovers::of(&b, session, key).await;
        assert!(kept.session && kept.messages >= 2, "{what} kept");
        assert!(
            kept.notes == 1 && kept.read_markers >= 1 && kept.file,
            "{what}"
        );
    }
    let after = a.svc.audit_log(&t.admin, log).await.unwrap().entries.len();
    assert_eq!(after, entries, "retention is not audited");

    // A second later the recent one is due as well; a pass with nothing due deletes nothing.
    clock.set(now + Duration::seconds(1));
    assert_eq!(b.svc.run_due_timers().await.unwrap().sessions_deleted, 1);
    assert!(a
        .store
        .get_session(&recent.0.tenant_id, &recent.0.id)
        .await
        .is_err());
    assert_eq!(a.svc.run_due_timers().await.unwrap().sessions_deleted, 0);
    for (session, key) in [&open, &forever] {
        assert!(Leftovers::of(&a, session, key).await.session);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_deletes_expired_sessions_once_on_sqlite() {
    let store = Arc::new(SqliteStore::connect("sqlite::memory:").await.expect("open"));
    let files: Arc<dyn BlobStore> = Arc::new(store.files());
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let shared: Arc<dyn ChatStore> = store;
    let a = node(shared.clone(), files.clone(), &clock);
    let b = node(shared, files, &clock);
    retention_deletes_each_expired_session_once(a, b, clock).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_deletes_expired_sessions_once_across_postgres_nodes() {
    let Some(url) = support::database_url() else {
        return;
    };
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let mut nodes = Vec::new();
    for _ in 0..2 {
        let store = Arc::new(PostgresStore::connect(&url).await.expect("node"));
        let files: Arc<dyn BlobStore> = Arc::new(store.files());
        nodes.push(node(store, files, &clock));
    }
    let b = nodes.pop().expect("node b");
    let a = nodes.pop().expect("node a");
    retention_deletes_each_expired_session_once(a, b, clock).await;
}
