//! Attachments: uploads (multipart `file` part, or the raw body with `?filename=`) and
//! downloads, served so a browser never runs them (`nosniff`, a sandboxing CSP, inline only
//! for safe images). The public (customer) endpoints use the same two functions.

use super::AgentCall;
use crate::error::{ChatError, ChatResult};
use crate::ids::{AttachmentId, SessionId};
use crate::protocol::body::Query;
use crate::protocol::views::AttachmentView;
use crate::protocol::{ApiRequest, ApiResponse};
use crate::service::UploadedFile;

/// `POST /v1/chat/sessions/{id}/attachments`.
pub(super) async fn upload(call: &AgentCall<'_>) -> ChatResult<ApiResponse> {
    let file = upload_from(call.req, call.api.config().max_upload_body_bytes).await?;
    let id: SessionId = call.id();
    let attachment = call
        .service()
        .upload_attachment(&call.actor(), &id, file)
        .await?;
    Ok(ApiResponse::json(201, &AttachmentView::from(&attachment)))
}

/// `GET /v1/chat/attachments/{id}`.
pub(super) async fn download(call: &AgentCall<'_>) -> ChatResult<ApiResponse> {
    let id: AttachmentId = call.id();
    let (attachment, bytes) = call
        .service()
        .download_attachment(&call.actor(), &id)
        .await?;
    Ok(file_response(&attachment, bytes))
}

/// Reads an upload: `multipart/form-data` with a `file` part, or the raw body with
/// `?filename=`.
pub(crate) async fn upload_from(req: &ApiRequest, max_bytes: usize) -> ChatResult<UploadedFile> {
    if req.body.len() > max_bytes {
        return Err(ChatError::PayloadTooLarge("upload too large".into()));
    }
    let content_type = req.header("content-type").unwrap_or("");
    if content_type
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        let boundary = multer::parse_boundary(content_type)
            .map_err(|_| ChatError::invalid("file", "multipart body without a boundary"))?;
        let body = req.body.clone();
        let stream = futures::stream::once(async move { Ok::<_, std::io::Error>(body) });
        let mut multipart = multer::Multipart::new(stream, boundary);
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|e| ChatError::invalid("file", format!("malformed multipart body: {e}")))?
        {
            if field.name() == Some("file") {
                let file_name = field.file_name().unwrap_or("file").to_owned();
                let bytes = field.bytes().await.map_err(|e| {
                    ChatError::invalid("file", format!("malformed multipart body: {e}"))
                })?;
                return Ok(UploadedFile { file_name, bytes });
            }
        }
        return Err(ChatError::invalid(
            "file",
            "the multipart body has no `file` part",
        ));
    }
    let q = Query::parse(&req.query);
    Ok(UploadedFile {
        file_name: q.get("filename").unwrap_or("file").to_owned(),
        bytes: req.body.clone(),
    })
}

/// Serves a stored file: `nosniff` always; inline only for safe images.
pub(crate) fn file_response(a: &crate::domain::Attachment, bytes: Vec<u8>) -> ApiResponse {
    let disposition_kind = if crate::upload::is_inline_image(&a.content_type) {
        "inline"
    } else {
        "attachment"
    };
    let ascii_name: String = a
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = url::form_urlencoded::byte_serialize(a.name.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    ApiResponse {
        status: 200,
        headers: vec![
            ("content-type".to_owned(), a.content_type.clone()),
            ("x-content-type-options".to_owned(), "nosniff".to_owned()),
            (
                "content-disposition".to_owned(),
                format!(
                    "{disposition_kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{encoded}"
                ),
            ),
            (
                "cache-control".to_owned(),
                "private, max-age=300".to_owned(),
            ),
            (
                "content-security-policy".to_owned(),
                "default-src 'none'; sandbox".to_owned(),
            ),
        ],
        body: bytes::Bytes::from(bytes),
    }
}
