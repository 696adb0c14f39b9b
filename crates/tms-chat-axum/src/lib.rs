//! Mounts the tms-chat API into axum (filled by the REST/WebSocket issue).
