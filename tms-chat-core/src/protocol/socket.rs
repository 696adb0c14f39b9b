//! The WebSocket sub-protocol: authorising the upgrade, and the connection loop shared by the
//! agent socket (`/v1/chat/ws`) and the customer socket (`/v1/chat/public/widgets/{id}/ws`).
//!
//! One task per connection, one bounded queue of events (a [`Subscriber`]) fed by the
//! notifier. Each wake-up handles what arrived, then writes every pending frame and flushes
//! once (batched flush). Idle sockets are pinged and silent ones closed. A client too slow to
//! drain its queue gets `resync_required` and resumes. An acknowledgement (`message_ack`) is
//! sent only after the message is committed.

use super::body::Query;
use super::errors::error_response;
use super::frames::{AgentEventFrame, ClientFrame, CustomerEventFrame, ServerFrame, TypingFrame};
use super::http::close_code;
use super::views::{
    CustomerSessionView, MessageView, PublicAgentView, ReadMarkerView, SessionView,
};
use super::{ApiRequest, ApiResponse, ChatApi, SocketError, WsFrame};
use crate::auth::{Actor, CustomerPrincipal};
use crate::domain::{Agent, SenderType, Session};
use crate::error::ChatError;
use crate::ids::{SessionId, WidgetId};
use crate::notify::{Audience, ChatEvent, Envelope, Subscriber, Topic};
use crate::service::SendMessage;
use crate::store::HistoryQuery;
use futures::{Sink, SinkExt, Stream, StreamExt};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::time::Instant;

/// Most queued events handled in one wake-up before writing.
const MAX_EVENTS_PER_WAKE: usize = 64;
/// Most messages one connection may have waiting for their commit; reading pauses beyond.
const MAX_SENDS_IN_FLIGHT: usize = 256;

type PendingAck = std::pin::Pin<
    Box<
        dyn std::future::Future<Output = (Option<Value>, Result<crate::store::Appended, ChatError>)>
            + Send
            + Sync,
    >,
>;

static NEXT_CONNECTION: AtomicU64 = AtomicU64::new(1);

/// Permission to run a socket, obtained before the upgrade.
#[derive(Debug, Clone)]
pub struct SocketGrant {
    principal: Principal,
}

#[derive(Debug, Clone)]
enum Principal {
    Agent(Arc<Agent>),
    Customer {
        customer: CustomerPrincipal,
        show_avatars: bool,
    },
}

impl SocketGrant {
    /// Whether this is an agent connection.
    pub fn is_agent(&self) -> bool {
        matches!(self.principal, Principal::Agent(_))
    }
}

impl ChatApi {
    /// Authenticates a socket request before the upgrade: an agent (bearer header or one-time
    /// `ticket`) on `/v1/chat/ws`, a customer (`token` and an allowed `Origin`) on
    /// `/v1/chat/public/widgets/{widgetId}/ws`. A refusal is the HTTP response to send instead
    /// of upgrading.
    pub async fn authorize_socket(&self, request: &ApiRequest) -> Result<SocketGrant, ApiResponse> {
        if *self.inner.shutdown.borrow() {
            return Err(super::errors::protocol_error(
                503,
                "shutting_down",
                "server is shutting down",
            ));
        }
        let segs = super::router::segments(&request.path);
        match segs.as_slice() {
            ["v1", "chat", "ws"] => {
                let query = Query::parse(&request.query);
                let agent = if let Some(ticket) = query.get("ticket") {
                    self.inner
                        .tickets
                        .redeem(ticket)
                        .ok_or(ChatError::Unauthorized)
                } else {
                    self.inner.agents.authenticate(&request.parts()).await
                };
                agent
                    .map(|a| SocketGrant {
                        principal: Principal::Agent(Arc::new(a)),
                    })
                    .map_err(|e| error_response(&e))
            }
            ["v1", "chat", "public", "widgets", widget, "ws"] => {
                let origin = request.header("origin");
                let effective = super::public_api::request_origin(self, request);
                let widget_id = WidgetId::from(*widget);
                match self
                    .customer_for(request, &widget_id, effective.as_deref())
                    .await
                {
                    Ok((widget, customer)) => Ok(SocketGrant {
                        principal: Principal::Customer {
                            customer,
                            show_avatars: widget.show_agent_avatars,
                        },
                    }),
                    Err(e) => Err(super::cors::with_cors(error_response(&e), origin)),
                }
            }
            _ => Err(super::errors::route_not_found()),
        }
    }

    /// Runs an upgraded socket until it closes.
    pub async fn run_socket<S>(&self, grant: SocketGrant, socket: S)
    where
        S: Stream<Item = Result<WsFrame, SocketError>>
            + Sink<WsFrame, Error = SocketError>
            + Send
            + Unpin
            + 'static,
    {
        self.inner.connections.fetch_add(1, Ordering::Relaxed);
        let (subscriber, events) = Subscriber::channel(self.config().socket_queue_capacity);
        let mut conn = Connection {
            api: self.clone(),
            principal: grant.principal,
            subscriber,
            out: Vec::new(),
            delivered_seq: HashMap::new(),
            subscribed: Vec::new(),
            closing: None,
            acks: futures::stream::FuturesOrdered::new(),
            own_pending: std::collections::HashSet::new(),
            own_session: None,
        };
        conn.start();
        conn.run(socket, events).await;
        self.service().notifier().unsubscribe_all(&conn.subscriber);
        self.inner.connections.fetch_sub(1, Ordering::Relaxed);
    }
}

struct Connection {
    api: ChatApi,
    principal: Principal,
    subscriber: Subscriber,
    /// Frames waiting to be written (flushed once per wake-up).
    out: Vec<WsFrame>,
    /// Highest `seq` delivered per session, so replays and live events never duplicate.
    delivered_seq: HashMap<SessionId, i64>,
    /// Sessions this connection subscribed to (agents).
    subscribed: Vec<SessionId>,
    /// Set when the connection should close with this code after flushing.
    closing: Option<(u16, &'static str)>,
    /// Sends queued for commit, acknowledged in order as they commit (pipelining).
    acks: futures::stream::FuturesOrdered<PendingAck>,
    /// `client_message_id`s of this connection's unacknowledged sends: their `new_message`
    /// echo is skipped, the ack carries the message.
    own_pending: std::collections::HashSet<String>,
    /// A customer connection's own session, kept fresh by the session's events.
    own_session: Option<Session>,
}

impl Connection {
    fn start(&mut self) {
        let notifier = self.api.service().notifier().clone();
        let connection_id = NEXT_CONNECTION.fetch_add(1, Ordering::Relaxed);
        let max_frame = self.api.config().max_frame_bytes;
        match &self.principal {
            Principal::Agent(agent) => {
                notifier.subscribe(Topic::Tenant(agent.tenant_id.clone()), &self.subscriber);
                notifier.subscribe(
                    Topic::Agent(agent.tenant_id.clone(), agent.id.clone()),
                    &self.subscriber,
                );
                let ready = ServerFrame::Ready {
                    connection_id: connection_id.to_string(),
                    agent_id: Some(&agent.id),
                    session_id: None,
                    max_frame_bytes: max_frame,
                };
                self.out.push(WsFrame::Text(ready.encode()));
            }
            Principal::Customer { customer, .. } => {
                notifier.subscribe(
                    Topic::Session(customer.session_id.clone()),
                    &self.subscriber,
                );
                let ready = ServerFrame::Ready {
                    connection_id: connection_id.to_string(),
                    agent_id: None,
                    session_id: Some(&customer.session_id),
                    max_frame_bytes: max_frame,
                };
                self.out.push(WsFrame::Text(ready.encode()));
            }
        }
    }

    async fn run<S>(&mut self, socket: S, mut events: tokio::sync::mpsc::Receiver<Arc<Envelope>>)
    where
        S: Stream<Item = Result<WsFrame, SocketError>>
            + Sink<WsFrame, Error = SocketError>
            + Send
            + Unpin,
    {
        if let Principal::Customer { customer, .. } = &self.principal {
            self.own_session = self
                .api
                .service()
                .get_session(&Actor::Customer(customer), &customer.session_id)
                .await
                .ok();
        }
        let (mut sink, mut stream) = socket.split();
        let config = Limits::of(self.api.config());
        let mut shutdown = self.api.inner.shutdown.subscribe();
        let mut last_heard = Instant::now();
        let mut ticker =
            tokio::time::interval_at(Instant::now() + config.ping_interval, config.ping_interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            if self.flush(&mut sink).await.is_err() {
                return;
            }
            if let Some((code, reason)) = self.closing.take() {
                let _ = sink
                    .send(WsFrame::Close(Some((code, reason.to_owned()))))
                    .await;
                return;
            }
            tokio::select! {
                Some((request_id, result)) = self.acks.next(), if !self.acks.is_empty() => {
                    // Events published before this commit was answered are already queued:
                    // deliver them first so the client sees the session in order.
                    while let Ok(event) = events.try_recv() {
                        Box::pin(self.on_event(&event)).await;
                    }
                    match result {
                        Ok(appended) => self.push_ack(request_id.as_ref(), &appended),
                        Err(e) => self.push_chat_error(request_id.as_ref(), &e),
                    }
                }
                frame = stream.next(), if self.acks.len() < MAX_SENDS_IN_FLIGHT => {
                    last_heard = Instant::now();
                    match frame {
                        Some(Ok(WsFrame::Text(text))) => {
                            if text.len() > config.max_frame_bytes {
                                self.closing = Some((close_code::TOO_BIG, "frame too large"));
                            } else {
                                // Boxed: an idle connection's task then stays small
                                // instead of reserving room for every request's state.
                                Box::pin(self.on_client_frame(&text)).await;
                            }
                        }
                        Some(Ok(WsFrame::Binary(_))) => {
                            self.push_error(None, "invalid_input", "frames must be JSON text", None);
                        }
                        Some(Ok(WsFrame::Ping(data))) => self.out.push(WsFrame::Pong(data)),
                        Some(Ok(WsFrame::Pong(_))) => {}
                        Some(Ok(WsFrame::Close(_))) | None => return,
                        Some(Err(SocketError::TooLarge)) => {
                            self.closing = Some((close_code::TOO_BIG, "frame too large"));
                        }
                        Some(Err(SocketError::Other(_))) => return,
                    }
                }
                event = events.recv() => {
                    let Some(event) = event else { return };
                    Box::pin(self.on_event(&event)).await;
                    for _ in 1..MAX_EVENTS_PER_WAKE {
                        match events.try_recv() {
                            Ok(event) => Box::pin(self.on_event(&event)).await,
                            Err(_) => break,
                        }
                    }
                }
                _ = ticker.tick() => {
                    if last_heard.elapsed() >= config.idle_timeout {
                        self.closing = Some((close_code::GOING_AWAY, "idle timeout"));
                    } else if last_heard.elapsed() >= config.ping_interval {
                        self.out.push(WsFrame::Ping(Vec::new()));
                    }
                }
                _ = shutdown.changed() => {
                    self.closing = Some((close_code::GOING_AWAY, "server shutting down"));
                }
            }
            if self.subscriber.has_overflowed() {
                self.subscriber.clear_overflow();
                self.delivered_seq.clear();
                self.push(&ServerFrame::ResyncRequired {
                    reason: "event queue overflowed; resume each open session",
                });
            }
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

    fn push(&mut self, frame: &ServerFrame<'_>) {
        self.out.push(WsFrame::Text(frame.encode()));
    }

    fn push_error(
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

    fn push_chat_error(&mut self, request_id: Option<&Value>, err: &ChatError) {
        if let ChatError::Internal(source) = err {
            tracing::error!(error = %source, "socket request failed");
        }
        self.push_error(request_id, err.code(), &err.public_message(), err.field());
    }

    // ----- client → server -----

    async fn on_client_frame(&mut self, text: &str) {
        let value: Value = match serde_json::from_str(text) {
            Ok(v @ Value::Object(_)) => v,
            Ok(_) => {
                return self.push_error(
                    None,
                    "invalid_input",
                    "a frame must be a JSON object with a `type`",
                    None,
                )
            }
            Err(e) => {
                return self.push_error(
                    None,
                    "invalid_input",
                    &format!("malformed JSON: {e}"),
                    None,
                )
            }
        };
        let request_id = value.get("request_id").cloned();
        let frame: ClientFrame = match serde_json::from_value(value) {
            Ok(f) => f,
            Err(e) => {
                return self.push_error(
                    request_id.as_ref(),
                    "invalid_input",
                    &format!("invalid frame: {e}"),
                    None,
                );
            }
        };
        let rid = request_id.as_ref();
        let result = match frame {
            ClientFrame::SendMessage {
                session_id,
                content,
                message_type,
                attachment_id,
                client_message_id,
            } => {
                self.send_message(
                    rid,
                    session_id,
                    SendMessage {
                        content: content.unwrap_or_default(),
                        message_type,
                        attachment_id,
                        client_message_id,
                    },
                )
                .await
            }
            ClientFrame::TypingIndicator {
                session_id,
                is_typing,
            } => match self.session_id_or_own(session_id) {
                Ok(sid) => {
                    let actor = self.actor_owned();
                    self.api
                        .service()
                        .set_typing(&actor.as_actor(), &sid, is_typing)
                        .await
                }
                Err(e) => Err(e),
            },
            ClientFrame::Subscribe { session_id } => self.subscribe(rid, &session_id).await,
            ClientFrame::Unsubscribe { session_id } => self.unsubscribe(rid, &session_id).await,
            ClientFrame::Resume {
                session_id,
                after_seq,
            } => match self.session_id_or_own(session_id) {
                Ok(sid) => self.resume(rid, &sid, after_seq.unwrap_or(0)).await,
                Err(e) => Err(e),
            },
            ClientFrame::MarkRead { session_id, seq } => match self.session_id_or_own(session_id) {
                Ok(sid) => {
                    let actor = self.actor_owned();
                    self.api
                        .service()
                        .mark_read(&actor.as_actor(), &sid, seq)
                        .await
                        .map(|_| ())
                }
                Err(e) => Err(e),
            },
            ClientFrame::Ping {} => {
                self.push(&ServerFrame::Pong { request_id: rid });
                Ok(())
            }
        };
        if let Err(e) = result {
            self.push_chat_error(rid, &e);
        }
    }

    fn session_id_or_own(&self, given: Option<SessionId>) -> Result<SessionId, ChatError> {
        match (&self.principal, given) {
            (Principal::Customer { customer, .. }, None) => Ok(customer.session_id.clone()),
            (_, Some(id)) => Ok(id),
            (Principal::Agent(_), None) => Err(ChatError::invalid("session_id", "is required")),
        }
    }

    fn actor_owned(&self) -> OwnedActor {
        match &self.principal {
            Principal::Agent(a) => OwnedActor::Agent(Arc::clone(a)),
            Principal::Customer { customer, .. } => OwnedActor::Customer(customer.clone()),
        }
    }

    /// Validates and queues the message now (so a connection's messages keep their order),
    /// and acknowledges it when its commit completes, without blocking the next frame.
    async fn send_message(
        &mut self,
        rid: Option<&Value>,
        session_id: Option<SessionId>,
        request: SendMessage,
    ) -> Result<(), ChatError> {
        let sid = self.session_id_or_own(session_id)?;
        let actor = self.actor_owned();
        let client_message_id = request.client_message_id.clone();
        let service = self.api.service();
        let pending = match &self.own_session {
            Some(session) if session.id == sid => {
                service
                    .submit_into(&actor.as_actor(), session.clone(), request)
                    .await?
            }
            _ => {
                service
                    .submit_message(&actor.as_actor(), &sid, request)
                    .await?
            }
        };
        if let Some(cid) = client_message_id {
            self.own_pending.insert(cid);
        }
        let rid = rid.cloned();
        self.acks
            .push_back(Box::pin(async move { (rid, pending.committed().await) }));
        Ok(())
    }

    fn push_ack(&mut self, rid: Option<&Value>, appended: &crate::store::Appended) {
        let m = &appended.message;
        if let Some(cid) = &m.client_message_id {
            self.own_pending.remove(cid);
        }
        let ack = ServerFrame::MessageAck {
            session_id: &m.session_id,
            request_id: rid,
            client_message_id: m.client_message_id.as_deref(),
            seq: m.seq,
            duplicate: !appended.created,
            message: MessageView::from(m),
        };
        self.out.push(WsFrame::Text(ack.encode()));
    }

    async fn subscribe(
        &mut self,
        rid: Option<&Value>,
        session_id: &SessionId,
    ) -> Result<(), ChatError> {
        if !matches!(self.principal, Principal::Agent(_)) {
            return Err(ChatError::forbidden(
                "customers are subscribed to their session already",
            ));
        }
        let last_seq = self.subscribe_agent_to(session_id).await?;
        self.push(&ServerFrame::Subscribed {
            session_id,
            last_seq,
            request_id: rid,
        });
        Ok(())
    }

    /// Subscribes an agent connection to a session it can see; returns the session's
    /// `last_seq`. Customers are subscribed to their own session from the start.
    async fn subscribe_agent_to(&mut self, session_id: &SessionId) -> Result<i64, ChatError> {
        let Principal::Agent(agent) = &self.principal else {
            return Ok(0);
        };
        let session = self
            .api
            .service()
            .get_session(&Actor::Agent(agent), session_id)
            .await?;
        self.api
            .service()
            .notifier()
            .subscribe(Topic::Session(session.id.clone()), &self.subscriber);
        if !self.subscribed.contains(&session.id) {
            self.subscribed.push(session.id.clone());
        }
        Ok(session.last_seq)
    }

    /// Stops an agent connection's subscription to a session it can see and answers
    /// `unsubscribed` with the session's `last_seq`.
    async fn unsubscribe(
        &mut self,
        rid: Option<&Value>,
        session_id: &SessionId,
    ) -> Result<(), ChatError> {
        let Principal::Agent(agent) = &self.principal else {
            return Err(ChatError::forbidden(
                "customers stay subscribed to their session",
            ));
        };
        let session = self
            .api
            .service()
            .get_session(&Actor::Agent(agent), session_id)
            .await?;
        self.api
            .service()
            .notifier()
            .unsubscribe(&Topic::Session(session_id.clone()), &self.subscriber);
        self.subscribed.retain(|s| s != session_id);
        self.delivered_seq.remove(session_id);
        self.push(&ServerFrame::Unsubscribed {
            session_id,
            last_seq: session.last_seq,
            request_id: rid,
        });
        Ok(())
    }

    /// Subscribes (agents), then replays every message after `after_seq` in order, so nothing
    /// between the replay and live delivery is lost; duplicates are dropped by `seq`.
    async fn resume(
        &mut self,
        rid: Option<&Value>,
        session_id: &SessionId,
        after_seq: i64,
    ) -> Result<(), ChatError> {
        if after_seq < 0 {
            return Err(ChatError::invalid("after_seq", "must not be negative"));
        }
        self.subscribe_agent_to(session_id).await?;
        let actor = self.actor_owned();
        self.delivered_seq.insert(session_id.clone(), after_seq);
        let mut after = after_seq;
        loop {
            let page = self
                .api
                .service()
                .history(
                    &actor.as_actor(),
                    session_id,
                    HistoryQuery {
                        after_seq: Some(after),
                        before_seq: None,
                        limit: crate::store::MAX_PAGE_SIZE,
                    },
                )
                .await?;
            let full = page.len() == crate::store::MAX_PAGE_SIZE as usize;
            for m in &page {
                after = m.seq;
                self.deliver_message(m);
            }
            if !full {
                break;
            }
        }
        self.push(&ServerFrame::Resumed {
            session_id,
            last_seq: after,
            request_id: rid,
        });
        Ok(())
    }

    /// Records `m` as delivered; `false` when it (or a later one) already was.
    fn advance_delivered(&mut self, m: &crate::domain::Message) -> bool {
        let last = self.delivered_seq.entry(m.session_id.clone()).or_insert(0);
        if m.seq <= *last {
            return false;
        }
        *last = m.seq;
        true
    }

    /// A message this connection sent and has not acknowledged yet (its ack carries it).
    fn is_own_pending(&self, m: &crate::domain::Message) -> bool {
        let sent_by_me = match &self.principal {
            Principal::Agent(agent) => m.sender_agent_id.as_ref() == Some(&agent.id),
            Principal::Customer { customer, .. } => {
                m.sender_type == SenderType::Customer && m.session_id == customer.session_id
            }
        };
        sent_by_me
            && m.client_message_id
                .as_ref()
                .is_some_and(|cid| self.own_pending.contains(cid))
    }

    fn deliver_message(&mut self, m: &crate::domain::Message) {
        if !self.advance_delivered(m) {
            return;
        }
        let (session_id, message) = (&m.session_id, MessageView::from(m));
        let frame = match self.principal {
            Principal::Agent(_) => ServerFrame::AgentEvent(AgentEventFrame::NewMessage {
                session_id,
                message,
            }),
            Principal::Customer { .. } => {
                ServerFrame::CustomerEvent(CustomerEventFrame::NewMessage {
                    session_id,
                    message,
                })
            }
        };
        self.out.push(WsFrame::Text(frame.encode()));
    }

    // ----- server → client -----

    async fn on_event(&mut self, envelope: &Arc<Envelope>) {
        match &self.principal {
            Principal::Agent(agent) => {
                if let Some(project) = &envelope.project_id {
                    if !agent.works_in(project) {
                        return;
                    }
                }
                if let ChatEvent::TypingIndicator {
                    agent_id: Some(from),
                    ..
                } = &envelope.event
                {
                    if from == &agent.id {
                        return;
                    }
                }
                if let ChatEvent::NewMessage { message } = &envelope.event {
                    if self.is_own_pending(message) || !self.advance_delivered(message) {
                        return;
                    }
                }
                let frame =
                    envelope.encoded[0].get_or_init(|| agent_frame(&envelope.event).map(Arc::from));
                if let Some(text) = frame {
                    self.out.push(WsFrame::Text(text.to_string()));
                }
            }
            Principal::Customer {
                customer,
                show_avatars,
            } => {
                if envelope.audience != Audience::Everyone
                    || envelope.session_id.as_ref() != Some(&customer.session_id)
                {
                    return;
                }
                let show_avatars = *show_avatars;
                match &envelope.event {
                    ChatEvent::NewMessage { message } => {
                        if !self.is_own_pending(message) {
                            self.deliver_message(message);
                        }
                    }
                    ChatEvent::TypingIndicator {
                        sender_type: SenderType::Customer,
                        ..
                    } => {}
                    ChatEvent::SessionAssigned { session, .. }
                    | ChatEvent::SessionTransferred { session, .. }
                    | ChatEvent::SessionUpdated { session }
                        if self
                            .own_session
                            .as_ref()
                            .is_some_and(|s| s.id == session.id) =>
                    {
                        self.own_session = Some(session.clone());
                        self.push_customer_event(&envelope.event, show_avatars)
                            .await;
                    }
                    ChatEvent::SessionEnded { session } => {
                        self.own_session = Some(session.clone());
                        self.push_customer_event(&envelope.event, show_avatars)
                            .await;
                        self.closing = Some((close_code::NORMAL, "session ended"));
                    }
                    other => self.push_customer_event(other, show_avatars).await,
                }
            }
        }
    }

    async fn customer_session<'s>(
        &self,
        session: &'s Session,
        show_avatars: bool,
    ) -> CustomerSessionView<'s> {
        let agent = match &session.assigned_agent_id {
            Some(id) => self
                .api
                .inner
                .agents
                .profile(&session.tenant_id, id)
                .await
                .map(|a| PublicAgentView::of(&a, show_avatars)),
            None => None,
        };
        CustomerSessionView::new(session, agent)
    }

    /// Queues the customer projection of `event`, if customers get one.
    async fn push_customer_event(&mut self, event: &ChatEvent, show_avatars: bool) {
        let frame = match event {
            ChatEvent::SessionAssigned {
                session, agent_id, ..
            } => CustomerEventFrame::SessionAssigned {
                session_id: &session.id,
                agent_id,
                session: self.customer_session(session, show_avatars).await,
            },
            ChatEvent::SessionTransferred { session, .. } => {
                CustomerEventFrame::SessionTransferred {
                    session_id: &session.id,
                    session: self.customer_session(session, show_avatars).await,
                }
            }
            ChatEvent::SessionUpdated { session } | ChatEvent::SessionCreated { session } => {
                CustomerEventFrame::SessionUpdated {
                    session_id: &session.id,
                    session: self.customer_session(session, show_avatars).await,
                }
            }
            ChatEvent::SessionEnded { session } => CustomerEventFrame::SessionEnded {
                session_id: &session.id,
                session: self.customer_session(session, show_avatars).await,
            },
            ChatEvent::TypingIndicator {
                session_id,
                sender_type,
                agent_id,
                is_typing,
            } => CustomerEventFrame::TypingIndicator(TypingFrame {
                session_id,
                sender_type: *sender_type,
                agent_id: agent_id.as_ref(),
                is_typing: *is_typing,
            }),
            ChatEvent::ReadMarker { marker } => {
                CustomerEventFrame::ReadMarker(ReadMarkerView::from(marker))
            }
            ChatEvent::NewMessage { .. } | ChatEvent::NoteAdded { .. } => return,
        };
        let text = ServerFrame::CustomerEvent(frame).encode();
        self.out.push(WsFrame::Text(text));
    }
}

/// The agent-side frame of an event (encoded once per event, shared by every agent
/// connection). `None` for events agents don't get as a frame.
fn agent_frame(event: &ChatEvent) -> Option<String> {
    let frame = match event {
        ChatEvent::SessionCreated { session } => AgentEventFrame::SessionCreated {
            session_id: &session.id,
            session: SessionView::from(session),
        },
        ChatEvent::SessionAssigned {
            session,
            agent_id,
            previous_agent_id,
            assigned_by,
        } => AgentEventFrame::SessionAssigned {
            session_id: &session.id,
            agent_id,
            previous_agent_id: previous_agent_id.as_ref(),
            assigned_by,
            session: SessionView::from(session),
        },
        ChatEvent::SessionTransferred {
            session,
            target,
            previous_agent_id,
            transferred_by,
        } => AgentEventFrame::SessionTransferred {
            session_id: &session.id,
            target,
            previous_agent_id: previous_agent_id.as_ref(),
            transferred_by,
            session: SessionView::from(session),
        },
        ChatEvent::SessionUpdated { session } => AgentEventFrame::SessionUpdated {
            session_id: &session.id,
            session: SessionView::from(session),
        },
        ChatEvent::SessionEnded { session } => AgentEventFrame::SessionEnded {
            session_id: &session.id,
            session: SessionView::from(session),
        },
        ChatEvent::NewMessage { message } => AgentEventFrame::NewMessage {
            session_id: &message.session_id,
            message: MessageView::from(message),
        },
        ChatEvent::TypingIndicator {
            session_id,
            sender_type,
            agent_id,
            is_typing,
        } => AgentEventFrame::TypingIndicator(TypingFrame {
            session_id,
            sender_type: *sender_type,
            agent_id: agent_id.as_ref(),
            is_typing: *is_typing,
        }),
        ChatEvent::ReadMarker { marker } => {
            AgentEventFrame::ReadMarker(ReadMarkerView::from(marker))
        }
        ChatEvent::NoteAdded { note } => AgentEventFrame::NoteAdded {
            session_id: &note.session_id,
            note,
        },
    };
    Some(ServerFrame::AgentEvent(frame).encode())
}

/// The connection's principal, owned so calls don't borrow the connection; an agent is shared
/// (`Arc`), never copied per frame.
enum OwnedActor {
    Agent(Arc<Agent>),
    Customer(CustomerPrincipal),
}

impl OwnedActor {
    fn as_actor(&self) -> Actor<'_> {
        match self {
            OwnedActor::Agent(a) => Actor::Agent(a),
            OwnedActor::Customer(c) => Actor::Customer(c),
        }
    }
}

/// The few settings the connection loop reads, copied so an idle connection holds no copy of
/// the whole configuration.
#[derive(Clone, Copy)]
struct Limits {
    max_frame_bytes: usize,
    ping_interval: std::time::Duration,
    idle_timeout: std::time::Duration,
}

impl Limits {
    fn of(config: &super::ApiConfig) -> Self {
        Limits {
            max_frame_bytes: config.max_frame_bytes,
            ping_interval: config.ping_interval,
            idle_timeout: config.idle_timeout,
        }
    }
}
