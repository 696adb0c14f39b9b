//! Store conformance, tenants, projects and agents: upserts, reads, per-tenant listing.

use std::sync::Arc;

use crate::domain::{Agent, Project, Role, Tenant};
use crate::ids::{ProjectId, TenantId};
use crate::store::ChatStore;

use super::fixtures::*;

/// `ping` succeeds on a working store.
pub async fn ping_answers(store: Arc<dyn ChatStore>) {
    store.ping().await.expect("ping");
}

/// A tenant can be created, renamed by a second upsert and read back.
pub async fn tenants_are_upserted_and_read_back(store: Arc<dyn ChatStore>) {
    let mut tenant = Tenant {
        id: unique_tenant(),
        name: "Acme".into(),
    };
    store.upsert_tenant(&tenant).await.expect("create");
    assert_eq!(store.get_tenant(&tenant.id).await.expect("get"), tenant);
    tenant.name = "Acme Inc.".into();
    store.upsert_tenant(&tenant).await.expect("rename");
    assert_eq!(store.get_tenant(&tenant.id).await.expect("get"), tenant);
    assert_not_found(store.get_tenant(&unique_tenant()).await, "unknown tenant");
}

/// Projects are listed by id, per tenant; the same project id in two tenants is two projects.
pub async fn projects_are_listed_per_tenant_in_id_order(store: Arc<dyn ChatStore>) {
    let a = unique_tenant();
    let b = unique_tenant();
    let project = |tenant: &TenantId, id: &str, name: &str| Project {
        id: ProjectId::new(id),
        tenant_id: tenant.clone(),
        name: name.into(),
    };
    for p in [
        project(&a, "p-b", "Beta"),
        project(&a, "p-a", "Alpha"),
        project(&b, "p-a", "Other tenant's"),
    ] {
        store.upsert_project(&p).await.expect("upsert project");
    }
    store
        .upsert_project(&project(&a, "p-a", "Alpha renamed"))
        .await
        .expect("rename");
    assert_eq!(
        store.list_projects(&a).await.expect("list a"),
        vec![
            project(&a, "p-a", "Alpha renamed"),
            project(&a, "p-b", "Beta")
        ]
    );
    assert_eq!(
        store.list_projects(&b).await.expect("list b"),
        vec![project(&b, "p-a", "Other tenant's")]
    );
    assert!(store
        .list_projects(&unique_tenant())
        .await
        .expect("list")
        .is_empty());
}

/// Every agent field survives a round trip, a second upsert replaces them, and agents are
/// scoped by tenant.
pub async fn agents_round_trip_every_field_and_stay_in_their_tenant(store: Arc<dyn ChatStore>) {
    let tenant = unique_tenant();
    let other = unique_tenant();
    let mut ada = Agent::new("agent-ada", tenant.clone(), "Ada")
        .with_role(Role::Supervisor)
        .with_projects([ProjectId::new("p1"), ProjectId::new("p2")]);
    ada.avatar_url = Some("https://cdn.example.com/ada.png".into());
    ada.departments = vec!["billing".into(), "sales".into()];
    ada.skills = vec!["de".into(), "en".into()];
    ada.max_concurrent_sessions = Some(3);
    let bob = Agent::new("agent-bob", tenant.clone(), "Bob");
    store.upsert_agent(&bob).await.expect("upsert bob");
    store.upsert_agent(&ada).await.expect("upsert ada");
    assert_eq!(
        store.get_agent(&tenant, &ada.id).await.expect("get ada"),
        ada
    );

    ada.roles = vec![Role::Admin];
    ada.projects.clear();
    ada.max_concurrent_sessions = None;
    ada.avatar_url = None;
    ada.display_name = "Ada L.".into();
    store.upsert_agent(&ada).await.expect("update ada");
    assert_eq!(
        store.get_agent(&tenant, &ada.id).await.expect("get ada"),
        ada
    );
    assert_eq!(
        store.list_agents(&tenant).await.expect("list"),
        vec![ada.clone(), bob]
    );

    // The same agent id in another tenant is another agent.
    let twin = Agent::new("agent-ada", other.clone(), "Other Ada");
    assert_not_found(
        store.get_agent(&other, &ada.id).await,
        "agent of another tenant",
    );
    store.upsert_agent(&twin).await.expect("upsert twin");
    assert_eq!(
        store.get_agent(&other, &ada.id).await.expect("get twin"),
        twin
    );
    assert_eq!(
        store.get_agent(&tenant, &ada.id).await.expect("get ada"),
        ada
    );
    assert_eq!(
        store.list_agents(&other).await.expect("list other"),
        vec![twin]
    );
}
