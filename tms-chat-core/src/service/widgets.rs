//! Widget management (admins write, every agent of the project reads) and the public widget
//! configuration customers' browsers load (gated by the request's `Origin`).

use super::access::not_found_as;
use super::ChatService;
use crate::domain::{
    Agent, AuditAction, AuditEntry, OfflineBehavior, Project, Widget, WidgetInput, WidgetPosition,
    WidgetTheme,
};
use crate::error::{ChatError, ChatResult};
use crate::ids::WidgetId;
use crate::store::AuditedWrite;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// What a customer's browser learns about a widget: appearance and behaviour, never the
/// identity secret, tenant or project.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct PublicWidgetConfig {
    /// Widget id.
    pub id: WidgetId,
    /// Greeting.
    pub welcome_message: String,
    /// Offline text.
    pub offline_message: String,
    /// Accent colour.
    pub primary_color: String,
    /// Text and border colour.
    pub secondary_color: String,
    /// Launcher placement.
    pub position: WidgetPosition,
    /// Colour scheme: `light`, `dark` or `auto` (the visitor's `prefers-color-scheme`).
    pub theme: WidgetTheme,
    /// Whether the widget sends what the customer types before it is sent (agents see it
    /// live); the widget then says so under its message box.
    pub typing_preview: bool,
    /// Auto-open delay in ms.
    pub auto_open_delay: Option<u32>,
    /// Show agent names and avatars.
    pub show_agent_avatars: bool,
    /// Uploads allowed.
    pub allow_file_uploads: bool,
    /// Largest upload in bytes.
    pub max_upload_bytes: i64,
    /// Accepted upload media types.
    pub allowed_upload_types: Vec<&'static str>,
    /// Email required before chatting.
    pub require_email: bool,
    /// Open right now.
    pub is_open: bool,
    /// When it opens next, when closed.
    pub next_open_at: Option<DateTime<Utc>>,
    /// What to offer when closed.
    pub offline_behavior: OfflineBehavior,
    /// Where `redirect` sends the customer.
    pub offline_redirect_url: Option<String>,
    /// Whether an agent of the widget's routing pool holding its required skills is online
    /// (whatever their load).
    pub agents_online: bool,
    /// Whether starting a session is refused (`no_agents_available`) while `agents_online`
    /// is `false`; the widget then shows its offline behaviour.
    pub offline_when_no_agents: bool,
}

impl ChatService {
    /// Creates a widget (admins). Without a project it goes to the tenant's default project.
    pub async fn create_widget(&self, agent: &Agent, input: WidgetInput) -> ChatResult<Widget> {
        Self::require_admin(agent)?;
        let default_project = Project::default_id_for(&agent.tenant_id);
        let widget = input.create(agent.tenant_id.clone(), default_project, self.clock.now())?;
        self.check_project(agent, &widget).await?;
        let entry = self.widget_entry(agent, AuditAction::WidgetCreated, &widget);
        self.store
            .write_audited(AuditedWrite::InsertWidget(&widget), &entry)
            .await?;
        Ok(widget)
    }

    /// Reads a widget.
    pub async fn get_widget(&self, agent: &Agent, id: &WidgetId) -> ChatResult<Widget> {
        self.visible_widget(agent, id).await
    }

    /// Lists the widgets of the agent's projects.
    pub async fn list_widgets(&self, agent: &Agent) -> ChatResult<Vec<Widget>> {
        Ok(self
            .store
            .list_widgets(&agent.tenant_id, agent.project_scope())
            .await?)
    }

    /// Updates a widget (admins); only the fields present change.
    pub async fn update_widget(
        &self,
        agent: &Agent,
        id: &WidgetId,
        input: WidgetInput,
    ) -> ChatResult<Widget> {
        Self::require_admin(agent)?;
        let mut widget = self.visible_widget(agent, id).await?;
        input.apply(&mut widget, self.clock.now())?;
        self.check_project(agent, &widget).await?;
        let entry = self.widget_entry(agent, AuditAction::WidgetUpdated, &widget);
        self.store
            .write_audited(AuditedWrite::UpdateWidget(&widget), &entry)
            .await
            .map_err(not_found_as("widget"))?;
        Ok(widget)
    }

    /// Deletes a widget (admins). Its sessions and their history stay; its customers' open
    /// sockets close (on every node) and their tokens are refused from then on.
    pub async fn delete_widget(&self, agent: &Agent, id: &WidgetId) -> ChatResult<()> {
        Self::require_admin(agent)?;
        let widget = self.visible_widget(agent, id).await?;
        let entry = self.widget_entry(agent, AuditAction::WidgetDeleted, &widget);
        self.store
            .write_audited(AuditedWrite::DeleteWidget(&agent.tenant_id, id), &entry)
            .await
            .map_err(not_found_as("widget"))?;
        self.publish_widget_deleted(&agent.tenant_id, id).await;
        Ok(())
    }

    /// The audit entry of a change to a widget: its name and, for a change, the settings
    /// as stored afterwards (never the identity secret).
    fn widget_entry(&self, agent: &Agent, action: AuditAction, widget: &Widget) -> AuditEntry {
        let mut details = serde_json::json!({ "name": widget.name });
        if action != AuditAction::WidgetDeleted {
            details["retention_days"] = serde_json::json!(widget.retention_days);
            details["auto_end_after_minutes"] = serde_json::json!(widget.auto_end_after_minutes);
            details["allowed_domains"] = serde_json::json!(widget.allowed_domains);
        }
        self.audit_entry(agent, action, widget.id.as_str())
            .with_details(details)
    }

    /// The public configuration of a widget for a page at `origin`.
    pub async fn public_widget_config(
        &self,
        id: &WidgetId,
        origin: Option<&str>,
    ) -> ChatResult<PublicWidgetConfig> {
        let widget = self.widget_for_origin(id, origin).await?;
        let now = self.clock.now();
        let is_open = widget.is_open_at(now);
        let bh = widget.business_hours.as_ref();
        Ok(PublicWidgetConfig {
            id: widget.id.clone(),
            welcome_message: widget.welcome_message.clone(),
            offline_message: widget.offline_message.clone(),
            primary_color: widget.primary_color.clone(),
            secondary_color: widget.secondary_color.clone(),
            position: widget.position,
            theme: widget.theme,
            typing_preview: widget.typing_preview,
            auto_open_delay: widget.auto_open_delay,
            show_agent_avatars: widget.show_agent_avatars,
            allow_file_uploads: widget.allow_file_uploads,
            max_upload_bytes: widget.max_upload_bytes,
            allowed_upload_types: crate::upload::ALLOWED_TYPES.to_vec(),
            require_email: widget.require_email,
            is_open,
            next_open_at: if is_open {
                None
            } else {
                bh.and_then(|b| b.next_opening_after(now))
            },
            offline_behavior: bh.map(|b| b.offline_behavior).unwrap_or_default(),
            offline_redirect_url: bh.and_then(|b| b.offline_redirect_url.clone()),
            agents_online: self.agents_online(&widget).await?,
            offline_when_no_agents: widget.routing.offline_when_no_agents,
        })
    }

    /// A widget looked up by id alone, refused with `domain_not_allowed` unless `origin` is
    /// one of its allowed domains. An unknown widget is `not_found`.
    pub async fn widget_for_origin(
        &self,
        id: &WidgetId,
        origin: Option<&str>,
    ) -> ChatResult<Widget> {
        let widget = self
            .store
            .find_widget(id)
            .await
            .map_err(not_found_as("widget"))?;
        if !widget.allows_origin(origin) {
            return Err(ChatError::DomainNotAllowed);
        }
        Ok(widget)
    }

    async fn check_project(&self, agent: &Agent, widget: &Widget) -> ChatResult<()> {
        if !agent.works_in(&widget.project_id) {
            return Err(ChatError::invalid(
                "project_id",
                "agent does not work in this project",
            ));
        }
        let default_project = Project::default_id_for(&agent.tenant_id);
        if widget.project_id == default_project {
            // The default project always exists.
            let project = Project {
                id: default_project,
                tenant_id: agent.tenant_id.clone(),
                name: "Default".to_owned(),
            };
            let known = self.store.list_projects(&agent.tenant_id).await?;
            if !known.iter().any(|p| p.id == project.id) {
                self.store.upsert_project(&project).await?;
            }
            return Ok(());
        }
        let known = self.store.list_projects(&agent.tenant_id).await?;
        if known.iter().any(|p| p.id == widget.project_id) {
            Ok(())
        } else {
            Err(ChatError::invalid("project_id", "unknown project"))
        }
    }
}
