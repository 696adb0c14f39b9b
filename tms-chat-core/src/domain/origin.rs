//! Domain validation: which page origins may use a widget.
//!
//! This module owns two things:
//!
//! * [`AllowedDomain::parse`], which turns an allowed-domain entry as an admin types it
//!   (`example.com`, `*.example.com`, `example.com:8443`, `[::1]`, `bücher.example`,
//!   `https://example.com/`) into a normalised rule, rejecting anything ambiguous;
//! * [`origin_allowed`], which decides whether a raw `Origin` header value matches one of
//!   those rules.
//!
//! Hosts on both sides are normalised by the `url` crate (lowercase, IDNA/punycode), so
//! comparison is a plain ASCII comparison. The matcher fails closed: anything that is not a
//! bare `http`/`https` origin with a well-formed host is refused.

use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};
use url::{Host, Url};

/// Longest entry accepted by [`AllowedDomain::parse`], in bytes.
const MAX_ENTRY_LEN: usize = 512;
/// Longest `Origin` header value considered by [`origin_allowed`], in bytes.
const MAX_ORIGIN_LEN: usize = 1024;
/// Longest normalised host name accepted in an entry (DNS limit).
const MAX_HOST_LEN: usize = 253;
/// Longest label of a host name accepted in an entry (DNS limit).
const MAX_LABEL_LEN: usize = 63;

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
    ///
    /// Surrounding whitespace is ignored. An `http://` or `https://` scheme and a single
    /// trailing `/` are accepted and ignored; anything else beyond a host and an optional
    /// port (path, query, fragment, user name, other schemes, percent-escapes) is an error.
    /// The error is a short human-readable message about the entry.
    pub fn parse(entry: &str) -> Result<Self, String> {
        parse_entry(entry.trim()).map_err(str::to_owned)
    }

    /// Whether this rule admits `origin`.
    fn matches(&self, origin: &ParsedOrigin) -> bool {
        // Fields are public (and deserialisable), so do not trust them blindly.
        if self.host.is_empty() {
            return false;
        }
        if self.port.is_some_and(|port| port != origin.port) {
            return false;
        }
        if !self.wildcard {
            return origin.host.eq_ignore_ascii_case(&self.host);
        }
        if origin.is_ip || host_is_ip_literal(&self.host) {
            return false;
        }
        is_strict_subdomain(&origin.host, &self.host)
    }
}

/// Whether a request with this `Origin` header value may use a widget allowing `allowed`.
///
/// A missing, empty or `null` origin, a non-`http(s)` scheme, anything beyond
/// `scheme://host[:port][/]`, and malformed hosts are all refused.
pub fn origin_allowed(allowed: &[AllowedDomain], origin: Option<&str>) -> bool {
    let Some(origin) = origin.and_then(parse_origin) else {
        return false;
    };
    allowed.iter().any(|rule| rule.matches(&origin))
}

/// An `Origin` header value that passed every structural check.
#[derive(Debug)]
struct ParsedOrigin {
    /// Normalised host: a domain (lowercase ASCII) or an IP literal (`1.2.3.4`, `[::1]`).
    host: String,
    /// Whether `host` is an IP literal.
    is_ip: bool,
    /// Explicit port, or the scheme's default.
    port: u16,
}

fn parse_entry(entry: &str) -> Result<AllowedDomain, &'static str> {
    if entry.is_empty() {
        return Err("must not be empty");
    }
    if entry.len() > MAX_ENTRY_LEN {
        return Err("is too long to be a domain name");
    }
    if entry.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not contain spaces or control characters");
    }

    let rest = match entry.split_once("://") {
        Some((scheme, rest)) => {
            if !is_web_scheme(scheme) {
                return Err("may only start with http:// or https://");
            }
            rest
        }
        None => entry,
    };
    let authority = rest.strip_suffix('/').unwrap_or(rest);

    if authority.contains('@') {
        return Err("must not contain a user name or '@'");
    }
    if authority.contains(['/', '\\']) {
        return Err("must be a domain only, without a path");
    }
    if authority.contains('?') {
        return Err("must not contain a query string");
    }
    if authority.contains('#') {
        return Err("must not contain a '#' fragment");
    }
    if authority.contains('%') {
        return Err("must not contain percent-encoded characters");
    }

    let (host_part, port) = split_port(authority)?;
    let (wildcard, host_part) = match host_part.strip_prefix("*.") {
        Some(rest) => (true, rest),
        None => (false, host_part),
    };
    if host_part.contains('*') {
        return Err("may only use a wildcard as the whole first label, as in *.example.com");
    }
    if host_part.is_empty() {
        return Err("must name a domain, such as example.com");
    }

    let url = Url::parse(&format!("http://{host_part}/"))
        .map_err(|_| "is not a valid domain name or IP address")?;
    // `host_part` holds no port, path, query or user name, so the URL must be a bare host;
    // anything else means the `url` parser read it differently from us.
    if url.port().is_some() || url.path() != "/" || url.query().is_some() {
        return Err("is not a valid domain name or IP address");
    }
    match url.host() {
        Some(Host::Domain(domain)) => {
            check_entry_domain(domain)?;
            if wildcard && !domain.contains('.') {
                return Err("needs at least two labels after a wildcard, as in *.example.com");
            }
        }
        Some(Host::Ipv4(_) | Host::Ipv6(_)) => {
            if wildcard {
                return Err("cannot use a wildcard with an IP address");
            }
        }
        None => return Err("must name a domain, such as example.com"),
    }
    let host = url
        .host_str()
        .ok_or("must name a domain, such as example.com")?
        .to_owned();

    Ok(AllowedDomain {
        host,
        wildcard,
        port,
    })
}

/// Splits `host[:port]` / `[ipv6][:port]`, validating the port.
fn split_port(authority: &str) -> Result<(&str, Option<u16>), &'static str> {
    if authority.starts_with('[') {
        let close = authority
            .find(']')
            .ok_or("has an IPv6 address without its closing ']'")?;
        let (host, tail) = authority.split_at(close + 1);
        if tail.is_empty() {
            return Ok((host, None));
        }
        let port = tail
            .strip_prefix(':')
            .ok_or("is not a valid domain name or IP address")?;
        return Ok((host, Some(parse_port(port)?)));
    }
    match authority.split_once(':') {
        None => Ok((authority, None)),
        Some((_, port)) if port.contains(':') => {
            Err("must write an IPv6 address in brackets, as in [::1]")
        }
        Some((host, port)) => Ok((host, Some(parse_port(port)?))),
    }
}

fn parse_port(port: &str) -> Result<u16, &'static str> {
    if port.is_empty() {
        return Err("has an empty port after ':'");
    }
    if !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err("has a port that is not a number");
    }
    // Digits only, so the only possible parse failure is overflow.
    match port.parse::<u16>() {
        Ok(0) | Err(_) => Err("has a port outside 1 to 65535"),
        Ok(n) => Ok(n),
    }
}

/// Checks a `url`-normalised domain of an entry, including DNS length limits.
fn check_entry_domain(domain: &str) -> Result<(), &'static str> {
    if domain.len() > MAX_HOST_LEN {
        return Err("is too long to be a domain name");
    }
    check_domain_shape(domain)?;
    if domain.split('.').any(|label| label.len() > MAX_LABEL_LEN) {
        return Err("has a label longer than 63 characters");
    }
    Ok(())
}

/// Checks a `url`-normalised domain: non-empty labels of `[a-z0-9_-]`, no trailing dot.
fn check_domain_shape(domain: &str) -> Result<(), &'static str> {
    if domain.ends_with('.') {
        return Err("must not end with a dot");
    }
    for label in domain.split('.') {
        if label.is_empty() {
            return Err("must not contain empty labels such as '..'");
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        {
            return Err("contains characters that are not allowed in a domain name");
        }
    }
    Ok(())
}

fn parse_origin(raw: &str) -> Option<ParsedOrigin> {
    if raw.is_empty() || raw.len() > MAX_ORIGIN_LEN || raw.eq_ignore_ascii_case("null") {
        return None;
    }
    // `url` silently strips tabs/newlines and surrounding spaces; refuse them instead.
    if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    // Structural check on the raw text, before `url` normalises anything away
    // (dot segments, percent-escapes, backslashes, extra slashes).
    let (scheme, rest) = raw.split_once("://")?;
    if !is_web_scheme(scheme) {
        return None;
    }
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    if authority.is_empty()
        || authority.ends_with(':')
        || authority.contains(['/', '\\', '?', '#', '@', '%', '*'])
    {
        return None;
    }

    let url = Url::parse(raw).ok()?;
    if !is_web_scheme(url.scheme())
        || !url.username().is_empty()
        || url.password().is_some()
        || url.query().is_some()
        || url.fragment().is_some()
        || url.path() != "/"
    {
        return None;
    }
    let port = url.port_or_known_default().filter(|&p| p != 0)?;
    let is_ip = match url.host()? {
        Host::Domain(domain) => {
            check_domain_shape(domain).ok()?;
            false
        }
        Host::Ipv4(_) | Host::Ipv6(_) => true,
    };
    Some(ParsedOrigin {
        host: url.host_str()?.to_owned(),
        is_ip,
        port,
    })
}

fn is_web_scheme(scheme: &str) -> bool {
    scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")
}

fn host_is_ip_literal(host: &str) -> bool {
    host.starts_with('[') || host.parse::<Ipv4Addr>().is_ok()
}

/// Whether `host` is `<one or more labels>.<parent>` (ASCII case-insensitive).
fn is_strict_subdomain(host: &str, parent: &str) -> bool {
    let (host, parent) = (host.as_bytes(), parent.as_bytes());
    let Some(split) = host.len().checked_sub(parent.len()) else {
        return false;
    };
    if split < 2 {
        // Need at least one label character plus the dot.
        return false;
    }
    let dot = split - 1;
    host.get(dot) == Some(&b'.')
        && host.get(..dot).is_some_and(|sub| !sub.is_empty())
        && host
            .get(split..)
            .is_some_and(|tail| tail.eq_ignore_ascii_case(parent))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(entries: &[&str]) -> Vec<AllowedDomain> {
        entries
            .iter()
            .map(|e| AllowedDomain::parse(e).unwrap_or_else(|m| panic!("entry {e:?}: {m}")))
            .collect()
    }

    fn rule(host: &str, wildcard: bool, port: Option<u16>) -> AllowedDomain {
        AllowedDomain {
            host: host.to_owned(),
            wildcard,
            port,
        }
    }

    #[test]
    fn origins_are_matched_against_allowed_entries() {
        #[rustfmt::skip]
        let cases: &[(&[&str], Option<&str>, bool)] = &[
            // Plain entries.
            (&["example.com"], Some("https://example.com"), true),
            (&["example.com"], Some("http://example.com"), true),
            (&["example.com"], Some("https://EXAMPLE.com"), true),
            (&["example.com"], Some("HTTPS://Example.COM"), true),
            (&["example.com"], Some("https://example.com/"), true),
            (&["Example.COM"], Some("https://example.com"), true),
            (&["example.com"], Some("https://example.com:8443"), true),
            (&["example.com"], Some("https://www.example.com"), false),
            (&["example.com"], Some("https://example.org"), false),
            (&["https://example.com/"], Some("http://example.com:3000"), true),
            // Look-alikes.
            (&["example.com"], Some("https://example.com.evil.com"), false),
            (&["example.com"], Some("https://evilexample.com"), false),
            (&["example.com"], Some("https://example.com@evil.com"), false),
            (&["example.com"], Some("https://user@example.com"), false),
            (&["example.com"], Some("https://exa mple.com"), false),
            (&["example.com"], Some("https://exa\tmple.com"), false),
            (&["example.com"], Some("https://example.com\n"), false),
            (&["example.com"], Some(" https://example.com"), false),
            (&["example.com"], Some("http://example.com%2eevil.com"), false),
            (&["example.com"], Some("http://exampl%65.com"), false),
            (&["example.com"], Some("https://xn--exmple-cua.com"), false),
            (&["example.com"], Some("https://exämple.com"), false),
            (&["example.com"], Some("https://example.com."), false),
            (&["example.com"], Some("https://example.com\\@evil.com"), false),
            (&["example.com"], Some("https:\\\\example.com"), false),
            (&["example.com"], Some("https:example.com"), false),
            (&["example.com"], Some("https:///example.com"), false),
            // Not a bare origin.
            (&["example.com"], Some("https://example.com/path"), false),
            (&["example.com"], Some("https://example.com/."), false),
            (&["example.com"], Some("https://example.com?x=1"), false),
            (&["example.com"], Some("https://example.com#top"), false),
            (&["example.com"], Some("https://example.com:"), false),
            // Missing or opaque origins and other schemes.
            (&["example.com"], None, false),
            (&["example.com"], Some(""), false),
            (&["example.com"], Some("null"), false),
            (&["example.com"], Some("NULL"), false),
            (&["example.com"], Some("file://example.com"), false),
            (&["example.com"], Some("file:///etc/passwd"), false),
            (&["example.com"], Some("javascript:alert(1)//example.com"), false),
            (&["example.com"], Some("ftp://example.com"), false),
            (&["example.com"], Some("ws://example.com"), false),
            (&["example.com"], Some("data:text/html,hi"), false),
            (&["example.com"], Some("example.com"), false),
            (&[], Some("https://example.com"), false),
            // Wildcards.
            (&["*.example.com"], Some("https://shop.example.com"), true),
            (&["*.example.com"], Some("https://a.b.example.com"), true),
            (&["*.example.com"], Some("https://SHOP.Example.com"), true),
            (&["*.example.com"], Some("https://example.com"), false),
            (&["*.example.com"], Some("https://shopexample.com"), false),
            (&["*.example.com"], Some("https://shop.example.com.evil.com"), false),
            (&["*.example.com"], Some("https://.example.com"), false),
            (&["*.example.com"], Some("https://a..example.com"), false),
            (&["*.example.com"], Some("https://*.example.com"), false),
            (&["*.example.com", "example.com"], Some("https://example.com"), true),
            // Ports.
            (&["example.com:8443"], Some("https://example.com:8443"), true),
            (&["example.com:8443"], Some("https://example.com"), false),
            (&["example.com:8443"], Some("https://example.com:8444"), false),
            (&["example.com:443"], Some("https://example.com"), true),
            (&["example.com:443"], Some("https://example.com:443"), true),
            (&["http://example.com:80"], Some("http://example.com"), true),
            (&["example.com:80"], Some("https://example.com"), false),
            (&["*.example.com:8080"], Some("http://app.example.com:8080"), true),
            (&["*.example.com:8080"], Some("http://app.example.com"), false),
            (&["example.com"], Some("https://example.com:0"), false),
            // Local development and IP literals.
            (&["localhost"], Some("http://localhost:3000"), true),
            (&["localhost"], Some("http://localhost.evil.com"), false),
            (&["127.0.0.1"], Some("http://127.0.0.1:8080"), true),
            (&["127.0.0.1"], Some("http://127.0.0.2"), false),
            (&["127.0.0.1"], Some("http://127.0.0.1.evil.com"), false),
            (&["[::1]"], Some("http://[::1]:5173"), true),
            (&["[::1]"], Some("http://[::2]"), false),
            (&["localhost:3000"], Some("http://localhost:3001"), false),
            // IDN.
            (&["bücher.example"], Some("https://xn--bcher-kva.example"), true),
            (&["bücher.example"], Some("https://BÜCHER.example"), true),
            (&["bücher.example"], Some("https://bucher.example"), false),
            (&["xn--bcher-kva.example"], Some("https://bücher.example"), true),
            (&["*.bücher.example"], Some("https://shop.xn--bcher-kva.example"), true),
        ];
        assert!(cases.len() >= 30);
        let mut failures = Vec::new();
        for (entries, origin, expected) in cases {
            let got = origin_allowed(&rules(entries), *origin);
            if got != *expected {
                failures.push(format!(
                    "{entries:?} with {origin:?}: expected {expected}, got {got}"
                ));
            }
        }
        assert!(failures.is_empty(), "mismatches:\n{}", failures.join("\n"));
    }

    #[test]
    fn look_alike_origins_are_refused() {
        let allowed = rules(&["example.com", "*.example.com"]);
        for origin in [
            "https://example.com.evil.com",
            "https://evilexample.com",
            "https://example.com@evil.com",
            "https://exa mple.com",
            "http://example.com%2eevil.com",
            "https://xn--exmple-cua.com",
            "https://example.co",
            "https://example.com.",
            "https://sub.example.com.",
            "file://example.com",
            "ftp://example.com",
            "javascript:alert(document.domain)",
            "data:text/html,<script>alert(1)</script>",
            "null",
        ] {
            assert!(
                !origin_allowed(&allowed, Some(origin)),
                "{origin:?} must be refused"
            );
        }
        assert!(!origin_allowed(&allowed, None));
        // Sanity check that the same rules do admit the real thing.
        assert!(origin_allowed(&allowed, Some("https://example.com")));
    }

    #[test]
    fn entries_are_parsed_and_normalised() {
        #[rustfmt::skip]
        let cases: &[(&str, &str, bool, Option<u16>)] = &[
            ("example.com", "example.com", false, None),
            ("Example.COM", "example.com", false, None),
            ("  example.com  ", "example.com", false, None),
            ("*.example.com", "example.com", true, None),
            ("*.Example.com:8443", "example.com", true, Some(8443)),
            ("example.com:8443", "example.com", false, Some(8443)),
            ("example.com:80", "example.com", false, Some(80)),
            ("example.com:65535", "example.com", false, Some(65535)),
            ("localhost", "localhost", false, None),
            ("localhost:3000", "localhost", false, Some(3000)),
            ("127.0.0.1", "127.0.0.1", false, None),
            ("127.0.0.1:8080", "127.0.0.1", false, Some(8080)),
            ("[::1]", "[::1]", false, None),
            ("[0:0::1]:8080", "[::1]", false, Some(8080)),
            ("bücher.example", "xn--bcher-kva.example", false, None),
            ("BÜCHER.example", "xn--bcher-kva.example", false, None),
            ("*.bücher.example", "xn--bcher-kva.example", true, None),
            ("https://example.com", "example.com", false, None),
            ("https://example.com/", "example.com", false, None),
            ("HTTP://example.com:8080/", "example.com", false, Some(8080)),
            ("http://localhost:3000", "localhost", false, Some(3000)),
            ("example.com/", "example.com", false, None),
            ("my_host.example.com", "my_host.example.com", false, None),
        ];
        for (entry, host, wildcard, port) in cases {
            assert_eq!(
                AllowedDomain::parse(entry),
                Ok(rule(host, *wildcard, *port)),
                "entry {entry:?}"
            );
        }
    }

    #[test]
    fn malformed_entries_are_rejected_with_a_message() {
        let too_long = format!("{}.com", "a".repeat(600));
        let long_label = format!("{}.com", "a".repeat(64));
        let cases = [
            "",
            "   ",
            "exa mple.com",
            "exa\tmple.com",
            "exa\u{0}mple.com",
            "*",
            "*.",
            "*.com",
            "*.localhost",
            "*example.com",
            "a.*.example.com",
            "example.*",
            "*.*.example.com",
            "**.example.com",
            "*.127.0.0.1",
            "*.[::1]",
            "example.com:0",
            "example.com:65536",
            "example.com:99999999999999999999",
            "example.com:",
            "example.com:abc",
            "example.com:+80",
            "example.com:-1",
            "::1",
            "[::1",
            "[::1]x",
            "[::1]:0",
            "user@example.com",
            "https://user:pw@example.com",
            "example.com/path",
            "https://example.com/path",
            "https://example.com//",
            "example.com?x=1",
            "example.com#top",
            "example%2ecom",
            "example.com\\",
            "ftp://example.com",
            "ws://example.com",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "data:text/html,hi",
            "https://",
            "https:///",
            ":8080",
            "example.com.",
            ".example.com",
            "a..example.com",
            "exa<mple.com",
            "exa!mple.com",
            "1.2.3.999",
            too_long.as_str(),
            long_label.as_str(),
        ];
        for entry in cases {
            match AllowedDomain::parse(entry) {
                Ok(parsed) => panic!("{entry:?} must be rejected, got {parsed:?}"),
                Err(message) => assert!(!message.trim().is_empty(), "{entry:?}: empty message"),
            }
        }
    }

    #[test]
    fn rejection_messages_name_the_problem() {
        let message = |entry: &str| AllowedDomain::parse(entry).err().unwrap_or_default();
        assert!(message("").contains("empty"));
        assert!(message("ftp://example.com").contains("http"));
        assert!(message("example.com/docs").contains("path"));
        assert!(message("*.com").contains("wildcard"));
        assert!(message("example.com:70000").contains("port"));
        assert!(message("*.10.0.0.1").contains("IP address"));
    }

    #[test]
    fn hand_built_rules_fail_closed() {
        // Rules can be deserialised, so odd values must not widen access.
        let odd = [
            rule("", false, None),
            rule("", true, None),
            rule("127.0.0.1", true, None),
            rule("[::1]", true, None),
            // Not an IP to the std parser, but a suffix of the IP origin `10.0.0.1`.
            rule("0.0.1", true, None),
        ];
        for origin in [
            "https://example.com",
            "http://127.0.0.1",
            "http://1.127.0.0.1",
            "http://[::1]",
            "http://10.0.0.1",
        ] {
            assert!(
                !origin_allowed(&odd, Some(origin)),
                "{origin:?} must be refused"
            );
        }
        // A non-normalised but otherwise valid hand-built rule still compares case-insensitively.
        let mixed = [rule("Example.COM", true, Some(443))];
        assert!(origin_allowed(&mixed, Some("https://shop.example.com")));
        assert!(!origin_allowed(&mixed, Some("http://shop.example.com")));
    }

    #[test]
    fn parsed_entries_admit_their_own_origin() {
        for entry in [
            "example.com",
            "Example.COM:8443",
            "localhost:3000",
            "127.0.0.1",
            "[::1]:8080",
            "bücher.example",
            "https://example.com/",
        ] {
            let parsed = rules(&[entry]);
            let Some(first) = parsed.first() else {
                panic!("no rule for {entry:?}");
            };
            let origin = format!("http://{}:{}", first.host, first.port.unwrap_or(80));
            assert!(
                origin_allowed(&parsed, Some(&origin)),
                "{entry:?} must admit {origin:?}"
            );
        }
    }

    #[test]
    fn odd_inputs_never_panic() {
        let mut samples: Vec<String> = [
            "",
            ":",
            "::",
            ":::",
            "[",
            "]",
            "[]",
            "[:]",
            "*",
            "*.",
            ".*",
            "..",
            ".",
            "/",
            "//",
            "///",
            "\\",
            "@",
            "%",
            "%%",
            "%00",
            "%zz",
            "?",
            "#",
            "\u{0}",
            "\u{7f}",
            "\u{feff}",
            "\u{200b}",
            "\u{ad}",
            "\u{3002}",
            "xn--",
            "xn--a",
            "xn--zz-",
            "-",
            "-.-",
            "_",
            "0x7f.1",
            "4294967296",
            "0",
            "00000",
            "1.2.3.4.5",
            "[::ffff:1.2.3.4]",
            "[v1.x]",
            "[::1]:99999",
            "a:b:c",
            "https:",
            "https:/",
            "https://",
            "https://:",
            "https://:80",
            "https://[",
            "https://[::1",
            "https://a]",
            "http://😀.com",
            "http://ＥＸＡＭＰＬＥ.com",
            "http://example。com",
            "http://a.b.c.d.e.f.g",
            "http://1.2.3",
            "blob:https://a.com",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        // Deterministic pseudo-random strings over a hostile alphabet.
        let alphabet: Vec<char> = "aZ0.-_*:/\\@%?#[]! \t\u{0}ü。😀xn".chars().collect();
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..2000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = usize::try_from(state % 24).unwrap_or(0);
            let s: String = (0..len)
                .map(|i| {
                    let idx =
                        usize::try_from((state >> (i % 48)) % alphabet.len() as u64).unwrap_or(0);
                    alphabet.get(idx).copied().unwrap_or('a')
                })
                .collect();
            samples.push(s);
        }
        samples.push("a".repeat(10_000));
        samples.push(format!("https://{}", "a.".repeat(5_000)));

        let wide_rules = [
            rule("", true, None),
            rule("com", true, None),
            rule("example.com", false, None),
        ];
        for sample in &samples {
            for candidate in [
                sample.clone(),
                format!("http://{sample}"),
                format!("https://{sample}/"),
                format!("*.{sample}"),
                format!("{sample}:8080"),
            ] {
                if let Ok(parsed) = AllowedDomain::parse(&candidate) {
                    assert!(!parsed.host.is_empty(), "{candidate:?} gave an empty host");
                    assert!(
                        parsed.host.is_ascii()
                            && !parsed.host.bytes().any(|b| b.is_ascii_uppercase()),
                        "{candidate:?} gave a non-normalised host {:?}",
                        parsed.host
                    );
                    assert_ne!(parsed.port, Some(0), "{candidate:?} gave port 0");
                }
                if origin_allowed(&wide_rules, Some(&candidate)) {
                    let lower = candidate.to_ascii_lowercase();
                    assert!(
                        lower.starts_with("http://") || lower.starts_with("https://"),
                        "{candidate:?} allowed without an http(s) scheme"
                    );
                    assert!(
                        parse_origin(&candidate).is_some_and(|o| {
                            o.host == "example.com" || o.host.ends_with(".com")
                        }),
                        "{candidate:?} allowed for a host outside the rules"
                    );
                }
            }
        }
    }
}
