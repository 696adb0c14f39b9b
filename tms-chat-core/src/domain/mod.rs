//! The chat domain: plain data types and the rules that belong to them (validation, the
//! session state machine, origin matching, business hours). Nothing here does I/O.

pub mod agent;
pub mod audit;
pub mod business_hours;
pub mod canned;
pub mod message;
pub mod note;
pub mod origin;
pub mod presence;
pub mod routing;
pub mod session;
pub mod tenant;
pub mod visit;
pub mod widget;

pub use agent::{Agent, Role};
pub use audit::{customer_reference, AuditAction, AuditEntry};
pub use business_hours::{BusinessHours, DayException, DayHours, OfflineBehavior};
pub use canned::CannedResponse;
pub use message::{Attachment, Message, MessageKind, NewMessage, SenderType, SystemEvent};
pub use note::Note;
pub use origin::{origin_allowed, AllowedDomain};
pub use presence::{AgentPresence, Presence, PresenceChange};
pub use routing::{Candidate, RoutingMode, RoutingSettings};
pub use session::{
    EndedBy, ReadMarker, ReplyClock, Session, SessionAction, SessionStatus, TransferTarget,
};
pub use tenant::{Project, Tenant};
pub use visit::{PageView, VisitContext};
pub use widget::{Widget, WidgetDefaults, WidgetInput, WidgetPosition, WidgetTheme};
