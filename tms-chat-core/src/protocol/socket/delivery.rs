//! Which events reach a connection, and in what order: topic filters (an agent hears only
//! the projects they work in, never their own typing; a customer hears only their own
//! session's public events), per-session `seq` de-duplication shared by live delivery and
//! replay, and `resume`.

use super::super::frames::{AgentEventFrame, CustomerEventFrame, MessageBody, ServerFrame};
use super::super::http::close_code;
use super::super::views::MessageView;
use super::super::WsFrame;
use super::connection::Connection;
use super::encoding;
use super::Principal;
use crate::auth::Actor;
use crate::domain::{Agent, Message, SenderType};
use crate::error::ChatError;
use crate::ids::SessionId;
use crate::notify::{Audience, ChatEvent, EncodedMessage, Envelope};
use crate::store::{HistoryQuery, MAX_PAGE_SIZE};
use serde_json::Value;
use std::sync::Arc;

impl Connection {
    /// What a customer's session held when the socket opened: later messages are live, and
    /// a gap in them is filled from the store. The session itself is kept from the first
    /// send on (`own_session`), so an idle socket does not hold a copy.
    pub(super) async fn load_own_session(&mut self) {
        if let Principal::Customer { customer, .. } = &self.principal {
            let actor = Actor::Customer(customer);
            let own = self.api.service().get_session(&actor, &customer.session_id);
            if let Ok(session) = own.await {
                self.delivered_seq.set(&session.id, session.last_seq);
            }
        }
    }

    /// Subscribes (agents), then replays every message after `after_seq` in order, so nothing
    /// between the replay and live delivery is lost; duplicates are dropped by `seq`.
    pub(super) async fn resume(
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
        self.delivered_seq.set(session_id, after_seq);
        let mut after = after_seq;
        loop {
            let query = HistoryQuery {
                after_seq: Some(after),
                before_seq: None,
                limit: MAX_PAGE_SIZE,
            };
            let service = self.api.service();
            let page = service
                .history(&actor.as_actor(), session_id, query)
                .await?;
            let full = page.len() == MAX_PAGE_SIZE as usize;
            for m in &page {
                after = m.seq;
                self.deliver_message(m, None);
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
    fn advance_delivered(&mut self, m: &Message) -> bool {
        self.delivered_seq.advance(&m.session_id, m.seq)
    }

    /// A message this connection sent and has not acknowledged yet (its ack carries it).
    fn is_own_pending(&self, m: &Message) -> bool {
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

    /// A live message: queued as `new_message`, unless it was delivered already or is this
    /// connection's own unacknowledged send (its ack carries it; it still counts as
    /// delivered).
    fn deliver_live(&mut self, m: &Message, shared: Option<&EncodedMessage>) {
        if self.is_own_pending(m) {
            self.advance_delivered(m);
        } else {
            self.deliver_message(m, shared);
        }
    }

    /// With several nodes, a message published on another node can arrive after a later one
    /// of its session published here. When `m` is more than one past the last message this
    /// connection delivered for its session, the messages in between are read from the
    /// store (they are committed: `m`'s `seq` was taken after theirs) and delivered first,
    /// so none is skipped. Without a known last message (a session this connection neither
    /// opened nor resumed) there is no gap to fill.
    async fn fill_gap_before(&mut self, m: &Message) {
        let Some(last) = self.delivered_seq.last(&m.session_id) else {
            return;
        };
        if m.seq <= last + 1 {
            return;
        }
        let query = HistoryQuery {
            after_seq: Some(last),
            before_seq: Some(m.seq),
            limit: MAX_PAGE_SIZE,
        };
        let actor = self.actor_owned();
        let service = self.api.service();
        match service
            .history(&actor.as_actor(), &m.session_id, query)
            .await
        {
            Ok(missing) => {
                for earlier in &missing {
                    self.deliver_live(earlier, None);
                }
            }
            Err(e) => {
                tracing::warn!(session_id = %m.session_id, error = %e, "could not fill a message gap");
                self.push(&ServerFrame::ResyncRequired {
                    reason: "a message could not be delivered in order; resume the session",
                });
            }
        }
    }

    /// Queues `new_message` for `m` unless it was delivered already; its message from
    /// `shared` when the live event carries one.
    fn deliver_message(&mut self, m: &Message, shared: Option<&EncodedMessage>) {
        if !self.advance_delivered(m) {
            return;
        }
        let message = match shared {
            Some(slot) => MessageBody::shared(slot, m),
            None => MessageBody::View(MessageView::from(m)),
        };
        let session_id = &m.session_id;
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
        self.push(&frame);
    }

    /// Delivers one published event, if this connection is meant to hear it.
    pub(super) async fn on_event(&mut self, envelope: &Arc<Envelope>) {
        if let ChatEvent::AccessRevoked { revoked } = &envelope.event {
            self.on_revoked(&envelope.tenant_id, revoked);
            return;
        }
        match &self.principal {
            Principal::Agent(agent) => {
                let agent = Arc::clone(agent);
                self.on_agent_event(&agent, envelope).await;
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
                self.on_customer_event(envelope, show_avatars).await;
            }
        }
    }

    async fn on_agent_event(&mut self, agent: &Agent, envelope: &Envelope) {
        if let Some(project) = &envelope.project_id {
            if !agent.works_in(project) {
                return;
            }
        }
        self.known_sessions.refresh(&envelope.event);
        let skip = match &envelope.event {
            ChatEvent::TypingIndicator {
                agent_id: Some(from),
                ..
            } => from == &agent.id,
            ChatEvent::NewMessage { message } => {
                self.fill_gap_before(message).await;
                let own = self.is_own_pending(message);
                !self.advance_delivered(message) || own
            }
            _ => false,
        };
        if skip {
            return;
        }
        // Encoded once per event, shared by every agent connection.
        let text = match envelope.agent_frame.get() {
            Some(text) => text,
            None => match encoding::agent_frame(envelope) {
                Some(text) => envelope.agent_frame.get_or_init(|| Arc::from(text)),
                None => return,
            },
        };
        self.out.push(WsFrame::Text(text.to_string()));
    }

    async fn on_customer_event(&mut self, envelope: &Envelope, show_avatars: bool) {
        let event = &envelope.event;
        match event {
            ChatEvent::NewMessage { message } => {
                self.fill_gap_before(message).await;
                self.deliver_live(message, Some(&envelope.message_json));
                return;
            }
            ChatEvent::TypingIndicator {
                sender_type: SenderType::Customer,
                ..
            } => return,
            ChatEvent::SessionAssigned { session, .. }
            | ChatEvent::SessionTransferred { session, .. }
            | ChatEvent::SessionUpdated { session }
                if self
                    .own_session
                    .as_ref()
                    .is_some_and(|s| s.id == session.id) =>
            {
                self.own_session = Some(Arc::new(session.clone()));
            }
            ChatEvent::SessionEnded { session } => {
                self.own_session = Some(Arc::new(session.clone()));
                self.closing = Some((close_code::NORMAL, "session ended"));
            }
            _ => {}
        }
        if let Some(text) = encoding::customer_frame(&self.api, event, show_avatars).await {
            self.out.push(WsFrame::Text(text));
        }
    }
}
