//! Chat widgets: the embeddable chat a tenant puts on its websites, with its appearance,
//! behaviour, business hours and the domains allowed to embed it. [`WidgetInput`] is the
//! create/update form; [`WidgetInput::apply`] validates every field with a field-level error.

use crate::domain::business_hours::BusinessHours;
use crate::domain::origin::AllowedDomain;
use crate::domain::routing::RoutingSettings;
use crate::error::{ChatError, ChatResult};
use crate::ids::{ProjectId, TenantId, WidgetId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Default largest upload: 10 MB.
pub const DEFAULT_MAX_UPLOAD_BYTES: i64 = 10 * 1024 * 1024;
/// Hard ceiling on the per-widget upload limit: 100 MB.
pub const MAX_UPLOAD_BYTES_CEILING: i64 = 100 * 1024 * 1024;
/// Longest widget name.
pub const MAX_NAME_LEN: usize = 120;
/// Longest welcome/offline message.
pub const MAX_WIDGET_TEXT_LEN: usize = 1000;
/// Most allowed domains per widget.
pub const MAX_ALLOWED_DOMAINS: usize = 50;
/// Longest auto-open delay: one hour.
pub const MAX_AUTO_OPEN_DELAY_MS: u32 = 3_600_000;

/// Where the launcher sits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum WidgetPosition {
    /// Bottom right corner (default).
    #[default]
    BottomRight,
    /// Bottom left corner.
    BottomLeft,
}

impl WidgetPosition {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            WidgetPosition::BottomRight => "bottom-right",
            WidgetPosition::BottomLeft => "bottom-left",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "bottom-right" => Some(WidgetPosition::BottomRight),
            "bottom-left" => Some(WidgetPosition::BottomLeft),
            _ => None,
        }
    }
}

/// The widget's colour scheme for customers: `auto` follows the visitor's system preference
/// (`prefers-color-scheme`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum WidgetTheme {
    /// Light colours.
    Light,
    /// Dark colours.
    Dark,
    /// The visitor's system preference (default).
    #[default]
    Auto,
}

impl WidgetTheme {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            WidgetTheme::Light => "light",
            WidgetTheme::Dark => "dark",
            WidgetTheme::Auto => "auto",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "light" => Some(WidgetTheme::Light),
            "dark" => Some(WidgetTheme::Dark),
            "auto" => Some(WidgetTheme::Auto),
            _ => None,
        }
    }
}

/// A chat widget.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Widget {
    /// Widget id (the embed snippet's `widgetId`).
    pub id: WidgetId,
    /// Owning tenant.
    pub tenant_id: TenantId,
    /// Owning project.
    pub project_id: ProjectId,
    /// Internal name.
    pub name: String,
    /// The domain where the widget is embedded.
    pub domain: String,
    /// Further allowed domains (`*.example.com` allows subdomains).
    pub allowed_domains: Vec<String>,
    /// Greeting shown to customers.
    pub welcome_message: String,
    /// Shown outside business hours.
    pub offline_message: String,
    /// Main accent colour, `#rrggbb`.
    pub primary_color: String,
    /// Text and borders, `#rrggbb`.
    pub secondary_color: String,
    /// Launcher placement.
    pub position: WidgetPosition,
    /// Light, dark or the visitor's preference.
    #[serde(default)]
    pub theme: WidgetTheme,
    /// Agents see what the customer types before it is sent (never stored).
    #[serde(default)]
    pub typing_preview: bool,
    /// Open automatically after this many milliseconds; `None` never.
    pub auto_open_delay: Option<u32>,
    /// Show agent names and photos to customers.
    pub show_agent_avatars: bool,
    /// Customers may upload files.
    pub allow_file_uploads: bool,
    /// Customers must give an email before chatting.
    pub require_email: bool,
    /// Opening hours; `None` is always open.
    pub business_hours: Option<BusinessHours>,
    /// Largest upload in bytes.
    pub max_upload_bytes: i64,
    /// Create a ticket in the host TMS automatically when a session ends.
    pub auto_create_ticket: bool,
    /// Secret for verifying customer identity hashes (HMAC-SHA256 of the email). Never sent
    /// to customers.
    pub identity_secret: String,
    /// How new sessions find an agent.
    #[serde(default)]
    pub routing: RoutingSettings,
    /// A session with no message for this many minutes ends (`ended_by: "system"`);
    /// `None`: never.
    #[serde(default)]
    pub auto_end_after_minutes: Option<u32>,
    /// Ended sessions are deleted (with their messages, notes, read markers and files) this
    /// many days after they ended; `None`: kept.
    #[serde(default)]
    pub retention_days: Option<u32>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl Widget {
    /// Every domain entry (the main domain first), parsed. Entries were validated on save, so
    /// an unparsable one (impossible in practice) is skipped rather than widening access.
    pub fn allowed_domain_rules(&self) -> Vec<AllowedDomain> {
        std::iter::once(&self.domain)
            .chain(self.allowed_domains.iter())
            .filter_map(|d| AllowedDomain::parse(d).ok())
            .collect()
    }

    /// Whether a request with this `Origin` may use the widget.
    pub fn allows_origin(&self, origin: Option<&str>) -> bool {
        crate::domain::origin::origin_allowed(&self.allowed_domain_rules(), origin)
    }

    /// Whether the widget is open at `at` (always, without business hours).
    pub fn is_open_at(&self, at: DateTime<Utc>) -> bool {
        self.business_hours
            .as_ref()
            .is_none_or(|bh| bh.is_open_at(at))
    }
}

/// The create/update form of a widget. On create, `name` and `domain` are required and every
/// other field takes its default; on update, only the fields present change.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(optional_fields = nullable))]
#[serde(deny_unknown_fields)]
pub struct WidgetInput {
    /// Internal name.
    #[serde(default)]
    pub name: Option<String>,
    /// The project; defaults to the tenant's default project.
    #[serde(default)]
    pub project_id: Option<ProjectId>,
    /// The domain where the widget is embedded.
    #[serde(default)]
    pub domain: Option<String>,
    /// Further allowed domains.
    #[serde(default)]
    pub allowed_domains: Option<Vec<String>>,
    /// Greeting.
    #[serde(default)]
    pub welcome_message: Option<String>,
    /// Offline text.
    #[serde(default)]
    pub offline_message: Option<String>,
    /// `#rrggbb`.
    #[serde(default)]
    pub primary_color: Option<String>,
    /// `#rrggbb`.
    #[serde(default)]
    pub secondary_color: Option<String>,
    /// `bottom-right` or `bottom-left`.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<WidgetPosition>"))]
    pub position: Option<String>,
    /// `light`, `dark` or `auto`.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<WidgetTheme>"))]
    pub theme: Option<String>,
    /// Agents see what the customer is typing.
    #[serde(default)]
    pub typing_preview: Option<bool>,
    /// Milliseconds; 0 or null disables auto-open.
    #[serde(default, deserialize_with = "double_option::deserialize")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<u32>"))]
    pub auto_open_delay: Option<Option<u32>>,
    /// Show agent avatars.
    #[serde(default)]
    pub show_agent_avatars: Option<bool>,
    /// Allow uploads.
    #[serde(default)]
    pub allow_file_uploads: Option<bool>,
    /// Require email.
    #[serde(default)]
    pub require_email: Option<bool>,
    /// Business hours; `null` removes them (always open).
    #[serde(default, deserialize_with = "double_option::deserialize")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<BusinessHours>"))]
    pub business_hours: Option<Option<BusinessHours>>,
    /// Largest upload in bytes.
    #[serde(default)]
    pub max_upload_bytes: Option<i64>,
    /// Create a ticket when a session ends.
    #[serde(default)]
    pub auto_create_ticket: Option<bool>,
    /// Routing settings, replaced whole (absent fields take their defaults).
    #[serde(default)]
    pub routing: Option<RoutingSettings>,
    /// Minutes without a message before a session ends; `null` or `0`: never.
    #[serde(default, deserialize_with = "double_option::deserialize")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<u32>"))]
    pub auto_end_after_minutes: Option<Option<u32>>,
    /// Days after its end an ended session is deleted; `null`: kept.
    #[serde(default, deserialize_with = "double_option::deserialize")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<u32>"))]
    pub retention_days: Option<Option<u32>>,
}

mod double_option {
    //! Distinguishes an absent field (no change) from an explicit `null` (clear it).
    use serde::{Deserialize, Deserializer};

    pub(super) fn deserialize<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
    where
        T: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Option::<T>::deserialize(de).map(Some)
    }
}

/// Default welcome message.
pub const DEFAULT_WELCOME: &str = "Hi! How can we help?";
/// Default offline message.
pub const DEFAULT_OFFLINE: &str =
    "We're currently offline. Leave us a message and we'll get back to you.";

/// The settings a new widget starts with, and the upload ceiling: the one place these defaults
/// live. [`WidgetInput::create`] starts from them; the agent API sends them with the widget list
/// so the console's "Create Widget" form shows them instead of a copy of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct WidgetDefaults {
    /// Welcome message.
    pub welcome_message: &'static str,
    /// Offline message.
    pub offline_message: &'static str,
    /// Launcher and header colour.
    pub primary_color: &'static str,
    /// Text colour of the messages.
    pub secondary_color: &'static str,
    /// Launcher corner.
    pub position: WidgetPosition,
    /// Colour scheme (the visitor's preference).
    pub theme: WidgetTheme,
    /// Whether agents see what the customer is typing (off).
    pub typing_preview: bool,
    /// Auto-open delay (never).
    pub auto_open_delay: Option<u32>,
    /// Whether agent avatars show.
    pub show_agent_avatars: bool,
    /// Whether customers may upload files.
    pub allow_file_uploads: bool,
    /// Whether the customer must give an email before chatting.
    pub require_email: bool,
    /// Largest upload.
    pub max_upload_bytes: i64,
    /// The most `max_upload_bytes` may be set to.
    pub max_upload_bytes_ceiling: i64,
    /// Whether an ended chat becomes a ticket.
    pub auto_create_ticket: bool,
}

impl WidgetDefaults {
    /// The defaults of every new widget.
    pub const NEW_WIDGET: WidgetDefaults = WidgetDefaults {
        welcome_message: DEFAULT_WELCOME,
        offline_message: DEFAULT_OFFLINE,
        primary_color: "#3b82f6",
        secondary_color: "#1f2937",
        position: WidgetPosition::BottomRight,
        theme: WidgetTheme::Auto,
        typing_preview: false,
        auto_open_delay: None,
        show_agent_avatars: true,
        allow_file_uploads: true,
        require_email: false,
        max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
        max_upload_bytes_ceiling: MAX_UPLOAD_BYTES_CEILING,
        auto_create_ticket: false,
    };
}

impl WidgetInput {
    /// Builds a new widget from the form; `name` and `domain` are required.
    pub fn create(
        self,
        tenant_id: TenantId,
        default_project: ProjectId,
        now: DateTime<Utc>,
    ) -> ChatResult<Widget> {
        if self.name.is_none() {
            return Err(ChatError::invalid("name", "is required"));
        }
        if self.domain.is_none() {
            return Err(ChatError::invalid("domain", "is required"));
        }
        let defaults = WidgetDefaults::NEW_WIDGET;
        let mut widget = Widget {
            id: WidgetId::generate(),
            tenant_id,
            project_id: self.project_id.clone().unwrap_or(default_project),
            name: String::new(),
            domain: String::new(),
            allowed_domains: Vec::new(),
            welcome_message: defaults.welcome_message.to_owned(),
            offline_message: defaults.offline_message.to_owned(),
            primary_color: defaults.primary_color.to_owned(),
            secondary_color: defaults.secondary_color.to_owned(),
            position: defaults.position,
            theme: defaults.theme,
            typing_preview: defaults.typing_preview,
            auto_open_delay: defaults.auto_open_delay,
            show_agent_avatars: defaults.show_agent_avatars,
            allow_file_uploads: defaults.allow_file_uploads,
            require_email: defaults.require_email,
            business_hours: None,
            max_upload_bytes: defaults.max_upload_bytes,
            auto_create_ticket: defaults.auto_create_ticket,
            identity_secret: crate::token::random_token(),
            routing: RoutingSettings::default(),
            auto_end_after_minutes: None,
            retention_days: None,
            created_at: now,
            updated_at: now,
        };
        self.apply(&mut widget, now)?;
        Ok(widget)
    }

    /// Validates the present fields and writes them into `widget`. Nothing is written when any
    /// field is invalid.
    pub fn apply(self, widget: &mut Widget, now: DateTime<Utc>) -> ChatResult<()> {
        let mut next = widget.clone();
        if let Some(name) = self.name {
            next.name = widget_name(&name)?;
        }
        if let Some(project) = self.project_id {
            next.project_id = project;
        }
        if let Some(domain) = self.domain {
            let domain = domain.trim().to_owned();
            if domain.is_empty() {
                return Err(ChatError::invalid("domain", "must not be empty"));
            }
            AllowedDomain::parse(&domain).map_err(|m| ChatError::invalid("domain", m))?;
            next.domain = domain;
        }
        if let Some(domains) = self.allowed_domains {
            next.allowed_domains = allowed_domains(domains)?;
        }
        if let Some(text) = self.welcome_message {
            next.welcome_message = bounded_text("welcome_message", text)?;
        }
        if let Some(text) = self.offline_message {
            next.offline_message = bounded_text("offline_message", text)?;
        }
        if let Some(color) = self.primary_color {
            next.primary_color = hex_color("primary_color", &color)?;
        }
        if let Some(color) = self.secondary_color {
            next.secondary_color = hex_color("secondary_color", &color)?;
        }
        if let Some(position) = self.position {
            next.position = WidgetPosition::parse(&position).ok_or_else(|| {
                ChatError::invalid("position", "must be bottom-right or bottom-left")
            })?;
        }
        if let Some(theme) = self.theme {
            next.theme = WidgetTheme::parse(&theme)
                .ok_or_else(|| ChatError::invalid("theme", "must be light, dark or auto"))?;
        }
        if let Some(v) = self.typing_preview {
            next.typing_preview = v;
        }
        if let Some(delay) = self.auto_open_delay {
            next.auto_open_delay = auto_open_delay(delay)?;
        }
        let switches = Switches {
            show_agent_avatars: self.show_agent_avatars,
            allow_file_uploads: self.allow_file_uploads,
            require_email: self.require_email,
            business_hours: self.business_hours,
            max_upload_bytes: self.max_upload_bytes,
            auto_create_ticket: self.auto_create_ticket,
        };
        switches.apply(&mut next)?;
        if let Some(routing) = self.routing {
            next.routing = routing.validated()?;
        }
        if let Some(minutes) = self.auto_end_after_minutes {
            next.auto_end_after_minutes = auto_end_after(minutes)?;
        }
        if let Some(days) = self.retention_days {
            next.retention_days = retention(days)?;
        }
        next.updated_at = now;
        *widget = next;
        Ok(())
    }
}

/// The on/off settings, business hours and the upload limit of a [`WidgetInput`].
struct Switches {
    show_agent_avatars: Option<bool>,
    allow_file_uploads: Option<bool>,
    require_email: Option<bool>,
    business_hours: Option<Option<BusinessHours>>,
    max_upload_bytes: Option<i64>,
    auto_create_ticket: Option<bool>,
}

impl Switches {
    fn apply(self, next: &mut Widget) -> ChatResult<()> {
        if let Some(v) = self.show_agent_avatars {
            next.show_agent_avatars = v;
        }
        if let Some(v) = self.allow_file_uploads {
            next.allow_file_uploads = v;
        }
        if let Some(v) = self.require_email {
            next.require_email = v;
        }
        if let Some(hours) = self.business_hours {
            if let Some(bh) = &hours {
                bh.validate().map_err(|e| {
                    ChatError::invalid(format!("business_hours.{}", e.field), e.message)
                })?;
            }
            next.business_hours = hours;
        }
        if let Some(max) = self.max_upload_bytes {
            if !(1..=MAX_UPLOAD_BYTES_CEILING).contains(&max) {
                return Err(ChatError::invalid(
                    "max_upload_bytes",
                    format!("must be between 1 and {MAX_UPLOAD_BYTES_CEILING}"),
                ));
            }
            next.max_upload_bytes = max;
        }
        if let Some(v) = self.auto_create_ticket {
            next.auto_create_ticket = v;
        }
        Ok(())
    }
}

fn widget_name(name: &str) -> ChatResult<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ChatError::invalid("name", "must not be empty"));
    }
    if name.chars().count() > MAX_NAME_LEN {
        return Err(ChatError::invalid(
            "name",
            format!("must be at most {MAX_NAME_LEN} characters"),
        ));
    }
    Ok(name.to_owned())
}

/// Each entry parsed, trimmed and kept once, in order.
fn allowed_domains(domains: Vec<String>) -> ChatResult<Vec<String>> {
    if domains.len() > MAX_ALLOWED_DOMAINS {
        return Err(ChatError::invalid(
            "allowed_domains",
            format!("at most {MAX_ALLOWED_DOMAINS} entries"),
        ));
    }
    let mut cleaned = Vec::with_capacity(domains.len());
    for (i, d) in domains.into_iter().enumerate() {
        let d = d.trim().to_owned();
        AllowedDomain::parse(&d)
            .map_err(|m| ChatError::invalid(format!("allowed_domains[{i}]"), m))?;
        if !cleaned.contains(&d) {
            cleaned.push(d);
        }
    }
    Ok(cleaned)
}

/// Longest idle time before a session ends automatically: a week.
const MAX_AUTO_END_MINUTES: u32 = 7 * 24 * 60;

/// `null` or `0` turns the idle end off.
fn auto_end_after(minutes: Option<u32>) -> ChatResult<Option<u32>> {
    match minutes {
        None | Some(0) => Ok(None),
        Some(m) if m > MAX_AUTO_END_MINUTES => Err(ChatError::invalid(
            "auto_end_after_minutes",
            format!("must be at most {MAX_AUTO_END_MINUTES}"),
        )),
        Some(m) => Ok(Some(m)),
    }
}

/// Longest retention that can be set: ten years. (Keeping for ever is `null`.)
pub const MAX_RETENTION_DAYS: u32 = 3650;

/// `null` keeps ended sessions; otherwise 1..=[`MAX_RETENTION_DAYS`] days.
fn retention(days: Option<u32>) -> ChatResult<Option<u32>> {
    match days {
        None => Ok(None),
        Some(d) if (1..=MAX_RETENTION_DAYS).contains(&d) => Ok(Some(d)),
        Some(_) => Err(ChatError::invalid(
            "retention_days",
            format!("must be null or between 1 and {MAX_RETENTION_DAYS}"),
        )),
    }
}

/// `null` or `0` turns auto-open off.
fn auto_open_delay(delay: Option<u32>) -> ChatResult<Option<u32>> {
    match delay {
        None | Some(0) => Ok(None),
        Some(ms) if ms > MAX_AUTO_OPEN_DELAY_MS => Err(ChatError::invalid(
            "auto_open_delay",
            format!("must be at most {MAX_AUTO_OPEN_DELAY_MS} ms"),
        )),
        Some(ms) => Ok(Some(ms)),
    }
}

fn bounded_text(field: &str, text: String) -> ChatResult<String> {
    if text.chars().count() > MAX_WIDGET_TEXT_LEN {
        return Err(ChatError::invalid(
            field,
            format!("must be at most {MAX_WIDGET_TEXT_LEN} characters"),
        ));
    }
    Ok(text)
}

/// Accepts `#rgb` or `#rrggbb` (any case) and normalises to lowercase `#rrggbb`.
pub fn hex_color(field: &str, value: &str) -> ChatResult<String> {
    let value = value.trim();
    let hex = value
        .strip_prefix('#')
        .filter(|h| (h.len() == 3 || h.len() == 6) && h.chars().all(|c| c.is_ascii_hexdigit()))
        .ok_or_else(|| ChatError::invalid(field, "must be a hex colour like #3b82f6"))?;
    let full: String = if hex.len() == 3 {
        hex.chars().flat_map(|c| [c, c]).collect()
    } else {
        hex.to_owned()
    };
    Ok(format!("#{}", full.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default()
    }

    fn form(name: &str, domain: &str) -> WidgetInput {
        WidgetInput {
            name: Some(name.into()),
            domain: Some(domain.into()),
            ..Default::default()
        }
    }

    fn create(input: WidgetInput) -> ChatResult<Widget> {
        input.create(TenantId::new("t1"), ProjectId::new("p1"), now())
    }

    #[test]
    fn create_requires_name_and_domain() {
        let err = create(WidgetInput::default()).unwrap_err();
        assert_eq!(err.field(), Some("name"));
        let err = create(WidgetInput {
            name: Some("Support".into()),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(err.field(), Some("domain"));
    }

    #[test]
    fn create_applies_defaults_and_goes_to_default_project() {
        let w = create(form("Support", "example.com")).unwrap();
        assert_eq!(w.project_id.as_str(), "p1");
        assert_eq!(w.position, WidgetPosition::BottomRight);
        assert_eq!(w.max_upload_bytes, DEFAULT_MAX_UPLOAD_BYTES);
        assert!(w.business_hours.is_none());
        assert!(w.identity_secret.len() >= 32);
    }

    #[test]
    fn a_new_widget_has_exactly_the_defaults_the_console_is_sent() {
        let w = create(form("Support", "example.com")).unwrap();
        let defaults = WidgetDefaults::NEW_WIDGET;
        assert_eq!(w.welcome_message, defaults.welcome_message);
        assert_eq!(w.offline_message, defaults.offline_message);
        assert_eq!(w.primary_color, defaults.primary_color);
        assert_eq!(w.secondary_color, defaults.secondary_color);
        assert_eq!(w.position, defaults.position);
        assert_eq!(w.theme, defaults.theme);
        assert_eq!(w.theme, WidgetTheme::Auto);
        assert_eq!(w.typing_preview, defaults.typing_preview);
        assert!(!w.typing_preview);
        assert_eq!(w.auto_open_delay, defaults.auto_open_delay);
        assert_eq!(w.show_agent_avatars, defaults.show_agent_avatars);
        assert_eq!(w.allow_file_uploads, defaults.allow_file_uploads);
        assert_eq!(w.require_email, defaults.require_email);
        assert_eq!(w.max_upload_bytes, defaults.max_upload_bytes);
        assert_eq!(w.auto_create_ticket, defaults.auto_create_ticket);
        assert_eq!(defaults.max_upload_bytes_ceiling, MAX_UPLOAD_BYTES_CEILING);
    }

    #[test]
    fn colours_are_validated_and_normalised() {
        assert_eq!(hex_color("c", "#ABC").unwrap(), "#aabbcc");
        assert_eq!(hex_color("c", "#3B82F6").unwrap(), "#3b82f6");
        for bad in ["3b82f6", "#12345", "#ggg", "red", "#1234567", ""] {
            assert_eq!(
                hex_color("primary_color", bad).unwrap_err().field(),
                Some("primary_color")
            );
        }
    }

    #[test]
    fn invalid_field_leaves_widget_unchanged() {
        let mut w = create(form("Support", "example.com")).unwrap();
        let before = w.clone();
        let err = WidgetInput {
            name: Some("Renamed".into()),
            position: Some("top-left".into()),
            ..Default::default()
        }
        .apply(&mut w, now())
        .unwrap_err();
        assert_eq!(err.field(), Some("position"));
        assert_eq!(w, before);
    }

    #[test]
    fn the_theme_is_light_dark_or_auto_and_anything_else_names_the_field() {
        let mut w = create(form("Support", "example.com")).unwrap();
        for (wire, theme) in [
            ("dark", WidgetTheme::Dark),
            ("light", WidgetTheme::Light),
            ("auto", WidgetTheme::Auto),
        ] {
            let input = WidgetInput {
                theme: Some(wire.into()),
                ..Default::default()
            };
            input.apply(&mut w, now()).unwrap();
            assert_eq!(w.theme, theme);
            assert_eq!(theme.as_str(), wire);
        }
        for bad in ["Dark", "night", "", "system"] {
            let err = WidgetInput {
                theme: Some(bad.into()),
                ..Default::default()
            }
            .apply(&mut w, now())
            .unwrap_err();
            assert_eq!(err.field(), Some("theme"), "{bad}");
        }
    }

    #[test]
    fn explicit_null_clears_business_hours_and_absent_keeps_them() {
        let input: WidgetInput = serde_json::from_str(r#"{"business_hours": null}"#).unwrap();
        assert_eq!(input.business_hours, Some(None));
        let input: WidgetInput = serde_json::from_str(r#"{}"#).unwrap();
        assert_eq!(input.business_hours, None);
    }

    #[test]
    fn unknown_fields_are_refused() {
        assert!(serde_json::from_str::<WidgetInput>(r#"{"nmae": "x"}"#).is_err());
    }
}
