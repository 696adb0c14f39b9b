//! The frame of each chat event, for each side. Agents get [`AgentEventFrame`] (full session
//! views, notes); customers get [`CustomerEventFrame`], built only from customer views, with
//! the assigned agent's public profile. Events a side does not get have no frame (notes and
//! presence are agents' only).

use super::super::frames::TypingFrame;
use super::super::frames::{AgentEventFrame, CustomerEventFrame, MessageBody, ServerFrame};
use super::super::views::{ReadMarkerView, SessionView};
use super::super::ChatApi;
use crate::notify::{ChatEvent, Envelope};

/// The agent-side frame of an event, encoded; `None` for a revocation (it closes
/// connections instead: `socket/revocation.rs`).
pub(super) fn agent_frame(envelope: &Envelope) -> Option<String> {
    let frame = match &envelope.event {
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
            message: MessageBody::shared(&envelope.message_json, message),
        },
        ChatEvent::TypingIndicator {
            session_id,
            sender_type,
            agent_id,
            is_typing,
            preview,
        } => AgentEventFrame::TypingIndicator(TypingFrame {
            session_id,
            sender_type: *sender_type,
            agent_id: agent_id.as_ref(),
            is_typing: *is_typing,
            preview: preview.as_deref(),
        }),
        ChatEvent::ReadMarker { marker } => {
            AgentEventFrame::ReadMarker(ReadMarkerView::from(marker))
        }
        ChatEvent::NoteAdded { note } => AgentEventFrame::NoteAdded {
            session_id: &note.session_id,
            note,
        },
        ChatEvent::VisitUpdated {
            session_id,
            context,
        } => AgentEventFrame::VisitUpdated {
            session_id,
            context,
        },
        ChatEvent::QueueUpdated {
            session_id,
            queue_position,
            estimated_wait_seconds,
        } => AgentEventFrame::QueueUpdated {
            session_id,
            queue_position: *queue_position,
            estimated_wait_seconds: *estimated_wait_seconds,
        },
        ChatEvent::PresenceChanged { agent_id, presence } => AgentEventFrame::PresenceChanged {
            agent_id,
            presence: *presence,
        },
        ChatEvent::AccessRevoked { .. } => return None,
    };
    Some(ServerFrame::AgentEvent(frame).encode())
}

/// The customer-side frame of an event, encoded; `None` for events customers don't get as
/// an event frame (notes never; messages go through `new_message` delivery).
pub(super) async fn customer_frame(
    api: &ChatApi,
    event: &ChatEvent,
    show_avatars: bool,
) -> Option<String> {
    let view = |session| api.customer_view(session, show_avatars);
    let frame = match event {
        ChatEvent::SessionAssigned {
            session, agent_id, ..
        } => CustomerEventFrame::SessionAssigned {
            session_id: &session.id,
            agent_id,
            session: view(session).await,
        },
        ChatEvent::SessionTransferred { session, .. } => CustomerEventFrame::SessionTransferred {
            session_id: &session.id,
            session: view(session).await,
        },
        ChatEvent::SessionUpdated { session } | ChatEvent::SessionCreated { session } => {
            CustomerEventFrame::SessionUpdated {
                session_id: &session.id,
                session: view(session).await,
            }
        }
        ChatEvent::SessionEnded { session } => CustomerEventFrame::SessionEnded {
            session_id: &session.id,
            session: view(session).await,
        },
        ChatEvent::TypingIndicator {
            session_id,
            sender_type,
            agent_id,
            is_typing,
            ..
        } => CustomerEventFrame::TypingIndicator(TypingFrame {
            session_id,
            sender_type: *sender_type,
            agent_id: agent_id.as_ref(),
            is_typing: *is_typing,
            // A draft is never a customer's to see.
            preview: None,
        }),
        ChatEvent::ReadMarker { marker } => {
            CustomerEventFrame::ReadMarker(ReadMarkerView::from(marker))
        }
        ChatEvent::QueueUpdated {
            session_id,
            queue_position,
            estimated_wait_seconds,
        } => CustomerEventFrame::QueueUpdated {
            session_id,
            queue_position: *queue_position,
            estimated_wait_seconds: *estimated_wait_seconds,
        },
        ChatEvent::NewMessage { .. }
        | ChatEvent::NoteAdded { .. }
        | ChatEvent::VisitUpdated { .. }
        | ChatEvent::PresenceChanged { .. }
        | ChatEvent::AccessRevoked { .. } => return None,
    };
    Some(ServerFrame::CustomerEvent(frame).encode())
}
