//! Routing settings of a widget and the rules of who may get a session automatically.
//!
//! - A widget's *routing pool* is the agents of its `department` when it names one, otherwise
//!   every agent working in the widget's project.
//! - An agent is *eligible* for auto-assignment when they are in the pool, hold every
//!   `required_skills` entry, are `online` and are under their session limit.
//! - `round_robin` gives the session to the eligible agent who was routed a session least
//!   recently (never first); `least_busy` to the one holding the fewest open sessions, then
//!   least recently routed. Ties go by agent id, so every node picks the same agent.
//! - `manual` (the default) assigns nothing: agents take sessions themselves.

use crate::domain::Agent;
use crate::error::{ChatError, ChatResult};
use crate::ids::ProjectId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Longest department or skill name.
const MAX_NAME_CHARS: usize = 100;
/// Most required skills a widget may list.
const MAX_REQUIRED_SKILLS: usize = 20;
/// Longest reassignment delay: a day.
const MAX_REASSIGN_SECONDS: u32 = 86_400;

/// How a widget's new sessions find an agent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum RoutingMode {
    /// Sessions wait until an agent takes them.
    #[default]
    Manual,
    /// Each to the eligible agent routed least recently.
    RoundRobin,
    /// Each to the eligible agent holding the fewest open sessions.
    LeastBusy,
}

/// A widget's `routing` settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct RoutingSettings {
    /// The mode.
    #[serde(default)]
    pub mode: RoutingMode,
    /// The department whose agents form the routing pool; `null`: the project's agents.
    #[serde(default)]
    pub department: Option<String>,
    /// Skills an agent must hold to be given the widget's sessions.
    #[serde(default)]
    pub required_skills: Vec<String>,
    /// A session whose newest customer message had no reply from its agent for this long
    /// moves to another eligible agent; `null`: never.
    #[serde(default)]
    pub reassign_after_seconds: Option<u32>,
    /// Refuse new sessions (`409 no_agents_available`) while nobody of the pool is online.
    #[serde(default)]
    pub offline_when_no_agents: bool,
}

impl RoutingSettings {
    /// The settings trimmed and checked; a bad entry is `invalid_input` on `routing.<field>`.
    pub fn validated(mut self) -> ChatResult<Self> {
        if let Some(department) = self.department.take() {
            let department = department.trim().to_owned();
            check_name("routing.department", &department)?;
            self.department = Some(department);
        }
        if self.required_skills.len() > MAX_REQUIRED_SKILLS {
            return Err(ChatError::invalid(
                "routing.required_skills",
                format!("at most {MAX_REQUIRED_SKILLS} skills"),
            ));
        }
        let mut skills: Vec<String> = Vec::new();
        for skill in self.required_skills {
            let skill = skill.trim().to_owned();
            check_name("routing.required_skills", &skill)?;
            if !skills.contains(&skill) {
                skills.push(skill);
            }
        }
        self.required_skills = skills;
        if let Some(s) = self.reassign_after_seconds {
            if !(1..=MAX_REASSIGN_SECONDS).contains(&s) {
                return Err(ChatError::invalid(
                    "routing.reassign_after_seconds",
                    format!("must be between 1 and {MAX_REASSIGN_SECONDS}"),
                ));
            }
        }
        Ok(self)
    }

    /// Whether sessions are assigned automatically.
    pub fn is_automatic(&self) -> bool {
        self.mode != RoutingMode::Manual
    }

    /// Whether `agent` is in the routing pool of a widget of `project`.
    pub fn pool_includes(&self, agent: &Agent, project: &ProjectId) -> bool {
        match &self.department {
            Some(department) => agent.departments.contains(department),
            None => agent.works_in(project),
        }
    }

    /// Whether `agent` holds every required skill.
    pub fn skills_match(&self, agent: &Agent) -> bool {
        self.required_skills
            .iter()
            .all(|s| agent.skills.contains(s))
    }

    /// Whether `agent` may be given this widget's sessions, whatever their presence and load.
    pub fn may_route_to(&self, agent: &Agent, project: &ProjectId) -> bool {
        self.pool_includes(agent, project) && self.skills_match(agent)
    }
}

/// An eligible agent as the choice sees them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The agent.
    pub agent: Agent,
    /// Their open sessions.
    pub open_sessions: u64,
    /// When they were last routed a session automatically (`None`: never).
    pub last_routed_at: Option<DateTime<Utc>>,
}

/// Orders `candidates` best first for `mode` (see the module docs); `manual` keeps none.
pub fn rank(mode: RoutingMode, mut candidates: Vec<Candidate>) -> Vec<Candidate> {
    match mode {
        RoutingMode::Manual => return Vec::new(),
        RoutingMode::RoundRobin => candidates.sort_by(|a, b| {
            a.last_routed_at
                .cmp(&b.last_routed_at)
                .then_with(|| a.agent.id.cmp(&b.agent.id))
        }),
        RoutingMode::LeastBusy => candidates.sort_by(|a, b| {
            a.open_sessions
                .cmp(&b.open_sessions)
                .then_with(|| a.last_routed_at.cmp(&b.last_routed_at))
                .then_with(|| a.agent.id.cmp(&b.agent.id))
        }),
    }
    candidates
}

fn check_name(field: &str, name: &str) -> ChatResult<()> {
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(ChatError::invalid(
            field,
            format!("must be 1 to {MAX_NAME_CHARS} characters"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::TenantId;
    use chrono::TimeZone;

    fn candidate(id: &str, open: u64, routed: Option<u32>) -> Candidate {
        Candidate {
            agent: Agent::new(id, TenantId::new("t"), id),
            open_sessions: open,
            last_routed_at: routed.map(|s| {
                Utc.timestamp_opt(i64::from(s), 0)
                    .single()
                    .unwrap_or_default()
            }),
        }
    }

    fn ids(ranked: &[Candidate]) -> Vec<&str> {
        ranked.iter().map(|c| c.agent.id.as_str()).collect()
    }

    #[test]
    fn round_robin_prefers_the_agent_routed_least_recently_never_first() {
        let ranked = rank(
            RoutingMode::RoundRobin,
            vec![
                candidate("b", 0, Some(5)),
                candidate("c", 3, None),
                candidate("a", 0, Some(9)),
            ],
        );
        assert_eq!(ids(&ranked), ["c", "b", "a"]);
    }

    #[test]
    fn least_busy_prefers_fewest_open_sessions_then_least_recently_routed() {
        let ranked = rank(
            RoutingMode::LeastBusy,
            vec![
                candidate("a", 2, None),
                candidate("b", 1, Some(9)),
                candidate("c", 1, Some(3)),
            ],
        );
        assert_eq!(ids(&ranked), ["c", "b", "a"]);
    }

    #[test]
    fn manual_routes_to_nobody() {
        assert!(rank(RoutingMode::Manual, vec![candidate("a", 0, None)]).is_empty());
    }

    #[test]
    fn the_pool_is_the_department_when_named_else_the_project() {
        let project = ProjectId::new("p");
        let mut ada = Agent::new("ada", TenantId::new("t"), "Ada");
        ada.skills = vec!["fr".into()];
        let billing = RoutingSettings {
            department: Some("billing".into()),
            required_skills: vec!["fr".into()],
            ..RoutingSettings::default()
        };
        assert!(!billing.may_route_to(&ada, &project));
        ada.departments = vec!["billing".into()];
        assert!(billing.may_route_to(&ada, &project));
        ada.skills.clear();
        assert!(!billing.may_route_to(&ada, &project), "missing a skill");
        assert!(RoutingSettings::default().may_route_to(&ada, &project));
    }

    #[test]
    fn settings_are_trimmed_and_bounded() {
        let ok = RoutingSettings {
            department: Some(" billing ".into()),
            required_skills: vec!["fr".into(), "fr".into()],
            reassign_after_seconds: Some(60),
            ..RoutingSettings::default()
        }
        .validated()
        .unwrap_or_default();
        assert_eq!(ok.department.as_deref(), Some("billing"));
        assert_eq!(ok.required_skills, vec!["fr".to_owned()]);
        let zero = RoutingSettings {
            reassign_after_seconds: Some(0),
            ..RoutingSettings::default()
        };
        assert_eq!(
            zero.validated().unwrap_err().field(),
            Some("routing.reassign_after_seconds")
        );
    }
}
