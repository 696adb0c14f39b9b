//! Reference tms-chat server (filled by the REST/WebSocket issue).
fn main() {}
