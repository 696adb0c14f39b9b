//! Store conformance, tenant isolation: another tenant can neither read nor change widgets,
//! sessions, messages, notes, attachments, read markers or canned responses.

use std::sync::Arc;

use crate::domain::{Attachment, CannedResponse, Note, ReadMarker, SenderType, SessionStatus};
use crate::error::StoreError;
use crate::ids::{AgentId, AttachmentId, CannedResponseId, NoteId};
use crate::store::{ChatStore, SessionFilter};

use super::fixtures::*;

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
