//! Tenants and projects: the two levels of ownership every other object hangs from.

use crate::ids::{ProjectId, TenantId};
use serde::{Deserialize, Serialize};

/// A tenant of the host TMS. Tenants never see each other's data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tenant {
    /// The host's tenant id.
    pub id: TenantId,
    /// Display name.
    pub name: String,
}

/// A project inside a tenant; widgets and sessions belong to one, agents work in some.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Project {
    /// The host's project id.
    pub id: ProjectId,
    /// The owning tenant.
    pub tenant_id: TenantId,
    /// Display name.
    pub name: String,
}

impl Project {
    /// The id of the project a tenant's widgets go to when none is named.
    pub fn default_id_for(tenant: &TenantId) -> ProjectId {
        ProjectId::new(format!("{tenant}-default"))
    }
}
