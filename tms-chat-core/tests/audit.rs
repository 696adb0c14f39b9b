//! The audit log through the service, on the in-memory store: every agent and admin action
//! (assign, transfer, end, note, ticket, widget and quick-response changes, presence,
//! export, erasure) records exactly one entry with its actor, tenant, target, session,
//! details and time; refused changes, customers' and the service's own actions record
//! nothing; the log stays in its tenant and is for admins. (The SQL stores are held to the
//! same `write_audited` by the store conformance suite; the HTTP side by the conformance
//! cases in `tms-chat-conformance/src/cases/audit.rs`.)

#![allow(clippy::unwrap_used)] // Tests unwrap: a panic is a failed test.

use chrono::{TimeZone, Utc};
use serde_json::{json, Value};
use std::sync::Arc;
use tms_chat_core::auth::{Actor, CustomerPrincipal};
use tms_chat_core::clock::{Clock as _, ManualClock};
use tms_chat_core::domain::{
    customer_reference, Agent, AuditAction, AuditEntry, Presence, Role, Session, Widget,
    WidgetInput,
};
use tms_chat_core::ids::{SessionId, TenantId};
use tms_chat_core::service::{ChatService, SendMessage, StartCustomerSession, TransferRequest};
use tms_chat_core::store::{AuditFilter, ChatStore};
use tms_chat_core::test_utils::{
    seed_agents, seed_tenant, seed_widget, MemoryStore, RecordingTickets,
};

const ORIGIN: Option<&str> = Some("https://shop.example.com");

struct World {
    svc: ChatService,
    clock: Arc<ManualClock>,
    tenant: TenantId,
    admin: Agent,
    agent: Agent,
    colleague: Agent,
    limited: Agent,
    foreign_admin: Agent,
    widget: Widget,
}

async fn world() -> World {
    let store: Arc<dyn ChatStore> = Arc::new(MemoryStore::new());
    let unique = uuid::Uuid::now_v7().simple().to_string();
    let tenant = TenantId::new(format!("t-{unique}"));
    let foreign = TenantId::new(format!("f-{unique}"));
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 25, 15, 0, 0).unwrap(),
    ));
    let svc = ChatService::builder(store.clone())
        .clock(clock.clone())
        .ticket_sink(Arc::new(RecordingTickets::default()))
        .build();
    for t in [&tenant, &foreign] {
        seed_tenant(&*store, t, t.as_str()).await;
    }
    let admin = Agent::new("admin", tenant.clone(), "Ada Admin").with_role(Role::Admin);
    let agent = Agent::new("agent-123", tenant.clone(), "Sam Agent");
    let colleague = Agent::new("agent-456", tenant.clone(), "Cleo Colleague");
    let limited = Agent {
        max_concurrent_sessions: Some(1),
        ..Agent::new("agent-321", tenant.clone(), "Lim")
    };
    let foreign_admin = Agent::new("admin", foreign, "Foreign").with_role(Role::Admin);
    seed_agents(
        &*store,
        &[&admin, &agent, &colleague, &limited, &foreign_admin],
    )
    .await;
    let widget = seed_widget(&svc, &admin, "Support", "shop.example.com").await;
    World {
        svc,
        clock,
        tenant,
        admin,
        agent,
        colleague,
        limited,
        foreign_admin,
        widget,
    }
}

impl World {
    /// A customer session on the widget.
    async fn customer(&self, email: &str) -> (Session, CustomerPrincipal) {
        let started = self
            .svc
            .start_customer_session(
                &self.widget.id,
                ORIGIN,
                StartCustomerSession {
                    customer_email: Some(email.into()),
                    customer_name: Some("Ann".into()),
                    identity_hash: None,
                    context: None,
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

    /// The tenant's whole log, newest first.
    async fn log(&self) -> Vec<AuditEntry> {
        log_of(&self.svc, &self.admin).await
    }

    /// Moves the clock on a second, runs `run`, and asserts it recorded exactly one
    /// `action` entry in the tenant, by `actor`, about `session`, at the new time; answers
    /// it (for its target and details).
    async fn one_entry<F: std::future::Future>(
        &self,
        actor: &Agent,
        action: AuditAction,
        session: Option<&SessionId>,
        run: F,
    ) -> AuditEntry {
        let before = self.log().await.len();
        self.clock.advance(chrono::Duration::seconds(1));
        run.await;
        let log = self.log().await;
        assert_eq!(
            log.len(),
            before + 1,
            "{action:?} records one entry: {log:#?}"
        );
        let entry = log[0].clone();
        assert_eq!(entry.action, action);
        assert_eq!(entry.tenant_id, self.tenant);
        assert_eq!(entry.actor_id, actor.id);
        assert_eq!(entry.session_id.as_ref(), session);
        assert_eq!(entry.created_at, self.clock.now());
        assert!(entry.details.is_object(), "{entry:?}");
        entry
    }

    /// Asserts `run` records nothing.
    async fn no_entry<F: std::future::Future>(&self, what: &str, run: F) {
        let before = self.log().await.len();
        self.clock.advance(chrono::Duration::seconds(1));
        run.await;
        assert_eq!(self.log().await.len(), before, "{what} records nothing");
    }
}

async fn log_of(svc: &ChatService, admin: &Agent) -> Vec<AuditEntry> {
    let filter = AuditFilter {
        limit: 200,
        ..AuditFilter::default()
    };
    svc.audit_log(admin, filter).await.unwrap().entries
}

fn text(content: &str) -> SendMessage {
    SendMessage {
        content: content.into(),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_changes_notes_and_tickets_record_their_actor_target_and_details() {
    let w = world().await;
    let (s, _) = w.customer("ann@example.com").await;
    let (id, svc) = (&s.id, &w.svc);
    let on = Some(id);
    let e = w
        .one_entry(&w.agent, AuditAction::SessionAssigned, on, async {
            svc.assign_session(&w.agent, id, None).await.unwrap();
        })
        .await;
    assert_eq!(e.target_id, id.as_str());
    assert_eq!(
        e.details,
        json!({"agent_id": "agent-123", "previous_agent_id": null})
    );
    let e = w
        .one_entry(&w.agent, AuditAction::SessionTransferred, on, async {
            let to = TransferRequest {
                agent_id: Some(w.colleague.id.clone()),
                department: None,
            };
            svc.transfer_session(&w.agent, id, to).await.unwrap();
        })
        .await;
    assert_eq!(e.target_id, id.as_str());
    assert_eq!(
        e.details,
        json!({"target": {"kind": "agent", "agent_id": "agent-456"}, "previous_agent_id": "agent-123"})
    );
    let e = w
        .one_entry(&w.colleague, AuditAction::SessionAssigned, on, async {
            svc.assign_session(&w.colleague, id, None).await.unwrap();
        })
        .await;
    // A transfer to an agent already names them as the session's agent; taking it makes
    // the session active with them.
    assert_eq!(
        e.details,
        json!({"agent_id": "agent-456", "previous_agent_id": "agent-456"})
    );
    let mut note = None;
    let e = w
        .one_entry(&w.colleague, AuditAction::NoteAdded, on, async {
            note = Some(
                svc.add_note(&w.colleague, id, "private remark")
                    .await
                    .unwrap(),
            );
        })
        .await;
    assert_eq!(e.target_id, note.unwrap().id.as_str());
    let e = w
        .one_entry(&w.colleague, AuditAction::TicketCreated, on, async {
            svc.create_ticket(&w.colleague, id, Some("Refund".into()))
                .await
                .unwrap();
        })
        .await;
    assert_eq!(e.target_id, id.as_str());
    assert_eq!(e.details, json!({"ticket_id": "T-1"}));
    let e = w
        .one_entry(&w.admin, AuditAction::SessionEnded, on, async {
            svc.end_session(&Actor::Agent(&w.admin), id).await.unwrap();
        })
        .await;
    assert_eq!(e.target_id, id.as_str());
    let all = serde_json::to_string(&w.log().await).unwrap();
    assert!(!all.contains("private remark"), "no note content: {all}");
    assert!(!all.contains("ann@example.com"), "no customer email: {all}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn widget_quick_response_and_presence_changes_record_their_actor_target_and_details() {
    let w = world().await;
    let (svc, admin) = (&w.svc, &w.admin);
    let mut widget = None;
    let e = w
        .one_entry(admin, AuditAction::WidgetCreated, None, async {
            let input = WidgetInput {
                name: Some("Sales".into()),
                domain: Some("sales.example.com".into()),
                ..WidgetInput::default()
            };
            widget = Some(svc.create_widget(admin, input).await.unwrap());
        })
        .await;
    let widget = widget.unwrap();
    assert_eq!(e.target_id, widget.id.as_str());
    assert_eq!(e.details["name"], "Sales");
    assert_eq!(e.details["retention_days"], Value::Null);
    let e = w
        .one_entry(admin, AuditAction::WidgetUpdated, None, async {
            let input: WidgetInput = serde_json::from_value(json!({"retention_days": 30})).unwrap();
            svc.update_widget(admin, &widget.id, input).await.unwrap();
        })
        .await;
    assert_eq!(e.target_id, widget.id.as_str());
    assert_eq!(e.details["retention_days"], 30);
    let secret = &widget.identity_secret;
    let e = w
        .one_entry(admin, AuditAction::WidgetDeleted, None, async {
            svc.delete_widget(admin, &widget.id).await.unwrap();
        })
        .await;
    assert_eq!(e.target_id, widget.id.as_str());
    assert_eq!(e.details, json!({"name": "Sales"}));

    let mut canned = None;
    let e = w
        .one_entry(admin, AuditAction::CannedResponseCreated, None, async {
            canned = Some(
                svc.create_canned_response(admin, "/hi", "Hello there, friend")
                    .await
                    .unwrap(),
            );
        })
        .await;
    let canned = canned.unwrap();
    assert_eq!(e.target_id, canned.id.as_str());
    assert_eq!(e.details, json!({"shortcut": "/hi"}));
    let e = w
        .one_entry(admin, AuditAction::CannedResponseUpdated, None, async {
            svc.update_canned_response(admin, &canned.id, Some("/hello"), None)
                .await
                .unwrap();
        })
        .await;
    assert_eq!(e.target_id, canned.id.as_str());
    assert_eq!(e.details, json!({"shortcut": "/hello"}));
    let e = w
        .one_entry(admin, AuditAction::CannedResponseDeleted, None, async {
            svc.delete_canned_response(admin, &canned.id).await.unwrap();
        })
        .await;
    assert_eq!(e.target_id, canned.id.as_str());

    let e = w
        .one_entry(&w.agent, AuditAction::PresenceChanged, None, async {
            svc.set_presence(&w.agent, Presence::Away).await.unwrap();
        })
        .await;
    assert_eq!(e.target_id, "agent-123");
    assert_eq!(e.details, json!({"status": "away"}));
    let all = serde_json::to_string(&w.log().await).unwrap();
    assert!(
        !all.contains("Hello there"),
        "no quick response text: {all}"
    );
    assert!(!all.contains(secret.as_str()), "no identity secret");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_and_erasure_record_the_customer_by_reference_and_the_count() {
    let w = world().await;
    let (svc, admin) = (&w.svc, &w.admin);
    let (first, _) = w.customer("Eve@example.com").await;
    let (second, _) = w.customer("eve@example.com").await;
    w.customer("ivy@example.com").await;
    let reference = customer_reference("eve@example.com");
    let e = w
        .one_entry(admin, AuditAction::CustomerExported, None, async {
            let data = svc.export_customer(admin, "EVE@example.com").await.unwrap();
            let mut ids: Vec<_> = data.sessions.iter().map(|(s, _)| s.id.clone()).collect();
            ids.sort();
            let mut want = vec![first.id.clone(), second.id.clone()];
            want.sort();
            assert_eq!(ids, want);
        })
        .await;
    assert_eq!(e.target_id, reference);
    assert_eq!(e.details, json!({"sessions": 2}));
    let e = w
        .one_entry(admin, AuditAction::CustomerErased, None, async {
            assert_eq!(
                svc.erase_customer(admin, "eve@example.com").await.unwrap(),
                2
            );
        })
        .await;
    assert_eq!(e.target_id, reference);
    assert_eq!(e.details["erased_sessions"], 2);
    let all = serde_json::to_string(&w.log().await).unwrap();
    assert!(!all.to_lowercase().contains("eve@example.com"), "{all}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_changes_and_customers_and_the_service_record_nothing() {
    let w = world().await;
    let svc = &w.svc;
    let (s, customer) = w.customer("ann@example.com").await;
    let (other, _) = w.customer("bob@example.com").await;
    w.no_entry("a plain agent creating a widget", async {
        let input = WidgetInput {
            name: Some("X".into()),
            domain: Some("x.example.com".into()),
            ..WidgetInput::default()
        };
        let err = svc.create_widget(&w.agent, input).await.unwrap_err();
        assert_eq!(err.code(), "forbidden");
    })
    .await;
    w.no_entry("a plain agent erasing", async {
        let err = svc.erase_customer(&w.agent, "ann@example.com").await;
        assert_eq!(err.unwrap_err().code(), "forbidden");
    })
    .await;
    w.no_entry("an invalid note", async {
        let err = svc.add_note(&w.agent, &s.id, "   ").await.unwrap_err();
        assert_eq!(err.code(), "invalid_input");
    })
    .await;
    svc.assign_session(&w.limited, &s.id, None).await.unwrap();
    w.no_entry("an assignment refused at the agent's limit", async {
        let err = svc
            .assign_session(&w.limited, &other.id, None)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "session_limit_reached");
    })
    .await;
    w.no_entry("a customer's message and end", async {
        let actor = Actor::Customer(&customer);
        svc.send_message(&actor, &s.id, text("hello"))
            .await
            .unwrap();
        svc.end_session(&actor, &s.id).await.unwrap();
    })
    .await;
    w.no_entry("a socket opening and closing", async {
        svc.agent_socket_opened(&w.agent).await.unwrap();
        svc.agent_socket_closed(&w.agent).await.unwrap();
    })
    .await;
    // The log is for admins of the tenant: a plain agent is refused, another tenant's
    // admin sees none of these entries.
    let err = svc
        .audit_log(&w.agent, AuditFilter::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "forbidden");
    assert!(!w.log().await.is_empty());
    assert!(log_of(svc, &w.foreign_admin).await.is_empty());
}
