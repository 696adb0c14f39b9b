//! Row ⇄ domain conversions shared by both databases: the column lists of every table, the
//! decoders from a row (through the small [`Columns`] view, so they are written once for
//! SQLite and PostgreSQL rows alike) and the encodings of values the databases do not have
//! natively (timestamps as microseconds, enums as wire strings, lists and structs as JSON).

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::Row;
use tms_chat_core::domain::{
    Agent, Attachment, CannedResponse, EndedBy, Message, MessageKind, Note, Project, ReadMarker,
    Role, SenderType, Session, SessionStatus, SystemEvent, Tenant, Widget, WidgetPosition,
    WidgetTheme,
};
use tms_chat_core::ids::{
    AgentId, AttachmentId, CannedResponseId, MessageId, NoteId, ProjectId, SessionId, TenantId,
    WidgetId,
};
use tms_chat_core::store::StoreResult;
use tms_chat_core::StoreError;

use crate::error::corrupt;
use crate::sql::Sql;

// --- column lists (macros so they can be `concat!`ed into `&'static str` queries) ---

/// Columns of `widgets`: the key, the fields an update writes (in the order the store binds
/// them), then `created_at`.
macro_rules! widget_columns {
    () => {
        "id, tenant_id, project_id, name, domain, allowed_domains, welcome_message, \
         offline_message, primary_color, secondary_color, position, auto_open_delay, \
         show_agent_avatars, allow_file_uploads, require_email, business_hours, \
         max_upload_bytes, auto_create_ticket, identity_secret, updated_at, routing, \
         auto_end_after_minutes, reassign_after_seconds, retention_days, theme, \
         typing_preview, created_at"
    };
}

/// Columns of `sessions` that make a [`Session`].
macro_rules! session_columns {
    () => {
        "id, tenant_id, project_id, widget_id, status, customer_email, customer_name, \
         assigned_agent_id, transfer_target, department, started_by_agent_id, ended_by, \
         last_seq, ticket_id, customer_verified, version, created_at, updated_at, \
         last_activity_at, ended_at, awaiting_reply_since, last_customer_message_at, \
         assigned_at, first_assigned_at"
    };
}

/// [`session_columns`] qualified by the table alias `s`, for queries that join `sessions s`.
macro_rules! session_columns_of_s {
    () => {
        "s.id, s.tenant_id, s.project_id, s.widget_id, s.status, s.customer_email, \
         s.customer_name, s.assigned_agent_id, s.transfer_target, s.department, \
         s.started_by_agent_id, s.ended_by, s.last_seq, s.ticket_id, s.customer_verified, \
         s.version, s.created_at, s.updated_at, s.last_activity_at, s.ended_at, \
         s.awaiting_reply_since, s.last_customer_message_at, s.assigned_at, s.first_assigned_at"
    };
}

/// Columns of `messages`.
macro_rules! message_columns {
    () => {
        "id, tenant_id, session_id, seq, sender_type, sender_agent_id, kind, content, \
         attachment, system_event, client_message_id, created_at"
    };
}

/// Columns of `agents`.
macro_rules! agent_columns {
    () => {
        "id, tenant_id, display_name, avatar_url, roles, projects, departments, skills, \
         max_concurrent_sessions"
    };
}

/// Columns of `attachments`.
macro_rules! attachment_columns {
    () => {
        "id, tenant_id, session_id, name, size, content_type, storage_key, uploaded_by, \
         created_at"
    };
}

/// Columns of `notes`.
macro_rules! note_columns {
    () => {
        "id, tenant_id, session_id, author_agent_id, content, created_at"
    };
}

/// Columns of `canned_responses`: the key, the fields an update writes (in the order the
/// store binds them), then `created_at`.
macro_rules! canned_columns {
    () => {
        "id, tenant_id, shortcut, text, updated_at, created_at"
    };
}

/// Columns of `read_markers` that make a [`ReadMarker`].
macro_rules! read_marker_columns {
    () => {
        "session_id, participant, last_read_seq, updated_at"
    };
}

pub(crate) use {
    agent_columns, attachment_columns, canned_columns, message_columns, note_columns,
    read_marker_columns, session_columns, session_columns_of_s, widget_columns,
};

// --- reading columns ---

/// Typed access to a row's columns by name, for any database whose driver decodes the
/// handful of types the schema uses.
pub(crate) trait Columns {
    /// A non-null text column.
    fn text(&self, col: &str) -> StoreResult<String>;
    /// A nullable text column.
    fn opt_text(&self, col: &str) -> StoreResult<Option<String>>;
    /// A non-null integer column.
    fn int(&self, col: &str) -> StoreResult<i64>;
    /// A nullable integer column.
    fn opt_int(&self, col: &str) -> StoreResult<Option<i64>>;
    /// A boolean column.
    fn flag(&self, col: &str) -> StoreResult<bool>;
    /// A binary column.
    fn bytes(&self, col: &str) -> StoreResult<Vec<u8>>;

    /// A timestamp stored as microseconds since the epoch.
    fn time(&self, col: &str) -> StoreResult<DateTime<Utc>> {
        from_micros(self.int(col)?, col)
    }

    /// A nullable timestamp.
    fn opt_time(&self, col: &str) -> StoreResult<Option<DateTime<Utc>>> {
        self.opt_int(col)?.map(|v| from_micros(v, col)).transpose()
    }

    /// A JSON-encoded column.
    fn json<T: DeserializeOwned>(&self, col: &str) -> StoreResult<T> {
        from_json(&self.text(col)?, col)
    }

    /// A nullable JSON-encoded column.
    fn opt_json<T: DeserializeOwned>(&self, col: &str) -> StoreResult<Option<T>> {
        self.opt_text(col)?.map(|s| from_json(&s, col)).transpose()
    }
}

impl<R> Columns for R
where
    R: Row,
    R::Database: Sql,
{
    fn text(&self, col: &str) -> StoreResult<String> {
        <R::Database as Sql>::text(self, col).map_err(|e| column_error(col, e))
    }

    fn opt_text(&self, col: &str) -> StoreResult<Option<String>> {
        <R::Database as Sql>::opt_text(self, col).map_err(|e| column_error(col, e))
    }

    fn int(&self, col: &str) -> StoreResult<i64> {
        <R::Database as Sql>::int(self, col).map_err(|e| column_error(col, e))
    }

    fn opt_int(&self, col: &str) -> StoreResult<Option<i64>> {
        <R::Database as Sql>::opt_int(self, col).map_err(|e| column_error(col, e))
    }

    fn flag(&self, col: &str) -> StoreResult<bool> {
        <R::Database as Sql>::flag(self, col).map_err(|e| column_error(col, e))
    }

    fn bytes(&self, col: &str) -> StoreResult<Vec<u8>> {
        <R::Database as Sql>::bytes(self, col).map_err(|e| column_error(col, e))
    }
}

fn column_error(col: &str, err: sqlx::Error) -> StoreError {
    StoreError::backend(format!("decode column {col}"), err)
}

// --- value encodings ---

/// A timestamp as stored: microseconds since the Unix epoch.
pub(crate) fn micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

fn from_micros(value: i64, col: &str) -> StoreResult<DateTime<Utc>> {
    DateTime::from_timestamp_micros(value)
        .ok_or_else(|| corrupt(format!("{col}: timestamp {value} out of range")))
}

/// A list or struct as stored: JSON text.
pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::backend("encode JSON column", e))
}

/// An optional struct as stored: JSON text or NULL.
pub(crate) fn opt_json<T: Serialize>(value: Option<&T>) -> StoreResult<Option<String>> {
    value.map(to_json).transpose()
}

fn from_json<T: DeserializeOwned>(text: &str, col: &str) -> StoreResult<T> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::backend(format!("decode JSON column {col}"), e))
}

/// An optional `u32` as stored: a BIGINT or NULL.
pub(crate) fn opt_u32(value: Option<u32>) -> Option<i64> {
    value.map(i64::from)
}

fn to_opt_u32(value: Option<i64>, col: &str) -> StoreResult<Option<u32>> {
    value
        .map(|v| u32::try_from(v).map_err(|_| corrupt(format!("{col}: {v} is not a u32"))))
        .transpose()
}

/// The wire name of who ended a session.
pub(crate) fn ended_by_str(by: EndedBy) -> &'static str {
    match by {
        EndedBy::Customer => "customer",
        EndedBy::Agent => "agent",
        EndedBy::System => "system",
    }
}

fn parse_ended_by(s: &str) -> Option<EndedBy> {
    match s {
        "customer" => Some(EndedBy::Customer),
        "agent" => Some(EndedBy::Agent),
        "system" => Some(EndedBy::System),
        _ => None,
    }
}

fn parse<T>(value: String, col: &str, parse: impl FnOnce(&str) -> Option<T>) -> StoreResult<T> {
    parse(&value).ok_or_else(|| corrupt(format!("{col}: unknown value {value:?}")))
}

fn parse_opt<T>(
    value: Option<String>,
    col: &str,
    parse_fn: impl FnOnce(&str) -> Option<T>,
) -> StoreResult<Option<T>> {
    value.map(|v| parse(v, col, parse_fn)).transpose()
}

/// The lowercased copy of a searchable text (customer email and name), or NULL.
pub(crate) fn lower(value: Option<&str>) -> Option<String> {
    value.map(str::to_lowercase)
}

/// The `LIKE` pattern (with `ESCAPE '\'`) matching `query` as a case-insensitive substring of
/// a lowercased column: `%`, `_` and `\` in the query match themselves.
pub(crate) fn contains_pattern(query: &str) -> String {
    let mut pattern = String::with_capacity(query.len() + 2);
    pattern.push('%');
    for c in query.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The roles of an agent as stored (a JSON array of wire names).
pub(crate) fn roles_json(roles: &[Role]) -> StoreResult<String> {
    to_json(&roles.iter().map(|r| r.as_str()).collect::<Vec<_>>())
}

// --- rows to domain types ---

/// A `tenants` row.
pub(crate) fn tenant(row: &impl Columns) -> StoreResult<Tenant> {
    Ok(Tenant {
        id: TenantId::new(row.text("tenant_id")?),
        name: row.text("name")?,
    })
}

/// A `projects` row.
pub(crate) fn project(row: &impl Columns) -> StoreResult<Project> {
    Ok(Project {
        id: ProjectId::new(row.text("id")?),
        tenant_id: TenantId::new(row.text("tenant_id")?),
        name: row.text("name")?,
    })
}

/// An `agents` row.
pub(crate) fn agent(row: &impl Columns) -> StoreResult<Agent> {
    let roles: Vec<String> = row.json("roles")?;
    Ok(Agent {
        id: AgentId::new(row.text("id")?),
        tenant_id: TenantId::new(row.text("tenant_id")?),
        display_name: row.text("display_name")?,
        avatar_url: row.opt_text("avatar_url")?,
        roles: roles
            .into_iter()
            .map(|r| parse(r, "roles", Role::parse))
            .collect::<StoreResult<_>>()?,
        projects: row.json("projects")?,
        departments: row.json("departments")?,
        skills: row.json("skills")?,
        max_concurrent_sessions: to_opt_u32(
            row.opt_int("max_concurrent_sessions")?,
            "max_concurrent_sessions",
        )?,
    })
}

/// A `widgets` row.
pub(crate) fn widget(row: &impl Columns) -> StoreResult<Widget> {
    Ok(Widget {
        id: WidgetId::new(row.text("id")?),
        tenant_id: TenantId::new(row.text("tenant_id")?),
        project_id: ProjectId::new(row.text("project_id")?),
        name: row.text("name")?,
        domain: row.text("domain")?,
        allowed_domains: row.json("allowed_domains")?,
        welcome_message: row.text("welcome_message")?,
        offline_message: row.text("offline_message")?,
        primary_color: row.text("primary_color")?,
        secondary_color: row.text("secondary_color")?,
        position: parse(row.text("position")?, "position", WidgetPosition::parse)?,
        auto_open_delay: to_opt_u32(row.opt_int("auto_open_delay")?, "auto_open_delay")?,
        show_agent_avatars: row.flag("show_agent_avatars")?,
        allow_file_uploads: row.flag("allow_file_uploads")?,
        require_email: row.flag("require_email")?,
        business_hours: row.opt_json("business_hours")?,
        max_upload_bytes: row.int("max_upload_bytes")?,
        auto_create_ticket: row.flag("auto_create_ticket")?,
        identity_secret: row.text("identity_secret")?,
        // Widgets stored before routing existed have none: the defaults (manual).
        routing: row.opt_json("routing")?.unwrap_or_default(),
        auto_end_after_minutes: to_opt_u32(
            row.opt_int("auto_end_after_minutes")?,
            "auto_end_after_minutes",
        )?,
        retention_days: to_opt_u32(row.opt_int("retention_days")?, "retention_days")?,
        theme: parse(row.text("theme")?, "theme", WidgetTheme::parse)?,
        typing_preview: row.flag("typing_preview")?,
        created_at: row.time("created_at")?,
        updated_at: row.time("updated_at")?,
    })
}

/// A `sessions` row.
pub(crate) fn session(row: &impl Columns) -> StoreResult<Session> {
    Ok(Session {
        id: SessionId::new(row.text("id")?),
        tenant_id: TenantId::new(row.text("tenant_id")?),
        project_id: ProjectId::new(row.text("project_id")?),
        widget_id: WidgetId::new(row.text("widget_id")?),
        status: parse(row.text("status")?, "status", SessionStatus::parse)?,
        customer_email: row.opt_text("customer_email")?,
        customer_name: row.opt_text("customer_name")?,
        assigned_agent_id: row.opt_text("assigned_agent_id")?.map(AgentId::new),
        transfer_target: row.opt_json("transfer_target")?,
        department: row.opt_text("department")?,
        started_by_agent_id: row.opt_text("started_by_agent_id")?.map(AgentId::new),
        ended_by: parse_opt(row.opt_text("ended_by")?, "ended_by", parse_ended_by)?,
        last_seq: row.int("last_seq")?,
        ticket_id: row.opt_text("ticket_id")?,
        customer_verified: row.flag("customer_verified")?,
        version: row.int("version")?,
        created_at: row.time("created_at")?,
        updated_at: row.time("updated_at")?,
        last_activity_at: row.time("last_activity_at")?,
        ended_at: row.opt_time("ended_at")?,
        awaiting_reply_since: row.opt_time("awaiting_reply_since")?,
        last_customer_message_at: row.opt_time("last_customer_message_at")?,
        assigned_at: row.opt_time("assigned_at")?,
        first_assigned_at: row.opt_time("first_assigned_at")?,
    })
}

/// A `messages` row.
pub(crate) fn message(row: &impl Columns) -> StoreResult<Message> {
    Ok(Message {
        id: MessageId::new(row.text("id")?),
        tenant_id: TenantId::new(row.text("tenant_id")?),
        session_id: SessionId::new(row.text("session_id")?),
        seq: row.int("seq")?,
        sender_type: parse(row.text("sender_type")?, "sender_type", SenderType::parse)?,
        sender_agent_id: row.opt_text("sender_agent_id")?.map(AgentId::new),
        kind: parse(row.text("kind")?, "kind", MessageKind::parse)?,
        content: row.text("content")?,
        attachment: row.opt_json("attachment")?,
        system_event: parse_opt(
            row.opt_text("system_event")?,
            "system_event",
            SystemEvent::parse,
        )?,
        client_message_id: row.opt_text("client_message_id")?,
        created_at: row.time("created_at")?,
    })
}

/// An `attachments` row.
pub(crate) fn attachment(row: &impl Columns) -> StoreResult<Attachment> {
    Ok(Attachment {
        id: AttachmentId::new(row.text("id")?),
        tenant_id: TenantId::new(row.text("tenant_id")?),
        session_id: SessionId::new(row.text("session_id")?),
        name: row.text("name")?,
        size: row.int("size")?,
        content_type: row.text("content_type")?,
        storage_key: row.text("storage_key")?,
        uploaded_by: parse(row.text("uploaded_by")?, "uploaded_by", SenderType::parse)?,
        created_at: row.time("created_at")?,
    })
}

/// A `notes` row.
pub(crate) fn note(row: &impl Columns) -> StoreResult<Note> {
    Ok(Note {
        id: NoteId::new(row.text("id")?),
        tenant_id: TenantId::new(row.text("tenant_id")?),
        session_id: SessionId::new(row.text("session_id")?),
        author_agent_id: AgentId::new(row.text("author_agent_id")?),
        content: row.text("content")?,
        created_at: row.time("created_at")?,
    })
}

/// A `canned_responses` row.
pub(crate) fn canned(row: &impl Columns) -> StoreResult<CannedResponse> {
    Ok(CannedResponse {
        id: CannedResponseId::new(row.text("id")?),
        tenant_id: TenantId::new(row.text("tenant_id")?),
        shortcut: row.text("shortcut")?,
        text: row.text("text")?,
        created_at: row.time("created_at")?,
        updated_at: row.time("updated_at")?,
    })
}

/// A `read_markers` row.
pub(crate) fn read_marker(row: &impl Columns) -> StoreResult<ReadMarker> {
    Ok(ReadMarker {
        session_id: SessionId::new(row.text("session_id")?),
        participant: row.text("participant")?,
        last_read_seq: row.int("last_read_seq")?,
        updated_at: row.time("updated_at")?,
    })
}

/// Decodes every row with `decode`.
pub(crate) fn all<R, T>(rows: &[R], decode: impl Fn(&R) -> StoreResult<T>) -> StoreResult<Vec<T>> {
    rows.iter().map(decode).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_pattern_escapes_wildcards_and_lowercases() {
        assert_eq!(contains_pattern("Ann"), "%ann%");
        assert_eq!(contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }

    #[test]
    fn ended_by_names_round_trip() {
        for by in [EndedBy::Customer, EndedBy::Agent, EndedBy::System] {
            assert_eq!(parse_ended_by(ended_by_str(by)), Some(by));
        }
    }

    #[test]
    fn timestamps_round_trip_at_microsecond_precision() {
        let at = DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap_or_default();
        assert_eq!(from_micros(micros(at), "t").ok(), Some(at));
    }
}
