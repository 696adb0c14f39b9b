//! Agent tools: internal notes (agents only), canned responses (tenant-wide; admins manage),
//! typing indicators (ephemeral, never stored; with a customer's draft for the session's
//! agents when the widget's `typing_preview` is on) and read markers (last seen sequence per
//! participant; an agent's own message moves theirs, in the append) with the unread counts
//! they give.

use super::access::not_found_as;
use super::ChatService;
use crate::auth::Actor;
use crate::domain::canned::validate_canned;
use crate::domain::{
    Agent, AuditAction, AuditEntry, CannedResponse, Note, ReadMarker, SenderType, Session,
};
use crate::error::{ChatError, ChatResult};
use crate::ids::{CannedResponseId, NoteId, SessionId};
use crate::notify::{Audience, ChatEvent};
use crate::store::AuditedWrite;
use std::collections::HashMap;

impl ChatService {
    /// Adds an internal note to a session the agent can see. Customers never see notes.
    pub async fn add_note(
        &self,
        agent: &Agent,
        session_id: &SessionId,
        content: &str,
    ) -> ChatResult<Note> {
        let session = self.agent_visible_session(agent, session_id).await?;
        let content = content.trim();
        if content.is_empty() {
            return Err(ChatError::invalid("content", "must not be empty"));
        }
        if content.chars().count() > self.config.max_note_chars {
            return Err(ChatError::invalid(
                "content",
                format!("must be at most {} characters", self.config.max_note_chars),
            ));
        }
        let note = Note {
            id: NoteId::generate(),
            tenant_id: session.tenant_id.clone(),
            session_id: session.id.clone(),
            author_agent_id: agent.id.clone(),
            content: content.to_owned(),
            created_at: self.clock.now(),
        };
        let entry = self
            .audit_entry(agent, AuditAction::NoteAdded, note.id.as_str())
            .for_session(&session.id);
        self.store
            .write_audited(AuditedWrite::InsertNote(&note), &entry)
            .await?;
        self.publish_conversation(
            &session,
            Audience::AgentsOnly,
            ChatEvent::NoteAdded { note: note.clone() },
        )
        .await;
        Ok(note)
    }

    /// A session's notes, for agents.
    pub async fn list_notes(
        &self,
        actor: &Actor<'_>,
        session_id: &SessionId,
    ) -> ChatResult<Vec<Note>> {
        let agent = Self::require_agent(actor)?;
        let session = self.agent_visible_session(agent, session_id).await?;
        Ok(self
            .store
            .list_notes(&session.tenant_id, &session.id)
            .await?)
    }

    /// The tenant's canned responses (every agent).
    pub async fn list_canned_responses(&self, agent: &Agent) -> ChatResult<Vec<CannedResponse>> {
        Ok(self.store.list_canned_responses(&agent.tenant_id).await?)
    }

    /// Creates a canned response (admins).
    pub async fn create_canned_response(
        &self,
        agent: &Agent,
        shortcut: &str,
        text: &str,
    ) -> ChatResult<CannedResponse> {
        Self::require_admin(agent)?;
        let (shortcut, text) = validate_canned(shortcut, text)?;
        let now = self.clock.now();
        let canned = CannedResponse {
            id: CannedResponseId::generate(),
            tenant_id: agent.tenant_id.clone(),
            shortcut,
            text,
            created_at: now,
            updated_at: now,
        };
        let entry = self.canned_entry(agent, AuditAction::CannedResponseCreated, &canned);
        self.store
            .write_audited(AuditedWrite::InsertCanned(&canned), &entry)
            .await
            .map_err(duplicate_shortcut)?;
        Ok(canned)
    }

    /// Updates a canned response (admins).
    pub async fn update_canned_response(
        &self,
        agent: &Agent,
        id: &CannedResponseId,
        shortcut: Option<&str>,
        text: Option<&str>,
    ) -> ChatResult<CannedResponse> {
        Self::require_admin(agent)?;
        let mut canned = self
            .store
            .get_canned_response(&agent.tenant_id, id)
            .await
            .map_err(not_found_as("canned response"))?;
        let (shortcut, text) = validate_canned(
            shortcut.unwrap_or(&canned.shortcut),
            text.unwrap_or(&canned.text),
        )?;
        canned.shortcut = shortcut;
        canned.text = text;
        canned.updated_at = self.clock.now();
        let entry = self.canned_entry(agent, AuditAction::CannedResponseUpdated, &canned);
        self.store
            .write_audited(AuditedWrite::UpdateCanned(&canned), &entry)
            .await
            .map_err(duplicate_shortcut)?;
        Ok(canned)
    }

    /// Deletes a canned response (admins).
    pub async fn delete_canned_response(
        &self,
        agent: &Agent,
        id: &CannedResponseId,
    ) -> ChatResult<()> {
        Self::require_admin(agent)?;
        let entry = self.audit_entry(agent, AuditAction::CannedResponseDeleted, id.as_str());
        self.store
            .write_audited(AuditedWrite::DeleteCanned(&agent.tenant_id, id), &entry)
            .await
            .map_err(not_found_as("canned response"))
            .map(drop)
    }

    /// The audit entry of a change to a quick response (its shortcut; never its text).
    fn canned_entry(
        &self,
        agent: &Agent,
        action: AuditAction,
        canned: &CannedResponse,
    ) -> AuditEntry {
        self.audit_entry(agent, action, canned.id.as_str())
            .with_details(serde_json::json!({ "shortcut": canned.shortcut }))
    }

    /// Publishes a typing indicator (not stored). `preview` is the customer's draft so far:
    /// it goes out (cut to the message length limit, to the session's agents only) when the
    /// sender is the session's customer, is still typing and the widget has `typing_preview`
    /// on; otherwise it is dropped and the indicator goes out without it.
    pub async fn set_typing(
        &self,
        actor: &Actor<'_>,
        session_id: &SessionId,
        is_typing: bool,
        preview: Option<String>,
    ) -> ChatResult<()> {
        let session = self.visible_session(actor, session_id).await?;
        if session.status.is_final() {
            return Err(ChatError::conflict("session has ended"));
        }
        let (sender_type, agent_id) = match actor {
            Actor::Agent(a) => (SenderType::Agent, Some(a.id.clone())),
            Actor::Customer(_) => (SenderType::Customer, None),
        };
        let preview = match preview {
            Some(draft) if is_typing && sender_type == SenderType::Customer => {
                self.typing_preview(&session, draft).await?
            }
            _ => None,
        };
        // A draft is for agents: never published where a customer connection listens.
        let audience = if preview.is_some() {
            Audience::AgentsOnly
        } else {
            Audience::Everyone
        };
        self.publish_conversation(
            &session,
            audience,
            ChatEvent::TypingIndicator {
                session_id: session.id.clone(),
                sender_type,
                agent_id,
                is_typing,
                preview,
            },
        )
        .await;
        Ok(())
    }

    /// The customer's draft as agents may see it: `None` unless the session's widget has
    /// `typing_preview` on; at most the message length limit in characters.
    async fn typing_preview(&self, session: &Session, draft: String) -> ChatResult<Option<String>> {
        let widget = self
            .store
            .get_widget(&session.tenant_id, &session.widget_id)
            .await;
        let allowed = match widget {
            Ok(widget) => widget.typing_preview,
            // A deleted widget's sessions show no previews.
            Err(crate::error::StoreError::NotFound) => false,
            Err(e) => return Err(e.into()),
        };
        if !allowed {
            return Ok(None);
        }
        let max = self.config.max_message_chars;
        Ok(Some(match draft.char_indices().nth(max) {
            Some((cut, _)) => draft[..cut].to_owned(),
            None => draft,
        }))
    }

    /// Moves the actor's read marker to `seq` (never backwards, never past the last message).
    pub async fn mark_read(
        &self,
        actor: &Actor<'_>,
        session_id: &SessionId,
        seq: i64,
    ) -> ChatResult<ReadMarker> {
        let session = self.visible_session(actor, session_id).await?;
        if seq < 0 {
            return Err(ChatError::invalid("seq", "must not be negative"));
        }
        let participant = match actor {
            Actor::Agent(a) => ReadMarker::agent_key(&a.id),
            Actor::Customer(_) => ReadMarker::CUSTOMER.to_owned(),
        };
        let marker = ReadMarker {
            session_id: session.id.clone(),
            participant,
            last_read_seq: seq.min(session.last_seq),
            updated_at: self.clock.now(),
        };
        let stored = self
            .store
            .advance_read_marker(&session.tenant_id, &marker)
            .await?;
        self.publish_conversation(
            &session,
            Audience::Everyone,
            ChatEvent::ReadMarker {
                marker: stored.clone(),
            },
        )
        .await;
        Ok(stored)
    }

    /// How many customer messages of each of `sessions` come after `agent`'s read marker,
    /// in one store query (sessions with none are left out).
    pub async fn unread_counts(
        &self,
        agent: &Agent,
        sessions: &[Session],
    ) -> ChatResult<HashMap<SessionId, u64>> {
        if sessions.is_empty() {
            return Ok(HashMap::new());
        }
        let ids: Vec<SessionId> = sessions.iter().map(|s| s.id.clone()).collect();
        Ok(self
            .store
            .unread_counts(&agent.tenant_id, &agent.id, &ids)
            .await?
            .into_iter()
            .collect())
    }

    /// A session's read markers.
    pub async fn read_markers(
        &self,
        actor: &Actor<'_>,
        session_id: &SessionId,
    ) -> ChatResult<Vec<ReadMarker>> {
        let session = self.visible_session(actor, session_id).await?;
        Ok(self
            .store
            .list_read_markers(&session.tenant_id, &session.id)
            .await?)
    }
}

fn duplicate_shortcut(e: crate::error::StoreError) -> ChatError {
    match e {
        crate::error::StoreError::Conflict(_) => {
            ChatError::conflict("a canned response with this shortcut exists")
        }
        crate::error::StoreError::NotFound => ChatError::NotFound("canned response"),
        other => other.into(),
    }
}
