//! Messages: sending (text and files, idempotent by `client_message_id`), history, and the
//! attachment upload/download that file messages refer to.

use super::access::not_found_as;
use super::append_queue::PendingAppend;
use super::ChatService;
use crate::auth::Actor;
use crate::domain::Message;
use crate::domain::{Attachment, MessageKind, NewMessage, SenderType, Session};
use crate::error::{ChatError, ChatResult};
use crate::ids::{AttachmentId, MessageId, SessionId};
use crate::store::{Appended, HistoryQuery, MAX_PAGE_SIZE};
use serde::Deserialize;

/// Longest `client_message_id`.
const MAX_CLIENT_MESSAGE_ID: usize = 100;
/// Longest file name kept.
const MAX_FILE_NAME_CHARS: usize = 200;

/// A message to send.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(optional_fields = nullable))]
pub struct SendMessage {
    /// Text, or a file's caption.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<String>", optional))]
    pub content: String,
    /// `text` (default) or `file`.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(type = r#""text" | "file""#, optional = nullable))]
    pub message_type: Option<String>,
    /// For `file`: the id returned by the upload.
    #[serde(default)]
    pub attachment_id: Option<AttachmentId>,
    /// The sender's idempotency key: a retry with the same key returns the stored message.
    #[serde(default)]
    pub client_message_id: Option<String>,
}

/// A file as received by an adapter.
#[derive(Clone, Debug)]
pub struct UploadedFile {
    /// The client's file name (kept as text only).
    pub file_name: String,
    /// The bytes.
    pub bytes: bytes::Bytes,
}

impl ChatService {
    /// Sends a message into a session as the actor (customer or agent). Agents may write in
    /// any session they can see; nobody writes into an ended session.
    pub async fn send_message(
        &self,
        actor: &Actor<'_>,
        session_id: &SessionId,
        request: SendMessage,
    ) -> ChatResult<Appended> {
        self.submit_message(actor, session_id, request)
            .await?
            .committed()
            .await
    }

    /// Checks and queues a message without waiting for its commit, so one connection can
    /// pipeline its sends: messages submitted in order get increasing `seq`s, and each
    /// returned [`PendingAppend`] resolves after its own commit.
    pub async fn submit_message(
        &self,
        actor: &Actor<'_>,
        session_id: &SessionId,
        request: SendMessage,
    ) -> ChatResult<PendingAppend> {
        let session = self.visible_session(actor, session_id).await?;
        self.submit_into(actor, std::sync::Arc::new(session), request)
            .await
    }

    /// [`ChatService::submit_message`] for a session the caller already resolved for this
    /// actor through [`ChatService::get_session`] (a customer connection keeps its own
    /// session, refreshed by the session's events), saving a read per message.
    pub(crate) async fn submit_into(
        &self,
        actor: &Actor<'_>,
        session: std::sync::Arc<crate::domain::Session>,
        request: SendMessage,
    ) -> ChatResult<PendingAppend> {
        session
            .status
            .accepts_messages()
            .map_err(|_| ChatError::conflict("session has ended"))?;
        let kind = match request.message_type.as_deref().unwrap_or("text") {
            "text" => MessageKind::Text,
            "file" => MessageKind::File,
            _ => return Err(ChatError::invalid("message_type", "must be text or file")),
        };
        let content = request.content;
        self.check_content(kind, &content)?;
        let client_message_id = clean_client_message_id(request.client_message_id)?;
        let attachment = self
            .message_attachment(kind, request.attachment_id, &session)
            .await?;
        let (sender_type, sender_agent_id) = match actor {
            Actor::Agent(a) => (SenderType::Agent, Some(a.id.clone())),
            Actor::Customer(_) => (SenderType::Customer, None),
        };
        let message = NewMessage {
            id: MessageId::generate(),
            tenant_id: session.tenant_id.clone(),
            session_id: session.id.clone(),
            sender_type,
            sender_agent_id,
            kind,
            content,
            attachment,
            system_event: None,
            client_message_id,
            created_at: self.clock.now(),
        };
        self.append_queue().enqueue(message, session).await
    }

    /// A message's text: within the length limit, not blank (text messages), no control
    /// characters besides line breaks and tabs.
    fn check_content(&self, kind: MessageKind, content: &str) -> ChatResult<()> {
        let max = self.config.max_message_chars;
        if content.chars().count() > max {
            return Err(ChatError::invalid(
                "content",
                format!("must be at most {max} characters"),
            ));
        }
        if kind == MessageKind::Text && content.trim().is_empty() {
            return Err(ChatError::invalid("content", "must not be empty"));
        }
        if content
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
        {
            return Err(ChatError::invalid(
                "content",
                "must not contain control characters",
            ));
        }
        Ok(())
    }

    /// The attachment a file message carries: required, and uploaded to this session; other
    /// messages carry none.
    async fn message_attachment(
        &self,
        kind: MessageKind,
        attachment_id: Option<AttachmentId>,
        session: &crate::domain::Session,
    ) -> ChatResult<Option<Attachment>> {
        if kind != MessageKind::File {
            if attachment_id.is_some() {
                return Err(ChatError::invalid(
                    "attachment_id",
                    "only file messages carry an attachment",
                ));
            }
            return Ok(None);
        }
        let id = attachment_id
            .ok_or_else(|| ChatError::invalid("attachment_id", "is required for file messages"))?;
        let attachment = self
            .store
            .get_attachment(&session.tenant_id, &id)
            .await
            .map_err(not_found_as("attachment"))?;
        if attachment.session_id != session.id {
            return Err(ChatError::NotFound("attachment"));
        }
        Ok(Some(attachment))
    }

    /// Reads a slice of a session's history in sequence order.
    pub async fn history(
        &self,
        actor: &Actor<'_>,
        session_id: &SessionId,
        mut query: HistoryQuery,
    ) -> ChatResult<Vec<Message>> {
        let session = self.visible_session(actor, session_id).await?;
        if query.limit == 0 {
            query.limit = 100;
        }
        query.limit = query.limit.min(MAX_PAGE_SIZE);
        if query.after_seq.is_some_and(|s| s < 0) {
            return Err(ChatError::invalid("after_seq", "must not be negative"));
        }
        if query.before_seq.is_some_and(|s| s < 1) {
            return Err(ChatError::invalid("before_seq", "must be positive"));
        }
        Ok(self
            .store
            .list_messages(&session.tenant_id, &session.id, query)
            .await?)
    }

    /// Stores an uploaded file for a session (its customer, when the widget allows uploads,
    /// or an agent who can see it). The type is decided from the bytes.
    pub async fn upload_attachment(
        &self,
        actor: &Actor<'_>,
        session_id: &SessionId,
        file: UploadedFile,
    ) -> ChatResult<Attachment> {
        let blobs = self
            .blobs
            .as_ref()
            .ok_or_else(|| ChatError::forbidden("file uploads are not configured"))?;
        let session = self.visible_session(actor, session_id).await?;
        session
            .status
            .accepts_messages()
            .map_err(|_| ChatError::conflict("session has ended"))?;
        let widget = self
            .store
            .get_widget(&session.tenant_id, &session.widget_id)
            .await
            .ok();
        let max = widget
            .as_ref()
            .map(|w| w.max_upload_bytes)
            .unwrap_or(crate::domain::widget::DEFAULT_MAX_UPLOAD_BYTES);
        if let Actor::Customer(_) = actor {
            if !widget.as_ref().is_some_and(|w| w.allow_file_uploads) {
                return Err(ChatError::forbidden("this widget does not accept files"));
            }
        }
        if file.bytes.is_empty() {
            return Err(ChatError::invalid("file", "is empty"));
        }
        if i64::try_from(file.bytes.len()).unwrap_or(i64::MAX) > max {
            return Err(ChatError::PayloadTooLarge(
                format!("files may be at most {max} bytes").into(),
            ));
        }
        let name = clean_file_name(&file.file_name);
        let content_type =
            crate::upload::sniff_content_type(&file.bytes, &name).ok_or_else(|| {
                ChatError::UnsupportedMediaType("this file type is not accepted".into())
            })?;
        let id = AttachmentId::generate();
        let storage_key = format!("{}/{}", hex_key(session.tenant_id.as_str()), id.as_str());
        blobs.put(&storage_key, &file.bytes).await?;
        let attachment = Attachment {
            id,
            tenant_id: session.tenant_id.clone(),
            session_id: session.id.clone(),
            name,
            size: i64::try_from(file.bytes.len()).unwrap_or(i64::MAX),
            content_type: content_type.to_owned(),
            storage_key,
            uploaded_by: match actor {
                Actor::Agent(_) => SenderType::Agent,
                Actor::Customer(_) => SenderType::Customer,
            },
            created_at: self.clock.now(),
        };
        if let Err(e) = self.store.insert_attachment(&attachment).await {
            let _ = blobs.delete(&attachment.storage_key).await;
            return Err(e.into());
        }
        Ok(attachment)
    }

    /// An attachment's metadata and bytes, for the session's customer and agents who can see
    /// the session.
    pub async fn download_attachment(
        &self,
        actor: &Actor<'_>,
        id: &AttachmentId,
    ) -> ChatResult<(Attachment, Vec<u8>)> {
        let blobs = self
            .blobs
            .as_ref()
            .ok_or(ChatError::NotFound("attachment"))?;
        let attachment = self
            .store
            .get_attachment(actor.tenant_id(), id)
            .await
            .map_err(not_found_as("attachment"))?;
        self.visible_session(actor, &attachment.session_id)
            .await
            .map_err(|_| ChatError::NotFound("attachment"))?;
        let bytes = blobs.get(&attachment.storage_key).await?;
        Ok((attachment, bytes))
    }

    /// Appends through the group-commit queue, which publishes `new_message` (only for a
    /// newly stored message, not for a retried one) in commit order.
    pub(crate) async fn store_and_publish(
        &self,
        session: &Session,
        message: NewMessage,
    ) -> ChatResult<Appended> {
        self.append_queue()
            .enqueue(message, std::sync::Arc::new(session.clone()))
            .await?
            .committed()
            .await
    }
}

/// Keeps a file name displayable: no path, no control characters, bounded length.
fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_FILE_NAME_CHARS)
        .collect();
    let cleaned = cleaned.trim().to_owned();
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." {
        "file".to_owned()
    } else {
        cleaned
    }
}

/// A tenant id as a safe blob-key segment.
fn hex_key(s: &str) -> String {
    hex::encode(s.as_bytes())
}

/// A retry key: trimmed, empty means none, at most [`MAX_CLIENT_MESSAGE_ID`] characters.
fn clean_client_message_id(given: Option<String>) -> ChatResult<Option<String>> {
    match given.map(|c| c.trim().to_owned()) {
        Some(c) if c.is_empty() => Ok(None),
        Some(c) if c.chars().count() > MAX_CLIENT_MESSAGE_ID => Err(ChatError::invalid(
            "client_message_id",
            format!("must be at most {MAX_CLIENT_MESSAGE_ID} characters"),
        )),
        other => Ok(other),
    }
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn file_names_lose_paths_and_control_characters() {
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("C:\\Users\\a\\report.pdf"), "report.pdf");
        assert_eq!(clean_file_name("a\u{0}b\nc.txt"), "abc.txt");
        assert_eq!(clean_file_name(".."), "file");
        assert_eq!(clean_file_name(""), "file");
    }
}
