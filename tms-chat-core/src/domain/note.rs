//! Internal notes: agent-only remarks on a session, never shown to the customer.

use crate::ids::{AgentId, NoteId, SessionId, TenantId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An internal note on a session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Note {
    /// Note id.
    pub id: NoteId,
    /// Owning tenant.
    pub tenant_id: TenantId,
    /// The session the note is about.
    pub session_id: SessionId,
    /// Who wrote it.
    pub author_agent_id: AgentId,
    /// The note text.
    pub content: String,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}
