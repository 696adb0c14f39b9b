//! Agents as the host describes them. Agents are owned by the host TMS: tms-chat keeps a copy
//! (synced on sign-in or from configuration) so it can route, assign and show names.

use crate::ids::{AgentId, ProjectId, TenantId};
use serde::{Deserialize, Serialize};

/// What an agent may do beyond answering chats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Sees and answers the sessions of its projects, takes unassigned ones.
    Agent,
    /// Also assigns and transfers sessions to others.
    Supervisor,
    /// Also manages widgets and canned responses.
    Admin,
}

impl Role {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "agent" => Some(Role::Agent),
            "supervisor" => Some(Role::Supervisor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// A support agent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agent {
    /// The host's agent id, e.g. `agent-123`.
    pub id: AgentId,
    /// The agent's tenant.
    pub tenant_id: TenantId,
    /// Name shown to colleagues and customers.
    pub display_name: String,
    /// Avatar shown in the widget when the widget shows agent avatars.
    #[serde(default)]
    pub avatar_url: Option<String>,
    /// Roles; an empty list means plain agent.
    #[serde(default)]
    pub roles: Vec<Role>,
    /// Projects the agent works in; empty means every project of its tenant.
    #[serde(default)]
    pub projects: Vec<ProjectId>,
    /// Departments (teams) the agent belongs to.
    #[serde(default)]
    pub departments: Vec<String>,
    /// Skills for skills-based routing.
    #[serde(default)]
    pub skills: Vec<String>,
    /// How many active sessions the agent may hold at once; `None` is unlimited.
    #[serde(default)]
    pub max_concurrent_sessions: Option<u32>,
}

impl Agent {
    /// A plain agent working in every project of `tenant`.
    pub fn new(
        id: impl Into<AgentId>,
        tenant_id: TenantId,
        display_name: impl Into<String>,
    ) -> Self {
        Agent {
            id: id.into(),
            tenant_id,
            display_name: display_name.into(),
            avatar_url: None,
            roles: vec![Role::Agent],
            projects: Vec::new(),
            departments: Vec::new(),
            skills: Vec::new(),
            max_concurrent_sessions: None,
        }
    }

    /// Adds a role (builder style).
    pub fn with_role(mut self, role: Role) -> Self {
        if !self.roles.contains(&role) {
            self.roles.push(role);
        }
        self
    }

    /// Restricts the agent to these projects (builder style).
    pub fn with_projects(mut self, projects: impl IntoIterator<Item = ProjectId>) -> Self {
        self.projects = projects.into_iter().collect();
        self
    }

    /// Whether the agent holds `role`.
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Supervisors and admins may assign and transfer sessions to others.
    pub fn can_manage_assignments(&self) -> bool {
        self.has_role(Role::Supervisor) || self.has_role(Role::Admin)
    }

    /// Admins manage widgets and canned responses.
    pub fn is_admin(&self) -> bool {
        self.has_role(Role::Admin)
    }

    /// Whether the agent works in `project`.
    pub fn works_in(&self, project: &ProjectId) -> bool {
        self.projects.is_empty() || self.projects.contains(project)
    }

    /// The project scope for queries: `None` for all projects.
    pub fn project_scope(&self) -> Option<&[ProjectId]> {
        if self.projects.is_empty() {
            None
        } else {
            Some(&self.projects)
        }
    }
}
