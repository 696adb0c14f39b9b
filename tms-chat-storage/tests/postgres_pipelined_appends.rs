//! The message writer on PostgreSQL keeps several append transactions in flight
//! (`ChatStore::append_pipeline_depth`). Through the service, against `DATABASE_URL` (without
//! it the test prints `skipped: …`): a thousand sends queued at once into two dozen sessions,
//! some of them retries of an earlier send, are each stored once, numbered gapless in
//! submission order, acknowledged with that number, and published to a session's
//! subscriber once each, in `seq` order.

#![allow(clippy::unwrap_used)] // Tests unwrap: a panic is a failed test.

mod support;

use std::collections::HashMap;
use std::time::Duration;

use tms_chat_core::auth::Actor;
use tms_chat_core::domain::{Agent, Role};
use tms_chat_core::ids::{SessionId, TenantId};
use tms_chat_core::notify::{ChatEvent, Subscriber, Topic};
use tms_chat_core::service::{ChatService, SendMessage, StartCustomerSession};
use tms_chat_core::store::HistoryQuery;
use tms_chat_core::test_utils::{seed_agents, seed_tenant, seed_widget};
use tms_chat_storage::connect_node;

const SESSIONS: usize = 24;
const SENDS_PER_SESSION: usize = 42;
/// Sends are queued a session's run at a time, in two rounds, so a batch holds a few whole
/// runs, consecutive batches hold other sessions (and go in flight together), a run can be
/// split between two batches, and the second round waits behind the first.
const ROUNDS: usize = 2;
/// Every seventh send repeats the client id of the send before it (a client retrying).
const RETRY_EVERY: usize = 7;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pipelined_appends_stay_gapless_once_and_in_order_per_session() {
    let Some(url) = support::database_url() else {
        return;
    };
    let storage = connect_node(&url, std::env::temp_dir()).await.unwrap();
    assert!(
        storage.store.append_pipeline_depth() > 1,
        "PostgreSQL pipelines its appends"
    );
    let svc = ChatService::builder(storage.store.clone())
        .blob_store(storage.files.clone())
        .build();
    let unique = uuid::Uuid::now_v7().simple().to_string();
    let tenant = TenantId::new(format!("pipe-{unique}"));
    seed_tenant(&*storage.store, &tenant, "Shop").await;
    let admin = Agent::new("admin", tenant, "Ada").with_role(Role::Admin);
    seed_agents(&*storage.store, &[&admin]).await;
    let widget = seed_widget(&svc, &admin, "Support", "shop.example.com").await;
    let mut sessions = Vec::new();
    let mut listeners = Vec::new();
    for _ in 0..SESSIONS {
        let session = svc
            .start_customer_session(
                &widget.id,
                Some("https://shop.example.com"),
                StartCustomerSession::default(),
            )
            .await
            .unwrap()
            .session
            .id;
        let (subscriber, rx) = Subscriber::channel(4 * SENDS_PER_SESSION);
        svc.notifier()
            .subscribe(Topic::Session(session.clone()), &subscriber);
        listeners.push((subscriber, rx));
        sessions.push(session);
    }

    // Queued in one go, so batches form while others commit.
    let agent = Actor::Agent(&admin);
    let mut pending = Vec::new();
    let run = SENDS_PER_SESSION / ROUNDS;
    for round in 0..ROUNDS {
        for (s, session) in sessions.iter().enumerate() {
            for i in round * run..(round + 1) * run {
                let client_id = if i % RETRY_EVERY == RETRY_EVERY - 1 {
                    i - 1
                } else {
                    i
                };
                let send = SendMessage {
                    content: format!("m{i}"),
                    client_message_id: Some(format!("c{client_id}")),
                    ..Default::default()
                };
                pending.push((
                    s,
                    i,
                    svc.submit_message(&agent, session, send).await.unwrap(),
                ));
            }
        }
    }
    let mut acked: Vec<Vec<(usize, i64, bool)>> = vec![Vec::new(); SESSIONS];
    for (s, i, append) in pending {
        let appended = append.committed().await.unwrap();
        acked[s].push((i, appended.message.seq, appended.created));
    }

    let retries = SENDS_PER_SESSION / RETRY_EVERY;
    let stored = SENDS_PER_SESSION - retries;
    for (s, session) in sessions.iter().enumerate() {
        assert_numbered_in_submission_order(&acked[s]);
        assert_history_is_gapless(&svc, &agent, session, stored).await;
        let (_, rx) = &mut listeners[s];
        let mut published = Vec::new();
        while published.len() < stored {
            let event = tokio::time::timeout(Duration::from_secs(10), rx.recv())
                .await
                .expect("every new message is published")
                .unwrap();
            if let ChatEvent::NewMessage { message } = &event.event {
                published.push(message.seq);
            }
        }
        let expected: Vec<i64> = (1..=stored as i64).collect();
        assert_eq!(published, expected, "published once each, in seq order");
    }
}

/// New sends get the next number in submission order; a retry gets its original's.
fn assert_numbered_in_submission_order(acked: &[(usize, i64, bool)]) {
    let mut by_index: HashMap<usize, i64> = HashMap::new();
    let mut last = 0;
    for &(i, seq, created) in acked {
        if i % RETRY_EVERY == RETRY_EVERY - 1 {
            assert!(!created, "send {i} retries send {}", i - 1);
            assert_eq!(
                Some(&seq),
                by_index.get(&(i - 1)),
                "the retry gets the stored seq"
            );
        } else {
            assert!(created, "send {i} is new");
            assert_eq!(seq, last + 1, "send {i} numbered next");
            last = seq;
        }
        by_index.insert(i, seq);
    }
}

async fn assert_history_is_gapless(
    svc: &ChatService,
    agent: &Actor<'_>,
    session: &SessionId,
    stored: usize,
) {
    let mut seqs: Vec<i64> = Vec::new();
    loop {
        let query = HistoryQuery {
            after_seq: seqs.last().copied(),
            before_seq: None,
            limit: 100,
        };
        let page = svc.history(agent, session, query).await.unwrap();
        if page.is_empty() {
            break;
        }
        seqs.extend(page.iter().map(|m| m.seq));
    }
    let expected: Vec<i64> = (1..=stored as i64).collect();
    assert_eq!(seqs, expected, "each stored once, numbered without gaps");
}
