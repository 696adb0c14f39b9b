//! Static files the reference server serves beside the API: the agent console (`/console`),
//! and a demo host page that embeds the widget (`/demo`). The widget script itself is served
//! by the API at `/chat-widget.js`. Files are compiled into the binary, so `cargo run` needs
//! nothing else.

/// The widget script.
pub const WIDGET_JS: &str = include_str!("../../../widget/chat-widget.js");

/// A static file: content type and bytes.
pub struct Asset {
    pub content_type: &'static str,
    pub body: &'static str,
}

/// The asset at `path`, if any.
pub fn lookup(path: &str) -> Option<Asset> {
    let (content_type, body) = match path {
        "/console" | "/console/" | "/console/index.html" => (
            "text/html; charset=utf-8",
            include_str!("../../../widget/console/index.html"),
        ),
        "/console/console.js" => (
            "application/javascript; charset=utf-8",
            include_str!("../../../widget/console/console.js"),
        ),
        "/console/console.css" => (
            "text/css; charset=utf-8",
            include_str!("../../../widget/console/console.css"),
        ),
        "/demo" | "/demo/" | "/demo/host.html" => (
            "text/html; charset=utf-8",
            include_str!("../../../widget/demo/host.html"),
        ),
        _ => return None,
    };
    Some(Asset { content_type, body })
}

/// Security headers for the served pages.
pub const PAGE_HEADERS: &[(&str, &str)] = &[
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
    ("cache-control", "no-cache"),
];
