//! Canned (quick) responses: tenant-wide templates agents insert with a shortcut.

use crate::error::{ChatError, ChatResult};
use crate::ids::{CannedResponseId, TenantId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Longest shortcut accepted.
pub const MAX_SHORTCUT_LEN: usize = 64;
/// Longest canned text accepted.
pub const MAX_CANNED_TEXT_LEN: usize = 4000;

/// A canned response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CannedResponse {
    /// Id.
    pub id: CannedResponseId,
    /// Owning tenant.
    pub tenant_id: TenantId,
    /// Shortcut typed by agents, e.g. `/hello` or `hello`; unique per tenant.
    pub shortcut: String,
    /// The text inserted.
    pub text: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// Validates and normalises a shortcut and text.
pub fn validate_canned(shortcut: &str, text: &str) -> ChatResult<(String, String)> {
    let shortcut = shortcut.trim();
    if shortcut.is_empty() {
        return Err(ChatError::invalid("shortcut", "must not be empty"));
    }
    if shortcut.chars().count() > MAX_SHORTCUT_LEN {
        return Err(ChatError::invalid(
            "shortcut",
            format!("must be at most {MAX_SHORTCUT_LEN} characters"),
        ));
    }
    if shortcut.chars().any(char::is_whitespace) {
        return Err(ChatError::invalid("shortcut", "must not contain spaces"));
    }
    if text.trim().is_empty() {
        return Err(ChatError::invalid("text", "must not be empty"));
    }
    if text.chars().count() > MAX_CANNED_TEXT_LEN {
        return Err(ChatError::invalid(
            "text",
            format!("must be at most {MAX_CANNED_TEXT_LEN} characters"),
        ));
    }
    Ok((shortcut.to_owned(), text.to_owned()))
}
