//! Group commit for messages. Concurrent sends are queued and a single writer task hands
//! every message waiting at that moment to [`ChatStore::append_messages`] in one call (one
//! transaction), then answers each sender. A sender is answered only after its batch
//! committed, so an acknowledged message is durable.

use crate::domain::NewMessage;
use crate::error::{ChatError, ChatResult, StoreError};
use crate::store::{Appended, ChatStore, StoreResult};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Most messages committed in one transaction.
const MAX_BATCH: usize = 128;
/// Queue depth before senders wait (back-pressure).
const QUEUE_DEPTH: usize = 4096;

type Job = (NewMessage, oneshot::Sender<StoreResult<Appended>>);

/// The sending side of the writer task.
#[derive(Debug)]
pub(crate) struct AppendQueue {
    tx: mpsc::Sender<Job>,
}

impl AppendQueue {
    /// Starts the writer task on the current tokio runtime.
    pub(crate) fn start(store: Arc<dyn ChatStore>) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE_DEPTH);
        tokio::spawn(writer(store, rx));
        AppendQueue { tx }
    }

    /// Appends one message, waiting for its batch to commit.
    pub(crate) async fn append(&self, message: NewMessage) -> ChatResult<Appended> {
        let (done, answer) = oneshot::channel();
        self.tx
            .send((message, done))
            .await
            .map_err(|_| ChatError::internal("message writer stopped"))?;
        match answer.await {
            Ok(result) => result.map_err(|e| match e {
                StoreError::NotFound => ChatError::NotFound("session"),
                other => other.into(),
            }),
            Err(_) => Err(ChatError::internal("message writer dropped the message")),
        }
    }
}

async fn writer(store: Arc<dyn ChatStore>, mut rx: mpsc::Receiver<Job>) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let (messages, senders): (Vec<_>, Vec<_>) = batch.drain(..).unzip();
        match store.append_messages(messages).await {
            Ok(results) => {
                let mut results = results.into_iter();
                for sender in senders {
                    let result = results
                        .next()
                        .unwrap_or_else(|| Err(StoreError::Conflict("store returned too few results".into())));
                    let _ = sender.send(result);
                }
            }
            Err(err) => {
                tracing::error!(error = %err, "appending a batch of messages failed");
                let text = err.to_string();
                for sender in senders {
                    let _ = sender.send(Err(StoreError::backend("append batch", text.clone())));
                }
            }
        }
    }
}
