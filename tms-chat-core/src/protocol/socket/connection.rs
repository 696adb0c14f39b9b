//! One connection's task: its state, the loop that waits on the socket, the event queue, the
//! pending commits and the ping timer, and the batched write (every frame queued during one
//! wake-up is written, then flushed once).

use super::super::abuse::SocketRates;
use super::super::frames::ServerFrame;
use super::super::http::close_code;
use super::super::{ApiConfig, ChatApi, SocketError, WsFrame};
use super::known_sessions::KnownSessions;
use super::revocation::Recheck;
use super::seqs::DeliveredSeqs;
use super::Principal;
use crate::domain::Session;
use crate::error::ChatError;
use crate::notify::{EncodedMessage, EventReceiver, Subscriber, Topic, Wake};
use crate::store::Appended;
use futures::stream::FuturesOrdered;
use futures::{Sink, SinkExt, Stream, StreamExt};
use serde_json::Value;
use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// Most queued events handled in one wake-up before writing.
const MAX_EVENTS_PER_WAKE: usize = 64;
/// Most messages one connection may have waiting for their commit; reading pauses beyond.
const MAX_SENDS_IN_FLIGHT: usize = 256;

/// A send waiting for its commit: the request's `request_id` and the stored message.
pub(super) type PendingAck = Pin<Box<dyn Future<Output = CommittedAck> + Send + Sync>>;

/// A send's request id and what its commit answered.
pub(super) type CommittedAck = (Option<Value>, Result<Committed, ChatError>);

/// The sends of a connection waiting for their commit, acknowledged in order. The queue is
/// made at the first send: it is two allocations, and many connections (a visitor who never
/// writes) never need it.
#[derive(Default)]
pub(super) struct PendingAcks(Option<FuturesOrdered<PendingAck>>);

impl PendingAcks {
    /// Queues a send's ack.
    pub(super) fn push_back(&mut self, ack: PendingAck) {
        self.0
            .get_or_insert_with(FuturesOrdered::new)
            .push_back(ack);
    }

    /// Sends waiting.
    pub(super) fn len(&self) -> usize {
        self.0.as_ref().map_or(0, FuturesOrdered::len)
    }

    /// Whether no send waits.
    pub(super) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The oldest send, once committed (`None` when none waits). Boxed: the connection
    /// loop's `select!` keeps room for its largest branch output for the socket's whole
    /// life, and a committed message is by far the largest (about 380 bytes).
    pub(super) async fn next(&mut self) -> Option<Box<CommittedAck>> {
        match &mut self.0 {
            Some(queue) => queue.next().await.map(Box::new),
            None => None,
        }
    }
}

/// A committed send and the shared slot of its encoded message (`PendingAppend::committed_shared`).
pub(super) type Committed = (Appended, Option<EncodedMessage>);

static NEXT_CONNECTION: AtomicU64 = AtomicU64::new(1);

/// The state of one open socket.
pub(super) struct Connection {
    pub(super) api: ChatApi,
    pub(super) principal: Principal,
    pub(super) subscriber: Subscriber,
    /// Frames waiting to be written (flushed once per wake-up).
    pub(super) out: Vec<WsFrame>,
    /// Highest `seq` delivered per session, so replays and live events never duplicate.
    pub(super) delivered_seq: DeliveredSeqs,
    /// Set when the connection should close with this code after flushing.
    pub(super) closing: Option<(u16, &'static str)>,
    /// Sends queued for commit, acknowledged in order as they commit (pipelining).
    pub(super) acks: PendingAcks,
    /// `client_message_id`s of this connection's unacknowledged sends: their `new_message`
    /// echo is skipped, the ack carries the message.
    pub(super) own_pending: HashSet<String>,
    /// A customer connection's own session (from its first send), kept fresh by the
    /// session's events.
    pub(super) own_session: Option<Arc<Session>>,
    /// An agent connection's sessions looked up before, kept fresh by their events.
    pub(super) known_sessions: KnownSessions,
    /// This socket's message and typing rates.
    pub(super) rates: SocketRates,
}

/// Whether the loop goes on after a wake-up.
enum Flow {
    Continue,
    Stop,
}

impl Connection {
    /// A connection subscribed to its principal's topics, with its `ready` frame queued, and
    /// the queue its events arrive on.
    pub(super) fn new(api: ChatApi, principal: Principal) -> (Self, EventReceiver) {
        let (subscriber, events) = Subscriber::channel(api.config().socket_queue_capacity);
        let delivered_seq = DeliveredSeqs::new(matches!(principal, Principal::Customer { .. }));
        let limits = &api.config().abuse;
        let messages = match principal {
            Principal::Agent(_) => limits.agent_messages_per_socket,
            Principal::Customer { .. } => limits.customer_messages_per_socket,
        };
        let rates = SocketRates::new(messages, limits.typing_per_socket);
        let mut conn = Connection {
            api,
            principal,
            subscriber,
            out: Vec::new(),
            delivered_seq,
            closing: None,
            acks: PendingAcks::default(),
            own_pending: HashSet::new(),
            own_session: None,
            known_sessions: KnownSessions::default(),
            rates,
        };
        conn.subscribe_principal();
        (conn, events)
    }

    fn subscribe_principal(&mut self) {
        let notifier = self.api.service().notifier().clone();
        let connection_id = NEXT_CONNECTION.fetch_add(1, Ordering::Relaxed).to_string();
        let max_frame_bytes = self.api.config().max_frame_bytes;
        let ready = match &self.principal {
            Principal::Agent(agent) => {
                notifier.subscribe(Topic::Tenant(agent.tenant_id.clone()), &self.subscriber);
                let own = Topic::Agent(agent.tenant_id.clone(), agent.id.clone());
                notifier.subscribe(own, &self.subscriber);
                ServerFrame::Ready {
                    connection_id,
                    agent_id: Some(&agent.id),
                    session_id: None,
                    max_frame_bytes,
                }
            }
            Principal::Customer { customer, .. } => {
                let own = Topic::Session(customer.session_id.clone());
                notifier.subscribe(own, &self.subscriber);
                // Where the widget's deletion arrives.
                let widget = Topic::Widget(customer.widget_id.clone());
                notifier.subscribe(widget, &self.subscriber);
                ServerFrame::Ready {
                    connection_id,
                    agent_id: None,
                    session_id: Some(&customer.session_id),
                    max_frame_bytes,
                }
            }
        };
        let text = ready.encode();
        self.out.push(WsFrame::Text(text));
    }

    /// Drops every subscription of this connection.
    pub(super) fn close(&self) {
        self.api
            .service()
            .notifier()
            .unsubscribe_all(&self.subscriber);
    }

    /// Runs until the client leaves, the socket fails or the connection decides to close.
    /// Everything by reference: an `async fn` keeps two copies of an argument it owns.
    pub(super) async fn run<K, T>(
        &mut self,
        sink: &mut K,
        stream: &mut T,
        events: &mut EventReceiver,
    ) where
        K: Sink<WsFrame, Error = SocketError> + Send + Unpin,
        T: Stream<Item = Result<WsFrame, SocketError>> + Send + Unpin,
    {
        self.load_own_session().await;
        let limits = Limits::of(self.api.config());
        let mut shutdown = self.api.inner.shutdown.subscribe();
        let mut last_heard = Instant::now();
        let first_ping = Instant::now() + limits.ping_interval;
        let mut ticker = tokio::time::interval_at(first_ping, limits.ping_interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut recheck = Recheck::of(&self.principal, &self.api);
        loop {
            if self.flush(sink).await.is_err() {
                return;
            }
            if let Some((code, reason)) = self.closing.take() {
                let _ = sink
                    .send(WsFrame::Close(Some((code, reason.to_owned()))))
                    .await;
                return;
            }
            let agent = self.agent().cloned();
            let flow = tokio::select! {
                // Boxed: it holds the committed message, the largest state of the loop.
                Some(ack) = self.acks.next(), if !self.acks.is_empty() => {
                    let (request_id, result) = *ack;
                    Box::pin(self.on_committed(events, request_id, result)).await
                }
                frame = stream.next(), if self.acks.len() < MAX_SENDS_IN_FLIGHT => {
                    last_heard = Instant::now();
                    self.on_socket_frame(frame, events, &limits).await
                }
                // An event, or the notifier lost some (its bus dropped): `resync_required`
                // follows this turn of the loop.
                wake = events.next_wake() => self.on_wake(wake, events).await,
                _ = ticker.tick() => self.on_tick(last_heard, &limits),
                answer = recheck.answer(&self.api, agent) => {
                    self.on_recheck(answer);
                    Flow::Continue
                }
                _ = shutdown.changed() => {
                    self.closing = Some((close_code::GOING_AWAY, "server shutting down"));
                    Flow::Continue
                }
            };
            if let Flow::Stop = flow {
                return;
            }
            self.resync_after_overflow();
        }
    }

    /// A send committed: events published before the commit was answered are already
    /// queued, so they go first and the client sees the session in order; then the ack.
    async fn on_committed(
        &mut self,
        events: &mut EventReceiver,
        request_id: Option<Value>,
        result: Result<Committed, ChatError>,
    ) -> Flow {
        while let Ok(event) = events.try_recv() {
            Box::pin(self.on_event(&event)).await;
        }
        match result {
            Ok((appended, shared)) => {
                self.push_ack(request_id.as_ref(), &appended, shared.as_ref())
            }
            Err(e) => self.push_chat_error(request_id.as_ref(), &e),
        }
        Flow::Continue
    }

    /// A frame from the client. Events already queued are delivered first, so an answer
    /// (a `pong` above all: clients use it as a barrier) follows every event routed to this
    /// connection before the frame arrived.
    async fn on_socket_frame(
        &mut self,
        frame: Option<Result<WsFrame, SocketError>>,
        events: &mut EventReceiver,
        limits: &Limits,
    ) -> Flow {
        if matches!(frame, Some(Ok(WsFrame::Text(_)))) {
            while let Ok(event) = events.try_recv() {
                Box::pin(self.on_event(&event)).await;
            }
        }
        match frame {
            Some(Ok(WsFrame::Text(text))) if text.len() > limits.max_frame_bytes => {
                self.closing = Some((close_code::TOO_BIG, "frame too large"));
            }
            // Boxed: an idle connection's task then stays small instead of reserving room
            // for every request's state.
            Some(Ok(WsFrame::Text(text))) => Box::pin(self.on_client_frame(&text)).await,
            Some(Ok(WsFrame::Binary(_))) => {
                self.push_error(None, "invalid_input", "frames must be JSON text", None);
            }
            Some(Ok(WsFrame::Ping(data))) => self.out.push(WsFrame::Pong(data)),
            Some(Ok(WsFrame::Pong(_))) => {}
            Some(Ok(WsFrame::Close(_))) | None | Some(Err(SocketError::Other(_))) => {
                return Flow::Stop
            }
            Some(Err(SocketError::TooLarge)) => {
                self.closing = Some((close_code::TOO_BIG, "frame too large"));
            }
            Some(Err(SocketError::Protocol(error))) => {
                tracing::debug!(%error, "closing a socket that broke the protocol");
                self.closing = Some((close_code::PROTOCOL_ERROR, "protocol error"));
            }
            Some(Err(SocketError::InvalidUtf8)) => {
                self.closing = Some((close_code::INVALID_DATA, "text is not UTF-8"));
            }
        }
        Flow::Continue
    }

    /// Handles the event that woke the connection and up to [`MAX_EVENTS_PER_WAKE`] more.
    async fn on_wake(&mut self, wake: Wake, events: &mut EventReceiver) -> Flow {
        let event = match wake {
            Wake::Event(event) => event,
            Wake::Resync => return Flow::Continue,
            Wake::Closed => return Flow::Stop,
        };
        Box::pin(self.on_event(&event)).await;
        for _ in 1..MAX_EVENTS_PER_WAKE {
            match events.try_recv() {
                Ok(event) => Box::pin(self.on_event(&event)).await,
                Err(_) => break,
            }
        }
        Flow::Continue
    }

    /// Pings a quiet peer; closes a silent one.
    fn on_tick(&mut self, last_heard: Instant, limits: &Limits) -> Flow {
        if last_heard.elapsed() >= limits.idle_timeout {
            self.closing = Some((close_code::GOING_AWAY, "idle timeout"));
        } else if last_heard.elapsed() >= limits.ping_interval {
            self.out.push(WsFrame::Ping(Vec::new()));
        }
        Flow::Continue
    }

    /// A connection whose queue overflowed lost events: it forgets what it delivered and
    /// tells the client to resume each open session.
    fn resync_after_overflow(&mut self) {
        if self.subscriber.take_overflow() {
            self.delivered_seq.forget_all();
            self.known_sessions.forget_all();
            self.push(&ServerFrame::ResyncRequired {
                reason: "event queue overflowed; resume each open session",
            });
        }
    }

    async fn flush<K>(&mut self, sink: &mut K) -> Result<(), SocketError>
    where
        K: Sink<WsFrame, Error = SocketError> + Unpin,
    {
        if self.out.is_empty() {
            return Ok(());
        }
        for frame in self.out.drain(..) {
            sink.feed(frame).await?;
        }
        sink.flush().await
    }

    /// Queues a frame for this wake-up's write.
    pub(super) fn push(&mut self, frame: &ServerFrame<'_>) {
        self.out.push(WsFrame::Text(frame.encode()));
    }

    /// Queues an `error` frame.
    pub(super) fn push_error(
        &mut self,
        request_id: Option<&Value>,
        code: &str,
        message: &str,
        field: Option<&str>,
    ) {
        self.push(&ServerFrame::Error {
            code,
            message,
            request_id,
            field,
        });
    }

    /// Queues the `error` frame of a failed request (internal causes are logged, not sent).
    pub(super) fn push_chat_error(&mut self, request_id: Option<&Value>, err: &ChatError) {
        if let ChatError::Internal(source) = err {
            tracing::error!(error = %source, "socket request failed");
        }
        self.push_error(request_id, err.code(), &err.public_message(), err.field());
    }
}

/// The few settings the connection loop reads, copied so an idle connection holds no copy of
/// the whole configuration.
#[derive(Clone, Copy)]
struct Limits {
    max_frame_bytes: usize,
    ping_interval: Duration,
    idle_timeout: Duration,
}

impl Limits {
    fn of(config: &ApiConfig) -> Self {
        Limits {
            max_frame_bytes: config.max_frame_bytes,
            ping_interval: config.ping_interval,
            idle_timeout: config.idle_timeout,
        }
    }
}
