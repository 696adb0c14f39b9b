//! TypeScript declarations of the whole wire protocol, rendered from the Rust types that
//! serialise it (ts-rs reads their serde attributes): the REST request bodies, every view and
//! envelope, the frames in both directions and the error codes. `widget/types/protocol.d.ts`
//! is [`declarations`]' output, committed; `tests/typescript.rs` fails when it is stale.
//!
//! The roots below are the protocol's entry points; every type they reference is declared
//! too, found by walking their dependencies, so a new field's type cannot be forgotten. Large
//! integers (`seq`, sizes) are `number`: they stay far below 2^53.

use super::envelopes::{
    AgentList, AgentStartedSession, CannedList, ContactReceived, CustomerContext,
    CustomerStartedSession, DepartmentList, EmbedCode, ErrorBody, MessageList, NoteList,
    ProbeStatus, SessionList, SocketTicket, TicketCreated, WidgetList,
};
use super::envelopes::{AuditList, CustomerErased, CustomerExport};
use super::frames::{ClientFrame, ServerFrame};
use super::requests::EraseCustomerRequest;
use super::requests::{
    AssignRequest, CannedRequest, ContactRequest, NoteRequest, PresenceRequest, ReadRequest,
    TicketRequestBody, TypingRequest, VisitorRequest,
};
use super::views::{AgentView, AttachmentView, CannedView, MessageView, ReadMarkerView};
use super::views::{CustomerSessionView, PresenceView, QueueBoardView, SessionView, WidgetView};
use crate::domain::{Note, WidgetInput};
use crate::error::ErrorCode;
use crate::service::{
    PublicWidgetConfig, SendMessage, StartAgentSession, StartCustomerSession, TransferRequest,
};
use std::collections::BTreeMap;
use ts_rs::{Config, TypeVisitor, TS};

/// The first lines of the rendered file.
const HEADER: &str = "\
// TypeScript declarations of the tms-chat wire protocol (docs/protocol.md).
// Generated from the Rust types by tms-chat-core (protocol::typescript); do not edit.
// To update: TMS_CHAT_BLESS=1 cargo test -p tms-chat-core --test typescript
";

/// Every declaration, sorted by name, as the text of a `.d.ts` module.
pub fn declarations() -> String {
    let mut found = Declarations {
        config: Config::new().with_large_int("number"),
        by_name: BTreeMap::new(),
    };
    visit_roots(&mut found);
    let mut out = String::from(HEADER);
    for text in found.by_name.values() {
        out.push('\n');
        // ts-rs leaves a space at the end of the lines it breaks.
        for line in text.lines() {
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    out
}

/// The protocol's entry points: what a client sends and what it receives.
fn visit_roots(v: &mut impl TypeVisitor) {
    // The socket, both directions.
    v.visit::<ServerFrame<'static>>();
    v.visit::<ClientRequest>();
    v.visit::<ClientFrame>();
    // REST request bodies.
    v.visit::<StartCustomerSession>();
    v.visit::<StartAgentSession>();
    v.visit::<SendMessage>();
    v.visit::<TransferRequest>();
    v.visit::<WidgetInput>();
    v.visit::<AssignRequest>();
    v.visit::<NoteRequest>();
    v.visit::<TicketRequestBody>();
    v.visit::<TypingRequest>();
    v.visit::<ReadRequest>();
    v.visit::<CannedRequest>();
    v.visit::<ContactRequest>();
    v.visit::<VisitorRequest>();
    v.visit::<PresenceRequest>();
    v.visit::<EraseCustomerRequest>();
    // REST answers: single views, then envelopes.
    v.visit::<PublicWidgetConfig>();
    v.visit::<SessionView<'static>>();
    v.visit::<CustomerSessionView<'static>>();
    v.visit::<MessageView<'static>>();
    v.visit::<AttachmentView<'static>>();
    v.visit::<ReadMarkerView<'static>>();
    v.visit::<WidgetView<'static>>();
    v.visit::<AgentView<'static>>();
    v.visit::<PresenceView<'static>>();
    v.visit::<QueueBoardView<'static>>();
    v.visit::<CannedView<'static>>();
    v.visit::<Note>();
    v.visit::<ErrorBody<'static>>();
    v.visit::<ErrorCode>();
    v.visit::<ProbeStatus>();
    v.visit::<SessionList<'static>>();
    v.visit::<AgentStartedSession<'static>>();
    v.visit::<CustomerStartedSession<'static>>();
    v.visit::<ContactReceived<'static>>();
    v.visit::<MessageList<'static>>();
    v.visit::<NoteList<'static>>();
    v.visit::<CustomerContext<'static>>();
    v.visit::<TicketCreated<'static>>();
    v.visit::<CannedList<'static>>();
    v.visit::<WidgetList<'static>>();
    v.visit::<EmbedCode>();
    v.visit::<AgentList<'static>>();
    v.visit::<DepartmentList<'static>>();
    v.visit::<SocketTicket>();
    v.visit::<AuditList<'static>>();
    v.visit::<CustomerErased>();
    v.visit::<CustomerExport<'static>>();
}

/// What a client writes on a socket: a [`ClientFrame`] and, optionally, a `request_id` of any
/// JSON value that the answer echoes. The socket reads `request_id` beside the frame rather
/// than into it, so this type exists for the declarations alone.
#[derive(TS)]
#[allow(dead_code)] // Never built: only its declaration is used.
struct ClientRequest {
    #[ts(flatten)]
    frame: ClientFrame,
    /// Echoed in the answer (`message_ack`, `subscribed`, `resumed`, `pong`, `error`).
    #[ts(optional)]
    request_id: Option<serde_json::Value>,
}

/// Collects one declaration per named type, following each type's dependencies.
struct Declarations {
    config: Config,
    /// TypeScript name → its declaration.
    by_name: BTreeMap<String, String>,
}

impl TypeVisitor for Declarations {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        // Primitives, `Option`, `Vec` and references have no declaration of their own.
        if T::output_path().is_none() {
            return;
        }
        let name = T::ident(&self.config);
        let mut text = T::docs().unwrap_or_default();
        text.push_str("export ");
        text.push_str(&T::decl(&self.config));
        if let Some(seen) = self.by_name.get(&name) {
            // The same type reached again (or a stand-in for it, as for `serde_json::Value`).
            assert!(
                *seen == text,
                "two Rust types are both declared as `{name}` in TypeScript"
            );
            return;
        }
        self.by_name.insert(name, text);
        T::visit_dependencies(self);
    }
}
