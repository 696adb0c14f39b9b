//! The chat service: the single API the adapters call. Every operation takes the acting
//! principal ([`Actor`](crate::auth::Actor)) and enforces access (tenant isolation, agent project scope, customers
//! reach only their own session and never notes), applies the domain rules, persists through
//! [`ChatStore`] and publishes every state change through [`Notifier`].
//!
//! Split by concern: `access` (who may see what), `widgets`, `sessions` (lifecycle,
//! assignment, transfer), `messages` (send, history, attachments), `agent_tools` (notes,
//! canned responses, typing, read markers), `visits` (the customer context), `presence` (agents' presence and the team list), `routing`
//! (auto-assignment, departments), `queue` (queue places and the supervisors' board),
//! `tickets`, `timers` (work due with time), `publish` (event routing).

mod access;
mod agent_tools;
mod append_queue;
mod audit;
mod messages;
mod presence;
mod publish;
mod queue;
mod routing;
mod session_update;
mod sessions;
mod tickets;
mod timers;
mod visits;
mod widgets;

pub use append_queue::PendingAppend;
pub use audit::CustomerData;
pub use messages::{SendMessage, UploadedFile};
pub use presence::TeamMember;
pub use queue::{QueueBoard, QueuePlace};
pub use routing::DepartmentSummary;
pub use sessions::{StartAgentSession, StartCustomerSession, StartedSession, TransferRequest};
pub use timers::TimerPass;
pub use widgets::PublicWidgetConfig;

use crate::blob::BlobStore;
use crate::clock::{Clock, SystemClock};
use crate::notify::{LocalNotifier, Notifier};
use crate::store::ChatStore;
use crate::ticket::TicketSink;
use std::sync::Arc;

/// Limits and behaviour switches.
#[derive(Clone, Debug)]
pub struct ServiceConfig {
    /// Longest message text, in characters.
    pub max_message_chars: usize,
    /// Longest note, in characters.
    pub max_note_chars: usize,
    /// Longest customer name.
    pub max_customer_name_chars: usize,
    /// How many previous sessions the customer context shows.
    pub customer_history_limit: u32,
    /// How long an agent with no console socket open on any node keeps their presence
    /// before turning `offline`.
    pub presence_grace_seconds: u32,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        ServiceConfig {
            max_message_chars: 5000,
            max_note_chars: 5000,
            max_customer_name_chars: 120,
            customer_history_limit: 20,
            presence_grace_seconds: 30,
        }
    }
}

/// The chat service. Cheap to clone (everything is behind `Arc`).
#[derive(Clone)]
pub struct ChatService {
    store: Arc<dyn ChatStore>,
    notifier: Arc<dyn Notifier>,
    clock: Arc<dyn Clock>,
    tickets: Option<Arc<dyn TicketSink>>,
    blobs: Option<Arc<dyn BlobStore>>,
    config: ServiceConfig,
    append_queue: Arc<std::sync::OnceLock<append_queue::AppendQueue>>,
}

impl std::fmt::Debug for ChatService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatService")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Builds a [`ChatService`].
pub struct ChatServiceBuilder {
    store: Arc<dyn ChatStore>,
    notifier: Option<Arc<dyn Notifier>>,
    clock: Option<Arc<dyn Clock>>,
    tickets: Option<Arc<dyn TicketSink>>,
    blobs: Option<Arc<dyn BlobStore>>,
    keys: Option<Arc<crate::encryption::KeyRing>>,
    config: ServiceConfig,
}

impl ChatServiceBuilder {
    /// Encrypts message content, note content and uploaded files' bytes at rest with these
    /// keys (the newest seals; see [`crate::encryption`]). Without it nothing is encrypted.
    pub fn encryption(mut self, keys: Arc<crate::encryption::KeyRing>) -> Self {
        self.keys = Some(keys);
        self
    }

    /// The event fan-out (default: in-process [`LocalNotifier`]).
    pub fn notifier(mut self, notifier: Arc<dyn Notifier>) -> Self {
        self.notifier = Some(notifier);
        self
    }

    /// The time source (default: [`SystemClock`]).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Where tickets go (default: none; ticket creation then answers `conflict`).
    pub fn ticket_sink(mut self, sink: Arc<dyn TicketSink>) -> Self {
        self.tickets = Some(sink);
        self
    }

    /// Where uploaded files go (default: none; uploads then answer `forbidden`).
    pub fn blob_store(mut self, blobs: Arc<dyn BlobStore>) -> Self {
        self.blobs = Some(blobs);
        self
    }

    /// Limits.
    pub fn config(mut self, config: ServiceConfig) -> Self {
        self.config = config;
        self
    }

    /// The service.
    pub fn build(self) -> ChatService {
        let (store, blobs) = match self.keys {
            Some(keys) => (
                Arc::new(crate::encryption::EncryptedStore::new(
                    self.store,
                    keys.clone(),
                )) as Arc<dyn ChatStore>,
                self.blobs.map(|blobs| {
                    Arc::new(crate::encryption::EncryptedBlobStore::new(blobs, keys))
                        as Arc<dyn BlobStore>
                }),
            ),
            None => (self.store, self.blobs),
        };
        ChatService {
            store,
            notifier: self
                .notifier
                .unwrap_or_else(|| Arc::new(LocalNotifier::new())),
            clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
            tickets: self.tickets,
            blobs,
            config: self.config,
            append_queue: Arc::new(std::sync::OnceLock::new()),
        }
    }
}

impl ChatService {
    /// Starts building a service on `store`.
    pub fn builder(store: Arc<dyn ChatStore>) -> ChatServiceBuilder {
        ChatServiceBuilder {
            store,
            notifier: None,
            clock: None,
            tickets: None,
            blobs: None,
            keys: None,
            config: ServiceConfig::default(),
        }
    }

    /// The store (for hosts that sync tenants, projects and agents).
    pub fn store(&self) -> &Arc<dyn ChatStore> {
        &self.store
    }

    /// The notifier (adapters subscribe connections through it).
    pub fn notifier(&self) -> &Arc<dyn Notifier> {
        &self.notifier
    }

    /// The clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The limits.
    pub fn config(&self) -> &ServiceConfig {
        &self.config
    }

    /// The group-commit writer, started on first use (inside the caller's tokio runtime).
    pub(crate) fn append_queue(&self) -> &append_queue::AppendQueue {
        self.append_queue.get_or_init(|| {
            append_queue::AppendQueue::start(Arc::clone(&self.store), Arc::clone(&self.notifier))
        })
    }
}
