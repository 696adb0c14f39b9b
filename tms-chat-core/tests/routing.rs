//! Routing, capacity and presence through the chat service on the in-memory store and the
//! manual clock: an agent's open sessions never exceed their limit on any path; presence
//! follows sockets and choices, with a grace period.

#![allow(clippy::unwrap_used)] // Tests unwrap: a panic is a failed test.

use chrono::{Duration, TimeZone, Utc};
use std::sync::Arc;
use tms_chat_core::clock::ManualClock;
use tms_chat_core::domain::{Agent, Presence, Role, Session, SessionStatus};
use tms_chat_core::ids::TenantId;
use tms_chat_core::notify::{ChatEvent, LocalNotifier, Notifier as _, Subscriber, Topic};
use tms_chat_core::service::{ChatService, StartCustomerSession, TransferRequest};
use tms_chat_core::store::ChatStore;
use tms_chat_core::test_utils::{seed_agents, seed_tenant, seed_widget, MemoryStore};

const ORIGIN: Option<&str> = Some("https://shop.example.com");

struct World {
    svc: Arc<ChatService>,
    clock: Arc<ManualClock>,
    notifier: Arc<LocalNotifier>,
    tenant: TenantId,
    supervisor: Agent,
    widget: tms_chat_core::domain::Widget,
}

async fn world() -> World {
    let store: Arc<dyn ChatStore> = Arc::new(MemoryStore::new());
    let unique = uuid::Uuid::now_v7().simple().to_string();
    let tenant = TenantId::new(format!("t-{unique}"));
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 25, 15, 0, 0).unwrap(),
    ));
    let notifier = Arc::new(LocalNotifier::new());
    let svc = ChatService::builder(store.clone())
        .clock(clock.clone())
        .notifier(notifier.clone())
        .build();
    seed_tenant(&*store, &tenant, "Acme").await;
    let supervisor = Agent::new("boss", tenant.clone(), "Bo Boss")
        .with_role(Role::Supervisor)
        .with_role(Role::Admin);
    seed_agents(&*store, &[&supervisor]).await;
    let widget = seed_widget(&svc, &supervisor, "Support", "shop.example.com").await;
    World {
        svc: Arc::new(svc),
        clock,
        notifier,
        tenant,
        supervisor,
        widget,
    }
}

impl World {
    /// A plain agent of the tenant with a session limit, stored.
    async fn agent(&self, id: &str, max: Option<u32>) -> Agent {
        let agent = Agent {
            max_concurrent_sessions: max,
            ..Agent::new(id, self.tenant.clone(), id.to_uppercase())
        };
        self.svc.store().upsert_agent(&agent).await.unwrap();
        agent
    }

    /// A customer's new waiting session.
    async fn waiting(&self) -> Session {
        self.svc
            .start_customer_session(
                &self.widget.id,
                ORIGIN,
                StartCustomerSession {
                    customer_email: Some("ann@example.com".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .session
    }

    async fn open_sessions(&self, agent: &Agent) -> u64 {
        self.svc
            .store()
            .count_open_sessions_for_agent(&self.tenant, &agent.id)
            .await
            .unwrap()
    }
}

fn to_agent(agent: &Agent) -> TransferRequest {
    TransferRequest {
        agent_id: Some(agent.id.clone()),
        department: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_concurrent_assign_to_me_at_a_limit_of_two_let_exactly_two_through() {
    let w = world().await;
    let sam = w.agent("sam", Some(2)).await;
    let mut sessions = Vec::new();
    for _ in 0..8 {
        sessions.push(w.waiting().await);
    }
    let tasks: Vec<_> = sessions
        .iter()
        .map(|s| {
            let (svc, sam, id) = (w.svc.clone(), sam.clone(), s.id.clone());
            tokio::spawn(async move { svc.assign_session(&sam, &id, None).await })
        })
        .collect();
    let mut taken = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(s) => {
                assert_eq!(s.status, SessionStatus::Active);
                taken += 1;
            }
            Err(e) => {
                assert_eq!(e.code(), "session_limit_reached", "{e}");
                assert_eq!(e.http_status(), 409);
            }
        }
    }
    assert_eq!(taken, 2);
    assert_eq!(w.open_sessions(&sam).await, 2);
}

#[tokio::test]
async fn a_supervisor_cannot_assign_an_agent_past_their_limit() {
    let w = world().await;
    let sam = w.agent("sam", Some(1)).await;
    let (first, second) = (w.waiting().await, w.waiting().await);
    w.svc
        .assign_session(&w.supervisor, &first.id, Some(&sam.id))
        .await
        .unwrap();
    let err = w
        .svc
        .assign_session(&w.supervisor, &second.id, Some(&sam.id))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "session_limit_reached");
    let second = w
        .svc
        .store()
        .get_session(&w.tenant, &second.id)
        .await
        .unwrap();
    assert_eq!(second.status, SessionStatus::Waiting);
    assert_eq!(second.assigned_agent_id, None);
}

#[tokio::test]
async fn a_transfer_to_an_agent_at_the_limit_is_refused_when_it_is_made() {
    let w = world().await;
    let sam = w.agent("sam", Some(1)).await;
    let kim = w.agent("kim", None).await;
    let (held, other) = (w.waiting().await, w.waiting().await);
    w.svc.assign_session(&sam, &held.id, None).await.unwrap();
    w.svc.assign_session(&kim, &other.id, None).await.unwrap();
    let err = w
        .svc
        .transfer_session(&kim, &other.id, to_agent(&sam))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "session_limit_reached");
    let other = w
        .svc
        .store()
        .get_session(&w.tenant, &other.id)
        .await
        .unwrap();
    assert_eq!(other.assigned_agent_id.as_ref(), Some(&kim.id));
    assert_eq!(w.open_sessions(&sam).await, 1);
}

#[tokio::test]
async fn a_transfer_of_a_session_the_receiver_already_counts_is_within_the_limit() {
    let w = world().await;
    let sam = w.agent("sam", Some(1)).await;
    let s = w.waiting().await;
    w.svc.assign_session(&sam, &s.id, None).await.unwrap();
    // Sent to Sam, then taken by Sam: it is the one session Sam holds throughout.
    let moved = w
        .svc
        .transfer_session(&w.supervisor, &s.id, to_agent(&sam))
        .await
        .unwrap();
    assert_eq!(moved.status, SessionStatus::Transferred);
    let taken = w.svc.assign_session(&sam, &s.id, None).await.unwrap();
    assert_eq!(taken.status, SessionStatus::Active);
}

#[tokio::test]
async fn taking_a_department_transfer_respects_the_limit() {
    let w = world().await;
    let sam = Agent {
        departments: vec!["billing".into()],
        ..w.agent("sam", Some(1)).await
    };
    w.svc.store().upsert_agent(&sam).await.unwrap();
    let (held, sent) = (w.waiting().await, w.waiting().await);
    w.svc.assign_session(&sam, &held.id, None).await.unwrap();
    let request = TransferRequest {
        agent_id: None,
        department: Some("billing".into()),
    };
    w.svc
        .transfer_session(&w.supervisor, &sent.id, request)
        .await
        .unwrap();
    let err = w
        .svc
        .assign_session(&sam, &sent.id, None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "session_limit_reached");
    w.svc
        .end_session(&tms_chat_core::auth::Actor::Agent(&sam), &held.id)
        .await
        .unwrap();
    let taken = w.svc.assign_session(&sam, &sent.id, None).await.unwrap();
    assert_eq!(taken.assigned_agent_id.as_ref(), Some(&sam.id));
}

#[tokio::test]
async fn a_missing_limit_is_unlimited() {
    let w = world().await;
    let kim = w.agent("kim", None).await;
    for _ in 0..5 {
        let s = w.waiting().await;
        w.svc.assign_session(&kim, &s.id, None).await.unwrap();
    }
    assert_eq!(w.open_sessions(&kim).await, 5);
}

// --- presence ---

/// The next `presence_changed` on `rx`, as (agent, presence).
fn next_presence(
    rx: &mut tokio::sync::mpsc::Receiver<Arc<tms_chat_core::notify::Envelope>>,
) -> Option<(String, Presence)> {
    while let Ok(env) = rx.try_recv() {
        if let ChatEvent::PresenceChanged { agent_id, presence } = &env.event {
            return Some((agent_id.to_string(), *presence));
        }
    }
    None
}

#[tokio::test]
async fn a_socket_brings_the_agent_online_and_the_grace_period_takes_them_offline() {
    let w = world().await;
    let sam = w.agent("sam", None).await;
    let (sub, mut rx) = Subscriber::channel(64);
    w.notifier.subscribe(Topic::Tenant(w.tenant.clone()), &sub);
    let team = w.svc.team(&sam).await.unwrap();
    assert!(team.iter().all(|m| m.presence == Presence::Offline));

    w.svc.agent_socket_opened(&sam).await.unwrap();
    assert_eq!(
        next_presence(&mut rx),
        Some(("sam".into(), Presence::Online))
    );
    w.svc.agent_socket_closed(&sam).await.unwrap();
    assert_eq!(
        next_presence(&mut rx),
        None,
        "the grace period keeps them online"
    );

    w.clock.advance(Duration::seconds(29));
    assert_eq!(w.svc.expire_presence_grace().await.unwrap(), 0);
    w.clock.advance(Duration::seconds(1));
    assert_eq!(w.svc.expire_presence_grace().await.unwrap(), 1);
    assert_eq!(
        next_presence(&mut rx),
        Some(("sam".into(), Presence::Offline))
    );
    assert_eq!(
        w.svc.expire_presence_grace().await.unwrap(),
        0,
        "fires once"
    );
}

#[tokio::test]
async fn a_reconnect_within_the_grace_period_is_not_an_absence() {
    let w = world().await;
    let sam = w.agent("sam", None).await;
    w.svc.agent_socket_opened(&sam).await.unwrap();
    w.svc.agent_socket_closed(&sam).await.unwrap();
    w.clock.advance(Duration::seconds(10));
    w.svc.agent_socket_opened(&sam).await.unwrap();
    w.clock.advance(Duration::seconds(60));
    assert_eq!(w.svc.expire_presence_grace().await.unwrap(), 0);
    let presence = w.svc.presence_of_tenant(&w.tenant).await.unwrap();
    assert_eq!(presence.get(&sam.id), Some(&Presence::Online));
}

#[tokio::test]
async fn the_chosen_status_is_kept_and_comes_back_with_the_next_socket() {
    let w = world().await;
    let sam = w.agent("sam", None).await;
    w.svc.agent_socket_opened(&sam).await.unwrap();
    let away = w.svc.set_presence(&sam, Presence::Away).await.unwrap();
    assert_eq!(away, Presence::Away);
    w.svc.agent_socket_closed(&sam).await.unwrap();
    w.clock.advance(Duration::seconds(31));
    w.svc.expire_presence_grace().await.unwrap();
    w.svc.agent_socket_opened(&sam).await.unwrap();
    let presence = w.svc.presence_of_tenant(&w.tenant).await.unwrap();
    assert_eq!(presence.get(&sam.id), Some(&Presence::Away));
}

#[tokio::test]
async fn the_team_list_carries_presence_load_and_limits() {
    let w = world().await;
    let sam = Agent {
        departments: vec!["billing".into()],
        skills: vec!["fr".into()],
        ..w.agent("sam", Some(3)).await
    };
    w.svc.store().upsert_agent(&sam).await.unwrap();
    let s = w.waiting().await;
    w.svc.assign_session(&sam, &s.id, None).await.unwrap();
    w.svc.agent_socket_opened(&sam).await.unwrap();
    let team = w.svc.team(&w.supervisor).await.unwrap();
    let member = team.iter().find(|m| m.agent.id == sam.id).unwrap();
    assert_eq!(member.presence, Presence::Online);
    assert_eq!(member.active_sessions, 1);
    assert_eq!(member.agent.max_concurrent_sessions, Some(3));
    assert_eq!(member.agent.skills, vec!["fr".to_owned()]);
}

#[tokio::test]
async fn presence_changes_reach_only_the_agents_own_tenant_and_never_customers() {
    let w = world().await;
    let sam = w.agent("sam", None).await;
    let s = w.waiting().await;
    let foreign = TenantId::new("someone-else");
    let (sub, mut rx) = Subscriber::channel(64);
    w.notifier.subscribe(Topic::Tenant(foreign), &sub);
    w.notifier.subscribe(Topic::Session(s.id.clone()), &sub);
    w.svc.agent_socket_opened(&sam).await.unwrap();
    w.svc.set_presence(&sam, Presence::Away).await.unwrap();
    assert_eq!(next_presence(&mut rx), None);
}
