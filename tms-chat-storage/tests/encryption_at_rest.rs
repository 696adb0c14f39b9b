//! Encryption at rest on the real databases: with a key ring on the service, the `content`
//! columns of `messages` and `notes` (and, on PostgreSQL, the `files` table's bytes) hold only
//! sealed values, read here with plain SQL, while the service reads them back in clear. After
//! a key rotation the re-encryption pass re-seals them under the new key, and a service that
//! holds only the new key reads everything. SQLite always; PostgreSQL against `DATABASE_URL`
//! (without it the test prints `skipped: …`). Key ids are unique per run, so a pass on a shared
//! database leaves other tests' records alone (they are counted as skipped).

#![allow(clippy::unwrap_used)] // Tests unwrap: a panic is a failed test.

use std::sync::Arc;

use sqlx::Row;
use tms_chat_core::auth::Actor;
use tms_chat_core::domain::{Agent, Role};
use tms_chat_core::encryption::KeyRing;
use tms_chat_core::ids::{SessionId, TenantId};
use tms_chat_core::service::{ChatService, SendMessage, StartCustomerSession, UploadedFile};
use tms_chat_core::store::HistoryQuery;
use tms_chat_core::test_utils::{seed_agents, seed_tenant, seed_widget};
use tms_chat_storage::{connect_node, NodeStorage, PostgresStore, SqliteStore};

const FILE: &[u8] = b"\x89PNG\r\n\x1a\nthe-customer-passport";
const SECRET_MESSAGE: &str = "iban DE89 3704";
const SECRET_NOTE: &str = "fraud suspected";

/// The three rings of a rotation: the old key, both (the new one seals), the new key alone.
struct Rings {
    old_id: String,
    new_id: String,
    old: Arc<KeyRing>,
    both: Arc<KeyRing>,
    new: Arc<KeyRing>,
}

fn rings() -> Rings {
    let unique = uuid::Uuid::now_v7().simple().to_string();
    let (old_id, new_id) = (
        format!("old{}", &unique[16..]),
        format!("new{}", &unique[16..]),
    );
    let ring = |keys: Vec<(&str, u8)>| {
        Arc::new(KeyRing::new(keys.into_iter().map(|(id, b)| (id.to_owned(), [b; 32]))).unwrap())
    };
    Rings {
        old: ring(vec![(&old_id, 1)]),
        both: ring(vec![(&old_id, 1), (&new_id, 2)]),
        new: ring(vec![(&new_id, 2)]),
        old_id,
        new_id,
    }
}

fn service(storage: &NodeStorage, keys: Arc<KeyRing>) -> ChatService {
    ChatService::builder(storage.store.clone())
        .blob_store(storage.files.clone())
        .encryption(keys)
        .build()
}

struct Chat {
    admin: Agent,
    session: SessionId,
    attachment: tms_chat_core::domain::Attachment,
}

/// A session with a message, a note and a file, written through a service holding `keys`.
async fn chat(storage: &NodeStorage, keys: Arc<KeyRing>) -> Chat {
    let svc = service(storage, keys);
    let unique = uuid::Uuid::now_v7().simple().to_string();
    let tenant = TenantId::new(format!("enc-{unique}"));
    seed_tenant(&*storage.store, &tenant, "Shop").await;
    let admin = Agent::new("admin", tenant, "Ada").with_role(Role::Admin);
    seed_agents(&*storage.store, &[&admin]).await;
    let widget = seed_widget(&svc, &admin, "Support", "shop.example.com").await;
    let origin = Some("https://shop.example.com");
    let session = svc
        .start_customer_session(&widget.id, origin, StartCustomerSession::default())
        .await
        .unwrap()
        .session
        .id;
    let agent = Actor::Agent(&admin);
    let message = SendMessage {
        content: SECRET_MESSAGE.into(),
        ..Default::default()
    };
    svc.send_message(&agent, &session, message).await.unwrap();
    svc.add_note(&admin, &session, SECRET_NOTE).await.unwrap();
    let file = UploadedFile {
        file_name: "scan.png".into(),
        bytes: bytes::Bytes::from_static(FILE),
    };
    let attachment = svc.upload_attachment(&agent, &session, file).await.unwrap();
    Chat {
        admin,
        session,
        attachment,
    }
}

/// Everything reads back in clear through a service holding `keys`.
async fn assert_reads_in_clear(storage: &NodeStorage, keys: Arc<KeyRing>, chat: &Chat) {
    let svc = service(storage, keys);
    let agent = Actor::Agent(&chat.admin);
    let query = HistoryQuery {
        after_seq: None,
        before_seq: None,
        limit: 10,
    };
    let history = svc.history(&agent, &chat.session, query).await.unwrap();
    assert!(history.iter().any(|m| m.content == SECRET_MESSAGE));
    let notes = svc.list_notes(&agent, &chat.session).await.unwrap();
    assert_eq!(notes[0].content, SECRET_NOTE);
    let (_, bytes) = svc
        .download_attachment(&agent, &chat.attachment.id)
        .await
        .unwrap();
    assert_eq!(bytes, FILE);
}

fn assert_sealed(contents: &[String], key_id: &str, secret: &str) {
    assert!(!contents.is_empty());
    for content in contents {
        assert!(
            content.starts_with(&format!("tmsenc1:{key_id}:")),
            "{content}"
        );
        assert!(!content.contains(secret), "{content}");
    }
}

fn content_query(table: &str) -> &'static str {
    match table {
        "messages" => "SELECT content FROM messages WHERE session_id = $1",
        _ => "SELECT content FROM notes WHERE session_id = $1",
    }
}

/// The session's message and note contents as stored.
macro_rules! stored_contents {
    ($pool:expr, $chat:expr, $table:expr) => {{
        let rows = sqlx::query(content_query($table))
            .bind($chat.session.as_str())
            .fetch_all($pool)
            .await
            .unwrap();
        rows.iter()
            .map(|r| r.get::<String, _>("content"))
            .collect::<Vec<_>>()
    }};
}

#[tokio::test]
async fn sqlite_holds_only_sealed_content_and_a_rotation_reseals_it() {
    let dir = std::env::temp_dir().join(format!("tms-enc-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("chat.db").display());
    let storage = connect_node(&url, dir.join("files")).await.unwrap();
    let raw = SqliteStore::connect(&url).await.unwrap();
    let keys = rings();

    let chat = chat(&storage, keys.old.clone()).await;
    assert_reads_in_clear(&storage, keys.old.clone(), &chat).await;
    let messages = stored_contents!(raw.pool(), chat, "messages");
    assert_sealed(&messages, &keys.old_id, "DE89");
    assert_sealed(
        &stored_contents!(raw.pool(), chat, "notes"),
        &keys.old_id,
        "fraud",
    );

    let report = storage.reencrypt(&keys.both).await.unwrap();
    assert_eq!(
        (report.messages, report.notes, report.files, report.skipped),
        (messages.len() as u64, 1, 1, 0)
    );
    assert_sealed(
        &stored_contents!(raw.pool(), chat, "messages"),
        &keys.new_id,
        "DE89",
    );
    assert_sealed(
        &stored_contents!(raw.pool(), chat, "notes"),
        &keys.new_id,
        "fraud",
    );
    assert_reads_in_clear(&storage, keys.new.clone(), &chat).await;
    let again = storage.reencrypt(&keys.both).await.unwrap();
    assert_eq!((again.messages, again.notes, again.files), (0, 0, 0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn postgres_holds_only_sealed_content_and_files_and_a_rotation_reseals_them() {
    let Some(url) = std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()) else {
        assert!(
            std::env::var_os("TMS_CHAT_REQUIRE_ALL_TESTS").is_none(),
            "TMS_CHAT_REQUIRE_ALL_TESTS is set but DATABASE_URL is not"
        );
        eprintln!("skipped: DATABASE_URL not set (PostgreSQL encryption-at-rest test)");
        return;
    };
    let storage = connect_node(&url, std::env::temp_dir()).await.unwrap();
    let raw = PostgresStore::connect(&url).await.unwrap();
    let keys = rings();

    let chat = chat(&storage, keys.old.clone()).await;
    let chat_key = chat.attachment.storage_key.clone();
    let stored_file = || async {
        let row = sqlx::query("SELECT bytes FROM files WHERE storage_key = $1")
            .bind(&chat_key)
            .fetch_one(raw.pool())
            .await
            .unwrap();
        row.get::<Vec<u8>, _>("bytes")
    };
    assert_reads_in_clear(&storage, keys.old.clone(), &chat).await;
    assert_sealed(
        &stored_contents!(raw.pool(), chat, "messages"),
        &keys.old_id,
        "DE89",
    );
    assert_sealed(
        &stored_contents!(raw.pool(), chat, "notes"),
        &keys.old_id,
        "fraud",
    );
    let bytes = stored_file().await;
    assert!(bytes.starts_with(b"TMSE1"));
    assert!(!bytes.windows(8).any(|w| w == b"passport"));

    let report = storage.reencrypt(&keys.both).await.unwrap();
    assert!(
        report.messages >= 1 && report.notes >= 1 && report.files >= 1,
        "{report:?}"
    );
    assert_sealed(
        &stored_contents!(raw.pool(), chat, "messages"),
        &keys.new_id,
        "DE89",
    );
    assert_sealed(
        &stored_contents!(raw.pool(), chat, "notes"),
        &keys.new_id,
        "fraud",
    );
    let resealed = stored_file().await;
    assert_ne!(resealed, bytes);
    assert!(!resealed.windows(8).any(|w| w == b"passport"));
    assert_reads_in_clear(&storage, keys.new.clone(), &chat).await;
}
