//! Request decoding: JSON bodies (size → 413, syntax → 400, shape → 422 with the field)
//! and query parameters. Text never holds a NUL character (U+0000): PostgreSQL cannot store
//! one and SQLite can, so a NUL anywhere in a JSON body, a socket frame or a query
//! parameter is refused with `422 invalid_input` naming the field, the same on both
//! databases. Other control characters are stored as sent on both.

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
    refuse_nul_in_json(bytes)?;
    serde_json::from_slice(bytes).map_err(|e| {
        use serde_json::error::Category;
        match e.classify() {
            Category::Data => ChatError::invalid(field_of(&e.to_string()), e.to_string()),
            _ => ChatError::invalid("body", format!("malformed JSON: {e}")),
        }
    })
}

/// Refuses a JSON text with a NUL character in any string (key or value). The scan is for
/// the `\u0000` escape (JSON has no other way to write one); only when it is found is the
/// body parsed to name the field (an escaped backslash before `u0000` is no NUL).
fn refuse_nul_in_json(bytes: &[u8]) -> ChatResult<()> {
    if !bytes.windows(6).any(|w| w == b"\\u0000") {
        return Ok(());
    }
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(value) => refuse_nul(&value),
        Err(_) => Ok(()), // malformed JSON: the typed parse reports it.
    }
}

/// Refuses a NUL character anywhere in `value`, naming the field (`content`,
/// `business_hours.monday`, `allowed_domains`).
pub(crate) fn refuse_nul(value: &serde_json::Value) -> ChatResult<()> {
    match nul_field(value, "") {
        Some(field) => Err(nul_refusal(if field.is_empty() { "body" } else { &field })),
        None => Ok(()),
    }
}

fn nul_refusal(field: &str) -> ChatError {
    ChatError::invalid(field, "must not contain a NUL character")
}

fn nul_field(value: &serde_json::Value, at: &str) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::String(s) if s.contains('\0') => Some(at.to_owned()),
        Value::Array(items) => items.iter().find_map(|v| nul_field(v, at)),
        Value::Object(map) => map.iter().find_map(|(key, v)| {
            let path = if at.is_empty() {
                key.clone()
            } else {
                format!("{at}.{key}")
            };
            if key.contains('\0') {
                return Some(path);
            }
            nul_field(v, &path)
        }),
        _ => None,
    }
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

    /// Refuses a query string with a NUL character in a parameter's name or value, naming
    /// the parameter.
    pub(crate) fn refuse_nul(raw: &str) -> ChatResult<()> {
        if !raw.contains("%00") && !raw.contains('\0') {
            return Ok(());
        }
        for (name, value) in url::form_urlencoded::parse(raw.as_bytes()) {
            if name.contains('\0') || value.contains('\0') {
                return Err(nul_refusal(&name.replace('\0', "")));
            }
        }
        Ok(())
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
