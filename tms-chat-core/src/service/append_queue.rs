//! Group commit for messages. Concurrent sends are queued and a single writer task hands
//! every message waiting at that moment to [`ChatStore::append_messages`] in one call (one
//! transaction), publishes `new_message` for each newly stored message in commit order (so
//! every connection sees a session's messages in `seq` order), then answers each sender. A
//! sender is answered only after its batch committed, so an acknowledged message is durable.

use crate::domain::{NewMessage, Session};
use crate::error::{ChatError, ChatResult, StoreError};
use crate::notify::{Audience, ChatEvent, EncodedMessage, Notifier};
use crate::store::{Appended, ChatStore, StoreResult};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Most messages committed in one transaction.
const MAX_BATCH: usize = 128;
/// Queue depth before senders wait (back-pressure).
const QUEUE_DEPTH: usize = 4096;

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
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let mut messages = Vec::with_capacity(batch.len());
        let mut waiting = Vec::with_capacity(batch.len());
        for (message, session, sender) in batch.drain(..) {
            messages.push(message);
            waiting.push((session, sender));
        }
        let senders: (Vec<_>, bool) = match store.append_messages(messages).await {
            Ok(results) => {
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
                            let envelope = super::publish::conversation_envelope(
                                &session,
                                Audience::Everyone,
                                event,
                            );
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
                continue;
            }
            Err(err) => {
                tracing::error!(error = %err, "appending a batch of messages failed");
                let unavailable = matches!(err, StoreError::Unavailable { .. });
                (
                    waiting.into_iter().map(|(_, sender)| sender).collect(),
                    unavailable,
                )
            }
        };
        // Nothing of the batch was stored: every sender hears why (a database that does not
        // answer stays `unavailable`, so clients retry).
        let (senders, unavailable) = senders;
        let text = "append batch failed";
        for sender in senders {
            let error = if unavailable {
                StoreError::unavailable("append batch", text)
            } else {
                StoreError::backend("append batch", text)
            };
            let _ = sender.send((Err(error), None));
        }
    }
}
