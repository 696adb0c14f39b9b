//! Which notifier carries the server's events: `local` (this process only) or `postgres`
//! (LISTEN/NOTIFY on the server's PostgreSQL database, so every reference server on that
//! database hears every other's events). The default follows the database: `postgres` for
//! PostgreSQL, `local` for SQLite, because a SQLite file serves one node.

use clap::ValueEnum;
use std::sync::Arc;
use tms_chat_core::notify::{LocalNotifier, Notifier};
use tms_chat_storage::{is_postgres_url, PgNotifier};

/// `--notifier`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum NotifierKind {
    /// In-process: events reach this server's sockets only.
    Local,
    /// PostgreSQL LISTEN/NOTIFY on the server's database: servers on one database share
    /// events. Needs a PostgreSQL database URL.
    Postgres,
}

impl NotifierKind {
    /// The notifier for `database_url`: the one asked for, or the database's default.
    pub(crate) fn resolve(asked: Option<NotifierKind>, database_url: &str) -> Result<Self, String> {
        let postgres = is_postgres_url(database_url);
        match asked {
            Some(NotifierKind::Postgres) if !postgres => Err(
                "--notifier postgres needs a PostgreSQL database (--database-url postgres://…)"
                    .to_owned(),
            ),
            Some(kind) => Ok(kind),
            None if postgres => Ok(NotifierKind::Postgres),
            None => Ok(NotifierKind::Local),
        }
    }

    /// Starts the notifier (for `postgres`, LISTENing before this returns).
    pub(crate) async fn connect(self, database_url: &str) -> Result<Arc<dyn Notifier>, String> {
        match self {
            NotifierKind::Local => Ok(Arc::new(LocalNotifier::new())),
            NotifierKind::Postgres => PgNotifier::connect(database_url)
                .await
                .map(|n| Arc::new(n) as Arc<dyn Notifier>)
                .map_err(|e| format!("cannot start the PostgreSQL notifier: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_follows_the_database_and_postgres_needs_postgres() {
        let pg = "postgres://u@h/db";
        let sqlite = "sqlite://chat.db";
        assert_eq!(NotifierKind::resolve(None, pg), Ok(NotifierKind::Postgres));
        assert_eq!(NotifierKind::resolve(None, sqlite), Ok(NotifierKind::Local));
        assert_eq!(
            NotifierKind::resolve(Some(NotifierKind::Local), pg),
            Ok(NotifierKind::Local)
        );
        assert!(NotifierKind::resolve(Some(NotifierKind::Postgres), sqlite).is_err());
    }
}
