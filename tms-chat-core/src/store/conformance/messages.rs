//! Store conformance, messages and attachments: gapless sequence numbers, idempotent client
//! ids, batches, history slices, file and system messages.

use std::sync::Arc;

use crate::domain::{Attachment, MessageKind, NewMessage, SenderType, SystemEvent};
use crate::error::StoreError;
use crate::ids::{AgentId, AttachmentId, SessionId};
use crate::store::{Appended, ChatStore};

use super::fixtures::*;

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
    // A tenant id that sorts before the session's own ("!" < "t"), so a store that matches
    // the locked row by session id alone takes the foreign pair first.
    wrong_tenant.tenant_id = crate::ids::TenantId::new(format!("!{}", unique_tenant()));

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

/// A large batch (several statements' worth in a SQL store) numbering three sessions
/// interleaved, where a client id repeats inside the batch and one retries an earlier batch:
/// each message is stored once, the repeats answer with the first one's message, and every
/// session's numbers stay gapless.
pub async fn a_large_batch_with_repeated_client_ids_stores_each_message_once(
    store: Arc<dyn ChatStore>,
) {
    let t = tenancy(&store).await;
    let sessions = [
        stored_session(&store, &t.widget, at(0)).await,
        stored_session(&store, &t.widget, at(0)).await,
        stored_session(&store, &t.widget, at(0)).await,
    ];
    let earlier = store
        .append_messages(vec![text(&sessions[0], "earlier", Some("early"), at(1))])
        .await
        .expect("first batch");
    assert!(earlier[0].as_ref().expect("stored").created);

    let mut batch: Vec<NewMessage> = (0..600)
        .map(|i| text(&sessions[i % 3], &format!("m{i}"), None, at(2)))
        .collect();
    batch.insert(10, text(&sessions[1], "first", Some("twice"), at(2)));
    batch.insert(400, text(&sessions[1], "second", Some("twice"), at(2)));
    batch.push(text(&sessions[0], "retry", Some("early"), at(3)));
    let results = store.append_messages(batch).await.expect("large batch");
    assert_eq!(results.len(), 603);
    let first = results[10].as_ref().expect("first");
    let repeat = results[400].as_ref().expect("repeat");
    assert!(first.created && !repeat.created);
    assert_eq!(repeat.message, first.message);
    let retry = results[602].as_ref().expect("retry");
    assert!(!retry.created);
    assert_eq!(retry.message.content, "earlier");
    assert_eq!(retry.message.seq, 1);

    // 200 plain messages per session, plus "earlier" in the first and "first" in the second.
    for (session, expected) in sessions.iter().zip([201, 201, 200]) {
        let stored = store
            .get_session(&t.tenant, &session.id)
            .await
            .expect("session");
        assert_eq!(stored.last_seq, expected);
        let mut seqs = Vec::new();
        let mut after = 0;
        loop {
            let page = store
                .list_messages(&t.tenant, &session.id, history(Some(after), None, 100))
                .await
                .expect("history");
            let Some(last) = page.last() else { break };
            after = last.seq;
            seqs.extend(page.iter().map(|m| m.seq));
        }
        assert_eq!(seqs, (1..=expected).collect::<Vec<_>>());
    }
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
