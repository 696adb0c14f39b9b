//! Event routing: which topics and audience each kind of change goes to.
//!
//! - Session lifecycle (created, assigned, transferred, updated, ended): the tenant topic (every
//!   agent connection, filtered by project scope) and the session topic (its customer and the
//!   consoles that opened it).
//! - Messages, typing and read markers: the session topic and the assigned agent's topic.
//! - Notes: the session topic, agents only.
//! - A widget's deletion: the widget topic (its customers' connections, which then close).
//!
//! Publishing failures are logged, never returned: the change is already committed.

use super::ChatService;
use crate::domain::Session;
use crate::ids::{TenantId, WidgetId};
use crate::notify::{Audience, ChatEvent, Envelope, Revoked, Topic};

impl ChatService {
    pub(crate) async fn publish_lifecycle(&self, session: &Session, event: ChatEvent) {
        let mut topics = vec![
            Topic::Tenant(session.tenant_id.clone()),
            Topic::Session(session.id.clone()),
        ];
        if let ChatEvent::SessionAssigned {
            previous_agent_id: Some(prev),
            ..
        }
        | ChatEvent::SessionTransferred {
            previous_agent_id: Some(prev),
            ..
        } = &event
        {
            topics.push(Topic::Agent(session.tenant_id.clone(), prev.clone()));
        }
        self.publish(session, Audience::Everyone, topics, event)
            .await;
    }

    pub(crate) async fn publish_widget_deleted(&self, tenant: &TenantId, widget: &WidgetId) {
        let envelope = Envelope::new(
            tenant.clone(),
            None,
            None,
            Audience::Everyone,
            vec![Topic::Widget(widget.clone())],
            ChatEvent::AccessRevoked {
                revoked: Revoked::Widget(widget.clone()),
            },
        );
        if let Err(err) = self.notifier.publish(envelope).await {
            tracing::warn!(widget_id = %widget, error = %err, "publishing a widget's deletion failed");
        }
    }

    pub(crate) async fn publish_conversation(
        &self,
        session: &Session,
        audience: Audience,
        event: ChatEvent,
    ) {
        let envelope = conversation_envelope(session, audience, event);
        if let Err(err) = self.notifier.publish(envelope).await {
            tracing::warn!(session_id = %session.id, error = %err, "publishing a chat event failed");
        }
    }

    async fn publish(
        &self,
        session: &Session,
        audience: Audience,
        topics: Vec<Topic>,
        event: ChatEvent,
    ) {
        let envelope = Envelope::new(
            session.tenant_id.clone(),
            Some(session.project_id.clone()),
            Some(session.id.clone()),
            audience,
            topics,
            event,
        );
        if let Err(err) = self.notifier.publish(envelope).await {
            tracing::warn!(session_id = %session.id, error = %err, "publishing a chat event failed");
        }
    }
}

/// The envelope of a conversation event (message, typing, read marker, note): the session's
/// topic and its assignee's topic.
pub(crate) fn conversation_envelope(
    session: &Session,
    audience: Audience,
    event: ChatEvent,
) -> Envelope {
    let mut topics = vec![Topic::Session(session.id.clone())];
    if let Some(agent) = &session.assigned_agent_id {
        topics.push(Topic::Agent(session.tenant_id.clone(), agent.clone()));
    }
    Envelope::new(
        session.tenant_id.clone(),
        Some(session.project_id.clone()),
        Some(session.id.clone()),
        audience,
        topics,
        event,
    )
}
