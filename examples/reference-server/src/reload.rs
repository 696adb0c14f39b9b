//! Reading the config file again on `SIGHUP`, without a restart: tenants, projects and agents
//! are applied as at start (missing rows created, existing ones updated), the token table is
//! replaced whole, and every agent the file no longer lists is revoked at once
//! (`ChatApi::revoke_agent`: their sockets close on every node). An agent whose roles or
//! projects changed keeps their sockets, which use the new ones from their next recheck
//! (`ApiConfig::agent_recheck_interval`); their REST calls at once. A file that does not
//! read or check is logged and changes nothing. The `[routing]` table is read at start only.

use crate::auth::{TokenAuthenticator, TokenTable};
use crate::config::ServerConfig;
use crate::demo;
use std::path::PathBuf;
use std::sync::Arc;
use tms_chat_core::protocol::ChatApi;

/// What reloads need: the file, the API (its service and its revocations) and the table.
pub(crate) struct Reloader {
    pub path: PathBuf,
    pub api: ChatApi,
    pub auth: Arc<TokenAuthenticator>,
}

impl Reloader {
    /// Reloads on every `SIGHUP` until the process ends. The signal handler is installed
    /// before this returns, so a `SIGHUP` sent from then on never ends the process.
    #[cfg(unix)]
    pub(crate) fn spawn(self) -> Result<(), String> {
        use tokio::signal::unix::{signal, SignalKind};
        let mut hangups =
            signal(SignalKind::hangup()).map_err(|e| format!("cannot watch SIGHUP: {e}"))?;
        tokio::spawn(async move {
            while hangups.recv().await.is_some() {
                self.reload().await;
            }
        });
        Ok(())
    }

    /// Reloads are driven by `SIGHUP`, which this platform does not have.
    #[cfg(not(unix))]
    pub(crate) fn spawn(self) -> Result<(), String> {
        Ok(())
    }

    /// One reload; failures are logged, the running configuration stays.
    pub(crate) async fn reload(&self) {
        let config = match ServerConfig::load(&self.path) {
            Ok(config) => config,
            Err(error) => {
                tracing::error!(%error, "SIGHUP: the config file was not applied");
                return;
            }
        };
        let mut table = TokenTable::default();
        if let Err(error) = demo::apply_config(self.api.service(), &config, &mut table).await {
            tracing::error!(%error, "SIGHUP: applying the config file failed; tokens unchanged");
            return;
        }
        let removed = self.auth.replace(table);
        for (tenant, agent) in &removed {
            if let Err(error) = self.api.revoke_agent(tenant, agent).await {
                tracing::error!(%tenant, %agent, %error, "SIGHUP: revoking a removed agent failed; their sockets close at their next recheck");
            }
        }
        tracing::info!(
            agents = config.agents.len(),
            revoked = removed.len(),
            "SIGHUP: config file applied"
        );
    }
}
