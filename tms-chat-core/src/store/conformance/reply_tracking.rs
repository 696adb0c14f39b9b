//! Store conformance, reply tracking: the append keeps each session's wait for a reply and
//! moves a writing agent's read marker, unread counts come grouped for a page, the "Needs
//! reply" list is oldest wait first, the reassignment timer finds overdue sessions, recent
//! assignments are listed for wait estimates, and a limited insert never takes an agent over
//! their limit.

use std::sync::Arc;

use crate::domain::{ReadMarker, SenderType, Session};
use crate::ids::{AgentId, SessionId};
use crate::store::{ChatStore, LimitedUpdate, SessionFilter};

use super::fixtures::*;

/// An agent's text message for `session`.
fn agent_text(session: &Session, agent: &AgentId, at_s: i64) -> crate::domain::NewMessage {
    let mut m = text(session, "answer", None, at(at_s));
    m.sender_type = SenderType::Agent;
    m.sender_agent_id = Some(agent.clone());
    m
}

/// A system message for `session`.
fn system_text(session: &Session, at_s: i64) -> crate::domain::NewMessage {
    let mut m = text(session, "joined", None, at(at_s));
    m.sender_type = SenderType::System;
    m
}

async fn reread(store: &Arc<dyn ChatStore>, s: &Session) -> Session {
    store.get_session(&s.tenant_id, &s.id).await.expect("get")
}

/// The wait starts at the oldest unanswered customer message, system messages change
/// nothing, an agent message ends it (in one batch too), and a session update never
/// writes it.
pub async fn appending_tracks_the_customers_wait_for_a_reply(store: Arc<dyn ChatStore>) {
    let t = tenancy(&store).await;
    let ada = AgentId::new(format!("agent-{}", uid()));
    let s = stored_session(&store, &t.widget, at(0)).await;
    append(&store, text(&s, "hello", None, at(1))).await;
    append(&store, system_text(&s, 2)).await;
    append(&store, text(&s, "anyone?", None, at(3))).await;
    let waiting = reread(&store, &s).await;
    assert_eq!(waiting.awaiting_reply_since, Some(at(1)));
    assert_eq!(waiting.last_customer_message_at, Some(at(3)));

    append(&store, agent_text(&s, &ada, 4)).await;
    let answered = reread(&store, &s).await;
    assert_eq!(answered.awaiting_reply_since, None);
    assert_eq!(answered.last_customer_message_at, Some(at(3)));

    let batch = vec![
        text(&s, "one more", None, at(5)),
        agent_text(&s, &ada, 6),
        text(&s, "and another", None, at(7)),
    ];
    for r in store.append_messages(batch).await.expect("batch") {
        r.expect("append");
    }
    let again = reread(&store, &s).await;
    assert_eq!(again.awaiting_reply_since, Some(at(7)));
    assert_eq!(again.last_customer_message_at, Some(at(7)));

    // A writer holding the session from before the messages does not undo them.
    let mut stale = again.clone();
    stale.awaiting_reply_since = None;
    stale.customer_name = Some("Renamed".into());
    let updated = store.update_session(&stale).await.expect("update");
    assert_eq!(updated.awaiting_reply_since, Some(at(7)));
}

/// An agent's message moves their read marker to it (never back); unread counts are the
/// customer messages after each agent's marker, for the asked sessions of the tenant only,
/// leaving out sessions with none.
pub async fn an_agents_message_marks_read_and_unread_counts_are_per_agent(
    store: Arc<dyn ChatStore>,
) {
    let t = tenancy(&store).await;
    let ada = AgentId::new(format!("agent-{}", uid()));
    let bob = AgentId::new(format!("agent-{}", uid()));
    let a = stored_session(&store, &t.widget, at(0)).await;
    let b = stored_session(&store, &t.widget, at(0)).await;
    let quiet = stored_session(&store, &t.widget, at(0)).await;
    for i in 1..=3 {
        append(&store, text(&a, "a", None, at(i))).await;
    }
    let reply = append(&store, agent_text(&a, &ada, 4)).await;
    append(&store, text(&a, "after", None, at(5))).await;
    append(&store, text(&b, "b1", None, at(1))).await;
    append(&store, text(&b, "b2", None, at(2))).await;

    let markers = store
        .list_read_markers(&t.tenant, &a.id)
        .await
        .expect("markers");
    let ada_key = ReadMarker::agent_key(&ada);
    let marker = markers.iter().find(|m| m.participant == ada_key);
    assert_eq!(marker.map(|m| m.last_read_seq), Some(reply.message.seq));

    let ids = [a.id.clone(), b.id.clone(), quiet.id.clone()];
    let mut for_ada = store
        .unread_counts(&t.tenant, &ada, &ids)
        .await
        .expect("unread");
    for_ada.sort();
    let mut expected = vec![(a.id.clone(), 1), (b.id.clone(), 2)];
    expected.sort();
    assert_eq!(for_ada, expected);
    let mut for_bob = store
        .unread_counts(&t.tenant, &bob, &ids)
        .await
        .expect("unread");
    for_bob.sort();
    let mut expected: Vec<(SessionId, u64)> = vec![(a.id.clone(), 4), (b.id.clone(), 2)];
    expected.sort();
    assert_eq!(for_bob, expected, "without a marker every customer message");
    assert!(store
        .unread_counts(&unique_tenant(), &ada, &ids)
        .await
        .expect("unread")
        .is_empty());

    // A marker moved further by hand is not moved back by an older message.
    store
        .advance_read_marker(
            &t.tenant,
            &ReadMarker {
                session_id: b.id.clone(),
                participant: ada_key.clone(),
                last_read_seq: 50,
                updated_at: at(9),
            },
        )
        .await
        .expect("advance");
    append(&store, agent_text(&b, &ada, 10)).await;
    let markers = store
        .list_read_markers(&t.tenant, &b.id)
        .await
        .expect("markers");
    let marker = markers.iter().find(|m| m.participant == ada_key);
    assert_eq!(marker.map(|m| m.last_read_seq), Some(50));
}

/// `awaiting_reply` lists only waiting customers, oldest wait first, and pages.
pub async fn the_awaiting_reply_list_is_oldest_wait_first_and_pages(store: Arc<dyn ChatStore>) {
    let t = tenancy(&store).await;
    let ada = AgentId::new(format!("agent-{}", uid()));
    let mut by_wait = Vec::new();
    for wait in [5, 3, 8] {
        let s = stored_session(&store, &t.widget, at(0)).await;
        append(&store, text(&s, "?", None, at(wait))).await;
        by_wait.push((wait, s.id.clone()));
    }
    let answered = stored_session(&store, &t.widget, at(0)).await;
    append(&store, text(&answered, "?", None, at(1))).await;
    append(&store, agent_text(&answered, &ada, 2)).await;
    stored_session(&store, &t.widget, at(0)).await;
    by_wait.sort();
    let expected: Vec<SessionId> = by_wait.into_iter().map(|(_, id)| id).collect();

    let all = listed(
        &store,
        &t.tenant,
        SessionFilter {
            awaiting_reply: true,
            ..filter()
        },
    )
    .await;
    assert_eq!(all, expected);

    let first = store
        .list_sessions(
            &t.tenant,
            &SessionFilter {
                awaiting_reply: true,
                limit: 2,
                ..filter()
            },
        )
        .await
        .expect("page");
    let ids: Vec<SessionId> = first.sessions.iter().map(|s| s.id.clone()).collect();
    assert_eq!(ids, expected[..2]);
    let second = store
        .list_sessions(
            &t.tenant,
            &SessionFilter {
                awaiting_reply: true,
                limit: 2,
                cursor: first.next_cursor,
                ..filter()
            },
        )
        .await
        .expect("page");
    let ids: Vec<SessionId> = second.sessions.iter().map(|s| s.id.clone()).collect();
    assert_eq!(ids, expected[2..]);
    assert_eq!(second.next_cursor, None);
}

/// A session is overdue `reassign_after_seconds` after its newest customer message, or after
/// its assignment when that came later; unassigned, answered and ended sessions never are.
pub async fn reply_overdue_sessions_are_listed_from_the_later_of_message_and_assignment(
    store: Arc<dyn ChatStore>,
) {
    // The fixture widget reassigns after 120 seconds.
    let t = tenancy(&store).await;
    let ada = AgentId::new(format!("agent-{}", uid()));
    // The list is every tenant's sessions a page at a time: this run's lead the page.
    let shift = before_earlier_runs();
    let at = |seconds: i64| at(shift + seconds);
    let assigned = |at_s: i64| {
        let mut s = session(&t.widget, at(0));
        s.assign_to(ada.clone(), at(at_s)).expect("assign");
        s
    };
    let early = assigned(10);
    let late = assigned(100);
    let unassigned = session(&t.widget, at(0));
    let answered = assigned(10);
    let mut ended = assigned(10);
    ended
        .end(crate::domain::EndedBy::Agent, at(11))
        .expect("end");
    for s in [&early, &late, &unassigned, &answered, &ended] {
        insert(&store, s).await;
        append(&store, text(s, "?", None, at(20))).await;
    }
    append(&store, agent_text(&answered, &ada, shift + 30)).await;

    let overdue_at = |now: i64| {
        let store = store.clone();
        let tenant = t.tenant.clone();
        async move {
            store
                .list_reply_overdue_sessions(at(now), 200)
                .await
                .expect("overdue")
                .into_iter()
                .filter(|s| s.tenant_id == tenant)
                .map(|s| s.id)
                .collect::<Vec<_>>()
        }
    };
    assert!(overdue_at(139).await.is_empty());
    assert_eq!(overdue_at(140).await, vec![early.id.clone()]);
    assert_eq!(
        overdue_at(220).await,
        vec![early.id.clone(), late.id.clone()]
    );
}

/// Sessions that left the queue, most recently assigned first; waiting ones are left out.
pub async fn recently_assigned_sessions_are_listed_newest_assignment_first(
    store: Arc<dyn ChatStore>,
) {
    let t = tenancy(&store).await;
    let ada = AgentId::new(format!("agent-{}", uid()));
    let mut ids = Vec::new();
    for assigned_at in [30, 10, 20] {
        let mut s = session(&t.widget, at(0));
        s.assign_to(ada.clone(), at(assigned_at)).expect("assign");
        insert(&store, &s).await;
        ids.push((assigned_at, s.id.clone()));
    }
    stored_session(&store, &t.widget, at(0)).await;
    ids.sort();
    ids.reverse();
    let expected: Vec<SessionId> = ids.into_iter().map(|(_, id)| id).collect();
    let listed: Vec<SessionId> = store
        .recently_assigned_sessions(&t.tenant, 10)
        .await
        .expect("recent")
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(listed, expected);
    let two = store
        .recently_assigned_sessions(&t.tenant, 2)
        .await
        .expect("recent");
    assert_eq!(two.len(), 2);
}

/// Ten concurrent inserts of sessions assigned to one agent with a limit of three: exactly
/// three are stored, the others answer `AtLimit` and store nothing.
pub async fn concurrent_limited_inserts_never_exceed_the_limit(store: Arc<dyn ChatStore>) {
    let t = tenancy(&store).await;
    let ada = AgentId::new(format!("agent-{}", uid()));
    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let store = store.clone();
            let mut s = session(&t.widget, at(i));
            s.assign_to(ada.clone(), at(i)).expect("assign");
            tokio::spawn(async move {
                let result = store
                    .insert_session_within_limit(&s, &format!("hash-{}", uid()), 3)
                    .await;
                (s, result)
            })
        })
        .collect();
    let mut stored = 0;
    for task in tasks {
        let (s, result) = task.await.expect("task");
        match result.expect("limited insert") {
            LimitedUpdate::Stored(row) => {
                assert_eq!(row.id, s.id);
                assert_eq!(row.assigned_agent_id.as_ref(), Some(&ada));
                stored += 1;
            }
            LimitedUpdate::AtLimit => assert_not_found(
                store.get_session(&t.tenant, &s.id).await,
                "a refused insert stores nothing",
            ),
        }
    }
    assert_eq!(stored, 3, "exactly the limit is stored");
    assert_eq!(
        store
            .count_open_sessions_for_agent(&t.tenant, &ada)
            .await
            .expect("count"),
        3
    );
    // Without an assignee the limit does not apply.
    let free = session(&t.widget, at(20));
    assert!(matches!(
        store
            .insert_session_within_limit(&free, &format!("hash-{}", uid()), 0)
            .await
            .expect("unassigned insert"),
        LimitedUpdate::Stored(_)
    ));
}
