//! Ticket hand-off: an agent converts a chat into a ticket of the host TMS, or a widget with
//! `auto_create_ticket` does it when a session ends. The transcript and notes go along; the
//! ticket id is kept on the session.

use super::session_update::{Announce, Change, LoadAs};
use super::ChatService;
use crate::auth::Actor;
use crate::domain::{Agent, Message, Session};
use crate::error::{ChatError, ChatResult};
use crate::ids::SessionId;
use crate::store::HistoryQuery;
use crate::ticket::{TicketReason, TicketRef, TicketRequest};

impl ChatService {
    /// Creates a ticket from a session (manual conversion). A session that already has a
    /// ticket answers `conflict`.
    pub async fn create_ticket(
        &self,
        agent: &Agent,
        id: &SessionId,
        subject: Option<String>,
    ) -> ChatResult<TicketRef> {
        let session = self.agent_visible_session(agent, id).await?;
        if session.ticket_id.is_some() {
            return Err(ChatError::conflict("this session already has a ticket"));
        }
        self.hand_off(session, TicketReason::Manual, Some(agent), subject)
            .await
    }

    pub(crate) async fn auto_ticket_on_end(&self, session: &Session) {
        if self.tickets.is_none() || session.ticket_id.is_some() {
            return;
        }
        let wants = match self
            .store
            .get_widget(&session.tenant_id, &session.widget_id)
            .await
        {
            Ok(w) => w.auto_create_ticket,
            Err(_) => false,
        };
        if !wants {
            return;
        }
        if let Err(err) = self
            .hand_off(session.clone(), TicketReason::SessionEnded, None, None)
            .await
        {
            tracing::warn!(session_id = %session.id, error = %err, "automatic ticket creation failed");
        }
    }

    async fn hand_off(
        &self,
        session: Session,
        reason: TicketReason,
        agent: Option<&Agent>,
        subject: Option<String>,
    ) -> ChatResult<TicketRef> {
        let sink = self
            .tickets
            .as_ref()
            .ok_or_else(|| ChatError::conflict("no ticket system is connected"))?;
        let transcript = self.full_transcript(&session).await?;
        let notes = self
            .store
            .list_notes(&session.tenant_id, &session.id)
            .await?;
        let ticket = sink
            .create_ticket(TicketRequest {
                session: session.clone(),
                transcript,
                notes,
                reason,
                requested_by: agent.map(|a| a.id.clone()),
                subject: subject.map(|s| s.trim().chars().take(200).collect()),
            })
            .await?;
        let tenant = session.tenant_id.clone();
        let ticket_id = &ticket.id;
        // A manual ticket is the agent's change (audited as theirs); an automatic one the
        // service's own.
        let actor = agent.map(Actor::Agent);
        let load_as = match &actor {
            Some(actor) => LoadAs::Actor(actor),
            None => LoadAs::Service(&tenant),
        };
        self.update_session(load_as, &session.id, |mut current| async move {
            current.ticket_id = Some(ticket_id.clone());
            Ok(Change::Write(current, Announce::Updated))
        })
        .await?;
        Ok(ticket)
    }

    async fn full_transcript(&self, session: &Session) -> ChatResult<Vec<Message>> {
        let mut all = Vec::new();
        let mut after = 0;
        loop {
            let page = self
                .store
                .list_messages(
                    &session.tenant_id,
                    &session.id,
                    HistoryQuery {
                        after_seq: Some(after),
                        before_seq: None,
                        limit: crate::store::MAX_PAGE_SIZE,
                    },
                )
                .await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            let full = page.len() as u32 == crate::store::MAX_PAGE_SIZE;
            all.extend(page);
            if !full {
                break;
            }
        }
        Ok(all)
    }
}
