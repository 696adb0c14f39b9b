//! Closing a connection whose access was withdrawn, and noticing it:
//!
//! - an [`ChatEvent::AccessRevoked`](crate::notify::ChatEvent::AccessRevoked) naming this
//!   connection's agent (`ChatApi::revoke_agent`, on any node) or its customer's widget (the
//!   widget was deleted) closes it at once;
//! - every `ApiConfig::agent_recheck_interval` an agent connection asks the host again
//!   ([`AgentAuthenticator::recheck`](crate::auth::AgentAuthenticator::recheck)): a refusal
//!   closes it, an agent with new roles or projects is used from then on, and any other
//!   failure (the host's directory is down) keeps it open until the next interval.
//!
//! A closed connection first gets an `error` event with the code `unauthorized`, then the
//! close status [`close_code::REVOKED`] (`docs/protocol.md`).

use super::super::http::close_code;
use super::super::ChatApi;
use super::connection::Connection;
use super::Principal;
use crate::domain::Agent;
use crate::error::{ChatError, ChatResult};
use crate::ids::{AgentId, TenantId};
use crate::notify::{Audience, ChatEvent, Envelope, Revoked, Topic};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use tokio::time::{Instant, Interval, MissedTickBehavior};

/// The host's answer to a recheck, on its way.
type PendingAnswer = Pin<Box<dyn Future<Output = ChatResult<Agent>> + Send>>;

/// An agent connection's periodic recheck: the timer, and the question in flight (kept
/// across wake-ups, so other work never cancels it).
pub(super) struct Recheck {
    ticker: Option<Interval>,
    pending: Option<PendingAnswer>,
}

impl Recheck {
    /// The recheck of a connection: none for customers.
    pub(super) fn of(principal: &Principal, api: &ChatApi) -> Self {
        let every = api.config().agent_recheck_interval;
        let ticker = matches!(principal, Principal::Agent(_)).then(|| {
            let mut ticker = tokio::time::interval_at(Instant::now() + every, every);
            ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
            ticker
        });
        Recheck {
            ticker,
            pending: None,
        }
    }

    /// Waits for the next recheck to be due, asks the host about `agent`, and returns the
    /// answer (boxed, so that the connection loop's `select!` keeps no room for an agent).
    /// Cancel-safe: dropped while the host is asked, it resumes the same question.
    pub(super) async fn answer(
        &mut self,
        api: &ChatApi,
        agent: Option<Arc<Agent>>,
    ) -> ChatResult<Box<Agent>> {
        let (Some(ticker), Some(agent)) = (&mut self.ticker, agent) else {
            return std::future::pending().await;
        };
        if self.pending.is_none() {
            ticker.tick().await;
            let api = api.clone();
            self.pending = Some(Box::pin(
                async move { api.inner.agents.recheck(&agent).await },
            ));
        }
        let answer = match &mut self.pending {
            Some(pending) => pending.await,
            None => return std::future::pending().await,
        };
        self.pending = None;
        answer.map(Box::new)
    }
}

impl ChatApi {
    /// Closes every socket of agent `agent_id` of `tenant` at once, on every node that shares
    /// this API's notifier (each gets an `error` event `unauthorized` and the close status
    /// [`close_code::REVOKED`]). Call it after the host's authenticator stopped accepting
    /// the agent, or the console signs in again; their REST calls are refused from then on by
    /// the authenticator itself. Fails only when the notifier could not publish.
    pub async fn revoke_agent(&self, tenant: &TenantId, agent_id: &AgentId) -> ChatResult<()> {
        let envelope = Envelope::new(
            tenant.clone(),
            None,
            None,
            Audience::AgentsOnly,
            vec![Topic::Agent(tenant.clone(), agent_id.clone())],
            ChatEvent::AccessRevoked {
                revoked: Revoked::Agent(agent_id.clone()),
            },
        );
        self.service().notifier().publish(envelope).await
    }
}

impl Connection {
    /// The signed-in agent of an agent connection.
    pub(super) fn agent(&self) -> Option<&Arc<Agent>> {
        match &self.principal {
            Principal::Agent(agent) => Some(agent),
            Principal::Customer { .. } => None,
        }
    }

    /// The host answered a recheck.
    pub(super) fn on_recheck(&mut self, answer: ChatResult<Box<Agent>>) {
        match answer {
            Ok(agent) => {
                if self.agent().is_some_and(|known| **known != *agent) {
                    self.principal = Principal::Agent(Arc::from(agent));
                    // Sessions were looked up under the old access: read them again.
                    self.known_sessions.forget_all();
                }
            }
            Err(ChatError::Unauthorized | ChatError::Forbidden(_)) => {
                self.close_revoked("the host no longer accepts this agent");
            }
            Err(error) => {
                tracing::warn!(%error, "asking the host about a socket's agent failed; asked again later");
            }
        }
    }

    /// An access revocation reached this connection: it closes when it names its agent (in
    /// its tenant) or its customer's widget.
    pub(super) fn on_revoked(&mut self, tenant: &TenantId, revoked: &Revoked) {
        let reason = match (&self.principal, revoked) {
            (Principal::Agent(agent), Revoked::Agent(id))
                if &agent.tenant_id == tenant && &agent.id == id =>
            {
                "access revoked"
            }
            (Principal::Customer { customer, .. }, Revoked::Widget(id))
                if &customer.tenant_id == tenant && &customer.widget_id == id =>
            {
                "the widget was deleted"
            }
            _ => return,
        };
        self.close_revoked(reason);
    }

    fn close_revoked(&mut self, reason: &'static str) {
        self.push_error(None, "unauthorized", reason, None);
        self.closing = Some((close_code::REVOKED, "revoked"));
    }
}
