//! Mounts the tms-chat API into poem (filled by the REST/WebSocket issue).
