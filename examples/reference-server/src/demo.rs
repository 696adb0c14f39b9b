//! Start-up data: applies the config file (tenants, projects, agents), or, without one, a demo
//! tenant with two agents and a widget allowed on `localhost` and `127.0.0.1`. Demo tokens are
//! generated once and kept in the data directory so a restart keeps consoles signed in.

use crate::auth::TokenTable;
use crate::config::ServerConfig;
use std::path::Path;
use tms_chat_core::domain::{Agent, Project, Role, Tenant, Widget, WidgetInput};
use tms_chat_core::ids::{AgentId, ProjectId, TenantId};
use tms_chat_core::service::ChatService;
use tms_chat_core::token::random_token;
use tms_chat_core::ChatResult;

/// What the demo set-up printed for the operator.
pub(crate) struct DemoInfo {
    pub agents: Vec<(Agent, String)>,
    pub widget: Widget,
}

/// Applies a config file.
pub(crate) async fn apply_config(
    service: &ChatService,
    config: &ServerConfig,
    auth: &mut TokenTable,
) -> ChatResult<()> {
    let store = service.store();
    for t in &config.tenants {
        let tenant = TenantId::new(&t.id);
        store
            .upsert_tenant(&Tenant {
                id: tenant.clone(),
                name: t.name.clone(),
            })
            .await?;
        store
            .upsert_project(&Project {
                id: Project::default_id_for(&tenant),
                tenant_id: tenant,
                name: "Default".into(),
            })
            .await?;
    }
    for p in &config.projects {
        store
            .upsert_project(&Project {
                id: ProjectId::new(&p.id),
                tenant_id: TenantId::new(&p.tenant),
                name: p.name.clone(),
            })
            .await?;
    }
    for a in &config.agents {
        let agent = Agent {
            id: AgentId::new(&a.id),
            tenant_id: TenantId::new(&a.tenant),
            display_name: a.name.clone(),
            avatar_url: a.avatar_url.clone(),
            roles: if a.roles.is_empty() {
                vec![Role::Agent]
            } else {
                a.roles.iter().filter_map(|r| Role::parse(r)).collect()
            },
            projects: a.projects.iter().map(ProjectId::new).collect(),
            departments: a.departments.clone(),
            skills: a.skills.clone(),
            max_concurrent_sessions: a.max_sessions,
        };
        store.upsert_agent(&agent).await?;
        auth.add(&a.token, agent);
    }
    Ok(())
}

/// Creates (once) and loads the demo tenant, agents and widget.
pub(crate) async fn apply_demo(
    service: &ChatService,
    data_dir: &Path,
    auth: &mut TokenTable,
) -> ChatResult<DemoInfo> {
    let tenant = TenantId::new("demo");
    let store = service.store();
    store
        .upsert_tenant(&Tenant {
            id: tenant.clone(),
            name: "Demo Company".into(),
        })
        .await?;
    store
        .upsert_project(&Project {
            id: Project::default_id_for(&tenant),
            tenant_id: tenant.clone(),
            name: "Default".into(),
        })
        .await?;
    let tokens = demo_tokens(data_dir);
    let alice = Agent::new("agent-1", tenant.clone(), "Alice Admin")
        .with_role(Role::Supervisor)
        .with_role(Role::Admin);
    let bob = Agent::new("agent-2", tenant.clone(), "Bob Agent");
    let mut agents = Vec::new();
    for (agent, token) in [(alice.clone(), tokens.0), (bob, tokens.1)] {
        store.upsert_agent(&agent).await?;
        auth.add(&token, agent.clone());
        agents.push((agent, token));
    }
    let existing = store.list_widgets(&tenant, None).await?;
    let widget = match existing.into_iter().find(|w| w.name == "Demo widget") {
        Some(w) => w,
        None => {
            service
                .create_widget(
                    &alice,
                    WidgetInput {
                        name: Some("Demo widget".into()),
                        domain: Some("localhost".into()),
                        allowed_domains: Some(vec!["127.0.0.1".into()]),
                        welcome_message: Some("Hi! How can we help?".into()),
                        ..Default::default()
                    },
                )
                .await?
        }
    };
    Ok(DemoInfo { agents, widget })
}

/// Reads the demo tokens from the data directory, creating them on first start.
fn demo_tokens(data_dir: &Path) -> (String, String) {
    let path = data_dir.join("demo-tokens.txt");
    if let Ok(text) = std::fs::read_to_string(&path) {
        let mut lines = text.lines().map(str::trim).filter(|l| l.len() >= 16);
        if let (Some(a), Some(b)) = (lines.next(), lines.next()) {
            return (a.to_owned(), b.to_owned());
        }
    }
    let tokens = (random_token(), random_token());
    let _ = std::fs::create_dir_all(data_dir);
    if let Err(e) = std::fs::write(&path, format!("{}\n{}\n", tokens.0, tokens.1)) {
        tracing::warn!(error = %e, "could not save demo tokens; they will change on restart");
    }
    tokens
}
