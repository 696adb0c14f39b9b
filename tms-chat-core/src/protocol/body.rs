//! Request decoding: JSON bodies (size → 413, syntax → 400, shape → 422 with the field)
//! and query parameters.

use super::ApiRequest;
use crate::error::{ChatError, ChatResult};
use serde::de::DeserializeOwned;

/// Decodes a JSON body. An empty body decodes as `{}` so endpoints whose fields are all
/// optional accept a bare POST.
pub(crate) fn json_body<T: DeserializeOwned>(req: &ApiRequest, max_bytes: usize) -> ChatResult<T> {
    if req.body.len() > max_bytes {
        return Err(ChatError::PayloadTooLarge(
            format!("JSON bodies may be at most {max_bytes} bytes").into(),
        ));
    }
    let bytes: &[u8] = if req.body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        // JSON is accepted whatever the declared type (`curl -d` says form-urlencoded);
        // only multipart bodies, which are never JSON, are refused.
        if let Some(ct) = req.header("content-type") {
            if ct.to_ascii_lowercase().starts_with("multipart/") {
                return Err(ChatError::UnsupportedMediaType(
                    "send the body as application/json".into(),
                ));
            }
        }
        &req.body
    };
    serde_json::from_slice(bytes).map_err(|e| {
        use serde_json::error::Category;
        match e.classify() {
            Category::Data => ChatError::invalid(field_of(&e.to_string()), e.to_string()),
            _ => ChatError::invalid("body", format!("malformed JSON: {e}")),
        }
    })
}

/// Best effort: the field serde names in its message (`missing field `x``, `unknown field `x``),
/// else `body`.
fn field_of(message: &str) -> String {
    for marker in ["missing field `", "unknown field `"] {
        if let Some(rest) = message.split(marker).nth(1) {
            if let Some(name) = rest.split('`').next() {
                return name.to_owned();
            }
        }
    }
    "body".to_owned()
}

/// Reads query parameters.
pub(crate) struct Query(Vec<(String, String)>);

impl Query {
    pub(crate) fn parse(raw: &str) -> Self {
        Query(
            url::form_urlencoded::parse(raw.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// A non-empty parameter.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// An integer parameter; a malformed one is `invalid_input` naming it.
    pub(crate) fn int(&self, name: &str) -> Result<Option<i64>, ChatError> {
        self.get(name)
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| ChatError::invalid(name, "must be an integer"))
            })
            .transpose()
    }

    /// A boolean parameter (`true`/`false`/`1`/`0`).
    pub(crate) fn flag(&self, name: &str) -> Result<bool, ChatError> {
        match self.get(name) {
            None => Ok(false),
            Some("true") | Some("1") => Ok(true),
            Some("false") | Some("0") => Ok(false),
            Some(_) => Err(ChatError::invalid(name, "must be true or false")),
        }
    }
}
