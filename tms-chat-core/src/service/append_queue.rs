//! Group commit for messages. Concurrent sends are queued and a single writer task hands
//! the messages waiting at that moment to [`ChatStore::append_messages`] in one call (one
//! transaction), publishes `new_message` for each newly stored message in commit order (so
//! every connection sees a session's messages in `seq` order), then answers each sender. A
//! sender is answered only after its batch committed, so an acknowledged message is durable.
//!
//! Where the store runs appends side by side ([`ChatStore::append_pipeline_depth`] above 1:
//! PostgreSQL), the writer keeps that many batches in flight, and a session is in at most
//! one of them ([`Lanes`]): its later messages wait for that batch's commit, so they still
//! number after it and are published after it.

use crate::domain::{NewMessage, Session};
use crate::error::{ChatError, ChatResult, StoreError};
use crate::ids::SessionId;
use crate::notify::{Audience, ChatEvent, EncodedMessage, Notifier};
use crate::store::{Appended, ChatStore, StoreResult};
use futures::stream::{FuturesUnordered, StreamExt};
use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Most messages committed in one transaction.
const MAX_BATCH: usize = 128;
/// Queue depth before senders wait (back-pressure).
const QUEUE_DEPTH: usize = 4096;
/// Most jobs the writer takes off the queue before they fit a batch (while their sessions
/// wait for a batch in flight).
const MAX_HELD: usize = 4 * MAX_BATCH;

/// What a sender hears: the commit's result, and for a newly stored message the slot its
/// published event encodes the message into (shared with the acknowledgement).
type Answer = (StoreResult<Appended>, Option<EncodedMessage>);

type Job = (NewMessage, Arc<Session>, oneshot::Sender<Answer>);

/// The sending side of the writer task.
#[derive(Debug)]
pub(crate) struct AppendQueue {
    tx: mpsc::Sender<Job>,
}

impl AppendQueue {
    /// Starts the writer task on the current tokio runtime.
    pub(crate) fn start(store: Arc<dyn ChatStore>, notifier: Arc<dyn Notifier>) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE_DEPTH);
        tokio::spawn(writer(store, notifier, rx));
        AppendQueue { tx }
    }

    /// Queues one message for `session` (used for event routing). Queuing happens now, in
    /// call order; the returned [`PendingAppend`] resolves once its batch committed and its
    /// event was published. Messages queued in order get increasing `seq`s.
    pub(crate) async fn enqueue(
        &self,
        message: NewMessage,
        session: Arc<Session>,
    ) -> ChatResult<PendingAppend> {
        let (done, answer) = oneshot::channel();
        self.tx
            .send((message, session, done))
            .await
            .map_err(|_| ChatError::internal("message writer stopped"))?;
        Ok(PendingAppend(answer))
    }
}

/// A queued message waiting for its commit.
#[derive(Debug)]
pub struct PendingAppend(oneshot::Receiver<Answer>);

impl PendingAppend {
    /// Waits until the message is committed (or failed).
    pub async fn committed(self) -> ChatResult<Appended> {
        self.committed_shared().await.map(|(appended, _)| appended)
    }

    /// [`PendingAppend::committed`], with the slot of the published event's encoded message
    /// (`None` for a retry answered by a stored message: no event was published).
    pub async fn committed_shared(self) -> ChatResult<(Appended, Option<EncodedMessage>)> {
        match self.0.await {
            Ok((result, shared)) => {
                result
                    .map(|appended| (appended, shared))
                    .map_err(|e| match e {
                        StoreError::NotFound => ChatError::NotFound("session"),
                        other => other.into(),
                    })
            }
            Err(_) => Err(ChatError::internal("message writer dropped the message")),
        }
    }
}

async fn writer(
    store: Arc<dyn ChatStore>,
    notifier: Arc<dyn Notifier>,
    mut rx: mpsc::Receiver<Job>,
) {
    let depth = store.append_pipeline_depth().max(1);
    let mut lanes = Lanes::new(depth);
    let mut in_flight = FuturesUnordered::new();
    let mut open = true;
    while open || !in_flight.is_empty() || !lanes.held.is_empty() {
        while lanes.held.len() < MAX_HELD {
            match rx.try_recv() {
                Ok(job) => lanes.held.push_back(job),
                Err(_) => break,
            }
        }
        if in_flight.len() < depth {
            if let Some((messages, waiting)) = lanes.take_batch() {
                let store = Arc::clone(&store);
                in_flight.push(async move { (waiting, store.append_messages(messages).await) });
                continue;
            }
        }
        tokio::select! {
            biased;
            Some((waiting, outcome)) = in_flight.next(), if !in_flight.is_empty() => {
                lanes.release(&waiting);
                answer(notifier.as_ref(), waiting, outcome).await;
            }
            job = rx.recv(), if open && lanes.held.len() < MAX_HELD => match job {
                Some(job) => lanes.held.push_back(job),
                None => open = false,
            },
        }
    }
}

/// Jobs received but not yet in a batch, and the sessions of the batches in flight. A batch
/// never shares a session with one in flight: the store numbers each batch's messages when
/// its transaction takes the sessions' locks, and two transactions in flight could take
/// them in either order, so a session's messages wait for its batch in flight to commit
/// (then they number after it, and their retries see it). Other sessions' messages go on.
struct Lanes {
    held: VecDeque<Job>,
    busy: HashSet<SessionId>,
    /// Whether batches overlap at all: with one in flight at a time (SQLite) no batch is
    /// ever formed while another is in flight, so sessions are not tracked (it would cost
    /// a copy of the session id and two hash lookups per message for nothing).
    pipelined: bool,
}

impl Lanes {
    fn new(depth: usize) -> Self {
        Lanes {
            held: VecDeque::new(),
            busy: HashSet::new(),
            pipelined: depth > 1,
        }
    }

    /// The oldest held jobs whose sessions have no batch in flight, up to [`MAX_BATCH`]; a
    /// job of a busy session also holds back that session's later jobs (they stay in order).
    fn take_batch(&mut self) -> Option<(Vec<NewMessage>, Waiting)> {
        let room = self.held.len().min(MAX_BATCH);
        let mut messages = Vec::with_capacity(room);
        let mut waiting = Vec::with_capacity(room);
        let mut blocked: HashSet<SessionId> = HashSet::new();
        let mut kept = VecDeque::new();
        while let Some(job) = self.held.pop_front() {
            let session = &job.1.id;
            if messages.len() == MAX_BATCH
                || self.busy.contains(session)
                || blocked.contains(session)
            {
                if messages.len() < MAX_BATCH {
                    blocked.insert(session.clone());
                }
                kept.push_back(job);
                continue;
            }
            let (message, session, sender) = job;
            messages.push(message);
            waiting.push((session, sender));
        }
        self.held = kept;
        if messages.is_empty() {
            return None;
        }
        if self.pipelined {
            self.busy
                .extend(waiting.iter().map(|(session, _)| session.id.clone()));
        }
        Some((messages, waiting))
    }

    /// A batch is done: its sessions take new batches again.
    fn release(&mut self, waiting: &Waiting) {
        if !self.pipelined {
            return;
        }
        for (session, _) in waiting {
            self.busy.remove(&session.id);
        }
    }
}

/// The senders of a batch, in its order, with the session each message goes to.
type Waiting = Vec<(Arc<Session>, oneshot::Sender<Answer>)>;

/// Publishes a committed batch's new messages, in order, then answers its senders; a batch
/// that failed answers every sender why.
async fn answer(
    notifier: &dyn Notifier,
    waiting: Waiting,
    outcome: StoreResult<Vec<StoreResult<Appended>>>,
) {
    let results = match outcome {
        Ok(results) => results,
        Err(err) => {
            tracing::error!(error = %err, "appending a batch of messages failed");
            // Nothing of the batch was stored: a database that does not answer stays
            // `unavailable`, so clients retry.
            let unavailable = matches!(err, StoreError::Unavailable { .. });
            let text = "append batch failed";
            for (_, sender) in waiting {
                let error = if unavailable {
                    StoreError::unavailable("append batch", text)
                } else {
                    StoreError::backend("append batch", text)
                };
                let _ = sender.send((Err(error), None));
            }
            return;
        }
    };
    let mut results = results.into_iter();
    let mut answered = Vec::with_capacity(waiting.len());
    for (session, sender) in waiting {
        let result = results.next().unwrap_or_else(|| {
            Err(StoreError::Conflict(
                "store returned too few results".into(),
            ))
        });
        let mut shared = None;
        if let Ok(appended) = &result {
            if appended.created {
                let event = ChatEvent::NewMessage {
                    message: appended.message.clone(),
                };
                let envelope =
                    super::publish::conversation_envelope(&session, Audience::Everyone, event);
                shared = Some(Arc::clone(&envelope.message_json));
                if let Err(err) = notifier.publish(envelope).await {
                    tracing::warn!(session_id = %session.id, error = %err, "publishing new_message failed");
                }
            }
        }
        answered.push((sender, (result, shared)));
    }
    for (sender, result) in answered {
        let _ = sender.send(result);
    }
}
