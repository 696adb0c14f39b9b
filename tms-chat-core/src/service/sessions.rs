//! Session lifecycle: starting (by a customer through a widget, or by an agent), reading and
//! listing, assignment, transfer and ending. State changes go through the domain state
//! machine and an optimistic-concurrency update, retried on a concurrent change.

use super::session_update::{Announce, Change, LoadAs};
use super::ChatService;
use crate::auth::Actor;
use crate::domain::{
    Agent, EndedBy, MessageKind, NewMessage, SenderType, Session, SessionStatus, SystemEvent,
    TransferTarget, Widget,
};
use crate::error::{ChatError, ChatResult, StoreError};
use crate::ids::{AgentId, MessageId, SessionId, WidgetId};
use crate::notify::ChatEvent;
use crate::store::{LimitedUpdate, SessionFilter, SessionPage, MAX_PAGE_SIZE};
use crate::token::{hash_token, random_token, verify_identity_hash};
use serde::Deserialize;

/// Longest email accepted.
const MAX_EMAIL_LEN: usize = 254;

/// A customer starting a chat through a widget.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(optional_fields = nullable))]
pub struct StartCustomerSession {
    /// Customer's name.
    #[serde(default)]
    pub customer_name: Option<String>,
    /// Customer's email (required when the widget requires it).
    #[serde(default)]
    pub customer_email: Option<String>,
    /// HMAC-SHA256 of the email with the widget's identity secret, computed by the host site.
    #[serde(default)]
    pub identity_hash: Option<String>,
    /// The page the chat starts on (the customer context, agents only).
    #[serde(default)]
    pub context: Option<crate::domain::PageView>,
}

/// An agent starting a chat (the console's New Chat).
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(optional_fields = nullable))]
pub struct StartAgentSession {
    /// The widget the chat belongs to.
    pub widget_id: WidgetId,
    /// Customer's email (required).
    #[serde(default)]
    pub customer_email: Option<String>,
    /// Customer's name (optional).
    #[serde(default)]
    pub customer_name: Option<String>,
    /// Who the session is assigned to; unassigned (`waiting`) when absent.
    #[serde(default)]
    pub assigned_agent_id: Option<AgentId>,
}

/// A new session and the customer's token for it (shown once, stored only as a hash).
#[derive(Clone, Debug)]
pub struct StartedSession {
    /// The session.
    pub session: Session,
    /// The customer's bearer token for this session.
    pub customer_token: String,
}

/// Where to transfer a session.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(optional_fields = nullable))]
pub struct TransferRequest {
    /// To this agent.
    #[serde(default)]
    pub agent_id: Option<AgentId>,
    /// Or to this department.
    #[serde(default)]
    pub department: Option<String>,
}

impl ChatService {
    /// A customer starts a chat on a widget from a page at `origin`. Refused outside the
    /// widget's business hours, and without an email when the widget requires one.
    pub async fn start_customer_session(
        &self,
        widget_id: &WidgetId,
        origin: Option<&str>,
        request: StartCustomerSession,
    ) -> ChatResult<StartedSession> {
        let widget = self.widget_for_origin(widget_id, origin).await?;
        let now = self.clock.now();
        if !widget.is_open_at(now) {
            return Err(ChatError::OutsideBusinessHours {
                next_open: widget
                    .business_hours
                    .as_ref()
                    .and_then(|b| b.next_opening_after(now)),
            });
        }
        if widget.routing.offline_when_no_agents && !self.agents_online(&widget).await? {
            return Err(ChatError::NoAgentsAvailable);
        }
        let email = self.clean_email(request.customer_email, widget.require_email)?;
        let name = self.clean_name(request.customer_name)?;
        let verified = match (&email, &request.identity_hash) {
            (Some(email), Some(hash)) => {
                if !verify_identity_hash(&widget.identity_secret, email, hash) {
                    return Err(ChatError::invalid(
                        "identity_hash",
                        "does not match the email",
                    ));
                }
                true
            }
            (None, Some(_)) => {
                return Err(ChatError::invalid(
                    "identity_hash",
                    "requires customer_email",
                ))
            }
            _ => false,
        };
        let context = request
            .context
            .map(|view| self.visit_from(view, "context."))
            .transpose()?;
        let started = self
            .create_session(&widget, email, name, None, None, verified)
            .await?;
        if let Some(context) = context {
            self.store_visit(&started.session, context).await?;
        }
        Ok(started)
    }

    /// The offline contact form (a widget outside business hours with `collect_contact`):
    /// becomes a waiting session holding the customer's message, so it reaches the agents'
    /// queue. Email and message are required.
    pub async fn submit_offline_contact(
        &self,
        widget_id: &WidgetId,
        origin: Option<&str>,
        name: Option<String>,
        email: Option<String>,
        message: String,
    ) -> ChatResult<Session> {
        let widget = self.widget_for_origin(widget_id, origin).await?;
        let email = self.clean_email(email, true)?;
        let name = self.clean_name(name)?;
        if message.trim().is_empty() {
            return Err(ChatError::invalid("message", "must not be empty"));
        }
        if message.chars().count() > self.config.max_message_chars {
            return Err(ChatError::invalid(
                "message",
                format!(
                    "must be at most {} characters",
                    self.config.max_message_chars
                ),
            ));
        }
        let started = self
            .create_session(&widget, email, name, None, None, false)
            .await?;
        let customer = crate::auth::CustomerPrincipal {
            tenant_id: started.session.tenant_id.clone(),
            session_id: started.session.id.clone(),
            widget_id: widget.id.clone(),
        };
        self.send_message(
            &Actor::Customer(&customer),
            &started.session.id,
            super::SendMessage {
                content: message,
                ..Default::default()
            },
        )
        .await?;
        Ok(started.session)
    }

    /// An agent starts a chat with a customer (email required, name optional), optionally
    /// assigned right away (the console assigns it to the agent who starts it).
    pub async fn start_agent_session(
        &self,
        agent: &Agent,
        request: StartAgentSession,
    ) -> ChatResult<StartedSession> {
        let widget = self.visible_widget(agent, &request.widget_id).await?;
        let email = self.clean_email(request.customer_email, true)?;
        let name = self.clean_name(request.customer_name)?;
        let assignee = match request.assigned_agent_id {
            None => None,
            Some(id) if id == agent.id => Some(agent.clone()),
            Some(id) => {
                if !agent.can_manage_assignments() {
                    return Err(ChatError::forbidden(
                        "only supervisors and admins assign sessions to others",
                    ));
                }
                Some(
                    self.assignable_agent(agent, &id, &ProjectScope::from(&widget))
                        .await?,
                )
            }
        };
        self.create_session(&widget, email, name, Some(agent), assignee.as_ref(), false)
            .await
    }

    async fn create_session(
        &self,
        widget: &Widget,
        email: Option<String>,
        name: Option<String>,
        started_by: Option<&Agent>,
        assignee: Option<&Agent>,
        verified: bool,
    ) -> ChatResult<StartedSession> {
        let now = self.clock.now();
        let token = random_token();
        let mut session = Session {
            id: SessionId::generate(),
            tenant_id: widget.tenant_id.clone(),
            project_id: widget.project_id.clone(),
            widget_id: widget.id.clone(),
            status: SessionStatus::Waiting,
            customer_email: email,
            customer_name: name,
            assigned_agent_id: None,
            transfer_target: None,
            department: None,
            started_by_agent_id: started_by.map(|a| a.id.clone()),
            ended_by: None,
            last_seq: 0,
            ticket_id: None,
            customer_verified: verified,
            version: 0,
            created_at: now,
            updated_at: now,
            last_activity_at: now,
            ended_at: None,
            awaiting_reply_since: None,
            last_customer_message_at: None,
            assigned_at: None,
            first_assigned_at: None,
        };
        if let Some(agent) = assignee {
            session.assign_to(agent.id.clone(), now)?;
        }
        self.insert_within_limit(&session, &hash_token(&token), assignee)
            .await?;
        self.publish_lifecycle(
            &session,
            ChatEvent::SessionCreated {
                session: session.clone(),
            },
        )
        .await;
        if let Some(agent) = assignee {
            self.append_system(
                &session,
                SystemEvent::Joined,
                format!("{} joined the chat", agent.display_name),
            )
            .await?;
        } else if widget.routing.is_automatic() {
            match self.route_session(widget, &session.id, None).await {
                Ok(Some(assigned)) => session = assigned,
                Ok(None) => {}
                Err(err) => {
                    tracing::warn!(session_id = %session.id, error = %err, "auto-assignment failed");
                }
            }
        }
        Ok(StartedSession {
            session,
            customer_token: token,
        })
    }

    /// Reads a session the actor may see.
    pub async fn get_session(&self, actor: &Actor<'_>, id: &SessionId) -> ChatResult<Session> {
        self.visible_session(actor, id).await
    }

    /// Lists the sessions of the agent's projects.
    pub async fn list_sessions(
        &self,
        agent: &Agent,
        mut filter: SessionFilter,
    ) -> ChatResult<SessionPage> {
        filter.project_ids = match (&filter.project_ids, agent.project_scope()) {
            (None, scope) => scope.map(<[_]>::to_vec),
            (Some(asked), None) => Some(asked.clone()),
            (Some(asked), Some(scope)) => Some(
                asked
                    .iter()
                    .filter(|p| scope.contains(p))
                    .cloned()
                    .collect(),
            ),
        };
        if filter.limit == 0 {
            filter.limit = 50;
        }
        filter.limit = filter.limit.min(MAX_PAGE_SIZE);
        if let Some(q) = &filter.query {
            let q = q.trim();
            filter.query = (!q.is_empty()).then(|| q.to_owned());
        }
        Ok(self.store.list_sessions(&agent.tenant_id, &filter).await?)
    }

    /// The customer's other sessions in the tenant, newest first (the console's customer
    /// context). Empty when the customer gave no email.
    pub async fn customer_history(
        &self,
        agent: &Agent,
        id: &SessionId,
    ) -> ChatResult<Vec<Session>> {
        let session = self.agent_visible_session(agent, id).await?;
        let Some(email) = &session.customer_email else {
            return Ok(Vec::new());
        };
        let sessions = self
            .store
            .customer_sessions(
                &agent.tenant_id,
                email,
                Some(&session.id),
                self.config.customer_history_limit,
            )
            .await?;
        Ok(sessions
            .into_iter()
            .filter(|s| agent.works_in(&s.project_id))
            .collect())
    }

    /// Assigns a session: to the acting agent ("Assign to Me", or accepting a transfer), or,
    /// for supervisors and admins, to another agent.
    pub async fn assign_session(
        &self,
        agent: &Agent,
        id: &SessionId,
        target: Option<&AgentId>,
    ) -> ChatResult<Session> {
        let target_id = target.unwrap_or(&agent.id);
        let actor = Actor::Agent(agent);
        self.update_session(LoadAs::Actor(&actor), id, |mut session| async move {
            let assignee = self.assignee(agent, target_id, &session).await?;
            if session.assigned_agent_id.as_ref() == Some(&assignee.id)
                && session.status == SessionStatus::Active
            {
                return Ok(Change::Keep(session));
            }
            let previous_agent_id = session.assigned_agent_id.clone();
            session.assign_to(assignee.id.clone(), self.clock.now())?;
            let max = assignee.max_concurrent_sessions;
            let announce = Announce::Assigned {
                agent_id: assignee.id,
                agent_name: assignee.display_name,
                previous_agent_id,
                assigned_by: agent.id.clone(),
            };
            Ok(Change::write_within(session, announce, max))
        })
        .await
    }

    /// Who an assignment by `agent` to `target_id` gives the session to: the acting agent
    /// (when they may take it), or another agent (supervisors and admins only).
    async fn assignee(
        &self,
        agent: &Agent,
        target_id: &AgentId,
        session: &Session,
    ) -> ChatResult<Agent> {
        if target_id == &agent.id {
            self.check_self_assign(agent, session)?;
            return Ok(agent.clone());
        }
        if !agent.can_manage_assignments() {
            return Err(ChatError::forbidden(
                "only supervisors and admins assign sessions to others",
            ));
        }
        let scope = self.session_widget_scope(session);
        self.assignable_agent(agent, target_id, &scope).await
    }

    /// Transfers a session to another agent or a department. Allowed to its assignee and to
    /// supervisors and admins.
    pub async fn transfer_session(
        &self,
        agent: &Agent,
        id: &SessionId,
        request: TransferRequest,
    ) -> ChatResult<Session> {
        let actor = Actor::Agent(agent);
        let request = &request;
        let before = self.visible_session(&actor, id).await?;
        let previous = before.assigned_agent_id;
        let transferred = self
            .update_session(LoadAs::Actor(&actor), id, |mut session| async move {
                let is_assignee = session.assigned_agent_id.as_ref() == Some(&agent.id);
                if !is_assignee && !agent.can_manage_assignments() {
                    return Err(ChatError::forbidden(
                        "only the assigned agent, supervisors and admins transfer a session",
                    ));
                }
                let (target, max) = self.transfer_target(agent, request, &session).await?;
                let previous_agent_id = session.assigned_agent_id.clone();
                session.transfer_to(target.clone(), self.clock.now())?;
                let announce = Announce::Transferred {
                    target,
                    previous_agent_id,
                    transferred_by: agent.id.clone(),
                };
                Ok(Change::write_within(session, announce, max))
            })
            .await?;
        if let Some(previous) = &previous {
            self.offer_quietly(&agent.tenant_id, previous).await;
        }
        Ok(transferred)
    }

    /// Where a transfer request sends the session: exactly one of an agent (not the acting
    /// one, working in the session's project) or a department name; with the receiving
    /// agent's session limit, which the transfer must respect.
    async fn transfer_target(
        &self,
        agent: &Agent,
        request: &TransferRequest,
        session: &Session,
    ) -> ChatResult<(TransferTarget, Option<u32>)> {
        match (&request.agent_id, &request.department) {
            (Some(agent_id), None) => {
                if agent_id == &agent.id {
                    return Err(ChatError::invalid(
                        "agent_id",
                        "cannot transfer a session to yourself",
                    ));
                }
                let scope = self.session_widget_scope(session);
                let to = self.assignable_agent(agent, agent_id, &scope).await?;
                Ok((
                    TransferTarget::Agent { agent_id: to.id },
                    to.max_concurrent_sessions,
                ))
            }
            (None, Some(department)) => {
                let department = department.trim();
                if department.is_empty() || department.chars().count() > 100 {
                    return Err(ChatError::invalid(
                        "department",
                        "must be 1 to 100 characters",
                    ));
                }
                Ok((
                    TransferTarget::Department {
                        department: department.to_owned(),
                    },
                    None,
                ))
            }
            _ => Err(ChatError::invalid(
                "agent_id",
                "give exactly one of agent_id or department",
            )),
        }
    }

    /// Ends a session (an agent who can see it, or its customer). Ending is final; the
    /// customer's token stops working. Creates a ticket when the widget asks for one.
    pub async fn end_session(&self, actor: &Actor<'_>, id: &SessionId) -> ChatResult<Session> {
        let by = match actor {
            Actor::Agent(_) => EndedBy::Agent,
            Actor::Customer(_) => EndedBy::Customer,
        };
        let ended = self
            .update_session(LoadAs::Actor(actor), id, |mut session| async move {
                session.end(by, self.clock.now())?;
                Ok(Change::Write(session, Announce::Ended(by)))
            })
            .await?;
        self.auto_ticket_on_end(&ended).await;
        if let Some(agent) = &ended.assigned_agent_id {
            self.offer_quietly(&ended.tenant_id, agent).await;
        }
        Ok(ended)
    }

    /// The customer tells who they are after starting (widget `setVisitor`). Only fields not
    /// known yet are filled, unless the identity is verified.
    pub async fn update_customer(
        &self,
        actor: &Actor<'_>,
        id: &SessionId,
        name: Option<String>,
        email: Option<String>,
    ) -> ChatResult<Session> {
        let name = self.clean_name(name)?;
        let email = self.clean_email(email, false)?;
        let (name, email) = (&name, &email);
        self.update_session(LoadAs::Actor(actor), id, |mut session| async move {
            if session.status.is_final() {
                return Err(ChatError::conflict("session has ended"));
            }
            let mut changed = false;
            if let Some(name) = name {
                if session.customer_name.as_ref() != Some(name) {
                    session.customer_name = Some(name.clone());
                    changed = true;
                }
            }
            if let Some(email) = email {
                if session.customer_verified && matches!(actor, Actor::Customer(_)) {
                    return Err(ChatError::forbidden("a verified email cannot be changed"));
                }
                if session.customer_email.as_ref() != Some(email) {
                    session.customer_email = Some(email.clone());
                    changed = true;
                }
            }
            if !changed {
                return Ok(Change::Keep(session));
            }
            session.updated_at = self.clock.now();
            Ok(Change::Write(session, Announce::Updated))
        })
        .await
    }

    /// Stores a system message (joined, transferred, ended) and publishes it.
    pub(crate) async fn append_system(
        &self,
        session: &Session,
        event: SystemEvent,
        text: String,
    ) -> ChatResult<()> {
        let message = NewMessage {
            id: MessageId::generate(),
            tenant_id: session.tenant_id.clone(),
            session_id: session.id.clone(),
            sender_type: SenderType::System,
            sender_agent_id: None,
            kind: MessageKind::System,
            content: text,
            attachment: None,
            system_event: Some(event),
            client_message_id: None,
            created_at: self.clock.now(),
        };
        self.store_and_publish(session, message).await.map(|_| ())
    }

    fn check_self_assign(&self, agent: &Agent, session: &Session) -> ChatResult<()> {
        if session.status.is_final() {
            return Err(ChatError::conflict("session has ended"));
        }
        let taken_by_other = session
            .assigned_agent_id
            .as_ref()
            .is_some_and(|a| a != &agent.id);
        let transferred_to_me = match &session.transfer_target {
            Some(TransferTarget::Agent { agent_id }) => agent_id == &agent.id,
            Some(TransferTarget::Department { department }) => {
                if !agent.departments.contains(department) && !agent.can_manage_assignments() {
                    return Err(ChatError::forbidden(
                        "only the department's agents take a session transferred to it",
                    ));
                }
                true
            }
            None => false,
        };
        if taken_by_other && !transferred_to_me && !agent.can_manage_assignments() {
            return Err(ChatError::conflict(
                "session is already assigned to another agent",
            ));
        }
        Ok(())
    }

    /// The other agent, who must exist in the tenant and work in the session's project.
    async fn assignable_agent(
        &self,
        _by: &Agent,
        id: &AgentId,
        scope: &ProjectScope,
    ) -> ChatResult<Agent> {
        let target = self
            .store
            .get_agent(&scope.tenant_id, id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => ChatError::invalid("agent_id", "unknown agent"),
                other => other.into(),
            })?;
        if !target.works_in(&scope.project_id) {
            return Err(ChatError::invalid(
                "agent_id",
                "agent does not work in this session's project",
            ));
        }
        Ok(target)
    }

    fn session_widget_scope(&self, session: &Session) -> ProjectScope {
        ProjectScope {
            tenant_id: session.tenant_id.clone(),
            project_id: session.project_id.clone(),
        }
    }

    /// Stores a new session; one given to an agent with a session limit only if they hold
    /// fewer open sessions, checked and inserted in one atomic step by the store (as every
    /// change to a stored session is, [`Change::WriteWithinLimit`]).
    async fn insert_within_limit(
        &self,
        session: &Session,
        token_hash: &str,
        assignee: Option<&Agent>,
    ) -> ChatResult<()> {
        let Some((agent, max)) =
            assignee.and_then(|a| a.max_concurrent_sessions.map(|max| (a, max)))
        else {
            return Ok(self.store.insert_session(session, token_hash).await?);
        };
        match self
            .store
            .insert_session_within_limit(session, token_hash, max)
            .await?
        {
            LimitedUpdate::Stored(_) => Ok(()),
            LimitedUpdate::AtLimit => Err(ChatError::SessionLimitReached {
                agent_id: agent.id.clone(),
                max,
            }),
        }
    }

    fn clean_email(&self, email: Option<String>, required: bool) -> ChatResult<Option<String>> {
        let email = email.map(|e| e.trim().to_owned()).filter(|e| !e.is_empty());
        match email {
            None if required => Err(ChatError::invalid("customer_email", "is required")),
            None => Ok(None),
            Some(e) => {
                let valid = e.len() <= MAX_EMAIL_LEN
                    && !e.chars().any(|c| c.is_whitespace() || c.is_control())
                    && e.split_once('@').is_some_and(|(local, domain)| {
                        !local.is_empty()
                            && !domain.is_empty()
                            && !domain.contains('@')
                            && domain.contains('.')
                            && !domain.starts_with('.')
                            && !domain.ends_with('.')
                    });
                if valid {
                    Ok(Some(e))
                } else {
                    Err(ChatError::invalid(
                        "customer_email",
                        "is not a valid email address",
                    ))
                }
            }
        }
    }

    fn clean_name(&self, name: Option<String>) -> ChatResult<Option<String>> {
        let name = name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
        if let Some(n) = &name {
            if n.chars().count() > self.config.max_customer_name_chars {
                return Err(ChatError::invalid(
                    "customer_name",
                    format!(
                        "must be at most {} characters",
                        self.config.max_customer_name_chars
                    ),
                ));
            }
            if n.chars().any(char::is_control) {
                return Err(ChatError::invalid(
                    "customer_name",
                    "must not contain control characters",
                ));
            }
        }
        Ok(name)
    }
}

/// The tenant and project an assignee must belong to.
pub(crate) struct ProjectScope {
    tenant_id: crate::ids::TenantId,
    project_id: crate::ids::ProjectId,
}

impl From<&Widget> for ProjectScope {
    fn from(w: &Widget) -> Self {
        ProjectScope {
            tenant_id: w.tenant_id.clone(),
            project_id: w.project_id.clone(),
        }
    }
}
