//! Store conformance, sessions: round trips, token-hash lookup, optimistic-concurrency updates,
//! the filtered and paged console list, a customer's other sessions, open-session counts.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::domain::{EndedBy, Session, SessionStatus, TransferTarget};
use crate::error::StoreError;
use crate::ids::{AgentId, ProjectId, SessionId, WidgetId};
use crate::store::{ChatStore, SessionCursor, SessionFilter};

use super::fixtures::*;

/// Every session field survives a round trip; the customer token hash finds the session and
/// is unique, as is the session id.
pub async fn sessions_round_trip_every_field_and_are_found_by_token_hash(
    store: Arc<dyn ChatStore>,
) {
    let t = tenancy(&store).await;
    let mut s = session(&t.widget, at(5));
    s.status = SessionStatus::Transferred;
    s.customer_email = Some("Ann.Smith@Example.com".into());
    s.customer_name = Some("Ann Smith".into());
    s.transfer_target = Some(TransferTarget::Department {
        department: "billing".into(),
    });
    s.department = Some("billing".into());
    s.started_by_agent_id = Some(AgentId::new("agent-ada"));
    s.ticket_id = Some("T-42".into());
    s.customer_verified = true;
    s.updated_at = at(6);
    s.last_activity_at = at(7);
    let hash = format!("hash-{}", uid());
    store.insert_session(&s, &hash).await.expect("insert");
    assert_eq!(store.get_session(&t.tenant, &s.id).await.expect("get"), s);
    assert_eq!(
        store
            .find_session_by_token_hash(&hash)
            .await
            .expect("by token"),
        s
    );
    assert_not_found(
        store.find_session_by_token_hash("hash-unknown").await,
        "unknown token",
    );

    let mut ended = session(&t.widget, at(8));
    ended.status = SessionStatus::Ended;
    ended.assigned_agent_id = Some(AgentId::new("agent-bob"));
    ended.transfer_target = Some(TransferTarget::Agent {
        agent_id: AgentId::new("agent-bob"),
    });
    ended.ended_by = Some(EndedBy::Customer);
    ended.ended_at = Some(at(9));
    insert(&store, &ended).await;
    assert_eq!(
        store
            .get_session(&t.tenant, &ended.id)
            .await
            .expect("get ended"),
        ended
    );

    assert_conflict(
        store.insert_session(&s, &format!("hash-{}", uid())).await,
        "inserting the same session id again",
    );
    assert_conflict(
        store
            .insert_session(&session(&t.widget, at(9)), &hash)
            .await,
        "reusing a customer token hash",
    );
    assert_not_found(
        store.get_session(&t.tenant, &SessionId::generate()).await,
        "unknown session",
    );
}

/// An update writes the fields, returns the session with the next version, and an update
/// based on an older version is refused.
pub async fn updating_a_session_bumps_its_version_and_rejects_a_stale_write(
    store: Arc<dyn ChatStore>,
) {
    let t = tenancy(&store).await;
    let s = stored_session(&store, &t.widget, at(1)).await;

    let mut assigned = s.clone();
    assigned
        .assign_to(AgentId::new("agent-ada"), at(2))
        .expect("assign");
    assigned.customer_email = Some("Late@Example.com".into());
    let updated = store.update_session(&assigned).await.expect("update");
    assert_eq!(
        updated,
        Session {
            version: 1,
            ..assigned.clone()
        }
    );
    assert_eq!(
        store.get_session(&t.tenant, &s.id).await.expect("get"),
        updated
    );

    // A writer still holding version 0 loses.
    let mut stale = s.clone();
    stale.status = SessionStatus::Ended;
    assert_conflict(store.update_session(&stale).await, "stale update");
    assert_eq!(
        store.get_session(&t.tenant, &s.id).await.expect("get"),
        updated
    );

    let mut ended = updated.clone();
    ended.end(EndedBy::Agent, at(3)).expect("end");
    let ended_stored = store.update_session(&ended).await.expect("end");
    assert_eq!(ended_stored.version, 2);
    assert_eq!(ended_stored.status, SessionStatus::Ended);
    assert_eq!(ended_stored.ended_at, Some(at(3)));

    assert_not_found(
        store.update_session(&session(&t.widget, at(1))).await,
        "unknown session",
    );
}

/// Two updates from the same version race: one is stored, the other is a conflict.
pub async fn concurrent_updates_of_one_session_let_exactly_one_win(store: Arc<dyn ChatStore>) {
    let t = tenancy(&store).await;
    let s = stored_session(&store, &t.widget, at(1)).await;
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let store = store.clone();
            let mut s = s.clone();
            tokio::spawn(async move {
                s.assign_to(AgentId::new(format!("agent-{i}")), at(2))
                    .expect("assign");
                store.update_session(&s).await
            })
        })
        .collect();
    let mut won = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(stored) => {
                won += 1;
                assert_eq!(stored.version, 1);
            }
            Err(StoreError::Conflict(_)) => {}
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }
    assert_eq!(won, 1, "exactly one concurrent update wins");
    assert_eq!(
        store
            .get_session(&t.tenant, &s.id)
            .await
            .expect("get")
            .version,
        1
    );
}

/// `last_seq` belongs to appends: an update neither writes nor resets it, and returns the
/// stored value.
pub async fn updating_a_session_never_writes_its_last_seq(store: Arc<dyn ChatStore>) {
    let t = tenancy(&store).await;
    let s = stored_session(&store, &t.widget, at(1)).await;
    append(&store, text(&s, "one", None, at(2))).await;
    append(&store, text(&s, "two", None, at(3))).await;

    // The caller's copy is from before the appends (last_seq 0), or claims a bogus value.
    for (i, claimed) in [0_i64, 99].into_iter().enumerate() {
        let mut copy = store.get_session(&t.tenant, &s.id).await.expect("get");
        copy.last_seq = claimed;
        copy.ticket_id = Some(format!("T-{i}"));
        let stored = store.update_session(&copy).await.expect("update");
        assert_eq!(stored.last_seq, 2);
        assert_eq!(
            store
                .get_session(&t.tenant, &s.id)
                .await
                .expect("get")
                .last_seq,
            2
        );
    }
    // And an update based on an older activity time does not move activity backwards.
    let mut copy = store.get_session(&t.tenant, &s.id).await.expect("get");
    copy.last_activity_at = at(1);
    copy.department = Some("sales".into());
    let stored = store.update_session(&copy).await.expect("update");
    assert_eq!(stored.last_activity_at, at(3));
    assert_eq!(
        append(&store, text(&s, "three", None, at(4)))
            .await
            .message
            .seq,
        3
    );
}

/// The status filter returns only sessions in that status.
pub async fn session_list_filters_by_status(store: Arc<dyn ChatStore>) {
    let t = tenancy(&store).await;
    let waiting = stored_session(&store, &t.widget, at(1)).await;
    let mut active = session(&t.widget, at(2));
    active.assign_to(AgentId::new("a1"), at(2)).expect("assign");
    insert(&store, &active).await;
    let mut ended = session(&t.widget, at(3));
    ended.end(EndedBy::Customer, at(3)).expect("end");
    insert(&store, &ended).await;

    for (status, expected) in [
        (SessionStatus::Waiting, vec![waiting.id.clone()]),
        (SessionStatus::Active, vec![active.id.clone()]),
        (SessionStatus::Ended, vec![ended.id.clone()]),
        (SessionStatus::Transferred, vec![]),
    ] {
        let f = SessionFilter {
            status: Some(status),
            ..filter()
        };
        assert_eq!(
            listed(&store, &t.tenant, f).await,
            expected,
            "status {status:?}"
        );
    }
    assert_eq!(
        listed(&store, &t.tenant, filter()).await,
        vec![ended.id, active.id, waiting.id]
    );
}

/// The assigned-agent filter returns that agent's sessions; `unassigned_only` the sessions
/// without an agent that have not ended.
pub async fn session_list_filters_by_assigned_agent_and_unassigned_only(store: Arc<dyn ChatStore>) {
    let t = tenancy(&store).await;
    let mut a1 = session(&t.widget, at(1));
    a1.assign_to(AgentId::new("a1"), at(1)).expect("assign");
    let mut a2 = session(&t.widget, at(2));
    a2.assign_to(AgentId::new("a2"), at(2)).expect("assign");
    let waiting = session(&t.widget, at(3));
    let mut ended = session(&t.widget, at(4));
    ended.end(EndedBy::Customer, at(4)).expect("end");
    let mut to_team = session(&t.widget, at(5));
    to_team
        .transfer_to(
            TransferTarget::Department {
                department: "billing".into(),
            },
            at(5),
        )
        .expect("transfer");
    let mut a1_ended = session(&t.widget, at(6));
    a1_ended
        .assign_to(AgentId::new("a1"), at(6))
        .expect("assign");
    a1_ended.end(EndedBy::Agent, at(6)).expect("end");
    for s in [&a1, &a2, &waiting, &ended, &to_team, &a1_ended] {
        insert(&store, s).await;
    }

    let by_agent = |agent: &str| SessionFilter {
        assigned_agent_id: Some(AgentId::new(agent)),
        ..filter()
    };
    assert_eq!(
        listed(&store, &t.tenant, by_agent("a1")).await,
        vec![a1_ended.id.clone(), a1.id.clone()]
    );
    assert_eq!(
        listed(&store, &t.tenant, by_agent("a2")).await,
        vec![a2.id.clone()]
    );
    assert!(listed(&store, &t.tenant, by_agent("a3")).await.is_empty());
    let unassigned = SessionFilter {
        unassigned_only: true,
        ..filter()
    };
    assert_eq!(
        listed(&store, &t.tenant, unassigned).await,
        vec![to_team.id.clone(), waiting.id.clone()]
    );
    let active_a1 = SessionFilter {
        status: Some(SessionStatus::Active),
        ..by_agent("a1")
    };
    assert_eq!(
        listed(&store, &t.tenant, active_a1).await,
        vec![a1.id.clone()]
    );
}

/// The widget filter and the project scope narrow the list, alone and together.
pub async fn session_list_filters_by_widget_and_project_scope(store: Arc<dyn ChatStore>) {
    let t = tenancy(&store).await;
    let p2 = ProjectId::new(format!("p2-{}", uid()));
    let w2 = widget(&t.tenant, &p2, at(0));
    store.insert_widget(&w2).await.expect("insert widget");
    let s1 = stored_session(&store, &t.widget, at(1)).await;
    let s2 = stored_session(&store, &w2, at(2)).await;
    let s3 = stored_session(&store, &t.widget, at(3)).await;

    let f = |widget: Option<&WidgetId>, projects: Option<Vec<ProjectId>>| SessionFilter {
        widget_id: widget.cloned(),
        project_ids: projects,
        ..filter()
    };
    assert_eq!(
        listed(&store, &t.tenant, f(Some(&t.widget.id), None)).await,
        vec![s3.id.clone(), s1.id.clone()]
    );
    assert_eq!(
        listed(&store, &t.tenant, f(Some(&w2.id), None)).await,
        vec![s2.id.clone()]
    );
    assert_eq!(
        listed(&store, &t.tenant, f(None, Some(vec![p2.clone()]))).await,
        vec![s2.id.clone()]
    );
    assert_eq!(
        listed(
            &store,
            &t.tenant,
            f(None, Some(vec![t.project.clone(), p2.clone()]))
        )
        .await,
        vec![s3.id.clone(), s2.id.clone(), s1.id.clone()]
    );
    assert!(listed(&store, &t.tenant, f(None, Some(vec![])))
        .await
        .is_empty());
    assert!(listed(
        &store,
        &t.tenant,
        f(Some(&t.widget.id), Some(vec![p2.clone()]))
    )
    .await
    .is_empty());
}

/// `query` is a case-insensitive substring of the email or the name; `%`, `_` and `\` in it
/// match only themselves.
pub async fn session_search_matches_email_and_name_case_insensitively_with_literal_wildcards(
    store: Arc<dyn ChatStore>,
) {
    let t = tenancy(&store).await;
    let mut n = 0;
    let mut customer = |email: Option<&str>, name: Option<&str>| {
        n += 1;
        let mut s = session(&t.widget, at(n));
        s.customer_email = email.map(str::to_owned);
        s.customer_name = name.map(str::to_owned);
        s
    };
    let ann = customer(Some("Ann.Smith@Example.com"), Some("Ann Smith"));
    let bob = customer(Some("bob@shop.test"), Some("Robert 50% Off"));
    let under = customer(Some("under_score@x.io"), None);
    let zoe = customer(None, Some("ZOË Zed"));
    let club = customer(Some("club@x.io"), Some("500 Club"));
    let slash = customer(None, Some("Back\\slash"));
    let anon = customer(None, None);
    for s in [&ann, &bob, &under, &zoe, &club, &slash, &anon] {
        insert(&store, s).await;
    }
    let search = |q: &str| SessionFilter {
        query: Some(q.to_owned()),
        ..filter()
    };
    let cases: Vec<(&str, Vec<&SessionId>)> = vec![
        ("EXAMPLE.com", vec![&ann.id]),
        ("smith", vec![&ann.id]),
        ("rOBERT", vec![&bob.id]),
        ("50%", vec![&bob.id]),
        ("_", vec![&under.id]),
        ("r_s", vec![&under.id]),
        ("zoë", vec![&zoe.id]),
        ("\\", vec![&slash.id]),
        ("x.io", vec![&club.id, &under.id]),
        ("nobody", vec![]),
    ];
    for (q, expected) in cases {
        let expected: Vec<SessionId> = expected.into_iter().cloned().collect();
        assert_eq!(
            listed(&store, &t.tenant, search(q)).await,
            expected,
            "query {q:?}"
        );
    }
    // A blank query does not filter.
    assert_eq!(listed(&store, &t.tenant, search("  ")).await.len(), 7);
}

/// `query` also matches the session id and the words of the session's messages (every word
/// in one message, whole words, any case), never another tenant's messages and never sealed
/// content; appends of several messages in one batch are all found.
pub async fn session_search_matches_message_words_and_the_id_within_the_tenant_only(
    store: Arc<dyn ChatStore>,
) {
    let a = tenancy(&store).await;
    let b = tenancy(&store).await;
    let parcel = session(&a.widget, at(1));
    let quiet = session(&a.widget, at(2));
    let sealed = session(&a.widget, at(3));
    let other = session(&b.widget, at(4));
    for s in [&parcel, &quiet, &sealed, &other] {
        insert(&store, s).await;
    }
    let batch = vec![
        text(&parcel, "Hello there", None, at(5)),
        text(&parcel, "Where is my PARCEL? Order 4471", None, at(6)),
        text(&quiet, "thanks, bye", None, at(7)),
        text(&sealed, "tmsenc1:k1:pumpkin", None, at(8)),
        text(&other, "banana refund for parcel", None, at(9)),
    ];
    for result in store.append_messages(batch).await.expect("append") {
        result.expect("appended");
    }
    let search = |q: &str| SessionFilter {
        query: Some(q.to_owned()),
        ..filter()
    };
    let cases: Vec<(String, Vec<&SessionId>)> = vec![
        ("parcel".into(), vec![&parcel.id]),
        ("order parcel".into(), vec![&parcel.id]),
        ("4471".into(), vec![&parcel.id]),
        // Every word must be in one message.
        ("hello parcel".into(), vec![]),
        // Whole words only.
        ("parc".into(), vec![]),
        ("banana".into(), vec![]),
        ("pumpkin".into(), vec![]),
        ("tmsenc1".into(), vec![]),
        (quiet.id.as_str().to_owned(), vec![&quiet.id]),
        (other.id.as_str().to_owned(), vec![]),
    ];
    for (q, expected) in cases {
        let expected: Vec<SessionId> = expected.into_iter().cloned().collect();
        assert_eq!(
            listed(&store, &a.tenant, search(&q)).await,
            expected,
            "query {q:?}"
        );
    }
    assert_eq!(
        listed(&store, &b.tenant, search("Banana")).await,
        vec![other.id.clone()]
    );
    assert_eq!(
        listed(&store, &b.tenant, search("pumpkin")).await,
        Vec::<SessionId>::new()
    );
}

/// Following `next_cursor` walks every session exactly once, newest activity first (ties by
/// id), and the last page has no cursor.
pub async fn session_pages_walk_every_session_once_newest_activity_first(
    store: Arc<dyn ChatStore>,
) {
    let t = tenancy(&store).await;
    let mut all = Vec::new();
    for i in 0..25_i64 {
        // Pairs share an activity time, so the id decides their order.
        let s = session(&t.widget, at((i * 7 % 25) / 2));
        insert(&store, &s).await;
        all.push(s);
    }
    let expected = newest_first(&all.iter().collect::<Vec<_>>());

    let mut walked = Vec::new();
    let mut cursor: Option<SessionCursor> = None;
    let mut pages = 0;
    loop {
        let page = store
            .list_sessions(
                &t.tenant,
                &SessionFilter {
                    cursor: cursor.clone(),
                    limit: 5,
                    ..SessionFilter::default()
                },
            )
            .await
            .expect("page");
        pages += 1;
        assert!(page.sessions.len() <= 5);
        walked.extend(page.sessions.iter().map(|s| s.id.clone()));
        match page.next_cursor {
            // Through the opaque wire form, as a client would.
            Some(next) => cursor = Some(SessionCursor::decode(&next.encode()).expect("cursor")),
            None => break,
        }
        assert!(pages <= 25, "paging does not terminate");
    }
    assert_eq!(
        pages, 5,
        "25 sessions in pages of 5, no empty trailing page"
    );
    let unique: HashSet<&SessionId> = walked.iter().collect();
    assert_eq!(unique.len(), walked.len(), "no session twice");
    assert_eq!(walked, expected);

    // A filtered walk pages the same way.
    let mut walked = Vec::new();
    let mut cursor = None;
    loop {
        let page = store
            .list_sessions(
                &t.tenant,
                &SessionFilter {
                    widget_id: Some(t.widget.id.clone()),
                    cursor,
                    limit: 10,
                    ..SessionFilter::default()
                },
            )
            .await
            .expect("page");
        walked.extend(page.sessions.into_iter().map(|s| s.id));
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(walked, expected);
}

/// A customer's other sessions are those of the same email in the tenant (any case), newest
/// first, limited and without the excluded one.
pub async fn customer_sessions_lists_the_same_email_newest_first(store: Arc<dyn ChatStore>) {
    let t = tenancy(&store).await;
    let with_email = |email: &str, at: DateTime<Utc>| {
        let mut s = session(&t.widget, at);
        s.customer_email = Some(email.into());
        s
    };
    let first = with_email("ann@example.com", at(1));
    let second = with_email("ANN@Example.com", at(2));
    let third = with_email("ann@example.com", at(3));
    let bob = with_email("bob@example.com", at(4));
    for s in [&first, &second, &third, &bob] {
        insert(&store, s).await;
    }
    let foreign = tenancy(&store).await;
    insert(&store, &{
        let mut s = session(&foreign.widget, at(5));
        s.customer_email = Some("ann@example.com".into());
        s
    })
    .await;

    let ids = |ss: Vec<Session>| ss.into_iter().map(|s| s.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store
            .customer_sessions(&t.tenant, "Ann@Example.com", Some(&third.id), 10)
            .await
            .expect("others")),
        vec![second.id.clone(), first.id.clone()]
    );
    assert_eq!(
        ids(store
            .customer_sessions(&t.tenant, "ann@example.com", None, 2)
            .await
            .expect("limited")),
        vec![third.id.clone(), second.id.clone()]
    );
    assert!(store
        .customer_sessions(&t.tenant, "carol@example.com", None, 10)
        .await
        .expect("none")
        .is_empty());
}

/// The open-session count of an agent covers its assigned sessions that have not ended.
pub async fn open_session_count_covers_only_non_ended_sessions_of_the_agent(
    store: Arc<dyn ChatStore>,
) {
    let t = tenancy(&store).await;
    let ada = AgentId::new("agent-ada");
    let mut active = session(&t.widget, at(1));
    active.assign_to(ada.clone(), at(1)).expect("assign");
    let mut transferred = session(&t.widget, at(2));
    transferred
        .transfer_to(
            TransferTarget::Agent {
                agent_id: ada.clone(),
            },
            at(2),
        )
        .expect("transfer");
    let mut ended = session(&t.widget, at(3));
    ended.assign_to(ada.clone(), at(3)).expect("assign");
    ended.end(EndedBy::Agent, at(3)).expect("end");
    let mut bobs = session(&t.widget, at(4));
    bobs.assign_to(AgentId::new("agent-bob"), at(4))
        .expect("assign");
    for s in [&active, &transferred, &ended, &bobs] {
        insert(&store, s).await;
    }
    assert_eq!(
        store
            .count_open_sessions_for_agent(&t.tenant, &ada)
            .await
            .expect("ada"),
        2
    );
    assert_eq!(
        store
            .count_open_sessions_for_agent(&t.tenant, &AgentId::new("agent-bob"))
            .await
            .expect("bob"),
        1
    );
    assert_eq!(
        store
            .count_open_sessions_for_agent(&t.tenant, &AgentId::new("agent-carol"))
            .await
            .expect("carol"),
        0
    );
}
