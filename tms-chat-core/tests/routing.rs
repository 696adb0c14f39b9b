//! Routing, capacity and presence through the chat service on the in-memory store and the
//! manual clock: an agent's open sessions never exceed their limit on any path; presence
//! follows sockets and choices, with a grace period.

#![allow(clippy::unwrap_used)] // Tests unwrap: a panic is a failed test.

use chrono::{Duration, TimeZone, Utc};
use std::sync::Arc;
use tms_chat_core::auth::Actor;
use tms_chat_core::clock::Clock as _;
use tms_chat_core::clock::ManualClock;
use tms_chat_core::domain::{
    Agent, Presence, Role, RoutingMode, RoutingSettings, Session, SessionStatus, WidgetInput,
};
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
        .end_session(&Actor::Agent(&sam), &held.id)
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
fn next_presence(rx: &mut tms_chat_core::notify::EventReceiver) -> Option<(String, Presence)> {
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

// --- auto-assignment, departments, nobody online ---

impl World {
    /// Sets the widget's routing settings.
    async fn route(&mut self, routing: RoutingSettings) {
        let input = WidgetInput {
            routing: Some(routing),
            ..WidgetInput::default()
        };
        self.widget = self
            .svc
            .update_widget(&self.supervisor, &self.widget.id, input)
            .await
            .unwrap();
    }

    /// An agent with departments and skills, online (a console socket open).
    async fn online(
        &self,
        id: &str,
        max: Option<u32>,
        departments: &[&str],
        skills: &[&str],
    ) -> Agent {
        let agent = Agent {
            departments: departments.iter().map(|d| (*d).to_owned()).collect(),
            skills: skills.iter().map(|s| (*s).to_owned()).collect(),
            ..self.agent(id, max).await
        };
        self.svc.store().upsert_agent(&agent).await.unwrap();
        self.svc.agent_socket_opened(&agent).await.unwrap();
        agent
    }

    async fn stored(&self, s: &Session) -> Session {
        self.svc
            .store()
            .get_session(&self.tenant, &s.id)
            .await
            .unwrap()
    }
}

fn mode(mode: RoutingMode) -> RoutingSettings {
    RoutingSettings {
        mode,
        ..RoutingSettings::default()
    }
}

#[tokio::test]
async fn least_busy_gives_each_new_session_to_the_agent_with_the_fewest() {
    let mut w = world().await;
    w.route(mode(RoutingMode::LeastBusy)).await;
    let (ada, bob) = (
        w.online("ada", Some(5), &[], &[]).await,
        w.online("bob", Some(5), &[], &[]).await,
    );
    let mut counts = std::collections::HashMap::new();
    for _ in 0..4 {
        let s = w.waiting().await;
        assert_eq!(s.status, SessionStatus::Active, "assigned at once");
        *counts.entry(s.assigned_agent_id.unwrap()).or_insert(0) += 1;
    }
    assert_eq!(counts.get(&ada.id), Some(&2));
    assert_eq!(counts.get(&bob.id), Some(&2));
}

#[tokio::test]
async fn round_robin_takes_turns_and_skips_agents_who_are_away_or_full() {
    let mut w = world().await;
    w.route(mode(RoutingMode::RoundRobin)).await;
    let ada = w.online("ada", Some(1), &[], &[]).await;
    let bob = w.online("bob", None, &[], &[]).await;
    let cy = w.online("cy", None, &[], &[]).await;
    w.svc.set_presence(&cy, Presence::Away).await.unwrap();
    let order: Vec<_> = [w.waiting().await, w.waiting().await, w.waiting().await]
        .into_iter()
        .map(|s| s.assigned_agent_id.unwrap())
        .collect();
    // Ada first (never routed, first by id), Bob, then Bob again: Ada is full, Cy away.
    assert_eq!(order, vec![ada.id.clone(), bob.id.clone(), bob.id.clone()]);
}

#[tokio::test]
async fn with_nobody_eligible_sessions_wait_and_go_oldest_first_to_an_agent_coming_online() {
    let mut w = world().await;
    w.route(mode(RoutingMode::LeastBusy)).await;
    let (first, second, third) = (w.waiting().await, w.waiting().await, w.waiting().await);
    assert_eq!(first.status, SessionStatus::Waiting);
    let ada = w.agent("ada", Some(2)).await;
    w.svc.agent_socket_opened(&ada).await.unwrap();
    assert_eq!(
        w.stored(&first).await.assigned_agent_id.as_ref(),
        Some(&ada.id)
    );
    assert_eq!(
        w.stored(&second).await.assigned_agent_id.as_ref(),
        Some(&ada.id)
    );
    assert_eq!(
        w.stored(&third).await.status,
        SessionStatus::Waiting,
        "one per free place"
    );
    w.svc
        .end_session(&Actor::Agent(&ada), &first.id)
        .await
        .unwrap();
    assert_eq!(
        w.stored(&third).await.assigned_agent_id.as_ref(),
        Some(&ada.id)
    );
}

#[tokio::test]
async fn the_pool_is_the_widgets_department_and_required_skills_are_held() {
    let mut w = world().await;
    w.route(RoutingSettings {
        mode: RoutingMode::LeastBusy,
        department: Some("billing".into()),
        required_skills: vec!["fr".into()],
        ..RoutingSettings::default()
    })
    .await;
    w.online("outsider", None, &["sales"], &["fr"]).await;
    w.online("monolingual", None, &["billing"], &[]).await;
    let s = w.waiting().await;
    assert_eq!(s.status, SessionStatus::Waiting);
    let fit = w.online("fit", None, &["billing"], &["fr", "de"]).await;
    assert_eq!(w.stored(&s).await.assigned_agent_id.as_ref(), Some(&fit.id));
}

#[tokio::test]
async fn manual_mode_assigns_nothing() {
    let w = world().await;
    w.online("ada", None, &[], &[]).await;
    assert_eq!(w.waiting().await.status, SessionStatus::Waiting);
}

#[tokio::test]
async fn a_department_transfer_is_taken_only_by_its_members_or_supervisors() {
    let w = world().await;
    let member = w.online("member", None, &["billing"], &[]).await;
    let other = w.online("other", None, &["sales"], &[]).await;
    let s = w.waiting().await;
    let to_billing = TransferRequest {
        agent_id: None,
        department: Some("billing".into()),
    };
    w.svc
        .transfer_session(&w.supervisor, &s.id, to_billing)
        .await
        .unwrap();
    let err = w.svc.assign_session(&other, &s.id, None).await.unwrap_err();
    assert_eq!((err.code(), err.http_status()), ("forbidden", 403));
    let taken = w.svc.assign_session(&member, &s.id, None).await.unwrap();
    assert_eq!(taken.assigned_agent_id.as_ref(), Some(&member.id));
}

#[tokio::test]
async fn nobody_online_shows_in_the_public_config_and_refuses_sessions_when_asked() {
    let mut w = world().await;
    let config = w
        .svc
        .public_widget_config(&w.widget.id, ORIGIN)
        .await
        .unwrap();
    assert!(!config.agents_online);
    assert_eq!(
        w.waiting().await.status,
        SessionStatus::Waiting,
        "accepted by default"
    );
    w.route(RoutingSettings {
        offline_when_no_agents: true,
        required_skills: vec!["fr".into()],
        ..RoutingSettings::default()
    })
    .await;
    w.online("unskilled", None, &[], &[]).await;
    let err = w
        .svc
        .start_customer_session(&w.widget.id, ORIGIN, StartCustomerSession::default())
        .await
        .unwrap_err();
    assert_eq!(
        (err.code(), err.http_status()),
        ("no_agents_available", 409)
    );
    let busy = w.online("busy", Some(0), &[], &["fr"]).await;
    let config = w
        .svc
        .public_widget_config(&w.widget.id, ORIGIN)
        .await
        .unwrap();
    assert!(config.agents_online, "online whatever their load");
    w.svc.set_presence(&busy, Presence::Away).await.unwrap();
    assert!(
        !w.svc
            .public_widget_config(&w.widget.id, ORIGIN)
            .await
            .unwrap()
            .agents_online
    );
}

#[tokio::test]
async fn departments_list_their_agents_who_is_online_and_what_waits() {
    let mut w = world().await;
    w.route(RoutingSettings {
        department: Some("billing".into()),
        ..RoutingSettings::default()
    })
    .await;
    let ada = w.online("ada", None, &["billing", "sales"], &[]).await;
    let bob = Agent {
        departments: vec!["billing".into()],
        ..w.agent("bob", None).await
    };
    w.svc.store().upsert_agent(&bob).await.unwrap();
    w.waiting().await;
    w.waiting().await;
    let departments = w.svc.departments(&bob).await.unwrap();
    let names: Vec<_> = departments.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["billing", "sales"]);
    assert_eq!(departments[0].agents, vec![ada.id.clone(), bob.id.clone()]);
    assert_eq!((departments[0].online, departments[0].waiting), (1, 2));
    assert_eq!((departments[1].online, departments[1].waiting), (1, 0));
}

// --- the queue ---

#[tokio::test]
async fn waiting_customers_see_their_place_fall_as_sessions_ahead_are_taken() {
    let w = world().await;
    let sam = w.agent("sam", None).await;
    let (first, second, third) = (w.waiting().await, w.waiting().await, w.waiting().await);
    let place = w.svc.queue_place(&third).await.unwrap().unwrap();
    assert_eq!(
        (place.queue_position, place.estimated_wait_seconds),
        (3, None)
    );
    let (sub, mut rx) = Subscriber::channel(64);
    w.notifier.subscribe(Topic::Session(third.id.clone()), &sub);
    w.notifier
        .subscribe(Topic::Session(second.id.clone()), &sub);
    w.svc.assign_session(&sam, &first.id, None).await.unwrap();
    let mut updates = Vec::new();
    while let Ok(env) = rx.try_recv() {
        if let ChatEvent::QueueUpdated {
            session_id,
            queue_position,
            ..
        } = &env.event
        {
            updates.push((session_id.clone(), *queue_position));
        }
    }
    assert_eq!(updates, vec![(second.id.clone(), 1), (third.id.clone(), 2)]);
    assert_eq!(
        w.svc.queue_place(&w.stored(&first).await).await.unwrap(),
        None
    );
}

#[tokio::test]
async fn the_queue_board_is_for_supervisors_and_lists_waiting_sessions_oldest_first() {
    let w = world().await;
    let sam = w.agent("sam", Some(4)).await;
    let (older, newer) = (w.waiting().await, w.waiting().await);
    w.clock.advance(Duration::seconds(90));
    let err = w.svc.queue_board(&sam).await.unwrap_err();
    assert_eq!((err.code(), err.http_status()), ("forbidden", 403));
    let board = w.svc.queue_board(&w.supervisor).await.unwrap();
    let ids: Vec<_> = board.waiting.iter().map(|(s, _)| s.id.clone()).collect();
    assert_eq!(ids, vec![older.id, newer.id]);
    assert_eq!(board.waiting[0].1, 90);
    let listed = board.agents.iter().find(|m| m.agent.id == sam.id).unwrap();
    assert_eq!(listed.agent.max_concurrent_sessions, Some(4));
}

// --- timers ---

#[tokio::test]
async fn an_idle_session_is_ended_by_the_system_once() {
    let mut w = world().await;
    let input = WidgetInput {
        auto_end_after_minutes: Some(Some(10)),
        ..WidgetInput::default()
    };
    w.widget = w
        .svc
        .update_widget(&w.supervisor, &w.widget.id, input)
        .await
        .unwrap();
    let (idle, busy) = (w.waiting().await, w.waiting().await);
    w.clock.advance(Duration::minutes(6));
    let sam = w.agent("sam", None).await;
    w.svc.assign_session(&sam, &busy.id, None).await.unwrap();
    w.clock.advance(Duration::minutes(4));
    let pass = w.svc.run_due_timers().await.unwrap();
    assert_eq!(pass.sessions_ended, 1);
    let ended = w.stored(&idle).await;
    assert_eq!(ended.status, SessionStatus::Ended);
    assert_eq!(ended.ended_by, Some(tms_chat_core::domain::EndedBy::System));
    assert_eq!(
        w.stored(&busy).await.status,
        SessionStatus::Active,
        "active 4 minutes ago"
    );
    assert_eq!(
        w.svc.run_due_timers().await.unwrap().sessions_ended,
        0,
        "fires once"
    );
    w.clock.advance(Duration::minutes(6));
    assert_eq!(w.svc.run_due_timers().await.unwrap().sessions_ended, 1);
}

// --- reply tracking, reassignment, wait estimates, agent-started sessions ---

impl World {
    /// A customer's new session and the customer's principal.
    async fn customer(&self) -> (Session, tms_chat_core::auth::CustomerPrincipal) {
        let started = self
            .svc
            .start_customer_session(
                &self.widget.id,
                ORIGIN,
                StartCustomerSession {
                    customer_email: Some("ann@example.com".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let principal = self
            .svc
            .authenticate_customer(&started.customer_token)
            .await
            .unwrap();
        (started.session, principal)
    }

    async fn say(&self, actor: &Actor<'_>, s: &Session, text: &str) {
        let message = tms_chat_core::service::SendMessage {
            content: text.into(),
            ..Default::default()
        };
        self.svc.send_message(actor, &s.id, message).await.unwrap();
    }

    async fn unread(&self, agent: &Agent, s: &Session) -> u64 {
        let stored = self.stored(s).await;
        let counts = self
            .svc
            .unread_counts(agent, std::slice::from_ref(&stored))
            .await
            .unwrap();
        counts.get(&s.id).copied().unwrap_or(0)
    }
}

#[tokio::test]
async fn the_customers_wait_and_each_agents_unread_count_follow_the_conversation() {
    let w = world().await;
    let sam = w.agent("sam", None).await;
    let (s, customer) = w.customer().await;
    let customer = Actor::Customer(&customer);
    w.svc.assign_session(&sam, &s.id, None).await.unwrap();
    let asked = w.clock.now();
    w.say(&customer, &s, "hello").await;
    w.clock.advance(Duration::seconds(30));
    w.say(&customer, &s, "anyone?").await;
    assert_eq!(w.stored(&s).await.awaiting_reply_since, Some(asked));
    assert_eq!(w.unread(&sam, &s).await, 2);
    assert_eq!(w.unread(&w.supervisor, &s).await, 2);

    w.say(&Actor::Agent(&sam), &s, "here!").await;
    assert_eq!(w.stored(&s).await.awaiting_reply_since, None);
    assert_eq!(w.unread(&sam, &s).await, 0, "their own message marks read");
    assert_eq!(w.unread(&w.supervisor, &s).await, 2, "only for the writer");

    w.say(&customer, &s, "thanks").await;
    assert_eq!(w.unread(&sam, &s).await, 1);
    let needs_reply = w
        .svc
        .list_sessions(
            &sam,
            tms_chat_core::store::SessionFilter {
                awaiting_reply: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let ids: Vec<_> = needs_reply.sessions.iter().map(|x| x.id.clone()).collect();
    assert_eq!(ids, vec![s.id.clone()]);
}

#[tokio::test]
async fn an_unanswered_session_moves_once_to_another_eligible_agent_never_back() {
    let mut w = world().await;
    w.route(RoutingSettings {
        reassign_after_seconds: Some(60),
        ..mode(RoutingMode::LeastBusy)
    })
    .await;
    let ada = w.online("ada", Some(5), &[], &[]).await;
    let (s, customer) = w.customer().await;
    assert_eq!(w.stored(&s).await.assigned_agent_id.as_ref(), Some(&ada.id));
    let bob = w.online("bob", Some(5), &[], &[]).await;
    w.say(&Actor::Customer(&customer), &s, "hello?").await;

    w.clock.advance(Duration::seconds(59));
    assert_eq!(w.svc.run_due_timers().await.unwrap().sessions_reassigned, 0);
    w.clock.advance(Duration::seconds(1));
    let pass = w.svc.run_due_timers().await.unwrap();
    assert_eq!(pass.sessions_reassigned, 1);
    let moved = w.stored(&s).await;
    assert_eq!(moved.assigned_agent_id.as_ref(), Some(&bob.id));
    assert_eq!(moved.assigned_at, Some(w.clock.now()), "the timer restarts");
    assert_eq!(
        w.svc.run_due_timers().await.unwrap().sessions_reassigned,
        0,
        "fires once"
    );

    // Bob does not answer either, but Ada is away now: nobody eligible, it stays.
    w.svc.set_presence(&ada, Presence::Away).await.unwrap();
    w.clock.advance(Duration::seconds(60));
    assert_eq!(w.svc.run_due_timers().await.unwrap().sessions_reassigned, 0);
    assert_eq!(w.stored(&s).await.assigned_agent_id.as_ref(), Some(&bob.id));

    // Ada back online: it goes to her, never back to Bob who just had it.
    w.svc.set_presence(&ada, Presence::Online).await.unwrap();
    assert_eq!(w.svc.run_due_timers().await.unwrap().sessions_reassigned, 1);
    assert_eq!(w.stored(&s).await.assigned_agent_id.as_ref(), Some(&ada.id));

    // An answer stops the timer.
    w.say(&Actor::Agent(&ada), &s, "sorry!").await;
    w.clock.advance(Duration::seconds(600));
    assert_eq!(w.svc.run_due_timers().await.unwrap().sessions_reassigned, 0);
}

#[tokio::test]
async fn the_wait_estimate_is_the_median_recent_wait_times_the_queue_position() {
    let w = world().await;
    let sam = w.agent("sam", None).await;
    let first = w.waiting().await;
    let place = w.svc.queue_place(&first).await.unwrap().unwrap();
    assert_eq!(place.estimated_wait_seconds, None, "no history yet");
    w.clock.advance(Duration::seconds(40));
    w.svc.assign_session(&sam, &first.id, None).await.unwrap();
    let (second, third) = (w.waiting().await, w.waiting().await);
    let (sub, mut rx) = Subscriber::channel(64);
    w.notifier.subscribe(Topic::Session(third.id.clone()), &sub);
    assert_eq!(
        w.svc
            .queue_place(&third)
            .await
            .unwrap()
            .unwrap()
            .estimated_wait_seconds,
        Some(80),
        "40 s, second in line"
    );
    w.clock.advance(Duration::seconds(20));
    w.svc.assign_session(&sam, &second.id, None).await.unwrap();
    // Waits of 40 and 20 seconds: median 30, and the third session is next.
    let mut estimate = None;
    while let Ok(env) = rx.try_recv() {
        if let ChatEvent::QueueUpdated {
            estimated_wait_seconds,
            ..
        } = &env.event
        {
            estimate = Some(*estimated_wait_seconds);
        }
    }
    assert_eq!(estimate, Some(Some(30)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_agent_started_sessions_never_exceed_the_limit() {
    let w = world().await;
    let sam = w.agent("sam", Some(2)).await;
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let (svc, sam, widget) = (w.svc.clone(), sam.clone(), w.widget.id.clone());
            tokio::spawn(async move {
                let start = tms_chat_core::service::StartAgentSession {
                    widget_id: widget,
                    customer_email: Some(format!("c{i}@example.com")),
                    customer_name: None,
                    assigned_agent_id: Some(sam.id.clone()),
                };
                svc.start_agent_session(&sam, start).await
            })
        })
        .collect();
    let mut started = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(s) => {
                assert_eq!(s.session.assigned_agent_id.as_ref(), Some(&sam.id));
                started += 1;
            }
            Err(e) => assert_eq!((e.code(), e.http_status()), ("session_limit_reached", 409)),
        }
    }
    assert_eq!(started, 2);
    assert_eq!(w.open_sessions(&sam).await, 2);
}
