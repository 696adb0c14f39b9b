//! The reference server's ticket sink: each ticket is a JSON file (session, transcript, notes)
//! under `<data dir>/tickets/`, standing in for the host TMS's ticket API. A host replaces it
//! with its own [`TicketSink`].

use async_trait::async_trait;
use std::path::PathBuf;
use tms_chat_core::ticket::{TicketRef, TicketRequest, TicketSink};
use tms_chat_core::{ChatError, ChatResult};

/// Writes tickets as JSON files.
pub(crate) struct FileTicketSink {
    dir: PathBuf,
}

impl FileTicketSink {
    /// Tickets under `dir`.
    pub(crate) fn new(dir: PathBuf) -> Self {
        Self { dir }
    }
}

#[async_trait]
impl TicketSink for FileTicketSink {
    async fn create_ticket(&self, request: TicketRequest) -> ChatResult<TicketRef> {
        tokio::fs::create_dir_all(&self.dir)
            .await
            .map_err(ChatError::internal)?;
        let id = format!(
            "TCK-{}",
            request.session.id.as_str().trim_start_matches("ses_")
        );
        let body = serde_json::to_vec_pretty(&serde_json::json!({
            "id": id,
            "subject": request.subject.clone().unwrap_or_else(|| format!(
                "Chat with {}",
                request.session.customer_email.clone().unwrap_or_else(|| "a website visitor".into())
            )),
            "reason": request.reason,
            "requested_by": request.requested_by,
            "session": request.session,
            "transcript": request.transcript,
            "notes": request.notes,
        }))
        .map_err(ChatError::internal)?;
        let path = self.dir.join(format!("{id}.json"));
        tokio::fs::write(&path, body)
            .await
            .map_err(ChatError::internal)?;
        Ok(TicketRef { id, url: None })
    }
}
