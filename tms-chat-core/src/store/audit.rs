//! The store's side of the audit log, retention and erasure: the changes written together
//! with their audit entry ([`AuditedWrite`], by `ChatStore::write_audited`, one transaction
//! each), what they answer ([`Written`]), the log's filters and cursor, and what deleting
//! sessions removed ([`Removed`]: the attachment files the caller still has to delete from
//! its blob store).

use crate::domain::{
    AgentPresence, AuditEntry, CannedResponse, Note, PresenceChange, Session, Widget,
};
use crate::error::StoreError;
use crate::ids::{AgentId, AuditEntryId, CannedResponseId, SessionId, TenantId, WidgetId};
use crate::store::{LimitedUpdate, StoreResult};
use chrono::{DateTime, Utc};

/// A change the store writes with its audit entry, in one transaction: both are stored, or
/// (on any error, or [`LimitedUpdate::AtLimit`]) neither.
#[derive(Clone, Debug)]
pub enum AuditedWrite<'a> {
    /// `ChatStore::update_session` (`max_open: None`) or
    /// `ChatStore::update_session_within_limit`.
    Session {
        /// The changed session.
        session: &'a Session,
        /// The assignee's session limit, if any.
        max_open: Option<u32>,
    },
    /// `ChatStore::insert_note`.
    InsertNote(&'a Note),
    /// `ChatStore::insert_widget`.
    InsertWidget(&'a Widget),
    /// `ChatStore::update_widget`.
    UpdateWidget(&'a Widget),
    /// `ChatStore::delete_widget`.
    DeleteWidget(&'a TenantId, &'a WidgetId),
    /// `ChatStore::insert_canned_response`.
    InsertCanned(&'a CannedResponse),
    /// `ChatStore::update_canned_response`.
    UpdateCanned(&'a CannedResponse),
    /// `ChatStore::delete_canned_response`.
    DeleteCanned(&'a TenantId, &'a CannedResponseId),
    /// `ChatStore::change_presence`.
    Presence {
        /// The agent's tenant.
        tenant: &'a TenantId,
        /// The agent.
        agent: &'a AgentId,
        /// The change.
        change: PresenceChange,
        /// When.
        now: DateTime<Utc>,
    },
    /// Deletes every session of the tenant whose customer email is this one (compared
    /// case-insensitively), with its messages, notes, read markers and attachment rows. The
    /// entry is stored as [`Removed::recorded_in`] makes it (with the count).
    EraseCustomer {
        /// The tenant.
        tenant: &'a TenantId,
        /// The customer's email.
        customer_email: &'a str,
    },
    /// Nothing but the entry (an action that changes nothing, such as an export).
    EntryOnly,
}

/// What an [`AuditedWrite`] answers.
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)] // One per write, moved once.
pub enum Written {
    /// For [`AuditedWrite::Session`].
    Session(LimitedUpdate),
    /// For [`AuditedWrite::Presence`]: the presence before and after.
    Presence(AgentPresence, AgentPresence),
    /// For [`AuditedWrite::EraseCustomer`].
    Removed(Removed),
    /// For every other write.
    Done,
}

impl Written {
    /// The session outcome; a store answering another kind is a store bug.
    pub fn into_session(self) -> StoreResult<LimitedUpdate> {
        match self {
            Written::Session(update) => Ok(update),
            other => Err(mismatch(&other)),
        }
    }

    /// The presence outcome (before, after).
    pub fn into_presence(self) -> StoreResult<(AgentPresence, AgentPresence)> {
        match self {
            Written::Presence(before, after) => Ok((before, after)),
            other => Err(mismatch(&other)),
        }
    }

    /// What an erasure removed.
    pub fn into_removed(self) -> StoreResult<Removed> {
        match self {
            Written::Removed(removed) => Ok(removed),
            other => Err(mismatch(&other)),
        }
    }
}

fn mismatch(written: &Written) -> StoreError {
    StoreError::backend(
        "audited write",
        std::io::Error::other(format!("the store answered {written:?} for another write")),
    )
}

/// What deleting sessions removed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Removed {
    /// The sessions deleted.
    pub sessions: Vec<SessionId>,
    /// The storage keys of their attachments: the caller deletes the files.
    pub storage_keys: Vec<String>,
}

impl Removed {
    /// The erasure's entry as stored: `entry` with `erased_sessions` in its details.
    pub fn recorded_in(&self, entry: &AuditEntry) -> AuditEntry {
        let mut entry = entry.clone();
        if let serde_json::Value::Object(details) = &mut entry.details {
            details.insert("erased_sessions".to_owned(), self.sessions.len().into());
        }
        entry
    }
}

/// Filters of the audit log (`GET /v1/chat/audit`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only entries at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Only entries before this time.
    pub to: Option<DateTime<Utc>>,
    /// Only entries by this agent.
    pub actor_id: Option<AgentId>,
    /// Only entries about this session.
    pub session_id: Option<SessionId>,
    /// Continue after this position (a previous page's `next_cursor`).
    pub cursor: Option<AuditCursor>,
    /// Page size, 1..=[`crate::store::MAX_PAGE_SIZE`].
    pub limit: u32,
}

/// A position in the log, ordered by `created_at` descending, then id descending.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditCursor {
    /// The last entry's time.
    pub created_at: DateTime<Utc>,
    /// The last entry's id.
    pub id: AuditEntryId,
}

impl AuditCursor {
    /// Opaque string form: `<micros>.<id>` base64url-encoded (as the sessions list's).
    pub fn encode(&self) -> String {
        use base64::Engine;
        let raw = format!("{}.{}", self.created_at.timestamp_micros(), self.id);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
    }

    /// Parses [`AuditCursor::encode`]'s output; `None` when malformed.
    pub fn decode(s: &str) -> Option<Self> {
        use base64::Engine;
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s.as_bytes())
            .ok()?;
        let raw = String::from_utf8(raw).ok()?;
        let (micros, id) = raw.split_once('.')?;
        if id.is_empty() {
            return None;
        }
        Some(AuditCursor {
            created_at: DateTime::from_timestamp_micros(micros.parse().ok()?)?,
            id: AuditEntryId::new(id),
        })
    }

    /// The cursor that continues after `entry`.
    pub fn after(entry: &AuditEntry) -> Self {
        AuditCursor {
            created_at: entry.created_at,
            id: entry.id.clone(),
        }
    }
}

/// One page of the log.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditPage {
    /// The entries, newest first.
    pub entries: Vec<AuditEntry>,
    /// Where the next page starts, if there is one.
    pub next_cursor: Option<AuditCursor>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_survives_its_string_form_and_garbage_is_refused() {
        let cursor = AuditCursor {
            created_at: DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap(),
            id: AuditEntryId::new("aud_1.x"),
        };
        assert_eq!(AuditCursor::decode(&cursor.encode()), Some(cursor));
        assert_eq!(AuditCursor::decode("not base64!"), None);
        assert_eq!(AuditCursor::decode(""), None);
    }
}
