//! Which notifier carries the server's events: `local` (this process only), `postgres`
//! (LISTEN/NOTIFY on the server's PostgreSQL database, so every reference server on that
//! database hears every other's events) or `nats://HOST:PORT` (a NATS server, for more
//! traffic than one database's NOTIFY carries). The default follows the database: `postgres`
//! for PostgreSQL, `local` for SQLite, because a SQLite file serves one node.

use std::sync::Arc;
use tms_chat_core::notify::{LocalNotifier, Notifier};
use tms_chat_storage::{is_postgres_url, NatsNotifier, PgNotifier};

/// `--notifier`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum NotifierKind {
    /// In-process: events reach this server's sockets only.
    Local,
    /// PostgreSQL LISTEN/NOTIFY on the server's database: servers on one database share
    /// events. Needs a PostgreSQL database URL.
    Postgres,
    /// A NATS server at this URL (`nats://host:port`): servers on it share events.
    Nats(String),
}

impl NotifierKind {
    /// Parses `local`, `postgres` or `nats://host:port`.
    pub(crate) fn parse(value: &str) -> Result<Self, String> {
        match value {
            "local" => Ok(NotifierKind::Local),
            "postgres" => Ok(NotifierKind::Postgres),
            url if url.starts_with("nats://") && url.len() > "nats://".len() => {
                Ok(NotifierKind::Nats(url.to_owned()))
            }
            other => Err(format!(
                "unknown notifier `{other}`: expected local, postgres or nats://HOST:PORT"
            )),
        }
    }

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

    /// Starts the notifier (listening before this returns).
    pub(crate) async fn connect(&self, database_url: &str) -> Result<Arc<dyn Notifier>, String> {
        match self {
            NotifierKind::Local => Ok(Arc::new(LocalNotifier::new())),
            NotifierKind::Postgres => PgNotifier::connect(database_url)
                .await
                .map(|n| Arc::new(n) as Arc<dyn Notifier>)
                .map_err(|e| format!("cannot start the PostgreSQL notifier: {e}")),
            NotifierKind::Nats(url) => NatsNotifier::connect(url)
                .await
                .map(|n| Arc::new(n) as Arc<dyn Notifier>)
                .map_err(|e| format!("cannot start the NATS notifier: {e}")),
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
        let nats = NotifierKind::Nats("nats://127.0.0.1:4222".into());
        assert_eq!(NotifierKind::resolve(Some(nats.clone()), sqlite), Ok(nats));
    }

    #[test]
    fn notifier_values_are_local_postgres_or_a_nats_url() {
        assert_eq!(NotifierKind::parse("local"), Ok(NotifierKind::Local));
        assert_eq!(NotifierKind::parse("postgres"), Ok(NotifierKind::Postgres));
        assert_eq!(
            NotifierKind::parse("nats://10.0.0.5:4222"),
            Ok(NotifierKind::Nats("nats://10.0.0.5:4222".into()))
        );
        for bad in ["", "nats://", "redis://h", "Postgres"] {
            assert!(NotifierKind::parse(bad).is_err(), "{bad:?}");
        }
    }
}
