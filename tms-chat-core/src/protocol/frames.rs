//! Every frame the server writes on a WebSocket, as one serde type tagged by `type`
//! ([`ServerFrame`]), and the two projections of a chat event: [`AgentEventFrame`] for
//! consoles and [`CustomerEventFrame`] for the widget. The customer projection is built only
//! from customer views ([`CustomerSessionView`], [`MessageView`], [`ReadMarkerView`]): it has no
//! variant for notes and no field for a tenant or another session, so agent-only data cannot
//! reach a customer by construction.
//!
//! `docs/protocol.md` lists these frames; the field names here are the wire contract.

use super::views::{CustomerSessionView, MessageView, ReadMarkerView, SessionView};
use crate::domain::{Note, PageView, Presence, SenderType, TransferTarget, VisitContext};
use crate::ids::{AgentId, SessionId};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A frame from the server to a client.
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame<'a> {
    /// The first frame of every connection.
    Ready {
        /// This connection's id (for logs).
        connection_id: String,
        /// The signed-in agent (agent sockets).
        #[serde(skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        agent_id: Option<&'a AgentId>,
        /// The customer's session (customer sockets).
        #[serde(skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        session_id: Option<&'a SessionId>,
        /// The largest frame the server accepts.
        max_frame_bytes: usize,
    },
    /// A request failed; the socket stays open.
    Error {
        /// The stable error code (`docs/protocol.md`).
        #[cfg_attr(feature = "typescript", ts(as = "crate::error::ErrorCode"))]
        code: &'a str,
        /// A human-readable message.
        message: &'a str,
        /// The failed request's `request_id`, echoed.
        request_id: Option<&'a Value>,
        /// The offending field, for validation errors.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "typescript", ts(optional))]
        field: Option<&'a str>,
    },
    /// A message sent on this socket was committed.
    MessageAck {
        /// The message's session.
        session_id: &'a SessionId,
        /// The request's `request_id`, echoed.
        request_id: Option<&'a Value>,
        /// The sender's idempotency key, echoed.
        client_message_id: Option<&'a str>,
        /// The committed message's sequence number.
        seq: i64,
        /// Whether the `client_message_id` had been stored before (nothing new was stored).
        duplicate: bool,
        /// The committed message.
        #[cfg_attr(feature = "typescript", ts(as = "MessageView<'a>"))]
        message: MessageBody<'a>,
    },
    /// A `subscribe` took effect.
    Subscribed {
        /// The session.
        session_id: &'a SessionId,
        /// The session's newest `seq`.
        last_seq: i64,
        /// The request's `request_id`, echoed.
        request_id: Option<&'a Value>,
    },
    /// An `unsubscribe` took effect.
    Unsubscribed {
        /// The session.
        session_id: &'a SessionId,
        /// The session's newest `seq`.
        last_seq: i64,
        /// The request's `request_id`, echoed.
        request_id: Option<&'a Value>,
    },
    /// A `resume` replayed every message after the requested `seq`.
    Resumed {
        /// The session.
        session_id: &'a SessionId,
        /// The last `seq` replayed (or the requested one when nothing was newer).
        last_seq: i64,
        /// The request's `request_id`, echoed.
        request_id: Option<&'a Value>,
    },
    /// The answer to a client `ping`.
    Pong {
        /// The request's `request_id`, echoed.
        request_id: Option<&'a Value>,
    },
    /// Events were dropped (the connection was too slow): resume each open session by `seq`.
    ResyncRequired {
        /// Why.
        reason: &'a str,
    },
    /// A chat event as a console sees it.
    #[serde(untagged)]
    AgentEvent(AgentEventFrame<'a>),
    /// A chat event as the session's customer sees it.
    #[serde(untagged)]
    CustomerEvent(CustomerEventFrame<'a>),
}

/// A chat event as an agent console receives it.
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AgentEventFrame<'a> {
    /// A session was started.
    SessionCreated {
        /// The session.
        session_id: &'a SessionId,
        /// The session after the change.
        session: SessionView<'a>,
    },
    /// A session was assigned (taken, reassigned, or a transfer accepted).
    SessionAssigned {
        /// The session.
        session_id: &'a SessionId,
        /// The new assignee.
        agent_id: &'a AgentId,
        /// The previous assignee.
        previous_agent_id: Option<&'a AgentId>,
        /// Who assigned it.
        assigned_by: &'a AgentId,
        /// The session after the change.
        session: SessionView<'a>,
    },
    /// A session was transferred.
    SessionTransferred {
        /// The session.
        session_id: &'a SessionId,
        /// Where it went.
        target: &'a TransferTarget,
        /// The previous assignee.
        previous_agent_id: Option<&'a AgentId>,
        /// Who transferred it.
        transferred_by: &'a AgentId,
        /// The session after the change.
        session: SessionView<'a>,
    },
    /// Another field of a session changed (customer details, ticket link).
    SessionUpdated {
        /// The session.
        session_id: &'a SessionId,
        /// The session after the change.
        session: SessionView<'a>,
    },
    /// A session ended.
    SessionEnded {
        /// The session.
        session_id: &'a SessionId,
        /// The session after the change.
        session: SessionView<'a>,
    },
    /// A message was stored.
    NewMessage {
        /// The message's session.
        session_id: &'a SessionId,
        /// The message.
        #[cfg_attr(feature = "typescript", ts(as = "MessageView<'a>"))]
        message: MessageBody<'a>,
    },
    /// Someone started or stopped typing.
    TypingIndicator(TypingFrame<'a>),
    /// A participant's read marker moved.
    ReadMarker(ReadMarkerView<'a>),
    /// An internal note was added (agents only).
    NoteAdded {
        /// The note's session.
        session_id: &'a SessionId,
        /// The note.
        note: &'a Note,
    },
    /// The widget reported a page view: the customer context now (agents only).
    VisitUpdated {
        /// The session.
        session_id: &'a SessionId,
        /// What the widget reported.
        context: &'a VisitContext,
    },
    /// A waiting session's place in the queue changed.
    QueueUpdated {
        /// The waiting session.
        session_id: &'a SessionId,
        /// 1 is next.
        queue_position: u32,
        /// `null` when unknown.
        estimated_wait_seconds: Option<u64>,
    },
    /// An agent of the tenant came online, went away or offline.
    PresenceChanged {
        /// The agent.
        agent_id: &'a AgentId,
        /// Their presence now.
        presence: Presence,
    },
}

/// A chat event as the session's customer receives it: customer views only.
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CustomerEventFrame<'a> {
    /// An agent took the session.
    SessionAssigned {
        /// The customer's session.
        session_id: &'a SessionId,
        /// The new assignee.
        agent_id: &'a AgentId,
        /// The session as the customer sees it.
        session: CustomerSessionView<'a>,
    },
    /// The session was transferred.
    SessionTransferred {
        /// The customer's session.
        session_id: &'a SessionId,
        /// The session as the customer sees it.
        session: CustomerSessionView<'a>,
    },
    /// The session changed.
    SessionUpdated {
        /// The customer's session.
        session_id: &'a SessionId,
        /// The session as the customer sees it.
        session: CustomerSessionView<'a>,
    },
    /// The session ended; the socket closes after this frame.
    SessionEnded {
        /// The customer's session.
        session_id: &'a SessionId,
        /// The session as the customer sees it.
        session: CustomerSessionView<'a>,
    },
    /// A message was stored (never a note: notes are not messages).
    NewMessage {
        /// The customer's session.
        session_id: &'a SessionId,
        /// The message.
        #[cfg_attr(feature = "typescript", ts(as = "MessageView<'a>"))]
        message: MessageBody<'a>,
    },
    /// An agent started or stopped typing.
    TypingIndicator(TypingFrame<'a>),
    /// A participant's read marker moved.
    ReadMarker(ReadMarkerView<'a>),
    /// A waiting session's place in the queue changed.
    QueueUpdated {
        /// The waiting session.
        session_id: &'a SessionId,
        /// 1 is next.
        queue_position: u32,
        /// `null` when unknown.
        estimated_wait_seconds: Option<u64>,
    },
}

/// Who is typing in a session.
#[derive(Serialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct TypingFrame<'a> {
    /// The session.
    pub session_id: &'a SessionId,
    /// Customer or agent.
    pub sender_type: SenderType,
    /// The typing agent.
    pub agent_id: Option<&'a AgentId>,
    /// Started (`true`) or stopped.
    pub is_typing: bool,
    /// What the customer has typed so far (agents only, when the widget's `typing_preview`
    /// is on); absent otherwise, always absent for customers.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub preview: Option<&'a str>,
}

/// A message inside a frame: its view, or the same view encoded once and shared by every
/// frame that carries it (`notify::EncodedMessage`). Both are written the same.
#[derive(Serialize, Debug)]
#[serde(untagged)]
pub enum MessageBody<'a> {
    /// The view, serialised with the frame.
    View(MessageView<'a>),
    /// The view's JSON, encoded before.
    Encoded(&'a serde_json::value::RawValue),
}

impl<'a> MessageBody<'a> {
    /// The message's JSON from `slot`, encoding it there first if no frame has yet.
    pub fn shared(
        slot: &'a crate::notify::EncodedMessage,
        message: &crate::domain::Message,
    ) -> Self {
        let encoded = slot.get_or_init(|| {
            serde_json::value::to_raw_value(&MessageView::from(message)).unwrap_or_else(|error| {
                // Cannot happen (string keys, no floats); logged rather than panicking.
                tracing::error!(%error, "could not encode a message");
                Box::default()
            })
        });
        MessageBody::Encoded(encoded)
    }
}

impl ServerFrame<'_> {
    /// The frame as JSON text.
    pub fn encode(&self) -> String {
        // Serialising these types cannot fail: every key is a string and no value is a
        // non-finite float. A failure would be a bug, logged rather than panicking.
        serde_json::to_string(self).unwrap_or_else(|error| {
            tracing::error!(%error, "could not encode a server frame");
            String::from(r#"{"type":"error","code":"internal","message":"internal error","request_id":null}"#)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_frames_carry_their_type_and_null_request_ids() {
        let sid = SessionId::from("ses_1");
        let frame = ServerFrame::Subscribed {
            session_id: &sid,
            last_seq: 3,
            request_id: None,
        };
        let value: Value = serde_json::from_str(&frame.encode()).expect("json");
        assert_eq!(
            value,
            serde_json::json!({"type": "subscribed", "session_id": "ses_1", "last_seq": 3, "request_id": null})
        );
    }

    #[test]
    fn a_shared_message_is_written_as_its_view_and_encoded_once() {
        use crate::domain::{Message, MessageKind, SenderType};
        let message = Message {
            id: crate::ids::MessageId::from("msg_1"),
            tenant_id: crate::ids::TenantId::from("t1"),
            session_id: SessionId::from("ses_1"),
            seq: 4,
            sender_type: SenderType::Customer,
            sender_agent_id: None,
            kind: MessageKind::Text,
            content: "h\u{e9} \"quoted\"\n".to_owned(),
            attachment: None,
            system_event: None,
            client_message_id: Some("c1".to_owned()),
            created_at: chrono::DateTime::from_timestamp(1_765_000_000, 123_456_000).unwrap(),
        };
        let ack = |message| {
            ServerFrame::MessageAck {
                session_id: &SessionId::from("ses_1"),
                request_id: None,
                client_message_id: Some("c1"),
                seq: 4,
                duplicate: false,
                message,
            }
            .encode()
        };
        let viewed = ack(MessageBody::View(MessageView::from(&message)));
        let slot = crate::notify::EncodedMessage::default();
        assert_eq!(ack(MessageBody::shared(&slot, &message)), viewed);
        // The slot now holds the encoding; a later frame uses it as it is.
        let encoded = slot.get().expect("encoded").get().to_owned();
        assert!(viewed.contains(&encoded), "{viewed} carries {encoded}");
        let mut other = message.clone();
        other.content = "changed".to_owned();
        assert_eq!(ack(MessageBody::shared(&slot, &other)), viewed);
    }

    #[test]
    fn event_frames_are_tagged_once() {
        let sid = SessionId::from("ses_1");
        let frame = ServerFrame::CustomerEvent(CustomerEventFrame::TypingIndicator(TypingFrame {
            session_id: &sid,
            sender_type: SenderType::Agent,
            agent_id: None,
            is_typing: true,
            preview: None,
        }));
        let text = frame.encode();
        assert_eq!(text.matches("\"type\"").count(), 1, "{text}");
        let value: Value = serde_json::from_str(&text).expect("json");
        assert_eq!(value["type"], "typing_indicator");
        assert_eq!(value["sender_type"], "agent");
        assert_eq!(value["is_typing"], true);
        assert!(
            value.get("preview").is_none(),
            "no preview, no field: {text}"
        );
    }
}

/// A frame from a client (`docs/protocol.md`, client → server).
#[derive(Deserialize, Debug)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(optional_fields = nullable))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    /// Sends a message (answered by `message_ack`).
    SendMessage {
        #[serde(default)]
        /// The session (customers may omit it: their own).
        session_id: Option<SessionId>,
        #[serde(default)]
        /// The message text.
        content: Option<String>,
        #[serde(default)]
        /// `text` (when omitted) or `file`.
        #[cfg_attr(feature = "typescript", ts(type = r#""text" | "file""#, optional = nullable))]
        message_type: Option<String>,
        #[serde(default)]
        /// An uploaded attachment to send.
        attachment_id: Option<crate::ids::AttachmentId>,
        #[serde(default)]
        /// The client's id for de-duplication of retries.
        client_message_id: Option<String>,
    },
    /// Starts or stops the typing indicator.
    TypingIndicator {
        #[serde(default)]
        /// The session (customers may omit it: their own).
        session_id: Option<SessionId>,
        /// Whether the sender is typing.
        is_typing: bool,
        #[serde(default)]
        /// A customer's draft so far (see `typing_preview`); dropped otherwise.
        preview: Option<String>,
    },
    /// Subscribes an agent socket to a session (answered by `subscribed`).
    Subscribe {
        /// The session.
        session_id: SessionId,
    },
    /// Stops an agent socket's subscription (answered by `unsubscribed`).
    Unsubscribe {
        /// The session.
        session_id: SessionId,
    },
    /// Replays the messages after `after_seq`, then `resumed`.
    Resume {
        #[serde(default)]
        /// The session (customers may omit it: their own).
        session_id: Option<SessionId>,
        #[serde(default)]
        /// Replay messages after this `seq` (0 when omitted).
        after_seq: Option<i64>,
    },
    /// Marks messages up to `seq` as read.
    MarkRead {
        #[serde(default)]
        /// The session (customers may omit it: their own).
        session_id: Option<SessionId>,
        /// The highest `seq` read.
        seq: i64,
    },
    /// The widget's page changed (customers only): stores the session's customer context.
    PageView {
        #[serde(flatten)]
        /// What the widget reports.
        view: PageView,
    },
    /// Answered by `pong` (a barrier: every earlier frame was handled).
    Ping {},
}
