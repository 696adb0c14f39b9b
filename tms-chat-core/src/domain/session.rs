//! Chat sessions and their state machine.
//!
//! ```text
//!             assign                 transfer              assign (target takes it)
//!  waiting ──────────▶ active ───────────────▶ transferred ─────────────────────▶ active
//!     │                  │ ▲ reassign             │ transfer again
//!     │ transfer         │ └──────┘               └──────┘
//!     └──────────────────┼────────────────────────▶ transferred
//!   end from any non-final state ─────────────────▶ ended (final)
//! ```
//!
//! Every transition is a method on [`SessionStatus`] returning the next status or a typed
//! [`InvalidTransition`]; [`Session`] applies it and stamps the times.
//!
//! Reply tracking ([`ReplyClock`]): a session remembers since when its customer has waited
//! for an agent's answer (`awaiting_reply_since`: the oldest customer message with no later
//! agent message) and when the customer last wrote. Only stored messages move it (the store
//! applies [`ReplyClock::after`] to each message it appends); system messages do not.
//! An assignment stamps `assigned_at` (and `first_assigned_at` once), which restarts the
//! reassignment timer ([`Session::reply_overdue_at`]).

use crate::domain::SenderType;
use crate::ids::{AgentId, ProjectId, SessionId, TenantId, WidgetId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a session stands, as the usage guide names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    /// No agent yet: the customer waits for one.
    Waiting,
    /// An agent is assigned and the conversation is ongoing.
    Active,
    /// Handed to another agent or team, until that agent takes it.
    Transferred,
    /// Completed by agent or customer; final.
    Ended,
}

/// An action attempted on a session, named in [`InvalidTransition`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionAction {
    /// Assign an agent.
    Assign,
    /// Transfer to another agent or team.
    Transfer,
    /// End the session.
    End,
    /// Post a message.
    Message,
}

/// A transition the state machine does not allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action:?} a session that is {from:?}")]
pub struct InvalidTransition {
    /// The status the session was in.
    pub from: SessionStatus,
    /// What was attempted.
    pub action: SessionAction,
}

impl SessionStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionStatus::Waiting => "waiting",
            SessionStatus::Active => "active",
            SessionStatus::Transferred => "transferred",
            SessionStatus::Ended => "ended",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "waiting" => Some(SessionStatus::Waiting),
            "active" => Some(SessionStatus::Active),
            "transferred" => Some(SessionStatus::Transferred),
            "ended" => Some(SessionStatus::Ended),
            _ => None,
        }
    }

    /// Whether the session is over.
    pub fn is_final(self) -> bool {
        self == SessionStatus::Ended
    }

    /// Assigning an agent (taking, reassigning, or accepting a transfer) makes it active.
    pub fn assign(self) -> Result<SessionStatus, InvalidTransition> {
        match self {
            SessionStatus::Waiting | SessionStatus::Active | SessionStatus::Transferred => {
                Ok(SessionStatus::Active)
            }
            SessionStatus::Ended => Err(self.invalid(SessionAction::Assign)),
        }
    }

    /// Handing the session to another agent or team.
    pub fn transfer(self) -> Result<SessionStatus, InvalidTransition> {
        match self {
            SessionStatus::Waiting | SessionStatus::Active | SessionStatus::Transferred => {
                Ok(SessionStatus::Transferred)
            }
            SessionStatus::Ended => Err(self.invalid(SessionAction::Transfer)),
        }
    }

    /// Ending the session, from any non-final state.
    pub fn end(self) -> Result<SessionStatus, InvalidTransition> {
        match self {
            SessionStatus::Ended => Err(self.invalid(SessionAction::End)),
            _ => Ok(SessionStatus::Ended),
        }
    }

    /// Messages may be posted until the session ends.
    pub fn accepts_messages(self) -> Result<(), InvalidTransition> {
        match self {
            SessionStatus::Ended => Err(self.invalid(SessionAction::Message)),
            _ => Ok(()),
        }
    }

    fn invalid(self, action: SessionAction) -> InvalidTransition {
        InvalidTransition { from: self, action }
    }
}

/// Who a session was transferred to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TransferTarget {
    /// A specific agent, who takes it to make it active again.
    Agent {
        /// The receiving agent.
        agent_id: AgentId,
    },
    /// A department (team); any of its agents may take it.
    Department {
        /// The receiving department.
        department: String,
    },
}

/// Who ended a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum EndedBy {
    /// The customer closed it.
    Customer,
    /// An agent ended it.
    Agent,
    /// The system ended it (e.g. inactivity clean-up).
    System,
}

/// One conversation between a customer and the support team.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Session id.
    pub id: SessionId,
    /// Owning tenant.
    pub tenant_id: TenantId,
    /// Owning project (the widget's).
    pub project_id: ProjectId,
    /// The widget the session belongs to.
    pub widget_id: WidgetId,
    /// Current status.
    pub status: SessionStatus,
    /// The customer's email, when known (required when an agent starts the session).
    pub customer_email: Option<String>,
    /// The customer's name, when known.
    pub customer_name: Option<String>,
    /// The agent responsible, if any.
    pub assigned_agent_id: Option<AgentId>,
    /// Where the session was transferred to, while `transferred`.
    pub transfer_target: Option<TransferTarget>,
    /// Department the session is routed to, if any.
    pub department: Option<String>,
    /// The agent who started the session, for agent-initiated chats.
    pub started_by_agent_id: Option<AgentId>,
    /// Who ended it.
    pub ended_by: Option<EndedBy>,
    /// Highest message sequence number stored so far (0 when none).
    pub last_seq: i64,
    /// Ticket created from this session in the host TMS, if any.
    pub ticket_id: Option<String>,
    /// Whether the customer's identity was verified with the widget secret.
    pub customer_verified: bool,
    /// Optimistic-concurrency version; bumped by every store update.
    pub version: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last state change.
    pub updated_at: DateTime<Utc>,
    /// Last message or state change; sessions list newest activity first.
    pub last_activity_at: DateTime<Utc>,
    /// When it ended.
    pub ended_at: Option<DateTime<Utc>>,
    /// When the oldest customer message without a later agent message was sent; `None` when
    /// every customer message has had an answer. Owned by
    /// [`ChatStore::append_messages`](crate::store::ChatStore::append_messages), like
    /// `last_seq`: a session update never writes it.
    pub awaiting_reply_since: Option<DateTime<Utc>>,
    /// When the customer last sent a message (owned by the append, like
    /// `awaiting_reply_since`).
    pub last_customer_message_at: Option<DateTime<Utc>>,
    /// When the current assignee was given the session (by any assignment, or a transfer to
    /// them).
    pub assigned_at: Option<DateTime<Utc>>,
    /// When the session was first given to an agent: its wait in the queue ended.
    pub first_assigned_at: Option<DateTime<Utc>>,
}

/// The reply-tracking fields of a session, as one append moves them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReplyClock {
    /// See [`Session::awaiting_reply_since`].
    pub awaiting_reply_since: Option<DateTime<Utc>>,
    /// See [`Session::last_customer_message_at`].
    pub last_customer_message_at: Option<DateTime<Utc>>,
}

impl ReplyClock {
    /// The clock after a message from `sender` sent `at`: a customer message starts the
    /// wait unless one is already running; an agent message ends it; a system message
    /// changes nothing.
    pub fn after(self, sender: SenderType, at: DateTime<Utc>) -> ReplyClock {
        match sender {
            SenderType::Customer => ReplyClock {
                awaiting_reply_since: Some(self.awaiting_reply_since.unwrap_or(at)),
                last_customer_message_at: Some(
                    self.last_customer_message_at.map_or(at, |t| t.max(at)),
                ),
            },
            SenderType::Agent => ReplyClock {
                awaiting_reply_since: None,
                ..self
            },
            SenderType::System => self,
        }
    }
}

impl Session {
    /// The session's reply-tracking fields.
    pub fn reply_clock(&self) -> ReplyClock {
        ReplyClock {
            awaiting_reply_since: self.awaiting_reply_since,
            last_customer_message_at: self.last_customer_message_at,
        }
    }

    /// When a session with `reassign_after_seconds` moves to another agent: that long after
    /// its newest customer message, or after its assignment when that came later. `None`
    /// while nobody holds it, once it ended, or when no customer message waits for a reply.
    pub fn reply_overdue_at(&self, reassign_after_seconds: u32) -> Option<DateTime<Utc>> {
        if self.status.is_final() || self.assigned_agent_id.is_none() {
            return None;
        }
        self.awaiting_reply_since?;
        let since = self.last_customer_message_at.max(self.assigned_at)?;
        Some(since + chrono::Duration::seconds(i64::from(reassign_after_seconds)))
    }

    /// Whether the session is unassigned (the console's yellow indicator).
    pub fn is_unassigned(&self) -> bool {
        self.assigned_agent_id.is_none() && !self.status.is_final()
    }

    /// Applies an assignment to `agent` at `at`.
    pub fn assign_to(
        &mut self,
        agent: AgentId,
        at: DateTime<Utc>,
    ) -> Result<(), InvalidTransition> {
        self.status = self.status.assign()?;
        self.assigned_agent_id = Some(agent);
        self.transfer_target = None;
        self.stamp_assignment(at);
        self.touch(at);
        Ok(())
    }

    /// Applies a transfer at `at`. A transfer to an agent makes that agent the assignee.
    pub fn transfer_to(
        &mut self,
        target: TransferTarget,
        at: DateTime<Utc>,
    ) -> Result<(), InvalidTransition> {
        self.status = self.status.transfer()?;
        match &target {
            TransferTarget::Agent { agent_id } => {
                self.assigned_agent_id = Some(agent_id.clone());
                self.stamp_assignment(at);
            }
            TransferTarget::Department { department } => {
                self.assigned_agent_id = None;
                self.department = Some(department.clone());
            }
        }
        self.transfer_target = Some(target);
        self.touch(at);
        Ok(())
    }

    /// Ends the session at `at`.
    pub fn end(&mut self, by: EndedBy, at: DateTime<Utc>) -> Result<(), InvalidTransition> {
        self.status = self.status.end()?;
        self.ended_by = Some(by);
        self.ended_at = Some(at);
        self.transfer_target = None;
        self.touch(at);
        Ok(())
    }

    fn stamp_assignment(&mut self, at: DateTime<Utc>) {
        self.assigned_at = Some(at);
        self.first_assigned_at.get_or_insert(at);
    }

    fn touch(&mut self, at: DateTime<Utc>) {
        self.updated_at = at;
        self.last_activity_at = at;
    }
}

/// Who a read marker belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadMarker {
    /// The session.
    pub session_id: SessionId,
    /// `customer` or `agent:<id>`.
    pub participant: String,
    /// The last sequence number the participant has seen.
    pub last_read_seq: i64,
    /// When it was last moved.
    pub updated_at: DateTime<Utc>,
}

impl ReadMarker {
    /// The participant key of the customer.
    pub const CUSTOMER: &'static str = "customer";

    /// The participant key of an agent.
    pub fn agent_key(agent: &AgentId) -> String {
        format!("agent:{agent}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_non_final_status_can_be_assigned_and_becomes_active() {
        for s in [
            SessionStatus::Waiting,
            SessionStatus::Active,
            SessionStatus::Transferred,
        ] {
            assert_eq!(s.assign(), Ok(SessionStatus::Active));
        }
    }

    #[test]
    fn ended_is_final_for_every_action() {
        let ended = SessionStatus::Ended;
        assert_eq!(ended.assign().unwrap_err().action, SessionAction::Assign);
        assert_eq!(
            ended.transfer().unwrap_err().action,
            SessionAction::Transfer
        );
        assert_eq!(ended.end().unwrap_err().action, SessionAction::End);
        assert!(ended.accepts_messages().is_err());
    }

    #[test]
    fn transfer_leads_to_transferred_and_assign_brings_it_back_to_active() {
        let s = SessionStatus::Active.transfer().unwrap();
        assert_eq!(s, SessionStatus::Transferred);
        assert_eq!(s.assign().unwrap(), SessionStatus::Active);
    }

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(secs, 0).unwrap_or_default()
    }

    #[test]
    fn the_wait_starts_at_the_oldest_unanswered_customer_message_and_an_agent_ends_it() {
        let clock = ReplyClock::default()
            .after(SenderType::Customer, at(10))
            .after(SenderType::System, at(11))
            .after(SenderType::Customer, at(12));
        assert_eq!(clock.awaiting_reply_since, Some(at(10)));
        assert_eq!(clock.last_customer_message_at, Some(at(12)));
        let answered = clock.after(SenderType::Agent, at(13));
        assert_eq!(answered.awaiting_reply_since, None);
        assert_eq!(answered.last_customer_message_at, Some(at(12)));
        let again = answered.after(SenderType::Customer, at(20));
        assert_eq!(again.awaiting_reply_since, Some(at(20)));
    }

    #[test]
    fn status_wire_names_round_trip() {
        for s in [
            SessionStatus::Waiting,
            SessionStatus::Active,
            SessionStatus::Transferred,
            SessionStatus::Ended,
        ] {
            assert_eq!(SessionStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(SessionStatus::parse("open"), None);
    }
}
