//! The audit log, retention and the customer's rights (GDPR), through the service: the
//! entries agents' and admins' changes write (with the change, in one store transaction:
//! `ChatStore::write_audited`), the admins' view of the log, a customer's export and
//! erasure, and the retention timer that deletes ended sessions past their widget's
//! `retention_days`, once in the cluster (the store's delete is the claim).
//!
//! Deleted sessions' attachment files are removed from the blob store after the rows'
//! transaction committed; a file that fails to go is logged and left (it is unreachable:
//! its metadata is gone).

use super::session_update::{Announce, LoadAs};
use super::ChatService;
use crate::auth::Actor;
use crate::domain::{Agent, AuditAction, AuditEntry, Message, Session};
use crate::error::{ChatError, ChatResult};
use crate::store::{AuditFilter, AuditPage, AuditedWrite, HistoryQuery, Removed, MAX_PAGE_SIZE};

/// How many expired sessions one pass of the retention timer deletes at most.
const RETENTION_BATCH: u32 = 100;

/// Longest customer email the erasure and export take.
const MAX_EMAIL_CHARS: usize = 320;

/// Everything stored about one customer in a tenant (`GET /v1/chat/customers/export`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CustomerData {
    /// Their sessions, newest first, each with its whole conversation (messages carry
    /// their attachments' metadata).
    pub sessions: Vec<(Session, Vec<Message>)>,
    /// The customer context the widget reported, for the sessions that have one.
    pub contexts: std::collections::HashMap<crate::ids::SessionId, crate::domain::VisitContext>,
}

impl ChatService {
    /// A fresh audit entry by `agent` at the clock's now.
    pub(crate) fn audit_entry(
        &self,
        agent: &Agent,
        action: AuditAction,
        target: &str,
    ) -> AuditEntry {
        AuditEntry::new(
            agent.tenant_id.clone(),
            agent.id.clone(),
            action,
            target,
            self.clock.now(),
        )
    }

    /// The entry a session change records: changes an agent makes (assign, transfer, end,
    /// ticket); none for a customer's or the service's own.
    pub(crate) fn session_change_entry(
        &self,
        load_as: &LoadAs<'_>,
        announce: &Announce,
        ticket_before: Option<&str>,
        session: &Session,
    ) -> Option<AuditEntry> {
        let LoadAs::Actor(Actor::Agent(agent)) = load_as else {
            return None;
        };
        let (action, details) = match announce {
            Announce::Assigned {
                agent_id,
                previous_agent_id,
                ..
            } => (
                AuditAction::SessionAssigned,
                serde_json::json!({ "agent_id": agent_id, "previous_agent_id": previous_agent_id }),
            ),
            Announce::Transferred {
                target,
                previous_agent_id,
                ..
            } => (
                AuditAction::SessionTransferred,
                serde_json::json!({ "target": target, "previous_agent_id": previous_agent_id }),
            ),
            Announce::Ended(_) => (AuditAction::SessionEnded, serde_json::json!({})),
            Announce::Updated if session.ticket_id.as_deref() != ticket_before => (
                AuditAction::TicketCreated,
                serde_json::json!({ "ticket_id": session.ticket_id }),
            ),
            Announce::Updated => return None,
        };
        Some(
            self.audit_entry(agent, action, session.id.as_str())
                .for_session(&session.id)
                .with_details(details),
        )
    }

    /// A page of the tenant's audit log (admins), newest first.
    pub async fn audit_log(&self, agent: &Agent, filter: AuditFilter) -> ChatResult<AuditPage> {
        Self::require_admin(agent)?;
        if let (Some(from), Some(to)) = (filter.from, filter.to) {
            if from > to {
                return Err(ChatError::invalid("from", "must not be after `to`"));
            }
        }
        Ok(self.store.list_audit(&agent.tenant_id, &filter).await?)
    }

    /// Everything stored about the customer with this email in the admin's tenant (admins);
    /// audited as `customer.exported`.
    pub async fn export_customer(&self, agent: &Agent, email: &str) -> ChatResult<CustomerData> {
        Self::require_admin(agent)?;
        let email = customer_email(email)?;
        let sessions = self
            .store
            .customer_sessions(&agent.tenant_id, &email, None, MAX_PAGE_SIZE)
            .await?;
        let mut data = CustomerData::default();
        for session in sessions {
            let messages = self.whole_conversation(&session).await?;
            let context = self
                .store
                .get_visit_context(&session.tenant_id, &session.id)
                .await?;
            if let Some(context) = context {
                data.contexts.insert(session.id.clone(), context);
            }
            data.sessions.push((session, messages));
        }
        let entry = self
            .audit_entry(
                agent,
                AuditAction::CustomerExported,
                &crate::domain::customer_reference(&email),
            )
            .with_details(serde_json::json!({ "sessions": data.sessions.len() }));
        self.store
            .write_audited(AuditedWrite::EntryOnly, &entry)
            .await?;
        Ok(data)
    }

    /// Deletes every session of the customer with this email in the admin's tenant, with
    /// everything attached (admins); audited as `customer.erased`. Answers how many.
    pub async fn erase_customer(&self, agent: &Agent, email: &str) -> ChatResult<usize> {
        Self::require_admin(agent)?;
        let email = customer_email(email)?;
        let write = AuditedWrite::EraseCustomer {
            tenant: &agent.tenant_id,
            customer_email: &email,
        };
        // The store adds the count it erased to the entry's details (`erased_sessions`).
        let entry = self.audit_entry(
            agent,
            AuditAction::CustomerErased,
            &crate::domain::customer_reference(&email),
        );
        let removed = self
            .store
            .write_audited(write, &entry)
            .await?
            .into_removed()?;
        self.delete_files(&removed).await;
        Ok(removed.sessions.len())
    }

    /// The retention timer: deletes ended sessions past their widget's `retention_days`
    /// (and their files), in batches, until none is due. Answers how many.
    pub(crate) async fn delete_expired_sessions(&self) -> ChatResult<usize> {
        let mut total = 0;
        loop {
            let removed = self
                .store
                .delete_expired_sessions(self.clock.now(), RETENTION_BATCH)
                .await?;
            total += removed.sessions.len();
            self.delete_files(&removed).await;
            if removed.sessions.len() < RETENTION_BATCH as usize {
                return Ok(total);
            }
        }
    }

    /// Removes deleted sessions' attachment files from the blob store.
    async fn delete_files(&self, removed: &Removed) {
        let Some(blobs) = &self.blobs else {
            return;
        };
        for key in &removed.storage_keys {
            if let Err(err) = blobs.delete(key).await {
                tracing::warn!(storage_key = %key, error = %err, "deleting a removed session's file failed");
            }
        }
    }

    /// Every message of a session, in order.
    async fn whole_conversation(&self, session: &Session) -> ChatResult<Vec<Message>> {
        let mut messages = Vec::new();
        loop {
            let query = HistoryQuery {
                after_seq: messages.last().map(|m: &Message| m.seq),
                before_seq: None,
                limit: MAX_PAGE_SIZE,
            };
            let page = self
                .store
                .list_messages(&session.tenant_id, &session.id, query)
                .await?;
            let full = page.len() == MAX_PAGE_SIZE as usize;
            messages.extend(page);
            if !full {
                return Ok(messages);
            }
        }
    }
}

/// The trimmed email of an erasure or export request: `invalid_input` unless it looks like
/// one (something, `@`, something; no control characters; at most 320 characters).
fn customer_email(email: &str) -> ChatResult<String> {
    let email = email.trim();
    let looks_valid = email
        .split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty())
        && email.chars().count() <= MAX_EMAIL_CHARS
        && !email.chars().any(|c| c.is_control() || c.is_whitespace());
    if looks_valid {
        Ok(email.to_owned())
    } else {
        Err(ChatError::invalid(
            "customer_email",
            "must be an email address",
        ))
    }
}
