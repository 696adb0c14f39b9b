//! What differs between the databases. The store's SQL is portable (`$N` parameters, which
//! SQLite accepts too; `CASE` instead of `max`/`GREATEST`; `ON CONFLICT … DO UPDATE`;
//! `RETURNING`), so a [`Backend`] only says how a write transaction starts, how concurrent
//! migrators are kept apart, and which schema files and optional steps it runs.

use sqlx::{Database, Decode, Encode, Postgres, Sqlite, Type};

/// One embedded schema migration.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// Applied in ascending order; recorded in `tms_chat_migrations`.
    pub version: i64,
    /// What it does.
    pub description: &'static str,
    /// The SQL script (several statements).
    pub sql: &'static str,
}

/// A best-effort schema step: tried at every start-up, skipped (with a log line) when the
/// database refuses it, never recorded.
#[derive(Debug, Clone, Copy)]
pub struct OptionalStep {
    /// What it does, for the log.
    pub description: &'static str,
    /// The SQL script.
    pub sql: &'static str,
}

/// A database the store runs on: SQLite or PostgreSQL. Sealed.
pub trait Backend: Database + sealed::Sealed {
    /// The statement that opens a transaction that will write. SQLite takes the write lock up
    /// front (`BEGIN IMMEDIATE`) so two writers never deadlock upgrading a read lock;
    /// PostgreSQL locks rows as it goes.
    const BEGIN_WRITE: &'static str;
    /// Appended to a `SELECT` that locks the rows it reads until commit (empty on SQLite,
    /// whose write transaction already holds the database).
    const LOCK_ROWS: &'static str;
    /// Run first in a write transaction that counts an agent's open sessions before giving
    /// them one more (`$1` tenant, `$2` agent), so that two such transactions for one agent
    /// never overlap, on any node. `None` where [`Backend::BEGIN_WRITE`] already serialises
    /// every writer.
    const AGENT_LOCK: Option<&'static str>;
    /// Run first in every migration transaction so that nodes starting together apply each
    /// migration once.
    const MIGRATION_LOCK: Option<&'static str>;
    /// The schema, oldest first.
    const MIGRATIONS: &'static [Migration];
    /// The session search's message-text clause (see `tms_chat_core::store::search`), in
    /// three pieces around two binds: the database's full-text query, then the tenant.
    const MESSAGE_MATCH: [&'static str; 3];
    /// What joins the search words into the full-text query (FTS5's `AND`, `to_tsquery`'s
    /// `&`).
    const MATCH_AND: &'static str;
    /// The start of the multi-row insert that feeds a batch's new messages to the full-text
    /// table (`content, tenant_id, session_id` values), where the index is not kept by the
    /// database itself (SQLite's FTS5 table); `None` on PostgreSQL, whose index is an
    /// expression index over `messages.content`.
    const MESSAGE_INDEX_INSERT: Option<&'static str>;
    /// The append's retry lookup as one statement for any number of keys, bound to one JSON
    /// array of `{"t": tenant, "s": session, "k": sender_type, "c": client_message_id}`
    /// objects. `None` where a multi-row `OR` of keys is cheaper (SQLite, which prepares each
    /// of its nine texts once); PostgreSQL plans such a statement again at every execution
    /// (a custom plan of up to 256 `OR`'d keys), which cost it nine tenths of its append
    /// throughput.
    const RETRY_LOOKUP: Option<&'static str>;
    /// [`ChatStore::append_pipeline_depth`](tms_chat_core::store::ChatStore::append_pipeline_depth):
    /// append transactions in flight at once. SQLite has one writer; PostgreSQL runs several
    /// side by side (their commits share WAL flushes), and the append's first step locks the
    /// batch's sessions in id order (`FOR UPDATE`), so a batch that shares a session with an
    /// earlier one waits for its commit, then reads its `last_seq` and its messages.
    const APPEND_PIPELINE_DEPTH: usize;
    /// Extras that need privileges or extensions the database may not grant.
    const OPTIONAL_STEPS: &'static [OptionalStep];
}

/// A Rust type the store binds and reads in `DB`; implemented for every such type.
pub trait Value<DB: Database>:
    for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB> + Type<DB> + Send
{
}

impl<DB: Database, T> Value<DB> for T where
    T: for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB> + Type<DB> + Send
{
}

/// The schema files of one database folder, oldest first (the same versions on both).
macro_rules! migrations {
    ($db:literal) => {
        &[
            Migration {
                version: 1,
                description: "initial schema",
                sql: include_str!(concat!("../migrations/", $db, "/0001_initial.sql")),
            },
            Migration {
                version: 2,
                description: "socket tickets",
                sql: include_str!(concat!("../migrations/", $db, "/0002_socket_tickets.sql")),
            },
            Migration {
                version: 3,
                description: "files",
                sql: include_str!(concat!("../migrations/", $db, "/0003_files.sql")),
            },
            Migration {
                version: 4,
                description: "routing",
                sql: include_str!(concat!("../migrations/", $db, "/0004_routing.sql")),
            },
            Migration {
                version: 5,
                description: "routing settings",
                sql: include_str!(concat!("../migrations/", $db, "/0005_routing_settings.sql")),
            },
            Migration {
                version: 6,
                description: "reply tracking",
                sql: include_str!(concat!("../migrations/", $db, "/0006_reply_tracking.sql")),
            },
            Migration {
                version: 7,
                description: "audit log and retention",
                sql: include_str!(concat!("../migrations/", $db, "/0007_audit.sql")),
            },
            Migration {
                version: 9,
                description: "message search",
                sql: include_str!(concat!("../migrations/", $db, "/0009_message_search.sql")),
            },
            Migration {
                version: 10,
                description: "customer context",
                sql: include_str!(concat!("../migrations/", $db, "/0010_visit_context.sql")),
            },
            Migration {
                version: 11,
                description: "widget theme and typing preview",
                sql: include_str!(concat!("../migrations/", $db, "/0011_widget_theme.sql")),
            },
        ]
    };
}

impl Backend for Sqlite {
    const BEGIN_WRITE: &'static str = "BEGIN IMMEDIATE";
    const LOCK_ROWS: &'static str = "";
    // `BEGIN IMMEDIATE` already serialises writers.
    const AGENT_LOCK: Option<&'static str> = None;
    // `BEGIN IMMEDIATE` already serialises writers.
    const MIGRATION_LOCK: Option<&'static str> = None;
    const MIGRATIONS: &'static [Migration] = migrations!("sqlite");
    const MESSAGE_MATCH: [&'static str; 3] = [
        " OR id IN (SELECT session_id FROM message_search WHERE message_search MATCH ",
        " AND tenant_id = ",
        ")",
    ];
    const MATCH_AND: &'static str = " AND ";
    const MESSAGE_INDEX_INSERT: Option<&'static str> =
        Some("INSERT INTO message_search (content, tenant_id, session_id) VALUES ");
    const RETRY_LOOKUP: Option<&'static str> = None;
    const APPEND_PIPELINE_DEPTH: usize = 1;
    const OPTIONAL_STEPS: &'static [OptionalStep] = &[];
}

impl Backend for Postgres {
    const BEGIN_WRITE: &'static str = "BEGIN";
    const LOCK_ROWS: &'static str = " FOR UPDATE";
    // A transaction-scoped advisory lock keyed by the agent: it needs no agent row (a host
    // may assign an agent it has not mirrored yet) and is released by the commit, after
    // which the next holder's count sees the committed assignment.
    const AGENT_LOCK: Option<&'static str> =
        Some("SELECT pg_advisory_xact_lock(hashtextextended($1 || '/' || $2, 9))");
    // An arbitrary constant key ("tms-chat" in ASCII) shared by every node.
    const MIGRATION_LOCK: Option<&'static str> =
        Some("SELECT pg_advisory_xact_lock(8389488319639609716)");
    const MIGRATIONS: &'static [Migration] = migrations!("postgres");
    // The predicate repeats the partial index's (`0009_message_search.sql`) so the planner
    // uses it.
    const MESSAGE_MATCH: [&'static str; 3] = [
        " OR id IN (SELECT session_id FROM messages WHERE content NOT LIKE 'tmsenc1:%' \
         AND to_tsvector('simple', content) @@ to_tsquery('simple', ",
        ") AND tenant_id = ",
        ")",
    ];
    const MATCH_AND: &'static str = " & ";
    const MESSAGE_INDEX_INSERT: Option<&'static str> = None;
    // One index probe per key whatever the plan: the `LIMIT 1` keeps the lateral subquery
    // from being flattened into a join the planner might hash (or seq-scan, with a generic
    // plan made while the table was empty), and `client_message_id = k.c` implies the
    // unique partial index's `IS NOT NULL`.
    const RETRY_LOOKUP: Option<&'static str> = Some(concat!(
        "SELECT m.* FROM json_to_recordset($1::json) AS k(t text, s text, k text, c text)          CROSS JOIN LATERAL (SELECT ",
        crate::codec::message_columns!(),
        " FROM messages WHERE session_id = k.s AND sender_type = k.k          AND client_message_id = k.c AND tenant_id = k.t LIMIT 1) AS m"
    ));
    const APPEND_PIPELINE_DEPTH: usize = 4;
    const OPTIONAL_STEPS: &'static [OptionalStep] = &[OptionalStep {
        description: "pg_trgm indexes for the customer search",
        sql: include_str!("../migrations/postgres/optional_trigram.sql"),
    }];
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for sqlx::Sqlite {}
    impl Sealed for sqlx::Postgres {}
}
