//! The sessions an agent connection has looked up (subscribe, resume, a first send), kept
//! fresh by the session events the connection hears, so that a send to a known session costs
//! no store read: the agent's counterpart of a customer connection's own session.
//!
//! Freshness: an agent connection hears every session event of the projects its agent works
//! in, and events queued before a client frame are handled before it, so an entry is at most
//! as old as the event bus's delivery. When the connection may have lost events (its queue
//! overflowed, the bus dropped) it forgets every entry and reads again.

use crate::domain::Session;
use crate::ids::SessionId;
use crate::notify::ChatEvent;
use std::collections::HashMap;
use std::sync::Arc;

/// Most sessions one connection remembers; beyond it the map starts over (a console has a
/// few sessions open, a bulk sender many, and a read is the fallback either way).
const MAX_KNOWN: usize = 64;

/// Sessions by id, as last heard. Empty (and allocation-free) until the first lookup.
#[derive(Default)]
pub(super) struct KnownSessions {
    sessions: HashMap<SessionId, Arc<Session>>,
}

impl KnownSessions {
    /// The session as last heard, if this connection knows it.
    pub(super) fn get(&self, id: &SessionId) -> Option<&Arc<Session>> {
        self.sessions.get(id)
    }

    /// Remembers a session just read from the store.
    pub(super) fn remember(&mut self, session: Arc<Session>) {
        if self.sessions.len() >= MAX_KNOWN && !self.sessions.contains_key(&session.id) {
            self.sessions.clear();
        }
        self.sessions.insert(session.id.clone(), session);
    }

    /// Takes the newer state an event carries for a session this connection knows.
    pub(super) fn refresh(&mut self, event: &ChatEvent) {
        let session = match event {
            ChatEvent::SessionAssigned { session, .. }
            | ChatEvent::SessionTransferred { session, .. }
            | ChatEvent::SessionUpdated { session }
            | ChatEvent::SessionEnded { session } => session,
            _ => return,
        };
        if let Some(known) = self.sessions.get_mut(&session.id) {
            *known = Arc::new(session.clone());
        }
    }

    /// Forgets one session (unsubscribed).
    pub(super) fn forget(&mut self, id: &SessionId) {
        self.sessions.remove(id);
    }

    /// Forgets every session: events may have been lost.
    pub(super) fn forget_all(&mut self) {
        self.sessions = HashMap::new();
    }
}
