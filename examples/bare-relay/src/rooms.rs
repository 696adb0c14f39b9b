//! Who hears what: per session, the customer's connection, the subscribed consoles and the
//! next `seq`. Frames are handed to each connection's writer as shared text, encoded once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

/// What a connection's writer sends.
pub(crate) type Outbox = mpsc::UnboundedSender<Arc<str>>;

/// A frame from a client (the fields the relay routes by).
#[derive(Deserialize)]
pub(crate) struct ClientFrame {
    #[serde(rename = "type")]
    pub(crate) kind: String,
    pub(crate) session_id: Option<String>,
    #[serde(default)]
    pub(crate) content: String,
    pub(crate) client_message_id: Option<String>,
    pub(crate) request_id: Option<String>,
}

#[derive(Serialize)]
struct MessageView<'a> {
    id: String,
    session_id: &'a str,
    seq: u64,
    sender_type: &'a str,
    message_type: &'a str,
    content: &'a str,
    client_message_id: Option<&'a str>,
}

#[derive(Serialize)]
struct NewMessage<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    session_id: &'a str,
    message: &'a MessageView<'a>,
}

#[derive(Serialize)]
struct Ack<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    session_id: &'a str,
    request_id: Option<&'a str>,
    client_message_id: Option<&'a str>,
    seq: u64,
    duplicate: bool,
    message: &'a MessageView<'a>,
}

#[derive(Default)]
struct Room {
    customer: Option<(u64, Outbox)>,
    consoles: Vec<(u64, Outbox)>,
    last_seq: u64,
}

/// Every session's room.
#[derive(Default)]
pub(crate) struct Rooms {
    rooms: Mutex<HashMap<String, Room>>,
    ids: AtomicU64,
}

impl Rooms {
    /// A new id (connections, sessions, messages).
    pub(crate) fn next_id(&self) -> u64 {
        self.ids.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Opens an empty room for a new session.
    pub(crate) fn open(&self, session: &str) {
        self.lock().entry(session.to_owned()).or_default();
    }

    /// Whether the session exists.
    pub(crate) fn exists(&self, session: &str) -> bool {
        self.lock().contains_key(session)
    }

    /// Makes `outbox` the session's customer connection.
    pub(crate) fn join_as_customer(&self, session: &str, connection: u64, outbox: Outbox) {
        if let Some(room) = self.lock().get_mut(session) {
            room.customer = Some((connection, outbox));
        }
    }

    /// Subscribes a console; the session's current `seq`, or `None` for no such session.
    pub(crate) fn subscribe(&self, session: &str, connection: u64, outbox: Outbox) -> Option<u64> {
        let mut rooms = self.lock();
        let room = rooms.get_mut(session)?;
        room.consoles.push((connection, outbox));
        Some(room.last_seq)
    }

    /// Forgets a closed connection everywhere.
    pub(crate) fn leave(&self, connection: u64) {
        for room in self.lock().values_mut() {
            room.consoles.retain(|(id, _)| *id != connection);
            if room
                .customer
                .as_ref()
                .is_some_and(|(id, _)| *id == connection)
            {
                room.customer = None;
            }
        }
    }

    /// Numbers the message, acknowledges it to its sender and hands `new_message` to everyone
    /// else in the room; `false` for no such session.
    pub(crate) fn relay(
        &self,
        session: &str,
        (sender, sender_outbox): (u64, &Outbox),
        frame: &ClientFrame,
        from_customer: bool,
    ) -> bool {
        let mut rooms = self.lock();
        let Some(room) = rooms.get_mut(session) else {
            return false;
        };
        room.last_seq += 1;
        let message = MessageView {
            id: format!("m{}", self.next_id()),
            session_id: session,
            seq: room.last_seq,
            sender_type: if from_customer { "customer" } else { "agent" },
            message_type: "text",
            content: &frame.content,
            client_message_id: frame.client_message_id.as_deref(),
        };
        let event = encode(&NewMessage {
            kind: "new_message",
            session_id: session,
            message: &message,
        });
        let ack = encode(&Ack {
            kind: "message_ack",
            session_id: session,
            request_id: frame.request_id.as_deref(),
            client_message_id: frame.client_message_id.as_deref(),
            seq: message.seq,
            duplicate: false,
            message: &message,
        });
        let _ = sender_outbox.send(ack);
        let listeners = room.customer.iter().chain(room.consoles.iter());
        for (_, outbox) in listeners.filter(|(connection, _)| *connection != sender) {
            let _ = outbox.send(event.clone());
        }
        true
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Room>> {
        self.rooms
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// One frame's JSON text.
pub(crate) fn encode(frame: &impl Serialize) -> Arc<str> {
    serde_json::to_string(frame)
        .unwrap_or_else(|_| String::from("{}"))
        .into()
}
