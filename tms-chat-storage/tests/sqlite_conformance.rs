//! The store conformance suite on SQLite, twice: in memory (one connection, the setup hosts
//! use in their tests) and in a temporary file (a pool of connections in WAL mode, so the
//! concurrency cases really run side by side). Plus the SQLite-specific start-up behaviour.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use sqlx::Row;
use tms_chat_storage::{connect_any, Backend, SqliteStore};

mod in_memory {
    tms_chat_core::chat_store_conformance!(async {
        tms_chat_storage::SqliteStore::connect("sqlite::memory:")
            .await
            .expect("open in-memory SQLite")
    });
}

mod in_file {
    tms_chat_core::chat_store_conformance!(super::file_store());
}

/// A fresh database file under cargo's per-target temporary directory.
fn temp_db_path() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("tms-chat-sqlite");
    std::fs::create_dir_all(&dir).expect("create temp dir");
    remove_stale_files(&dir);
    dir.join(format!("{}.db", uuid::Uuid::new_v4().simple()))
}

/// Earlier runs' databases (an hour old or more) are deleted.
fn remove_stale_files(dir: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let cutoff = SystemTime::now() - Duration::from_secs(3600);
    for entry in entries.flatten() {
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|modified| modified < cutoff);
        if stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn url(path: &std::path::Path) -> String {
    format!("sqlite://{}", path.display())
}

async fn file_store() -> SqliteStore {
    SqliteStore::connect(&url(&temp_db_path()))
        .await
        .expect("open SQLite file")
}

#[tokio::test]
async fn connect_creates_a_missing_file_and_records_migrations_in_its_own_table() {
    let path = temp_db_path();
    assert!(!path.exists());
    let store = SqliteStore::connect(&url(&path))
        .await
        .expect("first start");
    assert!(path.exists(), "the database file is created");
    let latest = <sqlx::Sqlite as Backend>::MIGRATIONS
        .last()
        .map(|m| m.version);
    assert_eq!(store.schema_version().await.expect("version"), latest);

    // A second start (another process, a restart) finds everything applied.
    let again = SqliteStore::connect(&url(&path))
        .await
        .expect("second start");
    let tables: Vec<String> =
        sqlx::query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .fetch_all(again.pool())
            .await
            .expect("tables")
            .iter()
            .map(|r| r.get::<String, _>("name"))
            .collect();
    assert!(
        tables.contains(&"tms_chat_migrations".to_owned()),
        "{tables:?}"
    );
    assert!(
        !tables.contains(&"_sqlx_migrations".to_owned()),
        "sqlx's own table is left to the host"
    );
    let applied: i64 = sqlx::query("SELECT COUNT(*) AS n FROM tms_chat_migrations")
        .fetch_one(again.pool())
        .await
        .expect("count")
        .get("n");
    let migrations = <sqlx::Sqlite as Backend>::MIGRATIONS.len();
    assert_eq!(
        applied,
        i64::try_from(migrations).expect("a few migrations")
    );
}

#[tokio::test]
async fn a_file_database_uses_wal_and_enforces_foreign_keys() {
    let store = file_store().await;
    let row = sqlx::query("PRAGMA journal_mode")
        .fetch_one(store.pool())
        .await
        .expect("pragma");
    assert_eq!(row.get::<String, _>(0).to_lowercase(), "wal");
    let row = sqlx::query("PRAGMA foreign_keys")
        .fetch_one(store.pool())
        .await
        .expect("pragma");
    assert_eq!(row.get::<i64, _>(0), 1);
}

#[tokio::test]
async fn connect_any_picks_sqlite_by_scheme_and_rejects_unknown_schemes() {
    let store = connect_any("sqlite::memory:").await.expect("sqlite");
    store.ping().await.expect("ping");
    let err = connect_any("mysql://user:secret@localhost/chat")
        .await
        .err()
        .expect("unknown scheme is an error");
    let text = format!("{err} / {:?}", err);
    assert!(text.contains("mysql:"), "{text}");
    assert!(!text.contains("secret"), "{text}");
}

/// Checkpoints run beside the writer: what was committed reaches the database file while the
/// store stays open, long before the WAL reaches the size at which a committing connection
/// would checkpoint by itself (a fresh file in WAL mode stays one page until a checkpoint).
#[tokio::test]
async fn committed_writes_reach_the_database_file_without_the_writer_checkpointing() {
    let path = temp_db_path();
    let store = SqliteStore::connect(&url(&path)).await.expect("open");
    let wal_pages: i64 = sqlx::query("PRAGMA wal_autocheckpoint")
        .fetch_one(store.pool())
        .await
        .expect("pragma")
        .get(0);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let file_bytes = || std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    while file_bytes() <= 4096 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the schema never reached the database file ({} bytes; the writer would \
             checkpoint at {wal_pages} WAL pages)",
            file_bytes()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
