//! One-time WebSocket tickets: browsers cannot set an `Authorization` header on a WebSocket,
//! so the console fetches a short-lived ticket over REST and passes it as `?ticket=`. A ticket
//! works once, until it expires. Tickets live in this node's memory (hashed).

use crate::domain::Agent;
use crate::token::{hash_token, random_token};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Outstanding tickets by hash.
#[derive(Default)]
pub(crate) struct TicketRegistry {
    tickets: Mutex<HashMap<String, (Agent, Instant)>>,
}

impl TicketRegistry {
    /// Issues a ticket for `agent`, valid for `ttl`.
    pub(crate) fn issue(&self, agent: Agent, ttl: Duration) -> String {
        let ticket = random_token();
        let now = Instant::now();
        let mut tickets = self.tickets.lock().unwrap_or_else(|e| e.into_inner());
        tickets.retain(|_, (_, expires)| *expires > now);
        tickets.insert(hash_token(&ticket), (agent, now + ttl));
        ticket
    }

    /// Redeems a ticket once.
    pub(crate) fn redeem(&self, ticket: &str) -> Option<Agent> {
        let mut tickets = self.tickets.lock().unwrap_or_else(|e| e.into_inner());
        let (agent, expires) = tickets.remove(&hash_token(ticket))?;
        (expires > Instant::now()).then_some(agent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::TenantId;

    #[test]
    fn ticket_works_once_and_not_after_expiry() {
        let reg = TicketRegistry::default();
        let agent = Agent::new("a1", TenantId::new("t"), "Ann");
        let t = reg.issue(agent.clone(), Duration::from_secs(60));
        assert_eq!(reg.redeem(&t).map(|a| a.id), Some(agent.id.clone()));
        assert!(reg.redeem(&t).is_none());
        let expired = reg.issue(agent, Duration::from_secs(0));
        assert!(reg.redeem(&expired).is_none());
        assert!(reg.redeem("nonsense").is_none());
    }
}
