//! Who may see and do what. Every lookup goes through here so the rules live in one place:
//! another tenant's object, or an object outside an agent's projects, is `not_found` (its
//! existence does not leak); a customer reaches only the session its token names.

use super::ChatService;
use crate::auth::{Actor, CustomerPrincipal};
use crate::domain::{Agent, Session, SessionStatus, Widget};
use crate::error::{ChatError, ChatResult, StoreError};
use crate::ids::{SessionId, WidgetId};
use crate::token::hash_token;

/// Maps a store `NotFound` to a named `not_found`, keeping other errors.
pub(crate) fn not_found_as(what: &'static str) -> impl Fn(StoreError) -> ChatError {
    move |e| match e {
        StoreError::NotFound => ChatError::NotFound(what),
        other => other.into(),
    }
}

impl ChatService {
    /// Resolves a customer token to its session. Unknown tokens, and tokens of ended
    /// sessions, are `unauthorized`.
    pub async fn authenticate_customer(&self, token: &str) -> ChatResult<CustomerPrincipal> {
        let token = token.trim();
        if token.is_empty() {
            return Err(ChatError::Unauthorized);
        }
        let session = match self
            .store
            .find_session_by_token_hash(&hash_token(token))
            .await
        {
            Ok(s) => s,
            Err(StoreError::NotFound) => return Err(ChatError::Unauthorized),
            Err(e) => return Err(e.into()),
        };
        if session.status == SessionStatus::Ended {
            return Err(ChatError::Unauthorized);
        }
        Ok(CustomerPrincipal {
            tenant_id: session.tenant_id,
            session_id: session.id,
            widget_id: session.widget_id,
        })
    }

    /// A session the actor may see.
    pub(crate) async fn visible_session(
        &self,
        actor: &Actor<'_>,
        id: &SessionId,
    ) -> ChatResult<Session> {
        if let Actor::Customer(c) = actor {
            if &c.session_id != id {
                return Err(ChatError::NotFound("session"));
            }
        }
        let session = self
            .store
            .get_session(actor.tenant_id(), id)
            .await
            .map_err(not_found_as("session"))?;
        if let Actor::Agent(agent) = actor {
            if !agent.works_in(&session.project_id) {
                return Err(ChatError::NotFound("session"));
            }
        }
        Ok(session)
    }

    /// A session an agent may see (customers are refused with `forbidden`).
    pub(crate) async fn agent_visible_session(
        &self,
        agent: &Agent,
        id: &SessionId,
    ) -> ChatResult<Session> {
        self.visible_session(&Actor::Agent(agent), id).await
    }

    /// A widget the agent may see.
    pub(crate) async fn visible_widget(&self, agent: &Agent, id: &WidgetId) -> ChatResult<Widget> {
        let widget = self
            .store
            .get_widget(&agent.tenant_id, id)
            .await
            .map_err(not_found_as("widget"))?;
        if !agent.works_in(&widget.project_id) {
            return Err(ChatError::NotFound("widget"));
        }
        Ok(widget)
    }

    /// Refuses customers with `forbidden`.
    pub(crate) fn require_agent<'a>(actor: &Actor<'a>) -> ChatResult<&'a Agent> {
        match actor {
            Actor::Agent(a) => Ok(a),
            Actor::Customer(_) => Err(ChatError::forbidden("agents only")),
        }
    }

    /// Refuses non-admins with `forbidden`.
    pub(crate) fn require_admin(agent: &Agent) -> ChatResult<()> {
        if agent.is_admin() {
            Ok(())
        } else {
            Err(ChatError::forbidden("admin role required"))
        }
    }
}
