//! Abuse limits: how often one client address may start sessions, send the offline contact
//! form and upload files; how many messages and typing indicators one socket may send; how
//! many sockets one address may hold open; and which peers are trusted proxies whose
//! `X-Forwarded-For` / `Forwarded` headers name the client. The settings are
//! [`AbuseLimits`] (in [`super::ApiConfig`]); the running state is `AbuseGuards` (one per
//! [`super::ChatApi`], so per node).
//!
//! Every limit is a GCRA rate from the `governor` crate: a burst of `count` and a refill of
//! `count` per `per`, so a client that stays under `count` per `per` is never refused, and a
//! client that sends `count + 1` at once is refused the last one. A refusal is
//! [`ChatError::RateLimited`] carrying how long to wait (REST: `429` with `Retry-After`; a
//! socket frame: an `error` event, the socket stays open). Limits are checked before any
//! store call, so a flood costs a hash-map look-up per frame, not a database round trip.
//!
//! IPv6 clients are keyed by their /64 prefix (one subscriber usually holds a whole /64);
//! IPv4-mapped IPv6 addresses count as their IPv4 address. A request without a known peer
//! (an in-process caller that set no [`super::ApiRequest::peer_addr`]) is not limited by
//! address.

mod client_ip;
mod rate;
mod sockets;

pub(crate) use client_ip::client_ip;
/// A network (`10.0.0.0/8`, `::1/128`), as [`AbuseLimits::trusted_proxies`] lists them.
pub use ipnet::IpNet;
pub use rate::Rate;
pub(crate) use rate::{FrameKind, SocketRates};
pub(crate) use sockets::SocketSlot;

use crate::error::ChatError;
use rate::KeyedRate;
use sockets::SocketCounter;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

/// The abuse limits of an API. `None` turns a limit off. The defaults are far above what a
/// person does (see `docs/security.md`); [`AbuseLimits::unlimited`] turns every limit off
/// (load tests).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AbuseLimits {
    /// Sessions a client address may start (`POST .../sessions`): 30 per minute.
    pub sessions_per_ip: Option<Rate>,
    /// Offline contact forms a client address may send (`POST .../contact`): 10 per 10 min.
    pub contacts_per_ip: Option<Rate>,
    /// Customer uploads from a client address (`POST .../session/attachments`): 30 per minute.
    pub uploads_per_ip: Option<Rate>,
    /// Messages one customer socket may send: 20 per 10 s. The same rate applies per session
    /// to the customer REST call `POST …/session/messages`.
    pub customer_messages_per_socket: Option<Rate>,
    /// Messages one agent socket may send: 60 per 10 s.
    pub agent_messages_per_socket: Option<Rate>,
    /// Typing indicators one socket (customer or agent) may send: 30 per 10 s; the same per
    /// session to the customer REST call `POST …/session/typing`.
    pub typing_per_socket: Option<Rate>,
    /// Sockets one client address may hold open at once: 200.
    pub max_sockets_per_ip: Option<usize>,
    /// Peers whose `X-Forwarded-For` / `Forwarded` headers are believed (a reverse proxy, a
    /// load balancer). Empty by default: the client address is the socket's peer.
    pub trusted_proxies: Vec<IpNet>,
}

impl Default for AbuseLimits {
    fn default() -> Self {
        let minute = Duration::from_secs(60);
        let ten_seconds = Duration::from_secs(10);
        AbuseLimits {
            sessions_per_ip: Some(Rate::new(30, minute)),
            contacts_per_ip: Some(Rate::new(10, 10 * minute)),
            uploads_per_ip: Some(Rate::new(30, minute)),
            customer_messages_per_socket: Some(Rate::new(20, ten_seconds)),
            agent_messages_per_socket: Some(Rate::new(60, ten_seconds)),
            typing_per_socket: Some(Rate::new(30, ten_seconds)),
            max_sockets_per_ip: Some(200),
            trusted_proxies: Vec::new(),
        }
    }
}

impl AbuseLimits {
    /// No limit at all (trusted proxies: none). For load tests, never for the internet.
    pub fn unlimited() -> Self {
        AbuseLimits {
            sessions_per_ip: None,
            contacts_per_ip: None,
            uploads_per_ip: None,
            customer_messages_per_socket: None,
            agent_messages_per_socket: None,
            typing_per_socket: None,
            max_sockets_per_ip: None,
            trusted_proxies: Vec::new(),
        }
    }
}

/// A public action limited per client address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IpAction {
    StartSession,
    Contact,
    Upload,
}

/// The running limiters of one API.
pub(crate) struct AbuseGuards {
    limits: AbuseLimits,
    sessions: Option<KeyedRate>,
    contacts: Option<KeyedRate>,
    uploads: Option<KeyedRate>,
    /// The customer message and typing rates applied per session to the REST calls.
    session_messages: Option<KeyedRate<String>>,
    session_typing: Option<KeyedRate<String>>,
    sockets: Arc<SocketCounter>,
}

impl AbuseGuards {
    pub(crate) fn new(limits: &AbuseLimits) -> Self {
        AbuseGuards {
            sessions: limits.sessions_per_ip.map(KeyedRate::new),
            contacts: limits.contacts_per_ip.map(KeyedRate::new),
            uploads: limits.uploads_per_ip.map(KeyedRate::new),
            session_messages: limits.customer_messages_per_socket.map(KeyedRate::new),
            session_typing: limits.typing_per_socket.map(KeyedRate::new),
            sockets: Arc::new(SocketCounter::new(limits.max_sockets_per_ip)),
            limits: limits.clone(),
        }
    }

    /// The settings.
    pub(crate) fn limits(&self) -> &AbuseLimits {
        &self.limits
    }

    /// Counts one `action` from `ip`; `RateLimited` when over its rate.
    pub(crate) fn check_ip(&self, action: IpAction, ip: Option<IpAddr>) -> Result<(), ChatError> {
        let limiter = match action {
            IpAction::StartSession => &self.sessions,
            IpAction::Contact => &self.contacts,
            IpAction::Upload => &self.uploads,
        };
        match (limiter, ip) {
            (Some(limiter), Some(ip)) => limiter.check(rate::ip_key(ip)),
            _ => Ok(()),
        }
    }

    /// Counts one customer REST message or typing call on `session`: the REST twin of a
    /// socket's rates, so a flood cannot go round them.
    pub(crate) fn check_session(&self, kind: FrameKind, session: &str) -> Result<(), ChatError> {
        let limiter = match kind {
            FrameKind::Message => &self.session_messages,
            FrameKind::Typing => &self.session_typing,
        };
        match limiter {
            Some(limiter) => limiter.check(session.to_owned()),
            None => Ok(()),
        }
    }

    /// Reserves a socket for `ip` (released when the slot is dropped); `RateLimited` when the
    /// address holds the most sockets allowed.
    pub(crate) fn open_socket(&self, ip: Option<IpAddr>) -> Result<Option<SocketSlot>, ChatError> {
        match ip {
            Some(ip) => SocketCounter::open(&self.sockets, rate::ip_key(ip)).map(Some),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The documented defaults (docs/security.md): a visitor sending 20 messages in 10 s is
    /// never refused; the 21st at once is.
    #[tokio::test(start_paused = true)]
    async fn the_default_customer_rate_is_20_messages_per_10_seconds() {
        let limits = AbuseLimits::default();
        let rates = SocketRates::new(
            limits.customer_messages_per_socket,
            limits.typing_per_socket,
        );
        for _ in 0..20 {
            rates.check(FrameKind::Message).unwrap();
        }
        assert!(matches!(
            rates.check(FrameKind::Message),
            Err(ChatError::RateLimited { .. })
        ));
        tokio::time::advance(Duration::from_millis(500)).await;
        rates.check(FrameKind::Message).unwrap();
        let doc = include_str!("../../../../docs/security.md");
        for row in [
            "| 30 per minute |",
            "| 10 per 10 minutes |",
            "| 20 per 10 s |",
            "| 60 per 10 s |",
            "| 30 per 10 s |",
            "| 200 |",
        ] {
            assert!(doc.contains(row), "docs/security.md lists {row}");
        }
        assert_eq!(limits.max_sockets_per_ip, Some(200));
        assert_eq!(
            limits.agent_messages_per_socket,
            Some(Rate::new(60, Duration::from_secs(10)))
        );
    }
}
