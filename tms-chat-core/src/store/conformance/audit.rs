//! Store conformance, audit log and erasure: an audited write stores its entry with the
//! change, the log pages newest first within one tenant, and an erasure leaves nothing of
//! the customer's sessions while other customers and tenants keep theirs.

use std::sync::Arc;

use crate::domain::{AuditAction, AuditEntry, Note};
use crate::ids::{AgentId, NoteId};
use crate::store::{AuditFilter, AuditedWrite, ChatStore, HistoryQuery};

use super::fixtures::*;

fn entry(tenant: &crate::ids::TenantId, seconds: i64, target: &str) -> AuditEntry {
    AuditEntry::new(
        tenant.clone(),
        AgentId::new("agent-ada"),
        AuditAction::NoteAdded,
        target,
        at(seconds),
    )
}

/// An audited note is stored with its entry; the log pages newest first and never shows
/// another tenant's entries; a failed change stores no entry.
pub async fn audited_writes_store_their_entry_and_the_log_stays_in_its_tenant(
    store: Arc<dyn ChatStore>,
) {
    let t = tenancy(&store).await;
    let other = tenancy(&store).await;
    let s = stored_session(&store, &t.widget, at(0)).await;
    for i in 0..3 {
        let note = Note {
            id: NoteId::generate(),
            tenant_id: t.tenant.clone(),
            session_id: s.id.clone(),
            author_agent_id: AgentId::new("agent-ada"),
            content: format!("note {i}"),
            created_at: at(i),
        };
        let e = entry(&t.tenant, i, note.id.as_str()).for_session(&s.id);
        store
            .write_audited(AuditedWrite::InsertNote(&note), &e)
            .await
            .expect("audited note");
    }
    store
        .write_audited(AuditedWrite::EntryOnly, &entry(&other.tenant, 5, "x"))
        .await
        .expect("other tenant's entry");
    // A note for a session of another tenant fails, and leaves no entry.
    let stray = Note {
        id: NoteId::generate(),
        tenant_id: other.tenant.clone(),
        session_id: s.id.clone(),
        author_agent_id: AgentId::new("agent-ada"),
        content: "stray".into(),
        created_at: at(9),
    };
    assert!(store
        .write_audited(
            AuditedWrite::InsertNote(&stray),
            &entry(&other.tenant, 9, "y")
        )
        .await
        .is_err());
    assert_eq!(
        store
            .list_notes(&t.tenant, &s.id)
            .await
            .expect("notes")
            .len(),
        3
    );

    let first = store
        .list_audit(
            &t.tenant,
            &AuditFilter {
                limit: 2,
                ..AuditFilter::default()
            },
        )
        .await
        .expect("page 1");
    let times: Vec<_> = first.entries.iter().map(|e| e.created_at).collect();
    assert_eq!(times, vec![at(2), at(1)]);
    let second = store
        .list_audit(
            &t.tenant,
            &AuditFilter {
                limit: 2,
                cursor: first.next_cursor.clone(),
                ..AuditFilter::default()
            },
        )
        .await
        .expect("page 2");
    assert_eq!(second.entries.len(), 1);
    assert_eq!(second.entries[0].created_at, at(0));
    assert!(second.next_cursor.is_none());
    let ranged = AuditFilter {
        from: Some(at(1)),
        to: Some(at(2)),
        session_id: Some(s.id.clone()),
        limit: 10,
        ..AuditFilter::default()
    };
    let ranged = store.list_audit(&t.tenant, &ranged).await.expect("range");
    assert_eq!(ranged.entries.len(), 1);
    assert_eq!(ranged.entries[0].created_at, at(1));
    let theirs = store
        .list_audit(
            &other.tenant,
            &AuditFilter {
                limit: 10,
                ..AuditFilter::default()
            },
        )
        .await
        .expect("other tenant");
    assert_eq!(theirs.entries.len(), 1);
    assert_eq!(theirs.entries[0].target_id, "x");
}

/// Erasing a customer deletes their sessions with messages and notes, records the count,
/// and leaves another customer's and another tenant's sessions alone.
pub async fn erasing_a_customer_leaves_nothing_of_their_sessions(store: Arc<dyn ChatStore>) {
    let t = tenancy(&store).await;
    let other = tenancy(&store).await;
    let mut mine = session(&t.widget, at(0));
    mine.customer_email = Some("Erase.Me@example.com".into());
    insert(&store, &mine).await;
    let mut kept = session(&t.widget, at(0));
    kept.customer_email = Some("keep@example.com".into());
    insert(&store, &kept).await;
    let mut theirs = session(&other.widget, at(0));
    theirs.customer_email = Some("erase.me@example.com".into());
    insert(&store, &theirs).await;
    for s in [&mine, &kept, &theirs] {
        append(&store, text(s, "hello", None, at(1))).await;
    }
    let context = crate::domain::VisitContext {
        url: Some("https://shop.example/".into()),
        title: None,
        referrer: None,
        browser: None,
        os: None,
        language: None,
        time_zone: Some("UTC".into()),
        updated_at: at(1),
    };
    store
        .put_visit_context(&t.tenant, &mine.id, &context)
        .await
        .expect("context");
    let e = entry(&t.tenant, 3, "customer:x");
    let removed = store
        .write_audited(
            AuditedWrite::EraseCustomer {
                tenant: &t.tenant,
                customer_email: "erase.me@EXAMPLE.com",
            },
            &e,
        )
        .await
        .expect("erase")
        .into_removed()
        .expect("removed");
    assert_eq!(removed.sessions, vec![mine.id.clone()]);
    assert!(store.get_session(&t.tenant, &mine.id).await.is_err());
    assert_eq!(
        store
            .get_visit_context(&t.tenant, &mine.id)
            .await
            .ok()
            .flatten(),
        None,
        "the customer context is erased with the session"
    );
    let history = HistoryQuery {
        limit: 10,
        ..HistoryQuery::default()
    };
    assert!(store
        .list_messages(&t.tenant, &mine.id, history)
        .await
        .map(|m| m.is_empty())
        .unwrap_or(true));
    assert_eq!(
        store
            .list_messages(&t.tenant, &kept.id, history)
            .await
            .expect("history")
            .len(),
        1
    );
    assert_eq!(
        store
            .list_messages(&other.tenant, &theirs.id, history)
            .await
            .expect("history")
            .len(),
        1
    );
    let log = store
        .list_audit(
            &t.tenant,
            &AuditFilter {
                limit: 10,
                ..AuditFilter::default()
            },
        )
        .await
        .expect("log");
    assert_eq!(log.entries.len(), 1);
    assert_eq!(log.entries[0].details["erased_sessions"], 1);
}
