//! Store conformance, concurrency: concurrent appends, retries and batches keep numbering
//! gapless and never deadlock.

use std::collections::HashSet;
use std::sync::Arc;

use crate::ids::MessageId;
use crate::store::ChatStore;

use super::fixtures::*;

/// Fifty concurrent appends to one session get 1..=50, each number once, no gap.
pub async fn fifty_concurrent_appends_to_one_session_get_every_sequence_number_once(
    store: Arc<dyn ChatStore>,
) {
    let t = tenancy(&store).await;
    let s = stored_session(&store, &t.widget, at(0)).await;
    let tasks: Vec<_> = (0..50_i64)
        .map(|i| {
            let store = store.clone();
            let client_id = (i % 2 == 0).then(|| format!("c-{i}"));
            let message = text(&s, &format!("m{i}"), client_id.as_deref(), at(i));
            tokio::spawn(async move { store.append_messages(vec![message]).await })
        })
        .collect();
    let mut numbers = Vec::new();
    for task in tasks {
        let mut results = task.await.expect("task").expect("append");
        let appended = results.remove(0).expect("append message");
        assert!(appended.created);
        numbers.push(appended.message.seq);
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=50).collect::<Vec<i64>>());

    let stored = store
        .list_messages(&t.tenant, &s.id, history(None, None, 200))
        .await
        .expect("history");
    assert_eq!(
        stored.iter().map(|m| m.seq).collect::<Vec<_>>(),
        (1..=50).collect::<Vec<i64>>()
    );
    let ids: HashSet<&MessageId> = stored.iter().map(|m| &m.id).collect();
    assert_eq!(ids.len(), 50);
    assert_eq!(
        store
            .get_session(&t.tenant, &s.id)
            .await
            .expect("get")
            .last_seq,
        50
    );
}

/// Ten concurrent sends of one `client_message_id` store one message; every caller gets it.
pub async fn concurrent_retries_of_one_client_message_id_store_one_message(
    store: Arc<dyn ChatStore>,
) {
    let t = tenancy(&store).await;
    let s = stored_session(&store, &t.widget, at(0)).await;
    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let store = store.clone();
            let message = text(&s, &format!("attempt {i}"), Some("same-key"), at(i));
            tokio::spawn(async move { store.append_messages(vec![message]).await })
        })
        .collect();
    let mut created = 0;
    let mut returned = Vec::new();
    for task in tasks {
        let mut results = task.await.expect("task").expect("append");
        let appended = results.remove(0).expect("append message");
        if appended.created {
            created += 1;
        }
        returned.push(appended.message);
    }
    assert_eq!(created, 1, "exactly one attempt stores the message");
    assert!(
        returned.iter().all(|m| m == &returned[0]),
        "everyone gets the stored message"
    );
    assert_eq!(returned[0].seq, 1);
    assert_eq!(seqs(&store, &s, history(None, None, 50)).await, vec![1]);
    assert_eq!(
        store
            .get_session(&t.tenant, &s.id)
            .await
            .expect("get")
            .last_seq,
        1
    );
}

/// Concurrent batches touching the same two sessions in opposite orders all complete (no
/// deadlock) and number each session's messages gaplessly.
pub async fn concurrent_batches_over_the_same_sessions_all_complete(store: Arc<dyn ChatStore>) {
    let t = tenancy(&store).await;
    let a = stored_session(&store, &t.widget, at(0)).await;
    let b = stored_session(&store, &t.widget, at(0)).await;
    let tasks: Vec<_> = (0..10_i64)
        .map(|i| {
            let store = store.clone();
            let (first, second) = if i % 2 == 0 { (&a, &b) } else { (&b, &a) };
            let batch = vec![
                text(first, &format!("x{i}"), None, at(i)),
                text(second, &format!("y{i}"), None, at(i)),
            ];
            tokio::spawn(async move { store.append_messages(batch).await })
        })
        .collect();
    for task in tasks {
        for r in task.await.expect("task").expect("batch") {
            r.expect("append");
        }
    }
    for s in [&a, &b] {
        assert_eq!(
            seqs(&store, s, history(None, None, 50)).await,
            (1..=10).collect::<Vec<i64>>()
        );
    }
}
