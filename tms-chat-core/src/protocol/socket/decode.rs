//! Decoding a text frame into a [`ClientFrame`] and its `request_id`.
//!
//! The reference decoder ([`decode_checked`]) reads the frame into a `serde_json::Value`,
//! refuses NUL characters naming the field, then reads the tagged frame from the value: it
//! gives the precise answer for every frame, valid or not, but builds the frame twice (the
//! value, then serde's buffer for an internally tagged enum). Every message is a frame, so
//! valid frames take a single pass first ([`decode_flat`]): every field any frame type has,
//! read straight from the text into one flat struct, then assembled by `type`. Whenever the
//! single pass does not produce a frame (malformed JSON, a wrong type anywhere, a missing
//! field, an escaped NUL that may be a NUL character), the reference decoder answers, so the
//! fast path can only ever agree with it (a test checks that it does).

use super::super::frames::ClientFrame;
use crate::ids::{AttachmentId, SessionId};
use serde::Deserialize;
use serde_json::Value;
use std::borrow::Cow;

/// Why a text frame is not a client frame: its `request_id` (when it had one), the reason
/// and the field at fault (when one is).
pub(super) type Malformed = (Option<Value>, String, Option<String>);

/// Decodes a text frame into a client frame and its `request_id`.
pub(super) fn decode(text: &str) -> Result<(ClientFrame, Option<Value>), Malformed> {
    // A NUL can only be written `\u0000` in JSON text; without one no string holds a NUL.
    if !text.contains("\\u0000") {
        if let Some(decoded) = decode_flat(text) {
            return Ok(decoded);
        }
    }
    decode_checked(text)
}

/// The reference decoder: every answer, with the reason and field of a refusal.
fn decode_checked(text: &str) -> Result<(ClientFrame, Option<Value>), Malformed> {
    let value: Value = match serde_json::from_str(text) {
        Ok(v @ Value::Object(_)) => v,
        Ok(_) => {
            return Err((
                None,
                "a frame must be a JSON object with a `type`".to_owned(),
                None,
            ))
        }
        Err(e) => return Err((None, format!("malformed JSON: {e}"), None)),
    };
    let request_id = value.get("request_id").cloned();
    if let Err(e) = super::super::body::refuse_nul(&value) {
        return Err((request_id, e.public_message(), e.field().map(str::to_owned)));
    }
    match serde_json::from_value(value) {
        Ok(frame) => Ok((frame, request_id)),
        Err(e) => Err((request_id, format!("invalid frame: {e}"), None)),
    }
}

/// Every field of every client frame type, as one flat object.
#[derive(Deserialize)]
struct FlatFrame<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    request_id: Option<Value>,
    session_id: Option<SessionId>,
    content: Option<String>,
    message_type: Option<String>,
    attachment_id: Option<AttachmentId>,
    client_message_id: Option<String>,
    is_typing: Option<bool>,
    preview: Option<String>,
    after_seq: Option<i64>,
    seq: Option<i64>,
}

/// The single pass: `None` whenever the frame is not plainly valid (the reference decoder
/// then answers).
fn decode_flat(text: &str) -> Option<(ClientFrame, Option<Value>)> {
    let flat: FlatFrame<'_> = serde_json::from_str(text).ok()?;
    let frame = match flat.kind.as_ref() {
        "send_message" => ClientFrame::SendMessage {
            session_id: flat.session_id,
            content: flat.content,
            message_type: flat.message_type,
            attachment_id: flat.attachment_id,
            client_message_id: flat.client_message_id,
        },
        "typing_indicator" => ClientFrame::TypingIndicator {
            session_id: flat.session_id,
            is_typing: flat.is_typing?,
            preview: flat.preview,
        },
        "subscribe" => ClientFrame::Subscribe {
            session_id: flat.session_id?,
        },
        "unsubscribe" => ClientFrame::Unsubscribe {
            session_id: flat.session_id?,
        },
        "resume" => ClientFrame::Resume {
            session_id: flat.session_id,
            after_seq: flat.after_seq,
        },
        "mark_read" => ClientFrame::MarkRead {
            session_id: flat.session_id,
            seq: flat.seq?,
        },
        "ping" => ClientFrame::Ping {},
        _ => return None,
    };
    // `"request_id": null` is echoed as `null` either way.
    let request_id = flat.request_id.filter(|v| !v.is_null());
    Some((frame, request_id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What a decoder answers, comparable: the frame, or the refusal's request id and field.
    fn outcome(decoded: Result<(ClientFrame, Option<Value>), Malformed>) -> String {
        match decoded {
            Ok((frame, rid)) => format!("{frame:?} {:?}", rid.filter(|v| !v.is_null())),
            Err((rid, _, field)) => format!("refused {rid:?} {field:?}"),
        }
    }

    fn agree(text: &str) {
        assert_eq!(
            outcome(decode(text)),
            outcome(decode_checked(text)),
            "frame {text}"
        );
    }

    #[test]
    fn valid_frames_decode_as_the_reference_decoder_does() {
        let frames = [
            r#"{"type":"send_message","session_id":"s1","content":"hi","client_message_id":"c1","request_id":7}"#,
            r#"{"type":"send_message","content":"h\u00e9\n","request_id":"r"}"#,
            r#"{"type":"send_message","message_type":"file","attachment_id":"a1","request_id":null}"#,
            r#"{"type":"typing_indicator","is_typing":true}"#,
            r#"{"type":"typing_indicator","is_typing":true,"preview":"Hello, I w"}"#,
            r#"{"type":"subscribe","session_id":"s1","extra":{"nested":[1,2]}}"#,
            r#"{"type":"unsubscribe","session_id":"s1"}"#,
            r#"{"type":"resume","after_seq":12}"#,
            r#"{"type":"mark_read","session_id":"s1","seq":3}"#,
            r#"{"type":"ping","request_id":{"any":"json"}}"#,
            r#"{"request_id":1,"type":"p\u0069ng"}"#,
        ];
        for text in frames {
            assert!(decode_flat(text).is_some(), "fast path for {text}");
            agree(text);
        }
    }

    #[test]
    fn invalid_frames_are_answered_by_the_reference_decoder() {
        let frames = [
            r#"{"type":"subscribe","request_id":5}"#,
            r#"{"type":"subscribe","session_id":null}"#,
            r#"{"type":"typing_indicator","is_typing":"yes","request_id":"r"}"#,
            r#"{"type":"mark_read","seq":"3"}"#,
            r#"{"type":"send_message","seq":"not a number","content":"x"}"#,
            r#"{"type":"send_message","content":"a\u0000b","request_id":2}"#,
            r#"{"type":"send_message","content":"a\\u0000b"}"#,
            r#"{"type":"nope","request_id":1}"#,
            r#"{"type":"ping","type":"ping"}"#,
            r#"[1,2]"#,
            r#"{"type":"ping""#,
            r#"{"request_id":3}"#,
        ];
        for text in frames {
            agree(text);
        }
    }

    fn field() -> impl Strategy<Value = String> {
        let key = prop::sample::select(vec![
            "type",
            "request_id",
            "session_id",
            "content",
            "message_type",
            "attachment_id",
            "client_message_id",
            "is_typing",
            "preview",
            "after_seq",
            "seq",
            "other",
        ]);
        let value = prop::sample::select(vec![
            r#""send_message""#,
            r#""typing_indicator""#,
            r#""subscribe""#,
            r#""resume""#,
            r#""mark_read""#,
            r#""ping""#,
            r#""s1""#,
            r#""te\u0000xt""#,
            "true",
            "null",
            "3",
            "-1",
            "1.5",
            "[]",
            "{}",
            r#"{"a":1}"#,
        ]);
        (key, value).prop_map(|(k, v)| format!("\"{k}\":{v}"))
    }

    proptest! {
        /// Whatever the frame, both decoders give the same answer.
        #[test]
        fn both_decoders_agree(fields in prop::collection::vec(field(), 0..6)) {
            let text = format!("{{{}}}", fields.join(","));
            prop_assert_eq!(outcome(decode(&text)), outcome(decode_checked(&text)), "frame {}", text);
        }
    }
}
