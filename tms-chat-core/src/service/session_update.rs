//! The one path every change to a stored session takes: load the session (as the actor may
//! see it), apply the change, compare-and-swap by `version`, retry from a fresh load when a
//! concurrent change came first, then announce it (lifecycle event and, where the change has
//! one, a system message in the conversation). Assign, transfer, end, the customer's details
//! and ticket creation all go through [`ChatService::update_session`].

use super::access::not_found_as;
use super::ChatService;
use crate::auth::Actor;
use crate::domain::{AuditEntry, EndedBy, Session, SystemEvent, TransferTarget};
use crate::error::{ChatError, ChatResult, StoreError};
use crate::ids::{AgentId, SessionId, TenantId};
use crate::notify::ChatEvent;
use crate::store::{AuditedWrite, LimitedUpdate, Written};
use std::future::Future;

/// How often a change is retried when another change to the same session came first.
const MAX_UPDATE_ATTEMPTS: usize = 5;

/// Whose view a session is loaded with before a change.
pub(crate) enum LoadAs<'a> {
    /// The acting agent or customer: a session they may not see is `not_found`.
    Actor(&'a Actor<'a>),
    /// The service itself (automatic ticket creation): any session of the tenant.
    Service(&'a TenantId),
}

/// What a change decided for the session it was given.
pub(crate) enum Change {
    /// Nothing to store; this is the answer.
    Keep(Session),
    /// Store this session, then announce it.
    Write(Session, Announce),
    /// Store this session only if its assignee, who may hold at most `max` open sessions,
    /// holds fewer others (the store decides, atomically); then announce it. Otherwise
    /// `session_limit_reached`.
    WriteWithinLimit(Session, Announce, u32),
}

impl Change {
    /// Store `session`, given to an agent whose limit is `max` (`None`: unlimited).
    pub(crate) fn write_within(session: Session, announce: Announce, max: Option<u32>) -> Change {
        match max {
            Some(max) => Change::WriteWithinLimit(session, announce, max),
            None => Change::Write(session, announce),
        }
    }
}

/// What a stored change tells the session's listeners.
pub(crate) enum Announce {
    /// `session_assigned`, then "{name} joined the chat".
    Assigned {
        agent_id: AgentId,
        agent_name: String,
        previous_agent_id: Option<AgentId>,
        assigned_by: AgentId,
    },
    /// `session_transferred`, then "The chat was transferred".
    Transferred {
        target: TransferTarget,
        previous_agent_id: Option<AgentId>,
        transferred_by: AgentId,
    },
    /// The closing system message, then `session_ended`: a customer's socket closes on
    /// `session_ended`, so the message must reach it first.
    Ended(EndedBy),
    /// `session_updated`.
    Updated,
}

impl Announce {
    /// The system message the change leaves in the conversation, if any.
    fn system_message(&self) -> Option<(SystemEvent, String)> {
        match self {
            Announce::Assigned { agent_name, .. } => {
                Some((SystemEvent::Joined, format!("{agent_name} joined the chat")))
            }
            Announce::Transferred { .. } => Some((
                SystemEvent::Transferred,
                "The chat was transferred".to_owned(),
            )),
            Announce::Ended(EndedBy::Customer) => {
                Some((SystemEvent::Ended, "The customer ended the chat".to_owned()))
            }
            Announce::Ended(_) => Some((SystemEvent::Ended, "The chat was ended".to_owned())),
            Announce::Updated => None,
        }
    }

    /// The lifecycle event, about `session` as stored.
    fn event(self, session: Session) -> ChatEvent {
        match self {
            Announce::Assigned {
                agent_id,
                previous_agent_id,
                assigned_by,
                ..
            } => ChatEvent::SessionAssigned {
                session,
                agent_id,
                previous_agent_id,
                assigned_by,
            },
            Announce::Transferred {
                target,
                previous_agent_id,
                transferred_by,
            } => ChatEvent::SessionTransferred {
                session,
                target,
                previous_agent_id,
                transferred_by,
            },
            Announce::Ended(_) => ChatEvent::SessionEnded { session },
            Announce::Updated => ChatEvent::SessionUpdated { session },
        }
    }
}

impl ChatService {
    /// Loads session `id`, lets `change` decide, stores the result with a compare-and-swap
    /// and announces it; a concurrent change makes it start again from a fresh load. Answers
    /// the session as stored after the announcement.
    pub(crate) async fn update_session<F, Fut>(
        &self,
        load_as: LoadAs<'_>,
        id: &SessionId,
        mut change: F,
    ) -> ChatResult<Session>
    where
        F: FnMut(Session) -> Fut,
        Fut: Future<Output = ChatResult<Change>>,
    {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let current = match &load_as {
                LoadAs::Actor(actor) => self.visible_session(actor, id).await?,
                LoadAs::Service(tenant) => self
                    .store
                    .get_session(tenant, id)
                    .await
                    .map_err(not_found_as("session"))?,
            };
            let was_queued = current.is_unassigned();
            let ticket_before = current.ticket_id.clone();
            let (session, announce, limit) = match change(current).await? {
                Change::Keep(session) => return Ok(session),
                Change::Write(session, announce) => (session, announce, None),
                Change::WriteWithinLimit(session, announce, max) => (session, announce, Some(max)),
            };
            let audit =
                self.session_change_entry(&load_as, &announce, ticket_before.as_deref(), &session);
            match self.store_change(&session, limit, audit.as_ref()).await {
                Ok(LimitedUpdate::Stored(stored)) => {
                    let stored = self.announce(stored, announce).await?;
                    if stored.is_unassigned() != was_queued {
                        self.announce_queue_of(&stored).await;
                    }
                    return Ok(stored);
                }
                Ok(LimitedUpdate::AtLimit) => {
                    return Err(ChatError::SessionLimitReached {
                        agent_id: session
                            .assigned_agent_id
                            .unwrap_or_else(|| AgentId::new("")),
                        max: limit.unwrap_or_default(),
                    })
                }
                Err(StoreError::Conflict(_)) if attempts < MAX_UPDATE_ATTEMPTS => continue,
                Err(e) => return Err(not_found_as("session")(e)),
            }
        }
    }

    /// Writes a changed session, within its assignee's limit when there is one, with its
    /// audit entry when it has one.
    async fn store_change(
        &self,
        session: &Session,
        limit: Option<u32>,
        audit: Option<&AuditEntry>,
    ) -> Result<LimitedUpdate, StoreError> {
        if let Some(entry) = audit {
            let write = AuditedWrite::Session {
                session,
                max_open: limit,
            };
            return self
                .store
                .write_audited(write, entry)
                .await
                .and_then(Written::into_session);
        }
        match limit {
            None => self
                .store
                .update_session(session)
                .await
                .map(LimitedUpdate::Stored),
            Some(max) => self.store.update_session_within_limit(session, max).await,
        }
    }

    /// Publishes the lifecycle event and appends the system message of a stored change, in
    /// the order its listeners need; answers the session as it is afterwards.
    async fn announce(&self, stored: Session, announce: Announce) -> ChatResult<Session> {
        let Some((event, text)) = announce.system_message() else {
            self.publish_lifecycle(&stored, announce.event(stored.clone()))
                .await;
            return Ok(stored);
        };
        let event_first = !matches!(announce, Announce::Ended(_));
        let mut announce = Some(announce);
        if event_first {
            if let Some(a) = announce.take() {
                self.publish_lifecycle(&stored, a.event(stored.clone()))
                    .await;
            }
        }
        self.append_system(&stored, event, text).await?;
        let current = self
            .store
            .get_session(&stored.tenant_id, &stored.id)
            .await
            .map_err(not_found_as("session"))?;
        if let Some(a) = announce {
            self.publish_lifecycle(&current, a.event(current.clone()))
                .await;
        }
        Ok(current)
    }
}
