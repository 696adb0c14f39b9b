//! The agent console's pages (`widget/console/`), compiled into the library and served below
//! the API's mount point when [`super::ApiConfig::serve_console`] is on: `console/` (the page),
//! `console/console.js`, `console/console.css`. `console` without the slash redirects to
//! `console/`, so the page's relative links resolve below whatever prefix the host mounted the
//! API under; the script finds the API one level up from its own URL.

use super::http::ApiResponse;

const INDEX_HTML: &str = include_str!("../../../widget/console/index.html");
const CONSOLE_JS: &str = include_str!("../../../widget/console/console.js");
const CONSOLE_CSS: &str = include_str!("../../../widget/console/console.css");

/// Headers of every console file.
const PAGE_HEADERS: &[(&str, &str)] = &[
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
    ("cache-control", "no-cache"),
];

/// The console file at `file` (the path segment after `console/`; empty for the page), or
/// `None` when there is no such file.
pub(crate) fn console_file(file: &str) -> Option<ApiResponse> {
    let (content_type, body) = match file {
        "" | "index.html" => ("text/html; charset=utf-8", INDEX_HTML),
        "console.js" => ("application/javascript; charset=utf-8", CONSOLE_JS),
        "console.css" => ("text/css; charset=utf-8", CONSOLE_CSS),
        _ => return None,
    };
    let mut headers = vec![("content-type".to_owned(), content_type.to_owned())];
    headers.extend(
        PAGE_HEADERS
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned())),
    );
    Some(ApiResponse {
        status: 200,
        headers,
        body: bytes::Bytes::from_static(body.as_bytes()),
    })
}

/// `console` → `console/` below the mount point.
pub(crate) fn redirect_to_console(mount_prefix: &str) -> ApiResponse {
    ApiResponse {
        status: 308,
        headers: vec![("location".to_owned(), format!("{mount_prefix}/console/"))],
        body: bytes::Bytes::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_links_its_files_relatively_so_any_prefix_works() {
        assert!(INDEX_HTML.contains(r#"href="console.css""#));
        assert!(INDEX_HTML.contains(r#"src="console.js""#));
        assert!(!INDEX_HTML.contains(r#""/console/"#));
    }

    #[test]
    fn unknown_console_files_are_not_found() {
        assert!(console_file("../secret").is_none());
        assert!(console_file("console.js").is_some());
    }

    #[test]
    fn the_bare_path_redirects_below_the_prefix() {
        let response = redirect_to_console("/support");
        assert_eq!(response.status, 308);
        assert_eq!(
            response.headers,
            vec![("location".to_owned(), "/support/console/".to_owned())]
        );
    }
}
