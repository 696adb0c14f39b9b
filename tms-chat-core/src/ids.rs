//! Typed identifiers. Every id is an opaque string on the wire; the newtypes keep a session id
//! from being passed where a widget id is expected. Ids the library mints carry a short prefix
//! and a time-ordered UUIDv7 so they sort roughly by creation; ids that come from the host
//! (tenants, projects, agents) are taken as given.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! define_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps an existing id (from the host, the database or the wire).
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }
            /// Mints a fresh, time-ordered id.
            pub fn generate() -> Self {
                Self(format!(concat!($prefix, "_{}"), uuid::Uuid::now_v7().simple()))
            }
            /// The id as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
            /// Consumes the id, returning the inner string.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(s)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

define_id!(
    /// A tenant of the host TMS; everything belongs to exactly one.
    TenantId, "ten");
define_id!(
    /// A project inside a tenant; widgets and sessions belong to one.
    ProjectId, "prj");
define_id!(
    /// An agent, as the host identifies it (for example `agent-123`).
    AgentId, "agt");
define_id!(
    /// A chat widget.
    WidgetId, "wgt");
define_id!(
    /// A chat session (one conversation).
    SessionId, "ses");
define_id!(
    /// A stored message.
    MessageId, "msg");
define_id!(
    /// An internal note on a session.
    NoteId, "note");
define_id!(
    /// A canned (quick) response.
    CannedResponseId, "can");
define_id!(
    /// An uploaded file.
    AttachmentId, "att");
define_id!(
    /// An entry of the audit log.
    AuditEntryId, "aud");
