//! What every target shares: one runtime and one API over an in-memory store with a tenant,
//! an admin and a widget allowed on `shop.example.com`, abuse limits off.

use std::sync::{Arc, OnceLock};
use tms_chat_core::domain::{Agent, Role};
use tms_chat_core::ids::TenantId;
use tms_chat_core::protocol::{AbuseLimits, ApiConfig, ChatApi};
use tms_chat_core::service::ChatService;
use tms_chat_core::store::ChatStore;
use tms_chat_core::test_utils::{seed_tenant, seed_widget, MemoryStore, StaticTokens};

/// The shared runtime, API and widget id.
pub struct World {
    pub runtime: tokio::runtime::Runtime,
    pub api: ChatApi,
    pub widget: String,
}

pub fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let (api, widget) = runtime.block_on(async {
            let store: Arc<dyn ChatStore> = Arc::new(MemoryStore::new());
            let tenant = TenantId::new("acme");
            seed_tenant(&*store, &tenant, "Acme").await;
            let admin = Agent::new("admin", tenant, "Ada").with_role(Role::Admin);
            let service = ChatService::builder(store).build();
            let widget = seed_widget(&service, &admin, "W", "shop.example.com").await;
            let auth = StaticTokens::new([("admin-token", admin)]);
            let config = ApiConfig {
                abuse: AbuseLimits::unlimited(),
                ..ApiConfig::default()
            };
            let api = ChatApi::new(service, Arc::new(auth), config);
            (api, widget.id.to_string())
        });
        World {
            runtime,
            api,
            widget,
        }
    })
}
