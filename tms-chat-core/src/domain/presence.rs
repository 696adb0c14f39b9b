//! Agent presence: whether an agent is `online`, `away` or `offline`, and the rules that move
//! it. Presence is kept in the store (one row per agent), so every node sees the same value.
//!
//! - An agent *chooses* a status (`PUT /v1/chat/me/presence`); the choice is kept.
//! - Their *presence* is the choice while they have a console socket open on some node (the
//!   row counts the open sockets), and for a grace period after the last one closed; when
//!   the grace period has passed with no socket, they are `offline`
//!   ([`PresenceChange::GraceExpired`], fired once by the service's timer).
//! - Opening a socket brings back the choice (`online` unless they chose otherwise).
//! - An agent never seen has no row: `offline`, with the choice `online`.
//!
//! Every change is a pure function ([`AgentPresence::apply`]); the store applies it under the
//! agent's lock.

use crate::ids::{AgentId, TenantId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What an agent is, as routing and colleagues see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// Taking chats: auto-assignment may give them sessions.
    Online,
    /// Connected but not taking new chats automatically.
    Away,
    /// Not connected (or chose to appear offline).
    Offline,
}

impl Presence {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Presence::Online => "online",
            Presence::Away => "away",
            Presence::Offline => "offline",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "online" => Some(Presence::Online),
            "away" => Some(Presence::Away),
            "offline" => Some(Presence::Offline),
            _ => None,
        }
    }
}

/// One agent's stored presence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentPresence {
    /// The agent's tenant.
    pub tenant_id: TenantId,
    /// The agent.
    pub agent_id: AgentId,
    /// What the agent chose.
    pub chosen: Presence,
    /// Their presence now, as last announced.
    pub presence: Presence,
    /// Console sockets open on every node.
    pub sockets: u32,
    /// When they turn `offline` if no socket opens before (set while `sockets` is 0).
    pub grace_until: Option<DateTime<Utc>>,
    /// When they were last given a session by auto-assignment (round robin's order).
    pub last_routed_at: Option<DateTime<Utc>>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// A change to an agent's presence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PresenceChange {
    /// The agent chose a status. Without a socket open the choice holds until `grace_until`.
    Choose {
        /// The choice.
        status: Presence,
        /// When the grace period would end if no socket is open.
        grace_until: DateTime<Utc>,
    },
    /// A console socket of the agent opened (on some node).
    SocketOpened,
    /// One closed; with none left the agent stays as they are until `grace_until`.
    SocketClosed {
        /// When the grace period ends.
        grace_until: DateTime<Utc>,
    },
    /// The timer found the grace period over (at `now`).
    GraceExpired,
    /// Auto-assignment gave the agent a session (at `now`); presence is unchanged.
    Routed,
}

impl AgentPresence {
    /// An agent with no stored row: `offline`, choice `online`.
    pub fn unseen(tenant_id: TenantId, agent_id: AgentId, at: DateTime<Utc>) -> Self {
        AgentPresence {
            tenant_id,
            agent_id,
            chosen: Presence::Online,
            presence: Presence::Offline,
            sockets: 0,
            grace_until: None,
            last_routed_at: None,
            updated_at: at,
        }
    }

    /// Applies `change` at `now`.
    pub fn apply(&mut self, change: PresenceChange, now: DateTime<Utc>) {
        match change {
            PresenceChange::Choose {
                status,
                grace_until,
            } => {
                self.chosen = status;
                self.presence = status;
                self.grace_until =
                    (self.sockets == 0 && status != Presence::Offline).then_some(grace_until);
            }
            PresenceChange::SocketOpened => {
                self.sockets += 1;
                self.presence = self.chosen;
                self.grace_until = None;
            }
            PresenceChange::SocketClosed { grace_until } => {
                self.sockets = self.sockets.saturating_sub(1);
                if self.sockets == 0 && self.presence != Presence::Offline {
                    self.grace_until = Some(grace_until);
                }
            }
            PresenceChange::Routed => self.last_routed_at = Some(now),
            PresenceChange::GraceExpired => {
                if self.grace_is_over(now) {
                    self.presence = Presence::Offline;
                    self.grace_until = None;
                }
            }
        }
        self.updated_at = now;
    }

    /// Whether the agent has no socket and their grace period ended by `now`.
    pub fn grace_is_over(&self, now: DateTime<Utc>) -> bool {
        self.sockets == 0 && self.grace_until.is_some_and(|g| g <= now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0)
            .single()
            .unwrap_or_default()
    }

    fn unseen() -> AgentPresence {
        AgentPresence::unseen(TenantId::new("t"), AgentId::new("a"), t0())
    }

    #[test]
    fn an_unseen_agent_is_offline_and_a_socket_brings_them_online() {
        let mut p = unseen();
        assert_eq!(p.presence, Presence::Offline);
        p.apply(PresenceChange::SocketOpened, t0());
        assert_eq!((p.presence, p.sockets), (Presence::Online, 1));
    }

    #[test]
    fn the_choice_survives_reconnecting() {
        let mut p = unseen();
        p.apply(PresenceChange::SocketOpened, t0());
        let grace_until = t0() + Duration::seconds(30);
        p.apply(
            PresenceChange::Choose {
                status: Presence::Away,
                grace_until,
            },
            t0(),
        );
        p.apply(PresenceChange::SocketClosed { grace_until }, t0());
        assert_eq!(p.presence, Presence::Away);
        p.apply(PresenceChange::GraceExpired, grace_until);
        assert_eq!(p.presence, Presence::Offline);
        p.apply(PresenceChange::SocketOpened, grace_until);
        assert_eq!(p.presence, Presence::Away);
    }

    #[test]
    fn the_grace_period_ends_only_with_no_socket_left_and_its_time_passed() {
        let mut p = unseen();
        let grace_until = t0() + Duration::seconds(30);
        p.apply(PresenceChange::SocketOpened, t0());
        p.apply(PresenceChange::SocketOpened, t0());
        p.apply(PresenceChange::SocketClosed { grace_until }, t0());
        assert_eq!(p.grace_until, None, "one socket is still open");
        p.apply(PresenceChange::SocketClosed { grace_until }, t0());
        p.apply(
            PresenceChange::GraceExpired,
            grace_until - Duration::seconds(1),
        );
        assert_eq!(
            p.presence,
            Presence::Online,
            "still within the grace period"
        );
        p.apply(PresenceChange::SocketOpened, grace_until);
        p.apply(
            PresenceChange::GraceExpired,
            grace_until + Duration::seconds(1),
        );
        assert_eq!(p.presence, Presence::Online, "a socket came back in time");
    }

    #[test]
    fn presence_wire_names_round_trip() {
        for p in [Presence::Online, Presence::Away, Presence::Offline] {
            assert_eq!(Presence::parse(p.as_str()), Some(p));
        }
        assert_eq!(Presence::parse("busy"), None);
    }
}
