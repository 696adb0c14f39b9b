//! Encryption at rest through the service: with a key ring, message content, note content and
//! file bytes reach the store and the blob store sealed, while every reader (history, notes,
//! downloads, the sender's acknowledgement) gets them back in clear; a rotated ring seals
//! with the newest key and still opens what older keys sealed.

#![allow(clippy::unwrap_used)] // Tests unwrap: a panic is a failed test.

use std::path::PathBuf;
use std::sync::Arc;

use tms_chat_core::auth::{Actor, CustomerPrincipal};
use tms_chat_core::blob::{BlobStore, LocalDiskBlobStore};
use tms_chat_core::domain::{Agent, Role, Session};
use tms_chat_core::encryption::KeyRing;
use tms_chat_core::ids::TenantId;
use tms_chat_core::service::{ChatService, SendMessage, StartCustomerSession, UploadedFile};
use tms_chat_core::store::{ChatStore, HistoryQuery};
use tms_chat_core::test_utils::{seed_agents, seed_tenant, seed_widget, MemoryStore};

const ORIGIN: Option<&str> = Some("https://shop.example.com");
const PNG: &[u8] = b"\x89PNG\r\n\x1a\nsecret-scan-of-a-passport";

fn ring(ids: &[&str]) -> Arc<KeyRing> {
    let keys = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.to_string(), [i as u8 + 40; 32]));
    Arc::new(KeyRing::new(keys).unwrap())
}

struct World {
    raw: Arc<MemoryStore>,
    files: PathBuf,
    agent: Agent,
    session: Session,
    customer: CustomerPrincipal,
}

fn service(w: &World, keys: Arc<KeyRing>) -> ChatService {
    build(&w.raw, &w.files, keys)
}

fn build(raw: &Arc<MemoryStore>, files: &std::path::Path, keys: Arc<KeyRing>) -> ChatService {
    let blobs: Arc<dyn BlobStore> = Arc::new(LocalDiskBlobStore::new(files));
    ChatService::builder(raw.clone())
        .blob_store(blobs)
        .encryption(keys)
        .build()
}

async fn world(keys: Arc<KeyRing>) -> (World, ChatService) {
    let unique = uuid::Uuid::now_v7().simple().to_string();
    let tenant = TenantId::new(format!("t-{unique}"));
    let raw = Arc::new(MemoryStore::new());
    seed_tenant(&*raw, &tenant, "Shop").await;
    let agent = Agent::new("agent", tenant.clone(), "Sam")
        .with_role(Role::Admin)
        .with_role(Role::Supervisor);
    seed_agents(&*raw, &[&agent]).await;
    let files = std::env::temp_dir().join(format!("tms-chat-encryption-{unique}"));
    let svc = build(&raw, &files, keys);
    let widget = seed_widget(&svc, &agent, "Support", "shop.example.com").await;
    let started = svc
        .start_customer_session(&widget.id, ORIGIN, StartCustomerSession::default())
        .await
        .unwrap();
    let customer = svc
        .authenticate_customer(&started.customer_token)
        .await
        .unwrap();
    let w = World {
        raw,
        files,
        agent,
        session: started.session,
        customer,
    };
    (w, svc)
}

fn text(content: &str) -> SendMessage {
    SendMessage {
        content: content.into(),
        ..Default::default()
    }
}

async fn raw_contents(w: &World) -> Vec<String> {
    let tenant = &w.session.tenant_id;
    let query = HistoryQuery {
        after_seq: None,
        before_seq: None,
        limit: 100,
    };
    let messages = w
        .raw
        .list_messages(tenant, &w.session.id, query)
        .await
        .unwrap();
    messages.into_iter().map(|m| m.content).collect()
}

async fn all_file_bytes(dir: &std::path::Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(mut entries) = tokio::fs::read_dir(&dir).await else {
            continue;
        };
        while let Some(entry) = entries.next_entry().await.unwrap() {
            if entry.file_type().await.unwrap().is_dir() {
                pending.push(entry.path());
            } else {
                bytes.extend(tokio::fs::read(entry.path()).await.unwrap());
            }
        }
    }
    bytes
}

#[tokio::test]
async fn content_notes_and_files_are_sealed_at_rest_and_clear_to_readers() {
    let (w, svc) = world(ring(&["k1"])).await;
    let customer = Actor::Customer(&w.customer);
    let agent = Actor::Agent(&w.agent);

    let sent = svc
        .send_message(&customer, &w.session.id, text("my card is 4242 4242"))
        .await
        .unwrap();
    assert_eq!(sent.message.content, "my card is 4242 4242");
    let note = svc
        .add_note(&w.agent, &w.session.id, "VIP: owes us 300")
        .await
        .unwrap();
    assert_eq!(note.content, "VIP: owes us 300");
    let file = UploadedFile {
        file_name: "scan.png".into(),
        bytes: bytes::Bytes::from_static(PNG),
    };
    let attachment = svc
        .upload_attachment(&agent, &w.session.id, file)
        .await
        .unwrap();

    // At rest: sealed under k1, no plaintext anywhere.
    let stored = raw_contents(&w).await;
    assert!(
        stored.iter().any(|c| c.starts_with("tmsenc1:k1:")),
        "{stored:?}"
    );
    assert!(stored.iter().all(|c| !c.contains("4242")), "{stored:?}");
    let notes = w
        .raw
        .list_notes(&w.session.tenant_id, &w.session.id)
        .await
        .unwrap();
    assert!(notes[0].content.starts_with("tmsenc1:k1:"));
    assert!(!notes[0].content.contains("300"));
    let on_disk = all_file_bytes(&w.files).await;
    assert!(!on_disk.is_empty());
    assert!(!on_disk.windows(8).any(|window| window == b"passport"));

    // Readers get the clear text.
    let history = svc
        .history(
            &customer,
            &w.session.id,
            HistoryQuery {
                after_seq: None,
                before_seq: None,
                limit: 50,
            },
        )
        .await
        .unwrap();
    assert!(history.iter().any(|m| m.content == "my card is 4242 4242"));
    let notes = svc.list_notes(&agent, &w.session.id).await.unwrap();
    assert_eq!(notes[0].content, "VIP: owes us 300");
    let (_, bytes) = svc
        .download_attachment(&agent, &attachment.id)
        .await
        .unwrap();
    assert_eq!(bytes, PNG);
    let _ = tokio::fs::remove_dir_all(&w.files).await;
}

#[tokio::test]
async fn a_rotated_ring_seals_with_the_newest_key_and_opens_the_older_records() {
    let (w, svc) = world(ring(&["k1"])).await;
    let customer = Actor::Customer(&w.customer);
    svc.send_message(&customer, &w.session.id, text("before rotation"))
        .await
        .unwrap();

    let rotated = service(&w, ring(&["k1", "k2"]));
    rotated
        .send_message(&customer, &w.session.id, text("after rotation"))
        .await
        .unwrap();
    let stored = raw_contents(&w).await;
    assert!(
        stored.iter().any(|c| c.starts_with("tmsenc1:k1:")),
        "{stored:?}"
    );
    assert!(
        stored.iter().any(|c| c.starts_with("tmsenc1:k2:")),
        "{stored:?}"
    );
    let query = HistoryQuery {
        after_seq: None,
        before_seq: None,
        limit: 50,
    };
    let contents: Vec<String> = rotated
        .history(&customer, &w.session.id, query)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.content)
        .collect();
    assert!(
        contents.contains(&"before rotation".to_string()),
        "{contents:?}"
    );
    assert!(
        contents.contains(&"after rotation".to_string()),
        "{contents:?}"
    );

    // A ring without the older key cannot read what it sealed: an error, not garbage.
    let without_k1 = service(&w, ring(&["k2"]));
    let query = HistoryQuery {
        after_seq: None,
        before_seq: None,
        limit: 50,
    };
    assert!(without_k1
        .history(&customer, &w.session.id, query)
        .await
        .is_err());
    let _ = tokio::fs::remove_dir_all(&w.files).await;
}
