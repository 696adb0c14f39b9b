//! The customer context (`domain::visit`): the widget reports page views of its own session;
//! agents read the last one in the console's customer panel and get `visit_updated` when it
//! changes. Customers can write it but never read it back.

use super::ChatService;
use crate::auth::Actor;
use crate::domain::{Agent, PageView, Session, VisitContext};
use crate::error::{ChatError, ChatResult, FieldError};
use crate::ids::SessionId;
use crate::notify::{Audience, ChatEvent};

impl ChatService {
    /// Validates a page view; errors name the field under `prefix` (`context.` on a start).
    pub(crate) fn visit_from(&self, view: PageView, prefix: &str) -> ChatResult<VisitContext> {
        view.validate(prefix, self.clock.now())
            .map_err(|FieldError { field, message }| ChatError::invalid(field, message))
    }

    /// The customer reports a page view on their own open session.
    pub async fn record_page_view(
        &self,
        actor: &Actor<'_>,
        session_id: &SessionId,
        view: PageView,
    ) -> ChatResult<VisitContext> {
        if !matches!(actor, Actor::Customer(_)) {
            return Err(ChatError::forbidden("only the widget reports page views"));
        }
        let session = self.visible_session(actor, session_id).await?;
        if session.status.is_final() {
            return Err(ChatError::conflict("session has ended"));
        }
        let context = self.visit_from(view, "")?;
        self.store_visit(&session, context).await
    }

    /// Stores a session's context and tells the agents (never the customer).
    pub(crate) async fn store_visit(
        &self,
        session: &Session,
        context: VisitContext,
    ) -> ChatResult<VisitContext> {
        self.store
            .put_visit_context(&session.tenant_id, &session.id, &context)
            .await?;
        self.publish_conversation(
            session,
            Audience::AgentsOnly,
            ChatEvent::VisitUpdated {
                session_id: session.id.clone(),
                context: context.clone(),
            },
        )
        .await;
        Ok(context)
    }

    /// A session's customer context, for an agent who can see the session.
    pub async fn visit_context(
        &self,
        agent: &Agent,
        session_id: &SessionId,
    ) -> ChatResult<Option<VisitContext>> {
        let session = self.agent_visible_session(agent, session_id).await?;
        Ok(self
            .store
            .get_visit_context(&session.tenant_id, &session.id)
            .await?)
    }
}
