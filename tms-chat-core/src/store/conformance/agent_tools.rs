//! Store conformance, agent tools: notes, canned responses and read markers.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::domain::{CannedResponse, Note, ReadMarker, Session, VisitContext};
use crate::ids::{AgentId, CannedResponseId, NoteId, SessionId, TenantId};
use crate::store::ChatStore;

use super::fixtures::*;

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

/// A session's customer context is stored whole, replaced by the next one, kept apart per
/// tenant, refused for a session outside the tenant, and erased with the session.
pub async fn visit_contexts_are_replaced_per_session_and_stay_in_their_tenant(
    store: Arc<dyn ChatStore>,
) {
    let t = tenancy(&store).await;
    let other = tenancy(&store).await;
    let s = stored_session(&store, &t.widget, at(0)).await;
    assert_eq!(
        store
            .get_visit_context(&t.tenant, &s.id)
            .await
            .expect("none"),
        None
    );
    let first = VisitContext {
        url: Some("https://shop.example/".into()),
        title: Some("Shop".into()),
        referrer: Some("https://search.example/?q=shoes".into()),
        browser: Some("Chrome 131".into()),
        os: Some("Linux".into()),
        language: Some("de-DE".into()),
        time_zone: Some("Europe/Berlin".into()),
        updated_at: at(1),
    };
    store
        .put_visit_context(&t.tenant, &s.id, &first)
        .await
        .expect("put");
    assert_eq!(
        store
            .get_visit_context(&t.tenant, &s.id)
            .await
            .expect("get"),
        Some(first.clone())
    );
    let second = VisitContext {
        url: Some("https://shop.example/cart".into()),
        title: None,
        updated_at: at(2),
        ..first.clone()
    };
    store
        .put_visit_context(&t.tenant, &s.id, &second)
        .await
        .expect("replace");
    assert_eq!(
        store
            .get_visit_context(&t.tenant, &s.id)
            .await
            .expect("get"),
        Some(second)
    );
    assert_eq!(
        store
            .get_visit_context(&other.tenant, &s.id)
            .await
            .expect("other tenant"),
        None
    );
    assert_not_found(
        store.put_visit_context(&other.tenant, &s.id, &first).await,
        "another tenant's session",
    );
    assert_not_found(
        store
            .put_visit_context(&t.tenant, &SessionId::generate(), &first)
            .await,
        "an unknown session",
    );
}
