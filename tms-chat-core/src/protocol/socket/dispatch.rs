//! Inbound client frames: parsing, then one handler per frame type (send, typing, subscribe,
//! unsubscribe, resume, mark read, page view, ping). A failed request answers an `error` frame carrying
//! its `request_id`; the socket stays open. Sends and typing indicators count against the
//! socket's rates first (`abuse`; a page view counts as a typing indicator); a refused one is `rate_limited`, neither stored nor
//! acknowledged.

use super::super::abuse::FrameKind;
use super::super::frames::MessageBody;
use super::super::frames::{ClientFrame, ServerFrame};
use super::super::views::MessageView;
use super::connection::Connection;
use super::Principal;
use crate::auth::{Actor, CustomerPrincipal};
use crate::domain::Agent;
use crate::error::ChatError;
use crate::ids::SessionId;
use crate::notify::{EncodedMessage, Topic};
use crate::service::SendMessage;
use crate::store::Appended;
use serde_json::Value;
use std::sync::Arc;

impl Connection {
    /// Handles one text frame from the client.
    pub(super) async fn on_client_frame(&mut self, text: &str) {
        let (frame, request_id) = match super::decode::decode(text) {
            Ok(parsed) => parsed,
            Err((request_id, message, field)) => {
                let field = field.as_deref();
                return self.push_error(request_id.as_ref(), "invalid_input", &message, field);
            }
        };
        let rid = request_id.as_ref();
        if let Err(e) = self.handle(frame, rid).await {
            self.push_chat_error(rid, &e);
        }
    }

    async fn handle(&mut self, frame: ClientFrame, rid: Option<&Value>) -> Result<(), ChatError> {
        // Limited before anything is read or stored: a refused frame costs no store call.
        match &frame {
            ClientFrame::SendMessage { .. } => self.rates.check(FrameKind::Message)?,
            ClientFrame::TypingIndicator { .. } | ClientFrame::PageView { .. } => {
                self.rates.check(FrameKind::Typing)?
            }
            _ => {}
        }
        match frame {
            ClientFrame::SendMessage {
                session_id,
                content,
                message_type,
                attachment_id,
                client_message_id,
            } => {
                let request = SendMessage {
                    content: content.unwrap_or_default(),
                    message_type,
                    attachment_id,
                    client_message_id,
                };
                self.send_message(rid, session_id, request).await
            }
            ClientFrame::TypingIndicator {
                session_id,
                is_typing,
                preview,
            } => {
                let sid = self.session_id_or_own(session_id)?;
                let actor = self.actor_owned();
                let service = self.api.service();
                service
                    .set_typing(&actor.as_actor(), &sid, is_typing, preview)
                    .await
            }
            ClientFrame::Subscribe { session_id } => self.subscribe(rid, &session_id).await,
            ClientFrame::Unsubscribe { session_id } => self.unsubscribe(rid, &session_id).await,
            ClientFrame::Resume {
                session_id,
                after_seq,
            } => {
                let sid = self.session_id_or_own(session_id)?;
                self.resume(rid, &sid, after_seq.unwrap_or(0)).await
            }
            ClientFrame::MarkRead { session_id, seq } => {
                let sid = self.session_id_or_own(session_id)?;
                let actor = self.actor_owned();
                let service = self.api.service();
                service
                    .mark_read(&actor.as_actor(), &sid, seq)
                    .await
                    .map(|_| ())
            }
            ClientFrame::PageView { view } => {
                let Principal::Customer { customer, .. } = &self.principal else {
                    return Err(ChatError::forbidden("only the widget reports page views"));
                };
                let sid = customer.session_id.clone();
                let actor = self.actor_owned();
                let service = self.api.service();
                service
                    .record_page_view(&actor.as_actor(), &sid, view)
                    .await
                    .map(|_| ())
            }
            ClientFrame::Ping {} => {
                self.push(&ServerFrame::Pong { request_id: rid });
                Ok(())
            }
        }
    }

    /// The frame's session, or a customer's own session when the frame names none.
    pub(super) fn session_id_or_own(
        &self,
        given: Option<SessionId>,
    ) -> Result<SessionId, ChatError> {
        match (&self.principal, given) {
            (Principal::Customer { customer, .. }, None) => Ok(customer.session_id.clone()),
            (_, Some(id)) => Ok(id),
            (Principal::Agent(_), None) => Err(ChatError::invalid("session_id", "is required")),
        }
    }

    /// The principal, owned so a call does not borrow the connection.
    pub(super) fn actor_owned(&self) -> OwnedActor {
        match &self.principal {
            Principal::Agent(a) => OwnedActor::Agent(Arc::clone(a)),
            Principal::Customer { customer, .. } => OwnedActor::Customer(Arc::clone(customer)),
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
        let session = match self.known_session(&sid) {
            Some(session) => session,
            None => {
                let session = Arc::new(service.get_session(&actor.as_actor(), &sid).await?);
                match self.principal {
                    Principal::Agent(_) => self.known_sessions.remember(Arc::clone(&session)),
                    // A customer sees only their own session.
                    Principal::Customer { .. } => self.own_session = Some(Arc::clone(&session)),
                }
                session
            }
        };
        let pending = service
            .submit_into(&actor.as_actor(), session, request)
            .await?;
        if let Some(cid) = client_message_id {
            self.own_pending.insert(cid);
        }
        let rid = rid.cloned();
        self.acks.push_back(Box::pin(
            async move { (rid, pending.committed_shared().await) },
        ));
        Ok(())
    }

    /// The session of a send as this connection last heard it: a customer's own session, or
    /// one this agent connection looked up before; `None` when it must be read.
    fn known_session(&self, id: &SessionId) -> Option<Arc<crate::domain::Session>> {
        match &self.own_session {
            Some(own) if &own.id == id => Some(Arc::clone(own)),
            _ => self.known_sessions.get(id).cloned(),
        }
    }

    /// Queues the `message_ack` of a committed send.
    pub(super) fn push_ack(
        &mut self,
        rid: Option<&Value>,
        appended: &Appended,
        shared: Option<&EncodedMessage>,
    ) {
        let m = &appended.message;
        if let Some(cid) = &m.client_message_id {
            self.own_pending.remove(cid);
        }
        self.push(&ServerFrame::MessageAck {
            session_id: &m.session_id,
            request_id: rid,
            client_message_id: m.client_message_id.as_deref(),
            seq: m.seq,
            duplicate: !appended.created,
            message: match shared {
                Some(slot) => MessageBody::shared(slot, m),
                None => MessageBody::View(MessageView::from(m)),
            },
        });
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
        // Messages after `last_seq` are live from now on (a gap in them is filled).
        self.delivered_seq.set_if_unknown(session_id, last_seq);
        self.push(&ServerFrame::Subscribed {
            session_id,
            last_seq,
            request_id: rid,
        });
        Ok(())
    }

    /// Subscribes an agent connection to a session it can see; returns the session's
    /// `last_seq`. Customers are subscribed to their own session from the start.
    pub(super) async fn subscribe_agent_to(
        &mut self,
        session_id: &SessionId,
    ) -> Result<i64, ChatError> {
        let Principal::Agent(agent) = &self.principal else {
            return Ok(0);
        };
        let service = self.api.service();
        let session = service
            .get_session(&Actor::Agent(agent), session_id)
            .await?;
        let topic = Topic::Session(session.id.clone());
        service.notifier().subscribe(topic, &self.subscriber);
        let last_seq = session.last_seq;
        self.known_sessions.remember(Arc::new(session));
        Ok(last_seq)
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
        let service = self.api.service();
        let session = service
            .get_session(&Actor::Agent(agent), session_id)
            .await?;
        let topic = Topic::Session(session_id.clone());
        service.notifier().unsubscribe(&topic, &self.subscriber);
        self.delivered_seq.forget(session_id);
        self.known_sessions.forget(session_id);
        self.push(&ServerFrame::Unsubscribed {
            session_id,
            last_seq: session.last_seq,
            request_id: rid,
        });
        Ok(())
    }
}

/// The connection's principal, owned so calls don't borrow the connection; both kinds are shared
/// (`Arc`), never copied per frame.
pub(super) enum OwnedActor {
    Agent(Arc<Agent>),
    Customer(Arc<CustomerPrincipal>),
}

impl OwnedActor {
    /// The principal as the service's [`Actor`].
    pub(super) fn as_actor(&self) -> Actor<'_> {
        match self {
            OwnedActor::Agent(a) => Actor::Agent(a),
            OwnedActor::Customer(c) => Actor::Customer(c),
        }
    }
}
