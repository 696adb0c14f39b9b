//! `DatabaseBlobStore`: file bytes in the chat database. On SQLite in memory always; on
//! PostgreSQL (against `DATABASE_URL`) also with two stores on one database standing for two
//! nodes: a file one writes, the other reads and deletes. Without `DATABASE_URL` the
//! PostgreSQL test prints `skipped: …` and passes, unless `TMS_CHAT_REQUIRE_ALL_TESTS` is set.

use tms_chat_core::blob::BlobStore;
use tms_chat_core::ChatError;
use tms_chat_storage::{connect_node, PostgresStore, SqliteStore};

fn database_url() -> Option<String> {
    let url = std::env::var("DATABASE_URL")
        .ok()
        .filter(|url| !url.is_empty());
    if url.is_none() {
        assert!(
            std::env::var_os("TMS_CHAT_REQUIRE_ALL_TESTS").is_none(),
            "TMS_CHAT_REQUIRE_ALL_TESTS is set but DATABASE_URL is not"
        );
        eprintln!("skipped: DATABASE_URL not set (PostgreSQL file store test)");
    }
    url
}

fn key() -> String {
    format!("tests/{}", uuid::Uuid::new_v4().simple())
}

async fn round_trip(writer: &dyn BlobStore, reader: &dyn BlobStore) {
    let key = key();
    let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    writer.put(&key, &bytes).await.expect("put");
    assert_eq!(reader.get(&key).await.expect("get"), bytes);
    writer.put(&key, b"rewritten").await.expect("put again");
    assert_eq!(reader.get(&key).await.expect("get again"), b"rewritten");
    reader.delete(&key).await.expect("delete");
    assert!(matches!(
        writer.get(&key).await,
        Err(ChatError::NotFound(_))
    ));
    writer
        .delete(&key)
        .await
        .expect("deleting a missing key is fine");
    assert!(matches!(
        reader.get("tests/never-written").await,
        Err(ChatError::NotFound(_))
    ));
}

#[tokio::test]
async fn files_round_trip_in_sqlite() {
    let store = SqliteStore::connect("sqlite::memory:").await.expect("open");
    let files = store.files();
    round_trip(&files, &files).await;
}

#[tokio::test]
async fn a_file_written_through_one_node_is_read_through_another_on_postgres() {
    let Some(url) = database_url() else { return };
    let node_a = PostgresStore::connect(&url).await.expect("node A");
    let node_b = PostgresStore::connect(&url).await.expect("node B");
    round_trip(&node_a.files(), &node_b.files()).await;
}

#[tokio::test]
async fn a_postgres_node_keeps_files_in_the_database_and_sqlite_on_disk() {
    let dir =
        std::env::temp_dir().join(format!("tms-chat-files-{}", uuid::Uuid::new_v4().simple()));
    let sqlite = connect_node("sqlite::memory:", &dir)
        .await
        .expect("sqlite node");
    let key = key();
    sqlite.files.put(&key, b"on disk").await.expect("put");
    assert!(
        dir.join(&key).exists(),
        "SQLite nodes keep files under the directory"
    );
    let _ = std::fs::remove_dir_all(&dir);
    let Some(url) = database_url() else { return };
    let dir =
        std::env::temp_dir().join(format!("tms-chat-files-{}", uuid::Uuid::new_v4().simple()));
    let postgres = connect_node(&url, &dir).await.expect("postgres node");
    postgres
        .files
        .put(&key, b"in the database")
        .await
        .expect("put");
    assert!(!dir.exists(), "PostgreSQL nodes write no local files");
    let other = PostgresStore::connect(&url).await.expect("another node");
    assert_eq!(
        other.files().get(&key).await.expect("get"),
        b"in the database"
    );
    postgres.files.delete(&key).await.expect("delete");
}
