//! The audit log's entry: who (an agent or admin of the tenant) did what, when, to which
//! object, with details. Entries are written by the store in the same transaction as the
//! change they record (`ChatStore::write_audited`), so an entry exists exactly when its
//! change does.
//!
//! What an entry never holds: message or note content, and a customer's email or name. An
//! entry about a customer (export, erasure) names them by [`customer_reference`], a hash of
//! the lowercased email, so the log keeps the fact of an erasure without keeping who was
//! erased in clear.

use crate::ids::{AgentId, AuditEntryId, SessionId, TenantId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What was done. On the wire and in the database as the dotted name (`session.assigned`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum AuditAction {
    /// A session was given to an agent (assign, take, or an admin's reassignment).
    #[serde(rename = "session.assigned")]
    SessionAssigned,
    /// A session was transferred to an agent or a department.
    #[serde(rename = "session.transferred")]
    SessionTransferred,
    /// A session was ended by an agent.
    #[serde(rename = "session.ended")]
    SessionEnded,
    /// A session was linked to a ticket of the host.
    #[serde(rename = "session.ticket_created")]
    TicketCreated,
    /// An internal note was added.
    #[serde(rename = "note.added")]
    NoteAdded,
    /// A widget was created.
    #[serde(rename = "widget.created")]
    WidgetCreated,
    /// A widget's settings were changed.
    #[serde(rename = "widget.updated")]
    WidgetUpdated,
    /// A widget was deleted.
    #[serde(rename = "widget.deleted")]
    WidgetDeleted,
    /// A quick (canned) response was created.
    #[serde(rename = "canned_response.created")]
    CannedResponseCreated,
    /// A quick response was changed.
    #[serde(rename = "canned_response.updated")]
    CannedResponseUpdated,
    /// A quick response was deleted.
    #[serde(rename = "canned_response.deleted")]
    CannedResponseDeleted,
    /// An agent chose a presence status.
    #[serde(rename = "presence.changed")]
    PresenceChanged,
    /// A customer's data was exported (the right of access).
    #[serde(rename = "customer.exported")]
    CustomerExported,
    /// A customer's sessions were erased.
    #[serde(rename = "customer.erased")]
    CustomerErased,
}

impl AuditAction {
    /// Every action, for parsing.
    pub const ALL: [AuditAction; 14] = [
        AuditAction::SessionAssigned,
        AuditAction::SessionTransferred,
        AuditAction::SessionEnded,
        AuditAction::TicketCreated,
        AuditAction::NoteAdded,
        AuditAction::WidgetCreated,
        AuditAction::WidgetUpdated,
        AuditAction::WidgetDeleted,
        AuditAction::CannedResponseCreated,
        AuditAction::CannedResponseUpdated,
        AuditAction::CannedResponseDeleted,
        AuditAction::PresenceChanged,
        AuditAction::CustomerExported,
        AuditAction::CustomerErased,
    ];

    /// The dotted name.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::SessionAssigned => "session.assigned",
            AuditAction::SessionTransferred => "session.transferred",
            AuditAction::SessionEnded => "session.ended",
            AuditAction::TicketCreated => "session.ticket_created",
            AuditAction::NoteAdded => "note.added",
            AuditAction::WidgetCreated => "widget.created",
            AuditAction::WidgetUpdated => "widget.updated",
            AuditAction::WidgetDeleted => "widget.deleted",
            AuditAction::CannedResponseCreated => "canned_response.created",
            AuditAction::CannedResponseUpdated => "canned_response.updated",
            AuditAction::CannedResponseDeleted => "canned_response.deleted",
            AuditAction::PresenceChanged => "presence.changed",
            AuditAction::CustomerExported => "customer.exported",
            AuditAction::CustomerErased => "customer.erased",
        }
    }

    /// Parses [`AuditAction::as_str`]'s output.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// One entry of the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct AuditEntry {
    /// Entry id.
    pub id: AuditEntryId,
    /// The tenant it happened in.
    pub tenant_id: TenantId,
    /// The agent or admin who acted.
    pub actor_id: AgentId,
    /// What they did.
    pub action: AuditAction,
    /// What they did it to: a session, widget, quick response or agent id, or a customer's
    /// [`customer_reference`].
    pub target_id: String,
    /// The session concerned, for the log's `session_id` filter.
    pub session_id: Option<SessionId>,
    /// The change's particulars (for example the new assignee), never message or note
    /// content or a customer's email.
    #[cfg_attr(feature = "typescript", ts(type = "Record<string, unknown>"))]
    pub details: serde_json::Value,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl AuditEntry {
    /// A fresh entry by `actor` in `tenant` at `at`, with empty details.
    pub fn new(
        tenant_id: TenantId,
        actor_id: AgentId,
        action: AuditAction,
        target_id: impl Into<String>,
        at: DateTime<Utc>,
    ) -> Self {
        AuditEntry {
            id: AuditEntryId::generate(),
            tenant_id,
            actor_id,
            action,
            target_id: target_id.into(),
            session_id: None,
            details: serde_json::Value::Object(serde_json::Map::new()),
            created_at: at,
        }
    }

    /// The entry about session `id`.
    pub fn for_session(mut self, id: &SessionId) -> Self {
        self.session_id = Some(id.clone());
        self
    }

    /// The entry with these details (an object).
    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }
}

/// How the log names a customer: `customer:` and the SHA-256 (hex) of the trimmed,
/// lowercased email. The same email always gives the same reference, so an auditor holding
/// the email can find its entries; the log alone does not reveal it.
pub fn customer_reference(email: &str) -> String {
    let digest = Sha256::digest(email.trim().to_lowercase().as_bytes());
    format!("customer:{}", hex::encode(digest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_parses_back_from_its_name_and_serialises_as_it() {
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::parse(action.as_str()), Some(action));
            assert_eq!(
                serde_json::to_value(action).unwrap(),
                serde_json::Value::String(action.as_str().to_owned())
            );
        }
        assert_eq!(AuditAction::parse("session.deleted"), None);
    }

    #[test]
    fn customer_reference_ignores_case_and_never_contains_the_email() {
        let reference = customer_reference(" Ada@Example.com ");
        assert_eq!(reference, customer_reference("ada@example.com"));
        assert!(reference.starts_with("customer:"));
        assert!(!reference.contains("ada"));
        assert_ne!(reference, customer_reference("bob@example.com"));
    }
}
