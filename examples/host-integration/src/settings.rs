//! What both example hosts read from their environment, so a test (or you) can run them side by
//! side: `TMS_CHAT_BIND` (default `127.0.0.1:3000`; port 0 picks a free port) and
//! `TMS_CHAT_DATABASE_URL` (default `sqlite://chat.db`). Once listening, a host prints
//! `listening on http://ADDRESS` on its own line of standard output.

use std::net::SocketAddr;

/// Where a host listens and keeps its chats.
pub struct HostSettings {
    /// The address to listen on.
    pub bind: String,
    /// The chat database's URL.
    pub database_url: String,
}

impl HostSettings {
    /// The settings from the environment, with the defaults above.
    pub fn from_env() -> HostSettings {
        let var =
            |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
        HostSettings {
            bind: var("TMS_CHAT_BIND", "127.0.0.1:3000"),
            database_url: var("TMS_CHAT_DATABASE_URL", "sqlite://chat.db"),
        }
    }
}

/// The line a host prints once it listens on `address`.
pub fn listening_line(address: SocketAddr) -> String {
    format!("listening on http://{address}")
}
