//! The chat service end to end below the HTTP layer, on the in-memory store: access rules,
//! tenant isolation, the session lifecycle, business hours, domain validation, idempotent
//! sends, ordered fan-out and ticket hand-off. The store itself is held to the SQL stores'
//! behaviour by the store conformance suite.

#![allow(clippy::unwrap_used)] // Tests unwrap: a panic is a failed test.

use chrono::{TimeZone, Utc};
use std::sync::Arc;
use tms_chat_core::auth::{Actor, CustomerPrincipal};
use tms_chat_core::clock::ManualClock;
use tms_chat_core::domain::{
    Agent, BusinessHours, DayHours, Project, Role, SessionStatus, WidgetInput,
};
use tms_chat_core::ids::{ProjectId, TenantId};
use tms_chat_core::notify::{ChatEvent, LocalNotifier, Notifier as _, Subscriber, Topic};
use tms_chat_core::service::{
    ChatService, SendMessage, StartAgentSession, StartCustomerSession, TransferRequest,
};
use tms_chat_core::store::{ChatStore, HistoryQuery, SessionFilter};
use tms_chat_core::test_utils::{
    seed_agents, seed_tenant, seed_widget, MemoryStore, RecordingTickets,
};
use tms_chat_core::ChatError;

const ORIGIN: Option<&str> = Some("https://shop.example.com");

struct World {
    svc: ChatService,
    notifier: Arc<LocalNotifier>,
    clock: Arc<ManualClock>,
    tickets: Arc<RecordingTickets>,
    admin: Agent,
    agent: Agent,
    other_project_agent: Agent,
    foreign_admin: Agent,
    widget: tms_chat_core::domain::Widget,
}

async fn world(store: Arc<dyn ChatStore>) -> World {
    let unique = uuid::Uuid::now_v7().simple().to_string();
    let tenant = TenantId::new(format!("t-{unique}"));
    let foreign = TenantId::new(format!("f-{unique}"));
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 25, 15, 0, 0).unwrap(),
    ));
    let notifier = Arc::new(LocalNotifier::new());
    let tickets = Arc::new(RecordingTickets::default());
    let svc = ChatService::builder(store.clone())
        .clock(clock.clone())
        .notifier(notifier.clone())
        .ticket_sink(tickets.clone())
        .build();
    for t in [&tenant, &foreign] {
        seed_tenant(&*store, t, t.as_str()).await;
    }
    let second = ProjectId::new(format!("p2-{unique}"));
    store
        .upsert_project(&Project {
            id: second.clone(),
            tenant_id: tenant.clone(),
            name: "Second".into(),
        })
        .await
        .unwrap();
    let admin = Agent::new("admin", tenant.clone(), "Ada Admin")
        .with_role(Role::Admin)
        .with_role(Role::Supervisor);
    let agent = Agent::new("agent-123", tenant.clone(), "Sam Agent");
    let other_project_agent =
        Agent::new("outsider", tenant.clone(), "Olly").with_projects([second]);
    let foreign_admin = Agent::new("admin", foreign.clone(), "Foreign").with_role(Role::Admin);
    seed_agents(
        &*store,
        &[&admin, &agent, &other_project_agent, &foreign_admin],
    )
    .await;
    let widget = seed_widget(&svc, &admin, "Support", "shop.example.com").await;
    World {
        svc,
        notifier,
        clock,
        tickets,
        admin,
        agent,
        other_project_agent,
        foreign_admin,
        widget,
    }
}

/// One test in a fresh world on its own in-memory store.
macro_rules! service_test {
    ($name:ident, |$w:ident| $body:block) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let $w = world(Arc::new(MemoryStore::new())).await;
            $body
        }
    };
}

async fn customer_session(w: &World) -> (tms_chat_core::domain::Session, CustomerPrincipal) {
    let started = w
        .svc
        .start_customer_session(
            &w.widget.id,
            ORIGIN,
            StartCustomerSession {
                customer_email: Some("ann@example.com".into()),
                customer_name: Some("Ann".into()),
                identity_hash: None,
                context: None,
            },
        )
        .await
        .unwrap();
    let principal = w
        .svc
        .authenticate_customer(&started.customer_token)
        .await
        .unwrap();
    (started.session, principal)
}

fn text(content: &str) -> SendMessage {
    SendMessage {
        content: content.into(),
        ..Default::default()
    }
}

service_test!(
    customer_cannot_read_agent_notes_or_receive_note_events,
    |w| {
        let (session, customer) = customer_session(&w).await;
        let (sub, mut rx) = Subscriber::channel(64);
        w.notifier
            .subscribe(Topic::Session(session.id.clone()), &sub);
        w.svc
            .add_note(&w.agent, &session.id, "VIP, be nice")
            .await
            .unwrap();
        let err = w
            .svc
            .list_notes(&Actor::Customer(&customer), &session.id)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "forbidden");
        let env = rx.try_recv().expect("note event published");
        assert!(matches!(env.event, ChatEvent::NoteAdded { .. }));
        assert_eq!(env.audience, tms_chat_core::notify::Audience::AgentsOnly);
        assert_eq!(
            w.svc
                .list_notes(&Actor::Agent(&w.agent), &session.id)
                .await
                .unwrap()
                .len(),
            1
        );
    }
);

service_test!(tenants_never_see_each_others_sessions_or_widgets, |w| {
    let (session, _) = customer_session(&w).await;
    let foreign = Actor::Agent(&w.foreign_admin);
    assert_eq!(
        w.svc
            .get_session(&foreign, &session.id)
            .await
            .unwrap_err()
            .code(),
        "not_found"
    );
    assert_eq!(
        w.svc
            .get_widget(&w.foreign_admin, &w.widget.id)
            .await
            .unwrap_err()
            .code(),
        "not_found"
    );
    let page = w
        .svc
        .list_sessions(&w.foreign_admin, SessionFilter::default())
        .await
        .unwrap();
    assert!(page.sessions.is_empty());
    assert_eq!(
        w.svc
            .send_message(&foreign, &session.id, text("hi"))
            .await
            .unwrap_err()
            .code(),
        "not_found"
    );
    assert_eq!(
        w.svc
            .assign_session(&w.foreign_admin, &session.id, None)
            .await
            .unwrap_err()
            .code(),
        "not_found"
    );
    let page = w
        .svc
        .list_sessions(&w.agent, SessionFilter::default())
        .await
        .unwrap();
    assert_eq!(page.sessions.len(), 1);
});

service_test!(agents_outside_the_project_do_not_see_its_sessions, |w| {
    let (session, _) = customer_session(&w).await;
    let err = w
        .svc
        .get_session(&Actor::Agent(&w.other_project_agent), &session.id)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "not_found");
    let page = w
        .svc
        .list_sessions(&w.other_project_agent, SessionFilter::default())
        .await
        .unwrap();
    assert!(page.sessions.is_empty());
    let err = w
        .svc
        .assign_session(&w.admin, &session.id, Some(&w.other_project_agent.id))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_input");
});

service_test!(
    customer_token_reaches_only_its_session_and_dies_when_it_ends,
    |w| {
        let (first, customer) = customer_session(&w).await;
        let (second, _) = customer_session(&w).await;
        let actor = Actor::Customer(&customer);
        assert_eq!(
            w.svc
                .get_session(&actor, &second.id)
                .await
                .unwrap_err()
                .code(),
            "not_found"
        );
        assert_eq!(
            w.svc
                .history(&actor, &second.id, HistoryQuery::default())
                .await
                .unwrap_err()
                .code(),
            "not_found"
        );
        assert!(w.svc.get_session(&actor, &first.id).await.is_ok());
        w.svc.end_session(&actor, &first.id).await.unwrap();
        // The token itself stops working.
        let err = w
            .svc
            .authenticate_customer("not-a-token")
            .await
            .unwrap_err();
        assert_eq!(err.code(), "unauthorized");
    }
);

service_test!(
    session_lifecycle_waiting_assigned_transferred_taken_ended,
    |w| {
        let (session, customer) = customer_session(&w).await;
        assert_eq!(session.status, SessionStatus::Waiting);
        assert!(session.assigned_agent_id.is_none());
        let s = w
            .svc
            .assign_session(&w.agent, &session.id, None)
            .await
            .unwrap();
        assert_eq!(s.status, SessionStatus::Active);
        assert_eq!(s.assigned_agent_id.as_ref(), Some(&w.agent.id));
        // A plain agent cannot assign to others, nor take a session assigned to someone else.
        let err = w
            .svc
            .assign_session(&w.agent, &session.id, Some(&w.admin.id))
            .await
            .unwrap_err();
        assert_eq!(err.code(), "forbidden");
        let s = w
            .svc
            .transfer_session(
                &w.agent,
                &session.id,
                TransferRequest {
                    agent_id: Some(w.admin.id.clone()),
                    department: None,
                },
            )
            .await
            .unwrap();
        assert_eq!(s.status, SessionStatus::Transferred);
        let s = w
            .svc
            .assign_session(&w.admin, &session.id, None)
            .await
            .unwrap();
        assert_eq!(s.status, SessionStatus::Active);
        assert_eq!(s.assigned_agent_id.as_ref(), Some(&w.admin.id));
        let s = w
            .svc
            .end_session(&Actor::Agent(&w.admin), &session.id)
            .await
            .unwrap();
        assert_eq!(s.status, SessionStatus::Ended);
        let err = w
            .svc
            .end_session(&Actor::Agent(&w.admin), &session.id)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "conflict");
        let err = w
            .svc
            .send_message(&Actor::Agent(&w.admin), &session.id, text("late"))
            .await
            .unwrap_err();
        assert_eq!(err.code(), "conflict");
        // Ended sessions refuse the customer's token.
        assert!(w
            .svc
            .send_message(&Actor::Customer(&customer), &session.id, text("x"))
            .await
            .is_err());
        let history = w
            .svc
            .history(
                &Actor::Agent(&w.admin),
                &session.id,
                HistoryQuery::default(),
            )
            .await
            .unwrap();
        let events: Vec<_> = history.iter().filter_map(|m| m.system_event).collect();
        assert!(
            events.len() >= 3,
            "joined, transferred, joined, ended expected: {events:?}"
        );
        let seqs: Vec<i64> = history.iter().map(|m| m.seq).collect();
        assert_eq!(seqs, (1..=history.len() as i64).collect::<Vec<_>>());
    }
);

service_test!(two_agents_taking_the_same_session_at_once_one_wins, |w| {
    let (session, _) = customer_session(&w).await;
    let other = Agent::new("agent-456", w.agent.tenant_id.clone(), "Other");
    w.svc.store().upsert_agent(&other).await.unwrap();
    let (a, b) = tokio::join!(
        w.svc.assign_session(&w.agent, &session.id, None),
        w.svc.assign_session(&other, &session.id, None)
    );
    assert_eq!(
        [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(),
        1,
        "{a:?} {b:?}"
    );
});

service_test!(agent_session_limit_is_enforced, |w| {
    let limited = Agent {
        max_concurrent_sessions: Some(1),
        ..Agent::new("limited", w.agent.tenant_id.clone(), "Lim")
    };
    w.svc.store().upsert_agent(&limited).await.unwrap();
    let (s1, _) = customer_session(&w).await;
    let (s2, _) = customer_session(&w).await;
    w.svc.assign_session(&limited, &s1.id, None).await.unwrap();
    let err = w
        .svc
        .assign_session(&limited, &s2.id, None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "session_limit_reached");
    assert_eq!(err.http_status(), 409);
});

service_test!(
    agent_started_session_needs_email_and_may_be_assigned_to_the_starter,
    |w| {
        let err = w
            .svc
            .start_agent_session(
                &w.agent,
                StartAgentSession {
                    widget_id: w.widget.id.clone(),
                    customer_email: None,
                    customer_name: None,
                    assigned_agent_id: None,
                },
            )
            .await
            .unwrap_err();
        assert_eq!(err.field(), Some("customer_email"));
        let started = w
            .svc
            .start_agent_session(
                &w.agent,
                StartAgentSession {
                    widget_id: w.widget.id.clone(),
                    customer_email: Some("bob@example.com".into()),
                    customer_name: None,
                    assigned_agent_id: Some(w.agent.id.clone()),
                },
            )
            .await
            .unwrap();
        assert_eq!(started.session.status, SessionStatus::Active);
        assert_eq!(
            started.session.assigned_agent_id.as_ref(),
            Some(&w.agent.id)
        );
        let customer = w
            .svc
            .authenticate_customer(&started.customer_token)
            .await
            .unwrap();
        assert_eq!(customer.session_id, started.session.id);
    }
);

service_test!(business_hours_gate_customers_but_never_agents, |w| {
    let hours = BusinessHours {
        timezone: "America/New_York".into(),
        monday: Some(DayHours {
            open: "09:00".into(),
            close: "17:00".into(),
        }),
        ..Default::default()
    };
    let widget = w
        .svc
        .update_widget(
            &w.admin,
            &w.widget.id,
            WidgetInput {
                business_hours: Some(Some(hours)),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    // Wednesday 2026-11-25 15:00 UTC is closed (only Mondays are open).
    let err = w
        .svc
        .start_customer_session(&widget.id, ORIGIN, StartCustomerSession::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "outside_business_hours");
    let config = w
        .svc
        .public_widget_config(&widget.id, ORIGIN)
        .await
        .unwrap();
    assert!(!config.is_open);
    assert!(config.next_open_at.is_some());
    // Agents can still start chats.
    let started = w
        .svc
        .start_agent_session(
            &w.agent,
            StartAgentSession {
                widget_id: widget.id.clone(),
                customer_email: Some("c@example.com".into()),
                customer_name: None,
                assigned_agent_id: None,
            },
        )
        .await;
    assert!(started.is_ok());
    // Monday 2026-11-30 10:00 New York = 15:00 UTC: open.
    w.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 30, 15, 0, 0).unwrap());
    assert!(w
        .svc
        .start_customer_session(&widget.id, ORIGIN, StartCustomerSession::default())
        .await
        .is_ok());
});

service_test!(widgets_refuse_origins_they_do_not_allow, |w| {
    for origin in [
        None,
        Some("null"),
        Some("https://evil.com"),
        Some("https://shop.example.com.evil.com"),
    ] {
        let err = w
            .svc
            .start_customer_session(&w.widget.id, origin, StartCustomerSession::default())
            .await
            .unwrap_err();
        assert_eq!(err.code(), "domain_not_allowed", "{origin:?}");
        let err = w
            .svc
            .public_widget_config(&w.widget.id, origin)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "domain_not_allowed");
    }
});

service_test!(required_email_is_enforced_for_customers, |w| {
    w.svc
        .update_widget(
            &w.admin,
            &w.widget.id,
            WidgetInput {
                require_email: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let err = w
        .svc
        .start_customer_session(&w.widget.id, ORIGIN, StartCustomerSession::default())
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("customer_email"));
});

service_test!(retried_client_message_id_returns_the_same_message, |w| {
    let (session, customer) = customer_session(&w).await;
    let actor = Actor::Customer(&customer);
    let send = SendMessage {
        content: "hello".into(),
        client_message_id: Some("c-1".into()),
        ..Default::default()
    };
    let first = w
        .svc
        .send_message(&actor, &session.id, send.clone())
        .await
        .unwrap();
    let again = w.svc.send_message(&actor, &session.id, send).await.unwrap();
    assert!(first.created);
    assert!(!again.created);
    assert_eq!(first.message.id, again.message.id);
    assert_eq!(first.message.seq, again.message.seq);
    let history = w
        .svc
        .history(&actor, &session.id, HistoryQuery::default())
        .await
        .unwrap();
    assert_eq!(history.iter().filter(|m| m.content == "hello").count(), 1);
});

service_test!(concurrent_sends_are_published_in_sequence_order, |w| {
    let (session, customer) = customer_session(&w).await;
    let (sub, mut rx) = Subscriber::channel(1024);
    w.notifier
        .subscribe(Topic::Session(session.id.clone()), &sub);
    let mut tasks = Vec::new();
    for i in 0..40 {
        let svc = w.svc.clone();
        let customer = customer.clone();
        let sid = session.id.clone();
        tasks.push(tokio::spawn(async move {
            svc.send_message(&Actor::Customer(&customer), &sid, text(&format!("m{i}")))
                .await
                .map(|a| a.message.seq)
        }));
    }
    let mut seqs = Vec::new();
    for t in tasks {
        seqs.push(t.await.unwrap().unwrap());
    }
    seqs.sort();
    assert_eq!(seqs, (1..=40).collect::<Vec<i64>>());
    let mut published = Vec::new();
    while let Ok(env) = rx.try_recv() {
        if let ChatEvent::NewMessage { message } = &env.event {
            published.push(message.seq);
        }
    }
    assert_eq!(
        published,
        (1..=40).collect::<Vec<i64>>(),
        "events must arrive in seq order"
    );
});

service_test!(
    message_validation_rejects_empty_oversized_and_unknown_types,
    |w| {
        let (session, customer) = customer_session(&w).await;
        let actor = Actor::Customer(&customer);
        let cases = [
            (
                SendMessage {
                    content: "   ".into(),
                    ..Default::default()
                },
                "content",
            ),
            (
                SendMessage {
                    content: "x".repeat(5001),
                    ..Default::default()
                },
                "content",
            ),
            (
                SendMessage {
                    content: "x".into(),
                    message_type: Some("html".into()),
                    ..Default::default()
                },
                "message_type",
            ),
            (
                SendMessage {
                    content: "x".into(),
                    message_type: Some("file".into()),
                    ..Default::default()
                },
                "attachment_id",
            ),
        ];
        for (send, field) in cases {
            let err = w
                .svc
                .send_message(&actor, &session.id, send)
                .await
                .unwrap_err();
            assert_eq!(err.field(), Some(field));
        }
        assert_eq!(session.last_seq, 0);
        let history = w
            .svc
            .history(&actor, &session.id, HistoryQuery::default())
            .await
            .unwrap();
        assert!(history.is_empty(), "nothing is stored for refused messages");
    }
);

service_test!(
    plain_agents_cannot_manage_widgets_or_canned_responses,
    |w| {
        let err = w
            .svc
            .create_widget(
                &w.agent,
                WidgetInput {
                    name: Some("x".into()),
                    domain: Some("x.com".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap_err();
        assert_eq!(err.code(), "forbidden");
        assert_eq!(
            w.svc
                .create_canned_response(&w.agent, "/hi", "Hello!")
                .await
                .unwrap_err()
                .code(),
            "forbidden"
        );
        let c = w
            .svc
            .create_canned_response(&w.admin, "/hi", "Hello!")
            .await
            .unwrap();
        assert_eq!(
            w.svc.list_canned_responses(&w.agent).await.unwrap().len(),
            1
        );
        assert_eq!(
            w.svc
                .create_canned_response(&w.admin, "/hi", "Again")
                .await
                .unwrap_err()
                .code(),
            "conflict"
        );
        assert!(w
            .svc
            .list_canned_responses(&w.foreign_admin)
            .await
            .unwrap()
            .is_empty());
        w.svc.delete_canned_response(&w.admin, &c.id).await.unwrap();
    }
);

service_test!(
    ending_a_session_creates_a_ticket_when_the_widget_asks,
    |w| {
        w.svc
            .update_widget(
                &w.admin,
                &w.widget.id,
                WidgetInput {
                    auto_create_ticket: Some(true),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let (session, customer) = customer_session(&w).await;
        w.svc
            .send_message(
                &Actor::Customer(&customer),
                &session.id,
                text("my order is late"),
            )
            .await
            .unwrap();
        w.svc
            .add_note(&w.agent, &session.id, "check courier")
            .await
            .unwrap();
        let ended = w
            .svc
            .end_session(&Actor::Agent(&w.agent), &session.id)
            .await
            .unwrap();
        {
            let requests = w.tickets.requests();
            assert_eq!(requests.len(), 1);
            assert!(requests[0]
                .transcript
                .iter()
                .any(|m| m.content == "my order is late"));
            assert_eq!(requests[0].notes.len(), 1);
        }
        let stored = w
            .svc
            .get_session(&Actor::Agent(&w.agent), &ended.id)
            .await
            .unwrap();
        assert_eq!(stored.ticket_id.as_deref(), Some("T-1"));
        let err = w
            .svc
            .create_ticket(&w.agent, &ended.id, None)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "conflict");
    }
);

service_test!(
    customer_history_lists_the_same_customers_other_sessions,
    |w| {
        let (first, _) = customer_session(&w).await;
        let (second, _) = customer_session(&w).await;
        let previous = w.svc.customer_history(&w.agent, &second.id).await.unwrap();
        assert_eq!(
            previous.iter().map(|s| &s.id).collect::<Vec<_>>(),
            vec![&first.id]
        );
        let err = w
            .svc
            .customer_history(&w.foreign_admin, &second.id)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "not_found");
    }
);

service_test!(
    read_markers_never_move_backwards_or_past_the_last_message,
    |w| {
        let (session, customer) = customer_session(&w).await;
        let actor = Actor::Customer(&customer);
        for i in 0..3 {
            w.svc
                .send_message(&actor, &session.id, text(&format!("m{i}")))
                .await
                .unwrap();
        }
        let m = w
            .svc
            .mark_read(&Actor::Agent(&w.agent), &session.id, 99)
            .await
            .unwrap();
        assert_eq!(m.last_read_seq, 3);
        let m = w
            .svc
            .mark_read(&Actor::Agent(&w.agent), &session.id, 1)
            .await
            .unwrap();
        assert_eq!(m.last_read_seq, 3);
    }
);

#[tokio::test]
async fn unknown_customer_tokens_are_unauthorized() {
    let store: Arc<dyn ChatStore> = Arc::new(MemoryStore::new());
    let svc = ChatService::builder(store).build();
    for token in ["", "   ", "abc", &"f".repeat(64)] {
        let err: ChatError = svc.authenticate_customer(token).await.unwrap_err();
        assert_eq!(err.code(), "unauthorized");
    }
}
