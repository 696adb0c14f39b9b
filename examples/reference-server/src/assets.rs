//! Static files the reference server serves beside the API: a demo host page that embeds the
//! widget (`/demo`). The widget script (`/chat-widget.js`) and the agent console (`/console/`)
//! are served by the API itself. Files are compiled into the binary, so `cargo run` needs
//! nothing else.

/// A static file: content type and bytes.
pub(crate) struct Asset {
    pub content_type: &'static str,
    pub body: &'static str,
}

/// The asset at `path`, if any.
pub(crate) fn lookup(path: &str) -> Option<Asset> {
    let (content_type, body) = match path {
        "/demo" | "/demo/" | "/demo/host.html" => (
            "text/html; charset=utf-8",
            include_str!("../../../widget/demo/host.html"),
        ),
        _ => return None,
    };
    Some(Asset { content_type, body })
}

/// Security headers for the served pages: the ones core serves the console with.
pub(crate) use tms_chat_core::protocol::PAGE_HEADERS;
