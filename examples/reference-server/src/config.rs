//! The server's TOML configuration: tenants, projects and agents (each agent with the bearer
//! token it uses for REST). Applied at every start: missing rows are created, existing ones
//! updated.
//!
//! ```toml
//! [[tenants]]
//! id = "acme"
//! name = "Acme Inc."
//!
//! [[projects]]            # optional; every tenant also has "<tenant>-default"
//! id = "acme-web"
//! tenant = "acme"
//! name = "Web shop"
//!
//! [[agents]]
//! id = "agent-123"
//! tenant = "acme"
//! name = "Alice Smith"
//! token = "a-long-random-secret"
//! roles = ["agent", "admin"]   # agent | supervisor | admin
//! projects = ["acme-web"]      # optional; empty = every project of the tenant
//! max_sessions = 5             # optional
//! departments = ["billing"]    # optional: transfers to a department, routing pools
//! skills = ["fr"]              # optional: a widget's required skills
//!
//! [routing]                    # optional
//! presence_grace_seconds = 30  # an agent with no console socket is offline after this
//! ```

use serde::Deserialize;
use std::path::Path;

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ServerConfig {
    /// Tenants.
    #[serde(default)]
    pub tenants: Vec<TenantConfig>,
    /// Projects.
    #[serde(default)]
    pub projects: Vec<ProjectConfig>,
    /// Agents.
    #[serde(default)]
    pub agents: Vec<AgentConfig>,
    /// Routing and presence.
    #[serde(default)]
    pub routing: RoutingConfig,
}

/// `[routing]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RoutingConfig {
    /// Seconds an agent with no console socket open keeps their presence (default 30).
    #[serde(default = "default_presence_grace")]
    pub presence_grace_seconds: u32,
}

impl Default for RoutingConfig {
    fn default() -> Self {
        RoutingConfig {
            presence_grace_seconds: default_presence_grace(),
        }
    }
}

fn default_presence_grace() -> u32 {
    tms_chat_core::service::ServiceConfig::default().presence_grace_seconds
}

/// `[[tenants]]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TenantConfig {
    pub id: String,
    pub name: String,
}

/// `[[projects]]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProjectConfig {
    pub id: String,
    pub tenant: String,
    pub name: String,
}

/// `[[agents]]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AgentConfig {
    pub id: String,
    pub tenant: String,
    pub name: String,
    pub token: String,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub projects: Vec<String>,
    #[serde(default)]
    pub departments: Vec<String>,
    #[serde(default)]
    pub skills: Vec<String>,
    #[serde(default)]
    pub max_sessions: Option<u32>,
    #[serde(default)]
    pub avatar_url: Option<String>,
}

impl ServerConfig {
    /// Reads and checks a config file.
    pub(crate) fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read config {}: {e}", path.display()))?;
        let config: ServerConfig =
            toml::from_str(&text).map_err(|e| format!("invalid config {}: {e}", path.display()))?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> Result<(), String> {
        let tenants: Vec<&str> = self.tenants.iter().map(|t| t.id.as_str()).collect();
        for p in &self.projects {
            if !tenants.contains(&p.tenant.as_str()) {
                return Err(format!(
                    "project {} names unknown tenant {}",
                    p.id, p.tenant
                ));
            }
        }
        let mut tokens = std::collections::HashSet::new();
        for a in &self.agents {
            if !tenants.contains(&a.tenant.as_str()) {
                return Err(format!("agent {} names unknown tenant {}", a.id, a.tenant));
            }
            if a.token.len() < 16 {
                return Err(format!(
                    "agent {}: token must be at least 16 characters",
                    a.id
                ));
            }
            if !tokens.insert(a.token.as_str()) {
                return Err(format!("agent {}: token is used by another agent", a.id));
            }
            for r in &a.roles {
                if tms_chat_core::domain::Role::parse(r).is_none() {
                    return Err(format!(
                        "agent {}: unknown role {r} (agent, supervisor, admin)",
                        a.id
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_config_parses_and_bad_references_are_refused() {
        let ok: ServerConfig = toml::from_str(
            r#"
            [[tenants]]
            id = "acme"
            name = "Acme"
            [[agents]]
            id = "agent-1"
            tenant = "acme"
            name = "Alice"
            token = "0123456789abcdef0123"
            roles = ["admin"]
            "#,
        )
        .unwrap();
        assert!(ok.check().is_ok());
        let bad: ServerConfig = toml::from_str(
            r#"
            [[agents]]
            id = "agent-1"
            tenant = "nope"
            name = "Alice"
            token = "0123456789abcdef0123"
            "#,
        )
        .unwrap();
        assert!(bad.check().unwrap_err().contains("unknown tenant"));
    }

    #[test]
    fn the_routing_table_sets_the_presence_grace_period_and_defaults_to_30_seconds() {
        let none: ServerConfig = toml::from_str("").unwrap();
        assert_eq!(none.routing.presence_grace_seconds, 30);
        let set: ServerConfig = toml::from_str(
            r#"
            [routing]
            presence_grace_seconds = 5
            [[agents]]
            id = "agent-1"
            tenant = "acme"
            name = "Alice"
            token = "0123456789abcdef0123"
            departments = ["billing"]
            skills = ["fr"]
            "#,
        )
        .unwrap();
        assert_eq!(set.routing.presence_grace_seconds, 5);
        assert_eq!(set.agents[0].skills, vec!["fr".to_owned()]);
    }
}
