//! Domain validation: which page origins may use a widget. (Placeholder: implemented by the
//! domain-validation task.)

use serde::{Deserialize, Serialize};

/// One allowed-domain entry of a widget, parsed and normalised.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowedDomain {
    /// Normalised host (lowercase, IDNA/punycode), without a leading `*.`.
    pub host: String,
    /// `*.example.com`: any subdomain of `host` (not `host` itself).
    pub wildcard: bool,
    /// When the entry names a port, only that port matches.
    pub port: Option<u16>,
}

impl AllowedDomain {
    /// Parses an entry such as `example.com`, `*.example.com`, `example.com:8443`,
    /// `localhost`, `127.0.0.1` or `https://example.com`.
    pub fn parse(entry: &str) -> Result<Self, String> {
        Ok(AllowedDomain {
            host: entry.to_ascii_lowercase(),
            wildcard: false,
            port: None,
        })
    }
}

/// Whether a request with this `Origin` header value may use a widget allowing `allowed`.
pub fn origin_allowed(allowed: &[AllowedDomain], origin: Option<&str>) -> bool {
    let _ = (allowed, origin);
    false
}
