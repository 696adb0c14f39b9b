//! What the widget reports about the customer's visit (the console's customer context): the
//! page they are on, where they came from, their browser, language and time zone. The widget
//! sends a [`PageView`] when a session starts and whenever the page changes; [`PageView::validate`]
//! bounds every field and turns the user agent into a browser and an operating system
//! ([`parse_user_agent`]), giving the [`VisitContext`] stored with the session. Agents only
//! ever see it: no customer view carries it.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

use crate::error::FieldError;

/// Longest page URL or referrer accepted (characters).
pub const MAX_URL_CHARS: usize = 2048;
/// Longest page title accepted (characters).
pub const MAX_TITLE_CHARS: usize = 300;
/// Longest user agent accepted (characters).
pub const MAX_USER_AGENT_CHARS: usize = 512;
/// Longest language tag accepted (BCP 47 tags are at most 35 characters in practice).
pub const MAX_LANGUAGE_CHARS: usize = 35;
/// Longest time zone name accepted.
pub const MAX_TIME_ZONE_CHARS: usize = 64;

/// A page view as the widget reports it (the `context` of a session start, the `page_view`
/// socket frame). Every field is optional; empty strings count as absent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(optional_fields = nullable))]
pub struct PageView {
    /// The page's URL (`location.href`), `http` or `https`.
    #[serde(default)]
    pub url: Option<String>,
    /// The page's title (`document.title`).
    #[serde(default)]
    pub title: Option<String>,
    /// Where the customer came from (`document.referrer`).
    #[serde(default)]
    pub referrer: Option<String>,
    /// The browser's user agent (`navigator.userAgent`); stored only as browser and OS.
    #[serde(default)]
    pub user_agent: Option<String>,
    /// The browser's language (`navigator.language`), a BCP 47 tag.
    #[serde(default)]
    pub language: Option<String>,
    /// The customer's IANA time zone (`Intl.DateTimeFormat().resolvedOptions().timeZone`).
    #[serde(default)]
    pub time_zone: Option<String>,
}

/// The customer context stored with a session: the last page view, validated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct VisitContext {
    /// The page's URL.
    pub url: Option<String>,
    /// The page's title.
    pub title: Option<String>,
    /// Where the customer came from.
    pub referrer: Option<String>,
    /// Browser and major version (`Chrome 131`), from the user agent.
    pub browser: Option<String>,
    /// Operating system (`Windows`, `macOS`, `Android 14`, `iOS 17`, `Linux`).
    pub os: Option<String>,
    /// The browser's language.
    pub language: Option<String>,
    /// The customer's IANA time zone.
    pub time_zone: Option<String>,
    /// When the widget reported it.
    #[cfg_attr(feature = "typescript", ts(type = "string"))]
    pub updated_at: DateTime<Utc>,
}

impl PageView {
    /// Checks and bounds every field; errors name the field under `prefix` (`context.url`).
    pub fn validate(self, prefix: &str, now: DateTime<Utc>) -> Result<VisitContext, FieldError> {
        let field = |name: &str| format!("{prefix}{name}");
        let url = text(self.url, MAX_URL_CHARS).map_err(|m| err(field("url"), m))?;
        let referrer = text(self.referrer, MAX_URL_CHARS).map_err(|m| err(field("referrer"), m))?;
        for (name, value) in [("url", &url), ("referrer", &referrer)] {
            if let Some(v) = value {
                check_web_url(v).map_err(|m| err(field(name), m))?;
            }
        }
        let title = text(self.title, MAX_TITLE_CHARS).map_err(|m| err(field("title"), m))?;
        let agent =
            text(self.user_agent, MAX_USER_AGENT_CHARS).map_err(|m| err(field("user_agent"), m))?;
        let language =
            text(self.language, MAX_LANGUAGE_CHARS).map_err(|m| err(field("language"), m))?;
        if let Some(tag) = &language {
            check_language(tag).map_err(|m| err(field("language"), m))?;
        }
        let time_zone =
            text(self.time_zone, MAX_TIME_ZONE_CHARS).map_err(|m| err(field("time_zone"), m))?;
        if let Some(zone) = &time_zone {
            if Tz::from_str(zone).is_err() {
                return Err(err(field("time_zone"), "is not an IANA time zone"));
            }
        }
        let (browser, os) = agent.as_deref().map(parse_user_agent).unwrap_or_default();
        Ok(VisitContext {
            url,
            title,
            referrer,
            browser,
            os,
            language,
            time_zone,
            updated_at: now,
        })
    }
}

fn err(field: String, message: &str) -> FieldError {
    FieldError {
        field,
        message: message.to_owned(),
    }
}

/// Trims; empty is absent; refuses control characters and more than `max` characters.
fn text(value: Option<String>, max: usize) -> Result<Option<String>, &'static str> {
    let Some(v) = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if v.contains('\0') {
        return Err("must not contain a NUL character");
    }
    if v.chars().any(char::is_control) {
        return Err("must not contain control characters");
    }
    if v.chars().count() > max {
        return Err(match max {
            MAX_URL_CHARS => "must be at most 2048 characters",
            MAX_TITLE_CHARS => "must be at most 300 characters",
            MAX_USER_AGENT_CHARS => "must be at most 512 characters",
            MAX_LANGUAGE_CHARS => "must be at most 35 characters",
            _ => "is too long",
        });
    }
    Ok(Some(v))
}

fn check_web_url(value: &str) -> Result<(), &'static str> {
    match url::Url::parse(value) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.has_host() => Ok(()),
        _ => Err("must be an http or https URL"),
    }
}

/// A BCP 47 shape: subtags of 1–8 letters or digits joined by `-`, the first letters only.
fn check_language(tag: &str) -> Result<(), &'static str> {
    let mut parts = tag.split('-');
    let first_ok = parts
        .next()
        .is_some_and(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic()));
    let rest_ok =
        parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if first_ok && rest_ok {
        Ok(())
    } else {
        Err("is not a language tag")
    }
}

/// The browser (name and major version) and operating system a user agent names, when it is
/// one of the common ones. Order matters: Edge and Opera also say `Chrome`, Chrome also says
/// `Safari`.
pub fn parse_user_agent(ua: &str) -> (Option<String>, Option<String>) {
    (browser_of(ua), os_of(ua))
}

fn browser_of(ua: &str) -> Option<String> {
    const BROWSERS: [(&str, &str); 10] = [
        ("Edg/", "Edge"),
        ("EdgA/", "Edge"),
        ("EdgiOS/", "Edge"),
        ("OPR/", "Opera"),
        ("SamsungBrowser/", "Samsung Internet"),
        ("Firefox/", "Firefox"),
        ("FxiOS/", "Firefox"),
        ("CriOS/", "Chrome"),
        ("HeadlessChrome/", "Chrome"),
        ("Chrome/", "Chrome"),
    ];
    for (marker, name) in BROWSERS {
        if let Some(version) = version_after(ua, marker) {
            return Some(format!("{name} {version}"));
        }
    }
    if ua.contains("Safari/") {
        return Some(match version_after(ua, "Version/") {
            Some(version) => format!("Safari {version}"),
            None => "Safari".to_owned(),
        });
    }
    None
}

/// The major version right after `marker` (`Chrome/131.0.0.0` → `131`).
fn version_after(ua: &str, marker: &str) -> Option<String> {
    let rest = &ua[ua.find(marker)? + marker.len()..];
    let major: String = rest
        .chars()
        .take_while(char::is_ascii_digit)
        .take(6)
        .collect();
    (!major.is_empty()).then_some(major)
}

fn os_of(ua: &str) -> Option<String> {
    if ua.contains("Windows") {
        return Some("Windows".to_owned());
    }
    if let Some(at) = ua.find("iPhone OS ").or_else(|| ua.find("CPU OS ")) {
        let rest = &ua[at..];
        let start = rest.find("OS ").map_or(0, |i| i + 3);
        let major: String = rest[start..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let name = if ua.contains("iPad") { "iPadOS" } else { "iOS" };
        return Some(if major.is_empty() {
            name.to_owned()
        } else {
            format!("{name} {major}")
        });
    }
    if let Some(version) = version_after(ua, "Android ") {
        return Some(format!("Android {version}"));
    }
    if ua.contains("Android") {
        return Some("Android".to_owned());
    }
    if ua.contains("CrOS") {
        return Some("ChromeOS".to_owned());
    }
    if ua.contains("Mac OS X") || ua.contains("Macintosh") {
        return Some("macOS".to_owned());
    }
    if ua.contains("Linux") || ua.contains("X11") {
        return Some("Linux".to_owned());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).expect("time")
    }

    fn parsed(ua: &str) -> (String, String) {
        let (b, o) = parse_user_agent(ua);
        (b.unwrap_or_default(), o.unwrap_or_default())
    }

    #[test]
    fn common_user_agents_name_browser_and_os() {
        let cases = [
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "Chrome 131", "Linux"),
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.6778.85 Safari/537.36", "Chrome 131", "Linux"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91", "Edge 120", "Windows"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox 133", "Windows"),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15", "Safari 17", "macOS"),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1", "Safari 17", "iOS 17"),
            ("Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/119.0.6045.169 Mobile/15E148 Safari/604.1", "Chrome 119", "iPadOS 16"),
            ("Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36", "Samsung Internet 23", "Android 14"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36 OPR/105.0.0.0", "Opera 105", "Windows"),
            ("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0.0.0 Safari/537.36", "Chrome 118", "ChromeOS"),
        ];
        for (ua, browser, os) in cases {
            assert_eq!(parsed(ua), (browser.to_owned(), os.to_owned()), "{ua}");
        }
    }

    #[test]
    fn unknown_user_agents_give_nothing() {
        assert_eq!(parse_user_agent("curl/8.5.0"), (None, None));
        assert_eq!(parse_user_agent("Chrome/"), (None, None));
    }

    #[test]
    fn a_full_page_view_is_kept_with_browser_and_os() {
        let view = PageView {
            url: Some(" https://shop.example/cart?x=1 ".into()),
            title: Some("Cart".into()),
            referrer: Some(String::new()),
            user_agent: Some("Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36".into()),
            language: Some("de-DE".into()),
            time_zone: Some("Europe/Berlin".into()),
        };
        let context = view.validate("context.", now()).expect("valid");
        assert_eq!(
            context.url.as_deref(),
            Some("https://shop.example/cart?x=1")
        );
        assert_eq!(context.referrer, None);
        assert_eq!(context.browser.as_deref(), Some("Chrome 131"));
        assert_eq!(context.os.as_deref(), Some("Linux"));
        assert_eq!(context.time_zone.as_deref(), Some("Europe/Berlin"));
        assert_eq!(context.updated_at, now());
    }

    #[test]
    fn bad_fields_are_named() {
        let bad = |view: PageView| view.validate("context.", now()).expect_err("invalid").field;
        let long = "x".repeat(MAX_TITLE_CHARS + 1);
        assert_eq!(
            bad(PageView {
                time_zone: Some("Mars/Olympus".into()),
                ..PageView::default()
            }),
            "context.time_zone"
        );
        assert_eq!(
            bad(PageView {
                url: Some("javascript:alert(1)".into()),
                ..PageView::default()
            }),
            "context.url"
        );
        assert_eq!(
            bad(PageView {
                referrer: Some("not a url".into()),
                ..PageView::default()
            }),
            "context.referrer"
        );
        assert_eq!(
            bad(PageView {
                title: Some(long),
                ..PageView::default()
            }),
            "context.title"
        );
        assert_eq!(
            bad(PageView {
                title: Some("a\0b".into()),
                ..PageView::default()
            }),
            "context.title"
        );
        assert_eq!(
            bad(PageView {
                language: Some("en_US!".into()),
                ..PageView::default()
            }),
            "context.language"
        );
        let ua = "a".repeat(MAX_USER_AGENT_CHARS + 1);
        assert_eq!(
            bad(PageView {
                user_agent: Some(ua),
                ..PageView::default()
            }),
            "context.user_agent"
        );
        let url = format!("https://a.example/{}", "p".repeat(MAX_URL_CHARS));
        assert_eq!(
            bad(PageView {
                url: Some(url),
                ..PageView::default()
            }),
            "context.url"
        );
    }
}
